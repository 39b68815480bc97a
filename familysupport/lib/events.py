"""Events a lower app announces and higher apps act on, without the lower one importing them.

    # familysupport/lib/events.py
    family_merged = Event("family_merged")          # handlers(source=, target=, by=)
    # cases/services.py, inside its transaction
    events.family_merged.send(source=source, target=target, by=by)
    # referrals/apps.py, in ready()
    events.family_merged.connect(services.referrals_follow_merge)

Handlers run synchronously, in the order they connected, inside the sender's transaction:
if one raises, the whole change rolls back. They must do bounded work (a few queries), and
must be idempotent with respect to their own records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]


class Event:
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Handler] = []

    def connect(self, handler: Handler) -> Handler:
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def disconnect(self, handler: Handler) -> None:
        if handler in self._handlers:
            self._handlers.remove(handler)

    def handlers(self) -> tuple[Handler, ...]:
        return tuple(self._handlers)

    def send(self, **kwargs: Any) -> list[Any]:
        return [handler(**kwargs) for handler in self._handlers]

    def __repr__(self) -> str:
        return f"Event({self.name!r})"


# A user lost access to the portal (deactivated): handlers(user=, by=)
user_deactivated = Event("user_deactivated")
# A family withdrew a consent: handlers(family=, consent=, by=) where consent is the field
# name ("consent_team_hope", "consent_share_providers", ...).
family_consent_withdrawn = Event("family_consent_withdrawn")
# One family was merged into another: handlers(source=, target=, merge=, by=)
family_merged = Event("family_merged")
# A merge was undone: handlers(source=, target=, merge=, by=)
family_unmerged = Event("family_unmerged")
# A closed case is about to be purged under the retention schedule (familysupport/lib/
# retention.py): handlers(case=, now=) delete their own records of it (referrals, matches,
# travel), each leaving its audit trail. Sent inside the purge's transaction.
case_purging = Event("case_purging")
