from __future__ import annotations

from django.urls import path

from . import views

app_name = "teamhope"
urlpatterns = [
    # Staff: roster, matching, overviews.
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/add/", views.volunteer_add, name="volunteer_add"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/status/", views.volunteer_set_status, name="volunteer_status"),
    path("cases/<int:case_pk>/match/", views.match_suggest, name="match_suggest"),
    path("cases/<int:case_pk>/match/create/", views.match_create, name="match_create"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/end/", views.match_end, name="match_end"),
    path("waiting/", views.waiting_list, name="waiting_list"),
    path("capacity/", views.capacity_list, name="capacity_list"),
    path("calls/by-month/", views.calls_by_month, name="calls_by_month"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation_resolve"),
    # The volunteer's own pages (phone first).
    path("my/", views.my_families, name="my_families"),
    path("my/families/<int:pk>/", views.my_family, name="my_family"),
    path("my/families/<int:pk>/call/", views.call_log, name="call_log"),
    path("my/families/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("my/calls/", views.my_calls, name="my_calls"),
    path("my/escalations/<int:pk>/", views.escalation_sent, name="escalation_sent"),
]
