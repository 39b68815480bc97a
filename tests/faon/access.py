"""Who may open each FAON page (DESIGN.md: applications & vetting, provider records,
certificates, directory API)."""

from __future__ import annotations

from tests.access.registry import ALL_SIGNED_IN, Route, World, expand

STAFF_R = expand({"advocate", "supervisor", "administrator"})
MANAGERS = expand({"supervisor", "administrator"})
ADMIN = expand({"administrator"})
OWN = {"provider"}  # the provider user who manages the record; "provider:other" gets 404
HIDDEN = {"provider:other"}


def _provider(world: World, **kwargs):
    from tests.faon.factories import ProviderFactory

    p = ProviderFactory(**kwargs)
    p.managers.add(world.owner["provider"])
    # The other provider user manages a different provider (so it has a portal of its own).
    ProviderFactory().managers.add(world.other["provider"])
    return p


def _provider_pk(world: World) -> dict:
    return {"pk": _provider(world).pk}


def _application(world: World) -> dict:
    from tests.faon.factories import ApplicationFactory

    return {"pk": ApplicationFactory().pk}


def _license(world: World) -> dict:
    from tests.faon.factories import LicenseFactory

    return {"pk": LicenseFactory(provider=_provider(world)).pk}


def _license_doc(world: World) -> dict:
    from django.core.files.base import ContentFile

    from tests.faon.factories import LicenseFactory

    lic = LicenseFactory(provider=_provider(world))
    lic.document.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return {"pk": lic.pk}


def _insurance(world: World) -> dict:
    from tests.faon.factories import InsuranceFactory

    return {"pk": InsuranceFactory(provider=_provider(world)).pk}


def _insurance_doc(world: World) -> dict:
    from django.core.files.base import ContentFile

    from tests.faon.factories import InsuranceFactory

    pol = InsuranceFactory(provider=_provider(world))
    pol.document.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n...."), save=True)
    return {"pk": pol.pk}


def _event(world: World) -> dict:
    from tests.faon.factories import EventFactory

    _provider(world)
    return {"pk": EventFactory().pk}


def _attendance(world: World) -> dict:
    from tests.faon.factories import AttendanceFactory, EventFactory

    event = EventFactory(kind="online")
    return {
        "pk": AttendanceFactory(
            provider=_provider(world), event=event, completed_at=None, confirmed_at=None
        ).pk
    }


def _certificate(world: World) -> dict:
    from tests.faon.factories import CertificateFactory

    return {"pk": CertificateFactory(provider=_provider(world)).pk}


def _transcript(world: World) -> dict:
    from faon.models import Transcript

    t = Transcript.objects.create(
        provider=_provider(world),
        year=2025,
        code="FAONT-2025-ACCE-SS22",
        name_on_transcript="Matrix Member",
        credit_hours=2,
    )
    return {"pk": t.pk}


def _sent_issue(world: World) -> dict:
    from django.utils import timezone

    from faon.models import NewsletterIssue

    issue = NewsletterIssue.objects.create(
        subject="Matrix issue",
        body_markdown="Hello",
        body_html="<p>Hello</p>",
        created_by=world.owner["supervisor"],
        sent_at=timezone.now(),
    )
    return {"pk": issue.pk}


def _unsubscribe_token(world: World) -> dict:
    from faon import newsletter

    kwargs = _sent_issue(world)
    from faon.models import NewsletterIssue

    issue = NewsletterIssue.objects.get(pk=kwargs["pk"])
    return {"token": newsletter.unsubscribe_token(_provider(world), issue)}


def _own_provider(world: World) -> dict:
    _provider(world)
    return {}


def _api_key(world: World) -> dict:
    from faon import services

    key, _secret = services.api_key_issue(name="Partner", by=world.owner["administrator"])
    return {"pk": key.pk}


def _hsds_id(kind: str):
    def build(world: World) -> dict:
        from faon import hsds

        return {"id": hsds.hsds_id(_provider(world).pk, kind)}

    return build


def _taxonomy_id() -> str:
    from faon import hsds

    return hsds.TAXONOMY_ID


def _term_id() -> str:
    from faon import hsds

    return hsds.term_id("trauma")


def _api(name: str, build=None) -> Route:
    # No key → 401 for everyone (sessions never authenticate the API); tests/faon/test_hsds.py
    # covers requests with a key.
    return Route(name, allow=ALL_SIGNED_IN, anonymous=401, ok_status=401, build=build)


