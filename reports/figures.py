"""The yearly report's figures, computed by the database.

Every section is one or a few aggregate queries (GROUP BY, COUNT(DISTINCT), FILTER,
percentile_cont); nothing loops over records in Python, so the number of queries does not
grow with the data. The results are plain JSON (tables of labelled rows) so they can be
cached in a ReportRun, frozen in a ReportSnapshot, rendered and exported the same way.

These are division-wide read-only aggregates computed once for every reader of the report
(administrators and supervisors, who may read all of it), so they read the other apps'
models directly instead of a per-user selector; the drill-down lists behind each figure go
through the owning app's permission-scoped selectors (see drilldown.py). Where an app
offers an aggregate selector (FAON compliance in SQL, the reunification budget) it is used.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import timezone

from familysupport.lib import dates, dbrouter

from . import definitions

Progress = Callable[[int, str], None]

MONTHS = [calendar.month_abbr[m] for m in range(1, 13)]
ZERO = Decimal("0.00")


class Median(Aggregate):
    """percentile_cont(0.5) WITHIN GROUP (ORDER BY expr) — the exact median, in SQL."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class EpochHours(Func):
    """An interval as hours (float)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = FloatField()


# --- time ----------------------------------------------------------------------------------


def in_year(field: str, year: int, month: int | None = None) -> Q:
    start, end = dates.month_bounds(year, month) if month else dates.year_bounds(year)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _month(field: str) -> ExtractMonth:
    return ExtractMonth(field, tzinfo=dates.division_tz())


# --- table helpers ---------------------------------------------------------------------------


def col(key: str, label: str, kind: str = "count", basis: str | None = None) -> dict:
    """kind: count | money | hours | rate | text; basis: the count a median/rate rests on."""
    return {"key": key, "label": label, "kind": kind, "basis": basis}


def link(figure: str, **params: Any) -> dict:
    return {"figure": figure, **{k: v for k, v in params.items() if v not in (None, "")}}


def row(label: str, cells: dict, links: dict | None = None, key: str = "") -> dict:
    return {"key": key or label, "label": label, "cells": cells, "links": links or {}}


def table(key: str, title: str, columns: list[dict], rows: list[dict], **extra: Any) -> dict:
    return {"key": key, "title": title, "columns": columns, "rows": rows, **extra}


def _money(value: Decimal | None) -> str:
    return str((value or ZERO).quantize(Decimal("0.01")))


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


# --- headline: families given mental-health support -------------------------------------------


def mh_contact_family_ids(year: int) -> QuerySet:
    from cases.models import Contact

    return (
        Contact.objects.filter(in_year("started_at", year))
        .filter(purpose__in=definitions.MENTAL_HEALTH_PURPOSES)
        .values_list("case__family_id", flat=True)
        .order_by()
    )


def mh_referral_family_ids(year: int) -> QuerySet:
    from referrals.models import Referral

    S = Referral.Status
    return (
        Referral.objects.filter(in_year("accepted_at", year))
        .filter(service_type__in=definitions.MENTAL_HEALTH_SERVICES)
        # accepted_at stays set as a referral moves on to appointment/completed/closed;
        # a referral that is declined or expired was never accepted.
        .exclude(status__in=[S.DRAFT, S.SENT, S.DECLINED, S.EXPIRED])
        .values_list("family_id", flat=True)
        .order_by()
    )


def mh_family_filter(year: int, source: str = "") -> Q:
    contact = Q(pk__in=mh_contact_family_ids(year))
    referral = Q(pk__in=mh_referral_family_ids(year))
    if source == "contact":
        return contact
    if source == "referral":
        return referral
    return contact | referral


def _mental_health_counts(year: int) -> tuple[int, int, int]:
    """(families, via a contact, via a referral) in one query, each family counted once.

    The year's contacts are read once: both routes' family ids (UNION ALL, tagged with the
    route) are grouped by family with bool_or flags, then counted. (A UNION count plus a
    DISTINCT count of the contacts read them twice: 0.84 s of the cold report at scale.)
    The ORM cannot GROUP BY over a union, so the selectors' SQL is wrapped here with its
    parameters still bound.
    """
    c_sql, c_params = mh_contact_family_ids(year).query.sql_with_params()
    r_sql, r_params = mh_referral_family_ids(year).query.sql_with_params()
    sql = (
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE f.via_contact),"  # noqa: S608 - ORM-built SQL, params bound
        " COUNT(*) FILTER (WHERE f.via_referral)"
        " FROM (SELECT u.family_id, bool_or(u.by_contact) AS via_contact,"
        " bool_or(NOT u.by_contact) AS via_referral"
        f" FROM (SELECT c.family_id, TRUE AS by_contact FROM ({c_sql}) AS c (family_id)"
        f" UNION ALL SELECT r.family_id, FALSE FROM ({r_sql}) AS r (family_id)) AS u"
        " GROUP BY u.family_id) AS f"
    )
    with dbrouter.read_connection().cursor() as cursor:
        cursor.execute(sql, (*c_params, *r_params))
        total, via_contact, via_referral = cursor.fetchone()
    return total, via_contact, via_referral


def _mental_health(year: int) -> dict:
    total, via_contact, via_referral = _mental_health_counts(year)
    return {
        "total": total,
        "table": table(
            "mental_health",
            "Families given mental-health support, by route",
            [col("families", "Families")],
            [
                row(
                    "Crisis-intervention or emotional-support contact",
                    {"families": via_contact},
                    {"families": link("mh_families", source="contact")},
                ),
                row(
                    "Mental-health referral accepted",
                    {"families": via_referral},
                    {"families": link("mh_families", source="referral")},
                ),
                row(
                    "Both",
                    {"families": via_contact + via_referral - total},
                    {},
                ),
            ],
            total=row(
                "Families (each counted once)",
                {"families": total},
                {"families": link("mh_families")},
            ),
        ),
    }


# --- headline: FAON participants ------------------------------------------------------------


def _active_interval_overlaps(start: datetime, end: datetime) -> Exists:
    """A change to active whose active spell [at, next change) overlaps [start, end)."""
    from faon.models import Provider, ProviderStatusChange

    next_change = (
        ProviderStatusChange.objects.filter(provider=OuterRef("provider"))
        .filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
        .order_by("at", "pk")
        .values("at")[:1]
    )
    spells = (
        ProviderStatusChange.objects.filter(
            provider=OuterRef("pk"), to_status=Provider.Status.ACTIVE, at__lt=end
        )
        .annotate(next_at=Subquery(next_change))
        .filter(Q(next_at__isnull=True) | Q(next_at__gt=start))
    )
    return Exists(spells)


def active_provider_filter(start: datetime, end: datetime) -> Q:
    """Providers active at some moment of [start, end)."""
    from faon.models import Provider, ProviderStatusChange

    # Providers without any recorded history (loaded before history was kept) fall back to
    # their current status and activation date.
    no_history = ~Exists(ProviderStatusChange.objects.filter(provider=OuterRef("pk")))
    legacy = Q(no_history, status=Provider.Status.ACTIVE) & (
        Q(activated_at__isnull=True) | Q(activated_at__lt=end)
    )
    return Q(_active_interval_overlaps(start, end)) | legacy


def participants(year: int) -> QuerySet:
    from faon.models import Provider

    start, end = dates.year_bounds(year)
    return Provider.objects.filter(active_provider_filter(start, end))


def _status_changed_in_year(year: int, statuses: list[str]) -> Exists:
    from faon.models import ProviderStatusChange

    return Exists(
        ProviderStatusChange.objects.filter(
            in_year("at", year), provider=OuterRef("pk"), to_status__in=statuses
        )
    )


def faon_subset(year: int, subset: str) -> QuerySet:
    """The providers behind one row of the FAON table."""
    from faon import selectors as faon_selectors
    from faon.models import Provider

    S = Provider.Status
    _start, end = dates.year_bounds(year)
    base = participants(year)
    if subset == "active_end":
        moment = min(end, timezone.now())
        return Provider.objects.filter(active_provider_filter(moment - _ONE_MICROSECOND, moment))
    if subset == "activated":
        return base.filter(_status_changed_in_year(year, [S.ACTIVE]))
    if subset == "left":
        return Provider.objects.filter(
            _status_changed_in_year(year, [S.SUSPENDED, S.LAPSED, S.WITHDRAWN])
        )
    if subset in ("compliant", "training_ok", "license_ok", "insurance_ok", "details_ok"):
        return faon_selectors.provider_annotate_compliance(base, year=year).filter(**{subset: True})
    return base


_ONE_MICROSECOND = timedelta(microseconds=1)
COMPLIANCE_PARTS = ("compliant", "training_ok", "license_ok", "insurance_ok", "details_ok")


def _compliance_counts(year: int) -> dict:
    """How many participants meet the yearly rule and each of its parts: one query.

    The rule's per-provider booleans are aggregates (faon.selectors computes them with
    GROUP BY); summing them needs an outer query over that one, which the ORM cannot
    express with FILTER, so the selector's SQL is wrapped here (parameters stay bound).
    """
    from faon import selectors as faon_selectors

    inner = faon_selectors.provider_annotate_compliance(participants(year), year=year).values(
        "pk", *COMPLIANCE_PARTS
    )
    sql, params = inner.query.sql_with_params()
    sums = ", ".join(
        f"COALESCE(SUM(CASE WHEN s.{p} THEN 1 ELSE 0 END), 0)" for p in COMPLIANCE_PARTS
    )
    with dbrouter.read_connection().cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), {sums} FROM ({sql}) s", params)  # noqa: S608 - fixed column names
        values = cursor.fetchone()
    return dict(zip(("assessed", *COMPLIANCE_PARTS), values, strict=True))


def _faon(year: int) -> dict:
    from faon.models import Application, ComplianceSnapshot, Provider

    S = Provider.Status
    start, end = dates.year_bounds(year)
    moment = min(end, timezone.now())
    members = Provider.objects.aggregate(
        participants=Count("pk", filter=active_provider_filter(start, end)),
        active_end=Count("pk", filter=active_provider_filter(moment - _ONE_MICROSECOND, moment)),
        activated=Count(
            "pk",
            filter=Q(active_provider_filter(start, end))
            & Q(_status_changed_in_year(year, [S.ACTIVE])),
        ),
        left=Count(
            "pk", filter=Q(_status_changed_in_year(year, [S.SUSPENDED, S.LAPSED, S.WITHDRAWN]))
        ),
    )
    applications = Application.objects.filter(in_year("submitted_at", year)).count()
    rule = _compliance_counts(year)
    snapshot = ComplianceSnapshot.objects.filter(membership_year=year).aggregate(
        taken=Count("pk"), met=Count("pk", filter=Q(met=True))
    )
    n = members["participants"]
    columns = [col("providers", "Providers"), col("rate", "% of participants", "rate", "providers")]

    def member_row(label: str, key: str, value: int) -> dict:
        return row(
            label,
            {"providers": value, "rate": _rate(value, n)},
            {"providers": link("faon_participants", subset=key)},
            key=key,
        )

    membership = table(
        "faon_membership",
        "FAON membership",
        columns,
        [
            member_row("Participants (active on any day of the year)", "all", n),
            member_row(
                "Active at the end of the year (today, for the current year)",
                "active_end",
                members["active_end"],
            ),
            member_row(
                "Became active during the year (incl. reinstated)",
                "activated",
                members["activated"],
            ),
            member_row("Suspended, lapsed or withdrew during the year", "left", members["left"]),
            row(
                "Applications received",
                {"providers": applications, "rate": None},
                {"providers": link("faon_applications")},
                key="applications",
            ),
        ],
    )
    assessed = rule["assessed"]
    compliance = table(
        "faon_compliance",
        "FAON yearly compliance of participants",
        [col("providers", "Providers"), col("rate", "Compliance rate %", "rate", "providers")],
        [
            row(
                label,
                {"providers": rule[key], "rate": _rate(rule[key], assessed)},
                {"providers": link("faon_participants", subset=key)},
                key=key,
            )
            for key, label in (
                ("compliant", "Met every requirement"),
                ("training_ok", "Training (1 event or 2 online trainings)"),
                ("license_ok", "License current and in good standing (if required)"),
                ("insurance_ok", "Liability insurance current (if required)"),
                ("details_ok", "Contact details confirmed within 12 months"),
            )
        ],
        note=(
            f"Year-end compliance snapshot: {snapshot['met']} of {snapshot['taken']} members met."
            if snapshot["taken"]
            else ""
        ),
        note_template=(
            "Year-end compliance snapshot: {met} of {taken} members met."
            if snapshot["taken"]
            else ""
        ),
        note_values={"met": snapshot["met"], "taken": snapshot["taken"]},
    )
    return {"participants": n, "tables": [membership, compliance]}


# --- contacts, cases -----------------------------------------------------------------------


def _contacts(year: int) -> dict:
    from cases.models import Contact

    counts = (
        Contact.objects.filter(in_year("started_at", year))
        .annotate(m=_month("started_at"))
        .values("purpose", "m")
        # COUNT(*), not COUNT(id): the covering index (started_at) INCLUDE (purpose) then
        # answers it alone (index-only scan over millions of contacts).
        .annotate(n=Count("*"))
        .order_by()
    )
    grid: dict[str, list[int]] = {p: [0] * 12 for p in Contact.Purpose.values}
    for r in counts:  # at most 6 purposes x 12 months: the grid, not the records
        grid.setdefault(r["purpose"], [0] * 12)[r["m"] - 1] = r["n"]
    columns = [col(f"m{m}", MONTHS[m - 1]) for m in range(1, 13)] + [col("total", "Year")]
    labels = dict(Contact.Purpose.choices)

    def cells(values: list[int]) -> dict:
        return {**{f"m{i + 1}": v for i, v in enumerate(values)}, "total": sum(values)}

    def links(**params: Any) -> dict:
        out = {f"m{m}": link("contacts", month=m, **params) for m in range(1, 13)}
        out["total"] = link("contacts", **params)
        return out

    rows = [row(labels.get(p, p), cells(v), links(purpose=p), key=p) for p, v in grid.items()]
    monthly = [sum(v[i] for v in grid.values()) for i in range(12)]
    return table(
        "contacts",
        "Advocate contacts by purpose and month",
        columns,
        rows,
        total=row("All purposes", cells(monthly), links()),
        chart={"kind": "months", "values": monthly, "title": "Advocate contacts per month"},
    )


def _cases(year: int) -> dict:
    from cases.models import Case

    counts = dict(
        Case.objects.filter(in_year("opened_at", year))
        .values_list("case_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = [
        row(
            label,
            {"cases": counts.get(value, 0)},
            {"cases": link("cases", case_type=value)},
            key=value,
        )
        for value, label in Case.Type.choices
    ]
    return table(
        "cases",
        "New cases by type",
        [col("cases", "New cases")],
        rows,
        total=row("All types", {"cases": sum(counts.values())}, {"cases": link("cases")}),
        chart={"kind": "bars", "column": "cases", "title": "New cases by type"},
    )


# --- referrals, legal assistance -----------------------------------------------------------


REFERRAL_OUTCOMES = (
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("expired", "Expired (no answer)"),
    ("awaiting", "Awaiting answer"),
    ("closed", "Closed unanswered"),
)


def referral_outcome_filter(outcome: str) -> Q:
    from referrals.models import Referral

    S = Referral.Status
    return {
        "accepted": Q(accepted_at__isnull=False),
        "declined": Q(accepted_at__isnull=True, status=S.DECLINED),
        "expired": Q(accepted_at__isnull=True, status=S.EXPIRED),
        "awaiting": Q(accepted_at__isnull=True, status=S.SENT),
        "closed": Q(accepted_at__isnull=True, status=S.CLOSED),
        "first_appointment": Q(first_appointment_on__isnull=False),
        "completed": Q(status=S.COMPLETED),
    }.get(outcome, Q())


def _referral_aggregates() -> dict:
    answered = Q(responded_at__isnull=False)
    out: dict[str, Any] = {"sent": Count("pk")}
    for key, _label in REFERRAL_OUTCOMES:
        out[key] = Count("pk", filter=referral_outcome_filter(key))
    out["first_appointment"] = Count("pk", filter=referral_outcome_filter("first_appointment"))
    out["completed"] = Count("pk", filter=referral_outcome_filter("completed"))
    out["answered"] = Count("pk", filter=answered)
    out["median_hours"] = Median(EpochHours(F("responded_at") - F("sent_at")), filter=answered)
    return out


def _referrals(year: int) -> dict:
    from referrals.models import Referral, ServiceType

    sent = Referral.objects.filter(in_year("sent_at", year))
    by_service = {
        r["service_type"]: r
        for r in sent.values("service_type").annotate(**_referral_aggregates()).order_by()
    }
    overall = sent.aggregate(**_referral_aggregates())
    columns = [col("sent", "Sent")]
    columns += [col(key, label) for key, label in REFERRAL_OUTCOMES]
    columns += [
        col("first_appointment", "First appointment held"),
        col("completed", "Completed"),
        col("median_hours", "Median response (hours)", "hours", "answered"),
    ]
    count_keys = [c["key"] for c in columns if c["kind"] == "count"]

    def cells(agg: dict) -> dict:
        out = {k: agg.get(k) or 0 for k in count_keys}
        out["answered"] = agg.get("answered") or 0
        out["median_hours"] = _hours(agg.get("median_hours"))
        return out

    def links(**params: Any) -> dict:
        out = {"sent": link("referrals", **params)}
        for key in count_keys[1:]:
            out[key] = link("referrals", outcome=key, **params)
        return out

    rows = [
        row(label, cells(by_service.get(value, {})), links(service_type=value), key=value)
        for value, label in ServiceType.choices
    ]
    return table(
        "referrals",
        "Referrals sent, by service and outcome",
        columns,
        rows,
        total=row("All services", cells(overall), links()),
        chart={"kind": "bars", "column": "sent", "title": "Referrals sent by service"},
    )


def _legal(year: int) -> list[dict]:
    from referrals.models import LegalAssistanceRequest as L

    received = L.objects.filter(received_on__year=year)  # a date: already the local day
    by_kind = {
        r["requester_kind"]: r
        for r in received.values("requester_kind")
        .annotate(
            received=Count("pk"),
            completed=Count("pk", filter=Q(status=L.Status.COMPLETED)),
            with_case=Count("pk", filter=Q(case__isnull=False)),
        )
        .order_by()
    }
    provided = received.aggregate(
        total=Count("pk"),
        **{p: Count("pk", filter=Q(provided__contains=[p])) for p in L.Provided.values},
    )

    def cells(r: dict) -> dict:
        return {k: r.get(k, 0) for k in ("received", "completed", "with_case")}

    kinds = table(
        "legal",
        "Legal assistance requests received",
        [
            col("received", "Received"),
            col("completed", "Completed"),
            col("with_case", "Tied to a case"),
        ],
        [
            row(
                label,
                cells(by_kind.get(value, {})),
                {"received": link("legal", requester_kind=value)},
                key=value,
            )
            for value, label in L.RequesterKind.choices
        ],
        total=row(
            "All requesters",
            {
                k: sum(r[k] for r in by_kind.values())
                for k in ("received", "completed", "with_case")
            },
            {"received": link("legal")},
        ),
    )
    what = table(
        "legal_provided",
        "Legal assistance provided",
        [col("requests", "Requests")],
        [
            row(
                label,
                {"requests": provided[value]},
                {"requests": link("legal", provided=value)},
                key=value,
            )
            for value, label in L.Provided.choices
        ],
    )
    return [kinds, what]


# --- reunification -------------------------------------------------------------------------


def _reunification(year: int) -> list[dict]:
    from reunification import report as reunification_report
    from reunification import selectors as reunification_selectors

    counts = reunification_report.travel_event_counts(year)
    trips = table(
        "travel",
        "Reunification travel",
        [col("requests", "Requests / trips")],
        [
            row(label, {"requests": counts[key]}, {"requests": link("travel", event=key)}, key=key)
            for key, label in reunification_report.TRAVEL_EVENTS
        ],
    )
    groups = {key: label for key, label, _q in reunification_report.COST_GROUPS}
    segments = reunification_report.segment_costs(year)
    budget = reunification_selectors.budget_status(year=year)
    money_cols = [col("estimated", "Estimated", "money"), col("actual", "Actual", "money")]
    rows = [
        row(
            groups[key],
            {"estimated": _money(segments[f"{key}_est"]), "actual": _money(segments[f"{key}_act"])},
            key=key,
        )
        for key in groups
    ]
    rows += [
        row(
            "Booked and completed trips",
            {"estimated": _money(budget.booked), "actual": _money(budget.spent)},
            key="booked",
        ),
        row(
            "Approved, not yet booked",
            {"estimated": _money(budget.approved), "actual": None},
            key="approved",
        ),
        row(
            "Committed (best known cost)",
            {"estimated": _money(budget.committed), "actual": None},
            key="committed",
        ),
        row(
            "Budget",
            {"estimated": None if budget.amount is None else _money(budget.amount), "actual": None},
            key="budget",
        ),
        row(
            "Remaining",
            {
                "estimated": None if budget.remaining is None else _money(budget.remaining),
                "actual": None,
            },
            key="remaining",
        ),
    ]
    cost = table(
        "travel_cost",
        "Reunification cost against budget (trips approved in the year)",
        money_cols,
        rows,
        note=_budget_note(budget.committed, budget.amount),
        note_template=_budget_note(budget.committed, budget.amount),  # no counts in it
    )
    return [trips, cost]


def _budget_note(committed: Decimal, amount: Decimal | None) -> str:
    if not amount:
        return "No travel budget is set for this year."
    return f"{(100 * committed / amount).quantize(Decimal('0.1'))}% of the budget committed."


# --- Team HOPE -----------------------------------------------------------------------------


def _peer_calls(year: int) -> dict:
    from teamhope import report as teamhope_report

    calls = teamhope_report.peer_calls_in_year(year)
    by_month = {
        r["m"]: r
        for r in calls.annotate(m=_month("called_at"))
        .values("m")
        .annotate(
            # Only columns of the covering index (called_at) INCLUDE (duration_minutes,
            # escalated, match): an index-only scan over millions of calls.
            calls=Count("*"),
            minutes=Coalesce(Sum("duration_minutes"), 0),
            escalated=Count("escalated", filter=Q(escalated=True)),
        )
        .order_by()
    }
    families = calls.aggregate(families=Count("match__family_id", distinct=True))["families"]
    keys = ("calls", "minutes", "escalated")
    rows = [
        row(
            MONTHS[m - 1],
            {k: by_month.get(m, {}).get(k, 0) for k in keys},
            {"calls": link("peer_calls", month=m)},
            key=str(m),
        )
        for m in range(1, 13)
    ]
    total = {k: sum(r["cells"][k] for r in rows) for k in keys}
    return {
        "total": total["calls"],
        "families": families,
        "table": table(
            "peer_calls",
            "Team HOPE peer-support calls by month",
            [
                col("calls", "Calls"),
                col("minutes", "Minutes"),
                col("escalated", "Escalated to an advocate"),
            ],
            rows,
            total=row("Year", total, {"calls": link("peer_calls")}),
            chart={"kind": "rows", "column": "calls", "title": "Team HOPE calls per month"},
            note=f"{families} families had at least one peer-support call.",
            # The public release formats the note from suppressed values (disclosure.py).
            note_template="{families} families had at least one peer-support call.",
            note_values={"families": families},
        ),
    }


# --- the whole report ----------------------------------------------------------------------


def compute(year: int, progress: Progress | None = None) -> dict:
    """All figures of `year` as JSON-ready data. A fixed number of queries, whatever the data."""
    step = progress or (lambda _p, _s: None)
    step(5, "Mental-health support")
    mh = _mental_health(year)
    step(20, "FAON membership and compliance")
    faon = _faon(year)
    step(40, "Team HOPE calls")
    peer = _peer_calls(year)
    step(50, "Advocate contacts")
    contacts = _contacts(year)
    step(65, "Cases")
    cases = _cases(year)
    step(70, "Referrals")
    referrals = _referrals(year)
    step(80, "Legal assistance")
    legal = _legal(year)
    step(90, "Reunification")
    travel = _reunification(year)
    step(100, "Done")
    headline = {
        "mh_families": mh["total"],
        "faon_participants": faon["participants"],
        "peer_calls": peer["total"],
    }
    headline_table = table(
        "headline",
        "Headline figures",
        [col("value", "Figure")],
        [
            row(
                definitions.HEADLINES[key]["title"],
                {"value": value},
                {"value": link(HEADLINE_FIGURES[key])},
                key=key,
            )
            for key, value in headline.items()
        ],
    )
    return {
        "year": year,
        "definitions_version": definitions.DEFINITIONS_VERSION,
        "computed_at": timezone.now().isoformat(),
        "headline": headline,
        "tables": [
            headline_table,
            mh["table"],
            contacts,
            cases,
            referrals,
            *legal,
            *travel,
            *faon["tables"],
            peer["table"],
        ],
    }


HEADLINE_FIGURES = {
    "mh_families": "mh_families",
    "faon_participants": "faon_participants",
    "peer_calls": "peer_calls",
}
