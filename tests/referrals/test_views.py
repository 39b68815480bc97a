"""Pages: provider privacy, provider isolation, staff flows, bad input, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from familysupport.lib.models import AuditEntry
from faon.models import Provider
from referrals import services
from referrals.models import Agency, LegalAssistanceRequest, Referral

from .factories import (
    AgencyFactory,
    LegalRequestFactory,
    ProviderFactory,
    ReferralFactory,
    consenting_case,
    north_of_origin,
    sent_referral,
)

pytestmark = pytest.mark.django_db
S = Referral.Status

# Query pins, steady state (after the session's first request, which also records the passed
# second factor): the most measured with 1 or many rows, + 2 headroom for shared middleware.
MATCH_PAGE_QUERIES = 11
LIST_QUERIES = 10


@pytest.fixture
def provider_a(make_user):
    return make_user("provider")


@pytest.fixture
def referral(provider_a, advocate):
    case = consenting_case(assigned_advocate=advocate)
    fam = case.family
    fam.contact_name, fam.display_name, fam.phone = (
        "Rosalind Quenby",
        "Quenby family",
        "+15550109999",
    )
    fam.save()
    return sent_referral(case=case, provider=ProviderFactory(managers=[provider_a]))


# --- the provider's view of a referral ---------------------------------------------------


def test_provider_sees_no_family_details_before_accepting(login, provider_a, referral):
    html = login(provider_a).get(reverse("referrals:incoming_detail", args=[referral.pk]))
    assert html.status_code == 200
    body = html.content.decode()
    for secret in (
        "Quenby",
        "Rosalind",
        "+15550109999",
        "Weekday evenings",
        referral.note_for_provider,
        referral.case.reference,
    ):
        assert secret not in body
    assert "New York, NY" in body and "Mental-health" in body
    listing = login(provider_a).get(reverse("referrals:incoming")).content.decode()
    assert "Quenby" not in listing and "+15550109999" not in listing
    assert AuditEntry.objects.filter(action="referrals.referral.viewed", actor=provider_a).exists()


def test_provider_sees_contact_and_note_after_accepting(login, provider_a, referral):
    client = login(provider_a)
    resp = client.post(reverse("referrals:accept", args=[referral.pk]))
    assert resp.status_code == 302
    body = client.get(reverse("referrals:incoming_detail", args=[referral.pk])).content.decode()
    assert "Rosalind Quenby" in body and "+15550109999" in body
    assert "Weekday evenings only" in body
    assert "Mother prefers afternoon calls" in body
    assert "Quenby family" not in body  # the staff display name is not needed


def test_declined_referral_shows_no_contact(login, provider_a, referral):
    services.referral_decline(referral=referral, by=provider_a, reason="full")
    body = login(provider_a).get(reverse("referrals:incoming_detail", args=[referral.pk]))
    assert "+15550109999" not in body.content.decode()


def test_provider_b_cannot_see_or_answer_provider_a_referral(login, make_user, referral):
    provider_b = make_user("provider")
    ProviderFactory(managers=[provider_b])
    client = login(provider_b)
    for name in ("referrals:incoming_detail", "referrals:decline"):
        assert client.get(reverse(name, args=[referral.pk])).status_code == 404
    assert client.post(reverse("referrals:accept", args=[referral.pk])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.pk not in [
        r.pk for r in client.get(reverse("referrals:incoming")).context["page"].object_list
    ]


def test_provider_never_sees_drafts(login, provider_a):
    draft = ReferralFactory(provider=ProviderFactory(managers=[provider_a]))
    assert (
        login(provider_a).get(reverse("referrals:incoming_detail", args=[draft.pk])).status_code
        == 404
    )


def test_decline_form_bad_input(login, provider_a, referral):
    url = reverse("referrals:decline", args=[referral.pk])
    resp = login(provider_a).post(url, {"reason": "other", "note": ""})
    assert resp.status_code == 400
    assert "when the reason is" in resp.content.decode()
    assert 'value="other" selected' in resp.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SENT
    resp = login(provider_a).post(url, {"reason": "", "note": "typed text"})
    assert resp.status_code == 400 and "typed text" in resp.content.decode()
    resp = login(provider_a).post(url, {"reason": "conflict", "note": ""})
    assert resp.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.DECLINED


def test_first_appointment_bad_input_and_complete(login, provider_a, referral):
    services.referral_accept(referral=referral, by=provider_a)
    client = login(provider_a)
    url = reverse("referrals:first_appointment", args=[referral.pk])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    resp = client.post(url, {"on": future})
    assert resp.status_code == 400
    assert "once it has taken place" in resp.content.decode() and future in resp.content.decode()
    assert client.post(url, {"on": "not a date"}).status_code == 400
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert client.post(url, {"on": timezone.localdate().isoformat()}).status_code == 302
    resp = client.post(reverse("referrals:complete", args=[referral.pk]), {"outcome": "Done"})
    assert resp.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED


# --- staff ---------------------------------------------------------------------------------


def test_advocate_finds_and_refers(login, advocate, provider_a):
    case = consenting_case(assigned_advocate=advocate)
    near = ProviderFactory(managers=[provider_a])
    client = login(advocate)
    resp = client.get(
        reverse("referrals:match", args=[case.pk]),
        {"service_type": "mental_health", "source": "faon", "include_telehealth": "on"},
    )
    assert resp.status_code == 200
    assert near.name in resp.content.decode()
    url = reverse("referrals:create", args=[case.pk, "provider", near.pk])
    resp = client.post(
        url, {"service_type": "mental_health", "note_for_provider": "Hello", "send_now": "on"}
    )
    assert resp.status_code == 302
    r = Referral.objects.get(case=case)
    assert r.status == S.SENT and r.provider == near
    assert "miles" in r.match_reason


def test_create_without_consent_keeps_a_draft_with_a_clear_message(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    case.family.consent_share_with_providers = False
    case.family.save()
    p = ProviderFactory()
    client = login(advocate)
    url = reverse("referrals:create", args=[case.pk, "provider", p.pk])
    assert "has not agreed" in client.get(url).content.decode()
    resp = client.post(
        url,
        {"service_type": "mental_health", "note_for_provider": "x", "send_now": "on"},
        follow=True,
    )
    assert "not agreed to share" in resp.content.decode()
    assert Referral.objects.get(case=case).status == S.DRAFT
    r = Referral.objects.get(case=case)
    resp = client.post(reverse("referrals:send", args=[r.pk]), follow=True)
    assert "not agreed to share" in resp.content.decode()
    r.refresh_from_db()
    assert r.status == S.DRAFT


def test_create_form_bad_input(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    p = ProviderFactory()
    url = reverse("referrals:create", args=[case.pk, "provider", p.pk])
    resp = login(advocate).post(
        url,
        {"service_type": "nonsense", "note_for_provider": "kept text", "insurance_plan": "Aetna"},
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "kept text" in body and "Select a valid choice" in body
    assert not Referral.objects.filter(case=case).exists()


def test_match_form_bad_input(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    resp = login(advocate).get(
        reverse("referrals:match", args=[case.pk]),
        {"service_type": "mental_health", "source": "faon", "age_min": "12", "age_max": "3"},
    )
    assert resp.status_code == 400
    assert "must not be below" in resp.content.decode()
    assert 'value="12"' in resp.content.decode()


def test_not_offerable_provider_cannot_be_chosen(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    p = ProviderFactory(status=Provider.Status.SUSPENDED)
    assert (
        login(advocate)
        .get(reverse("referrals:create", args=[case.pk, "provider", p.pk]))
        .status_code
        == 404
    )


def test_close_bad_input_and_ok(login, advocate, referral):
    url = reverse("referrals:close", args=[referral.pk])
    resp = login(advocate).post(url, {"outcome": ""})
    assert resp.status_code == 400 and "This field is required" in resp.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert login(advocate).post(url, {"outcome": "Family withdrew"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.CLOSED


def test_record_agency_answer(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    r = services.referral_send(
        referral=services.referral_create(
            case=case,
            by=advocate,
            data=services.ReferralData(service_type="support"),
            agency=AgencyFactory(),
        ),
        by=advocate,
    )
    url = reverse("referrals:record_answer", args=[r.pk])
    resp = login(advocate).post(url, {"answer": "declined", "reason": "", "note": "typed"})
    assert resp.status_code == 400 and "Choose why" in resp.content.decode()
    assert (
        login(advocate).post(url, {"answer": "declined", "reason": "out_of_area"}).status_code
        == 302
    )
    r.refresh_from_db()
    assert r.status == S.DECLINED


def test_administrator_reads_but_cannot_change(login, administrator, referral):
    client = login(administrator)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert (
        client.post(reverse("referrals:close", args=[referral.pk]), {"outcome": "x"}).status_code
        == 403
    )


def test_advocate_cannot_change_another_advocates_closed_case_referral(login, make_user, referral):
    case = referral.case
    case.status = "closed"
    case.save()
    other = make_user("advocate")
    resp = login(other).post(reverse("referrals:close", args=[referral.pk]), {"outcome": "x"})
    assert resp.status_code == 403


def test_awaiting_lists_own_sent_referrals(login, advocate, referral):
    resp = login(advocate).get(reverse("referrals:awaiting"))
    assert referral.pk in [r.pk for r in resp.context["page"].object_list]


# --- query counts ----------------------------------------------------------------------------


def _providers(n: int) -> None:
    from familysupport.lib import audit

    with audit.bulk_load(reason="test"):
        for i in range(n):
            lat, lng = north_of_origin(1 + (i % 20))
            ProviderFactory(latitude=lat, longitude=lng, credentials_current=(i % 2 == 0))


@pytest.mark.parametrize("n", [10, 500])
def test_match_page_query_count_constant(login, advocate, n, django_assert_max_num_queries):
    case = consenting_case(assigned_advocate=advocate)
    _providers(n)
    some = Provider.objects.filter(licenses__isnull=False).order_by("pk")[:5]
    for p in some:
        sent_referral(case=consenting_case(), provider=p)
    client = login(advocate)
    url = reverse("referrals:match", args=[case.pk])
    client.get(reverse("home"))  # steady state: the first request records the second factor
    with django_assert_max_num_queries(MATCH_PAGE_QUERIES):
        resp = client.get(
            url, {"service_type": "mental_health", "source": "faon", "include_telehealth": "on"}
        )
    assert resp.status_code == 200
    assert len(resp.context["results"]) == min(25, n // 2 + (n % 2))


@pytest.mark.parametrize("n", [1, 30])
def test_lists_query_count_constant(login, advocate, provider_a, n, django_assert_max_num_queries):
    p = ProviderFactory(managers=[provider_a])
    for _ in range(n):
        sent_referral(case=consenting_case(assigned_advocate=advocate), provider=p)
    staff, prov = login(advocate), login(provider_a)
    for client in (staff, prov):
        client.get(reverse("home"))  # steady state: the first request records the 2nd factor
    for client, name in (
        (staff, "referrals:list"),
        (staff, "referrals:awaiting"),
        (prov, "referrals:incoming"),
    ):
        with django_assert_max_num_queries(LIST_QUERIES):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        assert staff.get(reverse("referrals:provider_history", args=[p.pk])).status_code == 200


# --- agencies ------------------------------------------------------------------------------


def test_agency_create_bad_input_and_ok(login, supervisor):
    client = login(supervisor)
    url = reverse("referrals:agency_create")
    resp = client.post(
        url,
        {
            "kind": "agency",
            "name": "Kept Name",
            "services": ["support"],
            "zip_code": "1234",
            "service_radius_miles": "20",
        },
    )
    assert resp.status_code == 400
    assert "5-digit" in resp.content.decode() and "Kept Name" in resp.content.decode()
    assert not Agency.objects.exists()
    resp = client.post(
        url,
        {
            "kind": "attorney",
            "name": "Legal aid",
            "services": ["legal"],
            "zip_code": "10001",
            "service_radius_miles": "20",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    a = Agency.objects.get()
    assert a.latitude is not None and a.state == "NY"


def test_agency_search_on_match_page(login, advocate):
    case = consenting_case(assigned_advocate=advocate)
    lawyer = AgencyFactory(kind="attorney", services=["legal"], name="Near counsel")
    AgencyFactory(kind="agency", services=["legal"], name="Some agency")
    resp = login(advocate).get(
        reverse("referrals:match", args=[case.pk]), {"service_type": "legal", "source": "attorney"}
    )
    assert [m.pk for m in resp.context["results"]] == [lawyer.pk]


# --- legal technical assistance -------------------------------------------------------------


def test_legal_request_crud_by_advocate(login, advocate):
    client = login(advocate)
    case = consenting_case(assigned_advocate=advocate)
    data = {
        "requester_kind": "attorney",
        "requester_name": "Counsel",
        "topic": "hague",
        "jurisdiction": "Texas",
        "question": "Return petition help",
        "status": "open",
        "time_spent_minutes": "30",
        "received_on": timezone.localdate().isoformat(),
        "case_reference": case.reference,
    }
    resp = client.post(reverse("referrals:legal_create"), data)
    assert resp.status_code == 302
    obj = LegalAssistanceRequest.objects.get()
    assert obj.case == case and obj.created_by == advocate
    assert client.get(reverse("referrals:legal_detail", args=[obj.pk])).status_code == 200
    resp = client.post(
        reverse("referrals:legal_edit", args=[obj.pk]),
        {**data, "status": "completed", "provided": ["research", "amicus"]},
    )
    assert resp.status_code == 302
    obj.refresh_from_db()
    assert obj.status == "completed" and obj.provided == ["research", "amicus"] and obj.completed_on


def test_legal_request_bad_input(login, advocate):
    client = login(advocate)
    data = {
        "requester_kind": "family",
        "topic": "custody",
        "question": "Typed question stays",
        "status": "completed",
        "time_spent_minutes": "-5",
        "received_on": timezone.localdate().isoformat(),
        "case_reference": "FS-999999",
    }
    resp = client.post(reverse("referrals:legal_create"), data)
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "Typed question stays" in body
    assert "No case with this reference" in body
    assert "Say what was provided" in body
    assert not LegalAssistanceRequest.objects.exists()


def test_legal_request_roles(login, administrator, volunteer_user, provider_user):
    obj = LegalRequestFactory()
    admin = login(administrator)
    assert admin.get(reverse("referrals:legal_detail", args=[obj.pk])).status_code == 200
    assert admin.get(reverse("referrals:legal_edit", args=[obj.pk])).status_code == 403
    assert admin.post(reverse("referrals:legal_create"), {"topic": "hague"}).status_code == 403
    for user in (volunteer_user, provider_user):
        assert login(user).get(reverse("referrals:legal_list")).status_code == 403
    assert LegalAssistanceRequest.objects.count() == 1


def test_staff_see_when_the_provider_was_reminded(login, advocate, referral):
    url = reverse("referrals:detail", args=[referral.pk])
    client = login(advocate)
    assert "Provider reminded" not in client.get(url).content.decode()
    at = timezone.make_aware(dt.datetime(2026, 3, 11, 15, 0))
    services.referral_mark_reminded(referral=referral, now=at)
    body = client.get(url).content.decode()
    assert "Provider reminded" in body and timezone.localtime(at).strftime("%Y-%m-%d %H:%M") in body


def test_legal_request_rules_are_enforced_by_the_service(advocate):
    # Not only the form: a completed request without what was provided, or completed before
    # it was received, is refused by the service itself (an import, a shell, another view).
    today = timezone.localdate()
    obj = LegalAssistanceRequest(
        requester_kind="family",
        topic="custody",
        question="A question",
        status=LegalAssistanceRequest.Status.COMPLETED,
        received_on=today,
        completed_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        services.legal_request_save(request_obj=obj, by=advocate)
    assert set(refused.value.message_dict) == {"provided", "completed_on"}
    assert not LegalAssistanceRequest.objects.exists()
    obj.provided, obj.completed_on = ["research"], today
    assert services.legal_request_save(request_obj=obj, by=advocate).pk
