"""The new-call screen: intake of a call, bad input, risk screen, drafts."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAlert, Contact, ContactDraft, Family, Task
from familysupport.lib.models import AuditEntry, Notification, OutboundEmail

from .factories import CaseFactory, FamilyFactory

pytestmark = pytest.mark.django_db
URL = reverse("cases:new_call")
NOW = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


def call_data(**overrides) -> dict:
    local = timezone.localtime(NOW - dt.timedelta(minutes=20))
    data = {
        "name": "Dana Whitfield",
        "phone": "(555) 010-2000",
        "email": "",
        "external_case_number": "",
        "attach": "new",
        "case_type": Case.Type.ENDANGERED_RUNAWAY,
        "child_first_name": "Kit",
        "risk_level": Case.Risk.MODERATE,
        "started_at": local.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "18",
        "direction": Contact.Direction.INBOUND,
        "channel": Contact.Channel.PHONE,
        "participants": "Mother",
        "purpose": Contact.Purpose.CRISIS_INTERVENTION,
        "needs": ["mental_health", "media"],
        "notes": "Daughter left after an argument on Friday; police report filed.",
        "follow_up_on": (local.date() + dt.timedelta(days=2)).isoformat(),
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_new_call_creates_family_case_contact_and_follow_up_task(adv_client, advocate):
    response = adv_client.post(URL, call_data())
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contact.case.get_absolute_url()
    family = contact.case.family
    assert family.phone == "+15550102000"
    assert family.display_name == "Whitfield family"
    assert contact.case.assigned_advocate == advocate
    assert contact.case.children.get().first_name == "Kit"
    assert contact.duration_minutes == 18
    assert contact.needs == ["mental_health", "media"]
    assert contact.case.needs == ["mental_health", "media"]
    assert Task.objects.get().due_on == dt.date(2026, 3, 4)
    assert AuditEntry.objects.filter(action="cases.case.opened").exists()
    assert AuditEntry.objects.filter(action="cases.contact.created").exists()


@time_machine.travel(NOW, tick=False)
def test_second_call_attaches_to_the_open_case(adv_client, case):
    response = adv_client.post(URL, call_data(attach=f"c{case.pk}", name="", case_type=""))
    assert response.status_code == 302
    assert Family.objects.count() == 1
    assert Case.objects.count() == 1
    assert Contact.objects.get().case == case


@time_machine.travel(NOW, tick=False)
def test_call_for_known_family_opens_a_new_case_there(adv_client):
    family = FamilyFactory()
    response = adv_client.post(URL, call_data(attach=f"f{family.pk}", name=""))
    assert response.status_code == 302
    assert Family.objects.count() == 1
    assert Case.objects.get().family == family


def _assert_rejected(response, field: str, message: str, kept: str) -> None:
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert kept in response.content.decode()  # what was typed is still on the page
    assert Contact.objects.count() == 0
    assert Family.objects.count() == 0
    assert Case.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_log_a_contact_from_the_case_page_saves_without_case_fields(adv_client, case):
    """The case page's form has no risk level or case type: it must save anyway."""
    url, _key = open_call(adv_client, case=case.pk)
    data = call_data(name="", phone="", case_type="", child_first_name="")
    del data["risk_level"], data["attach"]
    response = adv_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Contact.objects.get().case == case
    assert Case.objects.count() == 1 and Family.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_log_a_contact_stays_on_its_case_whatever_is_posted(adv_client, case, advocate):
    other = CaseFactory(assigned_advocate=advocate)
    url, _key = open_call(adv_client, case=case.pk)
    response = adv_client.post(url, call_data(attach=f"c{other.pk}"))
    assert response.status_code == 302
    assert Contact.objects.get().case == case


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ({"phone": "+15550102000"}, {}),
        ({"phone": "+15550109999", "email": "dana@example.org"}, {"email": "DANA@example.org"}),
    ],
)
def test_same_phone_or_email_needs_an_explicit_different_family(
    adv_client, advocate, existing, typed
):
    known = FamilyFactory(**existing)
    response = adv_client.post(URL, call_data(**typed))
    assert response.status_code == 400
    assert "different family" in response.context["form"].errors["attach"][0]
    assert 'name="different_family"' in response.content.decode()
    assert Family.objects.count() == 1 and Contact.objects.count() == 0

    response = adv_client.post(URL, call_data(different_family="on", **typed))
    assert response.status_code == 302
    new = Family.objects.exclude(pk=known.pk).get()
    entry = AuditEntry.objects.get(action="cases.family.declared_distinct")
    assert entry.object_id == str(new.pk) and entry.actor == advocate
    assert entry.changes == {"distinct_from": [known.pk]}


@time_machine.travel(NOW, tick=False)
def test_a_similar_name_alone_does_not_block_a_new_family(adv_client):
    FamilyFactory(contact_name="Dana Whitfield", phone="+15550109999")
    response = adv_client.post(URL, call_data())
    assert response.status_code == 302
    assert Family.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_zip_and_state_are_kept_on_the_new_family(adv_client):
    response = adv_client.post(URL, call_data(zip_code="78701-1234", state="tx"))
    assert response.status_code == 302
    family = Family.objects.get()
    assert (family.zip_code, family.state) == ("78701", "TX")
    page = adv_client.get(family.get_absolute_url()).content.decode()
    assert "78701" in page


