"""The screen pop of incoming phone calls (issue 20, the advocate's side): who gets a pop,
what it shows (only families the advocate may see; new caller; withheld number), the cheap
empty poll, "Start call" (one advocate only), and saving New call with the CallSid link and
the phone system's duration."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from cases import phone_pop, restricted
from cases.models import Case, Contact, ContactDraft, PhoneCall
from familysupport.lib.models import AuditEntry

from .factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db
POLL = reverse("cases:phone_pop")
BACKGROUND = {"HTTP_X_BACKGROUND_POLL": "1"}
NUMBER = "+15550104242"


def ringing(sid="CA" + "1" * 32, *, number=NUMBER, agent=None, **fields) -> PhoneCall:
    fields.setdefault("ringing_at", timezone.now() - dt.timedelta(seconds=5))
    return PhoneCall.objects.create(call_sid=sid, from_number=number, agent=agent, **fields)


def taking_calls(user):
    account_services.user_taking_calls_set(user=user, on=True, reason="menu")
    return user


def poll(client, **params):
    return client.get(POLL, params, **BACKGROUND)


def nothing(response) -> bool:
    """The poll's answer when there is no call to pop: an empty pop."""
    return response.status_code == 200 and response.content == b""


@pytest.fixture
def family(advocate):
    family = FamilyFactory(display_name="Okonkwo-Lindqvist family", phone=NUMBER)
    CaseFactory(family=family, assigned_advocate=advocate)
    return family


# --- who gets the pop ---------------------------------------------------------------------


def test_unrouted_call_pops_for_every_caseworker_taking_calls(login, make_user, family):
    advocate, supervisor = (
        taking_calls(make_user("advocate")),
        taking_calls(make_user("supervisor")),
    )
    not_taking = make_user("advocate")
    call = ringing()
    for user in (advocate, supervisor):
        html = poll(login(user)).content.decode()
        assert f'data-call="{call.call_sid}"' in html and "(555) 010-4242" in html
    response = poll(login(not_taking))
    assert response.status_code == 204 and response["X-Taking-Calls"] == "off"


def test_routed_call_pops_only_for_its_advocate(login, make_user, family):
    routed, other = taking_calls(make_user("advocate")), taking_calls(make_user("advocate"))
    call = ringing(agent=routed)
    assert call.call_sid in poll(login(routed)).content.decode()
    assert nothing(poll(login(other)))


def test_started_stale_and_ended_calls_do_not_pop(login, advocate, make_user):
    taking_calls(advocate)
    ringing("CA-started", started_by=make_user("advocate"), started_at=timezone.now())
    ringing("CA-stale", ringing_at=timezone.now() - dt.timedelta(hours=1))
    ringing("CA-ended", status=PhoneCall.Status.ENDED, ended_at=timezone.now())
    assert nothing(poll(login(advocate)))


def test_answered_call_that_ended_unstarted_still_pops_for_its_advocate(login, advocate):
    taking_calls(advocate)
    now = timezone.now()
    call = ringing(
        agent=advocate, status=PhoneCall.Status.ENDED, answered_at=now, ended_at=now,
        duration_seconds=40,
    )  # fmt: skip
    html = poll(login(advocate)).content.decode()
    assert call.call_sid in html and "Call ended" in html


# --- what the pop shows ---------------------------------------------------------------------


def test_known_number_shows_the_family_and_its_open_case(login, advocate, family):
    taking_calls(advocate)
    ringing()
    html = poll(login(advocate)).content.decode()
    assert "Okonkwo-Lindqvist family" in html and "same phone" in html
    assert family.cases.get().reference in html
    assert 'aria-labelledby="phone-pop-title"' in html and ">Start call<" in html
    assert ">Dismiss<" in html


def test_pop_leaves_out_a_restricted_family_the_advocate_may_not_open(
    login, advocate, make_user, supervisor
):
    hidden = FamilyFactory(display_name="Vantablack family", phone=NUMBER)
    restricted.case_restrict(
        case=CaseFactory(family=hidden, assigned_advocate=advocate), by=supervisor, reason="x"
    )
    outsider = taking_calls(make_user("advocate"))
    taking_calls(advocate)
    ringing()
    assert "Vantablack" in poll(login(advocate)).content.decode()  # assigned: may open it
    html = poll(login(outsider)).content.decode()
    assert "Vantablack" not in html and "New caller" in html


