"""URLs of the privacy pages (cases/privacy_views.py), under /privacy/."""

from __future__ import annotations

from django.urls import path

from . import privacy_views as views

app_name = "privacy"
urlpatterns = [
    path("cases/<int:pk>/restriction/", views.case_restriction, name="case_restriction"),
    path("cases/<int:pk>/restriction/people/", views.access_grant_add, name="access_grant_add"),
    path("access/<int:pk>/remove/", views.access_grant_remove, name="access_grant_remove"),
    path("cases/<int:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("access-review/", views.access_review, name="access_review"),
    path("access-review/<int:pk>/", views.break_glass_review, name="break_glass_review"),
    path("holds/", views.hold_list, name="hold_list"),
    path("cases/<int:pk>/hold/", views.hold_case, name="hold_case"),
    path("families/<int:pk>/hold/", views.hold_family, name="hold_family"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("retention/", views.retention_schedule, name="retention"),
    path("families/<int:pk>/contact-rules/", views.contact_rules_edit, name="contact_rules"),
]