@time_machine.travel(NOW, tick=False)
def test_bad_zip_is_refused_next_to_the_field(adv_client):
    response = adv_client.post(URL, call_data(zip_code="7870"))
    _assert_rejected(response, "zip_code", "5-digit", "police report filed")


TEXT_FIELDS = [
    "name",
    "phone",
    "email",
    "external_case_number",
    "zip_code",
    "state",
    "child_first_name",
    "participants",
    "safety_note",
    "notes",
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_nul_in_any_text_field_is_a_message_not_a_500(adv_client, field):
    response = adv_client.post(URL, call_data(**{field: "Dana\x00Whit"}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Contact.objects.count() == 0


def test_nul_in_the_suggestion_endpoint_is_not_a_500(adv_client):
    FamilyFactory(contact_name="Dana Whitfield")
    response = adv_client.post(
        reverse("cases:family_suggest"),
        {"name": "Dana\x00Whit", "external_case_number": "A\x00", "phone": "\x00"},
    )
    assert response.status_code == 200


@time_machine.travel(NOW, tick=False)
def test_future_start_time_is_refused(adv_client):
    future = timezone.localtime(NOW + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = adv_client.post(URL, call_data(started_at=future))
    _assert_rejected(response, "started_at", "cannot start in the future", "police report filed")


@time_machine.travel(NOW, tick=False)
def test_negative_duration_is_refused(adv_client):
    response = adv_client.post(URL, call_data(duration_minutes="-5"))
    _assert_rejected(response, "duration_minutes", "cannot be negative", "Dana Whitfield")


@time_machine.travel(NOW, tick=False)
def test_malformed_phone_is_refused(adv_client):
    response = adv_client.post(URL, call_data(phone="55-12x"))
    _assert_rejected(response, "phone", "Enter a phone number", "police report filed")
    assert 'value="55-12x"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_risk_flag_without_safety_note_is_refused(adv_client):
    response = adv_client.post(URL, call_data(safety_concern="on", safety_note=""))
    _assert_rejected(response, "safety_note", "needs a safety note", "police report filed")
    assert CaseAlert.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_new_case_needs_a_type_and_new_family_a_name(adv_client):
    response = adv_client.post(URL, call_data(case_type="", name=""))
    assert response.status_code == 400
    assert "case_type" in response.context["form"].errors
    assert "name" in response.context["form"].errors


@time_machine.travel(NOW, tick=False)
def test_duplicate_external_case_number_keeps_everything_unsaved(adv_client):
    CaseFactory(external_case_number="NC-1")
    response = adv_client.post(URL, call_data(external_case_number="nc-1", different_family="on"))
    assert response.status_code == 400
    assert "external_case_number" in response.context["form"].errors
    assert Contact.objects.count() == 0
    assert Family.objects.count() == 1  # only the pre-existing one


@time_machine.travel(NOW, tick=False)
def test_risk_screen_raises_an_alert_for_the_supervisor(adv_client, advocate, make_user):
    supervisor = make_user("supervisor")
    advocate.supervisor = supervisor
    advocate.save()
    response = adv_client.post(
        URL, call_data(self_harm_risk="on", safety_note="Safety plan agreed, will call at 9.")
    )
    assert response.status_code == 302
    alert = CaseAlert.objects.get()
    assert alert.kinds == ["self_harm"]
    assert alert.case.risk_level == Case.Risk.HIGH
    note = Notification.objects.get(recipient=supervisor)
    assert note.url == alert.case.get_absolute_url()
    assert "Whitfield" not in note.title and "Dana" not in note.title
    # The supervisor is e-mailed too: what happened and a link, nothing about the family.
    email = OutboundEmail.objects.get(to=supervisor.email)
    assert "new risk alert" in email.subject
    assert alert.case.get_absolute_url() in email.body_text
    for text in (email.subject, email.body_text, email.body_html):
        for secret in ("Dana", "Whitfield", "Kit", "+15550102000", "Safety plan", "Mother"):
            assert secret not in text, secret
    assert not OutboundEmail.objects.exclude(to=supervisor.email).exists()


def test_closed_case_cannot_be_attached(adv_client, advocate):
    case = CaseFactory(assigned_advocate=advocate, status=Case.Status.CLOSED)
    response = adv_client.post(URL, call_data(attach=f"c{case.pk}"))
    assert response.status_code == 400
    assert "attach" in response.context["form"].errors


def open_call(client, **params) -> tuple[str, str]:
    """GET "New call" → the call's own page; returns (its url, its draft key)."""
    response = client.get(URL, params)
    assert response.status_code == 302
    url = response["Location"]
    key = re.search(r"/new-call/([0-9a-f-]{36})/", url).group(1)
    return url, key


def test_new_call_page_renders_for_advocate(adv_client):
    url, key = open_call(adv_client)
    response = adv_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="call-timer"' in body
    assert reverse("cases:family_suggest") in body
    assert reverse("cases:draft_save", args=[key]) in body
    assert 'autofocus id="id_name"' in body or "autofocus" in body.split('id="id_name"')[0][-200:]


def test_each_new_call_is_a_fresh_call_with_its_own_draft(adv_client, advocate):
    """An abandoned call never carries over: the next "New call" opens empty."""
    first_url, first = open_call(adv_client)
    adv_client.post(reverse("cases:draft_save", args=[first]), {"name": "Robin Ames"})
    second_url, second = open_call(adv_client)
    assert first != second
    page = adv_client.get(second_url)
    assert "Robin Ames" not in page.content.decode()
    assert page.context["restored"] is False
    # The abandoned call is listed on My work, with resume and discard.
    home = adv_client.get(reverse("home")).content.decode()
    assert "Unsaved call, started" in home and "Robin Ames" in home
    assert first_url in home
    assert reverse("cases:draft_discard", args=[first]) in home


@pytest.mark.parametrize("role", ["administrator", "provider", "volunteer"])
def test_new_call_refused_to_other_roles(login, make_user, role):
    client = login(make_user(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, call_data()).status_code == 403
    assert Contact.objects.count() == 0


def test_new_call_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- drafts ------------------------------------------------------------------------------


def test_autosave_keeps_a_draft_and_reopening_restores_it(adv_client, advocate):
    url, key = open_call(adv_client)
    response = adv_client.post(
        reverse("cases:draft_save", args=[key]),
        {"name": "Robin Ames", "notes": "half a sentence", "needs": ["legal", "travel"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["X-Draft-Saved"]
    draft = ContactDraft.objects.get(author=advocate, key=key)
    assert draft.data["needs"] == ["legal", "travel"]
    page = adv_client.get(url)
    body = page.content.decode()
    assert "half a sentence" in body
    assert 'value="Robin Ames"' in body
    assert page.context["restored"] is True


def test_autosave_is_background_and_does_not_extend_the_session(adv_client):
    last = time.time() - 30
    session = adv_client.session
    session["fsp_last_activity"] = last
    session.save()
    _url, key = open_call(adv_client)
    session = adv_client.session
    session["fsp_last_activity"] = last
    session.save()
    response = adv_client.post(
        reverse("cases:draft_save", args=[key]), {"notes": "x"}, HTTP_X_BACKGROUND_POLL="1"
    )
    assert response.status_code == 200
    assert adv_client.session["fsp_last_activity"] == last


@time_machine.travel(NOW, tick=False)
def test_saving_the_call_deletes_its_draft_only(adv_client, advocate):
    url, key = open_call(adv_client)
    _other_url, other = open_call(adv_client)
    adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "draft"})
    adv_client.post(reverse("cases:draft_save", args=[other]), {"notes": "another call"})
    response = adv_client.post(url, call_data())
    assert response.status_code == 302
    assert list(ContactDraft.objects.values_list("key", flat=True)) == [other]
    # The saved call's page tells the browser to drop its local copy.
    body = adv_client.get(response["Location"]).content.decode()
    assert f'id="cases-clear-local-draft" data-key="{key}"' in body


@time_machine.travel(NOW, tick=False)
def test_failed_save_keeps_the_draft(adv_client, advocate):
    url, key = open_call(adv_client)
    adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "draft"})
    adv_client.post(url, call_data(duration_minutes="-1"))
    assert ContactDraft.objects.filter(author=advocate).exists()


def test_drafts_are_private_to_their_author(adv_client, login, make_user):
    url, key = open_call(adv_client)
    adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "mine only"})
    other = login(make_user("advocate"))
    assert "mine only" not in other.get(url).content.decode()
    assert "mine only" not in other.get(reverse("home")).content.decode()


def test_draft_discard(adv_client, advocate):
    _url, key = open_call(adv_client)
    adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "x"})
    response = adv_client.post(reverse("cases:draft_discard", args=[key]), follow=True)
    assert not ContactDraft.objects.filter(author=advocate).exists()
    # My work tells the browser to drop its local copy too (portal.js).
    assert f'id="cases-clear-local-draft" data-key="{key}"' in response.content.decode()


def test_draft_key_must_be_a_call_id(adv_client):
    for key in ("whatever", "new-call", "case-1"):
        response = adv_client.post(reverse("cases:draft_save", args=[key]), {"notes": "x"})
        assert response.status_code == 404


def test_log_a_contact_draft_restores_on_that_case(adv_client, case):
    url, key = open_call(adv_client, case=case.pk)
    assert url.endswith(f"?case={case.pk}")
    adv_client.post(
        reverse("cases:draft_save", args=[key]),
        {"notes": "about this case", "preset_case": str(case.pk), "attach": f"c{case.pk}"},
    )
    # Resumed from My work: the link leads back to the case's form.
    resume = ContactDraft.objects.get(key=key).resume_url
    assert resume == url
    body = adv_client.get(resume).content.decode()
    assert "about this case" in body
    assert f'value="c{case.pk}"' in body
