"""Journey: a clinician applies to FAON, a supervisor verifies and approves, the new provider
sets a password, signs in with TOTP, updates capacity and confirms its details. axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_out, totp_now

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PASSWORD = "maple river lantern quietly 77"


def _link(to: str, pattern: str) -> str:
    from familysupport.lib.models import OutboundEmail

    body = OutboundEmail.objects.filter(to=to).order_by("-pk").values_list("body_text", flat=True)
    for text in body:
        found = re.search(pattern, text)
        if found:
            return found.group(0)
    raise AssertionError(f"no e-mail to {to} matching {pattern}")


def test_clinician_applies_is_approved_and_keeps_record_current(
    page, live_server, browser_user, signed_in, assert_accessible
):
    from faon.models import Provider

    supervisor = browser_user("supervisor")
    base = live_server.url

    # 1. Apply (no account).
    page.goto(f"{base}/faon/join/")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Morgan Example")
    page.get_by_label("Your e-mail address").fill("morgan@example.test")
    page.get_by_label("Professional references").fill("Dr. Lee Example, clinical supervisor")
    page.get_by_label(re.compile("I have read the requirements")).check()
    page.locator("#id_profile-kind").select_option("individual")
    page.get_by_label("Name (person or organisation)").fill("Morgan Example")
    page.locator("#id_profile-credentials").fill("LCSW")
    page.locator("#id_profile-email").fill("morgan@example.test")
    page.get_by_label("Social worker", exact=True).check()
    page.get_by_label("Trauma", exact=True).check()
    page.get_by_label("English", exact=True).check()
    page.get_by_label("In person", exact=True).check()
    page.get_by_label("Pro bono", exact=True).check()
    page.locator("#id_profile-city").fill("Alexandria")
    page.locator("#id_profile-state").select_option("VA")
    page.locator("#id_profile-zip_code").fill("22314")
    page.locator("#id_profile-capacity").fill("2")
    page.locator("#id_lic-0-license_type").fill("LCSW")
    page.locator("#id_lic-0-state").select_option("VA")
    page.locator("#id_lic-0-number").fill("0904012345")
    page.locator("#id_lic-0-expires_on").fill("2099-06-30")
    page.locator("#id_ins-carrier").fill("Example Mutual")
    page.locator("#id_ins-policy_number").fill("PL-778")
    page.locator("#id_ins-covers_to").fill("2099-01-01")
    page.locator("#id_ins-document").set_input_files(
        {"name": "coi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name="Thank you for applying")).to_be_visible()

    page.goto(
        _link("morgan@example.test", r"http[^\s]+/faon/join/confirm/[^\s/]+/")
        .replace("http://127.0.0.1:8000", base)
        .replace("http://localhost:8000", base)
    )
    # Opening the link confirms nothing (mail scanners open links); the button does.
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("heading", name="Your e-mail address is confirmed")).to_be_visible()
    provider = Provider.objects.get(email="morgan@example.test")

    # 2. The supervisor verifies the credentials and approves.
    signed_in(supervisor)
    page.goto(f"{base}/faon/applications/")
    page.get_by_role("link", name="Morgan Example").click()
    assert_accessible(page)
    page.get_by_text("Record verification of LCSW VA").click()
    page.locator(f"#lic{provider.licenses.get().pk}-source").select_option("state_board")
    page.locator(f"#lic{provider.licenses.get().pk}-note").fill("Checked on the board site.")
    page.get_by_role("button", name="Record verification").first.click()
    expect(page.get_by_text("License verification recorded.")).to_be_visible()
    page.get_by_text("Record verification of the Example Mutual policy").click()
    page.get_by_role("button", name="Record verification").last.click()
    expect(page.get_by_text("Insurance verification recorded.")).to_be_visible()
    page.get_by_label("Action").select_option("approve")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    assert_accessible(page)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.ACTIVE
    confirmed_before = provider.details_confirmed_at
    sign_out(page)
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))

    # 3. The provider sets a password from the invitation and signs in with TOTP.
    link = _link("morgan@example.test", r"http[^\s]+/people/[^\s]+")
    page.goto(re.sub(r"^https?://[^/]+", base, link))
    assert page.get_by_role("heading", name=re.compile("^Welcome")).is_visible(), page.content()[
        :3000
    ]
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_label("Email").fill("morgan@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if "/reauthenticate/" in page.url:  # allauth asks for the password before enrolling
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.goto(f"{base}/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").last.input_value()
    page.get_by_label(re.compile("Authenticator code")).fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)

    # 4. Update capacity and confirm the details are current.
    page.goto(f"{base}/faon/me/")
    expect(page.get_by_role("heading", name=re.compile("Morgan Example"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Edit profile").click()
    assert_accessible(page)
    page.get_by_label("Capacity").fill("5")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.get_by_role("button", name="My details are still current").click()
    expect(page.get_by_text("your details are confirmed as current")).to_be_visible()
    assert_accessible(page)
    provider.refresh_from_db()
    assert provider.capacity == 5
    assert provider.details_confirmed_at > confirmed_before
