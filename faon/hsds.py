"""Open Referral HSDS 3.0 representation of the FAON directory (public profile data only).

Each active member with current credentials is one organization with one service at one
location. HSDS wants UUIDs: they are derived (uuid5) from the provider's id, so they are
stable across exports without storing extra columns. Nothing about families or cases, and
no credential numbers, ever appears here.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import Discipline, FeeArrangement, Language, Provider, ServiceMode, Specialty

NAMESPACE = uuid.UUID("5b0f3f3e-6c1a-4f0c-9a57-0b3c2f6e4a11")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def hsds_id(provider_pk: int, kind: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"faon-provider:{provider_pk}:{kind}"))


def provider_pk_from_id(value: str, kind: str, candidates) -> int | None:
    """Map an HSDS id back to a provider among `candidates` (a list of pks)."""
    for pk in candidates:
        if hsds_id(pk, kind) == value:
            return pk
    return None


def _labels(values, choices) -> list[str]:
    names = dict(choices)
    return [str(names.get(v, v)) for v in values]


def _description(p: Provider) -> str:
    parts = [p.description.strip()] if p.description.strip() else []
    if p.specialties:
        parts.append("Specialties: " + ", ".join(_labels(p.specialties, Specialty.choices)) + ".")
    return " ".join(parts) or f"{p.name}: a member of the Family Advocacy Outreach Network."


def organization(p: Provider) -> dict:
    data = {
        "id": hsds_id(p.pk, "organization"),
        "name": p.organisation_name or p.name,
        "description": _description(p),
        "email": p.email,
    }
    if p.organisation_name and p.kind == Provider.Kind.INDIVIDUAL:
        data["alternate_name"] = p.name
    if p.website:
        data["website"] = p.website
    return data


def _fees(p: Provider) -> str:
    text = ", ".join(_labels(p.fee_arrangements, FeeArrangement.choices))
    if p.insurance_plans:
        text += "; plans accepted: " + ", ".join(p.insurance_plans)
    return text


def service(p: Provider, *, full: bool = False) -> dict:
    disciplines = ", ".join(_labels(p.disciplines, Discipline.choices))
    data: dict = {
        "id": hsds_id(p.pk, "service"),
        "organization_id": hsds_id(p.pk, "organization"),
        "name": f"{p.name} ({disciplines})" if disciplines else p.name,
        "description": _description(p),
        "email": p.email,
        "status": "active" if p.accepting_referrals else "temporarily closed",
        "fees_description": _fees(p),
        "eligibility_description": f"Ages {p.age_min} to {p.age_max}.",
        "minimum_age": p.age_min,
        "maximum_age": p.age_max,
        "application_process": "By referral from the Family Advocacy division.",
        "last_modified": p.updated_at.isoformat(),
    }
    if p.website:
        data["url"] = p.website
    if p.details_confirmed_at:
        data["assured_date"] = p.details_confirmed_at.date().isoformat()
    if full:
        data["languages"] = [
            {"id": hsds_id(p.pk, f"language:{code}"), "service_id": data["id"], "code": code,
             "name": str(dict(Language.choices).get(code, code))}
            for code in p.languages
        ]  # fmt: skip
        areas = []
        if ServiceMode.TELEHEALTH in p.service_modes and p.telehealth_states:
            areas.append(
                {
                    "id": hsds_id(p.pk, "area:telehealth"),
                    "service_id": data["id"],
                    "name": "Telehealth",
                    "description": "Telehealth in: " + ", ".join(p.telehealth_states),
                    "extent_type": "text",
                    "extent": ",".join(p.telehealth_states),
                }
            )
        if ServiceMode.IN_PERSON in p.service_modes:
            areas.append(
                {
                    "id": hsds_id(p.pk, "area:radius"),
                    "service_id": data["id"],
                    "name": "In person",
                    "description": f"Within {p.service_radius_miles} miles of ZIP {p.zip_code}",
                    "extent_type": "text",
                    "extent": f"{p.service_radius_miles} miles of {p.zip_code}",
                }
            )
        data["service_areas"] = areas
        data["phones"] = _phones(p, service_id=data["id"])
        data["organization"] = organization(p)
        data["service_at_locations"] = [service_at_location(p)]
    return data


def _phones(p: Provider, **link) -> list[dict]:
    if not p.phone:
        return []
    return [{"id": hsds_id(p.pk, "phone"), "number": p.phone, "type": "voice", **link}]


def location(p: Provider) -> dict:
    in_person = ServiceMode.IN_PERSON in p.service_modes
    data: dict = {
        "id": hsds_id(p.pk, "location"),
        "organization_id": hsds_id(p.pk, "organization"),
        "location_type": "physical" if in_person else "virtual",
        "name": p.organisation_name or p.name,
        "languages": [],
        "addresses": [],
    }
    if in_person:
        if p.latitude is not None and p.longitude is not None:
            data["latitude"], data["longitude"] = p.latitude, p.longitude
        data["addresses"] = [
            {
                "id": hsds_id(p.pk, "address"),
                "location_id": data["id"],
                "address_1": p.address_line or "",
                "city": p.city,
                "state_province": p.state,
                "postal_code": p.zip_code,
                "country": "US",
                "address_type": "physical",
            }
        ]
    elif p.website:
        data["url"] = p.website
    return data


def service_at_location(p: Provider, *, full: bool = False) -> dict:
    data: dict = {
        "id": hsds_id(p.pk, "service_at_location"),
        "service_id": hsds_id(p.pk, "service"),
        "location_id": hsds_id(p.pk, "location"),
        "location": location(p),
    }
    if full:
        data["service"] = service(p)
        data["phones"] = _phones(p, service_at_location_id=data["id"])
    return data


# --- Taxonomy: the members' specialties -------------------------------------------------

TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "faon-taxonomy:specialties"))


def taxonomy() -> dict:
    return {
        "id": TAXONOMY_ID,
        "name": "FAON specialties",
        "description": "What a Family Advocacy Outreach Network member specialises in.",
    }


def term_id(code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"faon-specialty:{code}"))


def taxonomy_terms() -> list[dict]:
    return [
        {
            "id": term_id(code),
            "code": code,
            "name": str(label),
            "description": str(label),
            "taxonomy_id": TAXONOMY_ID,
        }
        for code, label in Specialty.choices
    ]


def specialty_of_term(value: str) -> str | None:
    return next((code for code in Specialty.values if term_id(code) == value), None)


# --- Query parameters -------------------------------------------------------------------


class BadParameter(ValueError):
    """A query parameter the API cannot read: answered 400 with its name."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def _int(request, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadParameter(name, f"{name} must be a whole number.") from exc
    if value < 1:
        raise BadParameter(name, f"{name} must be 1 or more.")
    return value


