"""Reads of referrals, agencies and legal requests, scoped to the user; provider matching.

Access (DESIGN.md): staff read every referral; advocates change referrals of their own
cases and of any open case, supervisors change all, administrators only read. A provider
user sees only referrals sent to a provider it manages (never drafts; anything else is a
404) and sees the family's contact only once it has accepted. Volunteers see nothing.

Matching ranks in SQL: a bounding box (indexable latitude/longitude ranges) prefilters,
then a haversine expression gives the distance, compared with each provider's own service
radius; telehealth in the family's state matches whatever the distance. Responsiveness of
the providers on the page comes from one aggregate query, so the page's query count does
not grow with the number of providers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    ASin,
    Coalesce,
    Cos,
    Greatest,
    Least,
    Power,
    Radians,
    Sin,
    Sqrt,
)
from django.utils import timezone, translation

from cases import restricted
from cases import selectors as case_selectors
from familysupport.lib import dates
from familysupport.lib.access import (
    ADMINISTRATOR,
    ADVOCATE,
    CASEWORKERS,
    PROVIDER,
    STAFF,
    SUPERVISOR,
    get_visible_or_404,
)
from familysupport.lib.expressions import AnyOf
from faon import selectors as faon_selectors
from faon.models import Discipline, FeeArrangement, Language, Provider, ServiceMode

from .models import Agency, LegalAssistanceRequest, Referral, ServiceType, ZipCentroid

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LAT = 69.0
# In-person matching looks no further than this, whatever radius a provider declares
# (keeps the bounding box small enough to use the latitude/longitude index).
MAX_RADIUS_MILES = 300
MATCH_LIMIT = 25

# Which FAON disciplines offer a service type (OTHER: any discipline).
SERVICE_DISCIPLINES: dict[str, list[str]] = {
    ServiceType.MENTAL_HEALTH: [
        Discipline.THERAPIST,
        Discipline.PSYCHOLOGIST,
        Discipline.PSYCHIATRIST,
        Discipline.SOCIAL_WORKER,
    ],
    ServiceType.PSYCHIATRIC: [Discipline.PSYCHIATRIST],
    ServiceType.LEGAL: [Discipline.ATTORNEY],
    ServiceType.SUPPORT: [Discipline.SUPPORT_ORGANISATION, Discipline.SOCIAL_WORKER],
}


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


# --- referrals: access -------------------------------------------------------------------


def can_change_referrals(user) -> bool:
    return _role(user) in CASEWORKERS


def can_write_referral(user, referral: Referral) -> bool:
    role = _role(user)
    if role == SUPERVISOR:
        return True
    if role == ADVOCATE:
        case = referral.case
        return case.assigned_advocate_id == user.pk or case.is_open
    return False


def can_refer_for_case(user, case) -> bool:
    role = _role(user)
    if role == SUPERVISOR:
        return True
    return role == ADVOCATE and (case.assigned_advocate_id == user.pk or case.is_open)


def referral_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[Referral]:
    """`with_restricted`: keep referrals of restricted families the user may not open
    (cases/restricted.py) — for counts only."""
    role = _role(user)
    base = Referral.objects.select_related("provider", "agency", "case")
    if role in STAFF:
        return base if with_restricted else restricted.exclude_hidden(base, user, "family_id")
    if role == PROVIDER:
        return base.filter(provider__managers=user).exclude(status=Referral.Status.DRAFT)
    return Referral.objects.none()


def referral_get_for_user(*, user, pk: int, write: bool = False) -> Referral:
    related = ("family", "case__assigned_advocate")
    return restricted.get_or_refuse(
        referral_list_visible_to(user=user).select_related(*related),
        referral_list_visible_to(user=user, with_restricted=True),
        family_of=lambda r: r.family_id,
        user=user,
        pk=pk,
        write=write,
        can_write=lambda r: can_write_referral(user, r),
    )


def referral_list_for_provider(*, user) -> QuerySet[Referral]:
    """A provider user's incoming referrals (no family joined: it may not see it yet)."""
    if _role(user) != PROVIDER:
        return Referral.objects.none()
    return (
        Referral.objects.filter(provider__managers=user)
        .exclude(status=Referral.Status.DRAFT)
        .select_related("provider")
        .distinct()
        .order_by("-sent_at", "-pk")
    )


