from __future__ import annotations

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("awaiting/", views.referral_awaiting, name="awaiting"),
    path("case/<int:case_pk>/", views.case_referrals, name="case_referrals"),
    path("case/<int:case_pk>/find/", views.match, name="match"),
    path(
        "case/<int:case_pk>/refer/<str:kind>/<int:target_pk>/",
        views.referral_create,
        name="create",
    ),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/send/", views.referral_send, name="send"),
    path("<int:pk>/rerefer/", views.referral_rerefer, name="rerefer"),
    path("<int:pk>/close/", views.referral_close, name="close"),
    path("<int:pk>/answer/", views.referral_record_answer, name="record_answer"),
    path("providers/<int:provider_pk>/", views.provider_history, name="provider_history"),
    # The provider portal.
    path("incoming/", views.incoming_list, name="incoming"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("incoming/<int:pk>/accept/", views.incoming_accept, name="accept"),
    path("incoming/<int:pk>/decline/", views.incoming_decline, name="decline"),
    path(
        "incoming/<int:pk>/first-appointment/",
        views.incoming_first_appointment,
        name="first_appointment",
    ),
    path("incoming/<int:pk>/complete/", views.incoming_complete, name="complete"),
    # The directory of community agencies and attorneys.
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    # Legal technical assistance.
    path("legal/", views.legal_list, name="legal_list"),
    path("legal/new/", views.legal_create, name="legal_create"),
    path("legal/<int:pk>/", views.legal_detail, name="legal_detail"),
    path("legal/<int:pk>/edit/", views.legal_edit, name="legal_edit"),
]
