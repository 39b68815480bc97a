"""The records behind each figure of the report, read through the owning app's selectors.

A figure link carries `figure` plus a few parameters (purpose, month, case_type, ...).
Each figure here turns them into a permission-scoped queryset of the other app (the
reader's own selector, so a reader never sees a record they could not open anyway) and
the columns to list. Unknown figures or parameters are a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from familysupport.lib import dates, labels

from . import figures
from .redaction import initials


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    # Exports are redacted by default (reports/redaction.py): what a redacted file shows.
    redacted: Callable[[Any], Any] | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    params: dict[str, Callable[[str], Any]]  # allowed parameter → parser (raises ValueError)
    queryset: Callable[..., QuerySet]  # (user, year, **params) → records
    columns: list[Column]
    url: Callable[[Any], str | None]


def _local(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, dates.division_tz()).strftime("%Y-%m-%d %H:%M")


def _url(name: str, pk: int | None) -> str | None:
    if pk is None:
        return None
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the owning app has not routed its detail page yet
        return None


def _choice(values) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in values:
            raise ValueError(raw)
        return raw

    return parse


def _month(raw: str) -> int:
    month = int(raw)
    if not 1 <= month <= 12:
        raise ValueError(raw)
    return month


# --- querysets (each through the owning app's selector) ------------------------------------


def _families(user, year: int, source: str = "") -> QuerySet:
    from cases import selectors

    return (
        selectors.family_list_visible_to(user=user)
        .filter(figures.mh_family_filter(year, source))
        .order_by("pk")
    )


def _contacts(user, year: int, purpose: str = "", month: int | None = None) -> QuerySet:
    from cases import selectors

    qs = selectors.contact_list_visible_to(user=user).filter(
        figures.in_year("started_at", year, month)
    )
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("started_at", "pk")


def _cases(user, year: int, case_type: str = "") -> QuerySet:
    from cases import selectors

    qs = selectors.case_list_visible_to(user=user).filter(figures.in_year("opened_at", year))
    if case_type:
        qs = qs.filter(case_type=case_type)
    return qs.order_by("opened_at", "pk")


def _providers(user, year: int, subset: str = "all") -> QuerySet:
    from faon import selectors

    wanted = figures.faon_subset(year, subset).values("pk")
    return (
        selectors.provider_list_visible_to(user=user).filter(pk__in=wanted).order_by("name", "pk")
    )


def _applications(user, year: int) -> QuerySet:
    from faon import selectors

    return (
        selectors.application_list_visible_to(user=user)
        .filter(figures.in_year("submitted_at", year))
        .order_by("submitted_at", "pk")
    )


def _peer_calls(user, year: int, month: int | None = None) -> QuerySet:
    from teamhope import selectors

    return (
        selectors.call_list_visible_to(user=user)
        .filter(figures.in_year("called_at", year, month))
        .order_by("called_at", "pk")
    )


def referral_list_visible_to(user, with_restricted: bool = False) -> QuerySet:
    """Referrals the user may see (the referrals app's selector)."""
    from referrals import selectors

    return selectors.referral_list_visible_to(user=user, with_restricted=with_restricted)


def legal_list_visible_to(user) -> QuerySet:
    from referrals import selectors

    return selectors.legal_request_list_visible_to(user=user)


def _referrals(user, year: int, service_type: str = "", outcome: str = "") -> QuerySet:
    qs = referral_list_visible_to(user).filter(figures.in_year("sent_at", year))
    if service_type:
        qs = qs.filter(service_type=service_type)
    if outcome:
        qs = qs.filter(figures.referral_outcome_filter(outcome))
    return qs.order_by("sent_at", "pk")


def _legal(user, year: int, requester_kind: str = "", provided: str = "") -> QuerySet:
    qs = legal_list_visible_to(user).filter(received_on__year=year)
    if requester_kind:
        qs = qs.filter(requester_kind=requester_kind)
    if provided:
        qs = qs.filter(provided__contains=[provided])
    return qs.order_by("received_on", "pk")


def _travel(user, year: int, event: str = "submitted") -> QuerySet:
    from reunification import report, selectors

    return (
        selectors.travel_request_list_visible_to(user=user)
        .filter(report.travel_event_filter(year, event))
        .order_by("pk")
    )


# --- the registry ----------------------------------------------------------------------------


def _registry() -> dict[str, Figure]:
    from cases import report as cases_report
    from referrals import report as referrals_report
    from reunification import report as reunification_report

    outcomes = [k for k, _ in figures.REFERRAL_OUTCOMES] + ["first_appointment", "completed"]
    subsets = ["all", "active_end", "activated", "left", *figures.COMPLIANCE_PARTS]
    return {
        f.key: f
        for f in [
            Figure(
                "mh_families",
                "Families given mental-health support",
                {"source": _choice(["contact", "referral"])},
                _families,
                [
                    Column("Family", lambda f: f"Family #{f.pk}"),
                    Column("Name", lambda f: f.display_name, lambda f: initials(f.display_name)),
                    Column(
                        "Preferred language",
                        lambda f: ", ".join(labels.field_labels(f, "preferred_language")),
                    ),
                    Column("State", lambda f: f.state),
                ],
                lambda f: _url("cases:family_detail", f.pk),
            ),
            Figure(
                "contacts",
                "Advocate contacts",
                {"purpose": _choice(cases_report.ContactPurpose.values), "month": _month},
                _contacts,
                [
                    Column("Started (New York time)", lambda c: _local(c.started_at)),
                    Column("Purpose", lambda c: c.get_purpose_display()),
                    Column("Channel", lambda c: c.get_channel_display()),
                    Column("Case", lambda c: c.case.reference),
                    Column("Advocate", lambda c: c.advocate.full_name or c.advocate.email),
                ],
                lambda c: _url("cases:contact_detail", c.pk),
            ),
            Figure(
                "cases",
                "New cases",
                {"case_type": _choice(cases_report.CaseType.values)},
                _cases,
                [
                    Column("Case", lambda c: c.reference),
                    Column("Type", lambda c: c.get_case_type_display()),
                    Column("Status", lambda c: c.get_status_display()),
                    Column("Opened (New York time)", lambda c: _local(c.opened_at)),
                ],
                lambda c: _url("cases:case_detail", c.pk),
            ),
            Figure(
                "faon_participants",
                "FAON providers",
                {"subset": _choice(subsets)},
                _providers,
                [
                    Column("Provider", lambda p: p.name),
                    Column("Kind", lambda p: p.get_kind_display()),
                    Column("Status now", lambda p: p.get_status_display()),
                    Column("State", lambda p: p.state),
                ],
                lambda p: _url("faon:provider_detail", p.pk),
            ),
            Figure(
                "faon_applications",
                "FAON applications received",
                {},
                _applications,
                [
                    Column("Application", lambda a: f"Application #{a.pk}"),
                    Column("Submitted (New York time)", lambda a: _local(a.submitted_at)),
                    Column("Provider status now", lambda a: a.provider.get_status_display()),
                ],
                lambda a: _url("faon:application_detail", a.pk),
            ),
            Figure(
                "peer_calls",
                "Team HOPE peer-support calls",
                {"month": _month},
                _peer_calls,
                [
                    Column("Call (New York time)", lambda c: _local(c.called_at)),
                    Column(
                        "Volunteer",
                        lambda c: str(c.match.volunteer),
                        lambda c: initials(str(c.match.volunteer)),
                    ),
                    Column("Minutes", lambda c: c.duration_minutes),
                    Column("Direction", lambda c: c.get_direction_display()),
                    Column("Escalated", lambda c: "yes" if c.escalated else "no"),
                ],
                lambda c: _url("teamhope:match_detail", c.match_id),
            ),
            Figure(
                "referrals",
                "Referrals sent",
                {
                    "service_type": _choice(referrals_report.SERVICE_TYPES.values),
                    "outcome": _choice(outcomes),
                },
                _referrals,
                [
                    Column("Referral", lambda r: f"Referral #{r.pk}"),
                    Column("Service", lambda r: r.get_service_type_display()),
                    Column("Status", lambda r: r.get_status_display()),
                    Column("Sent (New York time)", lambda r: _local(r.sent_at)),
                    Column(
                        "Response (hours)",
                        lambda r: "" if r.response_hours is None else round(r.response_hours, 1),
                    ),
                ],
                lambda r: _url("referrals:detail", r.pk),
            ),
            Figure(
                "legal",
                "Legal assistance requests",
                {
                    "requester_kind": _choice(referrals_report.RequesterKind.values),
                    "provided": _choice(referrals_report.LegalProvided.values),
                },
                _legal,
                [
                    Column("Request", lambda r: f"Legal request #{r.pk}"),
                    Column("Received", lambda r: r.received_on.isoformat()),
                    Column("Requester", lambda r: r.get_requester_kind_display()),
                    Column("Topic", lambda r: r.get_topic_display()),
                    Column("Status", lambda r: r.get_status_display()),
                ],
                lambda r: _url("referrals:legal_detail", r.pk),
            ),
            Figure(
                "travel",
                "Reunification travel requests",
                {"event": _choice([k for k, _ in reunification_report.TRAVEL_EVENTS])},
                _travel,
                [
                    Column("Request", lambda t: t.reference),
                    Column("Status", lambda t: t.get_status_display()),
                    Column("Purpose", lambda t: t.get_purpose_display()),
                    Column("International", lambda t: "yes" if t.is_international else "no"),
                    Column("Departure", lambda t: t.depart_on.isoformat()),
                ],
                lambda t: _url("reunification:detail", t.pk),
            ),
        ]
    }


def figure_get(key: str) -> Figure:
    figure = _registry().get(key)
    if figure is None:
        raise Http404("No such figure.")
    return figure


def parse_params(figure: Figure, query) -> dict[str, Any]:
    """The figure's parameters from the query string; anything malformed is a 404."""
    out: dict[str, Any] = {}
    for name, parse in figure.params.items():
        raw = query.get(name, "")
        if raw == "":
            continue
        try:
            out[name] = parse(raw)
        except (TypeError, ValueError) as exc:
            raise Http404("Bad parameter.") from exc
    return out


def describe(figure: Figure, params: dict[str, Any]) -> list[str]:
    """Human words for the parameters (for the page heading)."""
    from cases import report as cases_report

    words = []
    labels: dict[str, dict] = {
        "purpose": dict(cases_report.ContactPurpose.choices),
        "case_type": dict(cases_report.CaseType.choices),
    }
    for name, value in params.items():
        if name == "month":
            words.append(figures.MONTHS[value - 1])
        elif name in labels:
            words.append(str(labels[name].get(value, value)))
        else:
            words.append(str(value).replace("_", " "))
    return words
