"""Writes for the phone system (issue 20): checking who signed a webhook, applying call
events once, integration secrets, and the missed-call sweep.

The screen pop and "Start call" (the advocate's half) read and set `PhoneCall` elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator, get_signature_algorithm

from accounts.models import User
from familysupport.lib import audit, dates, secretbox
from familysupport.lib.access import ADMINISTRATOR, CASEWORKERS, SUPERVISOR
from familysupport.lib.notify import notify
from familysupport.lib.phones import to_e164

from .models import Case, Family, Task
from .phone_models import PhoneCall, PhoneCallEvent, PhoneIntegration
from .phone_pop import POP_ENDED_WINDOW

# Headers of the generic HMAC scheme (README "Phone system").
HMAC_INTEGRATION_HEADER = "X-Phone-Integration"
HMAC_TIMESTAMP_HEADER = "X-Phone-Timestamp"
HMAC_SIGNATURE_HEADER = "X-Phone-Signature"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"
TWILIO_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
# The documented form parameter (or query parameter of the configured URL) naming the
# advocate the phone system routed the call to: their portal e-mail address.
AGENT_PARAM = "Agent"

# What callers' networks send instead of a number when it is withheld.
WITHHELD = frozenset({"", "anonymous", "restricted", "private", "unknown", "+266696687"})

# Twilio's CallStatus values → the event they are for this portal.
EVENT_OF_STATUS = {
    "queued": "ringing",
    "initiated": "ringing",
    "ringing": "ringing",
    "in-progress": "answered",
    "answered": "answered",
    "completed": "ended",
    "busy": "ended",
    "no-answer": "ended",
    "failed": "ended",
    "canceled": "ended",
}
EVENTS = ("ringing", "answered", "ended")

MISSED_TASK_TITLE = "Missed call from a known family"
# CallSids of `manage.py phone_test_call`: they pop like real calls but are never "missed".
TEST_CALL_PREFIX = "CAportaltest"
# An answered call with no "ended" event after this long lost it: counted as missed.
ANSWERED_STALE_HOURS = 4
# Refused webhooks: one audit entry per client and reason per this many seconds; the count
# of the others is kept this long for the next entry.
REFUSAL_AUDIT_SECONDS = 60
REFUSAL_COUNT_SECONDS = 7 * 24 * 3600
# What a header may hold before it is parsed: anything else is refused, never a 500.
HMAC_TIMESTAMP_FORMAT = re.compile(r"[0-9]{1,12}")
HMAC_SIGNATURE_FORMAT = re.compile(r"sha256=[0-9a-f]{64}")
# The characters the pop's URLs (`<str:call_sid>`) and the database accept in a CallSid.
CALL_SID_FORMAT = re.compile(r"[A-Za-z0-9._:@-]{1,64}")


# --- who signed the request -----------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # why refused, for the audit entry: never anything the request carried
    integration: PhoneIntegration | None = None


def _twilio_url(full_path: str) -> str:
    # Twilio signs the URL it called; behind a proxy the request's own scheme and host are
    # the proxy's, so rebuild it from the configured public base URL.
    return settings.PHONE_WEBHOOK_BASE_URL + full_path


def verify_request(
    *,
    headers: Mapping[str, str],
    method: str = "POST",
    full_path: str,
    form: Mapping[str, object],
    body: bytes,
) -> Verdict:
    """Check a webhook's signature: Twilio's scheme, or the per-integration HMAC."""
    signature = headers.get(TWILIO_SIGNATURE_HEADER)
    if signature:
        token = settings.TWILIO_AUTH_TOKEN
        if not token:
            return Verdict(False, "twilio_not_configured")
        algorithm = get_signature_algorithm(headers.get(TWILIO_SETTINGS_HEADER, ""))
        valid = RequestValidator(token).validate(
            _twilio_url(full_path), form, signature, algorithm=algorithm
        )
        return Verdict(valid, "" if valid else "bad_signature")
    if headers.get(HMAC_SIGNATURE_HEADER):
        return _verify_hmac(headers=headers, method=method, full_path=full_path, body=body)
    return Verdict(False, "missing_signature")


def hmac_signature(
    *, secret: str, timestamp: str, method: str = "POST", full_path: str, body: bytes
) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<METHOD>.<path?query>." + raw body).

    The path and query are signed: a request captured for one URL (ringing, `?Agent=`)
    cannot be replayed to another (call-ended, another agent).
    """
    message = f"{timestamp}.{method.upper()}.{full_path}.".encode() + body
    mac = hmac.new(secret.encode(), message, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _verify_hmac(
    *, headers: Mapping[str, str], method: str, full_path: str, body: bytes
) -> Verdict:
    try:
        public_id = uuid.UUID(headers.get(HMAC_INTEGRATION_HEADER, ""))
    except ValueError:
        return Verdict(False, "unknown_integration")
    integration = PhoneIntegration.objects.filter(public_id=public_id, active=True).first()
    if integration is None:
        return Verdict(False, "unknown_integration")
    stamp = headers.get(HMAC_TIMESTAMP_HEADER, "")
    if (
        not HMAC_TIMESTAMP_FORMAT.fullmatch(stamp)
        or abs(time.time() - int(stamp)) > settings.PHONE_HMAC_MAX_AGE_SECONDS
    ):
        # The timestamp is signed too: a captured request stops working after a few minutes.
        return Verdict(False, "stale_timestamp", integration)
    try:
        secret = secretbox.unseal(integration.secret_encrypted)
    except secretbox.SecretUnreadableError:
        return Verdict(False, "secret_unreadable", integration)
    expected = hmac_signature(
        secret=secret, timestamp=stamp, method=method, full_path=full_path, body=body
    )
    given = headers.get(HMAC_SIGNATURE_HEADER, "").lower()
    if not given.startswith("sha256="):
        given = "sha256=" + given
    if not HMAC_SIGNATURE_FORMAT.fullmatch(given):
        # compare_digest refuses non-ASCII text with a TypeError: check the form first.
        return Verdict(False, "bad_signature", integration)
    valid = hmac.compare_digest(expected, given)
    return Verdict(valid, "" if valid else "bad_signature", integration)


def webhook_refused(
    *, reason: str, integration: PhoneIntegration | None, client: str | None = None
) -> None:
    """The audit entry of a refused webhook: the reason only (no numbers, no parameters).

    At most one entry per client address and reason per minute (entries are kept for years
    and anyone can send unsigned requests); the refusals in between are counted in the cache
    and their number is written into the next entry.
    """
    key = f"cases.phone.refused:{client or '-'}:{reason}"
    if not cache.add(key, 1, timeout=REFUSAL_AUDIT_SECONDS):
        try:
            cache.incr(f"{key}:unrecorded")
        except ValueError:  # the first unrecorded one
            cache.set(f"{key}:unrecorded", 1, timeout=REFUSAL_COUNT_SECONDS)
        return
    changes: dict[str, object] = {"reason": reason}
    unrecorded = cache.get(f"{key}:unrecorded")
    if unrecorded:
        cache.delete(f"{key}:unrecorded")
        changes["refused_unrecorded_before"] = unrecorded
    audit.record(action="cases.phonecall.webhook_refused", obj=integration, changes=changes)


# --- applying an event ----------------------------------------------------------------


def valid_call_sid(call_sid: str) -> bool:
    return bool(CALL_SID_FORMAT.fullmatch(call_sid))


def caller_number(raw: str) -> str:
    """E.164, or "" when the caller withheld it (or sent something that is not a number)."""
    text = (raw or "").strip()
    if text.lower() in WITHHELD:
        return ""
    return to_e164(text) or ""


def event_for(call_status: str, default: str) -> str | None:
    status = (call_status or "").strip().lower()
    if not status:
        return default
    return EVENT_OF_STATUS.get(status)


def _agent(identity: str) -> User | None:
    identity = (identity or "").strip()
    if not identity or "@" not in identity:
        return None
    return (
        User.objects.filter(email__iexact=identity, is_active=True, role__in=CASEWORKERS)
        .only("pk")
        .first()
    )


def event_from_another_source(*, call_sid: str, integration: PhoneIntegration | None) -> bool:
    """True if the call was reported by another phone system (or Twilio) than this request's:
    a source may change only its own calls, even if it knows another's CallSid."""
    found = PhoneCall.objects.filter(call_sid=call_sid).values_list("integration_id").first()
    return found is not None and found[0] != (integration.pk if integration else None)


def _first_time(call_sid: str, event: str) -> bool:
    """Record the event; False if it was applied before (a replay or a retry).

    One statement, race-free: a concurrent duplicate waits on the unique index until the
    first commits, then inserts nothing.
    """
    table = PhoneCallEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (call_sid, event, received_at) VALUES (%s, %s, %s) "  # noqa: S608 (table name from the model)
            "ON CONFLICT (call_sid, event) DO NOTHING RETURNING id",
            [call_sid, event, timezone.now()],
        )
        return cursor.fetchone() is not None


