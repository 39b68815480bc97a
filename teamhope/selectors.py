"""Reads of Team HOPE records, always scoped to what the user may see.

Staff (advocates, supervisors, administrators) see the roster, matches and calls.
A volunteer sees only its own active matches, and of a family only what a peer parent
needs to call: the contact's first name, language, time zone, phone and safe-contact
preferences (`FamilyCard`), never the case.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf.locale import LANG_INFO
from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import contact_rules, restricted
from cases.models import Case
from familysupport.lib.access import (
    ADMINISTRATOR,
    CASEWORKERS,
    STAFF,
    SUPERVISOR,
    VOLUNTEER,
    get_visible_or_404,
    has_role,
)

from . import conf
from .models import Escalation, PeerCall, PeerMatch, Volunteer

ROSTER_MANAGERS = frozenset({SUPERVISOR, ADMINISTRATOR})
MATCHMAKERS = CASEWORKERS | {ADMINISTRATOR}

MISSING_TYPES = frozenset(
    {
        Case.Type.ENDANGERED_RUNAWAY,
        Case.Type.FAMILY_ABDUCTION,
        Case.Type.NONFAMILY_ABDUCTION,
        Case.Type.LOST_INJURED_MISSING,
    }
)
EXPLOITATION_TYPES = frozenset(
    {Case.Type.CSAM, Case.Type.ONLINE_ENTICEMENT, Case.Type.SEX_TRAFFICKING}
)


# --- who may do what -------------------------------------------------------------------


def can_manage_roster(user) -> bool:
    return has_role(user, ROSTER_MANAGERS)


def can_match(user) -> bool:
    """Advocates and supervisors make and end matches (case work); administrators too.

    DESIGN.md gives administrators RW on "Team HOPE roster & matches", though they only
    read cases: a match is Team HOPE's record, so making one does not change the case.
    """
    return has_role(user, MATCHMAKERS)


def can_handle_escalations(user) -> bool:
    return has_role(user, CASEWORKERS)


def can_read_call_notes(user) -> bool:
    """The volunteer's short note is peer-support space: the volunteer and supervisors only."""
    return has_role(user, {SUPERVISOR})


# --- helpers ---------------------------------------------------------------------------


def language_name(code: str) -> str:
    code = (code or "").strip()
    info = LANG_INFO.get(code.lower())
    return info["name"] if info and "name" in info else code


