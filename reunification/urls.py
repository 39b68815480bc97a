from __future__ import annotations

from django.urls import path

from . import views

app_name = "reunification"
urlpatterns = [
    path("", views.travel_request_list, name="list"),
    path("new/", views.travel_request_start, name="start"),
    path("case/<int:case_pk>/new/", views.travel_request_create, name="create"),
    path("need-preview/", views.need_preview, name="need_preview"),
    path("budget/", views.budget_view, name="budget"),
    path("guidelines/", views.guideline_list, name="guidelines"),
    path("<int:pk>/", views.travel_request_detail, name="detail"),
    path("<int:pk>/edit/", views.travel_request_edit, name="edit"),
    path("<int:pk>/submit/", views.travel_request_submit, name="submit"),
    path("<int:pk>/review/", views.travel_request_start_review, name="start_review"),
    path("<int:pk>/decide/", views.travel_request_decide, name="decide"),
    path("<int:pk>/book/", views.travel_request_book, name="book"),
    path("<int:pk>/reapprove/", views.travel_request_reapprove, name="reapprove"),
    path("<int:pk>/complete/", views.travel_request_complete, name="complete"),
    path("<int:pk>/cancel/", views.travel_request_cancel, name="cancel"),
    path("<int:pk>/segments/new/", views.segment_create, name="segment_create"),
    path("<int:pk>/segments/<int:segment_pk>/", views.segment_edit, name="segment_edit"),
    path(
        "<int:pk>/segments/<int:segment_pk>/delete/",
        views.segment_delete,
        name="segment_delete",
    ),
    path("<int:pk>/itinerary/", views.itinerary_view, name="itinerary"),
    path("<int:pk>/itinerary.pdf", views.itinerary_pdf, name="itinerary_pdf"),
    path("<int:pk>/checklist/", views.checklist_view, name="checklist"),
    path("<int:pk>/checklist/<int:item_pk>/", views.checklist_toggle, name="checklist_toggle"),
]