def referral_get_for_provider(*, user, pk: int) -> Referral:
    """One incoming referral; 404 for any referral not sent to a provider the user manages.

    The family is not joined: `referral_family_for_provider` loads it only when released.
    """
    return get_visible_or_404(referral_list_for_provider(user=user), pk=pk)


def referral_family_for_provider(referral: Referral):
    """The family's contact for the provider, or None: only after the provider accepted and
    only while its FAON membership is active (suspended, lapsed or withdrawn: None)."""
    if not referral.contact_released:
        return None
    # With its safe-contact rules, in the same query: they are shown with the contact.
    return case_selectors.family_with_contact_rules(pk=referral.family_id)


def referral_list_filtered(*, user, status: str = "") -> QuerySet[Referral]:
    """The referral list, newest first, of one status (an unknown one filters nothing): the
    page and its export read the same rows."""
    qs = referral_list_visible_to(user=user).order_by("-created_at", "-pk")
    return qs.filter(status=status) if status in Referral.Status.values else qs


def referral_list_for_case(*, user, case) -> QuerySet[Referral]:
    return referral_list_visible_to(user=user).filter(case=case).select_related("created_by")


def referral_list_awaiting_answer(*, user) -> QuerySet[Referral]:
    """Sent referrals not answered yet: an advocate's own, everyone's for a supervisor."""
    qs = referral_list_visible_to(user=user).filter(status=Referral.Status.SENT)
    if _role(user) == ADVOCATE:
        # `case_id = ANY(ARRAY(<my cases>))`, not `case.assigned_advocate = me` across the
        # join: each sent referral is checked against one array, not joined to its case
        # (the advocate's home at 100,000 referrals: 20-36 ms → ≈ 2 ms).
        mine = ArraySubquery(
            case_selectors.case_list_visible_to(user=user, with_restricted=True)
            .filter(assigned_advocate=user)
            .order_by()
            .values("pk")
        )
        qs = qs.filter(Q(created_by=user) | Q(AnyOf(F("case_id"), mine)))
    return qs.order_by("respond_by", "pk")


def referral_list_for_provider_history(*, user, provider) -> QuerySet[Referral]:
    if _role(user) not in STAFF:
        return Referral.objects.none()
    return referral_list_visible_to(user=user).filter(provider=provider).order_by("-created_at")


def referral_events(referral: Referral):
    return referral.events.select_related("by").order_by("at", "pk")


def provider_get_for_staff(*, user, pk: int) -> Provider:
    if _role(user) not in STAFF:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return faon_selectors.provider_get_for_user(user=user, pk=pk)


# --- agencies and legal requests -----------------------------------------------------------

AGENCY_MANAGERS = frozenset({SUPERVISOR, ADMINISTRATOR, ADVOCATE})


def can_manage_agencies(user) -> bool:
    return _role(user) in AGENCY_MANAGERS


def agency_list_visible_to(*, user) -> QuerySet[Agency]:
    if _role(user) not in STAFF:
        return Agency.objects.none()
    return Agency.objects.all()


def agency_get_for_user(*, user, pk: int, write: bool = False) -> Agency:
    return get_visible_or_404(
        agency_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _a: can_manage_agencies(user),
    )


def can_change_legal(user) -> bool:
    return _role(user) in CASEWORKERS


def legal_request_list_visible_to(*, user) -> QuerySet[LegalAssistanceRequest]:
    if _role(user) not in STAFF:
        return LegalAssistanceRequest.objects.none()
    qs = LegalAssistanceRequest.objects.select_related("case", "handled_by")
    # Requests without a case stay (a legislator's question); those of a restricted family
    # the user may not open are left out like the family's other records.
    condition = restricted.not_hidden(user, "case__family_id")
    return qs if condition is None else qs.filter(Q(case__isnull=True) | condition)


def legal_request_get_for_user(*, user, pk: int, write: bool = False) -> LegalAssistanceRequest:
    return get_visible_or_404(
        legal_request_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _r: can_change_legal(user),
    )