def _seconds(raw: str) -> int | None:
    text = (raw or "").strip()
    # isascii: "²".isdigit() is True but int("²") raises.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 7 else None


@transaction.atomic(savepoint=False)  # inside the request's transaction: two round trips less
def call_event_apply(
    *, params: Mapping[str, str], event: str, integration: PhoneIntegration | None
) -> PhoneCall | None:
    """Apply a ringing/answered/ended event to its call, once; None for a replay."""
    call_sid = (params.get("CallSid") or "").strip()[:64]
    if not call_sid or event not in EVENTS or not _first_time(call_sid, event):
        return None
    now = timezone.now()
    agent = _agent(params.get(AGENT_PARAM, ""))
    call = PhoneCall.objects.select_for_update().filter(call_sid=call_sid).first()
    if call is None:
        # Usually the ringing event; an answered or ended one can arrive first (a retry of
        # a ringing event that failed), so any event may create the call.
        direction = (params.get("Direction") or "").lower()
        call = PhoneCall(
            call_sid=call_sid,
            integration=integration,
            from_number=caller_number(params.get("From", "")),
            to_number=to_e164(params.get("To", "")) or "",
            direction=(
                PhoneCall.Direction.OUTBOUND
                if direction.startswith("outbound")
                else PhoneCall.Direction.INBOUND
            ),
            ringing_at=now,
        )
        _apply(call, event=event, params=params, agent=agent, now=now)
        try:
            # A savepoint: another event of the same new call (ringing and answered sent
            # at once) may insert it first; then this event is applied to that row.
            with transaction.atomic():
                call.save(force_insert=True)
            return call
        except IntegrityError:
            call = PhoneCall.objects.select_for_update().get(call_sid=call_sid)
    if call.integration_id != (integration.pk if integration else None):
        # Another source's call (created between the view's check and here): not applied.
        PhoneCallEvent.objects.filter(call_sid=call_sid, event=event).delete()
        return None
    _apply(call, event=event, params=params, agent=agent, now=now)
    call.save()
    return call


