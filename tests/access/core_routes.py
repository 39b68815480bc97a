"""Access declarations for the project's core and allauth routes."""

from __future__ import annotations

from .registry import ALL_SIGNED_IN, Route, World, expand


def _user_pk(world: World) -> dict:
    # A user record only administrators manage.
    return {"pk": world.owner["advocate"].pk}


def _invite(world: World) -> dict:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.services import invite_tokens
    from tests.factories import UserFactory

    invitee = UserFactory(role="advocate", password=None, totp=False)
    invitee.set_unusable_password()
    invitee.save()
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "token": invite_tokens.make_token(invitee),
    }


def _job_under_way(world: World) -> dict:
    # A run already under way: an administrator's POST is answered without asking the
    # broker, so the matrix never puts a message on the shared Redis.
    from django.utils import timezone

    from familysupport.lib.models import JobRun

    JobRun.objects.create(
        job="cases.followup_digest",
        trigger=JobRun.Trigger.SCHEDULE,
        status=JobRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    return {"name": "cases.followup_digest"}


ADMIN = expand({"administrator"})

ROUTES = [
    Route("home", allow=ALL_SIGNED_IN),
    Route("health", public=True, allow=ALL_SIGNED_IN),
    # The language switch (Django's set_language): everyone, it only sets a cookie.
    Route("set_language", public=True, allow=ALL_SIGNED_IN, ok_status=302),
    Route("session_status", anonymous=401, allow=ALL_SIGNED_IN),
    Route("session_keepalive", post_only=True, allow=ALL_SIGNED_IN, public=True),
    # The user menu's "taking calls" switch: the roles that take calls (issue 20).
    Route("accounts:taking_calls", post_only=True, allow=expand({"advocate", "supervisor"})),
    # allauth: sign-in, password reset and MFA steps are the public allowlist.
    Route("account_login", anonymous=200, allow=ALL_SIGNED_IN, ok_status=302),
    Route("account_logout", allow=ALL_SIGNED_IN, skip_post=True),
    Route("account_inactive", public=True, allow=ALL_SIGNED_IN),
    Route("account_signup", public=True, allow=ALL_SIGNED_IN, ok_status=404),
    Route("account_email", public=True, allow=ALL_SIGNED_IN, ok_status=404),
    Route("account_reauthenticate", allow=ALL_SIGNED_IN),
    # Code-based sign-in and re-authentication are off: these only redirect.
    Route("account_request_reauthentication_code", allow=ALL_SIGNED_IN, ok_status=302),
    Route("account_confirm_reauthentication_code", allow=ALL_SIGNED_IN, ok_status=302),
    Route("account_email_verification_sent", public=True, allow=ALL_SIGNED_IN),
    Route("account_change_password", allow=ALL_SIGNED_IN),
    Route("account_set_password", allow=ALL_SIGNED_IN, ok_status=302),
    Route("account_reset_password", public=True, allow=ALL_SIGNED_IN),
    Route("account_confirm_login_code", allow=ALL_SIGNED_IN, ok_status=302),
    Route(
        "account_confirm_email",
        public=True,
        allow=ALL_SIGNED_IN,
        build=lambda w: {"key": "not-a-key"},
    ),
    Route("account_reset_password_from_key_done", public=True, allow=ALL_SIGNED_IN),
    Route(
        "account_reset_password_from_key",
        public=True,
        allow=ALL_SIGNED_IN,
        build=lambda w: {"uidb36": "0", "key": "bad-key"},
    ),
    Route("account_reset_password_done", public=True, allow=ALL_SIGNED_IN),
    Route("mfa_index", allow=ALL_SIGNED_IN),
    Route("mfa_authenticate", allow=ALL_SIGNED_IN, ok_status=302),
    Route("mfa_reauthenticate", allow=ALL_SIGNED_IN),
    Route("mfa_activate_totp", allow=ALL_SIGNED_IN, ok_status=302),
    Route("mfa_deactivate_totp", allow=ALL_SIGNED_IN, ok_status=302),
    # No recovery codes generated yet for the matrix users: allauth answers 404.
    Route("mfa_view_recovery_codes", allow=ALL_SIGNED_IN, ok_status=404),
    Route("mfa_generate_recovery_codes", allow=ALL_SIGNED_IN, ok_status=302),
    Route("mfa_download_recovery_codes", allow=ALL_SIGNED_IN, ok_status=404),
    Route("mfa_list_webauthn", allow=ALL_SIGNED_IN),
    Route("mfa_add_webauthn", allow=ALL_SIGNED_IN, ok_status=302),
    Route("mfa_reauthenticate_webauthn", allow=ALL_SIGNED_IN, ok_status=302),
    Route(
        "mfa_remove_webauthn", allow=ALL_SIGNED_IN, ok_status=302, build=lambda w: {"pk": 999999}
    ),
    Route("mfa_edit_webauthn", allow=ALL_SIGNED_IN, ok_status=302, build=lambda w: {"pk": 999999}),
    Route("usersessions_list", allow=ALL_SIGNED_IN),
    # User administration.
    Route("accounts:user_list", allow=ADMIN),
    Route("accounts:user_invite", allow=ADMIN),
    Route("accounts:user_detail", allow=ADMIN, build=_user_pk),
    Route("accounts:user_edit", allow=ADMIN, build=_user_pk),
    Route("accounts:user_deactivate", allow=ADMIN, build=_user_pk, post_only=True),
    Route("accounts:user_reactivate", allow=ADMIN, build=_user_pk, post_only=True),
    Route("accounts:user_unlock", allow=ADMIN, build=_user_pk, post_only=True),
    Route("accounts:user_resend_invite", allow=ADMIN, build=_user_pk, post_only=True),
    Route("accounts:invite_accept", public=True, allow=ALL_SIGNED_IN, build=_invite),
    Route("accounts:audit_list", allow=expand({"administrator", "supervisor"})),
    # Scheduled jobs: supervisors read the page; only administrators start a run.
    Route("accounts:job_list", allow=expand({"administrator", "supervisor"})),
    Route("accounts:job_run_now", allow=ADMIN, post_only=True, build=_job_under_way),
    Route("accounts:notifications", allow=ALL_SIGNED_IN),
    Route("accounts:notification_badge", allow=ALL_SIGNED_IN),
    Route("accounts:notifications_read_all", allow=ALL_SIGNED_IN, post_only=True),
    Route(
        "accounts:notification_read", allow=ALL_SIGNED_IN, post_only=True, build=lambda w: {"pk": 1}
    ),
]