def case_get_for_user(*, user, pk: int, write: bool = False):
    """A case through the cases app's selector (write = may refer for it)."""
    case = case_selectors.case_get_for_user(user=user, pk=pk)
    if write and not can_refer_for_case(user, case):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return case


# --- the family's side of a match ------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    zip_code: str
    latitude: float | None
    longitude: float | None
    city: str
    state: str

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def area_label(self) -> str:
        return ", ".join(p for p in (self.city, self.state) if p)


def zip_centroid(zip_code: str) -> ZipCentroid | None:
    code = (zip_code or "").strip()[:5]
    if len(code) != 5:
        return None
    return ZipCentroid.objects.filter(pk=code).first()


def origin_for_family(family) -> Origin:
    found = zip_centroid(family.zip_code)
    if found is None:
        return Origin(family.zip_code or "", None, None, family.city or "", family.state or "")
    return Origin(
        found.zip_code,
        found.latitude,
        found.longitude,
        found.city or family.city or "",
        found.state or family.state or "",
    )


def language_code(value: str) -> str:
    """A family's preferred language (code or name) as a FAON language code, or ''."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.lower() in Language.values:
        return value.lower()
    with translation.override("en"):  # stored names are English, whatever the page language
        for code, label in Language.choices:
            if str(label).lower() == value.lower():
                return code
    return ""


def child_ages(case, on: date | None = None) -> list[int]:
    """Ages of the case's children of concern whose date of birth is known (one query)."""
    from cases.models import Person

    on = on or timezone.localdate()
    births = Person.objects.filter(
        family_id=case.family_id, is_child_of_concern=True, date_of_birth__isnull=False
    ).values_list("date_of_birth", flat=True)
    ages = []
    for born in births:
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        ages.append(max(years, 0))
    return sorted(ages)


def age_range_label(ages: list[int]) -> str:
    if not ages:
        return "unknown"
    lo, hi = min(ages), max(ages)
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


# --- matching ------------------------------------------------------------------------------


@dataclass
class Criteria:
    service_type: str = ServiceType.MENTAL_HEALTH
    specialty: str = ""
    language: str = ""
    fee: str = ""
    insurance_plan: str = ""
    age_min: int | None = None
    age_max: int | None = None
    include_telehealth: bool = True
    kind: str = ""  # agencies: "agency" / "attorney" / "" for both


@dataclass
class Match:
    obj: Any  # a Provider or an Agency
    distance: float | None
    in_reach: bool
    via_telehealth: bool
    reasons: list[str] = field(default_factory=list)
    acceptance_rate: float | None = None
    median_response_hours: float | None = None
    referrals_answered: int = 0

    @property
    def pk(self) -> int:
        return self.obj.pk


class MedianSeconds(Aggregate):
    """PostgreSQL median of an interval, in seconds."""

    function = "PERCENTILE_CONT"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _haversine(lat, lng, origin: Origin):
    """Great-circle distance in miles between (lat, lng) expressions and the origin."""
    dlat = Radians(lat - Value(origin.latitude))
    dlng = Radians(lng - Value(origin.longitude))
    a = Power(Sin(dlat / 2), 2) + Cos(Radians(Value(origin.latitude))) * Cos(Radians(lat)) * Power(
        Sin(dlng / 2), 2
    )
    return ExpressionWrapper(
        Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(Value(1.0), a))),
        output_field=FloatField(),
    )


def _max_radius(qs: QuerySet) -> float:
    """The widest service radius in play: the bounding box need not be larger (one query)."""
    from django.db.models import Max

    return float(qs.aggregate(m=Max("service_radius_miles"))["m"] or 0)


def _bbox(origin: Origin, miles: float) -> tuple[float, float, float, float]:
    dlat = miles / MILES_PER_DEGREE_LAT
    assert origin.latitude is not None and origin.longitude is not None  # located origins only
    cos_lat = max(math.cos(math.radians(origin.latitude)), 0.01)
    dlng = miles / (MILES_PER_DEGREE_LAT * cos_lat)
    return (
        origin.latitude - dlat,
        origin.latitude + dlat,
        origin.longitude - dlng,
        origin.longitude + dlng,
    )


