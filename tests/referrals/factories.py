"""Factories for the referrals app (and compliant FAON providers to match). Fake data only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from faon.models import InsurancePolicy, License, Provider, Verification
from referrals.models import Agency, LegalAssistanceRequest, Referral
from tests.cases.factories import CaseFactory
from tests.factories import UserFactory

# ZIP 10001 (New York, NY): the family's origin in ranking tests.
ORIGIN_ZIP, ORIGIN_LAT, ORIGIN_LNG = "10001", 40.7484, -73.9967


def north_of_origin(miles: float) -> tuple[float, float]:
    return ORIGIN_LAT + miles / 69.0, ORIGIN_LNG


class ProviderFactory(factory.django.DjangoModelFactory):
    """An active, compliant, accepting FAON therapist 10 miles north of ZIP 10001."""

    class Meta:
        model = Provider
        skip_postgeneration_save = True

    kind = Provider.Kind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"Dr. Provider {n}")
    disciplines = ["therapist"]
    specialties = ["trauma"]
    languages = ["en"]
    service_modes = ["in_person"]
    fee_arrangements = ["sliding_scale"]
    city = "New York"
    state = "NY"
    zip_code = ORIGIN_ZIP
    latitude = factory.LazyFunction(lambda: north_of_origin(10)[0])
    longitude = ORIGIN_LNG
    service_radius_miles = 25
    capacity = 3
    accepting_referrals = True
    email = factory.Sequence(lambda n: f"provider{n}@example.test")
    status = Provider.Status.ACTIVE
    details_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def credentials_current(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        today = timezone.localdate()
        License.objects.create(
            provider=self,
            license_type="LCSW",
            state="NY",
            number="L-1",
            expires_on=today + dt.timedelta(days=365),
            standing=License.Standing.GOOD,
            verification=Verification.VERIFIED,
        )
        InsurancePolicy.objects.create(
            provider=self,
            carrier="Carrier",
            policy_number="P-1",
            covers_to=today + dt.timedelta(days=365),
            verification=Verification.VERIFIED,
        )

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.set(extracted)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    kind = Agency.Kind.AGENCY
    name = factory.Sequence(lambda n: f"Community agency {n}")
    services = ["support", "mental_health"]
    languages = ["en"]
    zip_code = ORIGIN_ZIP
    city = "New York"
    state = "NY"
    latitude = factory.LazyFunction(lambda: north_of_origin(5)[0])
    longitude = ORIGIN_LNG
    service_radius_miles = 20


def consenting_case(**kwargs):
    case = CaseFactory(**kwargs)
    fam = case.family
    fam.consent_share_with_providers = True
    fam.zip_code, fam.city, fam.state = ORIGIN_ZIP, "New York", "NY"
    fam.safe_contact_notes = "Weekday evenings only, no voicemail"
    fam.save()
    return case


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.LazyFunction(consenting_case)
    family = factory.LazyAttribute(lambda o: o.case.family)
    service_type = "mental_health"
    provider = factory.SubFactory(ProviderFactory)
    status = Referral.Status.DRAFT
    area_label = "New York, NY"
    language = "en"
    child_age_range = "9"
    note_for_provider = "Mother prefers afternoon calls; child anxious after recovery."
    created_by = factory.LazyAttribute(lambda o: o.case.assigned_advocate)


def sent_referral(**kwargs) -> Referral:
    """A referral sent through the service (events, deadline, notifications)."""
    from referrals import services

    r = ReferralFactory(**kwargs)
    return services.referral_send(referral=r, by=r.created_by)


class LegalRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalAssistanceRequest

    requester_kind = LegalAssistanceRequest.RequesterKind.ATTORNEY
    requester_name = "Counsel for the parent"
    topic = LegalAssistanceRequest.Topic.HAGUE
    jurisdiction = "Texas"
    question = "Guidance on a Hague Convention return petition."
    created_by = factory.SubFactory(UserFactory, role="advocate", totp=False)
