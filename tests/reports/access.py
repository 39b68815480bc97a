"""Who may open each page of the yearly report (administrators; supervisors read only)."""

from __future__ import annotations

from tests.access.registry import Route, World, expand

READERS = expand({"administrator", "supervisor"})
ADMIN = expand({"administrator"})
STAFF = expand({"advocate", "supervisor", "administrator"})
MAP_READERS = expand({"advocate", "supervisor", "administrator", "provider"})


def _year(world: World) -> dict:
    from reports import services

    return {"year": services.current_year()}


def _status(world: World) -> dict:
    from reports.models import ReportRun

    kwargs = _year(world)
    ReportRun.objects.create(year=kwargs["year"], step="Queued")
    return kwargs


ROUTES = [
    Route("reports:index", allow=READERS, ok_status=302),
    Route("reports:year", allow=READERS, build=_year),
    Route("reports:status", allow=READERS, build=_status),
    Route("reports:refresh", allow=READERS, build=_year, post_only=True),
    Route("reports:publish", allow=ADMIN, build=_year, post_only=True),
    Route(
        "reports:export",
        allow=ADMIN,
        build=lambda w: {**_year(w), "table": "all", "fmt": "xlsx"},
    ),
    Route(
        "reports:drilldown",
        allow=READERS,
        build=lambda w: {**_year(w), "figure": "contacts"},
    ),
    Route(
        "reports:drilldown_export",
        allow=ADMIN,
        build=lambda w: {**_year(w), "figure": "contacts", "fmt": "csv"},
    ),
    # List exports (reports/list_exports.py): redacted by GET; supervisors and administrators.
    Route("reports:case_list_export", allow=READERS, build=lambda w: {"fmt": "csv"}),
    Route("reports:referral_list_export", allow=READERS, build=lambda w: {"fmt": "csv"}),
    # The coverage-gap map (reports/coverage_views.py): staff and members read the map and
    # CSV (members with small counts suppressed); families for staff; recruiting for
    # supervisors and administrators. The drill-downs need a state.
    Route("reports:coverage", allow=MAP_READERS),
    Route("reports:coverage_csv", allow=MAP_READERS),
    Route("reports:coverage_families", allow=STAFF, query="?state=VA"),
    Route("reports:coverage_recruit", allow=READERS, query="?state=VA"),
]