def _bbox_expr(origin: Origin, miles: Expression) -> tuple[Expression, ...]:
    """`_bbox` with the radius an SQL expression (an uncorrelated subquery): PostgreSQL runs
    it once, before the scan, and uses the bounds as index conditions."""
    miles = Least(miles, Value(float(MAX_RADIUS_MILES)), output_field=FloatField())
    assert origin.latitude is not None  # located origins only
    lat, lng = Value(origin.latitude), Value(origin.longitude)
    # cos(latitude) in SQL, not in Python: the origin enters the statement only as its two
    # coordinates, so the compiled statement can be reused for any origin (_match_rows).
    cos_lat = Greatest(Cos(Radians(lat)), Value(0.01), output_field=FloatField())
    dlat = ExpressionWrapper(miles / Value(MILES_PER_DEGREE_LAT), output_field=FloatField())
    dlng = ExpressionWrapper(
        miles / (Value(MILES_PER_DEGREE_LAT) * cos_lat), output_field=FloatField()
    )
    return (
        ExpressionWrapper(lat - dlat, output_field=FloatField()),
        ExpressionWrapper(lat + dlat, output_field=FloatField()),
        ExpressionWrapper(lng - dlng, output_field=FloatField()),
        ExpressionWrapper(lng + dlng, output_field=FloatField()),
    )


def _widest_provider_radius() -> Expression:
    """The widest service radius of any provider, as a subquery (index `provider_radius`):
    the bounding box need be no larger. Most radii are 10-50 miles, so the box holds a
    tenth of the providers the 300-mile one did (New York at 30,000 providers: 6,345
    rows checked → 915)."""
    widest = Provider.objects.order_by("-service_radius_miles").values("service_radius_miles")
    return Coalesce(
        Subquery(widest[:1], output_field=FloatField()), Value(0.0), output_field=FloatField()
    )


