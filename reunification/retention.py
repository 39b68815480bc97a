"""Retention of reunification travel: the travel documents of finished trips, and the
requests themselves when their case is purged (cases/retention.py).

Travel documents are what a trip needed and nobody needs after it: passport and visa
notes, booking confirmation codes, lodging addresses, segment notes and the checklist's
notes. They are cleared `RETENTION_TRAVEL_DOCUMENT_DAYS` (365) days after the request
ended (completed, cancelled or denied), unless a legal hold covers the case or family.
Dates, kinds of segment and costs stay: the yearly report's travel figures need them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from cases import holds
from cases import retention as case_retention
from cases.models import Case
from familysupport.lib import retention

from .models import ChecklistItem, Segment, TravelRequest

TRAVEL_DOCUMENTS = "reunification.travel_documents"
ENDED = (
    TravelRequest.Status.COMPLETED,
    TravelRequest.Status.CANCELLED,
    TravelRequest.Status.DENIED,
)


def purge_for_case(*, case: Case, now: dt.datetime, **_: object) -> None:
    """events.case_purging: delete the case's travel requests (segments and checklist go
    with them), counted per year submitted for the yearly report's note."""
    requests = TravelRequest.objects.filter(case=case)
    case_retention.purged_count_add(
        "reunification.travelrequest",
        case_retention.years_of(requests.filter(submitted_at__isnull=False), "submitted_at"),
    )
    for tr in requests:
        tr.travellers.clear()
        tr.delete()


def _has_documents() -> Q:
    segments = Segment.objects.filter(travel_request=OuterRef("pk")).filter(
        ~Q(confirmation_code="") | ~Q(to_place="") | ~Q(notes="")
    )
    notes = ChecklistItem.objects.filter(travel_request=OuterRef("pk")).exclude(note="")
    return ~Q(passport_visa_notes="") | Q(Exists(segments)) | Q(Exists(notes))


def _past_period(now: dt.datetime) -> QuerySet[TravelRequest]:
    cutoff = now - dt.timedelta(days=retention.period("travel_document_days"))
    return (
        TravelRequest.objects.filter(status__in=ENDED)
        .annotate(ended_at=Coalesce("completed_at", "cancelled_at", "decided_at", "updated_at"))
        .filter(ended_at__lt=cutoff)
        .filter(_has_documents())
    )


def _due(now: dt.datetime, sample: int) -> retention.Due:
    past = _past_period(now)
    due = past.exclude(case_id__in=holds.held_case_ids())
    items = [
        retention.Item("reunification.travelrequest", str(pk), ended_at, "travel documents")
        for pk, ended_at in due.order_by("ended_at", "pk").values_list("pk", "ended_at")[:sample]
    ]
    count = due.count()
    return retention.Due(count=count, held=past.count() - count, items=items)


def _purge(now: dt.datetime, limit: int) -> int:
    ids = list(
        _past_period(now)
        .exclude(case_id__in=holds.held_case_ids())
        .order_by("ended_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(travel_documents_clear(pk=pk, now=now) for pk in ids)


@transaction.atomic
def travel_documents_clear(*, pk: int, now: dt.datetime) -> int:
    """Clear one finished request's documents (checked again under the lock); 1 if done."""
    tr = _past_period(now).select_for_update(of=("self",)).filter(pk=pk).first()
    if tr is None or holds.case_is_held(tr.case):
        return 0
    if tr.passport_visa_notes:
        tr.passport_visa_notes = ""
        tr.save(update_fields=["passport_visa_notes", "updated_at"])
    for segment in tr.segments.filter(~Q(confirmation_code="") | ~Q(to_place="") | ~Q(notes="")):
        segment.confirmation_code = segment.to_place = segment.notes = ""
        segment.save(update_fields=["confirmation_code", "to_place", "notes", "updated_at"])
    for item in tr.checklist.exclude(note=""):
        item.note = ""
        item.save(update_fields=["note"])
    retention.tombstone(
        rule=TRAVEL_DOCUMENTS,
        record_type="reunification.travel_documents",
        record_id=tr.pk,
        on=tr.ended_at,
        obj=tr,
    )
    return 1


def _keep() -> str:
    return f"{retention.period('travel_document_days')} days after the trip ended"


retention.register(
    retention.Rule(
        key=TRAVEL_DOCUMENTS,
        label="Travel documents of finished trips: passport and visa notes, booking codes, "
        "lodging addresses, itinerary and checklist notes (costs and dates stay)",
        keep=_keep,
        setting="RETENTION_TRAVEL_DOCUMENT_DAYS",
        due=_due,
        purge=_purge,
        holds_apply=True,
        order=30,
    )
)
