"""HSDS responses validate against the Open Referral schemas; certificates and their check."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from faon import compliance, hsds, services
from faon.models import Certificate, Provider
from tests.factories import UserFactory

from .factories import ProviderFactory, compliant_provider

pytestmark = pytest.mark.django_db
SCHEMAS = Path("/work/shared/hsds/schema/compiled")
if not SCHEMAS.exists():  # a checkout next to the shared folder
    SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "hsds" / "schema" / "compiled"


@cache
def _validator(name: str):
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _validate(name: str, instance) -> None:
    errors = sorted(_validator(name).iter_errors(instance), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def api(administrator):
    _key, secret = services.api_key_issue(name="Partner", by=administrator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def directory():
    listed = [
        compliant_provider(website="https://example.test/a"),
        compliant_provider(
            kind=Provider.Kind.ORGANISATION,
            disciplines=["support_organisation"],
            service_modes=["telehealth"],
            telehealth_states=["NY", "NJ"],
            organisation_name="Example Family Center",
            phone="",
        ),
    ]
    hidden = [
        compliant_provider(status=Provider.Status.SUSPENDED),
        ProviderFactory(status=Provider.Status.ACTIVE),  # no license or insurance
    ]
    return listed, hidden


@pytest.mark.parametrize(
    ("route", "schema"),
    [
        ("faon:hsds_organizations", "organization_list"),
        ("faon:hsds_services", "service_list"),
        ("faon:hsds_service_at_locations", "service_at_location_list"),
    ],
)
def test_list_pages_validate_and_show_only_current_members(api, directory, route, schema):
    listed, _hidden = directory
    body = api.get(reverse(route), {"per_page": 1}).json()
    assert body["total_items"] == 2 and body["total_pages"] == 2 and body["size"] == 1
    assert body["first_page"] and not body["last_page"] and not body["empty"]
    page2 = api.get(reverse(route), {"per_page": 1, "page": 2}).json()
    items = body["contents"] + page2["contents"]
    for item in items:
        _validate(schema, item)
    kind = {"organization_list": "organization", "service_list": "service"}.get(
        schema, "service_at_location"
    )
    assert {i["id"] for i in items} == {hsds.hsds_id(p.pk, kind) for p in listed}


@pytest.mark.parametrize(
    ("route", "kind", "schema"),
    [
        ("faon:hsds_organization", "organization", "organization"),
        ("faon:hsds_service", "service", "service"),
        ("faon:hsds_service_at_location", "service_at_location", "service_at_location"),
    ],
)
def test_detail_responses_validate(api, directory, route, kind, schema):
    listed, hidden = directory
    for p in listed:
        response = api.get(reverse(route, args=[hsds.hsds_id(p.pk, kind)]))
        assert response.status_code == 200
        _validate(schema, response.json())
    for p in hidden:
        assert api.get(reverse(route, args=[hsds.hsds_id(p.pk, kind)])).status_code == 404


def test_no_key_or_revoked_key_is_401(administrator, directory):
    url = reverse("faon:hsds_services")
    assert Client().get(url).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get(url).status_code == 401
    key, secret = services.api_key_issue(name="P", by=administrator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(url).status_code == 200
    services.api_key_revoke(key=key, by=administrator)
    assert client.get(url).status_code == 401
    key.refresh_from_db()
    assert secret not in (key.key_hash, key.prefix)


def test_no_credential_numbers_in_the_directory(api, directory):
    listed, _ = directory
    text = api.get(reverse("faon:hsds_services"), {"per_page": 50}).content.decode()
    for p in listed:
        for lic in p.licenses.all():
            assert lic.number not in text


def test_admin_issues_key_shown_once(administrator, login):
    client = login(administrator)
    response = client.post(reverse("faon:api_key_list"), {"name": "State partner"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("faon_")
    assert secret not in client.get(reverse("faon:api_key_list")).content.decode()
    assert client.post(reverse("faon:api_key_list"), {"name": ""}).status_code == 400


def test_certificate_pdf_contains_name_year_and_code(administrator, login):
    provider = compliant_provider(name="Jordan Example", credentials="PhD")
    manager = UserFactory(role="provider")
    provider.managers.add(manager)
    year = compliance.current_membership_year()
    response = login(administrator).post(
        reverse("faon:certificate_issue", args=[provider.pk]), {"year": year}
    )
    assert response.status_code == 302
    cert = Certificate.objects.get(provider=provider)
    pdf = login(manager).get(reverse("faon:certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Jordan Example, PhD" in text and str(year) in text and cert.code in text


def test_certificate_refused_when_not_compliant(administrator, login):
    provider = ProviderFactory()  # no license, no insurance, no training
    response = login(administrator).post(
        reverse("faon:certificate_issue", args=[provider.pk]), {"year": 2025}
    )
    assert response.status_code == 400
    assert "Not compliant" in response.content.decode()
    assert not Certificate.objects.exists()


def test_public_verification_confirms_code_without_details():
    provider = compliant_provider(name="Casey Hidden")
    cert = services.certificate_issue(
        provider=provider,
        year=compliance.current_membership_year(),
        by=None,
    )
    client = Client()
    ok = client.get(reverse("faon:certificate_verify"), {"code": cert.code.lower()})
    text = ok.content.decode()
    assert "Valid" in text and str(cert.year) in text and "Casey Hidden" not in text
    bad = client.get(reverse("faon:certificate_verify"), {"code": "FAON-2020-XXXX-XXXX"})
    assert "No valid certificate" in bad.content.decode()
