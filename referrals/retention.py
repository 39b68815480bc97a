"""Referrals go with their case when the retention schedule purges it (cases/retention.py)."""

from __future__ import annotations

import datetime as dt

from cases import retention as case_retention
from cases.models import Case

from .models import LegalAssistanceRequest, Referral


def purge_for_case(*, case: Case, now: dt.datetime, **_: object) -> None:
    """events.case_purging: delete the case's referrals (with their history) and legal
    requests; each deletion is audited, and the referrals are counted per year sent."""
    referrals = Referral.objects.filter(case=case)
    case_retention.purged_count_add(
        "referrals.referral",
        case_retention.years_of(referrals.filter(sent_at__isnull=False), "sent_at"),
    )
    # Re-referrals point at their predecessor (SET NULL); delete the later ones first.
    for referral in referrals.order_by("-created_at", "-pk"):
        referral.delete()
    for request in LegalAssistanceRequest.objects.filter(case=case):
        request.delete()
