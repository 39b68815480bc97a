from __future__ import annotations

from datetime import datetime

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from familysupport.lib.access import ADMINISTRATOR, get_visible_or_404
from familysupport.lib.models import AuditEntry, Notification

from .models import User


def user_second_factor_added_at(*, user: User) -> datetime | None:
    """When the user's newest TOTP/WebAuthn authenticator was added; None if they have none."""
    return (
        Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def user_list_for_admin(*, admin: User) -> QuerySet[User]:
    if admin.role != ADMINISTRATOR:
        return User.objects.none()
    return User.objects.select_related("supervisor").order_by("full_name", "email")


def user_get_for_admin(*, admin: User, pk: int) -> User:
    return get_visible_or_404(user_list_for_admin(admin=admin), pk=pk)


def audit_entries_visible_to(*, user: User) -> QuerySet[AuditEntry]:
    """Administrators see every entry; supervisors see what their team did."""
    qs = AuditEntry.objects.select_related("content_type")
    if user.role == ADMINISTRATOR:
        return qs
    if user.role == User.Role.SUPERVISOR:
        team = User.objects.filter(supervisor=user).values("pk")
        return qs.filter(actor_id__in=team)
    return qs.none()


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def user_for_invite(*, uidb64: str, token: str) -> User | None:
    """The active user an invitation link names, if the link is still valid (single use)."""
    from django.utils.encoding import force_str
    from django.utils.http import urlsafe_base64_decode

    from .services import invite_tokens

    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if invite_tokens.check_token(user, token) else None


def _recent_attempts():
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since)


def user_lock_state(*, user: User) -> dict | None:
    """{"failures", "until"} while axes locks the account (passwords and codes), else None."""
    from django.conf import settings
    from django.db.models import Max, Sum

    got = _recent_attempts().filter(username=user.email.lower())
    got = got.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if not got["failures"] or got["failures"] < settings.AXES_FAILURE_LIMIT:
        return None
    return {"failures": got["failures"], "until": got["last"] + settings.AXES_COOLOFF_TIME}


def locked_emails(*, emails: list[str]) -> set[str]:
    """Which of these (lower-cased) e-mails are locked right now, in one query."""
    from django.conf import settings
    from django.db.models import Sum

    rows = (
        _recent_attempts()
        .filter(username__in=[e.lower() for e in emails])
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
    )
    return {row["username"] for row in rows}


# A presence whose heartbeat (the pop poll, once a minute while a page is open; hidden tabs
# poll less often and browsers throttle them to about once a minute) is older than this is
# shown as away: the tab was closed or the computer slept.
PRESENCE_STALE_SECONDS = 180


def presence_is_fresh(*, user: User, now: datetime | None = None) -> bool:
    from django.utils import timezone

    seen = user.taking_calls_seen_at
    now = now or timezone.now()
    return bool(
        user.taking_calls and seen and (now - seen).total_seconds() <= PRESENCE_STALE_SECONDS
    )


def users_taking_calls(*, viewer: User) -> list[User]:
    """Advocates and supervisors taking calls now, for a supervisor's home page."""
    from datetime import timedelta

    from django.utils import timezone

    if viewer.role not in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR):
        return []
    since = timezone.now() - timedelta(seconds=PRESENCE_STALE_SECONDS)
    return list(
        User.objects.filter(taking_calls=True, taking_calls_seen_at__gte=since, is_active=True)
        .only("pk", "full_name", "email", "role", "taking_calls_seen_at")
        .order_by("full_name")[:100]
    )
