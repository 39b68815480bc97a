"""The portal's shared page furniture, filled by each app without the core importing it.

Each app may have a `nav.py` with `menu(user) -> list[MenuItem]` (navigation links) and
`home_panels(request) -> list[Panel]` (sections of the "my work" home page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

PORTAL_APPS = ("accounts", "cases", "referrals", "faon", "teamhope", "reunification", "reports")


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    order: int = 50


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def _nav_modules():
    for app in PORTAL_APPS:
        try:
            yield import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise


def menu(user) -> list[MenuItem]:
    items: list[MenuItem] = []
    for module in _nav_modules():
        if hasattr(module, "menu"):
            items.extend(module.menu(user))
    return sorted(items, key=lambda i: (i.order, i.label))


def home_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for module in _nav_modules():
        if hasattr(module, "home_panels"):
            panels.extend(module.home_panels(request))
    return sorted(panels, key=lambda p: p.order)
