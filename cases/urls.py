from __future__ import annotations

from django.urls import path

from . import phone_pop_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new-call/", views.new_call, name="new_call"),
    path("new-call/<uuid:call_id>/", views.call, name="call"),
    path("new-call/suggest/", views.family_suggest, name="family_suggest"),
    # The screen pop of incoming phone calls (cases/phone_pop.py).
    path("phone/pop/", phone_pop_views.phone_pop_poll, name="phone_pop"),
    path(
        "phone/calls/<str:call_sid>/", phone_pop_views.phone_call_status, name="phone_call_status"
    ),
    path(
        "phone/calls/<str:call_sid>/start/",
        phone_pop_views.phone_call_start_view,
        name="phone_call_start",
    ),
    path("drafts/<slug:key>/", views.draft_save, name="draft_save"),
    path("drafts/<slug:key>/discard/", views.draft_discard, name="draft_discard"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/status/", views.case_status, name="case_status"),
    path("<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("<int:pk>/details/", views.case_update, name="case_update"),
    path("<int:pk>/tasks/", views.task_create, name="task_create"),
    path("<int:pk>/share/", views.resource_share, name="resource_share"),
    path("tasks/<int:pk>/done/", views.task_complete, name="task_complete"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("families/<int:pk>/", views.family_detail, name="family_detail"),
    path("families/<int:pk>/edit/", views.family_edit, name="family_edit"),
    path("families/<int:pk>/members/new/", views.person_add, name="person_add"),
    path("families/<int:pk>/merge/", views.family_merge, name="family_merge"),
    path("merges/<int:pk>/undo/", views.family_unmerge, name="family_unmerge"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    # Public: what a family opens from the e-mailed link (no login, no family data).
    path("r/<uuid:public_id>/", views.resource_public, name="resource_public"),
    path("r/<uuid:public_id>/file/", views.resource_file, name="resource_file"),
    path("r/<uuid:public_id>/feedback/", views.resource_feedback, name="resource_feedback"),
]
