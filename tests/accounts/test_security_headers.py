from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


def _assert_headers(response):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    if response["Content-Type"].startswith("text/html"):
        assert "'nonce-" in csp
    assert "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/health/", "/no-such-page/", "/accounts/password/reset/"]
)
def test_public_responses_carry_security_headers(url):
    _assert_headers(Client().get(url))


@pytest.mark.django_db
def test_signed_in_pages_carry_security_headers(login, administrator):
    client = login(administrator)
    for name in ("home", "accounts:user_list", "accounts:audit_list", "accounts:notifications"):
        _assert_headers(client.get(reverse(name)))


@pytest.mark.django_db
def test_error_pages_reveal_nothing(login, provider_user):
    response = login(provider_user).get(reverse("accounts:user_detail", args=[999999]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "999999" not in body and "Traceback" not in body


def test_production_settings_harden_cookies_and_hsts(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.org")
    prod = importlib.import_module("familysupport.settings.production")
    importlib.reload(prod)
    assert prod.SECURE_HSTS_SECONDS >= 31_536_000 and prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert prod.SESSION_COOKIE_NAME.startswith("__Host-") and prod.SESSION_COOKIE_SECURE
    assert prod.CSRF_COOKIE_NAME.startswith("__Host-") and prod.CSRF_COOKIE_SECURE
    assert prod.DEMO_MODE is False


def test_production_settings_refuse_to_start_without_a_secret(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.org")
    import familysupport.settings.base as base

    with pytest.raises(ImproperlyConfigured):
        importlib.reload(base)
    monkeypatch.setenv("SECRET_KEY", "test-only-insecure-key")
    importlib.reload(base)
