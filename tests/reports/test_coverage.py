"""The coverage-gap map: demand vs offerable supply, the SVG, the table, CSV, drill-downs."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from cases.models import Case
from familysupport.lib.models import AuditEntry
from reports import coverage, usmap
from tests.reports.coverage_data import known_world

pytestmark = pytest.mark.django_db

URL = reverse("reports:coverage")


@pytest.fixture
def known():
    return known_world()


@pytest.fixture
def as_role(make_user, login):
    return lambda role: login(make_user(role))


def _svg(html: str) -> str:
    return re.search(r"<svg id=\"coverage-svg\".*?</svg>", html, re.S).group(0)


def test_svg_has_one_shape_per_state_filled_by_the_gap(as_role, known):
    client = as_role("supervisor")
    html = client.get(URL).content.decode()
    svg = _svg(html)
    fills = dict(re.findall(r'<path id="state-(\w\w)" class="state (gap-[\w-]+)"', svg))
    assert len(fills) == 52 == len(re.findall(r"<path ", svg))  # 50 states, DC, Puerto Rico
    assert fills["VA"] == "gap-2"  # 1 of 3 without a provider
    assert fills["NY"] == "gap-3"  # 2 of 2
    assert fills["TX"] == "gap-0"  # telehealth reaches it
    assert fills["CA"] == "gap-none"  # only a legal need there
    assert {fills[s] for s in ("AK", "HI", "PR")} == {"gap-none"}


def test_table_equals_an_independent_count(as_role, known):
    client = as_role("advocate")
    response = client.get(URL)
    cov = response.context["cov"]
    # Independently: demand = families with an open-in-period mental-health case, by state.
    expected_demand = {}
    for case in Case.objects.select_related("family"):
        if "mental_health" in case.needs and case.closed_at is None:
            expected_demand.setdefault(case.family.state, set()).add(case.family_id)
    got = {a.state: a.demand for a in cov.areas if a.demand}
    assert got == {st: len(ids) for st, ids in expected_demand.items()}
    va = cov.area("VA")
    assert (va.demand, va.uncovered, va.providers_in_person, va.free_places) == (3, 1, 1, 3)
    assert va.family_ids == [known["va3"].pk]
    assert (cov.area("NY").uncovered, cov.area("NY").providers_in_person) == (2, 0)
    assert cov.area("TX").providers_telehealth == 1
    assert (cov.total.demand, cov.total.uncovered) == (6, 3)
    html = response.content.decode()
    row = re.search(r'<tr data-area="VA">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    assert [re.sub(r"<.*?>", "", c).strip() for c in cells[:7]] == [
        "Virginia", "3", "2", "1", "1", "0", "3",
    ]  # fmt: skip


def test_state_view_has_zip3_points_and_csv_matches(as_role, known):
    client = as_role("supervisor")
    response = client.get(URL, {"state": "VA"})
    cov = response.context["cov"]
    assert {a.key: (a.demand, a.uncovered) for a in cov.areas} == {
        "VA-223": (2, 0),
        "VA-242": (1, 1),
    }
    svg = _svg(response.content.decode())
    assert re.search(r'<circle class="zip3 gap-3" data-area="VA-242"', svg)
    assert re.search(r'<circle class="zip3 gap-0" data-area="VA-223"', svg)
    body = client.get(reverse("reports:coverage_csv"), {"state": "VA"}).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Area"
    assert rows[1:] == [
        ["ZIP 223xx", "2", "2", "0", "1", "0", "3"],
        ["ZIP 242xx", "1", "0", "1", "1", "0", "3"],
        ["All areas", "3", "2", "1", "1", "0", "3"],
    ]


def test_small_counts_suppressed_for_members_not_staff(as_role, known):
    client = as_role("provider")
    response = client.get(URL)
    html = response.content.decode()
    assert 'class="state gap-few"' in _svg(html)
    assert "&lt;10" in html and "families-link" not in html and "recruit-link" not in html
    body = client.get(reverse("reports:coverage_csv")).content.decode()
    va = next(r for r in csv.reader(io.StringIO(body)) if r[0] == "Virginia")
    assert va[1:4] == ["<10", "<10", "<10"]
    client = as_role("administrator")
    body = client.get(reverse("reports:coverage_csv")).content.decode()
    va = next(r for r in csv.reader(io.StringIO(body)) if r[0] == "Virginia")
    assert va[1:4] == ["3", "2", "1"]


def test_families_drilldown_lists_the_uncovered_for_staff_only(as_role, known):
    params = {"state": "NY"}
    url = reverse("reports:coverage_families")
    client = as_role("advocate")
    response = client.get(url, params)
    html = response.content.decode()
    assert "Chelsea family" in html and "Albany family" in html and "Bristol family" not in html
    [entry] = AuditEntry.objects.filter(action="cases.family.listed")
    assert entry.changes["filter"] == {"state": ["NY"]}
    assert entry.changes["rows"] == len(response.context["families"]) >= 2
    client = as_role("provider")
    assert client.get(url, params).status_code == 403
    client = as_role("volunteer")
    assert client.get(URL).status_code == 403


def test_recruit_list_names_members_near_the_gap_and_why(as_role, known):
    url = reverse("reports:coverage_recruit")
    client = as_role("supervisor")
    response = client.get(url, {"state": "NY"})
    reasons = {c["provider"].name: c["reason"] for c in response.context["candidates"]}
    assert reasons["Lapsed Member"] == "Membership lapsed"
    assert "No free places" in reasons.values()
    client = as_role("advocate")
    assert client.get(url, {"state": "NY"}).status_code == 403


def test_bad_period_is_a_400_with_the_message_next_to_the_field(as_role, known):
    client = as_role("supervisor")
    response = client.get(URL, {"start": "2026-05-01", "end": "2026-01-01", "service": "legal"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_start-error"' in html and "must start on or before" in html
    assert 'value="2026-05-01"' in html and 'value="2026-01-01"' in html  # kept
    assert client.get(URL, {"start": "soon"}).status_code == 400


def test_projection_puts_points_inside_their_state_box():
    shapes = {s.code: s for s in usmap.state_shapes()}
    for state, lon, lat in [("VA", -77.05, 38.8), ("AK", -149.9, 61.2), ("PR", -66.1, 18.4)]:
        x, y = usmap.project(state, lon, lat)
        x0, y0, x1, y1 = shapes[state].bbox
        assert x0 <= x <= x1 and y0 <= y <= y1
        assert 0 <= x <= usmap.WIDTH and 0 <= y <= usmap.HEIGHT
    assert coverage.gap_class(0, 0) == "gap-none"
