"""FAON membership and yearly compliance; the participants headline."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone

from familysupport.lib import dates, dbrouter

from .common import (
    _rate,
    col,
    link,
    row,
    table,
)

# --- headline: FAON participants ------------------------------------------------------------


def participants(year: int) -> QuerySet:
    from faon import report as faon_report

    start, end = dates.year_bounds(year)
    return faon_report.providers_active_between(start, end)


def faon_subset(year: int, subset: str) -> QuerySet:
    """The providers behind one row of the FAON table."""
    from faon import report as faon_report
    from faon import selectors as faon_selectors

    _start, end = dates.year_bounds(year)
    base = participants(year)
    if subset == "active_end":
        moment = min(end, timezone.now())
        return faon_report.providers_active_between(moment - _ONE_MICROSECOND, moment)
    if subset == "activated":
        return base.filter(faon_report.status_changed_in_year(year, [faon_report.Status.ACTIVE]))
    if subset == "left":
        return faon_report.providers().filter(
            faon_report.status_changed_in_year(year, faon_report.LEFT_STATUSES)
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
    from faon import report as faon_report

    active, changed = faon_report.active_provider_filter, faon_report.status_changed_in_year
    start, end = dates.year_bounds(year)
    moment = min(end, timezone.now())
    members = faon_report.providers().aggregate(
        participants=Count("pk", filter=active(start, end)),
        active_end=Count("pk", filter=active(moment - _ONE_MICROSECOND, moment)),
        activated=Count(
            "pk", filter=Q(active(start, end)) & Q(changed(year, [faon_report.Status.ACTIVE]))
        ),
        left=Count("pk", filter=Q(changed(year, faon_report.LEFT_STATUSES))),
    )
    applications = faon_report.applications_submitted_in_year(year).count()
    rule = _compliance_counts(year)
    snapshot = faon_report.compliance_snapshots(year).aggregate(
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
