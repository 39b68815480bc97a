"""Who may open each privacy page (restricted cases, break-glass, holds, retention, rules).

DESIGN.md, rows "restricted cases" and "retention, legal hold": supervisors restrict, add
people and review break-glass; other staff break the glass; supervisors and administrators
place and lift holds; administrators read the retention schedule; advocates and supervisors
set a family's contact rules. Providers and volunteers never learn a case exists (404).
"""

from __future__ import annotations

from tests.access.registry import STAFF, Route, World, expand

READERS = expand(STAFF)
CASEWORK = expand({"advocate", "supervisor"})
SUPERVISORS = expand({"supervisor"})
HOLDERS = expand({"supervisor", "administrator"})
ADMINS = expand({"administrator"})
HIDDEN = expand({"provider", "volunteer"})


def _case(world: World) -> dict:
    from tests.cases.factories import CaseFactory

    return {"pk": CaseFactory(assigned_advocate=world.owner["advocate"]).pk}


def _restricted_case(world: World):
    from cases import restricted
    from tests.cases.factories import CaseFactory
    from tests.factories import UserFactory

    # Assigned to someone outside the matrix: every advocate and administrator of the
    # matrix is "without access", every supervisor has it.
    case = CaseFactory(assigned_advocate=UserFactory(role="advocate", totp=False))
    restricted.case_restrict(case=case, by=world.owner["supervisor"], reason="Media attention")
    return case


def _family(world: World) -> dict:
    from tests.cases.factories import CaseFactory

    return {"pk": CaseFactory(assigned_advocate=world.owner["advocate"]).family_id}


def _grant(world: World) -> dict:
    from cases import restricted

    case = _restricted_case(world)
    grant = restricted.access_grant_add(
        case=case, user=world.other["administrator"], by=world.owner["supervisor"]
    )
    return {"pk": grant.pk}


def _glass(world: World) -> dict:
    from cases import restricted

    case = _restricted_case(world)
    glass = restricted.break_glass_open(
        case=case, by=world.owner["advocate"], reason="caller", explanation="The mother called in"
    )
    return {"pk": glass.pk}


def _hold(world: World) -> dict:
    from cases import holds
    from tests.cases.factories import CaseFactory

    hold = holds.legal_hold_place(
        by=world.owner["administrator"], reason="Subpoena 24-118", case=CaseFactory()
    )
    return {"pk": hold.pk}


ROUTES = [
    Route("privacy:case_restriction", allow=SUPERVISORS, hidden=HIDDEN, build=_case),
    Route(
        "privacy:access_grant_add",
        allow=SUPERVISORS,
        hidden=HIDDEN,
        build=lambda w: {"pk": _restricted_case(w).pk},
        post_only=True,
    ),
    Route(
        "privacy:access_grant_remove",
        allow=SUPERVISORS,
        hidden=HIDDEN,
        build=_grant,
        post_only=True,
    ),
    # Everyone on the staff may ask; who already has access is told so (200 either way).
    Route(
        "privacy:break_glass",
        allow=READERS,
        hidden=HIDDEN,
        build=lambda w: {"pk": _restricted_case(w).pk},
    ),
    Route("privacy:access_review", allow=SUPERVISORS),
    Route(
        "privacy:break_glass_review",
        allow=SUPERVISORS,
        hidden=HIDDEN,
        build=_glass,
        post_only=True,
    ),
    Route("privacy:hold_list", allow=HOLDERS),
    Route("privacy:hold_case", allow=HOLDERS, hidden=HIDDEN, build=_case),
    Route("privacy:hold_family", allow=HOLDERS, hidden=HIDDEN, build=_family),
    Route("privacy:hold_lift", allow=HOLDERS, hidden=HIDDEN, build=_hold),
    Route("privacy:retention", allow=ADMINS),
    Route("privacy:contact_rules", allow=CASEWORK, hidden=HIDDEN, build=_family),
]
