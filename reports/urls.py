from __future__ import annotations

from django.urls import path

from . import coverage_views, list_exports, views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    # The coverage-gap map (reports/coverage.py).
    path("coverage/", coverage_views.coverage_map, name="coverage"),
    path("coverage/areas.csv", coverage_views.coverage_csv, name="coverage_csv"),
    path("coverage/families/", coverage_views.coverage_families, name="coverage_families"),
    path("coverage/recruit/", coverage_views.coverage_recruit, name="coverage_recruit"),
    path("<int:year>/", views.report_year, name="year"),
    path("<int:year>/status/", views.report_status, name="status"),
    path("<int:year>/refresh/", views.report_refresh, name="refresh"),
    path("<int:year>/publish/", views.report_publish, name="publish"),
    path("<int:year>/export/<slug:table>.<str:fmt>", views.report_export, name="export"),
    path("<int:year>/records/<slug:figure>/", views.drilldown_list, name="drilldown"),
    path(
        "<int:year>/records/<slug:figure>/export.<str:fmt>",
        views.drilldown_export,
        name="drilldown_export",
    ),
    # The case and referral lists, redacted by default (reports/list_exports.py).
    path("exports/cases.<str:fmt>", list_exports.case_list_export, name="case_list_export"),
    path(
        "exports/referrals.<str:fmt>",
        list_exports.referral_list_export,
        name="referral_list_export",
    ),
]
