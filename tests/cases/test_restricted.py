"""Restricted cases: who may open them, the stub everyone else gets, break-glass, review."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import restricted, selectors
from cases.models import BreakGlass, CaseAccessGrant
from familysupport.lib.models import AuditEntry, Notification, OutboundEmail
from reports import dashboards

from .factories import CaseFactory, ContactFactory, FamilyFactory, TaskFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Quillon Vantablack"


@pytest.fixture
def case(advocate):
    family = FamilyFactory(
        contact_name=SECRET_NAME, display_name="Vantablack family", phone="+15550107777"
    )
    return CaseFactory(family=family, assigned_advocate=advocate, external_case_number="EXT-RST-1")


@pytest.fixture
def restricted_case(case, supervisor):
    restricted.case_restrict(case=case, by=supervisor, reason="A staff member's relative")
    return case


@pytest.fixture
def outsider(make_user):
    return make_user("advocate")


# --- who may open it ------------------------------------------------------------------------


def test_lists_leave_out_a_restricted_family_for_staff_without_access(
    restricted_case, outsider, administrator, advocate, supervisor
):
    contact = ContactFactory(case=restricted_case)
    task = TaskFactory(case=restricted_case)
    sibling_case = CaseFactory(family=restricted_case.family)  # the mark covers the family
    for user in (outsider, administrator):
        assert not selectors.case_list_visible_to(user=user).filter(
            pk__in=[restricted_case.pk, sibling_case.pk]
        )
        assert not selectors.family_list_visible_to(user=user).filter(pk=restricted_case.family_id)
        assert not selectors.contact_list_visible_to(user=user).filter(pk=contact.pk)
        assert not selectors.task_list_visible_to(user=user).filter(pk=task.pk)
        # ...but counts may include them.
        assert selectors.case_list_visible_to(user=user, with_restricted=True).filter(
            pk=restricted_case.pk
        )
    for user in (advocate, supervisor):  # the assigned advocate and every supervisor
        assert selectors.case_list_visible_to(user=user).filter(pk=sibling_case.pk)
        assert selectors.contact_list_visible_to(user=user).filter(pk=contact.pk)


def test_others_get_the_stub_with_a_break_glass_link_and_the_refusal_is_audited(
    restricted_case, outsider, administrator, login
):
    contact = ContactFactory(case=restricted_case)
    for user in (outsider, administrator):
        client = login(user)
        for url in (
            restricted_case.get_absolute_url(),
            reverse("cases:family_detail", args=[restricted_case.family_id]),
            reverse("cases:contact_detail", args=[contact.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 403, url
            html = response.content.decode()
            assert "EXT-RST-1" in html and "Restricted" in html
            assert restricted_case.assigned_advocate.full_name in html
            assert reverse("privacy:break_glass", args=[restricted_case.pk]) in html
            for secret in (SECRET_NAME, "Vantablack", "+15550107777", contact.notes[:20]):
                assert secret not in html
    refused = AuditEntry.objects.filter(action__endswith=".restricted_refused")
    assert refused.filter(actor=outsider, object_id=str(restricted_case.pk)).exists()
    assert refused.filter(actor=administrator).count() == 3


def test_providers_and_volunteers_still_get_404(
    restricted_case, provider_user, volunteer_user, login
):
    for user in (provider_user, volunteer_user):
        assert login(user).get(restricted_case.get_absolute_url()).status_code == 404


def test_the_assigned_advocate_and_supervisors_open_it(
    restricted_case, advocate, supervisor, login
):
    for user in (advocate, supervisor):
        response = login(user).get(restricted_case.get_absolute_url())
        assert response.status_code == 200
        assert 'id="restricted-banner"' in response.content.decode()
    html = login(supervisor).get(restricted_case.get_absolute_url()).content.decode()
    assert "A staff member&#x27;s relative" in html  # the reason: supervisors only
    assert (
        "relative" not in login(advocate).get(restricted_case.get_absolute_url()).content.decode()
    )


def test_writes_by_staff_without_access_are_refused(restricted_case, outsider, login):
    client = login(outsider)
    response = client.post(
        reverse("cases:case_status", args=[restricted_case.pk]),
        {"status": "active", "reason": "x"},
    )
    assert response.status_code == 403
    restricted_case.refresh_from_db()
    assert restricted_case.status == "open"


def test_search_shows_a_stub_not_the_case(restricted_case, outsider, login):
    client = login(outsider)
    for query in ("Vantablack", "EXT-RST-1", "+15550107777"):
        response = client.get(reverse("cases:case_list"), {"q": query})
        assert response.status_code == 200
        assert restricted_case not in response.context["cases"]
        stubs = response.context["restricted_stubs"]
        assert [s.reference for s in stubs] == ["EXT-RST-1"]
        html = response.content.decode()
        assert SECRET_NAME not in html
        assert reverse("privacy:break_glass", args=[restricted_case.pk]) in html


def test_suggestions_leave_the_family_out(restricted_case, outsider, advocate):
    def found(user) -> list[int]:
        return [
            s.family.pk
            for s in selectors.family_suggest(user=user, name=SECRET_NAME, phone="+15550107777")
        ]

    assert restricted_case.family_id not in found(outsider)
    assert restricted_case.family_id in found(advocate)


def test_dashboard_counts_include_restricted_records_lists_do_not(restricted_case, outsider):
    ContactFactory(case=restricted_case, advocate=outsider)  # logged before it was restricted
    board = dashboards.dashboard_for(outsider)
    assert board.contacts_this_month == 1
    assert not selectors.contact_list_visible_to(user=outsider).filter(advocate=outsider)


def test_other_apps_lists_drill_downs_and_exports_leave_it_out(
    restricted_case, administrator, supervisor, login
):
    from referrals import selectors as referral_selectors
    from reunification import selectors as travel_selectors
    from teamhope import selectors as teamhope_selectors
    from tests.referrals.factories import ReferralFactory
    from tests.reunification.factories import TravelRequestFactory
    from tests.teamhope.factories import PeerMatchFactory

    referral = ReferralFactory(case=restricted_case, family=restricted_case.family)
    travel = TravelRequestFactory(case=restricted_case)
    match = PeerMatchFactory(case=restricted_case, family=restricted_case.family)
    for user, sees in ((administrator, False), (supervisor, True)):
        assert (
            referral_selectors.referral_list_visible_to(user=user).filter(pk=referral.pk).exists()
            is sees
        )
        assert (
            travel_selectors.travel_request_list_visible_to(user=user).filter(pk=travel.pk).exists()
            is sees
        )
        assert (
            teamhope_selectors.match_list_visible_to(user=user).filter(pk=match.pk).exists() is sees
        )
    client = login(administrator)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 403
    assert client.get(reverse("reunification:detail", args=[travel.pk])).status_code == 403
    year = timezone.localdate().year
    html = client.get(reverse("reports:drilldown", args=[year, "cases"])).content.decode()
    assert restricted_case.reference not in html
    # The figure still counts it, and the drill-down says so.
    assert "1 more record of restricted families is counted" in html
    sup_html = login(supervisor).get(reverse("reports:drilldown", args=[year, "cases"]))
    assert restricted_case.reference in sup_html.content.decode()
    assert "restricted-not-listed" not in sup_html.content.decode()
    export = client.get(reverse("reports:case_list_export", args=["csv"]))
    assert "EXT-RST-1" not in b"".join(export.streaming_content).decode()
    export = login(supervisor).get(reverse("reports:case_list_export", args=["csv"]))
    assert "EXT-RST-1" in b"".join(export.streaming_content).decode()


# --- break-glass ----------------------------------------------------------------------------


def _break(client, case, **data):
    return client.post(
        reverse("privacy:break_glass", args=[case.pk]),
        {"reason": "caller", "explanation": "The mother is on the line asking for news", **data},
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required"),
        ({"reason": "made-up"}, "reason", "Select a valid choice"),
        ({"explanation": "now"}, "explanation", "Explain in a sentence"),
        ({"explanation": ""}, "explanation", "This field is required"),
    ],
)
def test_break_glass_bad_input_is_400_kept_and_nothing_opens(
    restricted_case, outsider, login, data, field, message
):
    client = login(outsider)
    response = _break(client, restricted_case, **data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert message in html
    if data.get("explanation") == "now":
        assert re.search(r">\s*now</textarea>", html)
    assert not BreakGlass.objects.exists()
    assert client.get(restricted_case.get_absolute_url()).status_code == 403


def test_break_glass_opens_for_four_hours_audits_and_tells_supervisors_at_once(
    restricted_case, outsider, supervisor, login, settings
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(outsider)
        response = _break(client, restricted_case)
        assert response.status_code == 302
        assert response["Location"] == restricted_case.get_absolute_url()
        glass = BreakGlass.objects.get()
        assert glass.expires_at - glass.started_at == dt.timedelta(hours=4)
        entry = AuditEntry.objects.get(action="cases.case.break_glass")
        assert entry.actor == outsider and entry.object_id == str(restricted_case.pk)
        note = Notification.objects.get(recipient=supervisor)
        assert note.url == reverse("privacy:access_review")
        email = OutboundEmail.objects.get(to=supervisor.email)
        for secret in (SECRET_NAME, "Vantablack", "EXT-RST-1", "+15550107777"):
            assert secret not in note.title + email.subject + email.body_text + email.body_html
        page = client.get(restricted_case.get_absolute_url())
        assert page.status_code == 200
        assert "You opened it by breaking the glass" in page.content.decode()
    with time_machine.travel(start + dt.timedelta(hours=4, seconds=1), tick=False):
        client = login(outsider)
        assert client.get(restricted_case.get_absolute_url()).status_code == 403
    assert not mail.outbox or all(SECRET_NAME not in m.body for m in mail.outbox)


def test_break_glass_duration_is_a_setting(restricted_case, outsider, settings):
    settings.RESTRICTED_BREAK_GLASS_HOURS = 1
    glass = restricted.break_glass_open(
        case=restricted_case, by=outsider, reason="safety", explanation="Child at risk tonight"
    )
    assert glass.duration == dt.timedelta(hours=1)


def test_no_break_glass_for_who_already_has_access_or_an_open_case(
    restricted_case, advocate, outsider
):
    with pytest.raises(ValidationError):
        restricted.break_glass_open(
            case=restricted_case, by=advocate, reason="caller", explanation="I am assigned anyway"
        )
    other = CaseFactory()
    with pytest.raises(ValidationError):
        restricted.break_glass_open(
            case=other, by=outsider, reason="caller", explanation="It is not even restricted"
        )


# --- restricting, people ----------------------------------------------------------------------


def test_supervisor_restricts_and_lifts_with_a_reason(case, supervisor, outsider, login):
    client = login(supervisor)
    url = reverse("privacy:case_restriction", args=[case.pk])
    response = client.post(url, {"action": "restrict", "reason": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not restricted.family_is_restricted(case.family_id)
    response = client.post(url, {"action": "restrict", "reason": "Media attention"})
    assert response.status_code == 302
    assert restricted.family_is_restricted(case.family_id)
    assert login(outsider).get(case.get_absolute_url()).status_code == 403
    response = client.post(url, {"action": "lift", "reason": "Story is over"})
    assert response.status_code == 302
    assert not restricted.family_is_restricted(case.family_id)
    assert login(outsider).get(case.get_absolute_url()).status_code == 200
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"cases.case.restricted", "cases.case.unrestricted"} <= actions


def test_only_supervisors_restrict(case, advocate, administrator):
    for user in (advocate, administrator):
        with pytest.raises(PermissionDenied):
            restricted.case_restrict(case=case, by=user, reason="no")


def test_a_person_added_by_a_supervisor_opens_it_until_removed(
    restricted_case, supervisor, outsider, login
):
    client = login(supervisor)
    response = client.post(
        reverse("privacy:access_grant_add", args=[restricted_case.pk]), {"user": outsider.pk}
    )
    assert response.status_code == 302
    assert login(outsider).get(restricted_case.get_absolute_url()).status_code == 200
    grant = CaseAccessGrant.objects.get(user=outsider)
    client.post(reverse("privacy:access_grant_remove", args=[grant.pk]))
    assert login(outsider).get(restricted_case.get_absolute_url()).status_code == 403


def test_adding_the_assigned_advocate_or_nobody_is_refused_next_to_the_field(
    restricted_case, supervisor, advocate, login
):
    client = login(supervisor)
    url = reverse("privacy:access_grant_add", args=[restricted_case.pk])
    response = client.post(url, {"user": advocate.pk})
    assert response.status_code == 400
    assert "already has access" in " ".join(response.context["grant_form"].errors["user"])
    response = client.post(url, {"user": ""})
    assert response.status_code == 400
    assert not CaseAccessGrant.objects.exists()


# --- the access review -------------------------------------------------------------------------


def test_access_review_lists_reason_duration_and_what_was_read(
    restricted_case, outsider, supervisor, login
):
    client = login(outsider)
    _break(client, restricted_case)
    client.get(restricted_case.get_absolute_url())
    review = login(supervisor)
    response = review.get(reverse("privacy:access_review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The mother is on the line asking for news" in html
    assert "4:00:00" in html
    assert f"Case #{restricted_case.pk}" in html  # what was read, by audit label
    glass = BreakGlass.objects.get()
    bad = review.post(reverse("privacy:break_glass_review", args=[glass.pk]), {"review": "meh"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()
    glass.refresh_from_db()
    assert glass.review == BreakGlass.Review.PENDING
    ok = review.post(
        reverse("privacy:break_glass_review", args=[glass.pk]),
        {"review": "flagged", "note": "Ask why the supervisor was not called"},
    )
    assert ok.status_code == 302
    glass.refresh_from_db()
    assert glass.review == BreakGlass.Review.FLAGGED and glass.reviewed_by == supervisor


def test_access_review_keeps_90_days(restricted_case, outsider, supervisor):
    with time_machine.travel(timezone.now() - dt.timedelta(days=91)):
        restricted.break_glass_open(
            case=restricted_case, by=outsider, reason="caller", explanation="An old opening here"
        )
    restricted.break_glass_open(
        case=restricted_case, by=outsider, reason="safety", explanation="A recent opening here"
    )
    shown = restricted.break_glass_list_for_review(user=supervisor)
    assert [g.explanation for g in shown] == ["A recent opening here"]


def test_the_restriction_page_names_the_familys_other_restricted_case_only(
    restricted_case, supervisor, login
):
    sibling = CaseFactory(family=restricted_case.family, external_case_number="EXT-SIB-2")
    plain = CaseFactory(family=restricted_case.family, external_case_number="EXT-PLN-3")
    response = login(supervisor).get(reverse("privacy:case_restriction", args=[sibling.pk]))
    assert response.status_code == 200
    assert [c.pk for c in response.context["family_restrictions"]] == [restricted_case.pk]
    assert "already restricted through case EXT-RST-1" in response.content.decode()
    assert plain.pk not in [c.pk for c in response.context["family_restrictions"]]
