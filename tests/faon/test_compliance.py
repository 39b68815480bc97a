"""The yearly rule: training, license, insurance, details; membership year in New York time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from faon import compliance, selectors
from faon.models import License, Provider, TrainingEvent, Verification

from .factories import (
    AttendanceFactory,
    EventFactory,
    InsuranceFactory,
    LicenseFactory,
    ProviderFactory,
    compliant_provider,
)

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def _credentials(provider, *, on=date(2025, 12, 31)):
    LicenseFactory(provider=provider, expires_on=on + timedelta(days=200))
    InsuranceFactory(provider=provider, covers_to=on + timedelta(days=200))


def _attend(provider, kind, when, confirmed=True):
    event = EventFactory(kind=kind, starts_at=when - timedelta(days=1))
    return AttendanceFactory(
        provider=provider, event=event, completed_at=when, confirmed_at=when if confirmed else None
    )


def _sql(provider, year):
    return selectors.provider_annotate_compliance(
        Provider.objects.filter(pk=provider.pk), year=year
    ).get()


@pytest.fixture
def june_2025():
    with time_machine.travel(datetime(2025, 6, 1, 12, tzinfo=NY), tick=False):
        yield


@pytest.mark.usefixtures("june_2025")
class TestTrainingRule:
    def _provider(self):
        p = ProviderFactory(details_confirmed_at=datetime(2025, 5, 1, tzinfo=NY))
        _credentials(p)
        return p

    def test_one_event_is_enough(self):
        p = self._provider()
        _attend(p, TrainingEvent.Kind.NETWORKING, datetime(2025, 3, 1, 10, tzinfo=NY))
        result = compliance.compliance_for(p, 2025)
        assert result.met and result.events_attended == 1
        assert _sql(p, 2025).compliant is True

    def test_two_online_trainings_are_enough(self):
        p = self._provider()
        _attend(p, TrainingEvent.Kind.ONLINE, datetime(2025, 2, 1, 10, tzinfo=NY))
        _attend(p, TrainingEvent.Kind.ONLINE, datetime(2025, 4, 1, 10, tzinfo=NY))
        result = compliance.compliance_for(p, 2025)
        assert result.met and result.online_completed == 2
        assert _sql(p, 2025).training_ok is True

    def test_one_online_training_only_is_not_enough(self):
        p = self._provider()
        _attend(p, TrainingEvent.Kind.ONLINE, datetime(2025, 2, 1, 10, tzinfo=NY))
        result = compliance.compliance_for(p, 2025)
        assert not result.met
        assert result.missing_keys == ["training"]
        assert "1 more online training" in result.missing[0]
        row = _sql(p, 2025)
        assert row.training_ok is False and row.compliant is False

    def test_unconfirmed_completion_does_not_count_and_is_shown(self):
        p = self._provider()
        _attend(p, TrainingEvent.Kind.TRAINING, datetime(2025, 3, 1, tzinfo=NY), confirmed=False)
        result = compliance.compliance_for(p, 2025)
        assert not result.met
        assert "awaiting staff confirmation" in result.missing[0]
        assert _sql(p, 2025).training_ok is False

    def test_completion_late_on_31_december_new_york_counts_for_that_year(self):
        p = self._provider()
        # 23:30 in New York is already 04:30 on 1 January in UTC.
        _attend(p, TrainingEvent.Kind.TRAINING, datetime(2024, 12, 31, 23, 30, tzinfo=NY))
        assert compliance.compliance_for(p, 2024).events_attended == 1
        assert compliance.compliance_for(p, 2025).events_attended == 0
        assert _sql(p, 2024).events_done == 1
        assert _sql(p, 2025).events_done == 0

    def test_completion_just_after_midnight_new_year_counts_for_the_new_year(self):
        p = self._provider()
        _attend(p, TrainingEvent.Kind.ONLINE, datetime(2025, 1, 1, 0, 0, tzinfo=NY))
        _attend(p, TrainingEvent.Kind.ONLINE, datetime(2025, 1, 1, 0, 30, tzinfo=NY))
        assert compliance.compliance_for(p, 2025).online_completed == 2
        assert compliance.compliance_for(p, 2024).online_completed == 0
        assert _sql(p, 2025).online_done == 2


@pytest.mark.usefixtures("june_2025")
class TestCredentials:
    def _provider(self, **kwargs):
        p = ProviderFactory(details_confirmed_at=datetime(2025, 5, 1, tzinfo=NY), **kwargs)
        _attend(p, TrainingEvent.Kind.TRAINING, datetime(2025, 3, 1, tzinfo=NY))
        return p

    def test_license_expiring_today_still_counts(self):
        p = self._provider()
        LicenseFactory(provider=p, expires_on=date(2025, 6, 1))
        InsuranceFactory(provider=p)
        assert compliance.compliance_for(p, 2025).met
        assert p in selectors.provider_list_offerable()

    def test_license_expired_yesterday_fails(self):
        p = self._provider()
        LicenseFactory(provider=p, expires_on=date(2025, 5, 31))
        InsuranceFactory(provider=p)
        result = compliance.compliance_for(p, 2025)
        assert result.missing_keys == ["license"]
        assert "expired on 2025-05-31" in result.missing[0]
        assert p not in selectors.provider_list_offerable()
        assert _sql(p, 2025).license_ok is False

    def test_unverified_or_disciplinary_license_fails(self):
        p = self._provider()
        InsuranceFactory(provider=p)
        lic = LicenseFactory(provider=p, verification=Verification.PENDING)
        assert "awaiting verification" in compliance.compliance_for(p, 2025).missing[0]
        lic.verification, lic.standing = Verification.VERIFIED, License.Standing.DISCIPLINARY
        lic.save()
        assert "disciplinary" in compliance.compliance_for(p, 2025).missing[0]
        assert p not in selectors.provider_list_offerable()

    def test_insurance_ending_today_counts_yesterday_does_not(self):
        p = self._provider()
        LicenseFactory(provider=p)
        pol = InsuranceFactory(provider=p, covers_to=date(2025, 6, 1))
        assert compliance.compliance_for(p, 2025).met
        pol.covers_to = date(2025, 5, 31)
        pol.save()
        result = compliance.compliance_for(p, 2025)
        assert result.missing_keys == ["insurance"]
        assert p not in selectors.provider_list_offerable()
        assert _sql(p, 2025).insurance_ok is False

    def test_support_organisation_needs_no_license_or_insurance(self):
        p = self._provider(kind=Provider.Kind.ORGANISATION, disciplines=["support_organisation"])
        assert compliance.compliance_for(p, 2025).met
        assert _sql(p, 2025).compliant is True
        assert p in selectors.provider_list_offerable()

    def test_details_confirmed_twelve_months_ago_edge(self):
        p = self._provider()
        LicenseFactory(provider=p)
        InsuranceFactory(provider=p)
        p.details_confirmed_at = datetime(2024, 6, 1, 9, tzinfo=NY)
        p.save()
        assert compliance.compliance_for(p, 2025).met
        assert p in selectors.provider_list_offerable()
        p.details_confirmed_at = datetime(2024, 5, 31, 9, tzinfo=NY)
        p.save()
        assert compliance.compliance_for(p, 2025).missing_keys == ["details"]
        assert p not in selectors.provider_list_offerable()
        assert _sql(p, 2025).details_ok is False

    def test_never_confirmed_details_fail(self):
        p = self._provider()
        p.details_confirmed_at = None
        p.save()
        LicenseFactory(provider=p)
        InsuranceFactory(provider=p)
        assert "never confirmed" in compliance.compliance_for(p, 2025).missing[0]
        assert _sql(p, 2025).compliant is False


def test_offerable_excludes_inactive_and_not_accepting():
    ok = compliant_provider()
    paused = compliant_provider(accepting_referrals=False)
    suspended = compliant_provider(status=Provider.Status.SUSPENDED)
    offered = set(selectors.provider_list_offerable())
    assert ok in offered and paused not in offered and suspended not in offered


def test_compliance_for_many_uses_constant_queries(django_assert_max_num_queries):
    for _ in range(5):
        compliant_provider()
    year = compliance.current_membership_year()
    with django_assert_max_num_queries(4):
        qs = selectors.provider_prefetch_compliance(Provider.objects.all(), year=year)
        results = [compliance.compliance_for(p, year) for p in qs]
    assert len(results) == 5 and all(r.met for r in results)
