"""Who may use the phone system's URLs (cases/phone_urls.py).

The webhooks: signed requests only, so every principal, signed in or not, gets 403 on an
unsigned POST (and 405 on GET). Integrations: administrators only. Missed calls: staff.
"""

from __future__ import annotations

from tests.access.registry import STAFF, Route, World, expand

ADMIN = expand({"administrator"})


def _integration(world: World) -> dict:
    from cases import phone_services

    integration, _secret = phone_services.phone_integration_create(
        name="Matrix PBX", by=world.owner["administrator"]
    )
    return {"pk": integration.pk}


ROUTES = [
    Route("phone:hook_call", post_only=True, anonymous=403),
    Route("phone:hook_call_ended", post_only=True, anonymous=403),
    Route("phone:missed_list", allow=expand(STAFF)),
    Route("phone:integration_list", allow=ADMIN),
    Route("phone:integration_rotate", allow=ADMIN, post_only=True, build=_integration),
    Route("phone:integration_deactivate", allow=ADMIN, post_only=True, build=_integration),
]
