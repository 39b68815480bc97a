"""Retention of the portal's own operational records: the e-mail outbox, scheduled-job runs,
sessions — and the audit trail's rule, which the application never carries out itself."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.db.models import Max, Min, QuerySet

from familysupport.lib import retention
from familysupport.lib.models import AuditEntry, JobRun, OutboundEmail

OUTBOX = "accounts.outbox"
JOB_RUNS = "accounts.job_runs"
SESSIONS = "accounts.sessions"
AUDIT = "accounts.audit_trail"


def _outbox(now: dt.datetime) -> QuerySet[OutboundEmail]:
    # Sent or given up: a pending row is still work to do, whatever its age.
    cutoff = now - dt.timedelta(days=retention.period("outbox_days"))
    return OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED], created_at__lt=cutoff
    )


def _job_runs(now: dt.datetime) -> QuerySet[JobRun]:
    cutoff = now - dt.timedelta(days=retention.period("job_run_days"))
    return JobRun.objects.filter(
        requested_at__lt=cutoff,
        status__in=[JobRun.Status.SUCCEEDED, JobRun.Status.FAILED, JobRun.Status.RUNNING],
    )


def _sessions(now: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(
        expire_date__lt=now - dt.timedelta(days=retention.period("session_days"))
    )


def _audit(now: dt.datetime) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        at__lt=retention.years_ago(now, retention.period("audit_years"))
    )


def _due_of(qs: QuerySet, record_type: str, date_field: str, sample: int, ids: bool = True):
    items = []
    if ids:
        items = [
            retention.Item(record_type, str(pk), on)
            for pk, on in qs.order_by(date_field, "pk").values_list("pk", date_field)[:sample]
        ]
    return retention.Due(count=qs.count(), items=items)


def _bulk_purge(qs: QuerySet, *, rule: str, record_type: str, limit: int, ids: bool = True) -> int:
    """Delete a batch of operational rows; one tombstone for the batch (count, id range)."""
    pks = list(qs.order_by("pk").values_list("pk", flat=True)[:limit])
    if not pks:
        return 0
    batch = qs.model.objects.filter(pk__in=pks)
    span = batch.aggregate(first=Min("pk"), last=Max("pk")) if ids else {}
    deleted, _ = batch.delete()
    retention.tombstone(
        rule=rule,
        record_type=record_type,
        record_id=f"{span['first']}-{span['last']}" if ids else "",
        extra={"count": deleted},
    )
    return deleted


retention.register(
    retention.Rule(
        key=OUTBOX,
        label="E-mail outbox rows (sent or given up)",
        keep=lambda: f"{retention.period('outbox_days')} days",
        setting="RETENTION_OUTBOX_DAYS",
        due=lambda now, n: _due_of(_outbox(now), "accounts.outboundemail", "created_at", n),
        purge=lambda now, n: _bulk_purge(
            _outbox(now), rule=OUTBOX, record_type="accounts.outboundemail", limit=n
        ),
        order=60,
    )
)
retention.register(
    retention.Rule(
        key=JOB_RUNS,
        label="Scheduled-job runs (the run log)",
        keep=lambda: f"{retention.period('job_run_days')} days",
        setting="RETENTION_JOB_RUN_DAYS",
        due=lambda now, n: _due_of(_job_runs(now), "accounts.jobrun", "requested_at", n),
        purge=lambda now, n: _bulk_purge(
            _job_runs(now), rule=JOB_RUNS, record_type="accounts.jobrun", limit=n
        ),
        order=70,
    )
)
# A session's key is a secret: neither a dry run nor a tombstone names it, only how many.
retention.register(
    retention.Rule(
        key=SESSIONS,
        label="Expired sign-in sessions",
        keep=lambda: f"{retention.period('session_days')} day(s) after they expired",
        setting="RETENTION_SESSION_DAYS",
        due=lambda now, n: _due_of(_sessions(now), "sessions.session", "expire_date", n, False),
        purge=lambda now, n: _bulk_purge(
            _sessions(now), rule=SESSIONS, record_type="sessions.session", limit=n, ids=False
        ),
        order=80,
    )
)
retention.register(
    retention.Rule(
        key=AUDIT,
        label="The audit trail (reads, changes, exports, break-glass, tombstones)",
        keep=lambda: f"{retention.period('audit_years')} years",
        setting="RETENTION_AUDIT_YEARS",
        due=lambda now, n: _due_of(_audit(now), "accounts.auditentry", "at", n),
        purge=None,
        purged_by="never by the portal: its database role may only add and read entries; the "
        "database owner removes older ones (README, Privacy)",
        order=90,
    )
)