def _located(
    qs: QuerySet,
    origin: Origin,
    *,
    in_person_q: Q,
    max_radius: float | Expression = MAX_RADIUS_MILES,
) -> tuple[QuerySet, Q]:
    """Annotate distance / in_reach and return the "within its radius" condition.

    Rows without their own coordinates fall back to their ZIP's centroid. The condition
    starts with the bounding box on the raw (indexed) columns, so PostgreSQL can prefilter
    before computing any distance.
    """
    zip_lat = ZipCentroid.objects.filter(pk=OuterRef("zip_code")).values("latitude")[:1]
    zip_lng = ZipCentroid.objects.filter(pk=OuterRef("zip_code")).values("longitude")[:1]
    qs = qs.annotate(
        m_lat=Coalesce(F("latitude"), Subquery(zip_lat, output_field=FloatField())),
        m_lng=Coalesce(F("longitude"), Subquery(zip_lng, output_field=FloatField())),
    )
    if not origin.located:
        qs = qs.annotate(
            distance=Value(None, output_field=FloatField()),
            in_reach=Value(False, output_field=BooleanField()),
        )
        return qs, Q(pk__in=[])
    bounds: tuple[Any, ...]  # numbers, or SQL expressions for a radius read in the query
    if isinstance(max_radius, Expression):
        bounds = _bbox_expr(origin, max_radius)
    else:
        bounds = _bbox(origin, min(max_radius, MAX_RADIUS_MILES))
    lat_lo, lat_hi, lng_lo, lng_hi = bounds
    zips_in_box = ZipCentroid.objects.filter(
        latitude__range=(lat_lo, lat_hi), longitude__range=(lng_lo, lng_hi)
    ).values("pk")
    in_box = Q(latitude__range=(lat_lo, lat_hi), longitude__range=(lng_lo, lng_hi)) | Q(
        latitude__isnull=True, zip_code__in=zips_in_box
    )
    # Each row's own radius as a latitude band: cheap, and skips most distance computations.
    band = F("service_radius_miles") / Value(MILES_PER_DEGREE_LAT)
    own_band = Q(m_lat__gte=Value(origin.latitude) - band, m_lat__lte=Value(origin.latitude) + band)
    reach = in_box & in_person_q & own_band & Q(distance__lte=F("service_radius_miles"))
    qs = qs.annotate(distance=_haversine(F("m_lat"), F("m_lng"), origin)).annotate(
        in_reach=Case(
            When(reach, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
    return qs, reach


def _unindexed(array_column: str) -> Func:
    """The column as an expression no index matches: PostgreSQL tests it on the rows the
    selective conditions found instead of building a bitmap of most of the table."""
    return Func(
        F(array_column),
        template="array_cat(%(expressions)s, '{}')",
        output_field=ArrayField(CharField()),
    )


def _match_queryset(origin: Origin, criteria: Criteria, limit: int) -> QuerySet[Provider]:
    qs = faon_selectors.provider_list_offerable().filter(capacity__gt=0)
    disciplines = SERVICE_DISCIPLINES.get(criteria.service_type)
    if disciplines:
        # Checked on the rows the location found, never through its GIN index: nearly
        # every provider offers a mental-health discipline, and ANDing that 30,000-row
        # bitmap cost more than the whole rest of the search (bench: 44 of 125 ms).
        qs = qs.alias(fsp_disciplines=_unindexed("disciplines"))
        qs = qs.filter(fsp_disciplines__overlap=disciplines)
    if criteria.specialty:
        qs = qs.filter(specialties__contains=[criteria.specialty])
    if criteria.language:
        qs = qs.filter(languages__contains=[criteria.language])
    if criteria.fee:
        qs = qs.filter(fee_arrangements__contains=[criteria.fee])
        if criteria.fee == FeeArrangement.INSURANCE and criteria.insurance_plan:
            qs = qs.filter(insurance_plans__contains=[criteria.insurance_plan])
    if criteria.age_min is not None:
        qs = qs.filter(age_min__lte=criteria.age_min)
    if criteria.age_max is not None:
        qs = qs.filter(age_max__gte=criteria.age_max)

    qs, reach = _located(
        qs,
        origin,
        in_person_q=Q(service_modes__contains=[ServiceMode.IN_PERSON]),
        max_radius=_widest_provider_radius(),
    )
    telehealth = Q(pk__in=[])
    if criteria.include_telehealth and origin.state:
        # The states' index finds the few; "offers telehealth" (a third of all providers)
        # is checked on those rows, not ANDed as a bitmap (bench: 16-23 ms).
        qs = qs.alias(fsp_modes=_unindexed("service_modes"))
        telehealth = Q(
            fsp_modes__contains=[ServiceMode.TELEHEALTH],
            telehealth_states__contains=[origin.state],
        )
    qs = qs.annotate(
        via_telehealth=ExpressionWrapper(telehealth, output_field=BooleanField())
    ).filter(reach | telehealth)
    return qs.order_by(F("in_reach").desc(), F("distance").asc(nulls_last=True), "name", "pk")[
        :limit
    ]


# Building and compiling the match query's expression tree cost more than running it
# (bench: ≈ 15 ms of Python per search against 5-20 ms of SQL at 30,000 providers). The
# statement differs between searches only in its parameters, so it is compiled once per
# shape of search (which criteria are set, and the day: compliance is "as of today") with
# stand-in values, and each search substitutes its own values for the stand-ins.
_SENTINELS: dict[str, Any] = {
    "latitude": 11.123456789012,
    "longitude": -111.98765432101,
    "state": "\x1fstate",
    "specialty": "\x1fspecialty",
    "language": "\x1flanguage",
    "insurance_plan": "\x1finsurance_plan",
    "age_min": 32_001,  # within the column's range (out of it, Django empties the query)
    "age_max": 32_002,
}
_compiled_matches: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def _match_shape(origin: Origin, criteria: Criteria, limit: int) -> tuple[Any, ...]:
    fee = criteria.fee
    return (
        dates.today(),
        limit,
        criteria.service_type,
        bool(criteria.specialty),
        bool(criteria.language),
        fee,  # one of a few values, written into the statement as it is
        bool(criteria.insurance_plan),
        criteria.age_min is None,
        criteria.age_max is None,
        criteria.include_telehealth and bool(origin.state),
    )


def _flatten(params: Any) -> list[Any]:
    out: list[Any] = []
    for p in params:
        out.extend(_flatten(p) if isinstance(p, list | tuple) else [p])
    return out


def _substitute(value: Any, actual: dict[Any, Any]) -> Any:
    if isinstance(value, list | tuple):
        return type(value)(_substitute(v, actual) for v in value)
    try:
        return actual.get(value, value)
    except TypeError:  # not hashable: not a stand-in
        return value


def _match_rows(origin: Origin, criteria: Criteria, limit: int) -> list[Provider]:
    """The match query's rows, from a statement compiled once per shape of search."""
    if not origin.located or criteria.fee not in ("", *FeeArrangement.values):
        return list(_match_queryset(origin, criteria, limit))
    shape = _match_shape(origin, criteria, limit)
    compiled = _compiled_matches.get(shape)
    if compiled is None:
        stand_in = Origin(
            origin.zip_code,
            _SENTINELS["latitude"],
            _SENTINELS["longitude"],
            origin.city,
            # The state is in the statement only for telehealth.
            _SENTINELS["state"] if origin.state and criteria.include_telehealth else "",
        )
        stand_in_criteria = Criteria(
            service_type=criteria.service_type,
            specialty=_SENTINELS["specialty"] if criteria.specialty else "",
            language=_SENTINELS["language"] if criteria.language else "",
            fee=criteria.fee,
            insurance_plan=_SENTINELS["insurance_plan"] if criteria.insurance_plan else "",
            age_min=None if criteria.age_min is None else _SENTINELS["age_min"],
            age_max=None if criteria.age_max is None else _SENTINELS["age_max"],
            include_telehealth=criteria.include_telehealth,
        )
        try:
            sql, params = _match_queryset(
                stand_in, stand_in_criteria, limit
            ).query.sql_with_params()
        except EmptyResultSet:  # nothing can match (e.g. no discipline offers the service)
            return []
        used = {
            v
            for k, v in _SENTINELS.items()
            if getattr(stand_in, k, None) == v or getattr(stand_in_criteria, k, None) == v
        }
        found = set(_flatten(params))
        if not used <= found or any(str(v) in sql for v in used):
            # A stand-in was folded into the SQL text: compile this search as it is.
            return list(_match_queryset(origin, criteria, limit))
        compiled = (sql, list(params))
        if len(_compiled_matches) > 256:  # shapes are few; a bound all the same
            _compiled_matches.clear()
        _compiled_matches[shape] = compiled
    sql, stand_in_params = compiled
    actual = {
        _SENTINELS["latitude"]: origin.latitude,
        _SENTINELS["longitude"]: origin.longitude,
        _SENTINELS["state"]: origin.state,
        _SENTINELS["specialty"]: criteria.specialty,
        _SENTINELS["language"]: criteria.language,
        _SENTINELS["insurance_plan"]: criteria.insurance_plan,
        _SENTINELS["age_min"]: criteria.age_min,
        _SENTINELS["age_max"]: criteria.age_max,
    }
    return list(Provider.objects.raw(sql, [_substitute(p, actual) for p in stand_in_params]))


def provider_match(*, origin: Origin, criteria: Criteria, limit: int = MATCH_LIMIT) -> list[Match]:
    """Rank offerable FAON providers for a family: two queries whatever the provider count."""
    rows = _match_rows(origin, criteria, limit)
    stats = provider_responsiveness([p.pk for p in rows])
    matches = []
    for p in rows:
        m = Match(obj=p, distance=p.distance, in_reach=p.in_reach, via_telehealth=p.via_telehealth)  # type: ignore[attr-defined]  # from .annotate()
        m.reasons = _provider_reasons(p, criteria)
        s = stats.get(p.pk)
        if s:
            m.acceptance_rate = s["rate"]
            m.median_response_hours = s["median_hours"]
            m.referrals_answered = s["decided"]
        matches.append(m)
    return matches


def _provider_reasons(p: Provider, c: Criteria) -> list[str]:
    reasons = []
    if p.in_reach and p.distance is not None:  # type: ignore[attr-defined]  # from .annotate()
        reasons.append(f"{p.distance:.1f} miles away (serves {p.service_radius_miles} mi)")  # type: ignore[attr-defined]  # from .annotate()
    elif p.via_telehealth:  # type: ignore[attr-defined]  # from .annotate()
        where = f", {p.distance:.0f} miles away" if p.distance is not None else ""  # type: ignore[attr-defined]  # from .annotate()
        reasons.append(f"Telehealth in the family's state{where}")
    if c.specialty:
        reasons.append(f"Specialty: {_label(c.specialty, 'specialty')}")
    if c.language:
        reasons.append(f"Speaks {Language(c.language).label}")
    if c.fee:
        fee = str(FeeArrangement(c.fee).label)
        if c.fee == FeeArrangement.INSURANCE and c.insurance_plan:
            fee = f"Takes {c.insurance_plan}"
        reasons.append(fee)
    if c.age_min is not None:
        reasons.append(f"Serves ages {p.age_min}-{p.age_max}")
    return reasons


def _label(value: str, kind: str) -> str:
    from faon.models import Specialty

    try:
        return str(Specialty(value).label)
    except ValueError:
        return value


def provider_responsiveness(provider_ids: list[int]) -> dict[int, dict]:
    """Acceptance rate and median response time per provider, in one aggregate query."""
    if not provider_ids:
        return {}
    answered = Q(responded_at__isnull=False)
    decided = answered | Q(status=Referral.Status.EXPIRED) | Q(expired_at__isnull=False)
    rows = (
        Referral.objects.filter(provider_id__in=provider_ids, sent_at__isnull=False)
        .values("provider_id")
        .annotate(
            decided=Count("pk", filter=decided),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            median_seconds=MedianSeconds(
                ExpressionWrapper(F("responded_at") - F("sent_at"), output_field=DurationField()),
                filter=answered,
            ),
        )
        .order_by()
    )
    out = {}
    for r in rows:
        rate = (r["accepted"] / r["decided"]) if r["decided"] else None
        med = r["median_seconds"]
        out[r["provider_id"]] = {
            "decided": r["decided"],
            "rate": rate,
            "median_hours": (med / 3600) if med is not None else None,
        }
    return out


def agency_match(*, origin: Origin, criteria: Criteria, limit: int = MATCH_LIMIT) -> list[Match]:
    """The same search over the staff-managed directory of agencies and attorneys."""
    qs: QuerySet[Any] = Agency.objects.filter(is_active=True)
    if criteria.kind:
        qs = qs.filter(kind=criteria.kind)
    if criteria.service_type and criteria.service_type != ServiceType.OTHER:
        qs = qs.filter(services__contains=[criteria.service_type])
    if criteria.language:
        qs = qs.filter(languages__contains=[criteria.language])
    qs, reach = _located(
        qs, origin, in_person_q=Q(), max_radius=_max_radius(Agency.objects.filter(is_active=True))
    )
    remote = Q(pk__in=[])
    if criteria.include_telehealth and origin.state:
        remote = Q(remote_states__contains=[origin.state])
    qs = qs.annotate(via_telehealth=ExpressionWrapper(remote, output_field=BooleanField())).filter(
        reach | remote
    )
    rows = list(
        qs.order_by(F("in_reach").desc(), F("distance").asc(nulls_last=True), "name", "pk")[:limit]
    )
    matches = []
    for a in rows:
        reasons = []
        if a.in_reach and a.distance is not None:
            reasons.append(f"{a.distance:.1f} miles away (serves {a.service_radius_miles} mi)")
        elif a.via_telehealth:
            reasons.append("Serves the family's state remotely")
        if criteria.language:
            reasons.append(f"Speaks {Language(criteria.language).label}")
        reasons.append(a.get_kind_display())
        matches.append(
            Match(
                obj=a,
                distance=a.distance,
                in_reach=a.in_reach,
                via_telehealth=a.via_telehealth,
                reasons=reasons,
            )
        )
    return matches


def provider_offerable_get(*, pk: int) -> Provider | None:
    """The provider if it may be offered right now (compliant, accepting, not full)."""
    return faon_selectors.provider_list_offerable().filter(pk=pk, capacity__gt=0).first()


def referred_recipients_for_case(case) -> tuple[set[int], set[int]]:
    """Providers and agencies this case was already referred to (for re-referral)."""
    rows = Referral.objects.filter(case=case).values_list("provider_id", "agency_id")
    providers = {p for p, _ in rows if p}
    agencies = {a for _, a in rows if a}
    return providers, agencies
