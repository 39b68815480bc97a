"""The case and family timelines, assembled from every app without `cases` importing them.

An app registers its providers in its AppConfig.ready():
    timeline.register(my_entries)              # my_entries(case, user) -> Iterable[Entry]
    timeline.register_family(my_family_entries)  # (cases, user): all of a family's cases
Providers must fetch with a bounded number of queries (no per-entry queries, none per case)
and only what `user` may see (through the app's access selectors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Provider = Callable[[Any, Any], Iterable["Entry"]]
FamilyProvider = Callable[[Sequence[Any], Any], Iterable["Entry"]]
_providers: list[Provider] = []
_family_providers: list[FamilyProvider] = []


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


def register_family(provider: FamilyProvider) -> FamilyProvider:
    if provider not in _family_providers:
        _family_providers.append(provider)
    return provider


def entries_for_family(cases: Sequence[Any], user: Any) -> list[Entry]:
    """The registered apps' entries on these cases (a family's), newest first."""
    entries: list[Entry] = []
    if cases:
        for provider in _family_providers:
            entries.extend(provider(cases, user))
    return sorted(entries, key=lambda e: e.at, reverse=True)
