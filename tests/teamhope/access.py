"""Who may open each Team HOPE page (the access matrix walks these)."""

from __future__ import annotations

from tests.access.registry import STAFF, Route, World, expand

VOLUNTEER = expand({"volunteer"})
ROSTER = expand({"supervisor", "administrator"})
CASEWORKERS = expand({"advocate", "supervisor"})
# DESIGN.md: administrators have RW on "Team HOPE roster & matches".
MATCHMAKERS = expand({"advocate", "supervisor", "administrator"})
OWN_VOLUNTEER = {"volunteer"}
OTHER_VOLUNTEER = {"volunteer:other"}


def _volunteer(world: World) -> dict:
    from .factories import VolunteerFactory

    return {"pk": VolunteerFactory().pk}


def _case(world: World) -> dict:
    from .factories import CaseFactory

    return {"case_pk": CaseFactory(assigned_advocate=world.owner["advocate"]).pk}


def _match(world: World) -> dict:
    from .factories import CaseFactory, PeerMatchFactory, VolunteerFactory

    volunteer = VolunteerFactory(user=world.owner["volunteer"])
    case = CaseFactory(assigned_advocate=world.owner["advocate"])
    match = PeerMatchFactory(volunteer=volunteer, case=case, created_by=world.owner["supervisor"])
    world.data["match"] = match
    return {"pk": match.pk}


def _escalation(world: World) -> dict:
    from .factories import EscalationFactory

    _match(world)
    return {"pk": EscalationFactory(match=world.data["match"]).pk}


ROUTES = [
    Route("teamhope:volunteer_list", allow=expand(STAFF)),
    Route("teamhope:volunteer_add", allow=ROSTER),
    Route("teamhope:volunteer_detail", allow=expand(STAFF), build=_volunteer),
    Route("teamhope:volunteer_edit", allow=ROSTER, build=_volunteer),
    Route("teamhope:volunteer_status", allow=ROSTER, build=_volunteer, post_only=True),
    Route("teamhope:match_suggest", allow=MATCHMAKERS, build=_case),
    Route("teamhope:match_create", allow=MATCHMAKERS, build=_case, post_only=True),
    Route("teamhope:match_detail", allow=expand(STAFF), build=_match),
    Route("teamhope:match_end", allow=MATCHMAKERS, build=_match),
    Route("teamhope:waiting_list", allow=expand(STAFF)),
    Route("teamhope:capacity_list", allow=expand(STAFF)),
    Route("teamhope:calls_by_month", allow=expand(STAFF)),
    Route("teamhope:escalation_list", allow=expand(STAFF)),
    Route("teamhope:escalation_detail", allow=expand(STAFF), build=_escalation),
    Route("teamhope:escalation_acknowledge", allow=CASEWORKERS, build=_escalation, post_only=True),
    Route("teamhope:escalation_resolve", allow=CASEWORKERS, build=_escalation, post_only=True),
    # The volunteer's own pages: another volunteer must not learn the match exists.
    Route("teamhope:my_families", allow=VOLUNTEER),
    Route("teamhope:my_calls", allow=VOLUNTEER),
    Route("teamhope:my_family", allow=OWN_VOLUNTEER, hidden=OTHER_VOLUNTEER, build=_match),
    Route("teamhope:call_log", allow=OWN_VOLUNTEER, hidden=OTHER_VOLUNTEER, build=_match),
    Route("teamhope:escalate", allow=OWN_VOLUNTEER, hidden=OTHER_VOLUNTEER, build=_match),
    Route(
        "teamhope:escalation_sent", allow=OWN_VOLUNTEER, hidden=OTHER_VOLUNTEER, build=_escalation
    ),
]
