"""HSDS responses validate against the Open Referral schemas; certificates and their check."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from faon import compliance, hsds, services
from faon.certificates import certificate_pdf
from faon.models import Certificate, ComplianceSnapshot, Provider
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


def _frozen(provider: Provider, year: int, *, met: bool = True) -> None:
    """The January job's result for `year` (compliance frozen at year end)."""
    detail = {"key": "license", "met": met, "detail": "No current verified license"}
    ComplianceSnapshot.objects.create(
        provider=provider, membership_year=year, met=met, details={"requirements": [detail]}
    )


LAST_YEAR = compliance.current_membership_year() - 1


def test_certificate_pdf_contains_name_year_and_code(administrator, login):
    provider = compliant_provider(name="Jordan Example", credentials="PhD")
    manager = UserFactory(role="provider")
    provider.managers.add(manager)
    _frozen(provider, LAST_YEAR)
    response = login(administrator).post(
        reverse("faon:certificate_issue", args=[provider.pk]), {"year": LAST_YEAR}
    )
    assert response.status_code == 302
    cert = Certificate.objects.get(provider=provider)
    pdf = login(manager).get(reverse("faon:certificate_pdf", args=[cert.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Jordan Example, PhD" in text and str(LAST_YEAR) in text and cert.code in text


def test_certificate_pdf_prints_any_script_and_the_division_date():
    """Issued 03:30 UTC on 2 January = 22:30 on 1 January in New York: that is the date."""
    provider = compliant_provider(name="Ζωή Ψαρρά-Шевченко")
    _frozen(provider, 2025)
    with time_machine.travel(datetime(2026, 1, 2, 3, 30, tzinfo=UTC), tick=False):
        cert = services.certificate_issue(provider=provider, year=2025, by=None)
    text = " ".join(PdfReader(io.BytesIO(certificate_pdf(cert))).pages[0].extract_text().split())
    assert "Ζωή Ψαρρά-Шевченко" in text
    assert "Issued January 01, 2026" in text


def test_certificate_refused_when_not_compliant(administrator, login):
    provider = ProviderFactory()  # no license, no insurance, no training
    _frozen(provider, LAST_YEAR, met=False)
    response = login(administrator).post(
        reverse("faon:certificate_issue", args=[provider.pk]), {"year": LAST_YEAR}
    )
    assert response.status_code == 400
    assert "Not compliant" in response.content.decode()
    assert not Certificate.objects.exists()


def test_no_certificate_before_the_year_is_frozen(administrator, login):
    provider = compliant_provider()
    client = login(administrator)
    url = reverse("faon:certificate_issue", args=[provider.pk])
    this_year = client.post(url, {"year": LAST_YEAR + 1})  # compliant today, mid-year
    assert this_year.status_code == 400
    assert "once" in this_year.content.decode() and "has ended" in this_year.content.decode()
    not_frozen = client.post(url, {"year": LAST_YEAR})
    assert not_frozen.status_code == 400 and "not frozen yet" in not_frozen.content.decode()
    assert not Certificate.objects.exists()


def test_public_verification_shows_whose_which_year_and_validity():
    provider = compliant_provider(name="Casey Verified", email="casey@example.test")
    _frozen(provider, LAST_YEAR)
    cert = services.certificate_issue(provider=provider, year=LAST_YEAR, by=None)
    client = Client()
    url = reverse("faon:certificate_verify")
    text = client.get(url, {"code": cert.code.lower()}).content.decode()
    assert "Valid." in text and "Casey Verified" in text and str(LAST_YEAR) in text
    assert "casey@example.test" not in text  # nothing beyond what the certificate prints
    cert.revoked_at = cert.issued_at
    cert.save()
    revoked = client.get(url, {"code": cert.code}).content.decode()
    assert "Not valid." in revoked and "revoked" in revoked and "Valid." not in revoked
    unknown = client.get(url, {"code": "FAON-2020-XXXX-XXXX"}).content.decode()
    assert "No certificate has this code" in unknown
