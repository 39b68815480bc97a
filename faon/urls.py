from __future__ import annotations

from django.urls import path

from .views import api, events, newsletter, providers, public

app_name = "faon"
urlpatterns = [
    # Public: apply, confirm the e-mail, check a certificate code.
    path("join/", public.join, name="join"),
    path("join/thanks/", public.join_thanks, name="join_thanks"),
    path("join/confirm/<str:token>/", public.join_confirm, name="join_confirm"),
    path("certificates/verify/", public.certificate_verify, name="certificate_verify"),
    # Vetting and members (staff).
    path("applications/", providers.application_list, name="application_list"),
    path("applications/<int:pk>/", providers.application_detail, name="application_detail"),
    path("members/", providers.provider_list, name="provider_list"),
    path("members/export.csv", providers.provider_export, name="provider_export"),
    path("members/<int:pk>/", providers.provider_detail, name="provider_detail"),
    path("members/<int:pk>/edit/", providers.provider_edit, name="provider_edit"),
    path("members/<int:pk>/status/", providers.provider_status, name="provider_status"),
    path(
        "members/<int:pk>/confirm-details/",
        providers.provider_confirm_details,
        name="provider_confirm_details",
    ),
    path("members/<int:pk>/users/", providers.provider_managers, name="provider_managers"),
    path(
        "members/<int:pk>/users/remove/",
        providers.provider_manager_remove,
        name="provider_manager_remove",
    ),
    path("members/<int:pk>/licenses/new/", providers.license_add, name="license_add"),
    path("members/<int:pk>/insurance/new/", providers.insurance_add, name="insurance_add"),
    path("members/<int:pk>/calendar.ics", events.provider_calendar, name="provider_calendar"),
    path(
        "members/<int:pk>/certificates/issue/",
        providers.certificate_issue,
        name="certificate_issue",
    ),
    path("licenses/<int:pk>/verify/", providers.license_verify, name="license_verify"),
    path("licenses/<int:pk>/document/", providers.license_document, name="license_document"),
    path("insurance/<int:pk>/verify/", providers.insurance_verify, name="insurance_verify"),
    path("insurance/<int:pk>/document/", providers.insurance_document, name="insurance_document"),
    path(
        "members/<int:pk>/transcripts/issue/",
        providers.transcript_issue,
        name="transcript_issue",
    ),
    path("transcripts/<int:pk>/pdf/", providers.transcript_pdf, name="transcript_pdf"),
    path("newsletter/", newsletter.newsletter_list, name="newsletter_list"),
    path("newsletter/new/", newsletter.newsletter_new, name="newsletter_new"),
    path("newsletter/<int:pk>/", newsletter.newsletter_detail, name="newsletter_detail"),
    path("newsletter/<int:pk>/edit/", newsletter.newsletter_edit, name="newsletter_edit"),
    path("newsletter/<int:pk>/send/", newsletter.newsletter_send, name="newsletter_send"),
    path(
        "newsletter/unsubscribe/<str:token>/",
        newsletter.newsletter_unsubscribe,
        name="newsletter_unsubscribe",
    ),
    path("certificates/", providers.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/pdf/", providers.certificate_pdf, name="certificate_pdf"),
    # The provider's own record.
    path("me/", providers.portal, name="portal"),
    # Trainings and events.
    path("events/", events.event_list, name="event_list"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/<int:pk>/", events.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("events/<int:pk>/event.ics", events.event_ics, name="event_ics"),
    path("events/<int:pk>/register/", events.event_register, name="event_register"),
    path("attendances/awaiting/", events.attendance_queue, name="attendance_queue"),
    path("attendances/<int:pk>/complete/", events.attendance_complete, name="attendance_complete"),
    path("attendances/<int:pk>/confirm/", events.attendance_confirm, name="attendance_confirm"),
    # HSDS 3.0 directory API (API key) and key management (administrators).
    path("api/hsds/", api.root, name="hsds_root"),
    path("api/hsds/openapi.json", api.openapi, name="hsds_openapi"),
    path("api/hsds/taxonomies", api.taxonomies, name="hsds_taxonomies"),
    path("api/hsds/taxonomies/<str:id>", api.taxonomy, name="hsds_taxonomy"),
    path("api/hsds/taxonomy_terms", api.taxonomy_terms, name="hsds_taxonomy_terms"),
    path("api/hsds/taxonomy_terms/<str:id>", api.taxonomy_term, name="hsds_taxonomy_term"),
    path("api/hsds/organizations", api.organizations, name="hsds_organizations"),
    path("api/hsds/organizations/<str:id>", api.organization, name="hsds_organization"),
    path("api/hsds/services", api.services_list, name="hsds_services"),
    path("api/hsds/services/<str:id>", api.service, name="hsds_service"),
    path(
        "api/hsds/service_at_locations",
        api.service_at_locations,
        name="hsds_service_at_locations",
    ),
    path(
        "api/hsds/service_at_locations/<str:id>",
        api.service_at_location,
        name="hsds_service_at_location",
    ),
    path("api-keys/", api.api_key_list, name="api_key_list"),
    path("api-keys/<int:pk>/revoke/", api.api_key_revoke, name="api_key_revoke"),
]