@lru_cache(maxsize=512)
def _tz(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def utc_offset_hours(tz_name: str, at: dt.datetime | None = None) -> float | None:
    tz = _tz(tz_name)
    if tz is None:
        return None
    offset = (at or timezone.now()).astimezone(tz).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def match_blockers(volunteer: Volunteer, *, active: int, today: dt.date | None = None) -> list[str]:
    """Why the volunteer cannot take a new family now (empty list: can be matched)."""
    today = today or timezone.localdate()
    years = conf.check_valid_years()
    cutoff = _years_before(today, years)
    reasons: list[str] = []
    if volunteer.status != Volunteer.Status.ACTIVE:
        reasons.append(f"Status is {volunteer.get_status_display().lower()}.")
    if volunteer.training_completed_on is None:
        reasons.append("Volunteer training not recorded.")
    elif volunteer.training_completed_on < cutoff:
        reasons.append(f"Volunteer training is more than {years} years old.")
    if volunteer.background_check_on is None:
        reasons.append("Background check not recorded.")
    elif volunteer.background_check_on < cutoff:
        reasons.append(f"Background check is more than {years} years old.")
    if active >= volunteer.capacity:
        reasons.append(f"At capacity ({active} of {volunteer.capacity} families).")
    return reasons


def _with_active_count(qs: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    return qs.annotate(
        active_count=Count("matches", filter=Q(matches__ended_at__isnull=True), distinct=True)
    )


# --- volunteers ------------------------------------------------------------------------


def volunteer_list_visible_to(*, user) -> QuerySet[Volunteer]:
    if not has_role(user, STAFF):
        return Volunteer.objects.none()
    # Aggregation drops Meta.ordering, so order explicitly (stable pagination).
    return _with_active_count(Volunteer.objects.select_related("user")).order_by(
        "user__full_name", "pk"
    )


def volunteer_get_for_user(*, user, pk: int, write: bool = False) -> Volunteer:
    return get_visible_or_404(
        volunteer_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _v: can_manage_roster(user),
    )


def volunteer_for_user(*, user) -> Volunteer | None:
    """The signed-in volunteer's own profile (None if the roster has none yet)."""
    if not has_role(user, {VOLUNTEER}):
        return None
    return Volunteer.objects.filter(user=user).first()


def volunteers_near_capacity(*, user) -> list[Volunteer]:
    qs = volunteer_list_visible_to(user=user).filter(status=Volunteer.Status.ACTIVE)
    slack = conf.near_capacity_free_slots()
    rows = [v for v in qs if v.capacity - v.active_count <= slack]  # type: ignore[attr-defined]  # from .annotate()
    return sorted(rows, key=lambda v: (v.capacity - v.active_count, str(v)))  # type: ignore[attr-defined]  # from .annotate()


# --- matches ---------------------------------------------------------------------------


def match_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[PeerMatch]:
    if has_role(user, STAFF):
        qs = PeerMatch.objects.select_related(
            "volunteer__user", "family", "case", "created_by", "ended_by"
        )
        # Staff who may not open a restricted family do not see its matches either.
        return qs if with_restricted else restricted.exclude_hidden(qs, user, "family_id")
    return PeerMatch.objects.none()


def match_get_for_user(*, user, pk: int, write: bool = False) -> PeerMatch:
    return restricted.get_or_refuse(
        match_list_visible_to(user=user),
        match_list_visible_to(user=user, with_restricted=True),
        family_of=lambda m: m.family_id,
        user=user,
        pk=pk,
        write=write,
        can_write=lambda _m: can_match(user),
    )


def matches_for_case(*, user, case: Case) -> QuerySet[PeerMatch]:
    return match_list_visible_to(user=user).filter(case=case)


def active_match_for_family(*, family_id: int) -> PeerMatch | None:
    return (
        PeerMatch.objects.select_related("volunteer__user")
        .filter(family_id=family_id, ended_at__isnull=True)
        .first()
    )


# What a volunteer may still reach of a match: it is active, the family still consents to
# Team HOPE contact, and the family was not merged into another (its record is a redirect).
# A withdrawal or a merge hides the family at once, even before the match is ended.
VOLUNTEER_MAY_SEE = Q(
    ended_at__isnull=True,
    family__consent_team_hope_contact=True,
    family__merged_into__isnull=True,
)


def _own_matches(user) -> QuerySet[PeerMatch]:
    if not has_role(user, {VOLUNTEER}):
        return PeerMatch.objects.none()
    return PeerMatch.objects.filter(VOLUNTEER_MAY_SEE, volunteer__user=user)


def match_get_for_volunteer(*, user, pk: int) -> PeerMatch:
    """The volunteer's own active match (404 for anyone else's, or an ended one)."""
    return get_visible_or_404(_own_matches(user).select_related("volunteer"), pk=pk)


@dataclass(frozen=True)
class FamilyCard:
    """Everything a volunteer sees of a matched family — and nothing else."""

    match_id: int
    first_name: str
    language: str
    time_zone: str
    phone: str
    safe_contact_notes: str
    started_at: dt.datetime
    last_call_at: dt.datetime | None
    calls: int
    # The family's safe-contact rules as they apply to a volunteer (cases/contact_rules.py).
    contact_rule: contact_rules.RuleView | None = None


_CARD_FIELDS = (
    "pk",
    "family__contact_first_name",
    "family__preferred_language",
    "family__time_zone",
    "family__phone",
    "family__safe_contact_notes",
    "started_at",
    *contact_rules.values_fields("family__"),
)


def _card(row: dict) -> FamilyCard:
    return FamilyCard(
        match_id=row["pk"],
        first_name=row["family__contact_first_name"] or "(first name not recorded)",
        language=language_name(row["family__preferred_language"]),
        time_zone=row["family__time_zone"],
        phone=row["family__phone"],
        safe_contact_notes=row["family__safe_contact_notes"],
        started_at=row["started_at"],
        last_call_at=row["last_call_at"],
        calls=row["calls_count"],
        contact_rule=contact_rules.view_from_values(
            row,
            "family__contact_rules__",
            audience=contact_rules.VOLUNTEER_AUDIENCE,
            tz_name=row["family__time_zone"],
            notes=row["family__safe_contact_notes"],
        ),
    )


def _card_rows(user) -> QuerySet:
    # values(): only these columns leave the database; the template cannot reach the case.
    return (
        _own_matches(user)
        .values(*_CARD_FIELDS)
        .annotate(last_call_at=Max("calls__called_at"), calls_count=Count("calls"))
        .order_by("family__contact_first_name", "pk")
    )


def family_cards_for_volunteer(*, user) -> list[FamilyCard]:
    return [_card(row) for row in _card_rows(user)]


def family_card_for_volunteer(*, user, pk: int) -> FamilyCard:
    return _card(get_visible_or_404(_card_rows(user), pk=pk))


# --- calls -----------------------------------------------------------------------------


def call_list_visible_to(*, user) -> QuerySet[PeerCall]:
    if has_role(user, STAFF):
        qs = PeerCall.objects.select_related("match__volunteer__user")
        return restricted.exclude_hidden(qs, user, "match__family_id")
    if has_role(user, {VOLUNTEER}):
        # The family's first name only while the volunteer may see the family; afterwards
        # (ended, consent withdrawn, merged) the call stays in the history naming no one.
        return PeerCall.objects.filter(match__volunteer__user=user).annotate(
            first_name=DbCase(
                When(
                    Q(
                        match__ended_at__isnull=True,
                        match__family__consent_team_hope_contact=True,
                        match__family__merged_into__isnull=True,
                    ),
                    then=F("match__family__contact_first_name"),
                ),
                default=Value(""),
            )
        )
    return PeerCall.objects.none()


def calls_for_match(*, user, match: PeerMatch) -> QuerySet[PeerCall]:
    return call_list_visible_to(user=user).filter(match=match)


@dataclass
class MonthlyRow:
    volunteer: Volunteer
    counts: list[int]
    total: int


def calls_per_volunteer_month(*, user, year: int) -> tuple[list[dt.date], list[MonthlyRow]]:
    """Calls per volunteer per month of `year`, counted in the database (2 queries)."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    if not has_role(user, STAFF):
        return months, []
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    counts = (
        PeerCall.objects.filter(called_at__gte=start, called_at__lt=end)
        .annotate(month=TruncMonth("called_at"))
        .values("match__volunteer_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[int, list[int]] = {}
    for row in counts:
        table.setdefault(row["match__volunteer_id"], [0] * 12)[row["month"].month - 1] = row["n"]
    volunteers = Volunteer.objects.select_related("user").filter(pk__in=table.keys())
    rows = [MonthlyRow(v, table[v.pk], sum(table[v.pk])) for v in volunteers]
    return months, rows


# --- families waiting ------------------------------------------------------------------


def cases_waiting_for_match(*, user) -> QuerySet[Case]:
    """Open cases of consenting families that have no active peer match."""
    from cases import selectors as case_selectors

    # NOT EXISTS, not NOT IN (subquery): PostgreSQL turns it into an anti-join that probes
    # the one-active-match-per-family index, instead of hashing every active match first
    # (110-180 ms on the supervisor's home at 250,000 families).
    has_active_match = PeerMatch.objects.filter(
        family_id=OuterRef("family_id"), ended_at__isnull=True
    )
    return (
        case_selectors.case_list_visible_to(user=user)
        .filter(family__consent_team_hope_contact=True, family__merged_into__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .filter(~Exists(has_active_match))
        .order_by("opened_at", "pk")
    )


# --- suggestions -----------------------------------------------------------------------


@dataclass
class Suggestion:
    volunteer: Volunteer
    score: int
    reasons: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)

    @property
    def free(self) -> int:
        return max(self.volunteer.capacity - self.volunteer.active_count, 0)  # type: ignore[attr-defined]  # from .annotate()


def _kind(case_type: str) -> str:
    if case_type in MISSING_TYPES:
        return "missing"
    if case_type in EXPLOITATION_TYPES:
        return "exploitation"
    return "recovered"


def _score(volunteer: Volunteer, case: Case, now: dt.datetime) -> tuple[int, list[str]]:
    score, reasons = 0, []
    labels = dict(Case.Type.choices)
    if case.case_type in volunteer.experience_types:
        score += 40
        reasons.append(f"Same experience: {labels.get(case.case_type, case.case_type)}.")
    elif any(_kind(t) == _kind(case.case_type) for t in volunteer.experience_types):
        score += 20
        reasons.append(f"Related experience ({_kind(case.case_type)}).")
    else:
        reasons.append("No matching lived experience.")
    if case.case_type == Case.Type.RECOVERED_FOLLOW_UP:
        if volunteer.experience_outcome == Volunteer.Outcome.RECOVERED:
            score += 10
            reasons.append("Their child was recovered too.")
    elif case.case_type in MISSING_TYPES and volunteer.experience_outcome == "missing":
        score += 10
        reasons.append("Knows living with a child still missing.")
    family_lang = (case.family.preferred_language or "").strip().lower()
    if family_lang and family_lang in {lang.lower() for lang in volunteer.languages}:
        score += 30
        reasons.append(f"Speaks {language_name(family_lang)}.")
    else:
        reasons.append(f"Does not list {language_name(family_lang) or 'the family language'}.")
    a = utc_offset_hours(volunteer.time_zone, now)
    b = utc_offset_hours(case.family.time_zone, now)
    if a is None or b is None:
        reasons.append("Time zone unknown.")
    else:
        apart = abs(a - b)
        score += max(0, 15 - round(apart * 3))
        reasons.append("Same time zone." if apart == 0 else f"{apart:g} h time difference.")
    free = max(volunteer.capacity - volunteer.active_count, 0)  # type: ignore[attr-defined]  # from .annotate()
    score += min(free, 3) * 5
    reasons.append(f"{free} of {volunteer.capacity} places free.")
    return score, reasons


def match_suggestions(*, user, case: Case) -> tuple[list[Suggestion], list[Suggestion]]:
    """(suggested best first, not matchable with reasons) for the case; one query."""
    if not has_role(user, STAFF):
        return [], []
    now = timezone.now()
    today = timezone.localdate()
    ready: list[Suggestion] = []
    blocked: list[Suggestion] = []
    qs = volunteer_list_visible_to(user=user).exclude(status=Volunteer.Status.RETIRED)
    for volunteer in qs:
        score, reasons = _score(volunteer, case, now)
        item = Suggestion(volunteer, score, reasons)
        item.blockers = match_blockers(volunteer, active=volunteer.active_count, today=today)  # type: ignore[attr-defined]  # from .annotate()
        (blocked if item.blockers else ready).append(item)
    ready.sort(key=lambda s: (-s.score, str(s.volunteer)))
    blocked.sort(key=lambda s: str(s.volunteer))
    return ready, blocked


# --- escalations -----------------------------------------------------------------------


def escalation_list_visible_to(*, user) -> QuerySet[Escalation]:
    if has_role(user, STAFF):
        qs = Escalation.objects.select_related(
            "match__case",
            "match__volunteer__user",
            "raised_by",
            "advocate_notified",
            "acknowledged_by",
            "resolved_by",
        )
        return restricted.exclude_hidden(qs, user, "match__family_id")
    return Escalation.objects.none()


def escalation_get_for_user(*, user, pk: int, write: bool = False) -> Escalation:
    return get_visible_or_404(
        escalation_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _e: can_handle_escalations(user),
    )


def escalation_get_for_volunteer(*, user, pk: int) -> Escalation:
    """A volunteer sees the escalations it raised on its own matches."""
    if not has_role(user, {VOLUNTEER}):
        return get_visible_or_404(Escalation.objects.none(), pk=pk)
    return get_visible_or_404(
        Escalation.objects.filter(raised_by=user, match__volunteer__user=user), pk=pk
    )


def escalations_open(*, user) -> QuerySet[Escalation]:
    return escalation_list_visible_to(user=user).filter(resolved_at__isnull=True)
