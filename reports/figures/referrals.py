"""Referrals by service and outcome; legal assistance requests."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Count,
    F,
    Q,
)

from .common import (
    EpochHours,
    Median,
    _hours,
    cell_links,
    col,
    counts,
    link,
    row,
    table,
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
    from referrals import report as referrals_report

    return referrals_report.referral_outcome_filter(outcome)


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
    from referrals import report as referrals_report

    sent = referrals_report.referrals_sent_in_year(year)
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

    # "sent" drills down to every referral sent, each outcome to its own.
    drill = {"sent": {}, **{key: {"outcome": key} for key in count_keys[1:]}}

    def cells(agg: dict) -> dict:
        out = counts(agg, [*count_keys, "answered"])
        out["median_hours"] = _hours(agg.get("median_hours"))
        return out

    rows = [
        row(
            label,
            cells(by_service.get(value, {})),
            cell_links("referrals", drill, service_type=value),
            key=value,
        )
        for value, label in referrals_report.SERVICE_TYPES.choices
    ]
    return table(
        "referrals",
        "Referrals sent, by service and outcome",
        columns,
        rows,
        total=row("All services", cells(overall), cell_links("referrals", drill)),
        chart={"kind": "bars", "column": "sent", "title": "Referrals sent by service"},
    )


def _legal(year: int) -> list[dict]:
    from referrals import report as referrals_report

    received = referrals_report.legal_requests_received_in_year(year)
    by_kind = {
        r["requester_kind"]: r
        for r in received.values("requester_kind")
        .annotate(
            received=Count("pk"),
            completed=Count("pk", filter=Q(status=referrals_report.LegalStatus.COMPLETED)),
            with_case=Count("pk", filter=Q(case__isnull=False)),
        )
        .order_by()
    }
    provided = received.aggregate(
        total=Count("pk"),
        **{
            p: Count("pk", filter=Q(provided__contains=[p]))
            for p in referrals_report.LegalProvided.values
        },
    )

    keys = ("received", "completed", "with_case")

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
                counts(by_kind.get(value, {}), keys),
                {"received": link("legal", requester_kind=value)},
                key=value,
            )
            for value, label in referrals_report.RequesterKind.choices
        ],
        total=row(
            "All requesters",
            {k: sum(r[k] for r in by_kind.values()) for k in keys},
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
            for value, label in referrals_report.LegalProvided.choices
        ],
    )
    return [kinds, what]
