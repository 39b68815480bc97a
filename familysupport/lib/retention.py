"""The retention schedule: what the portal keeps, for how long, and the sweeper that purges.

Each app declares its rules in `<app>/retention.py` with `register(Rule(...))` (found by
autodiscovery, like jobs). A rule knows what is due (`due`, the dry run) and how to purge
it (`purge`, the real run). The sweep (`accounts.retention`, daily) runs every rule's
purge in batches; each purged record leaves a tombstone in the audit trail — record type,
id, date, rule, never a name — and records of a family or case under a legal hold are
never due. The audit trail itself has the longest rule and is never purged by the
application (its role may only insert into and read the table): the database owner does.

Periods come from `settings.RETENTION` (environment variables, see README "Privacy").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from familysupport.lib import audit

log = logging.getLogger(__name__)

# Periods when settings.RETENTION does not say (each also an environment variable).
DEFAULTS: dict[str, int] = {
    "closed_case_years": 7,
    "travel_document_days": 365,
    "provider_document_days": 365,
    "outbox_days": 90,
    "job_run_days": 180,
    "session_days": 1,
    "audit_years": 10,
    "phone_call_days": 90,
}
BATCH = 500  # records per rule per run: a long backlog is worked off night by night
SAMPLE = 50  # records listed per rule by a dry run
TOMBSTONE = "privacy.retention.purged"


def period(name: str) -> int:
    return int(getattr(settings, "RETENTION", {}).get(name, DEFAULTS[name]))


def years_ago(now: dt.datetime, years: int) -> dt.datetime:
    """The same moment `years` earlier (29 February → 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class Item:
    """One record a rule would purge, as a dry run lists it (no names, ever)."""

    record_type: str
    record_id: str
    date: dt.date | dt.datetime | None
    note: str = ""


@dataclass
class Due:
    count: int = 0  # what the next runs would purge
    held: int = 0  # what a legal hold keeps although the period is over
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    keep: Callable[[], str]  # the period in words, read when shown (settings may change)
    setting: str  # the environment variable that sets the period
    due: Callable[[dt.datetime, int], Due]
    purge: Callable[[dt.datetime, int], int] | None = None  # None: another job purges
    purged_by: str = ""  # who purges when `purge` is None, or a note
    holds_apply: bool = False
    order: int = 50


_RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    _RULES[rule.key] = rule
    return rule


def all_rules() -> list[Rule]:
    autodiscover_modules("retention")
    return sorted(_RULES.values(), key=lambda r: (r.order, r.key))


def tombstone(
    *,
    rule: str,
    record_type: str,
    record_id: Any = "",
    on: dt.date | dt.datetime | None = None,
    obj: Any = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The audit entry a purge leaves: what kind of record, which id, its date, the rule."""
    if isinstance(on, dt.datetime):
        on = timezone.localtime(on).date()
    audit.record(
        action=TOMBSTONE,
        obj=obj,
        changes={
            "rule": rule,
            "record_type": record_type,
            "id": str(record_id),
            "date": on.isoformat() if on else "",
            **(extra or {}),
        },
    )


@dataclass
class SweepResult:
    dry_run: bool
    at: dt.datetime
    purged: dict[str, int] = field(default_factory=dict)
    due: dict[str, Due] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.purged.values())


def dry_run(*, now: dt.datetime | None = None, sample: int = SAMPLE) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult(dry_run=True, at=now)
    for rule in all_rules():
        result.due[rule.key] = rule.due(now, sample)
    return result


def sweep(
    *, now: dt.datetime | None = None, limit: int = BATCH, only: Iterable[str] | None = None
) -> SweepResult:
    """Purge what is due, rule by rule; a rule that fails does not stop the others."""
    now = now or timezone.now()
    wanted = set(only) if only else None
    result = SweepResult(dry_run=False, at=now)
    failed: list[str] = []
    for rule in all_rules():
        if rule.purge is None or (wanted is not None and rule.key not in wanted):
            continue
        try:
            result.purged[rule.key] = rule.purge(now, limit)
        except Exception as exc:  # only its type: a database message can quote a value
            log.warning("retention: rule %s failed (%s)", rule.key, type(exc).__name__)
            failed.append(rule.key)
    if failed:
        raise RetentionError(f"retention rules failed: {', '.join(failed)}")
    return result


class RetentionError(RuntimeError):
    """Some rules failed (the others purged); the job run is marked failed."""
