"""Safe-contact rules: recorded and audited, shown to each reader, enforced by the portal."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import contact_rules, services
from cases.models import ContactMethod, FamilyContactRules, Task
from familysupport.lib.models import AuditEntry, OutboundEmail

from .factories import CaseFactory, FamilyFactory, ResourceFactory

pytestmark = pytest.mark.django_db

ALTERNATE = "Gwendolyn Marchbanks"
ALT_PHONE = "+15550108888"
NY = zoneinfo.ZoneInfo("America/New_York")


def _rules(family, **fields) -> FamilyContactRules:
    values = {
        "methods": ["phone", "text"],
        "days": [0, 1, 2, 3, 4],
        "earliest": dt.time(18, 0),
        "latest": dt.time(20, 0),
        "no_voicemail": True,
        "do_not_name_organisation": False,
        "alternate_name": ALTERNATE,
        "alternate_relationship": "sister",
        "alternate_phone": ALT_PHONE,
    }
    values.update(fields)
    return FamilyContactRules.objects.create(family=family, **values)


@pytest.fixture
def family():
    return FamilyFactory(
        email="family@example.test", consent_mail=True, time_zone="America/New_York"
    )


@pytest.fixture
def case(family, advocate):
    return CaseFactory(family=family, assigned_advocate=advocate)


FORM = {
    "methods": ["phone", "email"],
    "days": ["0", "2"],
    "earliest": "09:00",
    "latest": "12:00",
    "no_voicemail": "on",
    "alternate_name": ALTERNATE,
    "alternate_relationship": "neighbour",
    "alternate_phone": "(555) 010-8888",
}


# --- recording the rules ----------------------------------------------------------------------


def test_advocate_records_the_rules_and_the_change_is_audited_without_the_alternate(
    case, login, advocate
):
    client = login(advocate)
    url = reverse("privacy:contact_rules", args=[case.family_id])
    assert client.get(url).status_code == 200
    response = client.post(url + f"?next={case.get_absolute_url()}", FORM)
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    rules = FamilyContactRules.objects.get(family=case.family)
    assert rules.methods == ["phone", "email"] and rules.days == [0, 2]
    assert rules.alternate_phone == ALT_PHONE and rules.no_voicemail
    entry = AuditEntry.objects.get(action="cases.family.contact_rules_set")
    assert entry.changes["methods"] == ["phone", "email"] and entry.changes["alternate"] is True
    assert ALTERNATE not in str(entry.changes) and ALT_PHONE not in str(entry.changes)
    client.post(url, {**FORM, "methods": ["phone"]})
    assert AuditEntry.objects.filter(action="cases.family.contact_rules_changed").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"latest": "08:00"}, "latest", "must be after the earliest"),
        ({"alternate_phone": "12"}, "alternate_phone", "Enter a phone number"),
        ({"methods": [], "alternate_name": ""}, "methods", "at least one way"),
        ({"days": ["9"]}, "days", "Select a valid choice"),
        ({"earliest": "25:99"}, "earliest", "Enter a valid time"),
    ],
)
def test_bad_rules_are_400_next_to_the_field_kept_and_not_saved(
    case, login, advocate, change, field, message
):
    response = login(advocate).post(
        reverse("privacy:contact_rules", args=[case.family_id]), {**FORM, **change}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert message in html
    if "alternate_name" not in change:
        assert ALTERNATE in html  # nothing typed is lost
    assert not FamilyContactRules.objects.exists()


def test_administrators_read_but_do_not_change_the_rules(case, login, administrator):
    url = reverse("privacy:contact_rules", args=[case.family_id])
    assert login(administrator).post(url, FORM).status_code == 403
    assert not FamilyContactRules.objects.exists()


# --- shown where someone might contact the family ---------------------------------------------


def test_staff_pages_show_the_rules_with_the_alternate(case, family, login, advocate, supervisor):
    _rules(family)
    client = login(advocate)
    from tests.reunification.factories import TravelRequestFactory

    travel = TravelRequestFactory(case=case)
    for url in (
        case.get_absolute_url(),
        family.get_absolute_url(),
        reverse("cases:new_call") + f"?case={case.pk}",
        reverse("reunification:detail", args=[travel.pk]),
    ):
        html = client.get(url, follow=True).content.decode()  # new call: to the call's own id
        assert 'id="safe-contact"' in html, url
        assert "Contact only by phone call, text message." in html, url
        assert "Never leave a voicemail." in html, url
        assert ALTERNATE in html, url


def test_the_provider_sees_its_part_after_accepting_never_the_alternate(login, make_user, family):
    from referrals import services as referral_services
    from tests.referrals.factories import ProviderFactory, consenting_case, sent_referral

    provider_user = make_user("provider")
    case = consenting_case()
    _rules(case.family, do_not_name_organisation=True)
    referral = sent_referral(case=case, provider=ProviderFactory(managers=[provider_user]))
    client = login(provider_user)
    url = reverse("referrals:incoming_detail", args=[referral.pk])
    before = client.get(url).content.decode()
    assert "Safe-contact rules" not in before and "voicemail" not in before.lower()
    referral_services.referral_accept(referral=referral, by=provider_user)
    html = client.get(url).content.decode()
    assert "Contact only by phone call, text message." in html
    assert "Never leave a voicemail." in html
    assert "Do not name the division or FAON" in html
    assert ALTERNATE not in html and ALT_PHONE not in html and "sister" not in html


def test_the_volunteer_sees_its_part_on_the_family_card_never_the_alternate(login, volunteer_user):
    from tests.teamhope.factories import PeerMatchFactory, VolunteerFactory

    volunteer = VolunteerFactory(user=volunteer_user)
    match = PeerMatchFactory(volunteer=volunteer)
    _rules(match.family, methods=["text", "email"], do_not_name_organisation=True)
    client = login(volunteer.user)
    for url in (
        reverse("teamhope:my_families"),
        reverse("teamhope:my_family", args=[match.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Contact only by text message." in html, url  # e-mail is not theirs to use
        assert "Do not name Team HOPE or the division" in html, url
        assert ALTERNATE not in html and ALT_PHONE not in html, url


# --- enforced where the portal reaches out ---------------------------------------------------


def _share(case, advocate, login):
    return login(advocate).post(
        reverse("cases:resource_share", args=[case.pk]),
        {"resources": [ResourceFactory().pk], "email": "on"},
        follow=True,
    )


def test_no_resource_email_when_email_is_not_allowed(case, family, advocate, login):
    _rules(family, methods=["phone"])
    response = _share(case, advocate, login)
    assert not OutboundEmail.objects.filter(to=family.email).exists()
    assert "do not allow e-mail" in response.content.decode()


def test_no_resource_email_when_the_organisation_may_not_be_named(case, family, advocate, login):
    _rules(
        family,
        methods=["email"],
        days=[],
        earliest=None,
        latest=None,
        do_not_name_organisation=True,
    )
    response = _share(case, advocate, login)
    assert not OutboundEmail.objects.filter(to=family.email).exists()
    assert "not be named" in response.content.decode()


def test_resource_email_waits_for_the_familys_allowed_hours(case, family, advocate, login):
    _rules(
        family, methods=["email"], days=[0, 1, 2, 3, 4], earliest=dt.time(18), latest=dt.time(20)
    )
    # Saturday 10:00 in New York: the next allowed moment is Monday 18:00 New York time.
    with time_machine.travel(dt.datetime(2026, 3, 14, 10, 0, tzinfo=NY), tick=False):
        _share(case, advocate, login)
    mail = OutboundEmail.objects.get(to=family.email)
    assert mail.next_attempt_at == dt.datetime(2026, 3, 16, 18, 0, tzinfo=NY)
    assert mail.status == OutboundEmail.Status.PENDING


def test_resource_email_goes_at_once_within_the_allowed_hours(case, family, advocate, login):
    _rules(family, methods=["email"], days=[], earliest=None, latest=None)
    before = timezone.now()
    _share(case, advocate, login)
    assert OutboundEmail.objects.get(to=family.email).next_attempt_at <= timezone.now()
    assert OutboundEmail.objects.get(to=family.email).next_attempt_at >= before


def test_follow_up_tasks_fall_on_a_day_the_family_may_be_contacted(case, family, advocate, login):
    _rules(family, days=[0, 1, 2, 3, 4])  # weekdays
    client = login(advocate)
    saturday = dt.date(2030, 3, 16)
    response = client.post(
        reverse("cases:task_create", args=[case.pk]), {"title": "Call back", "due_on": saturday}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "may be contacted only on weekdays" in html
    assert re.search(r'value="Call back"', html)
    assert not Task.objects.exists()
    monday = dt.date(2030, 3, 18)
    response = client.post(
        reverse("cases:task_create", args=[case.pk]), {"title": "Call back", "due_on": monday}
    )
    assert response.status_code == 302
    assert Task.objects.get().due_on == monday


def test_a_contacts_follow_up_date_is_checked_too(case, family, advocate):
    from django.core.exceptions import ValidationError

    _rules(family, days=[2])  # Wednesdays only
    with pytest.raises(ValidationError) as exc:
        services.contact_log(
            case=case,
            by=advocate,
            started_at=timezone.now() - dt.timedelta(hours=1),
            duration_minutes=10,
            direction="inbound",
            purpose="follow_up",
            follow_up_on=dt.date(2030, 3, 16),
        )
    assert "Wednesday" in exc.value.message_dict["follow_up_on"][0]


# --- the rule arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 3, 11, 19, 0, tzinfo=NY), None),  # Wednesday 19:00: allowed now
        (dt.datetime(2026, 3, 11, 9, 0, tzinfo=NY), dt.datetime(2026, 3, 11, 18, 0, tzinfo=NY)),
        (dt.datetime(2026, 3, 11, 20, 0, tzinfo=NY), dt.datetime(2026, 3, 12, 18, 0, tzinfo=NY)),
        (dt.datetime(2026, 3, 13, 21, 0, tzinfo=NY), dt.datetime(2026, 3, 16, 18, 0, tzinfo=NY)),
    ],
)
def test_next_allowed_moment(family, now, expected):
    rules = _rules(family)
    assert contact_rules.next_allowed_moment(rules, "America/New_York", after=now) == expected


def test_the_familys_time_zone_decides(family):
    rules = _rules(family, days=[], earliest=dt.time(9), latest=dt.time(17))
    noon_utc = dt.datetime(2026, 3, 11, 16, 0, tzinfo=dt.UTC)  # 09:00 in Los Angeles
    assert contact_rules.may_contact_at(rules, noon_utc, "America/Los_Angeles")
    assert not contact_rules.may_contact_at(rules, noon_utc, "Asia/Tokyo")  # 01:00 there


def test_no_rules_means_no_restriction(family):
    assert contact_rules.email_block_reason(family) == ""
    assert contact_rules.next_allowed_moment(None, "America/New_York") is None
    assert ContactMethod.EMAIL == "email"
