"""Retention rules of case work: contact drafts, and closed cases with everything on them.

A closed case is purged `RETENTION_CLOSED_CASE_YEARS` (7) years after it closed, unless a
legal hold covers it or its family: its contacts, tasks, alerts, resource shares, and —
through `events.case_purging` — its referrals, Team HOPE matches and calls, and travel
requests. A family goes with its last case. Each record's deletion is audited by name-free
label ("Case #12 deleted"), and the case leaves a tombstone (record type, id, date, rule).
How many records of each year were purged is counted (`PurgedRecords`) so that the yearly
report can say its live figures for that year no longer include them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.apps import apps
from django.db import transaction
from django.db.models import Count, F, ProtectedError, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from familysupport.lib import dates, events, retention

from . import holds, services
from .models import (
    Case,
    Contact,
    ContactDraft,
    Family,
    FamilyMerge,
    PhoneCall,
    PurgedRecords,
    ResourceShare,
)

log = logging.getLogger(__name__)

CLOSED_CASES = "cases.closed_cases"
DRAFTS = "cases.drafts"


# --- the purge counts the yearly report reads -----------------------------------------------


def purged_count_add(record_type: str, by_year: dict[int, int] | Counter) -> None:
    """Count purged records of a type per year (the year their figure counts them in)."""
    now = timezone.now()
    for year, n in by_year.items():
        if not n or year is None:
            continue
        row, _ = PurgedRecords.objects.get_or_create(year=year, record_type=record_type)
        PurgedRecords.objects.filter(pk=row.pk).update(count=F("count") + n, last_purged_at=now)


def years_of(qs: QuerySet, field: str) -> dict[int, int]:
    """{year: count} of a queryset by a date-time field, in the division's time zone."""
    rows = (
        qs.order_by()
        .annotate(_y=ExtractYear(field, tzinfo=dates.division_tz()))
        .values("_y")
        .annotate(n=Count("pk"))
    )
    return {row["_y"]: row["n"] for row in rows}


def purged_for_year(year: int) -> list[tuple[str, int]]:
    """What was purged of a year: [(kind of record, how many)], for the yearly report."""
    out = []
    for record_type, count in PurgedRecords.objects.filter(year=year, count__gt=0).values_list(
        "record_type", "count"
    ):
        try:
            label = str(apps.get_model(record_type)._meta.verbose_name_plural)
        except (LookupError, ValueError):
            label = record_type
        out.append((label, count))
    return out


def purged_years() -> list[dict]:
    return list(
        PurgedRecords.objects.filter(count__gt=0)
        .values("year", "record_type", "count", "last_purged_at")
        .order_by("-year", "record_type")
    )


# --- closed cases ---------------------------------------------------------------------------


def _closed_case_cutoff(now: dt.datetime) -> dt.datetime:
    return retention.years_ago(now, retention.period("closed_case_years"))


def closed_cases_past_period(now: dt.datetime) -> QuerySet[Case]:
    return Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=_closed_case_cutoff(now))


def closed_cases_due(now: dt.datetime) -> QuerySet[Case]:
    return closed_cases_past_period(now).exclude(pk__in=holds.held_case_ids())


def _closed_due(now: dt.datetime, sample: int) -> retention.Due:
    past = closed_cases_past_period(now)
    due = past.exclude(pk__in=holds.held_case_ids())
    items = [
        retention.Item("cases.case", str(pk), closed_at)
        for pk, closed_at in due.order_by("closed_at", "pk").values_list("pk", "closed_at")[:sample]
    ]
    count = due.count()
    return retention.Due(count=count, held=past.count() - count, items=items)


def _closed_purge(now: dt.datetime, limit: int) -> int:
    ids = list(
        closed_cases_due(now).order_by("closed_at", "pk").values_list("pk", flat=True)[:limit]
    )
    purged = 0
    for pk in ids:
        purged += case_purge(case_id=pk, now=now)
    return purged


@transaction.atomic
def case_purge(*, case_id: int, now: dt.datetime, rule: str = CLOSED_CASES) -> int:
    """Delete one closed case past its period and everything on it; 1 if purged, else 0.

    Checked again under the row lock: a case reopened or put on hold since the batch was
    listed is left alone.
    """
    case = (
        Case.objects.select_for_update()
        .filter(pk=case_id, status=Case.Status.CLOSED, closed_at__lt=_closed_case_cutoff(now))
        .first()
    )
    if case is None or holds.case_is_held(case):
        return 0
    family_id, closed_at = case.family_id, case.closed_at
    contacts = Contact.objects.filter(case=case)
    purged_count_add("cases.contact", years_of(contacts, "started_at"))
    purged_count_add("cases.case", {dates.year_of(case.opened_at): 1})
    # The apps above cases (referrals, Team HOPE, reunification) delete their records first.
    events.case_purging.send(case=case, now=now)
    counts = {"contacts": contacts.count()}
    contacts.delete()
    counts["resource_shares"] = ResourceShare.objects.filter(case=case).count()
    ResourceShare.objects.filter(case=case).delete()
    case.children.clear()
    retention.tombstone(
        rule=rule,
        record_type="cases.case",
        record_id=case.pk,
        on=closed_at,
        obj=case,
        extra={"with": counts},
    )
    case.delete()  # tasks, alerts, restrictions, access grants, break-glass rows, lifted holds
    if not Case.objects.filter(family_id=family_id).exists():
        family_purge(family_id=family_id, rule=rule)
    return 1


