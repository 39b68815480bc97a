"""No family or child details in any e-mail the jobs (or the apps' notifications) send."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from cases import services as cases_services
from cases.models import Contact
from familysupport.lib import jobs
from familysupport.lib.models import OutboundEmail
from referrals.models import Referral
from reunification import services as reunification_services
from tests.cases.factories import CaseFactory, FamilyFactory, PersonFactory, TaskFactory
from tests.factories import UserFactory
from tests.reunification.factories import TravelRequestFactory

NY = ZoneInfo("America/New_York")
SECRETS = ("Marisol", "Quintanilla", "Zephyrine", "+15550100999", "Wisteria Lane")


def ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.mark.django_db
def test_no_family_or_child_details_in_any_email(member, staff):
    supervisor = staff
    advocate = UserFactory(role=User.Role.ADVOCATE, supervisor=supervisor, totp=False)
    with time_machine.travel(ny(2027, 1, 1, 9), tick=False):
        family = FamilyFactory(
            contact_name="Marisol Quintanilla",
            display_name="Quintanilla family",
            contact_first_name="Marisol",
            phone="+15550100999",
            address_line="12 Wisteria Lane",
        )
        PersonFactory(family=family, first_name="Zephyrine", last_name="Quintanilla")
        case = CaseFactory(family=family, assigned_advocate=advocate)
        provider = member(
            expires_on=date(2027, 12, 31),  # 30 days before, on 1 December
            covers_to=date(2027, 12, 8),  # 7 days before
            activated_at=ny(2026, 6, 1),
        )
    TaskFactory(
        case=case,
        owner=advocate,
        title="Call Zephyrine Quintanilla's school",
        due_on=date(2027, 11, 30),
    )
    for sent_at in (ny(2027, 11, 19, 9), ny(2027, 11, 26, 9)):  # expires / reminder on 1 Dec
        Referral.objects.create(
            case=case,
            family=family,
            service_type="mental_health",
            provider=provider,
            status=Referral.Status.SENT,
            created_by=advocate,
            sent_at=sent_at,
            sent_by=advocate,
            note_for_provider="Zephyrine needs a therapist who speaks Spanish",
        )
    with time_machine.travel(ny(2027, 12, 1, 12), tick=False):
        travel = TravelRequestFactory(case=case, requested_by=advocate)
        reunification_services.travel_request_submit(travel_request=travel, by=advocate)
        cases_services.contact_log(
            case=case,
            by=advocate,
            started_at=ny(2027, 12, 1, 11),
            duration_minutes=30,
            direction=Contact.Direction.INBOUND,
            purpose=Contact.Purpose.CRISIS_INTERVENTION,
            self_harm_risk=True,
            safety_note="Marisol agreed a safety plan for Zephyrine",
            notes="Marisol Quintanilla called about Zephyrine",
        )
        for name in jobs.all_jobs():
            jobs.run(name)
    with time_machine.travel(ny(2028, 1, 2, 12), tick=False):
        for name in jobs.all_jobs():
            jobs.run(name)

    emails = list(OutboundEmail.objects.all())
    subjects = " | ".join(e.subject for e in emails)
    # Every kind of job e-mail is in the sample, so the check below covers them all.
    for expected in (
        "follow-up task",  # case digest
        "license on file expires",
        "insurance on file expires",
        "requirements for 2027",  # training/compliance
        "confirm the FAON contact details",
        "still waiting for your answer",  # referral reminder
        "was expired",  # hand-back to the advocate
        "awaits a decision",  # another app's notification
        "new risk alert",  # the case risk alert, e-mailed to the supervisor
    ):
        assert expected in subjects, expected
    for email in emails:
        for text in (email.subject, email.body_text, email.body_html):
            for secret in SECRETS:
                assert secret not in text, (secret, email.subject)
