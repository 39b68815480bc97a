"""Portal users of a provider record: supervisors and administrators add (invite or link)
and remove them; every change is audited; nobody else may, and no record leaks into
another's."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import AuditEntry, Notification, OutboundEmail
from faon import selectors

from .factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _url(provider, name="faon:provider_managers"):
    return reverse(name, args=[provider.pk])


def _field_error(page: str, field: str) -> str:
    found = re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:p|span|div)>', page, re.S)
    assert found, f"no error next to {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", " ".join(found))).strip()


@pytest.fixture
def record(make_user):
    current = make_user(User.Role.PROVIDER, full_name="Current Manager")
    return ProviderFactory(managers=[current]), current


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_page_lists_the_managers(role, record, make_user, login):
    provider, current = record
    response = login(make_user(role)).get(_url(provider))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Current Manager" in page and current.email in page
    assert "Add a portal user" in page


def test_detail_page_links_to_it_for_staff_who_decide(record, supervisor, advocate, login):
    provider, current = record
    link = f'href="{_url(provider)}"'
    detail = reverse("faon:provider_detail", args=[provider.pk])
    assert link in login(supervisor).get(detail).content.decode()
    assert link not in login(advocate).get(detail).content.decode()
    assert link not in login(current).get(detail).content.decode()


def test_adding_a_new_address_invites_a_provider_user(record, supervisor, login):
    provider, _current = record
    response = login(supervisor).post(
        _url(provider), {"email": "New.Person@Example.test", "full_name": "New Person"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.test")
    assert user.role == User.Role.PROVIDER and not user.has_usable_password()
    assert provider.managers.filter(pk=user.pk).exists()
    assert OutboundEmail.objects.filter(to=user.email, key__startswith="invite:").exists()
    entry = AuditEntry.objects.get(action="faon.provider.manager_added")
    assert entry.actor == supervisor and entry.object_id == str(provider.pk)
    assert entry.changes["managers"] == [None, user.pk] and entry.changes["invited"] is True
    # Once signed in (after setting a password and a second factor), it sees the record.
    assert selectors.provider_get_for_user(user=user, pk=provider.pk, write=True) == provider


def test_adding_an_existing_provider_user_links_it_without_a_new_account(
    record, administrator, make_user, login
):
    provider, _current = record
    other = make_user(User.Role.PROVIDER, email="colleague@example.test")
    ProviderFactory(managers=[other])  # it may manage another record too
    users_before = User.objects.count()
    response = login(administrator).post(_url(provider), {"email": "COLLEAGUE@example.test"})
    assert response.status_code == 302
    assert User.objects.count() == users_before
    assert provider.managers.filter(pk=other.pk).exists()
    assert not OutboundEmail.objects.filter(to=other.email, key__startswith="invite:").exists()
    note = Notification.objects.get(event="faon.provider.manager_added")
    assert note.recipient == other and note.url == reverse(
        "faon:provider_detail", args=[provider.pk]
    )
    assert AuditEntry.objects.filter(
        action="faon.provider.manager_added", actor=administrator
    ).exists()


@pytest.mark.parametrize(
    ("make", "data", "field", "message"),
    [
        ("staff", {"email": "staff@example.test"}, "email", "staff or volunteer account"),
        ("volunteer", {"email": "vol@example.test"}, "email", "staff or volunteer account"),
        ("inactive", {"email": "gone@example.test"}, "email", "deactivated"),
        ("current", {}, "email", "already manages"),
        (None, {"email": "fresh@example.test", "full_name": ""}, "full_name", "name"),
        (None, {"email": "not an address", "full_name": "Typed Name"}, "email", "valid email"),
        (None, {"email": "", "full_name": "Typed Name"}, "email", "required"),
    ],
)
def test_bad_additions_are_refused_on_the_form(
    make, data, field, message, record, supervisor, make_user, login
):
    provider, current = record
    if make == "staff":
        make_user(User.Role.ADVOCATE, email=data["email"])
    elif make == "volunteer":
        make_user(User.Role.VOLUNTEER, email=data["email"])
    elif make == "inactive":
        make_user(User.Role.PROVIDER, email=data["email"], is_active=False)
    elif make == "current":
        data = {"email": current.email}
    users_before = User.objects.count()
    response = login(supervisor).post(_url(provider), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in _field_error(page, field)
    for value in data.values():
        if value:
            assert f'value="{html.escape(value)}"' in page
    assert list(provider.managers.all()) == [current]
    assert User.objects.count() == users_before
    assert not AuditEntry.objects.filter(action="faon.provider.manager_added").exists()
    assert not OutboundEmail.objects.filter(key__startswith="invite:").exists()


def test_removing_a_manager_ends_its_access(record, supervisor, login):
    provider, current = record
    client_of_removed = login(current)
    detail = reverse("faon:provider_detail", args=[provider.pk])
    assert client_of_removed.get(detail).status_code == 200
    response = login(supervisor).post(
        _url(provider, "faon:provider_manager_remove"), {"user": current.pk}
    )
    assert response.status_code == 302
    assert not provider.managers.exists()
    entry = AuditEntry.objects.get(action="faon.provider.manager_removed")
    assert entry.actor == supervisor and entry.changes["managers"] == [current.pk, None]
    assert client_of_removed.get(detail).status_code == 404
    # The page then warns that nobody can keep the record current.
    assert (
        "No one can sign in for this record"
        in login(supervisor).get(_url(provider)).content.decode()
    )


def test_removing_another_records_manager_through_this_record_is_refused(
    record, supervisor, make_user, login
):
    """IDOR: a user id of provider B's manager posted to provider A's page changes nothing."""
    provider_a, manager_a = record
    manager_b = make_user(User.Role.PROVIDER)
    provider_b = ProviderFactory(managers=[manager_b])
    response = login(supervisor).post(
        _url(provider_a, "faon:provider_manager_remove"), {"user": manager_b.pk}
    )
    assert response.status_code == 400
    assert "does not manage this record" in response.content.decode()
    assert list(provider_b.managers.all()) == [manager_b]
    assert list(provider_a.managers.all()) == [manager_a]
    assert not AuditEntry.objects.filter(action="faon.provider.manager_removed").exists()


@pytest.mark.parametrize("bad", ["", "abc", "999999"])
def test_remove_with_a_bad_user_id_is_400(bad, record, supervisor, login):
    provider, current = record
    response = login(supervisor).post(_url(provider, "faon:provider_manager_remove"), {"user": bad})
    assert response.status_code == 400
    assert list(provider.managers.all()) == [current]


@pytest.mark.parametrize("role", ["advocate", "provider", "volunteer"])
def test_other_roles_may_not_open_or_change_it(role, record, make_user, login):
    provider, current = record
    # The provider case is the record's own manager: it still may not add or remove users.
    user = current if role == "provider" else make_user(role)
    client = login(user)
    assert client.get(_url(provider)).status_code == 403
    assert (
        client.post(_url(provider), {"email": "x@example.test", "full_name": "X"}).status_code
        == 403
    )
    assert (
        client.post(
            _url(provider, "faon:provider_manager_remove"), {"user": current.pk}
        ).status_code
        == 403
    )
    assert list(provider.managers.all()) == [current]
    assert not User.objects.filter(email="x@example.test").exists()


def test_a_provider_cannot_add_itself_to_another_record(record, make_user, login):
    _provider, current = record
    other = ProviderFactory()
    response = login(current).post(_url(other), {"email": current.email})
    assert response.status_code == 403
    assert not other.managers.exists()


def test_anonymous_is_sent_to_sign_in_and_get_of_remove_is_405(record, supervisor, login):
    provider, _current = record
    response = Client().get(_url(provider))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(supervisor).get(_url(provider, "faon:provider_manager_remove")).status_code == 405


def test_unknown_record_is_404(supervisor, login):
    assert (
        login(supervisor).get(reverse("faon:provider_managers", args=[999999])).status_code == 404
    )


def test_page_query_count_does_not_grow_with_managers(
    record, supervisor, make_user, login, django_assert_max_num_queries
):
    provider, _current = record
    client = login(supervisor)
    client.get(_url(provider))
    with django_assert_max_num_queries(9) as small:
        client.get(_url(provider))
    provider.managers.add(*[make_user(User.Role.PROVIDER) for _ in range(29)])
    with django_assert_max_num_queries(9) as large:
        client.get(_url(provider))
    assert len(large.captured_queries) == len(small.captured_queries)
