from __future__ import annotations

from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", account_views.health, name="health"),
    path("session/status/", account_views.session_status, name="session_status"),
    path("session/keepalive/", account_views.session_keepalive, name="session_keepalive"),
    # Sign-up and self-service e-mail changes are not offered: administrators invite users.
    path("accounts/signup/", account_views.not_offered, name="account_signup"),
    path("accounts/email/", account_views.not_offered, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("referrals/", include("referrals.urls")),
    path("faon/", include("faon.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("teamhope/", include("teamhope.urls")),
    path("reunification/", include("reunification.urls")),
    path("reports/", include("reports.urls")),
    # Restricted cases, break-glass, legal holds, retention, safe-contact rules (cases app).
    path("privacy/", include("cases.privacy_urls")),
    # The phone system's webhooks, missed calls and integrations (cases app, issue 20).
    path("phone/", include("cases.phone_urls")),
]

handler403 = "familysupport.errors.forbidden"
handler404 = "familysupport.errors.not_found"
handler500 = "familysupport.errors.server_error"
