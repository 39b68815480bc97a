"""Declared access expectations for every URL pattern of the project.

Each app's tests declare its routes in `tests/<app>/access.py` as `ROUTES = [Route(...)]`.
The matrix test walks `get_resolver()` and fails for any URL pattern nobody declared, so a
new page cannot ship without saying who may open it.

Principals: "anonymous", each role ("advocate", ...), and "<role>:other" — a user of the
same role who does not own / is not assigned to the records `build` made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from accounts.models import User
from familysupport.lib.portal import PORTAL_APPS

ROLES = [r.value for r in User.Role]
PRINCIPALS = ["anonymous", *ROLES, *(f"{r}:other" for r in ROLES)]
STAFF = {"advocate", "supervisor", "administrator"}
ALL_SIGNED_IN = {p for p in PRINCIPALS if p != "anonymous"}


@dataclass
class World:
    """Users a route's `build` ties records to: `owner[role]` owns, `other[role]` does not."""

    owner: dict[str, User]
    other: dict[str, User]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Route:
    name: str
    # Principals that may use the page (GET → ok_status; POST → not 403/404).
    allow: set[str] = field(default_factory=set)
    # Principals that must not know the record exists (404); the rest of the signed-in get 403.
    hidden: set[str] = field(default_factory=set)
    build: Callable[[World], dict] | None = None  # creates records, returns URL kwargs
    post_only: bool = False  # state-changing: GET → 405
    public: bool = False  # reachable without signing in
    ok_status: int = 200
    query: str = ""  # appended to the URL (e.g. required GET parameters)
    skip_post: bool = False  # POST side effects not meaningful in a matrix (e.g. logout)
    anonymous: int | str | None = None  # what anonymous gets, when it differs from the rule

    def expected(self, principal: str) -> int | str:
        if principal == "anonymous":
            if self.anonymous is not None:
                return self.anonymous
            if self.public or "anonymous" in self.allow:
                return self.ok_status
            return "login"
        if principal in self.allow:
            return self.ok_status
        if principal in self.hidden:
            return 404
        return 403


def expand(roles: set[str]) -> set[str]:
    """`{"advocate"}` → the owner and the other user of that role."""
    out: set[str] = set()
    for r in roles:
        out.add(r)
        if r in ROLES:
            out.add(f"{r}:other")
    return out


def all_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    modules = ["tests.access.core_routes", *(f"tests.{app}.access" for app in PORTAL_APPS)]
    for name in modules:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rsplit(".", 1)[0]):
                raise
            continue
        for route in module.ROUTES:
            assert route.name not in routes, f"{route.name} declared twice"
            routes[route.name] = route
    return routes
