"""Browser tests: Playwright driving the system's Chromium against a live test server.

Never a browser download: the Chromium binary comes from Debian's `chromium` package
(CHROMIUM_PATH or PATH). Outside CI, no Chromium → the tests skip with one line; in CI
(FSP_REQUIRE_BROWSER=1) a missing Chromium fails instead.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.factories import UserFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (creating fixtures) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
if CHROMIUM and not os.path.exists(CHROMIUM):
    CHROMIUM = ""
# Shared CI machines are slow at times: wait up to 15 s for a page to settle, not 5.
expect.set_options(timeout=15_000)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("FSP_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("FSP_REQUIRE_BROWSER=1 but no Chromium was found")
    skip = pytest.mark.skip(reason="no Chromium on this machine (apt-get install chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def page(page, live_server, request):
    """A page that fails its test if anything asks a non-local host (fonts, CDNs, ...), and
    if axe-core finds a serious or critical violation on any page it loaded.

    axe runs on every `load` of the page (each navigation, form post, redirect) and once more
    at teardown on the page as the test left it (htmx swaps fire no `load`). A test whose page
    cannot be checked opts out with `@pytest.mark.axe_skip(reason="...")` — say why.
    """
    foreign: list[str] = []
    violations: dict[str, list[str]] = {}
    skip_axe = request.node.get_closest_marker("axe_skip") is not None
    # No CSS transitions (Bootstrap honours reduced motion): axe must not read a button's
    # colours halfway through a hover fade, which a busy machine stretches out.
    page.emulate_media(reduced_motion="reduce")

    def check_axe(loaded=None) -> None:
        url = page.url
        if not url.startswith(live_server.url) or id(page) in _AXE_BUSY:
            return  # not ours (about:blank, downloads), or a check is already reading it
        try:
            found = axe_violations(page, settle=False)
        except PlaywrightError as exc:
            # The test navigated on while axe ran: the next `load` checks the next page.
            if any(words in str(exc) for words in _NAVIGATED_AWAY):
                return
            raise
        for v in found:
            targets = [n["target"] for n in v["nodes"]][:5]
            violations.setdefault(url, []).append(f"{v['id']}: {v['help']} at {targets}")

    def check(request):
        host = urlparse(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in LOCAL_HOSTS:
            foreign.append(request.url)

    page.on("request", check)
    if not skip_axe:
        page.on("load", check_axe)
    page.set_default_timeout(15_000)
    yield page
    assert not foreign, f"the page asked non-local hosts: {foreign}"
    if not skip_axe and not page.is_closed():
        page.remove_listener("load", check_axe)
        check_axe()
    assert not violations, f"axe-core serious/critical violations: {violations}"


@pytest.fixture
def browser_user(transactional_db):
    """`browser_user(role)` → a user whose TOTP secret is known (user.totp_secret)."""

    def make(role: str = "advocate", **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


def totp_now(secret: str) -> str:
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def sign_in(page, live_server, user, password: str | None = None) -> None:
    """The real flow: e-mail + password, then the TOTP step."""
    from tests.factories import TEST_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password or TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_now(user.totp_secret))
    page.get_by_role("button", name="Sign In").click()
    # Wait for what only a signed-in page has: the second-factor page matches any URL
    # pattern of the site, so waiting for a URL lets a busy machine race ahead.
    expect(page.locator("#main-nav form[action$='/accounts/logout/']")).to_be_attached()


def sign_out(page) -> None:
    """Sign out through the user menu, as a person would."""
    page.locator("#main-nav").get_by_role("button", name=page_user_name(page)).click()
    page.get_by_role("button", name="Sign out").click()


def page_user_name(page) -> str:
    return page.locator("#main-nav .dropdown-menu-end").evaluate(
        "el => el.previousElementSibling.textContent.trim()"
    )


@pytest.fixture
def signed_in(page, live_server):
    """`signed_in(user)` signs the page in with password and TOTP and returns the page."""

    def do(user, password: str | None = None):
        sign_in(page, live_server, user, password)
        return page

    return do


# Pages axe is running on right now (by id): one run at a time per page.
_AXE_BUSY: set[int] = set()
# Playwright's words when the document axe was reading went away under it.
_NAVIGATED_AWAY = ("Execution context was destroyed", "navigat", "Target closed", "closed")


def axe_violations(page, impacts=("serious", "critical"), settle: bool = True) -> list[dict]:
    """Run axe-core (shipped inside axe-playwright-python) on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    if settle:
        # A click may still be navigating: let the page settle before axe reads the document.
        page.wait_for_load_state("load")
    # The automatic check (a `load` handler, another greenlet) may be running axe on this
    # page; axe refuses a second run, so wait for that one to end.
    while id(page) in _AXE_BUSY:
        page.wait_for_function("() => !(window.axe && window.axe._running)")
    _AXE_BUSY.add(id(page))
    try:
        results = Axe().run(page)
    finally:
        _AXE_BUSY.discard(id(page))
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


@pytest.fixture
def assert_accessible():
    def check(page) -> None:
        found = axe_violations(page)
        summary = [
            f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in found
        ]
        assert not found, f"axe-core serious/critical violations on {page.url}: {summary}"

    return check


def open_nav_link(page, name: str) -> None:
    """Click a main-navigation entry as a person would: on a phone, open the collapsed menu
    first; if the entry sits in a dropdown (an app's group or "More"), open that dropdown."""
    nav = page.locator("#main-nav")
    if not nav.is_visible():
        page.get_by_role("button", name="Toggle navigation").click()
        expect(nav).to_be_visible()
    # Hidden links (in a closed dropdown) are out of the accessibility tree: include them.
    link = nav.get_by_role("link", name=name, exact=True, include_hidden=True).first
    if not link.is_visible():
        link.locator("xpath=ancestor::li[contains(@class, 'dropdown')][1]/button").click()
    link.click()


def screens_dir():
    """Where browser tests save screenshots: the README's docs/screens only on request
    (`FSP_SCREENSHOTS=1`), so an ordinary test run leaves the working tree as it was."""
    import tempfile
    from pathlib import Path

    if os.environ.get("FSP_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screens"
    path = Path(tempfile.gettempdir()) / "fsp-screens"
    path.mkdir(exist_ok=True)
    return path