def _apply(
    call: PhoneCall, *, event: str, params: Mapping[str, str], agent: User | None, now: datetime
) -> None:
    if agent is not None:
        call.agent = agent
    if event == "answered":
        call.answered_at = call.answered_at or now
        if call.status in (PhoneCall.Status.RINGING, PhoneCall.Status.MISSED):
            call.status = PhoneCall.Status.ANSWERED
    elif event == "ended":
        if call.ended_at is not None:
            return  # ended already: a replayed "ended" changes neither the time nor the length
        call.ended_at = now
        seconds = _seconds(params.get("CallDuration", ""))
        if seconds is not None:
            call.duration_seconds = seconds
        if call.status != PhoneCall.Status.MISSED:
            call.status = PhoneCall.Status.ENDED


# --- integrations (administrators) ------------------------------------------------------


def _require_admin(by: User) -> None:
    if by.role != ADMINISTRATOR or not by.is_active:
        raise ValidationError("Only administrators manage phone integrations.")


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def phone_integration_create(*, name: str, by: User) -> tuple[PhoneIntegration, str]:
    """Create an integration; return it and its secret (shown once, kept only encrypted)."""
    _require_admin(by)
    name = name.strip()
    if PhoneIntegration.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "An integration with this name exists already."})
    secret = _new_secret()
    integration = PhoneIntegration(
        name=name, secret_encrypted=secretbox.seal(secret), created_by=by
    )
    integration.full_clean()
    integration.save()
    return integration, secret


@transaction.atomic
def phone_integration_rotate(*, integration: PhoneIntegration, by: User) -> str:
    """Replace the secret at once: the old one is refused from now on."""
    _require_admin(by)
    integration = PhoneIntegration.objects.select_for_update().get(pk=integration.pk)
    if not integration.active:
        raise ValidationError("A deactivated integration cannot be rotated.")
    secret = _new_secret()
    integration.secret_encrypted = secretbox.seal(secret)
    integration.rotated_at = timezone.now()
    integration.save(update_fields=["secret_encrypted", "rotated_at"])
    audit.record(action="cases.phoneintegration.rotated", obj=integration, actor=by)
    return secret