def test_unknown_number_is_a_new_caller(login, advocate):
    taking_calls(advocate)
    ringing(number="+15550109999")
    html = poll(login(advocate)).content.decode()
    assert "New caller" in html and "(555) 010-9999" in html


def test_withheld_number_says_so(login, advocate, family):
    taking_calls(advocate)
    ringing(number="")
    html = poll(login(advocate)).content.decode()
    assert "Number withheld" in html and "Okonkwo" not in html


# --- a cheap poll ---------------------------------------------------------------------------


def test_unchanged_pop_is_a_204_without_family_search_or_audit(
    login, advocate, family, django_assert_max_num_queries
):
    taking_calls(advocate)
    client = login(advocate)
    call = ringing()
    entries = AuditEntry.objects.count()
    assert poll(client).status_code == 200
    assert AuditEntry.objects.count() == entries + 1  # one list read: families were shown
    assert AuditEntry.objects.filter(action="cases.family.listed").latest("pk").changes["rows"] == 1
    with django_assert_max_num_queries(4):  # session, user, anything to pop?, the call
        response = poll(client, shown=phone_pop.pop_token(call))
    assert response.status_code == 204
    call.status = PhoneCall.Status.ANSWERED
    call.save()
    assert poll(client, shown=f"{call.call_sid}:ringing").status_code == 200  # changed: redrawn


def test_empty_poll_writes_no_audit_and_few_queries(login, advocate, django_assert_max_num_queries):
    taking_calls(advocate)
    client = login(advocate)
    poll(client)  # the heartbeat is fresh after this one
    entries = AuditEntry.objects.count()
    for _ in range(3):
        with django_assert_max_num_queries(3):  # session, user, anything to pop?
            assert nothing(poll(client))
    assert AuditEntry.objects.count() == entries


def test_pop_that_went_away_is_cleared(login, advocate):
    taking_calls(advocate)
    response = poll(login(advocate), shown="CAgone:ringing")
    assert response.status_code == 200 and response.content == b""


def test_dismissed_call_is_skipped_and_the_next_one_shows(login, advocate):
    taking_calls(advocate)
    older = ringing("CA-older", ringing_at=timezone.now() - dt.timedelta(seconds=30))
    newer = ringing("CA-newer")
    client = login(advocate)
    assert newer.call_sid in poll(client).content.decode()
    html = poll(client, skip=newer.call_sid).content.decode()
    assert older.call_sid in html and newer.call_sid not in html


@pytest.mark.parametrize("role", ["administrator", "provider", "volunteer"])
def test_other_roles_get_403(login, make_user, role):
    assert poll(login(make_user(role))).status_code == 403


def test_anonymous_poll_gets_401_and_a_page_load_the_sign_in(client):
    assert poll(client).status_code == 401
    assert "/accounts/login/" in client.get(POLL)["Location"]


def test_poll_is_get_only(login, advocate):
    assert login(advocate).post(POLL).status_code == 405


# --- Start call -----------------------------------------------------------------------------


def _start(client, call, **data):
    return client.post(reverse("cases:phone_call_start", args=[call.call_sid]), data)


def test_start_opens_new_call_filled_in_from_the_phone_system(login, advocate, family):
    taking_calls(advocate)
    answered = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=2)
    call = ringing(status=PhoneCall.Status.ANSWERED, answered_at=answered)
    client = login(advocate)
    response = _start(client, call, next="/cases/")
    draft = ContactDraft.objects.get(author=advocate)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:call", args=[draft.key])
    call.refresh_from_db()
    assert call.started_by == advocate and call.started_at is not None
    assert AuditEntry.objects.filter(action="cases.phonecall.started", actor=advocate).exists()

    html = client.get(response["Location"]).content.decode()
    case = family.cases.get()
    assert 'value="(555) 010-4242"' in html  # the phone, in national format
    assert re.search(rf'value="c{case.pk}"[^>]*checked', html)  # its one open case chosen
    local = timezone.localtime(answered).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in html  # the call started when it was answered
    assert f'name="phone_call" value="{call.call_sid}"' in html
    assert 'id="phone-call-banner"' in html and 'id="draft-restored"' not in html
    # Nobody else gets the pop any more.
    assert nothing(poll(client))


