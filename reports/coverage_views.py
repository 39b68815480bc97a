"""The coverage-gap map (/reports/coverage/), its CSV and its two click-through lists.

Who (decided here; the issue names staff and supervisors): every staff role and FAON
member users see the map, table and CSV — members with counts 1-9 shown as "<10" and
those areas greyed; the families without a provider are listed for staff (through the
cases access selector, so restricted families stay out for those who may not see them);
the members to recruit near them for supervisors and administrators.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import selectors as case_selectors
from familysupport.lib import audit, dates
from familysupport.lib.access import (
    ADMINISTRATOR,
    ADVOCATE,
    PROVIDER,
    STAFF,
    SUPERVISOR,
    role_required,
)
from faon import selectors as faon_selectors

from . import coverage, usmap

MAP_READERS = (ADVOCATE, SUPERVISOR, ADMINISTRATOR, PROVIDER)
RECRUITERS = (SUPERVISOR, ADMINISTRATOR)


class CoverageForm(forms.Form):
    service = forms.ChoiceField(
        choices=[(s.key, s.label) for s in coverage.SERVICES.values()], required=False
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(
        label="State", choices=[("", "All states"), *coverage.STATE_NAMES.items()], required=False
    )
    zip3 = forms.RegexField(regex=r"^(\d{3}|\?)$", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css + (" is-invalid" if name in self.errors else "")
            if name in self.errors:
                field.widget.attrs["aria-describedby"] = f"id_{name}-error"

    def clean(self):
        data = super().clean()
        today = dates.today()
        data["service"] = data.get("service") or "mental_health"
        for name in ("start", "end"):  # the portal's records start long after 2000
            if data.get(name) and not 2000 <= data[name].year <= 2100:
                self.add_error(name, "Enter a date between 2000 and 2100.")
                data[name] = None
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or data["end"] - timedelta(days=364)
        if "start" not in self.errors and data["start"] > data["end"]:
            self.add_error("start", "The period must start on or before its last day.")
        elif (data["end"] - data["start"]).days > 3 * 366:
            self.add_error("start", "Choose a period of at most three years.")
        return data


def _query(data: dict, **extra) -> str:
    params = {
        "service": data["service"],
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "state": data.get("state") or "",
        **extra,
    }
    return urlencode({k: v for k, v in params.items() if v})


def _form_or_none(request) -> tuple[CoverageForm, dict | None]:
    form = CoverageForm(request.GET)  # bound even when empty: every field has a default
    return form, (form.cleaned_data if form.is_valid() else None)


def _shapes(cov: coverage.Coverage, *, staff: bool, state: str, data: dict) -> list[dict]:
    by_state = {a.state: a for a in cov.areas} if not state else {}
    out = []
    for shape in usmap.state_shapes():
        area = by_state.get(shape.code)
        if state:
            css = "state-chosen" if shape.code == state else "state-other"
            title = shape.name
        else:
            css = coverage.shown_class(area, staff=staff) if area else "gap-none"
            title = _title(area, staff=staff) if area else shape.name
        url = ""
        if area is not None and area.demand:  # a state with families zooms to its ZIP3 areas
            url = f"{reverse('reports:coverage')}?{_query(data, state=shape.code)}"
        out.append({"code": shape.code, "path": shape.path, "css": css, "title": title, "url": url})
    return out


def _title(area: coverage.Area, *, staff: bool) -> str:
    demand = coverage.shown(area.demand, staff=staff)
    uncovered = coverage.shown(area.uncovered, staff=staff)
    return (
        f"{area.label}: {demand} families with the need, {uncovered} without a provider; "
        f"{area.providers_in_person} members in person, {area.providers_telehealth} by "
        f"telehealth, {area.free_places} free places"
    )


def _points(cov: coverage.Coverage, *, staff: bool) -> list[dict]:
    out = []
    for a in cov.areas:
        if a.point is None:
            continue
        x, y = usmap.project(cov.state, *a.point)
        radius = 3 + 2 * min(a.demand, 100) ** 0.5
        css = coverage.shown_class(a, staff=staff)
        out.append(
            {"area": a, "x": x, "y": y, "r": radius, "css": css, "title": _title(a, staff=staff)}
        )
    return out


def _view_box(state: str) -> str:
    if not state:
        return f"0 0 {usmap.WIDTH} {usmap.HEIGHT}"
    shape = next((s for s in usmap.state_shapes() if s.code == state), None)
    if shape is None:
        return f"0 0 {usmap.WIDTH} {usmap.HEIGHT}"
    x0, y0, x1, y1 = shape.bbox
    pad = max(x1 - x0, y1 - y0) * 0.08 + 4
    return f"{x0 - pad:.1f} {y0 - pad:.1f} {x1 - x0 + 2 * pad:.1f} {y1 - y0 + 2 * pad:.1f}"


@require_GET
@role_required(*MAP_READERS)
def coverage_map(request):
    form, data = _form_or_none(request)
    if data is None:
        return render(request, "reports/coverage.html", {"form": form}, status=400)
    staff = request.user.role in STAFF
    state = data.get("state") or ""
    cov = coverage.coverage(
        service=data["service"], start=data["start"], end=data["end"], state=state
    )
    rows = []
    for a in coverage.listed(cov):
        link = {}
        if a.uncovered:
            extra = {"zip3": a.zip3} if state else {"state": a.state}
            q = _query(data, **extra)
            if request.user.role in STAFF:
                link["families"] = f"{reverse('reports:coverage_families')}?{q}"
            if request.user.role in RECRUITERS:
                link["recruit"] = f"{reverse('reports:coverage_recruit')}?{q}"
        if not state and a.demand:
            link["zoom"] = f"{reverse('reports:coverage')}?{_query(data, state=a.state)}"
        rows.append({"area": a, "css": coverage.shown_class(a, staff=staff), **link})
    cells = coverage.table_rows(cov, staff=staff)
    for row, row_cells in zip(rows, cells, strict=False):
        row["cells"] = row_cells
    context = {
        "form": form,
        "cov": cov,
        "staff": staff,
        "columns": coverage.COLUMNS,
        "total_cells": cells[-1],
        "not_listed": len(cov.areas) - len(rows),
        "rows": rows,
        "shapes": _shapes(cov, staff=staff, state=state, data=data),
        "points": _points(cov, staff=staff) if state else [],
        "view_box": _view_box(state),
        "legend": [*coverage.GAP_CLASSES, *(() if staff else (coverage.SUPPRESSED_CLASS,))],
        "csv_url": f"{reverse('reports:coverage_csv')}?{_query(data)}",
        "national_url": f"{reverse('reports:coverage')}?{_query({**data, 'state': ''})}",
    }
    return render(request, "reports/coverage.html", context)


@require_GET
@role_required(*MAP_READERS)
def coverage_csv(request):
    form, data = _form_or_none(request)
    if data is None:
        return HttpResponse("Bad filter: " + form.errors.as_text(), status=400)
    staff = request.user.role in STAFF
    cov = coverage.coverage(
        service=data["service"], start=data["start"], end=data["end"], state=data["state"]
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"coverage-{cov.service.key}-{cov.state or 'US'}-{cov.start}-{cov.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([label for _, label in coverage.COLUMNS])
    writer.writerows(coverage.table_rows(cov, staff=staff))
    return response


def _drill_area(request) -> tuple[dict, coverage.Coverage, coverage.Area]:
    _form, data = _form_or_none(request)
    if data is None or not data.get("state"):
        raise Http404("Choose a state on the map.")
    state = data["state"]
    zip3 = data.get("zip3") or ""
    cov = coverage.coverage(
        service=data["service"], start=data["start"], end=data["end"], state=state
    )
    if zip3:
        area = cov.area(f"{state}-{zip3}")
        if area is None:
            raise Http404("No families there.")
    else:
        area = cov.total
    return data, cov, area


@require_GET
@role_required(*STAFF)
def coverage_families(request):
    data, cov, area = _drill_area(request)
    visible = case_selectors.family_list_visible_to(user=request.user)
    families = list(visible.filter(pk__in=area.family_ids).order_by("display_name"))
    # A list that names families is a read of them, like the case list.
    audit.record_list(visible.model, filters=request.GET, rows=len(families), shown=len(families))
    context = {
        "cov": cov,
        "area": area,
        "families": families,
        "not_listed": len(area.family_ids) - len(families),
        "back_url": f"{reverse('reports:coverage')}?{_query(data)}",
    }
    return render(request, "reports/coverage_families.html", context)


@require_GET
@role_required(*RECRUITERS)
def coverage_recruit(request):
    data, cov, area = _drill_area(request)
    providers = faon_selectors.provider_list_visible_to(user=request.user)
    context = {
        "cov": cov,
        "area": area,
        "candidates": coverage.recruit_candidates(cov=cov, area=area, providers=providers),
        "back_url": f"{reverse('reports:coverage')}?{_query(data)}",
    }
    return render(request, "reports/coverage_recruit.html", context)
