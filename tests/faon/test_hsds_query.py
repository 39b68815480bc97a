"""The HSDS directory API's query parameters, paging past the end, root, taxonomies and
OpenAPI document; every response validated against ../shared/hsds/schema."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

import jsonschema
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from faon import hsds, services
from faon.models import Provider
from tests.faon.factories import compliant_provider
from tests.faon.test_hsds_and_certificates import SCHEMAS, _validate

pytestmark = pytest.mark.django_db
SCHEMA_DIR = SCHEMAS.parent  # the uncompiled per-object schemas and openapi.json


@cache
def _plain(name: str):
    schema = json.loads((SCHEMA_DIR / f"{name}.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _check(name: str, instance) -> None:
    errors = list(_plain(name).iter_errors(instance))
    assert not errors, [e.message for e in errors[:5]]


def _check_page(body: dict) -> None:
    page_schema = json.loads((SCHEMA_DIR / "openapi.json").read_text())["components"]["schemas"]
    errors = list(jsonschema.Draft202012Validator(page_schema["Page"]).iter_errors(body))
    assert not errors, [e.message for e in errors[:5]]


def _validate_page(schema: str, body: dict) -> None:
    """The HSDS Page envelope, and each item against the HSDS list-item schema."""
    _check_page(body)
    for item in body["contents"]:
        _validate(schema, item)


@pytest.fixture
def api(administrator):
    _key, secret = services.api_key_issue(name="Partner", by=administrator)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def three():
    with time_machine.travel(dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)):
        old = compliant_provider(
            name="Quiet Harbor Counseling", description="Grief groups", specialties=["grief"]
        )
    with time_machine.travel(dt.datetime(2026, 6, 5, 12, tzinfo=dt.UTC)):
        trauma = compliant_provider(
            name="Bright Path Therapy", description="Trauma-focused CBT", specialties=["trauma"]
        )
        org = compliant_provider(
            name="Ana Ruiz",
            kind=Provider.Kind.ORGANISATION,
            organisation_name="Riverside Family Center",
            description="Family therapy and trauma work",
            specialties=["family_therapy", "trauma"],
        )
    return old, trauma, org


def _names(body: dict) -> set[str]:
    return {item["name"] for item in body["contents"]}


@pytest.mark.parametrize(
    ("route", "schema"),
    [("faon:hsds_organizations", "organization_list"), ("faon:hsds_services", "service_list")],
)
def test_search_finds_name_or_description(api, three, route, schema):
    body = api.get(reverse(route), {"search": "trauma"}).json()
    _validate_page(schema, body)
    assert body["total_items"] == 2
    by_name = api.get(reverse(route), {"search": "quiet harbor"}).json()
    assert by_name["total_items"] == 1 and "Quiet Harbor" in json.dumps(by_name["contents"])


def test_modified_after_keeps_later_changes(api, three):
    body = api.get(reverse("faon:hsds_organizations"), {"modified_after": "2026-03-01"}).json()
    _validate_page("organization_list", body)
    assert _names(body) == {"Bright Path Therapy", "Riverside Family Center"}
    exact = api.get(
        reverse("faon:hsds_services"), {"modified_after": "2026-06-05T12:00:00+00:00"}
    ).json()
    assert exact["total_items"] == 2


def test_unreadable_modified_after_is_400_naming_it(api, three):
    response = api.get(reverse("faon:hsds_services"), {"modified_after": "last tuesday"})
    assert response.status_code == 400
    assert response.json()["parameter"] == "modified_after"


def test_organization_id_filters_services(api, three):
    _old, trauma, _org = three
    org_id = hsds.hsds_id(trauma.pk, "organization")
    body = api.get(reverse("faon:hsds_services"), {"organization_id": org_id}).json()
    _validate_page("service_list", body)
    assert [s["organization_id"] for s in body["contents"]] == [org_id]
    unknown = api.get(reverse("faon:hsds_services"), {"organization_id": "nope"}).json()
    assert unknown["total_items"] == 0 and unknown["empty"]


def test_taxonomy_term_id_filters_by_specialty(api, three):
    body = api.get(
        reverse("faon:hsds_service_at_locations"), {"taxonomy_term_id": hsds.term_id("trauma")}
    ).json()
    _validate_page("service_at_location_list", body)
    assert body["total_items"] == 2
    none = api.get(reverse("faon:hsds_services"), {"taxonomy_term_id": "unknown"}).json()
    assert none["total_items"] == 0


def test_a_page_past_the_end_is_empty(api, three):
    body = api.get(reverse("faon:hsds_services"), {"per_page": 2, "page": 5}).json()
    _validate_page("service_list", body)
    assert body["contents"] == [] and body["empty"] and body["page_number"] == 5
    assert body["total_items"] == 3 and body["total_pages"] == 2 and body["last_page"]


def test_bad_page_is_400(api, three):
    response = api.get(reverse("faon:hsds_services"), {"page": "zero"})
    assert response.status_code == 400 and response.json()["parameter"] == "page"


def test_root_describes_the_api_without_a_key(client):
    body = client.get(reverse("faon:hsds_root")).json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith(reverse("faon:hsds_openapi"))
    root_schema = json.loads((SCHEMA_DIR / "openapi.json").read_text())["paths"]["/"]["get"]
    schema = root_schema["responses"]["200"]["content"]["application/json"]["schema"]
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(body))


def test_openapi_document_lists_the_served_paths_and_parameters(client):
    doc = client.get(reverse("faon:hsds_openapi")).json()
    assert doc["openapi"].startswith("3.0")
    hsds_paths = set(json.loads((SCHEMA_DIR / "openapi.json").read_text())["paths"])
    assert set(doc["paths"]) == hsds_paths  # every HSDS path, nothing invented
    params = {p["name"] for p in doc["paths"]["/services"]["get"]["parameters"]}
    assert {"search", "modified_after", "organization_id", "taxonomy_term_id", "page"} <= params
    assert doc["servers"][0]["url"].endswith("/api/hsds")


def test_taxonomies_and_terms_validate(api):
    body = api.get(reverse("faon:hsds_taxonomies")).json()
    _check_page(body)
    [taxonomy] = body["contents"]
    _check("taxonomy", taxonomy)
    one = api.get(reverse("faon:hsds_taxonomy", args=[taxonomy["id"]])).json()
    assert one == taxonomy
    terms = api.get(reverse("faon:hsds_taxonomy_terms"), {"per_page": 200}).json()
    _check_page(terms)
    assert terms["total_items"] == len(terms["contents"]) > 5
    for term in terms["contents"]:
        _check("taxonomy_term", term)
        assert term["taxonomy_id"] == taxonomy["id"]
    grief = api.get(reverse("faon:hsds_taxonomy_terms"), {"search": "grief"}).json()
    assert [t["code"] for t in grief["contents"]] == ["grief"]
    term = api.get(reverse("faon:hsds_taxonomy_term", args=[hsds.term_id("grief")])).json()
    assert term["name"] == "Grief and loss"
    assert api.get(reverse("faon:hsds_taxonomy_term", args=["nope"])).status_code == 404
    assert api.get(reverse("faon:hsds_taxonomy", args=["nope"])).status_code == 404


def test_taxonomy_endpoints_need_a_key(client):
    assert client.get(reverse("faon:hsds_taxonomy_terms")).status_code == 401
