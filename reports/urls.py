from __future__ import annotations

from django.urls import path

from . import list_exports, views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
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