def _moment(raw: str):
    moment = parse_datetime(raw.replace(" ", "+"))  # a '+' in a URL arrives as a space
    if moment is None and (day := parse_date(raw)) is not None:
        moment = timezone.datetime(day.year, day.month, day.day)
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def filter_directory(qs: QuerySet[Provider], request) -> QuerySet[Provider]:
    """Apply HSDS's `search`, `modified_after`, `organization_id`, `taxonomy_term_id`,
    `taxonomy_id`. An id that names nothing gives an empty result, not everything."""
    params = request.GET
    if text := params.get("search", "").strip():
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(organisation_name__icontains=text)
            | Q(description__icontains=text)
        )
    if raw := params.get("modified_after", "").strip():
        moment = _moment(raw)
        if moment is None:
            raise BadParameter(
                "modified_after", "modified_after must be a date or an ISO 8601 date-time."
            )
        qs = qs.filter(updated_at__gte=moment)
    if value := params.get("organization_id", "").strip():
        pk = provider_pk_from_id(value, "organization", qs.values_list("pk", flat=True))
        qs = qs.filter(pk=pk) if pk is not None else qs.none()
    if value := params.get("taxonomy_term_id", "").strip():
        code = specialty_of_term(value)
        qs = qs.filter(specialties__contains=[code]) if code else qs.none()
    if (value := params.get("taxonomy_id", "").strip()) and value != TAXONOMY_ID:
        qs = qs.none()
    return qs


def page(items: Any, request, item) -> dict:
    """HSDS paging envelope (schema/openapi.json `Page`) around `contents`.

    A page past the end is an empty page (a partner looping until `last_page` must not
    get the last page again)."""
    per_page = min(MAX_PER_PAGE, _int(request, "per_page", DEFAULT_PER_PAGE))
    number = _int(request, "page", 1)
    total = items.count() if isinstance(items, QuerySet) else len(items)
    start = (number - 1) * per_page
    contents = [item(p) for p in items[start : start + per_page]] if start < total else []
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
