"""A provider cannot change what decides which credentials it needs (kind, disciplines,
credentials) by editing its own profile; staff can, and the change is in the audit trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from familysupport.lib.models import AuditEntry
from faon import selectors, services
from faon.models import License, Provider

from .factories import ProviderFactory, compliant_provider
from .test_bad_input import _profile

pytestmark = pytest.mark.django_db


def _disciplined_therapist(user) -> Provider:
    """An active, otherwise compliant therapist whose license shows disciplinary action."""
    provider = compliant_provider(managers=[user], disciplines=["therapist"])
    lic = provider.licenses.get()
    lic.standing = License.Standing.DISCIPLINARY
    lic.save()
    assert provider not in selectors.provider_list_offerable()
    return provider


def _own_post(provider: Provider, **overrides) -> dict:
    """What the provider's own form would send, plus whatever the attacker adds."""
    data = _profile(
        name=provider.name,
        credentials=provider.credentials,
        disciplines=list(provider.disciplines),
        email=provider.email,
        capacity="5",
    )
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "smuggled",
    [
        {"kind": "organisation"},
        {"disciplines": ["support_organisation"]},
        {"kind": "organisation", "disciplines": ["support_organisation"], "credentials": "MD"},
    ],
)
def test_provider_cannot_post_its_way_out_of_the_license_rule(smuggled, provider_user, login):
    provider = _disciplined_therapist(provider_user)
    response = login(provider_user).post(
        reverse("faon:provider_edit", args=[provider.pk]), _own_post(provider, **smuggled)
    )
    # The rest of the profile saves; the vetted fields are not the provider's to change.
    assert response.status_code == 302, response.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.capacity == 5
    assert provider.kind == Provider.Kind.INDIVIDUAL
    assert provider.disciplines == ["therapist"]
    assert provider.credentials == "LCSW"
    assert provider not in selectors.provider_list_offerable()


def test_provider_form_has_no_vetted_fields_and_says_who_changes_them(provider_user, login):
    provider = ProviderFactory(managers=[provider_user])
    page = login(provider_user).get(reverse("faon:provider_edit", args=[provider.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("kind", "disciplines", "credentials"):
        assert f'name="{name}"' not in html, name
    assert "Only FAON staff can change" in html
    assert 'name="capacity"' in html


def test_staff_form_keeps_the_vetted_fields(supervisor, login):
    provider = ProviderFactory()
    html = login(supervisor).get(reverse("faon:provider_edit", args=[provider.pk])).content
    for name in (b"kind", b"disciplines", b"credentials"):
        assert b'name="' + name + b'"' in html


@pytest.mark.parametrize("role", [User.Role.SUPERVISOR, User.Role.ADMINISTRATOR])
def test_staff_may_change_kind_and_disciplines_and_it_is_audited(role, make_user, login):
    staff = make_user(role)
    provider = ProviderFactory(disciplines=["therapist"])
    data = _own_post(provider, kind="organisation", disciplines=["support_organisation"])
    response = login(staff).post(reverse("faon:provider_edit", args=[provider.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    provider.refresh_from_db()
    assert provider.kind == Provider.Kind.ORGANISATION
    assert provider.disciplines == ["support_organisation"]
    entry = AuditEntry.objects.filter(action="faon.provider.updated").latest("pk")
    assert entry.actor == staff
    assert entry.changes["kind"] == ["individual", "organisation"]
    assert "support_organisation" in entry.changes["disciplines"][1]
    assert "therapist" in entry.changes["disciplines"][0]


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "organisation"},
        {"disciplines": ["support_organisation"]},
        {"disciplines": ["therapist", "attorney"]},
        {"credentials": "MD"},
    ],
)
def test_service_refuses_a_provider_changing_vetted_fields(data, provider_user):
    provider = ProviderFactory(managers=[provider_user], disciplines=["therapist"])
    with pytest.raises(ValidationError) as exc:
        services.provider_update(provider=provider, by=provider_user, data=data)
    assert set(exc.value.message_dict) == set(data)
    provider.refresh_from_db()
    assert provider.kind == Provider.Kind.INDIVIDUAL
    assert provider.disciplines == ["therapist"]
    assert provider.credentials == "LCSW"


def test_service_lets_a_provider_resend_unchanged_vetted_values(provider_user):
    provider = ProviderFactory(managers=[provider_user], disciplines=["therapist", "attorney"])
    services.provider_update(
        provider=provider,
        by=provider_user,
        data={
            "kind": "individual",
            "disciplines": ["attorney", "therapist"],
            "credentials": "LCSW",
            "capacity": 9,
        },
    )
    provider.refresh_from_db()
    assert provider.capacity == 9
    assert set(provider.disciplines) == {"therapist", "attorney"}


def test_service_lets_staff_change_vetted_fields(supervisor):
    provider = ProviderFactory()
    services.provider_update(provider=provider, by=supervisor, data={"kind": "organisation"})
    provider.refresh_from_db()
    assert provider.kind == Provider.Kind.ORGANISATION
