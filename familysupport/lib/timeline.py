"""The case timeline, assembled from every app without `cases` importing them.

An app registers a provider in its AppConfig.ready():
    timeline.register(my_entries)   # my_entries(case, user) -> Iterable[Entry]
Providers must fetch with a bounded number of queries (no per-entry queries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Provider = Callable[[Any, Any], Iterable["Entry"]]
_providers: list[Provider] = []


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # "contact", "referral", "peer_call", "travel", ...
    title: str
    summary: str = ""
    url: str = ""
    actor: str = ""
    icon: str = ""
    excerpt: str = ""  # e.g. the first line of a contact's note, for staff

    @property
    def kind_label(self) -> str:
        """`peer_call` → "Peer call": what a person reads, never the code."""
        return self.kind.replace("_", " ").capitalize()


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def entries_for_case(case: Any, user: Any) -> list[Entry]:
    entries: list[Entry] = []
    for provider in _providers:
        entries.extend(provider(case, user))
    return sorted(entries, key=lambda e: e.at, reverse=True)
