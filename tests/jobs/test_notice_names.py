"""Notices say which record they are about; a run's expiries reach staff as one notice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from familysupport.lib.models import Notification, OutboundEmail
from faon import tasks as faon_jobs
from tests.faon.factories import LicenseFactory
from tests.jobs.test_thresholds import EXPIRY, at

pytestmark = pytest.mark.django_db


def test_renewal_reminder_names_the_member_record(member):
    provider = member(expires_on=EXPIRY, name="Harbor Counseling Group")
    with at(EXPIRY - timedelta(days=60)):
        faon_jobs.license_renewal()
    [note] = Notification.objects.filter(recipient=provider.manager)
    assert note.title.startswith("Harbor Counseling Group: the license on file expires on")
    [mail] = OutboundEmail.objects.filter(to=provider.manager.email)
    assert "Harbor Counseling Group" in mail.subject


def test_a_manager_of_two_records_can_tell_them_apart(member):
    one = member(expires_on=EXPIRY, name="North Clinic")
    two = member(expires_on=EXPIRY, name="South Clinic")
    two.managers.add(one.manager)
    with at(EXPIRY - timedelta(days=60)):
        faon_jobs.license_renewal()
    titles = sorted(
        Notification.objects.filter(recipient=one.manager).values_list("title", flat=True)
    )
    assert [t.split(":")[0] for t in titles] == ["North Clinic", "South Clinic"]


def test_one_expiry_names_the_member_for_staff(member, staff):
    member(expires_on=EXPIRY, name="Lakeside Therapy")
    with at(EXPIRY + timedelta(days=1)):
        faon_jobs.license_renewal()
    [note] = Notification.objects.filter(recipient=staff, event="faon.license.expired")
    assert (
        note.title == "Lakeside Therapy: the license has expired, no longer offered for referrals"
    )


def test_several_expiries_are_one_staff_notice_naming_each(member, staff):
    for name in ("Cedar Family Services", "Birch Counseling", "Aspen Psychology"):
        member(expires_on=EXPIRY, name=name)
    with at(EXPIRY + timedelta(days=1)):
        faon_jobs.license_renewal()
        faon_jobs.license_renewal()  # a second run the same day adds nothing
    [note] = Notification.objects.filter(recipient=staff, event="faon.license.expired")
    assert note.title == (
        "3 FAON licenses expired, no longer offered for referrals: "
        "Aspen Psychology, Birch Counseling, Cedar Family Services"
    )
    assert note.url == "/faon/members/"
    assert OutboundEmail.objects.filter(to=staff.email).count() == 1


def test_a_later_expiry_is_a_new_staff_notice(member, staff):
    member(expires_on=EXPIRY, name="First Clinic")
    later = member(name="Second Clinic")
    with at(EXPIRY + timedelta(days=1)):
        faon_jobs.license_renewal()
    LicenseFactory(provider=later, expires_on=EXPIRY + timedelta(days=3))
    with at(EXPIRY + timedelta(days=4)):
        faon_jobs.license_renewal()
    titles = list(
        Notification.objects.filter(recipient=staff, event="faon.license.expired")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert [t.split(":")[0] for t in titles] == ["First Clinic", "Second Clinic"]
