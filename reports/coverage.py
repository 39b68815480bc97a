"""Where families need a provider and there is none: demand against offerable supply.

Demand: families with a case open at some point in the period whose case needs include
the service, by state and, inside a state, by 3-digit ZIP prefix (ZIP3). A family is
*reachable* when at least one offerable FAON member (faon.selectors.provider_list_offerable:
active, accepting, credentials current) of a discipline giving that service has free
capacity and either sees people in person with the family's ZIP centroid inside its own
service radius, or offers telehealth in the family's state. The gap is the families that
are not reachable. Supply per area: offerable members located in the state (in person)
plus those offering telehealth there, and their free places.

The work is a handful of queries and a distance check per distinct family ZIP against the
in-person members in a latitude band (bisect), so it stays linear in families and ZIPs.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from cases import report as cases_report
from familysupport.lib import dates
from faon import report as faon_report
from faon import selectors as faon_selectors
from referrals import report as referrals_report
from referrals import selectors as referral_selectors

from . import disclosure

STATE_NAMES = dict(faon_report.STATES)
ServiceType = referrals_report.SERVICE_TYPES
ServiceMode = faon_report.ServiceMode
ProviderStatus = faon_report.Status
EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LAT = 69.0


@dataclass(frozen=True)
class Service:
    key: str
    label: str
    need: str  # cases.models.Contact.Need value recorded on the case
    disciplines: tuple[str, ...]


SERVICES = {
    s.key: s
    for s in (
        Service(
            "mental_health",
            "Mental health",
            "mental_health",
            tuple(referral_selectors.SERVICE_DISCIPLINES[ServiceType.MENTAL_HEALTH]),
        ),
        Service(
            "legal",
            "Legal help",
            "legal",
            tuple(referral_selectors.SERVICE_DISCIPLINES[ServiceType.LEGAL]),
        ),
        Service(
            "peer_support",
            "Family support",
            "peer_support",
            tuple(referral_selectors.SERVICE_DISCIPLINES[ServiceType.SUPPORT]),
        ),
    )
}

# Fill classes by the share of families without a provider (legend order).
GAP_CLASSES = [
    ("gap-none", "No families with this need", None),
    ("gap-0", "Every family can be offered a provider", 0.0),
    ("gap-1", "Up to a quarter without a provider", 0.25),
    ("gap-2", "Up to half without a provider", 0.5),
    ("gap-3", "More than half without a provider", 1.0),
]
SUPPRESSED_CLASS = ("gap-few", "Fewer than 10 families (not shown)")


def gap_class(demand: int, uncovered: int) -> str:
    if demand == 0:
        return "gap-none"
    share = uncovered / demand
    if share == 0:
        return "gap-0"
    if share <= 0.25:
        return "gap-1"
    if share <= 0.5:
        return "gap-2"
    return "gap-3"


@dataclass
class Area:
    key: str  # "NY" or "NY-100"
    state: str
    zip3: str = ""
    demand: int = 0
    uncovered: int = 0
    providers_in_person: int = 0
    providers_telehealth: int = 0
    free_places: int = 0
    family_ids: list[int] = field(default_factory=list)  # the uncovered ones
    point: tuple[float, float] | None = None  # ZIP3 centroid (lon, lat)

    @property
    def label(self) -> str:
        name = STATE_NAMES.get(self.state, self.state or "State unknown")
        if self.zip3:
            return f"ZIP {self.zip3}xx" if self.zip3 != "?" else f"{name}: ZIP unknown"
        return name

    @property
    def covered(self) -> int:
        return self.demand - self.uncovered

    @property
    def gap_class(self) -> str:
        return gap_class(self.demand, self.uncovered)


@dataclass
class Coverage:
    service: Service
    start: date
    end: date
    state: str  # "" for the national view
    areas: list[Area]  # states, or the chosen state's ZIP3 areas
    total: Area

    def area(self, key: str) -> Area | None:
        return next((a for a in self.areas if a.key == key), None)


@dataclass
class _Member:
    pk: int
    state: str
    lat: float | None
    lng: float | None
    radius: int
    capacity: int
    in_person: bool
    telehealth_states: frozenset[str]


def _miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def _centroids(zips) -> dict[str, tuple[float, float, str]]:
    return referrals_report.zip_centroids(zips)


def _members(service: Service, on: date) -> list[_Member]:
    rows = list(
        faon_selectors.provider_list_offerable(on=on)
        .filter(capacity__gt=0, disciplines__overlap=list(service.disciplines))
        .values_list(
            "pk",
            "state",
            "latitude",
            "longitude",
            "zip_code",
            "service_radius_miles",
            "capacity",
            "service_modes",
            "telehealth_states",
        )
    )
    zips = _centroids(r[4] for r in rows if r[2] is None)
    out = []
    for pk, state, lat, lng, zip_code, radius, capacity, modes, tele in rows:
        if lat is None and zip_code in zips:
            lat, lng = zips[zip_code][:2]
        out.append(
            _Member(
                pk,
                state,
                lat,
                lng,
                radius,
                capacity,
                ServiceMode.IN_PERSON in modes,
                frozenset(tele if ServiceMode.TELEHEALTH in modes else ()),
            )
        )
    return out


class _Reach:
    """Which ZIP centroids some in-person member reaches (each member's own radius)."""

    def __init__(self, members: list[_Member]):
        located = sorted((m.lat, m.lng, m.radius) for m in members if m.in_person and m.lat)
        self.lats = [m[0] for m in located]
        self.members = located
        self.band = max((m[2] for m in located), default=0) / MILES_PER_DEGREE_LAT

    def reaches(self, lat: float, lng: float) -> bool:
        lo = bisect.bisect_left(self.lats, lat - self.band)
        hi = bisect.bisect_right(self.lats, lat + self.band)
        return any(
            _miles(lat, lng, mlat, mlng) <= radius for mlat, mlng, radius in self.members[lo:hi]
        )


def _demand(service: Service, start: date, end: date) -> list[tuple[int, str, str]]:
    """(family id, state, ZIP) of each family needing the service in the period."""
    start_at = datetime.combine(start, time.min, tzinfo=dates.division_tz())
    end_at = datetime.combine(end, time.max, tzinfo=dates.division_tz())
    return cases_report.families_needing(service.need, start_at, end_at)


def coverage(*, service: str, start: date, end: date, state: str = "") -> Coverage:
    svc = SERVICES[service]
    families = _demand(svc, start, end)
    members = _members(svc, min(end, dates.today()))
    centroids = _centroids(z for _, _, z in families if z)
    reach = _Reach(members)
    telehealth: dict[str, int] = defaultdict(int)
    in_person: dict[str, int] = defaultdict(int)
    places: dict[str, int] = defaultdict(int)
    for m in members:
        states = set(m.telehealth_states)
        for st in m.telehealth_states:
            telehealth[st] += 1
        if m.in_person:
            in_person[m.state] += 1
            states.add(m.state)
        for st in states:
            places[st] += m.capacity

    reached_zip: dict[str, bool] = {}
    areas: dict[str, Area] = {}
    total = Area("total", "")
    for family_id, fam_state, zip_code in families:
        where = centroids.get(zip_code)
        st = (fam_state or (where[2] if where else "")).upper()
        if state and st != state:
            continue
        if where and zip_code not in reached_zip:
            reached_zip[zip_code] = reach.reaches(where[0], where[1])
        ok = telehealth.get(st, 0) > 0 or reached_zip.get(zip_code, False)
        key = f"{st}-{zip_code[:3] if where else '?'}" if state else st
        area = areas.get(key)
        if area is None:
            area = areas[key] = Area(key, st, (zip_code[:3] if where else "?") if state else "")
        for a in (area, total):
            a.demand += 1
            if not ok:
                a.uncovered += 1
                a.family_ids.append(family_id)

    if not state:  # every mapped state gets a row, demand or not
        for code in STATE_NAMES:
            areas.setdefault(code, Area(code, code))
    for a in areas.values():
        a.providers_in_person = in_person.get(a.state, 0)
        a.providers_telehealth = telehealth.get(a.state, 0)
        a.free_places = places.get(a.state, 0)
    if state:
        _place_zip3(state, areas)
        total.state = state
        total.providers_in_person = in_person.get(state, 0)
        total.providers_telehealth = telehealth.get(state, 0)
        total.free_places = places.get(state, 0)
    ordered = sorted(areas.values(), key=lambda a: a.label if not state else a.key)
    return Coverage(svc, start, end, state, ordered, total)


def listed(cov: Coverage) -> list[Area]:
    """The table's rows: areas with families or members (the rest share one footnote)."""
    return [a for a in cov.areas if a.demand or a.providers_in_person or a.providers_telehealth]


def _place_zip3(state: str, areas: dict[str, Area]) -> None:
    """A ZIP3 area's point: the mean of its ZIP centroids in the state (offline data)."""
    wanted = {a.zip3 for a in areas.values() if a.zip3 != "?"}
    points = referrals_report.zip3_points(state, wanted)
    for a in areas.values():
        a.point = points.get(a.zip3)


# --- presenting ---------------------------------------------------------------------------


def shown(value: int, *, staff: bool):
    """A count as this reader may see it: 1-9 become "<10" outside staff views."""
    return value if staff else disclosure.public_value(value)


def shown_class(area: Area, *, staff: bool) -> str:
    if not staff and disclosure.is_small(area.demand):
        return SUPPRESSED_CLASS[0]
    return area.gap_class


COLUMNS = [
    ("area", "Area"),
    ("demand", "Families with the need"),
    ("covered", "Can be offered a provider"),
    ("uncovered", "Without a provider"),
    ("providers_in_person", "Members in person"),
    ("providers_telehealth", "Members by telehealth"),
    ("free_places", "Free places"),
]


def table_rows(cov: Coverage, *, staff: bool) -> list[list]:
    """The table under the map and the CSV: the same cells, suppressed the same way."""
    rows = []
    for a in [*listed(cov), cov.total]:
        label = "All areas" if a is cov.total else a.label
        rows.append(
            [
                label,
                *(
                    shown(getattr(a, key), staff=staff)
                    for key, _ in COLUMNS[1:4]  # family counts
                ),
                a.providers_in_person,
                a.providers_telehealth,
                a.free_places,
            ]
        )
    return rows


# --- recruiting ---------------------------------------------------------------------------

RECRUIT_RADIUS_MILES = 150


def recruit_candidates(*, cov: Coverage, area: Area, providers) -> list[dict]:
    """Members near the uncovered families who could close the gap, and what holds each back.

    `providers` is the reader's visible provider queryset (faon.selectors). Near: located in
    the area's state or within RECRUIT_RADIUS_MILES of the uncovered families' ZIPs.
    """
    offerable = {m.pk for m in _members(cov.service, min(cov.end, dates.today()))}
    zips = cases_report.family_zip_codes(area.family_ids)
    spots = [(lat, lng) for lat, lng, _ in _centroids(z for z in zips if z).values()]
    qs = providers.filter(disciplines__overlap=list(cov.service.disciplines)).exclude(
        status__in=[ProviderStatus.REJECTED, ProviderStatus.WITHDRAWN]
    )
    out = []
    for p in qs.only(
        "pk",
        "name",
        "state",
        "city",
        "status",
        "capacity",
        "accepting_referrals",
        "latitude",
        "longitude",
        "service_modes",
        "telehealth_states",
        "service_radius_miles",
    ):
        nearest = min(
            (_miles(lat, lng, p.latitude, p.longitude) for lat, lng in spots if p.latitude),
            default=None,
        )
        if p.state != area.state and (nearest is None or nearest > RECRUIT_RADIUS_MILES):
            continue
        out.append({"provider": p, "miles": nearest, "reason": _held_back(p, area, offerable)})
    out.sort(key=lambda r: (r["miles"] is None, r["miles"] or 0, r["provider"].name))
    return out


def _held_back(p: faon_report.Provider, area: Area, offerable: set[int]) -> str:
    if p.status != ProviderStatus.ACTIVE:
        return f"Membership {p.get_status_display().lower()}"
    if not p.accepting_referrals:
        return "Not accepting referrals"
    if p.capacity == 0:
        return "No free places"
    if p.pk not in offerable:
        return "Credentials or details not current"
    if p.offers_telehealth and area.state not in p.telehealth_states:
        return f"Telehealth not offered in {area.state}"
    return "Service radius does not reach these families"
