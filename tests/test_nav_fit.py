"""The navigation bar keeps what fits and puts the rest under "More"."""

from __future__ import annotations

from familysupport.lib.portal import MenuGroup, MenuItem, fit


def _item(label: str, order: int) -> MenuItem:
    return MenuItem(label, f"/{label.lower()}/", order)


def test_a_short_menu_is_kept_as_it_is():
    entries = [_item("My work", 0), _item("Cases", 10)]
    assert fit(entries, budget=40) == entries


def test_the_overflow_goes_into_more_with_group_sections():
    group = MenuGroup("Travel", (_item("Requests", 60), _item("Budget", 61)), 60)
    entries = [_item("My work", 0), _item("Cases", 10), group, _item("Reports", 80)]
    shown = fit(entries, budget=28)
    assert [e.label for e in shown] == ["My work", "Cases", "More"]
    more = shown[-1]
    assert [(i.section, i.label) for i in more.items] == [
        ("Travel", "Requests"),
        ("Travel", "Budget"),
        ("", "Reports"),
    ]


def test_order_is_kept_once_an_entry_overflows():
    # A short entry after a long one does not jump ahead of it.
    entries = [_item("My work", 0), _item("A very long label here", 10), _item("X", 20)]
    shown = fit(entries, budget=25)
    assert [e.label for e in shown] == ["My work", "More"]
    assert [i.label for i in shown[-1].items] == ["A very long label here", "X"]
