"""The portal's shared page furniture, filled by each app without the core importing it.

Each app may have a `nav.py` with `menu(user) -> list[MenuItem]` (navigation links) and
`home_panels(request) -> list[Panel]` (sections of the "my work" home page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import import_module
from types import ModuleType
from typing import Any

PORTAL_APPS = ("accounts", "cases", "referrals", "faon", "teamhope", "reunification", "reports")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    order: int = 50
    shortcut: str = ""  # a letter: Alt+Shift+<letter> opens it from any page (portal.js)
    section: str = ""  # heading inside the "More" menu (the app group it came from)


@dataclass(frozen=True)
class MenuGroup:
    """A dropdown in the navigation bar: an app's links when it offers several."""

    label: str
    items: tuple[MenuItem, ...]
    order: int

    is_group = True


# Dropdown titles for apps that contribute more than one link; the others stay top-level.
GROUP_LABELS = {
    "accounts": "Administration",
    "referrals": "Referrals",
    "faon": "FAON",
    "teamhope": "Team HOPE",
    "reunification": "Travel",
    "reports": "Reports",
}
TOP_LEVEL = {"My work"}


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def _nav_modules() -> Iterator[ModuleType]:
    for app in PORTAL_APPS:
        try:
            yield import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise


def menu(user: Any) -> list[MenuItem | MenuGroup]:
    entries: list[MenuItem | MenuGroup] = []
    for module in _nav_modules():
        if not hasattr(module, "menu"):
            continue
        app = module.__name__.split(".")[0]
        items = sorted(module.menu(user), key=lambda i: (i.order, i.label))
        top = [i for i in items if i.label in TOP_LEVEL]
        rest = [i for i in items if i.label not in TOP_LEVEL]
        entries.extend(top)
        if len(rest) > 1 and app in GROUP_LABELS:
            entries.append(MenuGroup(GROUP_LABELS[app], tuple(rest), min(i.order for i in rest)))
        else:
            entries.extend(rest)
    return sorted(entries, key=lambda e: (e.order, e.label))


# What fits in the bar at 1280 px next to the brand, the bell and the user menu, counted in
# characters (about 8 px each at the bar's font) plus each link's padding. Measured by
# tests/browser/test_navigation.py at 1280 and 390 px for every role.
NAV_BUDGET = 92
MORE_COST = len("More") + 5


def _cost(entry: MenuItem | MenuGroup) -> int:
    return len(entry.label) + (5 if isinstance(entry, MenuGroup) else 3)


def fit(
    entries: list[MenuItem | MenuGroup], budget: int = NAV_BUDGET
) -> list[MenuItem | MenuGroup]:
    """Keep the first entries that fit the bar; the rest go into one "More" menu, an app's
    group becoming a headed section there (no nested dropdowns: they fail on phones)."""
    if sum(_cost(e) for e in entries) <= budget:
        return entries
    shown: list[MenuItem | MenuGroup] = []
    used = MORE_COST
    rest: list[MenuItem | MenuGroup] = []
    for entry in entries:
        if not rest and used + _cost(entry) <= budget:
            shown.append(entry)
            used += _cost(entry)
        else:
            rest.append(entry)
    more: list[MenuItem] = []
    for entry in rest:
        if isinstance(entry, MenuGroup):
            more.extend(replace(i, section=entry.label) for i in entry.items)
        else:
            more.append(entry)
    return [*shown, MenuGroup("More", tuple(more), order=1000)]


def home_panels(request: Any) -> list[Panel]:
    panels: list[Panel] = []
    for module in _nav_modules():
        if hasattr(module, "home_panels"):
            panels.extend(module.home_panels(request))
    return sorted(panels, key=lambda p: p.order)