def family_purge(*, family_id: int, rule: str) -> bool:
    """Delete a family whose last case was purged, with the duplicates merged into it.

    In a savepoint: a record of another app still pointing at the family (PROTECT) keeps
    it, and the next night tries again; the case purge itself stands.
    """
    family = Family.objects.select_for_update().filter(pk=family_id).first()
    if family is None or Case.objects.filter(family=family).exists():
        return False
    if holds.family_is_held(family.pk):
        return False
    try:
        with transaction.atomic():
            stubs = list(Family.objects.filter(merged_into=family))
            FamilyMerge.objects.filter(
                Q(source=family) | Q(target=family) | Q(source__in=stubs) | Q(target__in=stubs)
            ).delete()
            for stub in stubs:
                if Case.objects.filter(family=stub).exists() or holds.family_is_held(stub.pk):
                    raise ProtectedError("a merged duplicate still has records", [stub])
                retention.tombstone(
                    rule=rule, record_type="cases.family", record_id=stub.pk, on=None, obj=stub
                )
                stub.delete()
            retention.tombstone(
                rule=rule, record_type="cases.family", record_id=family.pk, on=None, obj=family
            )
            family.delete()  # members, resource shares, safe-contact rules, lifted holds
    except ProtectedError:
        log.warning("retention: family %s kept, other records still point at it", family_id)
        return False
    return True


# --- drafts (purged by their own job, cases.drafts_purge) -------------------------------------


def _drafts_past_period(now: dt.datetime) -> QuerySet[ContactDraft]:
    cutoff = now - services.draft_retention()
    return ContactDraft.objects.filter(Q(updated_at__lt=cutoff) | Q(author__is_active=False))


def _drafts_due(now: dt.datetime, sample: int) -> retention.Due:
    qs = _drafts_past_period(now)
    items = [
        retention.Item("cases.contactdraft", str(pk), updated_at)
        for pk, updated_at in qs.order_by("updated_at").values_list("pk", "updated_at")[:sample]
    ]
    return retention.Due(count=qs.count(), items=items)


def _drafts_keep() -> str:
    return f"{services.draft_retention().days} days untouched (or the author left)"


def _closed_keep() -> str:
    return f"{retention.period('closed_case_years')} years after the case closed"


retention.register(
    retention.Rule(
        key=DRAFTS,
        label="Contact drafts (call notes never saved)",
        keep=_drafts_keep,
        setting="CASES_DRAFT_RETENTION_DAYS",
        due=_drafts_due,
        purge=None,
        purged_by="by its own job, cases.drafts_purge (daily 02:40)",
        order=10,
    )
)
retention.register(
    retention.Rule(
        key=CLOSED_CASES,
        label="Closed cases and everything on them: contacts, tasks, alerts, resource shares, "
        "referrals, Team HOPE matches and calls, travel requests; the family with its last case",
        keep=_closed_keep,
        setting="RETENTION_CLOSED_CASE_YEARS",
        due=_closed_due,
        purge=_closed_purge,
        holds_apply=True,
        order=20,
    )
)


# --- the phone system's call records (issue 20) --------------------------------------------
#
# Numbers and times as the phone system reported them. A call logged as a contact stays as
# long as the contact (it keeps the contact's CallSid); once the contact is gone it is an
# unlinked row like the others. Operational rows: one tombstone per batch, no names.

PHONE_CALLS = "cases.phone_calls"


def _phone_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=retention.period("phone_call_days"))


def _phone_calls_due(now: dt.datetime, sample: int) -> retention.Due:
    qs = PhoneCall.objects.filter(ringing_at__lt=_phone_cutoff(now), contact__isnull=True)
    items = [
        retention.Item("cases.phonecall", str(pk), on)
        for pk, on in qs.order_by("ringing_at", "pk").values_list("pk", "ringing_at")[:sample]
    ]
    return retention.Due(count=qs.count(), items=items)


@transaction.atomic
def _phone_calls_purge(now: dt.datetime, limit: int) -> int:
    cutoff = _phone_cutoff(now)
    pks = list(
        PhoneCall.objects.filter(ringing_at__lt=cutoff, contact__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    deleted, _ = PhoneCall.objects.filter(pk__in=pks).delete()
    # PhoneCallEvent rows (CallSid and event name only) are kept: they are the replay guard,
    # and a captured Twilio request (signed without a timestamp) stays valid for as long as
    # the account's auth token does.
    if pks:
        retention.tombstone(
            rule=PHONE_CALLS,
            record_type="cases.phonecall",
            record_id=f"{min(pks)}-{max(pks)}",
            extra={"count": deleted},
        )
    return deleted


retention.register(
    retention.Rule(
        key=PHONE_CALLS,
        label="Calls reported by the phone system (numbers and times; not those logged as a "
        "contact, which go with the contact)",
        keep=lambda: f"{retention.period('phone_call_days')} days after the call",
        setting="RETENTION_PHONE_CALL_DAYS",
        due=_phone_calls_due,
        purge=_phone_calls_purge,
        order=55,
    )
)
