"""The OpenAPI 3.0 document of the FAON directory API: the HSDS 3.0 paths this portal
serves, their query parameters, the key scheme, and the HSDS schemas by reference."""

from __future__ import annotations

from typing import Any

HSDS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema"


def _param(name: str, description: str, type_: str = "string", **extra: Any) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": type_, **extra},
    }


PAGING = [
    _param("page", "Page number (1 first); past the last page the page is empty.", "integer"),
    _param("per_page", "Items per page (1 to 200, default 50).", "integer"),
]
SEARCH = _param("search", "Words found in the name or description.")
FILTERS = [
    SEARCH,
    _param("modified_after", "Only items modified on or after this date-time (ISO 8601)."),
    _param("organization_id", "Only the items of this organization."),
    _param("taxonomy_term_id", "Only the items with this specialty (a taxonomy term id)."),
    _param("taxonomy_id", "Only the items with a term of this taxonomy."),
]


def _page_of(schema: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": {"$ref": f"{HSDS}/{schema}.json"}},
        },
    }


def _ok(schema: dict, description: str) -> dict:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        "400": {"description": "A query parameter could not be read (its name is given)."},
        "401": {"description": "No valid API key."},
    }


def _collection(schema: str, summary: str, params: list[dict]) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [*params, *PAGING],
            "responses": _ok(_page_of(schema), f"A page of {schema} items."),
        }
    }


def _item(schema: str) -> dict:
    responses = _ok({"$ref": f"{HSDS}/{schema}.json"}, f"One {schema}.")
    responses["404"] = {"description": "No such item in the directory."}
    return {
        "get": {
            "summary": f"One {schema} by id",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": responses,
        }
    }


def document(*, server: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "FAON directory (Open Referral HSDS 3.0)",
            "version": "3.0",
            "description": (
                "Read-only directory of the Family Advocacy Outreach Network's current "
                "members: public profile data only. Ask the division's administrators for a "
                "key and send it as `Authorization: Bearer <key>`."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"apiKey": []}],
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/": {
                "get": {
                    "summary": "About this API and its HSDS version (no key needed)",
                    "security": [],
                    "responses": {"200": {"description": "version, profile and openapi_url"}},
                }
            },
            "/organizations": _collection("organization", "Organizations", FILTERS),
            "/organizations/{id}": _item("organization"),
            "/services": _collection("service", "Services", FILTERS),
            "/services/{id}": _item("service"),
            "/service_at_locations": _collection(
                "service_at_location", "Services at locations", FILTERS
            ),
            "/service_at_locations/{id}": _item("service_at_location"),
            "/taxonomies": _collection("taxonomy", "Taxonomies (the members' specialties)", []),
            "/taxonomies/{id}": _item("taxonomy"),
            "/taxonomy_terms": _collection(
                "taxonomy_term",
                "Taxonomy terms: one per specialty",
                [SEARCH, _param("taxonomy_id", "Only the terms of this taxonomy.")],
            ),
            "/taxonomy_terms/{id}": _item("taxonomy_term"),
        },
    }