ROUTES = [
    # Public.
    Route("faon:join", public=True, allow=ALL_SIGNED_IN),
    Route("faon:join_thanks", public=True, allow=ALL_SIGNED_IN),
    Route(
        "faon:join_confirm",
        public=True,
        allow=ALL_SIGNED_IN,
        ok_status=404,
        build=lambda w: {"token": "not-a-token"},
    ),
    Route("faon:certificate_verify", public=True, allow=ALL_SIGNED_IN),
    # Vetting: advocates read, supervisors and administrators decide.
    Route("faon:application_list", allow=STAFF_R),
    Route("faon:application_detail", allow=STAFF_R, ok_status=302, build=_application),
    Route("faon:provider_list", allow=STAFF_R),
    Route("faon:provider_export", allow=ADMIN),  # exports are for administrators
    Route("faon:provider_detail", allow=STAFF_R | OWN, hidden=HIDDEN, build=_provider_pk),
    Route("faon:provider_edit", allow=MANAGERS | OWN, hidden=HIDDEN, build=_provider_pk),
    Route("faon:provider_status", allow=MANAGERS, post_only=True, build=_provider_pk),
    Route(
        "faon:provider_confirm_details",
        allow=MANAGERS | OWN,
        hidden=HIDDEN,
        post_only=True,
        build=_provider_pk,
    ),
    # Portal users of a record: supervisors and administrators only (not the provider itself).
    Route("faon:provider_managers", allow=MANAGERS, build=_provider_pk),
    Route("faon:provider_manager_remove", allow=MANAGERS, post_only=True, build=_provider_pk),
    Route("faon:license_add", allow=MANAGERS | OWN, hidden=HIDDEN, build=_provider_pk),
    Route("faon:insurance_add", allow=MANAGERS | OWN, hidden=HIDDEN, build=_provider_pk),
    Route("faon:provider_calendar", allow=STAFF_R | OWN, hidden=HIDDEN, build=_provider_pk),
    Route("faon:license_verify", allow=MANAGERS, post_only=True, build=_license),
    Route("faon:insurance_verify", allow=MANAGERS, post_only=True, build=_insurance),
    Route("faon:license_document", allow=STAFF_R | OWN, hidden=HIDDEN, build=_license_doc),
    Route("faon:insurance_document", allow=STAFF_R | OWN, hidden=HIDDEN, build=_insurance_doc),
    # Certificates: supervisors read, administrators issue, providers their own.
    Route("faon:certificate_list", allow=MANAGERS),
    Route("faon:certificate_issue", allow=ADMIN, post_only=True, build=_provider_pk),
    Route("faon:certificate_pdf", allow=MANAGERS | OWN, hidden=HIDDEN, build=_certificate),
    # The member newsletter: FAON managers write and send; staff and members read the archive.
    Route("faon:newsletter_list", allow=STAFF_R | expand({"provider"})),
    Route("faon:newsletter_new", allow=MANAGERS),
    Route("faon:newsletter_detail", allow=STAFF_R | expand({"provider"}), build=_sent_issue),
    Route("faon:newsletter_edit", allow=MANAGERS, build=_sent_issue),
    Route("faon:newsletter_send", allow=MANAGERS, post_only=True, build=_sent_issue),
    Route(
        "faon:newsletter_unsubscribe",
        public=True,
        allow=ALL_SIGNED_IN,
        build=_unsubscribe_token,
        skip_post=True,
    ),
    # CE transcripts: a member issues and downloads its own; FAON managers for any member.
    Route(
        "faon:transcript_issue",
        allow=MANAGERS | OWN,
        hidden=HIDDEN,
        post_only=True,
        build=_provider_pk,
    ),
    Route("faon:transcript_pdf", allow=MANAGERS | OWN, hidden=HIDDEN, build=_transcript),
    Route("faon:portal", allow=expand({"provider"}), ok_status=302, build=_own_provider),
    # Trainings and events.
    Route("faon:event_list", allow=STAFF_R | expand({"provider"})),
    Route("faon:event_create", allow=MANAGERS),
    Route("faon:event_detail", allow=STAFF_R | expand({"provider"}), build=_event),
    Route("faon:event_edit", allow=MANAGERS, build=_event),
    Route("faon:event_ics", allow=STAFF_R | expand({"provider"}), build=_event),
    Route("faon:event_register", allow=expand({"provider"}), post_only=True, build=_event),
    Route(
        "faon:attendance_complete",
        allow=MANAGERS | OWN,
        hidden=HIDDEN,
        post_only=True,
        build=_attendance,
    ),
    Route("faon:attendance_queue", allow=MANAGERS),
    Route("faon:attendance_confirm", allow=MANAGERS, post_only=True, build=_attendance),
    # Directory API and its keys.
    Route("faon:api_key_list", allow=ADMIN),
    Route("faon:api_key_revoke", allow=ADMIN, post_only=True, build=_api_key),
    # Metadata and the OpenAPI document hold no data: public, like the HSDS spec's root.
    Route("faon:hsds_root", public=True, allow=ALL_SIGNED_IN),
    Route("faon:hsds_openapi", public=True, allow=ALL_SIGNED_IN),
    _api("faon:hsds_taxonomies"),
    _api("faon:hsds_taxonomy", lambda world: {"id": _taxonomy_id()}),
    _api("faon:hsds_taxonomy_terms"),
    _api("faon:hsds_taxonomy_term", lambda world: {"id": _term_id()}),
    _api("faon:hsds_organizations"),
    _api("faon:hsds_organization", _hsds_id("organization")),
    _api("faon:hsds_services"),
    _api("faon:hsds_service", _hsds_id("service")),
    _api("faon:hsds_service_at_locations"),
    _api("faon:hsds_service_at_location", _hsds_id("service_at_location")),
]
