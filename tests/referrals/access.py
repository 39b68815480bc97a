"""Who may open each referrals page (the access matrix walks these)."""

from __future__ import annotations

from tests.access.registry import STAFF, Route, World, expand

STAFF_ALL = expand(STAFF)
CASEWORKERS = expand({"advocate", "supervisor"})
OWN_PROVIDER = {"provider"}
OTHER_PROVIDER = {"provider:other"}


def _provider(world: World):
    from .factories import ProviderFactory

    return ProviderFactory(managers=[world.owner["provider"]])


def _case(world: World) -> dict:
    from .factories import consenting_case

    return {"case_pk": consenting_case(assigned_advocate=world.owner["advocate"]).pk}


def _create(world: World) -> dict:
    return {**_case(world), "kind": "provider", "target_pk": _provider(world).pk}


def _referral(world: World, *, sent: bool = True, status: str | None = None, agency=False):
    from referrals import services

    from .factories import AgencyFactory, ReferralFactory, consenting_case

    case = consenting_case(assigned_advocate=world.owner["advocate"])
    if agency:
        r = ReferralFactory(case=case, provider=None, agency=AgencyFactory())
    else:
        r = ReferralFactory(case=case, provider=_provider(world))
    if sent:
        r = services.referral_send(referral=r, by=world.owner["advocate"])
    if status == "accepted":
        r = services.referral_accept(referral=r, by=world.owner["provider"])
    return r


def _sent(world: World) -> dict:
    return {"pk": _referral(world).pk}


def _draft(world: World) -> dict:
    return {"pk": _referral(world, sent=False).pk}


def _declined(world: World) -> dict:
    from referrals import services

    r = _referral(world)
    services.referral_decline(referral=r, by=world.owner["provider"], reason="full")
    return {"pk": r.pk}


def _agency_sent(world: World) -> dict:
    return {"pk": _referral(world, agency=True).pk}


def _accepted(world: World) -> dict:
    return {"pk": _referral(world, status="accepted").pk}


def _provider_pk(world: World) -> dict:
    return {"provider_pk": _provider(world).pk}


def _agency(world: World) -> dict:
    from .factories import AgencyFactory

    return {"pk": AgencyFactory().pk}


def _legal(world: World) -> dict:
    from .factories import LegalRequestFactory

    return {"pk": LegalRequestFactory(created_by=world.owner["advocate"]).pk}


ROUTES = [
    Route("referrals:list", allow=STAFF_ALL),
    Route("referrals:awaiting", allow=STAFF_ALL),
    Route("referrals:case_referrals", allow=STAFF_ALL, build=_case),
    Route("referrals:match", allow=CASEWORKERS, build=_case),
    Route("referrals:create", allow=CASEWORKERS, build=_create),
    Route("referrals:detail", allow=STAFF_ALL, build=_sent),
    Route("referrals:send", allow=CASEWORKERS, build=_draft, post_only=True),
    Route("referrals:rerefer", allow=CASEWORKERS, build=_declined, post_only=True),
    Route("referrals:close", allow=CASEWORKERS, build=_sent, post_only=True),
    Route("referrals:record_answer", allow=CASEWORKERS, build=_agency_sent, post_only=True),
    Route("referrals:provider_history", allow=STAFF_ALL, build=_provider_pk),
    # The provider portal: another provider must not learn a referral exists.
    Route("referrals:incoming", allow=expand({"provider"})),
    Route("referrals:incoming_detail", allow=OWN_PROVIDER, hidden=OTHER_PROVIDER, build=_sent),
    Route(
        "referrals:accept", allow=OWN_PROVIDER, hidden=OTHER_PROVIDER, build=_sent, post_only=True
    ),
    Route("referrals:decline", allow=OWN_PROVIDER, hidden=OTHER_PROVIDER, build=_sent),
    Route(
        "referrals:first_appointment",
        allow=OWN_PROVIDER,
        hidden=OTHER_PROVIDER,
        build=_accepted,
        post_only=True,
    ),
    Route(
        "referrals:complete",
        allow=OWN_PROVIDER,
        hidden=OTHER_PROVIDER,
        build=_accepted,
        post_only=True,
    ),
    # The directory of agencies and attorneys: staff keep it.
    Route("referrals:agency_list", allow=STAFF_ALL),
    Route("referrals:agency_create", allow=STAFF_ALL),
    Route("referrals:agency_detail", allow=STAFF_ALL, build=_agency),
    Route("referrals:agency_edit", allow=STAFF_ALL, build=_agency),
    # Legal technical assistance: advocates and supervisors change, administrators read.
    Route("referrals:legal_list", allow=STAFF_ALL),
    Route("referrals:legal_create", allow=CASEWORKERS),
    Route("referrals:legal_detail", allow=STAFF_ALL, build=_legal),
    Route("referrals:legal_edit", allow=CASEWORKERS, build=_legal),
]
