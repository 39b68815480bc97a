"""Factories for Team HOPE tests (and the minimal cases records they need). Fake data only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from cases.models import Case, Family, Person
from teamhope.models import Escalation, PeerCall, PeerMatch, Volunteer
from tests.factories import UserFactory


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    display_name = factory.Faker("last_name")
    contact_name = factory.LazyAttribute(lambda o: f"{o.contact_first_name} {o.display_name}")
    contact_first_name = factory.Faker("first_name")
    phone = factory.Sequence(lambda n: f"+1202555{n % 10000:04d}")
    address_line = factory.Faker("street_address")
    city = factory.Faker("city")
    state = "VA"
    zip_code = "22314"
    preferred_language = "en"
    time_zone = "America/New_York"
    safe_contact_notes = "Weekdays after 6pm; no voicemail"
    consent_team_hope_contact = True


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    role = Person.Role.CHILD
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_child_of_concern = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    family = factory.SubFactory(FamilyFactory)
    case_type = Case.Type.FAMILY_ABDUCTION
    status = Case.Status.ACTIVE
    assigned_advocate = factory.SubFactory(UserFactory, role=User.Role.ADVOCATE, totp=False)


def _recent(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory, role=User.Role.VOLUNTEER, totp=False)
    experience_types = factory.LazyFunction(lambda: [Case.Type.FAMILY_ABDUCTION])
    experience_outcome = Volunteer.Outcome.RECOVERED
    languages = factory.LazyFunction(lambda: ["en"])
    time_zone = "America/New_York"
    capacity = 3
    training_completed_on = factory.LazyFunction(lambda: _recent(100))
    background_check_on = factory.LazyFunction(lambda: _recent(100))
    status = Volunteer.Status.ACTIVE


class PeerMatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerMatch

    volunteer = factory.SubFactory(VolunteerFactory)
    case = factory.SubFactory(CaseFactory)
    family = factory.SelfAttribute("case.family")
    why_matched = "Shared experience of a family abduction."
    created_by = factory.SubFactory(UserFactory, role=User.Role.SUPERVISOR, totp=False)


class PeerCallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerCall

    match = factory.SubFactory(PeerMatchFactory)
    called_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    duration_minutes = 20
    direction = PeerCall.Direction.OUTBOUND
    topics = factory.LazyFunction(lambda: [PeerCall.Topic.EMOTIONAL_SUPPORT])
    note = "Talked about the week."


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    match = factory.SubFactory(PeerMatchFactory)
    raised_by = factory.SelfAttribute("match.volunteer.user")
    reason = "Parent is overwhelmed."
    advocate_notified = factory.SelfAttribute("match.case.assigned_advocate")
    notified_at = factory.LazyFunction(timezone.now)


def calls_logged(match: PeerMatch, n: int, *, note: str = "Private to Team HOPE.") -> None:
    """n outbound 25-minute calls on the match, an hour apart, logged as its volunteer does."""
    from teamhope import services

    for i in range(n):
        services.call_log(
            match=match,
            by=match.volunteer.user,
            called_at=timezone.now() - dt.timedelta(hours=i + 1),
            duration_minutes=25,
            direction=PeerCall.Direction.OUTBOUND,
            topics=[PeerCall.Topic.EMOTIONAL_SUPPORT],
            note=note,
        )