def test_second_advocate_is_told_who_took_the_call(login, advocate, make_user, family):
    taking_calls(advocate)
    call = ringing()
    _start(login(advocate), call)
    second = taking_calls(make_user("advocate"))
    client = login(second)
    response = _start(client, call, next="/cases/")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    page = client.get("/cases/").content.decode()
    assert f"{advocate} already took this call" in page
    assert not ContactDraft.objects.filter(author=second).exists()
    call.refresh_from_db()
    assert call.started_by == advocate


def test_pressing_start_twice_reopens_the_same_call(login, advocate):
    taking_calls(advocate)
    call = ringing()
    client = login(advocate)
    first = _start(client, call)["Location"]
    assert _start(client, call)["Location"] == first
    assert ContactDraft.objects.filter(author=advocate).count() == 1


def test_two_strong_matches_choose_none(login, advocate):
    taking_calls(advocate)
    FamilyFactory(phone=NUMBER)
    FamilyFactory(phone_alt=NUMBER)
    call = ringing()
    _start(login(advocate), call)
    assert "attach" not in ContactDraft.objects.get().data


def test_call_routed_to_someone_else_is_404(login, advocate, make_user):
    call = ringing(agent=make_user("advocate"))
    assert _start(login(advocate), call).status_code == 404
    assert login(advocate).post(
        reverse("cases:phone_call_start", args=["CA-no-such-call"])
    ).status_code == 404  # fmt: skip


def test_start_wrong_role_anonymous_and_get(login, make_user, client):
    call = ringing()
    assert _start(login(make_user("administrator")), call).status_code == 403
    assert "/accounts/login/" in _start(client, call)["Location"]
    assert login(make_user("advocate")).get(
        reverse("cases:phone_call_start", args=[call.call_sid])
    ).status_code == 405  # fmt: skip
    call.refresh_from_db()
    assert call.started_by is None


# --- saving the call: the CallSid link and the duration ------------------------------------


def _page_data(client, location) -> dict:
    draft = ContactDraft.objects.get(key=location.rstrip("/").rsplit("/", 1)[-1])
    data = dict(draft.data)
    data.update(purpose=Contact.Purpose.FOLLOW_UP, notes="Called back about the hearing.")
    return data


