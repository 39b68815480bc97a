"""URLs of the phone system's side (issue 20), under /phone/: the webhooks the phone system
calls (signed, no session) and the administrators' integration pages."""

from __future__ import annotations

from django.urls import path

from . import phone_views as views

app_name = "phone"
urlpatterns = [
    # The phone system: "ringing/answered" (a number's voice URL) and "ended" (its status
    # callback). Both accept any Twilio CallStatus; the names say which event is the default.
    path("hooks/call/", views.hook_call, name="hook_call"),
    path("hooks/call-ended/", views.hook_call_ended, name="hook_call_ended"),
    path("missed/", views.missed_list, name="missed_list"),
    path("integrations/", views.integration_list, name="integration_list"),
    path("integrations/<int:pk>/rotate/", views.integration_rotate, name="integration_rotate"),
    path(
        "integrations/<int:pk>/deactivate/",
        views.integration_deactivate,
        name="integration_deactivate",
    ),
]
