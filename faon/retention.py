"""Retention of FAON credential files: uploaded licence and insurance documents of members
who left (lapsed, withdrawn or rejected) are deleted `RETENTION_PROVIDER_DOCUMENT_DAYS`
(365) days after they left. The licence and policy rows stay (numbers, dates, who verified
them): the compliance history and the yearly figures read them; only the files go.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from familysupport.lib import retention

from .models import InsurancePolicy, License, Provider

PROVIDER_DOCUMENTS = "faon.provider_documents"
LEFT = (Provider.Status.LAPSED, Provider.Status.WITHDRAWN, Provider.Status.REJECTED)
KINDS: tuple[tuple[type, str], ...] = (
    (License, "faon.license_document"),
    (InsurancePolicy, "faon.insurance_document"),
)


def _with_file(model: type, now: dt.datetime) -> QuerySet:
    cutoff = now - dt.timedelta(days=retention.period("provider_document_days"))
    return (
        model.objects.filter(provider__status__in=LEFT, provider__status_changed_at__lt=cutoff)
        .exclude(document="")
        .select_related("provider")
    )


def _due(now: dt.datetime, sample: int) -> retention.Due:
    due = retention.Due()
    for model, record_type in KINDS:
        qs = _with_file(model, now)
        due.count += qs.count()
        rows = qs.order_by("provider__status_changed_at", "pk").values_list(
            "pk", "provider__status_changed_at"
        )[: max(sample - len(due.items), 0)]
        due.items += [retention.Item(record_type, str(pk), left) for pk, left in rows]
    return due


def _purge(now: dt.datetime, limit: int) -> int:
    done = 0
    for model, record_type in KINDS:
        for pk in list(_with_file(model, now).values_list("pk", flat=True)[: limit - done]):
            done += document_delete(model=model, record_type=record_type, pk=pk, now=now)
    return done


@transaction.atomic
def document_delete(*, model: type, record_type: str, pk: int, now: dt.datetime) -> int:
    row = _with_file(model, now).select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        return 0
    name, storage = row.document.name, row.document.storage
    row.document = ""
    row.save(update_fields=["document"])
    retention.tombstone(
        rule=PROVIDER_DOCUMENTS,
        record_type=record_type,
        record_id=row.pk,
        on=row.provider.status_changed_at,
        obj=row,
    )
    # The file goes only once the row no longer names it (a rollback keeps both).
    transaction.on_commit(lambda: storage.delete(name))
    return 1


def _keep() -> str:
    return f"{retention.period('provider_document_days')} days after the member left"


retention.register(
    retention.Rule(
        key=PROVIDER_DOCUMENTS,
        label="Uploaded licence and insurance files of FAON members who left (the licence and "
        "policy details stay for the compliance history)",
        keep=_keep,
        setting="RETENTION_PROVIDER_DOCUMENT_DAYS",
        due=_due,
        purge=_purge,
        order=40,
    )
)
