"""Retention: the schedule, dry runs, the nightly sweep, tombstones, legal holds, the report."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cases import holds
from cases import retention as case_retention
from cases import services as case_services
from cases.models import (
    Case,
    CaseAlert,
    Contact,
    Family,
    LegalHold,
    Person,
    PurgedRecords,
    ResourceShare,
    Task,
)
from familysupport.lib import jobs, retention
from familysupport.lib.models import AuditEntry, JobRun, OutboundEmail

from .factories import CaseFactory, ContactFactory, FamilyFactory, ResourceFactory, TaskFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - dt.timedelta(days=8 * 365)  # closed 8 years ago: past the 7-year rule
SECRET = "Ophelia Thistlewood"


def _closed(case: Case, when: dt.datetime) -> Case:
    case.status, case.closed_at, case.status_reason = Case.Status.CLOSED, when, "Reunited"
    case.opened_at = when - dt.timedelta(days=200)
    case.save()
    return case


@pytest.fixture
def old_case():
    family = FamilyFactory(contact_name=SECRET, phone="+15550104444")
    case = _closed(CaseFactory(family=family), LONG_AGO)
    child = Person.objects.create(family=family, role="child", first_name="Wren")
    case.children.add(child)
    contact = ContactFactory(case=case, started_at=LONG_AGO - dt.timedelta(days=30))
    TaskFactory(case=case, due_on=LONG_AGO.date())
    CaseAlert.objects.create(
        case=case, contact=contact, kinds=["safety_concern"], raised_by=case.assigned_advocate
    )
    ResourceShare.objects.create(
        resource=ResourceFactory(), family=family, case=case, shared_by=case.assigned_advocate
    )
    return case


def _everything_on(case: Case) -> dict:
    from tests.referrals.factories import ReferralFactory
    from tests.reunification.factories import SegmentFactory, TravelRequestFactory
    from tests.teamhope.factories import EscalationFactory, PeerCallFactory, PeerMatchFactory

    referral = ReferralFactory(
        case=case, family=case.family, status="completed", sent_at=LONG_AGO - dt.timedelta(days=60)
    )
    match = PeerMatchFactory(case=case, family=case.family)
    call = PeerCallFactory(match=match, called_at=LONG_AGO - dt.timedelta(days=40))
    EscalationFactory(match=match, call=call)
    travel = TravelRequestFactory(case=case, submitted_at=LONG_AGO - dt.timedelta(days=50))
    SegmentFactory(travel_request=travel)
    return {"referral": referral, "match": match, "call": call, "travel": travel}


# --- the schedule ---------------------------------------------------------------------------


def test_the_schedule_lists_every_rule_with_its_setting():
    keys = {r.key for r in retention.all_rules()}
    assert {
        "cases.drafts",
        "cases.closed_cases",
        "reunification.travel_documents",
        "faon.provider_documents",
        "accounts.outbox",
        "accounts.job_runs",
        "accounts.sessions",
        "accounts.audit_trail",
    } <= keys
    audit_rule = next(r for r in retention.all_rules() if r.key == "accounts.audit_trail")
    assert audit_rule.purge is None  # the application never purges the audit trail


def test_periods_come_from_settings(settings, old_case):
    settings.RETENTION = {**settings.RETENTION, "closed_case_years": 10}
    assert not case_retention.closed_cases_due(NOW).filter(pk=old_case.pk).exists()
    settings.RETENTION = {**settings.RETENTION, "closed_case_years": 7}
    assert case_retention.closed_cases_due(NOW).filter(pk=old_case.pk).exists()


# --- dry run and the real run ---------------------------------------------------------------


def test_dry_run_lists_what_would_go_and_deletes_nothing(old_case, supervisor):
    recent = _closed(CaseFactory(), NOW - dt.timedelta(days=365))
    held = _closed(CaseFactory(), LONG_AGO)
    holds.legal_hold_place(by=supervisor, reason="Lawsuit 24-3", case=held)
    result = retention.dry_run(now=NOW)
    due = result.due["cases.closed_cases"]
    assert [i.record_id for i in due.items] == [str(old_case.pk)]
    assert due.count == 1 and due.held == 1
    assert str(recent.pk) not in [i.record_id for i in due.items]
    assert Case.objects.filter(pk=old_case.pk).exists()


def test_the_sweep_purges_a_closed_case_and_everything_on_it_with_tombstones(old_case):
    on = _everything_on(old_case)
    family_id, case_id = old_case.family_id, old_case.pk
    before = AuditEntry.objects.count()
    result = retention.sweep(now=NOW)
    assert result.purged["cases.closed_cases"] == 1
    assert not Case.objects.filter(pk=case_id).exists()
    assert not Family.objects.filter(pk=family_id).exists()  # its last case went
    assert not Person.objects.filter(family_id=family_id).exists()
    for model in (Contact, Task, CaseAlert, ResourceShare):
        assert not model.objects.filter(case_id=case_id).exists(), model
    for obj in on.values():
        assert not type(obj).objects.filter(pk=obj.pk).exists(), obj
    # The audit trail only grew: every deletion and a tombstone per case and family.
    assert AuditEntry.objects.count() > before
    tombstone = AuditEntry.objects.get(
        action=retention.TOMBSTONE, object_id=str(case_id), changes__record_type="cases.case"
    )
    assert tombstone.changes["rule"] == "cases.closed_cases"
    assert tombstone.changes["record_type"] == "cases.case"
    assert tombstone.changes["date"] == timezone.localtime(LONG_AGO).date().isoformat()
    assert tombstone.object_label == f"Case #{case_id}"
    assert AuditEntry.objects.filter(
        action=retention.TOMBSTONE, changes__record_type="cases.family"
    ).exists()
    for entry in AuditEntry.objects.filter(at__gte=NOW - dt.timedelta(minutes=1)):
        text = f"{entry.object_label} {entry.changes} {entry.changed_fields}"
        assert SECRET not in text and "+15550104444" not in text and "Wren" not in text
    # The yearly report learns what was purged, per year.
    types = set(PurgedRecords.objects.values_list("record_type", flat=True))
    assert {
        "cases.case",
        "cases.contact",
        "referrals.referral",
        "teamhope.peercall",
        "reunification.travelrequest",
    } <= types


def test_a_legal_hold_on_the_family_or_the_case_stops_the_purge_until_lifted(
    old_case, administrator
):
    hold = holds.legal_hold_place(by=administrator, reason="Subpoena", family=old_case.family)
    assert retention.sweep(now=NOW).purged["cases.closed_cases"] == 0
    assert Case.objects.filter(pk=old_case.pk).exists()
    holds.legal_hold_lift(hold=hold, by=administrator, reason="Matter closed")
    case_hold = holds.legal_hold_place(by=administrator, reason="Court order", case=old_case)
    assert retention.sweep(now=NOW).purged["cases.closed_cases"] == 0
    holds.legal_hold_lift(hold=case_hold, by=administrator, reason="Done")
    assert retention.sweep(now=NOW).purged["cases.closed_cases"] == 1


def test_a_family_with_a_case_still_open_keeps_it_and_its_members(old_case):
    open_case = CaseFactory(family=old_case.family)
    retention.sweep(now=NOW)
    assert not Case.objects.filter(pk=old_case.pk).exists()
    assert Family.objects.filter(pk=old_case.family_id).exists()
    assert Case.objects.filter(pk=open_case.pk).exists()
    assert Person.objects.filter(family=old_case.family, first_name="Wren").exists()


def test_a_case_reopened_since_the_listing_is_left_alone(old_case):
    old_case.status = Case.Status.OPEN
    old_case.save()
    assert case_retention.case_purge(case_id=old_case.pk, now=NOW) == 0
    assert Case.objects.filter(pk=old_case.pk).exists()


def test_the_job_runs_the_sweep_and_records_a_run(old_case):
    assert "accounts.retention" in jobs.all_jobs()
    assert jobs.describe_schedule(jobs.beat_entry("accounts.retention")) == "daily at 03:10"
    purged = jobs.run("accounts.retention")
    assert purged >= 1
    run = JobRun.objects.get(job="accounts.retention")
    assert run.status == JobRun.Status.SUCCEEDED and run.items == purged


def test_the_audit_trail_is_never_purged(old_case):
    ancient = AuditEntry.objects.create(action="test.ancient", at=NOW - dt.timedelta(days=20 * 365))
    result = retention.dry_run(now=NOW)
    assert result.due["accounts.audit_trail"].count >= 1
    retention.sweep(now=NOW)
    assert AuditEntry.objects.filter(pk=ancient.pk).exists()


# --- other rules ------------------------------------------------------------------------------


def test_travel_documents_are_cleared_after_the_trip_costs_stay(supervisor):
    from tests.reunification.factories import SegmentFactory, TravelRequestFactory

    def finished(**kwargs):
        tr = TravelRequestFactory(
            status="completed",
            completed_at=NOW - dt.timedelta(days=400),
            passport_visa_notes="Passport P1234567 expires 2031",
            **kwargs,
        )
        SegmentFactory(travel_request=tr, confirmation_code="XYZ789", to_place="12 Elm St")
        return tr

    old, held = finished(), finished()
    recent = TravelRequestFactory(
        status="completed", completed_at=NOW - dt.timedelta(days=30), passport_visa_notes="P9"
    )
    holds.legal_hold_place(by=supervisor, reason="Custody dispute", case=held.case)
    assert retention.dry_run(now=NOW).due["reunification.travel_documents"].count == 1
    assert retention.sweep(now=NOW).purged["reunification.travel_documents"] == 1
    old.refresh_from_db()
    segment = old.segments.get()
    assert old.passport_visa_notes == "" and segment.confirmation_code == ""
    assert segment.to_place == "" and segment.estimated_cost is not None
    held.refresh_from_db()
    recent.refresh_from_db()
    assert held.passport_visa_notes and recent.passport_visa_notes == "P9"


def test_documents_of_members_who_left_are_deleted_after_the_period():
    from faon.models import License, Provider
    from tests.faon.factories import LicenseFactory, ProviderFactory

    left = ProviderFactory(
        status=Provider.Status.WITHDRAWN, status_changed_at=NOW - dt.timedelta(days=400)
    )
    member = ProviderFactory(status=Provider.Status.ACTIVE)
    old = LicenseFactory(provider=left)
    kept = LicenseFactory(provider=member)
    for lic in (old, kept):
        lic.document.save("licence.pdf", ContentFile(b"%PDF-1.4 licence"), save=True)
    path = old.document.path
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file goes after commit
        assert retention.sweep(now=NOW).purged["faon.provider_documents"] == 1
    old.refresh_from_db()
    kept.refresh_from_db()
    assert not old.document and kept.document
    assert not os.path.exists(path)
    assert License.objects.filter(pk=old.pk).exists()  # the licence details stay


def test_outbox_job_runs_and_expired_sessions_go_pending_mail_stays():
    old = NOW - dt.timedelta(days=200)
    sent = OutboundEmail.objects.create(
        to="a@example.test", subject="s", body_text="b", key="k1", status="sent", created_at=old
    )
    pending = OutboundEmail.objects.create(
        to="b@example.test", subject="s", body_text="b", key="k2", created_at=old
    )
    run = JobRun.objects.create(job="x", trigger="command", status="succeeded", requested_at=old)
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=old)
    result = retention.sweep(now=NOW)
    assert result.purged["accounts.outbox"] == 1
    assert not OutboundEmail.objects.filter(pk=sent.pk).exists()
    assert OutboundEmail.objects.filter(pk=pending.pk).exists()
    assert not JobRun.objects.filter(pk=run.pk).exists()
    assert not Session.objects.filter(session_key="k" * 32).exists()
    tomb = AuditEntry.objects.get(action=retention.TOMBSTONE, changes__rule="accounts.sessions")
    assert "k" * 32 not in str(tomb.changes)  # a session key is a secret


# --- legal holds ------------------------------------------------------------------------------


def test_holds_need_a_reason_and_a_supervisor_or_administrator(old_case, advocate, supervisor):
    with pytest.raises(PermissionDenied):
        holds.legal_hold_place(by=advocate, reason="x", case=old_case)
    with pytest.raises(ValidationError):
        holds.legal_hold_place(by=supervisor, reason="  ", case=old_case)
    holds.legal_hold_place(by=supervisor, reason="Subpoena", case=old_case)
    with pytest.raises(ValidationError):
        holds.legal_hold_place(by=supervisor, reason="Again", case=old_case)
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"cases.legal_hold.placed"}


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_hold_pages_place_and_lift(role, make_user, login, old_case):
    client = login(make_user(role))
    url = reverse("privacy:hold_case", args=[old_case.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not LegalHold.objects.exists()
    assert client.post(url, {"reason": "Records request 2026-04"}).status_code == 302
    hold = LegalHold.objects.get()
    assert hold.case == old_case and hold.is_active
    page = client.get(old_case.get_absolute_url()).content.decode()
    assert 'id="legal-hold-banner"' in page
    lift = reverse("privacy:hold_lift", args=[hold.pk])
    response = client.post(lift, {"reason": " "})
    assert response.status_code == 400
    assert client.post(lift, {"reason": "Matter settled"}).status_code == 302
    hold.refresh_from_db()
    assert not hold.is_active and hold.lift_reason == "Matter settled"
    family_url = reverse("privacy:hold_family", args=[old_case.family_id])
    assert client.post(family_url, {"reason": "Family's attorney asked"}).status_code == 302
    assert LegalHold.objects.filter(family=old_case.family, lifted_at__isnull=True).exists()


def test_advocates_see_the_hold_but_cannot_place_or_lift_it(old_case, advocate, supervisor, login):
    hold = holds.legal_hold_place(by=supervisor, reason="Subpoena", case=old_case)
    client = login(advocate)
    assert client.get(reverse("privacy:hold_case", args=[old_case.pk])).status_code == 403
    assert (
        client.post(reverse("privacy:hold_lift", args=[hold.pk]), {"reason": "x"}).status_code
        == 403
    )
    hold.refresh_from_db()
    assert hold.is_active


def test_a_merge_carries_the_duplicates_hold_to_the_family_it_went_into(supervisor):
    source, target = FamilyFactory(), FamilyFactory()
    holds.legal_hold_place(by=supervisor, reason="Subpoena 7", family=source)
    # The real merge sends family_merged inside its transaction (holds follow it there).
    case_services.family_merge(source=source, target=target, by=supervisor)
    carried = holds.active_holds().get(family=target)
    assert "Subpoena 7" in carried.reason and f"#{source.pk}" in carried.reason


# --- the pages ----------------------------------------------------------------------------------


def test_retention_page_shows_the_schedule_and_a_dry_run_for_administrators(
    old_case, administrator, supervisor, login
):
    client = login(administrator)
    response = client.get(reverse("privacy:retention"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "7 years after the case closed" in html and "RETENTION_CLOSED_CASE_YEARS" in html
    assert "never by the portal" in html
    response = client.get(reverse("privacy:retention"), {"dry_run": "1"})
    assert f"cases.case #{old_case.pk}" in response.content.decode()
    assert Case.objects.filter(pk=old_case.pk).exists()
    assert AuditEntry.objects.filter(action="privacy.retention.dry_run").exists()
    assert login(supervisor).get(reverse("privacy:retention")).status_code == 403


def test_live_figures_for_a_purged_year_say_so_published_ones_do_not_change(administrator, login):
    from reports import services as report_services
    from tests.reports import factories as rf

    year = LONG_AGO.year
    case = rf.case(rf.family(), opened_at=LONG_AGO - dt.timedelta(days=10))
    rf.contact(case, at=LONG_AGO - dt.timedelta(days=5), purpose="crisis_intervention")
    _closed(case, LONG_AGO)
    client = login(administrator)
    report_services.snapshot_publish(year=year, by=administrator, note="")
    published = report_services.snapshot_latest(year=year).results["headline"]["mh_families"]
    assert published == 1
    retention.sweep(now=NOW)
    live = client.get(reverse("reports:year", args=[year]), {"view": "live"}).content.decode()
    assert 'id="purged-note"' in live and "were purged under the retention schedule" in live
    snapshot = client.get(reverse("reports:year", args=[year])).content.decode()
    assert 'id="purged-note"' not in snapshot
    assert report_services.snapshot_latest(year=year).results["headline"]["mh_families"] == 1


def test_the_command_dry_runs_by_default_and_purges_when_asked(old_case):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("retention", stdout=out)
    assert f"cases.case #{old_case.pk}" in out.getvalue() and "nothing deleted" in out.getvalue()
    assert Case.objects.filter(pk=old_case.pk).exists()
    call_command("retention", "--purge", stdout=io.StringIO())
    assert not Case.objects.filter(pk=old_case.pk).exists()
    assert JobRun.objects.filter(job="accounts.retention", trigger="command").exists()