def test_saving_links_the_contact_and_takes_the_phone_duration(login, advocate, family):
    taking_calls(advocate)
    call = ringing(status=PhoneCall.Status.ANSWERED, answered_at=timezone.now())
    client = login(advocate)
    location = _start(client, call)["Location"]
    data = _page_data(client, location)
    # The phone system reports the end while the page is open; the page asks for it.
    call.refresh_from_db()
    call.status, call.duration_seconds = PhoneCall.Status.ENDED, 250
    call.ended_at = timezone.now()
    call.save()
    status = client.get(reverse("cases:phone_call_status", args=[call.call_sid]), **BACKGROUND)
    assert status.json() == {"status": "ended", "duration_seconds": 250, "duration_minutes": 5}
    data["duration_minutes"] = ""  # the advocate left it empty: the phone's duration counts
    response = client.post(location, data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    call.refresh_from_db()
    assert call.contact == contact and contact.phone_call == call
    assert contact.duration_minutes == 5
    assert contact.case == family.cases.get()
    assert AuditEntry.objects.filter(action="cases.phonecall.logged").exists()


def test_a_duration_the_advocate_typed_is_kept(login, advocate, family):
    taking_calls(advocate)
    call = ringing(
        status=PhoneCall.Status.ENDED,
        duration_seconds=250,
        answered_at=timezone.now(),
        agent=advocate,
        ended_at=timezone.now(),
    )
    client = login(advocate)
    location = _start(client, call)["Location"]
    data = _page_data(client, location)
    assert data["duration_minutes"] == "5"  # ended before Start: filled at once
    data["duration_minutes"] = "7"
    assert client.post(location, data).status_code == 302
    assert Contact.objects.get().duration_minutes == 7


def test_empty_duration_before_the_call_ended_is_an_error_next_to_the_field(
    login, advocate, family
):
    taking_calls(advocate)
    call = ringing()
    client = login(advocate)
    location = _start(client, call)["Location"]
    data = _page_data(client, location)
    data["duration_minutes"] = ""
    response = client.post(location, data)
    html = response.content.decode()
    assert response.status_code == 400 and not Contact.objects.exists()
    assert "the phone system has not reported the end of the call" in html
    assert "Called back about the hearing." in html  # nothing typed is lost


def test_someone_elses_call_sid_cannot_be_linked(login, advocate, make_user, family):
    taking_calls(advocate)
    other_call = ringing("CA-other")
    _start(login(taking_calls(make_user("advocate"))), other_call)
    client = login(advocate)
    location = _start(client, ringing())["Location"]
    data = _page_data(client, location)
    data["phone_call"] = other_call.call_sid
    response = client.post(location, data)
    assert response.status_code == 400 and not Contact.objects.exists()
    assert "This phone call was not started by you." in response.content.decode()
    other_call.refresh_from_db()
    assert other_call.contact is None


def test_a_logged_call_cannot_be_started_or_linked_again(login, advocate, family):
    taking_calls(advocate)
    call = ringing(
        status=PhoneCall.Status.ENDED,
        duration_seconds=60,
        answered_at=timezone.now(),
        agent=advocate,
        ended_at=timezone.now(),
    )
    client = login(advocate)
    location = _start(client, call)["Location"]
    data = _page_data(client, location)
    assert client.post(location, data).status_code == 302
    response = client.post(reverse("cases:new_call"), data)  # the same CallSid again
    assert response.status_code == 400 and Contact.objects.count() == 1
    assert _start(client, call).status_code == 302  # "logged already", no new draft
    assert not ContactDraft.objects.exists()


def test_status_is_only_for_the_advocate_who_started_the_call(login, advocate, make_user, client):
    taking_calls(advocate)
    call = ringing()
    url = reverse("cases:phone_call_status", args=[call.call_sid])
    assert login(advocate).get(url, **BACKGROUND).status_code == 404  # not started yet
    _start(login(advocate), call)
    assert login(advocate).get(url, **BACKGROUND).json()["status"] == "ringing"
    assert login(make_user("advocate")).get(url, **BACKGROUND).status_code == 404
    assert login(make_user("provider")).get(url, **BACKGROUND).status_code == 403
    assert client.get(url, **BACKGROUND).status_code == 401


def test_minutes_round_up_like_the_call_timer():
    assert [phone_pop.minutes_of(s) for s in (None, 0, 1, 60, 61, 250)] == [None, 0, 1, 1, 2, 5]


def test_new_call_without_a_phone_call_still_requires_a_duration(login, advocate):
    local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = login(advocate).post(
        reverse("cases:new_call"),
        {
            "name": "Ren Example",
            "attach": "new",
            "case_type": Case.Type.ENDANGERED_RUNAWAY,
            "started_at": local,
            "duration_minutes": "",
            "direction": "inbound",
            "channel": "phone",
            "purpose": Contact.Purpose.FOLLOW_UP,
        },
    )
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_cheap_check_and_the_pop_query_agree(advocate, make_user):
    """anything_to_pop() (plain SQL, every poll) says yes exactly when the query finds a call."""
    other = make_user("advocate")
    now = timezone.now()
    long_ago = now - dt.timedelta(hours=1)
    cases = [
        {},
        {"agent": other},
        {"status": PhoneCall.Status.ANSWERED, "answered_at": now},
        {"started_at": now, "started_by": other},
        {"ringing_at": long_ago},
        {"status": PhoneCall.Status.MISSED},
        {"status": PhoneCall.Status.ENDED, "answered_at": now, "ended_at": now},
        {"status": PhoneCall.Status.ENDED, "answered_at": now, "ended_at": now, "agent": advocate},
        {"status": PhoneCall.Status.ENDED, "ended_at": now, "agent": advocate},  # never answered
        {
            "status": PhoneCall.Status.ENDED,
            "answered_at": long_ago,
            "ended_at": long_ago,
            "agent": advocate,
        },
        {
            "status": PhoneCall.Status.ENDED,
            "answered_at": now,
            "ended_at": now,
            "agent": advocate,
            "missed_handled_at": now,
        },
    ]
    popped = 0
    for i, fields in enumerate(cases):
        PhoneCall.objects.all().delete()
        ringing(f"CA-agree-{i}", **fields)
        for user in (advocate, other):
            found = phone_pop.pop_queryset(user=user, now=timezone.now()).exists()
            assert phone_pop.anything_to_pop(user=user, now=timezone.now()) == found, (i, user)
            popped += found
    assert popped == 6  # unrouted (2 users), routed (1), answered (2), ended unlogged (1)


# --- Start call checks what the pop checks (review of issue 20, finding 1) -----------------


def test_start_is_refused_to_a_user_not_taking_calls(login, advocate):
    call = ringing()
    assert _start(login(advocate), call).status_code == 404
    call.refresh_from_db()
    assert call.started_by is None and not ContactDraft.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PhoneCall.Status.MISSED},
        {"ringing_at": timezone.now() - phone_pop.POP_RINGING_WINDOW - dt.timedelta(minutes=1)},
        {"status": PhoneCall.Status.ENDED, "ended_at": timezone.now()},  # never answered
    ],
    ids=["missed", "stale", "ended-unanswered"],
)
def test_start_is_refused_for_a_call_the_pop_would_not_show(login, advocate, fields):
    taking_calls(advocate)
    call = ringing(**fields)
    assert _start(login(advocate), call).status_code == 404
    call.refresh_from_db()
    assert call.started_by is None and not ContactDraft.objects.exists()


