"""List and detail pages run a fixed number of queries: 1 row or 30 rows, the same count.

Each page is measured once with one row of everything it shows and once with thirty (with
distinct related users, so a missing select_related/prefetch shows as extra queries). The
ceilings leave a little room for shared middleware and the base template; the equality is
what catches an N+1.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from faon.models import Provider, ProviderStatusChange

from .factories import (
    AttendanceFactory,
    CertificateFactory,
    EventFactory,
    InsuranceFactory,
    LicenseFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

# Ceilings per page: measured counts in steady state (after the session's first request,
# which also records the passed second factor) + 3 for shared middleware and the base
# template (the home page + 6: other apps' panels share it).
PINS = {
    "members": 9,
    "events": 9,
    "event_detail_staff": 10,
    "provider_detail_staff": 20,
    "provider_detail_own": 19,
    "portal_form": 8,
    "events_own": 11,
    "event_detail_own": 11,
    "calendar_own": 9,
    "home_own": 16,
}


def _measure(client, url: str, pin: int, assert_max) -> int:
    with assert_max(pin) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _same_count(client, url: str, pin: int, assert_max, grow) -> None:
    # Steady state: warms per-process caches (content types) and the session (its first
    # request also records the passed second factor, which no later request repeats).
    client.get(url)
    small = _measure(client, url, pin, assert_max)
    grow()
    large = _measure(client, url, pin, assert_max)
    assert large == small, f"{url}: {small} queries with 1 row, {large} with 30"


@pytest.fixture
def staff(login, supervisor):
    return login(supervisor)


@pytest.fixture
def own(make_user, login):
    user = make_user(User.Role.PROVIDER)
    provider = ProviderFactory(managers=[user])
    return provider, login(user)


def _verifier(make_user):
    return make_user(User.Role.SUPERVISOR)


def _fill_provider(provider: Provider, make_user, n: int, start: int = 0) -> None:
    """n licenses, policies, attendances, certificates and status changes, each by its own
    staff user, so any unfetched relation costs one query per row."""
    for i in range(start, start + n):
        by = _verifier(make_user)
        LicenseFactory(provider=provider, verified_by=by)
        InsuranceFactory(provider=provider, verified_by=by)
        AttendanceFactory(provider=provider, event=EventFactory(), confirmed_by=by)
        CertificateFactory(provider=provider, year=2000 + i, code=f"FAON-Q-{provider.pk}-{i}")
        ProviderStatusChange.objects.create(
            provider=provider, from_status="active", to_status="active", by=by
        )


def test_members_list(staff, make_user, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            p = ProviderFactory()
            LicenseFactory(provider=p)
            InsuranceFactory(provider=p)
            AttendanceFactory(provider=p)

    add(1)
    _same_count(
        staff,
        reverse("faon:provider_list"),
        PINS["members"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


@pytest.mark.parametrize("show", ["upcoming", "past"])
def test_event_list_staff(show, staff, django_assert_max_num_queries):
    when = timezone.now() + timedelta(days=(3 if show == "upcoming" else -3))

    def add(n):
        for _ in range(n):
            AttendanceFactory(event=EventFactory(starts_at=when))

    add(1)
    _same_count(
        staff,
        reverse("faon:event_list") + f"?show={show}",
        PINS["events"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


def test_event_detail_staff(staff, make_user, django_assert_max_num_queries):
    event = EventFactory()

    def add(n):
        for _ in range(n):
            AttendanceFactory(event=event, confirmed_by=_verifier(make_user))

    add(1)
    _same_count(
        staff,
        reverse("faon:event_detail", args=[event.pk]),
        PINS["event_detail_staff"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


def test_provider_detail_staff(staff, make_user, django_assert_max_num_queries):
    provider = ProviderFactory()
    _fill_provider(provider, make_user, 1)
    _same_count(
        staff,
        reverse("faon:provider_detail", args=[provider.pk]),
        PINS["provider_detail_staff"],
        django_assert_max_num_queries,
        lambda: _fill_provider(provider, make_user, 29, start=1),
    )


def test_provider_detail_own(own, make_user, django_assert_max_num_queries):
    provider, client = own
    _fill_provider(provider, make_user, 1)
    _same_count(
        client,
        reverse("faon:provider_detail", args=[provider.pk]),
        PINS["provider_detail_own"],
        django_assert_max_num_queries,
        lambda: _fill_provider(provider, make_user, 29, start=1),
    )


@pytest.mark.parametrize("name", ["faon:provider_edit", "faon:license_add", "faon:insurance_add"])
def test_portal_forms(name, own, make_user, django_assert_max_num_queries):
    provider, client = own
    _fill_provider(provider, make_user, 1)
    _same_count(
        client,
        reverse(name, args=[provider.pk]),
        PINS["portal_form"],
        django_assert_max_num_queries,
        lambda: _fill_provider(provider, make_user, 29, start=1),
    )


@pytest.mark.parametrize("show", ["upcoming", "past"])
def test_event_list_own(show, own, django_assert_max_num_queries):
    provider, client = own
    when = timezone.now() + timedelta(days=(3 if show == "upcoming" else -3))

    def add(n):
        for _ in range(n):
            event = EventFactory(starts_at=when)
            AttendanceFactory(provider=provider, event=event)
            AttendanceFactory(event=event)  # someone else's registration

    add(1)
    _same_count(
        client,
        reverse("faon:event_list") + f"?show={show}",
        PINS["events_own"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


def test_event_detail_own(own, make_user, django_assert_max_num_queries):
    provider, client = own
    event = EventFactory(kind="online")
    AttendanceFactory(provider=provider, event=event, completed_at=None, confirmed_at=None)

    def add(n):
        for _ in range(n):
            AttendanceFactory(event=event, confirmed_by=_verifier(make_user))

    add(1)
    _same_count(
        client,
        reverse("faon:event_detail", args=[event.pk]),
        PINS["event_detail_own"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


def test_calendar_own(own, django_assert_max_num_queries):
    provider, client = own

    def add(n):
        for _ in range(n):
            AttendanceFactory(provider=provider, event=EventFactory())

    add(1)
    _same_count(
        client,
        reverse("faon:provider_calendar", args=[provider.pk]),
        PINS["calendar_own"],
        django_assert_max_num_queries,
        lambda: add(29),
    )


def test_home_panel_own(own, make_user, django_assert_max_num_queries):
    provider, client = own
    _fill_provider(provider, make_user, 1)
    _same_count(
        client,
        reverse("home"),
        PINS["home_own"],
        django_assert_max_num_queries,
        lambda: _fill_provider(provider, make_user, 29, start=1),
    )


def test_provider_detail_fetches_policy_verifiers_in_one_query(
    staff, make_user, django_assert_max_num_queries
):
    """The N+1 this file found: each policy's `verified_by` was a query of its own."""
    provider = ProviderFactory()
    for _ in range(10):
        InsuranceFactory(provider=provider, verified_by=_verifier(make_user))
    url = reverse("faon:provider_detail", args=[provider.pk])
    staff.get(url)
    with django_assert_max_num_queries(PINS["provider_detail_staff"]) as ctx:
        staff.get(url)
    user_queries = [q for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_queries) <= 3, len(user_queries)  # session user + license + policy verifiers
