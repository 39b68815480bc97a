"""Factories for FAON records. Fake data only."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from faon.models import (
    Application,
    Attendance,
    Certificate,
    InsurancePolicy,
    License,
    Provider,
    TrainingEvent,
    Verification,
)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    kind = Provider.Kind.INDIVIDUAL
    name = factory.Faker("name")
    credentials = "LCSW"
    email = factory.Sequence(lambda n: f"provider{n}@example.test")
    phone = "+12025550123"
    disciplines = factory.LazyFunction(lambda: ["social_worker"])
    specialties = factory.LazyFunction(lambda: ["trauma"])
    languages = factory.LazyFunction(lambda: ["en"])
    service_modes = factory.LazyFunction(lambda: ["in_person", "telehealth"])
    telehealth_states = factory.LazyFunction(lambda: ["VA"])
    fee_arrangements = factory.LazyFunction(lambda: ["sliding_scale"])
    address_line = "1 Main Street"
    city = "Alexandria"
    state = "VA"
    zip_code = "22314"
    latitude = 38.8
    longitude = -77.05
    capacity = 3
    status = Provider.Status.ACTIVE
    details_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License

    provider = factory.SubFactory(ProviderFactory)
    license_type = "LCSW"
    state = "VA"
    number = factory.Sequence(lambda n: f"0904{n:06d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    standing = License.Standing.GOOD
    verification = Verification.VERIFIED
    verification_source = License.Source.STATE_BOARD
    verified_at = factory.LazyFunction(timezone.now)


class InsuranceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    provider = factory.SubFactory(ProviderFactory)
    carrier = "Example Mutual"
    policy_number = factory.Sequence(lambda n: f"PL-{n:06d}")
    covers_to = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    verification = Verification.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingEvent

    kind = TrainingEvent.Kind.TRAINING
    title = factory.Sequence(lambda n: f"FAON training {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ce_credits = 2


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    provider = factory.SubFactory(ProviderFactory)
    event = factory.SubFactory(EventFactory)
    completed_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    provider = factory.SubFactory(ProviderFactory, status=Provider.Status.APPLIED)
    applicant_name = factory.Faker("name")
    applicant_email = factory.Sequence(lambda n: f"applicant{n}@example.test")
    references = "Dr. A. Example, colleague, a@example.test"
    email_confirmed_at = factory.LazyFunction(timezone.now)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    provider = factory.SubFactory(ProviderFactory)
    year = 2025
    code = factory.Sequence(lambda n: f"FAON-2025-T{n:03d}-ABCD")
    name_on_certificate = factory.LazyAttribute(lambda o: o.provider.name)


def compliant_provider(**kwargs) -> Provider:
    """An active individual clinician meeting every requirement today."""
    provider = ProviderFactory(**kwargs)
    LicenseFactory(provider=provider)
    InsuranceFactory(provider=provider)
    AttendanceFactory(provider=provider)
    return provider
