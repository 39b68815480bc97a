"""Who may use the screen pop's URLs (cases/phone_pop_views.py).

Advocates and supervisors take calls; the other roles get 403. The poll answers 204 to a
caseworker with nothing to show. "Start call" on a call routed to nobody is open to every
caseworker taking calls (the second one is told who took it: a redirect, not a refusal). A started
call's status is its starter's only: other caseworkers must not learn of it (404).
"""

from __future__ import annotations

from tests.access.registry import Route, World, expand

CASEWORK = expand({"advocate", "supervisor"})


def _ringing(world: World) -> dict:
    from accounts import services
    from accounts.models import User
    from cases.models import PhoneCall

    # "Start call" is for those taking calls, as the pop is (the other roles cannot take them).
    for user in User.objects.filter(role__in=CASEWORK):
        services.user_taking_calls_set(user=user, on=True, reason="menu")
    return {"call_sid": PhoneCall.objects.create(call_sid="CA-matrix-ringing").call_sid}


def _started(world: World) -> dict:
    from django.utils import timezone

    from cases.models import PhoneCall

    call = PhoneCall.objects.create(
        call_sid="CA-matrix-started",
        started_by=world.owner["advocate"],
        started_at=timezone.now(),
    )
    return {"call_sid": call.call_sid}


ROUTES = [
    Route("cases:phone_pop", allow=CASEWORK, ok_status=204),
    Route("cases:phone_call_start", allow=CASEWORK, build=_ringing, post_only=True),
    Route(
        "cases:phone_call_status",
        allow={"advocate"},
        hidden={"advocate:other", *expand({"supervisor"})},
        build=_started,
    ),
]