def test_own_started_call_reopens_after_taking_calls_is_switched_off(login, advocate):
    taking_calls(advocate)
    call = ringing()
    client = login(advocate)
    first = _start(client, call)["Location"]
    account_services.user_taking_calls_set(user=advocate, on=False, reason="menu")
    PhoneCall.objects.filter(pk=call.pk).update(status=PhoneCall.Status.ENDED)
    assert _start(client, call)["Location"] == first


# --- a CallSid the pop's links cannot carry (finding 4) ------------------------------------


def test_a_call_sid_no_url_can_carry_is_left_out_of_the_pop(login, advocate):
    taking_calls(advocate)
    ringing("CA/with/slashes", ringing_at=timezone.now())
    good = ringing("CA" + "2" * 32, ringing_at=timezone.now() - dt.timedelta(seconds=30))
    client = login(advocate)
    response = poll(client)
    assert response.status_code == 200
    assert f'data-call="{good.call_sid}"' in response.content.decode()
    PhoneCall.objects.filter(pk=good.pk).delete()
    assert nothing(poll(client))


# --- discarding the call page releases the call (finding 5) --------------------------------


def test_discarding_a_started_call_releases_it(login, advocate, make_user):
    taking_calls(advocate)
    call = ringing()
    client = login(advocate)
    key = _start(client, call)["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert not poll(client).content  # started: no pop
    client.post(reverse("cases:draft_discard", args=[key]))
    call.refresh_from_db()
    assert call.started_by is None and call.started_at is None
    assert AuditEntry.objects.filter(action="cases.phonecall.released", actor=advocate).exists()
    # Nobody's again: it pops, and another advocate can start it.
    assert f'data-call="{call.call_sid}"' in poll(client).content.decode()
    other = taking_calls(make_user("advocate"))
    assert _start(login(other), call).status_code == 302
    call.refresh_from_db()
    assert call.started_by == other


def test_discarding_an_ordinary_draft_touches_no_call(login, advocate, make_user):
    someone = make_user("advocate")
    call = ringing(started_by=someone, started_at=timezone.now())
    client = login(advocate)
    key = "0f5b2a3e-7c1d-4e8a-9b6f-2d4c8e1a3b5c"
    ContactDraft.objects.create(author=advocate, key=key, data={"phone_call": call.call_sid})
    client.post(reverse("cases:draft_discard", args=[key]))
    assert not ContactDraft.objects.filter(key=key).exists()
    call.refresh_from_db()
    assert call.started_by == someone  # only the author's own started call is released
