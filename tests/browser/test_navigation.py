"""Every role's navigation fits at 1280 px (laptop) and 390 px (phone): no item out of view,
no sideways scrolling, every menu reachable; home is axe-core clean at both widths.

Each run also saves the home page of each role at both widths to docs/screens/ (the README
links them) so a newcomer sees the product before running it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screens_dir

pytestmark = pytest.mark.browser

ROLES = ["advocate", "supervisor", "administrator", "provider", "volunteer"]
WIDTHS = {1280: 800, 390: 844}
SCREENS = screens_dir()


def _outside(page, locator) -> list[str]:
    """Labels of the visible elements matched by `locator` that stick out of the viewport."""
    return page.evaluate(
        """(els) => els.filter(e => e.offsetParent !== null).filter(e => {
              const r = e.getBoundingClientRect();
              return r.left < 0 || r.right > window.innerWidth + 0.5;
           }).map(e => e.textContent.trim())""",
        locator.element_handles(),
    )


def _role_user(role, browser_user):
    user = browser_user(role)
    if role == "provider":
        from tests.faon.factories import ProviderFactory

        ProviderFactory(managers=[user])
    if role == "volunteer":
        from tests.teamhope.factories import VolunteerFactory

        VolunteerFactory(user=user)
    return user


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("role", ROLES)
def test_navigation_fits(
    role, width, page, live_server, browser_user, signed_in, assert_accessible
):
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    user = _role_user(role, browser_user)
    signed_in(user)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "page scrolls sideways"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{role}-{width}.png"))
    assert_accessible(page)

    nav = page.locator("#main-nav")
    toggler = page.get_by_role("button", name="Toggle navigation")
    if width < 1200:
        expect(nav).to_be_hidden()
        toggler.click()
    expect(nav).to_be_visible()
    items = nav.locator(":scope > ul > li > .nav-link")
    assert items.count() >= 3  # a role's links, the bell and the user menu
    assert not _outside(page, items), _outside(page, items)
    expect(nav.get_by_role("link", name="Notifications")).to_be_visible()
    # Each dropdown (app groups, More, the user menu) opens inside the viewport.
    toggles = nav.locator("button.dropdown-toggle")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        toggle.click()
        menu = toggle.locator("xpath=following-sibling::ul")
        expect(menu).to_be_visible()
        links = menu.locator(".dropdown-item")
        assert not _outside(page, links), _outside(page, links)
        assert_accessible(page)
        toggle.click()
        expect(menu).to_be_hidden()
    expect(nav.locator("form[action$='/accounts/logout/']")).to_be_attached()


def test_overdue_task_rows_meet_contrast(
    page, live_server, browser_user, signed_in, assert_accessible
):
    import datetime as dt

    from django.utils import timezone

    from tests.cases.factories import TaskFactory
    from tests.reunification.factories import CaseFactory

    advocate = browser_user("advocate")
    case = CaseFactory(assigned_advocate=advocate)
    for days in (3, 10):
        TaskFactory(
            case=case, owner=advocate, due_on=timezone.localdate() - dt.timedelta(days=days)
        )
    signed_in(advocate)
    page.goto(f"{live_server.url}/")
    expect(page.locator(".task-overdue").first).to_be_visible()
    assert page.locator(".task-overdue").count() == 2
    assert_accessible(page)