@transaction.atomic
def phone_integration_deactivate(*, integration: PhoneIntegration, by: User) -> PhoneIntegration:
    _require_admin(by)
    integration = PhoneIntegration.objects.select_for_update().get(pk=integration.pk)
    if integration.active:
        integration.active = False
        integration.deactivated_at = timezone.now()
        integration.save(update_fields=["active", "deactivated_at"])
        audit.record(action="cases.phoneintegration.deactivated", obj=integration, actor=by)
    return integration


# --- missed calls ---------------------------------------------------------------------


def _missed_due(now: datetime) -> Q:
    # Ringing (never answered) or ended, nobody pressed "Start call", rang N minutes ago.
    # An answered call still going on is not missed: someone is talking to the caller;
    # one whose "ended" never came is, after ANSWERED_STALE_HOURS (else it would pop forever).
    cutoff = now - timedelta(minutes=settings.PHONE_MISSED_AFTER_MINUTES)
    stale = now - timedelta(hours=ANSWERED_STALE_HOURS)
    return (
        ~Q(call_sid__startswith=TEST_CALL_PREFIX)
        & Q(
            started_at__isnull=True,
            missed_handled_at__isnull=True,
            direction=PhoneCall.Direction.INBOUND,
        )
        & (
            Q(status=PhoneCall.Status.RINGING, ringing_at__lte=cutoff)
            | Q(status=PhoneCall.Status.ENDED, answered_at__isnull=True, ringing_at__lte=cutoff)
            # Answered, then ended without Start: the advocate may still log it from the pop
            # for POP_ENDED_WINDOW (the pop's own window); missed only after that.
            | Q(
                status=PhoneCall.Status.ENDED,
                answered_at__isnull=False,
                ringing_at__lte=cutoff,
                ended_at__lte=now - POP_ENDED_WINDOW,
            )
            | Q(status=PhoneCall.Status.ANSWERED, ringing_at__lte=stale)
        )
    )


def phone_missed_calls(*, now: datetime | None = None, limit: int = 500) -> int:
    """Turn calls nobody started into a task (known family) or a supervisors' notice."""
    now = now or timezone.now()
    pks = list(
        PhoneCall.objects.filter(_missed_due(now))
        .order_by("ringing_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(_missed_call_handle(pk=pk, now=now) for pk in pks)


def _open_case_for_number(number: str) -> Case | None:
    """The most recently opened open case of a family with this exact number (strong match)."""
    if not number:
        return None
    families = Family.objects.filter(
        Q(phone=number) | Q(phone_alt=number), merged_into__isnull=True
    )
    return (
        Case.objects.filter(family__in=families)
        .exclude(status=Case.Status.CLOSED)
        .select_related("assigned_advocate")
        .order_by("-opened_at", "-pk")
        .first()
    )


@transaction.atomic
def _missed_call_handle(*, pk: int, now: datetime) -> int:
    # Locked and checked again: a second worker skips the row or finds it handled.
    call = (
        PhoneCall.objects.select_for_update(skip_locked=True)
        .filter(_missed_due(now), pk=pk)
        .first()
    )
    if call is None:
        return 0
    case = _open_case_for_number(call.from_number)
    advocate = case.assigned_advocate if case else None
    key = f"cases.phone_missed:{call.pk}"
    if case is not None and advocate is not None and advocate.is_active:
        task = Task.objects.create(
            case=case, owner=advocate, title=MISSED_TASK_TITLE, due_on=dates.today()
        )
        call.missed_task = task
        notify(
            recipients=[advocate],
            event="cases.phone.missed",
            title="Missed call from a known family: a follow-up task was added",
            url=reverse("home"),
            key=key,
        )
    else:
        if not call.from_number:
            title = "Missed call from a withheld number"
        elif case is None:
            title = "Missed call from a number with no open case"
        else:
            title = "Missed call from a known family with no active advocate"
        supervisors = User.objects.filter(role=SUPERVISOR, is_active=True).order_by("pk")
        notify(
            recipients=supervisors,
            event="cases.phone.missed",
            title=title,
            url=reverse("phone:missed_list"),
            key=key,
        )
    call.status = PhoneCall.Status.MISSED
    call.missed_handled_at = now
    call.save(update_fields=["status", "missed_handled_at", "missed_task"])
    return 1
