"""Every page the benchmark opens (bench/run.py PAGES) stays within 15 SQL statements.

The budget is the issue's: ≤ 15 statements per page view, counted as bench/run.py counts
them (BEGIN/COMMIT/SAVEPOINT of ATOMIC_REQUESTS left out), in steady state (the session's
first request also records the passed second factor). The world below has at least one row
of everything each page shows, so every prefetch and panel runs its query; a page added to
PAGES is measured here too (it fails if it needs an object the world does not name).
"""

from __future__ import annotations

import uuid
from urllib.parse import quote_plus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import run as bench
from cases.models import Person
from faon.models import ProviderStatusChange
from referrals.models import Referral

from .cases.factories import (
    CaseAlertFactory,
    CaseFactory,
    ContactFactory,
    PersonFactory,
    ResourceFactory,
    TaskFactory,
)
from .faon.factories import (
    AttendanceFactory,
    CertificateFactory,
    EventFactory,
    InsuranceFactory,
    LicenseFactory,
    ProviderFactory,
)
from .referrals.factories import ReferralFactory
from .reunification.factories import SegmentFactory, TravelRequestFactory
from .teamhope.factories import (
    EscalationFactory,
    PeerCallFactory,
    PeerMatchFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = bench.MAX_QUERIES  # 15


@pytest.fixture
def world(make_user):
    supervisor = make_user("supervisor")
    advocate = make_user("advocate", supervisor=supervisor)
    users = {
        "advocate": advocate,
        "supervisor": supervisor,
        "administrator": make_user("administrator"),
        "provider": make_user("provider"),
        "volunteer": make_user("volunteer"),
    }
    case = CaseFactory(
        assigned_advocate=advocate,
        family__contact_name="Ola Marsh",
        family__consent_team_hope_contact=True,
    )
    CaseFactory(assigned_advocate=advocate, family__contact_name="Ivo Marsh")
    family = case.family
    PersonFactory(family=family)
    PersonFactory(family=family, role=Person.Role.PARENT, is_child_of_concern=False)
    for _ in range(3):
        ContactFactory(case=case)
    TaskFactory(case=case, owner=advocate)
    CaseAlertFactory(case=case)
    ResourceFactory()
    provider = ProviderFactory(managers=[users["provider"]])
    LicenseFactory(provider=provider, verified_by=supervisor, verified_at=timezone.now())
    InsuranceFactory(provider=provider, verified_by=supervisor, verified_at=timezone.now())
    AttendanceFactory(provider=provider, event=EventFactory())
    CertificateFactory(provider=provider)
    ProviderStatusChange.objects.create(
        provider=provider, from_status="under_review", to_status="active", by=supervisor
    )
    ReferralFactory(
        case=case, family=family, provider=provider, status=Referral.Status.SENT, sent_at=None
    )
    volunteer = VolunteerFactory(user=users["volunteer"])
    match = PeerMatchFactory(volunteer=volunteer, case=case, family=family)
    PeerCallFactory(match=match)
    EscalationFactory(match=match)
    travel = TravelRequestFactory(case=case, requested_by=advocate)
    SegmentFactory(travel_request=travel)
    last = family.contact_name.split()[-1]
    ctx = {
        "case": case.pk,
        "family": family.pk,
        "provider": provider.pk,
        "match": match.pk,
        "travel": travel.pk,
        "year": timezone.localdate().year,
        "call_id": str(uuid.uuid4()),
        "family_last": quote_plus(last),
        "family_name_q": quote_plus(family.contact_name),
        "family_phone_q": quote_plus(family.phone[:-2]),
        "family_phone_full_q": quote_plus(family.phone),
        "family_name_typo_q": quote_plus("Ola Mrash"),
    }
    ctx.update(bench.phone_pop_context(users, family.phone))  # the screen pop's poll pages
    return users, ctx


@pytest.mark.parametrize("page", bench.PAGES, ids=[p.label for p in bench.PAGES])
def test_bench_page_stays_within_15_statements(page, world, login):
    users, ctx = world
    missing = [a for a in page.args if a not in ctx]
    assert not missing, f"add {missing} to this test's world for the page {page.label!r}"
    path = bench.page_path(page, ctx)
    assert path, f"{page.url_name} does not resolve"
    client = login(users[page.role])
    bench.client_request(client, page, path, ctx)  # steady state (second factor recorded)
    with CaptureQueriesContext(connection) as q:
        response = bench.client_request(client, page, path, ctx)
    assert response.status_code == 200, (page.label, response.status_code)
    statements = bench.sql_statements(q.captured_queries)
    assert statements <= BUDGET, "\n".join(
        [f"{page.label}: {statements} statements"] + [x["sql"][:120] for x in q.captured_queries]
    )
