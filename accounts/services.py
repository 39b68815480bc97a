from __future__ import annotations

import logging

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from familysupport.lib import audit, events
from familysupport.lib.models import Notification
from familysupport.lib.notify import email_queue

from .models import User

log = logging.getLogger(__name__)


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Single use: the token hashes the password, which setting a password changes."""

    key_salt = "familysupport.accounts.invite"

    def __init__(self) -> None:
        super().__init__()
        self.timeout = settings.INVITE_TIMEOUT_SECONDS

    def check_token(self, user, token):
        if not super().check_token(user, token):
            return False
        ts_b36 = token.split("-")[0]
        from django.utils.http import base36_to_int

        age = self._num_seconds(self._now()) - base36_to_int(ts_b36)
        return age <= self.timeout


invite_tokens = InviteTokenGenerator()


def invite_link(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invite_accept", args=[uid, invite_tokens.make_token(user)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def user_invite(
    *, email: str, full_name: str, role: str, by: User, supervisor: User | None = None
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this e-mail address already exists."})
    user = User.objects.create_user(
        email=email, full_name=full_name, role=role, supervisor=supervisor
    )
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    audit.record(action="accounts.user.invited", obj=user, actor=by)
    email_queue(
        to=user.email,
        template="invite",
        context={"link": invite_link(user=user), "hours": settings.INVITE_TIMEOUT_SECONDS // 3600},
        key=f"invite:{user.pk}:{user.invited_at.timestamp()}",
    )
    return user


@transaction.atomic
def user_resend_invite(*, user: User, by: User) -> None:
    if user.has_usable_password():
        raise ValidationError("This user has already set a password.")
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    audit.record(action="accounts.user.invite_resent", obj=user, actor=by)
    email_queue(
        to=user.email,
        template="invite",
        context={"link": invite_link(user=user), "hours": settings.INVITE_TIMEOUT_SECONDS // 3600},
        key=f"invite:{user.pk}:{user.invited_at.timestamp()}",
    )


TAKES_CALLS = (User.Role.ADVOCATE, User.Role.SUPERVISOR)


@transaction.atomic
def user_accept_invite(*, user: User, password: str) -> User:
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(action="accounts.user.invite_accepted", obj=user, actor=user)
    return user


@transaction.atomic
def user_change_role(
    *, user: User, role: str, supervisor: User | None, full_name: str, by: User
) -> User:
    if user == by and role != user.role:
        raise ValidationError({"role": "You cannot change your own role."})
    user.role, user.supervisor, user.full_name = role, supervisor, full_name
    user.save()
    if role not in TAKES_CALLS:  # the pop would stop showing, but presence would claim "on"
        user_taking_calls_set(user=user, on=False, reason="role_changed", by=by)
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    if user == by:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    user_end_sessions(user=user)
    user_taking_calls_set(user=user, on=False, reason="deactivated", by=by)
    # Apps holding the user's private work (unsaved call notes) drop it in this transaction.
    events.user_deactivated.send(user=user, by=by)
    audit.record(action="accounts.user.deactivated", obj=user, actor=by)
    return user


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> User:
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit.record(action="accounts.user.reactivated", obj=user, actor=by)
    return user


@transaction.atomic
def user_unlock(*, user: User, by: User) -> int:
    """Lift the sign-in lock (wrong passwords or codes) before the cool-off ends; audited."""
    from axes.utils import reset

    cleared = reset(username=user.email.lower())
    audit.record(action="accounts.user.unlocked", obj=user, actor=by)
    return cleared


def user_end_sessions(*, user: User) -> int:
    """Sign the user out everywhere (allauth tracks each session of a user)."""
    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


def notification_mark_read(*, user: User, pk: int | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    now = timezone.now()
    count = 0
    for note in qs:  # Notification is not audited, but keep one code path for one or all
        note.read_at = now
        note.save(update_fields=["read_at"])
        count += 1
    return count


# --- "taking calls" presence (screen pops from the phone system, issue 20) ---------------

# The pop poll writes the heartbeat at most this often (one UPDATE a minute per advocate).
PRESENCE_HEARTBEAT_SECONDS = 60


def user_taking_calls_set(*, user: User, on: bool, reason: str, by: User | None = None) -> bool:
    """Switch the user's presence; audited with why (menu, signed_out, idle_timeout, ...).

    Returns whether anything changed: switching off what is off writes nothing.
    """
    if not on and not user.taking_calls:
        return False
    if on and user.role not in TAKES_CALLS:
        raise ValidationError("Only advocates and supervisors take calls.")
    now = timezone.now()
    with transaction.atomic():
        changed = user.taking_calls != on
        user.taking_calls = on
        # On: the heartbeat starts now, so presence is fresh before the first poll.
        user.taking_calls_seen_at = now if on else user.taking_calls_seen_at
        user.save(update_fields=["taking_calls", "taking_calls_seen_at"])
        if changed:
            audit.record(
                action=f"accounts.user.taking_calls_{'on' if on else 'off'}",
                obj=user,
                actor=by or user,
                changes={"reason": reason},
            )
    return changed


def user_presence_heartbeat(*, user: User) -> bool:
    """The pop poll says "still watching": written at most once a minute, never audited."""
    now = timezone.now()
    seen = user.taking_calls_seen_at
    if seen and (now - seen).total_seconds() < PRESENCE_HEARTBEAT_SECONDS:
        return False
    user.taking_calls_seen_at = now
    user.save(update_fields=["taking_calls_seen_at"])
    return True
