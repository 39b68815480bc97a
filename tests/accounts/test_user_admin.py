"""Administrator pages: invite, change role, deactivate; the invite link; audit of it all."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import AuditEntry, OutboundEmail
from familysupport.lib.outbox import outbound_email_sweep
from tests.factories import UserFactory


def _invite(client, **overrides):
    data = {"full_name": "Casey Newcomer", "email": "casey@example.test", "role": "advocate"}
    data.update(overrides)
    return client.post(reverse("accounts:user_invite"), data)


def _invite_link(to: str) -> str:
    outbox_row = OutboundEmail.objects.filter(to=to).latest("created_at")
    return re.search(r"https?://[^/\s]+(/\S+)", outbox_row.body_text).group(1)


@pytest.mark.django_db
def test_administrator_invites_and_the_email_goes_out_through_the_outbox(login, administrator):
    client = login(administrator)
    response = _invite(client)
    assert response.status_code == 302
    user = User.objects.get(email="casey@example.test")
    assert user.role == "advocate" and not user.has_usable_password()
    assert OutboundEmail.objects.filter(to=user.email, status="pending").count() == 1
    assert outbound_email_sweep() == 1
    assert len(mail.outbox) == 1 and "/people/invite/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(
        action="accounts.user.invited", object_id=str(user.pk)
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("role", "superhero", "Select a valid choice."),
        ("full_name", "", "This field is required."),
    ],
)
def test_invite_bad_input_keeps_what_was_typed(login, administrator, field, value, message):
    client = login(administrator)
    response = _invite(client, **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Casey Newcomer" in response.content.decode() or field == "full_name"
    assert not User.objects.filter(email="casey@example.test").exists()


@pytest.mark.django_db
def test_invite_refuses_an_existing_email(login, administrator, advocate):
    response = _invite(login(administrator), email=advocate.email.upper())
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


@pytest.mark.django_db
def test_invite_link_sets_a_password_once(login, administrator):
    _invite(login(administrator))
    link = _invite_link("casey@example.test")
    anonymous = Client()
    assert anonymous.get(link).status_code == 200
    weak = anonymous.post(link, {"password1": "short", "password2": "short"})
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    good = "four random words make it"
    assert anonymous.post(link, {"password1": good, "password2": good}).status_code == 302
    assert User.objects.get(email="casey@example.test").check_password(good)
    assert anonymous.get(link).status_code == 404  # single use


@pytest.mark.django_db
def test_invite_link_expires(login, administrator, settings):
    with time_machine.travel("2026-02-01 09:00:00Z", tick=False) as traveller:
        _invite(login(administrator))
        link = _invite_link("casey@example.test")
        traveller.shift(settings.INVITE_TIMEOUT_SECONDS + 60)
        assert Client().get(link).status_code == 404


@pytest.mark.django_db
def test_password_rules(login, administrator):
    _invite(login(administrator))
    link = _invite_link("casey@example.test")
    client = Client()
    for bad, reason in [
        ("x" * 129, "too long"),
        ("familysupport12345", "organisation"),
        ("1q2w3e4r5t6y7u8i9o0p", "too common"),
    ]:
        response = client.post(link, {"password1": bad, "password2": bad})
        assert response.status_code == 400 and reason in response.content.decode(), bad
    ok = "y" * 128  # the maximum is allowed, no composition rules
    assert client.post(link, {"password1": ok, "password2": ok}).status_code == 302


@pytest.mark.django_db
def test_change_role_is_audited_with_before_and_after(login, administrator, advocate):
    client = login(administrator)
    response = client.post(
        reverse("accounts:user_edit", args=[advocate.pk]),
        {"full_name": advocate.full_name, "role": "supervisor", "supervisor": ""},
    )
    assert response.status_code == 302
    advocate.refresh_from_db()
    assert advocate.role == "supervisor"
    entry = AuditEntry.objects.get(
        action="accounts.user.updated", object_id=str(advocate.pk), actor=administrator
    )
    assert entry.actor == administrator
    assert entry.changes["role"] == ["advocate", "supervisor"]
    assert "role" in entry.changed_fields


@pytest.mark.django_db
def test_change_role_bad_input_is_400_and_nothing_saved(login, administrator, advocate):
    response = login(administrator).post(
        reverse("accounts:user_edit", args=[advocate.pk]),
        {"full_name": "Still Typed", "role": "wizard"},
    )
    assert response.status_code == 400
    assert "Still Typed" in response.content.decode()
    advocate.refresh_from_db()
    assert advocate.role == "advocate"


@pytest.mark.django_db
def test_reading_a_user_page_is_audited(login, administrator, advocate):
    client = login(administrator)
    client.get(reverse("accounts:user_detail", args=[advocate.pk]))
    entry = AuditEntry.objects.get(action="accounts.user.viewed")
    assert entry.actor == administrator and entry.object_id == str(advocate.pk)
    assert entry.ip == "127.0.0.1"


@pytest.mark.django_db
def test_deactivating_ends_the_users_sessions(login, administrator):
    from django.contrib.sessions.models import Session

    from tests.accounts.test_login_mfa import code_for, password_step

    target = UserFactory(role="advocate")
    their = Client()
    password_step(their, target.email)
    their.post(reverse("mfa_authenticate"), {"code": code_for(target)})
    assert their.get(reverse("home")).status_code == 200
    key = their.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = login(administrator).post(reverse("accounts:user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    # The session row itself is gone (not merely refused because the user is inactive).
    assert not Session.objects.filter(session_key=key).exists()
    after = their.get(reverse("accounts:notifications"))
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


@pytest.mark.django_db
def test_administrator_cannot_deactivate_themselves(login, administrator):
    login(administrator).post(reverse("accounts:user_deactivate", args=[administrator.pk]))
    administrator.refresh_from_db()
    assert administrator.is_active


@pytest.mark.django_db
def test_supervisor_sees_only_their_teams_audit(login, supervisor, make_user):
    member = make_user("advocate", supervisor=supervisor)
    stranger = make_user("advocate")
    from familysupport.lib import audit

    audit.record(action="test.thing.done", actor=member)
    audit.record(action="test.thing.done", actor=stranger)
    page = login(supervisor).get(reverse("accounts:audit_list")).content.decode()
    assert member.email in page and stranger.email not in page


@pytest.mark.django_db
def test_audit_log_pages_by_keyset_without_counting(
    login, administrator, django_assert_max_num_queries
):
    from accounts.views import AUDIT_PAGE_SIZE
    from familysupport.lib import audit

    for n in range(AUDIT_PAGE_SIZE + 5):
        audit.record(action=f"test.thing.n{n:03d}", actor=administrator)
    client = login(administrator)
    first = client.get(reverse("accounts:audit_list"), {"action": "test.thing"})
    body = first.content.decode()
    assert "test.thing.n104" in body and "test.thing.n004" not in body
    older = re.search(r'href="\?([^"]*before=\d+[^"]*)"', body).group(1).replace("&amp;", "&")
    with django_assert_max_num_queries(12):
        second = client.get(reverse("accounts:audit_list") + "?" + older)
    page2 = second.content.decode()
    assert "test.thing.n004" in page2 and "test.thing.n000" in page2
    assert "test.thing.n104" not in page2 and "Older entries" not in page2
