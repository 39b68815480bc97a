"""The advocate's side of the phone system (issue 20): the screen pop, "Start call", and the
link from the phone system's call to the contact the advocate saves.

The phone system's own side (webhook, replay protection, missed calls) is in
`cases/phone_models.py` and its services; this module only reads `PhoneCall` rows and sets
`started_by`/`started_at` and `contact` on them.

The pop is pulled by a poll of every page of an advocate taking calls (static/js/phone_pop.js,
about once a second while the tab is visible): most polls find nothing, so the first read is
one indexed query (`phonecall_pop`, a partial index of the few calls ringing or answered and
not yet started); the families are matched only when there is a call to show, and only when
it differs from what the page already shows.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from familysupport.lib import audit
from familysupport.lib.phones import display

from . import selectors, services
from .models import Contact, ContactDraft, Family
from .phone_models import PhoneCall

# A call still "ringing" after this long lost its events (the phone system never said it
# ended): it stops popping. A call that ended without anyone pressing Start still pops for
# the advocate it was routed to for a while, so a short call can be logged.
POP_RINGING_WINDOW = dt.timedelta(minutes=15)
POP_ENDED_WINDOW = dt.timedelta(minutes=10)
POP_LONGEST_CALL = dt.timedelta(hours=4)
POP_ACTIVE = (PhoneCall.Status.RINGING, PhoneCall.Status.ANSWERED)
# The CallSids the pop's links can carry (`<str:call_sid>` takes no "/"); the same format the
# webhook accepts for new calls. A row with any other (an older one, one made by hand) is
# left out of the pop rather than failing every poll with a NoReverseMatch.
POP_CALL_SID = r"^[A-Za-z0-9._:@-]{1,64}$"


class CallTaken(Exception):
    """Another advocate pressed Start first."""

    def __init__(self, call: PhoneCall):
        super().__init__(call.call_sid)
        self.call = call


@dataclass
class Pop:
    call: PhoneCall
    matches: list[selectors.Suggestion]

    @property
    def withheld(self) -> bool:
        return not self.call.from_number

    @property
    def token(self) -> str:
        return pop_token(self.call)


def pop_token(call: PhoneCall | None) -> str:
    """What the page shows, so an unchanged pop costs no family search and no bytes."""
    return f"{call.call_sid}:{call.status}" if call else ""


def _offered_to(user: User) -> Q:
    """Calls routed to the user, or to nobody (then every advocate taking calls sees them)."""
    return Q(agent=user) | Q(agent__isnull=True)


# The poll's first and, almost always, only read: is there anything to pop for this user?
# Plain SQL on purpose: it runs once a second per advocate, and building the ORM query below
# cost more CPU than the rest of the request. The same conditions as phone_call_next_for()
# (tests/cases/test_phone_pop.py checks they agree); both read the two partial indexes.
_ANYTHING_TO_POP = f"""
    SELECT 1 FROM {PhoneCall._meta.db_table}
    WHERE (status IN ('ringing', 'answered') AND started_at IS NULL AND ringing_at >= %(ring)s
           AND (agent_id = %(user)s OR agent_id IS NULL))
       OR (agent_id = %(user)s AND status = 'ended' AND answered_at IS NOT NULL
           AND started_at IS NULL AND missed_handled_at IS NULL AND ringing_at >= %(longest)s
           AND ended_at >= %(ended)s)
    LIMIT 1"""  # noqa: S608 (a table name from the model, values as parameters)


def anything_to_pop(*, user: User, now: dt.datetime) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            _ANYTHING_TO_POP,
            {
                "user": user.pk,
                "ring": now - POP_RINGING_WINDOW,
                "longest": now - POP_LONGEST_CALL,
                "ended": now - POP_ENDED_WINDOW,
            },
        )
        return cursor.fetchone() is not None


def phone_call_next_for(*, user: User, skip: list[str] = ()) -> PhoneCall | None:
    """The newest call to pop for `user`; one cheap query when there is none."""
    if not (user.is_authenticated and user.taking_calls and selectors.can_change_cases(user)):
        return None
    now = timezone.now()
    if not anything_to_pop(user=user, now=now):
        return None
    qs = pop_queryset(user=user, now=now).filter(call_sid__regex=POP_CALL_SID)
    if skip:
        qs = qs.exclude(call_sid__in=skip)
    return qs.order_by("-ringing_at", "-pk").first()


def pop_queryset(*, user: User, now: dt.datetime) -> QuerySet[PhoneCall]:
    return PhoneCall.objects.filter(_pop_q(user=user, now=now))


def _pop_q(*, user: User, now: dt.datetime, started_too: bool = False) -> Q:
    """The pop's conditions; `started_too` also keeps calls someone already started, so that
    "Start call" can tell who took them (CallTaken) instead of a bare 404."""
    not_started = Q() if started_too else Q(started_at__isnull=True)
    active = Q(status__in=POP_ACTIVE, ringing_at__gte=now - POP_RINGING_WINDOW) & not_started
    # Answered and ended before the advocate pressed Start: still theirs to log, until the
    # missed-call sweep took it. Bounded by ringing_at and missed_handled_at so it reads the
    # small partial index `phonecall_missed_due`, not every call the advocate ever took.
    ended_unlogged = (
        Q(
            agent=user,
            status=PhoneCall.Status.ENDED,
            answered_at__isnull=False,
            missed_handled_at__isnull=True,
            ringing_at__gte=now - POP_LONGEST_CALL,
            ended_at__gte=now - POP_ENDED_WINDOW,
        )
        & not_started
    )
    return (active & _offered_to(user)) | ended_unlogged


def pop_for(*, user: User, call: PhoneCall) -> Pop:
    """The families this number belongs to, as far as `user` may see them (restricted
    families the user may not open are left out, as in the new-call suggestions)."""
    matches = (
        selectors.family_suggest(user=user, phone=call.from_number) if call.from_number else []
    )
    audit.record_list(
        Family,
        filters={"phone_call": call.call_sid},
        rows=len(matches),
        shown=len(matches),
        actor=user,
    )
    return Pop(call=call, matches=matches)


def _sid(call_sid: str) -> str:
    """A CallSid from a URL or a form: one PostgreSQL can compare (no NUL), or none at all."""
    if not call_sid or len(call_sid) > 64 or "\x00" in call_sid:
        raise PhoneCall.DoesNotExist
    return call_sid


def phone_call_started_by_user(*, user: User, call_sid: str) -> PhoneCall:
    """A call `user` started: the call page follows its end and saves the contact on it."""
    return PhoneCall.objects.get(call_sid=_sid(call_sid), started_by=user)


def minutes_of(seconds: int | None) -> int | None:
    """The phone system's seconds as the form's minutes, rounded up like the call timer."""
    if seconds is None:
        return None
    return max(1, math.ceil(seconds / 60)) if seconds > 0 else 0


def _draft_for(user: User, call: PhoneCall) -> ContactDraft | None:
    return ContactDraft.objects.filter(author=user, data__phone_call=call.call_sid).first()


@transaction.atomic
def phone_call_start(*, user: User, call_sid: str) -> tuple[PhoneCall, str]:
    """ "Start call" on the pop: the call is the user's, and New call opens filled in.

    Returns the call and the key of its draft (the call page's id). The row lock makes two
    advocates pressing Start at once safe: the second gets CallTaken naming the first.
    Pressing it again (a double click, the pop shown in two tabs) reopens the same draft.
    """
    # Only what the pop would offer this user (taking calls, ringing or just ended, within
    # its window): no starting a missed, stale or not-offered call by URL. Reopening one's
    # own started call works whatever the presence.
    may_start = Q(started_by=user)
    if user.taking_calls:
        may_start |= _pop_q(user=user, now=timezone.now(), started_too=True)
    call = PhoneCall.objects.select_for_update().filter(may_start).get(call_sid=_sid(call_sid))
    if call.started_by_id and call.started_by_id != user.pk:
        raise CallTaken(PhoneCall.objects.select_related("started_by").get(pk=call.pk))
    if call.contact_id:
        raise ValidationError("This call is logged already.")
    draft = _draft_for(user, call) if call.started_by_id else None
    if draft:
        return call, draft.key
    if not call.started_by_id:
        call.started_by, call.started_at = user, timezone.now()
        call.save(update_fields=["started_by", "started_at"])
        audit.record(action="cases.phonecall.started", obj=call, actor=user)
    key = str(uuid.uuid4())
    services.contact_draft_save(by=user, key=key, data=_draft_data(user, call))
    return call, key


def phone_call_release(*, user: User, call_sid: str) -> bool:
    """The user discarded the call's draft: the call is nobody's again, so it can be started
    again (it pops while still within the pop's window) or be swept as missed. Audited."""
    try:
        sid = _sid(call_sid)  # the draft's copy: typed data, so checked like a URL's
    except PhoneCall.DoesNotExist:
        return False
    released = PhoneCall.objects.filter(call_sid=sid, started_by=user, contact__isnull=True).first()
    if released is None:
        return False
    released.started_by, released.started_at = None, None
    released.save(update_fields=["started_by", "started_at"])
    audit.record(action="cases.phonecall.released", obj=released, actor=user)
    return True


def _draft_data(user: User, call: PhoneCall) -> dict[str, str]:
    """New call's fields from the phone system: number, strong match, start, duration."""
    began = call.answered_at or call.ringing_at
    data = {
        "phone_call": call.call_sid,
        "phone": display(call.from_number),
        "started_at": timezone.localtime(began).strftime("%Y-%m-%dT%H:%M"),
        "opened_at": str(int(began.timestamp() * 1000)),  # the page's timer counts from here
        "timer_state": "running",
        "direction": call.direction,
        "channel": Contact.Channel.PHONE,
    }
    if call.from_number:
        strong = [
            s for s in selectors.family_suggest(user=user, phone=call.from_number) if s.strong
        ]
        if len(strong) == 1:  # two families share the number: the advocate asks and picks
            only = strong[0]
            cases = only.case_choices
            data["attach"] = cases[0][0] if len(cases) == 1 else only.family_value
    minutes = minutes_of(call.duration_seconds)
    if minutes is not None:
        data["duration_minutes"] = str(minutes)
        data["duration_source"] = "phone"
        data["timer_state"] = "stopped"
    return data


def phone_call_link_contact(*, call: PhoneCall, contact: Contact, by: User) -> None:
    """Saving New call: the phone system's call points at the contact logged for it."""
    locked = PhoneCall.objects.select_for_update().get(pk=call.pk)
    if locked.started_by_id != by.pk or locked.contact_id:
        raise ValidationError({"phone_call": "This phone call is logged already."})
    locked.contact = contact
    locked.save(update_fields=["contact"])
    audit.record(
        action="cases.phonecall.logged", obj=locked, actor=by, changes={"contact": contact.pk}
    )


def phone_call_for_page(*, user: User, call_sid: str) -> PhoneCall | None:
    """The call behind a call page (its banner and "ended" check); None if not the user's."""
    if not call_sid:
        return None
    try:
        return phone_call_started_by_user(user=user, call_sid=call_sid)
    except PhoneCall.DoesNotExist:
        return None


def is_fresh_pop_draft(draft: ContactDraft | None) -> bool:
    """A draft "Start call" just made: the page is opening, not restoring notes."""
    return bool(
        draft
        and draft.data.get("phone_call")
        and draft.updated_at - draft.created_at < dt.timedelta(seconds=2)
    )
