"""A supervisor reads the coverage-gap map, corrects a bad period, zooms into a state and
opens both click-through lists; the screenshot in docs/screens comes from this test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_nav_link, screens_dir
from tests.reports.coverage_data import known_world

pytestmark = pytest.mark.browser

SCREENS = screens_dir()


def _more_states() -> None:
    """Families in a dozen more states, members in some of them: a map with visible gaps."""
    from referrals.models import ZipCentroid
    from tests.reports.coverage_data import _family, _member

    states = ["WA", "OR", "CO", "MN", "IL", "GA", "FL", "AZ", "MI", "OH", "AK", "PR", "HI"]
    for i, st in enumerate(states):
        zips = list(ZipCentroid.objects.filter(state=st).order_by("zip_code")[:40:7])
        for z in zips[: 2 + i % 4]:
            _family(st, z.zip_code)
        if i % 3 == 0:
            z = zips[0]
            _member(
                state=st,
                zip_code=z.zip_code,
                latitude=z.latitude,
                longitude=z.longitude,
                service_modes=["in_person"],
                telehealth_states=[],
            )
        elif i % 3 == 1:
            _member(
                state="CA", zip_code="94103", service_modes=["telehealth"], telehealth_states=[st]
            )


def test_supervisor_reads_the_map_zooms_and_drills_down(
    page, live_server, browser_user, signed_in, assert_accessible
):
    known_world()
    _more_states()
    signed_in(browser_user("supervisor"))
    open_nav_link(page, "Reports")
    page.get_by_role("link", name="Coverage map").click()
    expect(page.locator("#coverage-svg path.state")).to_have_count(52)
    assert page.locator("#state-VA").get_attribute("class") == "state gap-2"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.locator("figure.coverage-map").screenshot(path=str(SCREENS / "coverage-map.png"))
    assert_accessible(page)

    # A period that ends before it starts: the message sits next to the field, input kept.
    page.get_by_label("From", exact=True).fill("2026-05-01")
    page.get_by_label("To", exact=True).fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#id_start-error")).to_contain_text("must start on or before")
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-01-01")
    page.get_by_label("From", exact=True).fill("")
    page.get_by_label("To", exact=True).fill("")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#coverage-table")).to_be_visible()

    # Clicking a state on the map zooms into its ZIP3 areas.
    page.locator("#state-VA").click()
    expect(page.locator('circle[data-area="VA-242"]')).to_have_class("zip3 gap-3")
    row = page.locator('#coverage-table tr[data-area="VA-242"]')
    row.get_by_role("link", name="Families").click()
    expect(page.locator("#family-count")).to_have_text("1")
    expect(page.get_by_role("link", name="Bristol family")).to_be_visible()
    page.go_back()
    page.locator('#coverage-table tr[data-area="VA-242"]').get_by_role(
        "link", name="Members to recruit"
    ).click()
    expect(page.locator("#coverage-recruit")).to_be_visible()
    assert_accessible(page)
