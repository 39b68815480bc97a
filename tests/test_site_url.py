"""Links in e-mails follow the port the portal runs on (SITE_URL default)."""

from __future__ import annotations

import subprocess
import sys

from familysupport.devserver import ROOT, default_site_url


def test_make_run_sets_site_url_from_its_port(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert default_site_url("8011", tmp_path / "none.env") == "http://127.0.0.1:8011"


def test_an_explicit_site_url_wins(tmp_path, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text("SITE_URL=https://portal.example.org\n")
    assert default_site_url("8011", dotenv) is None
    monkeypatch.setenv("SITE_URL", "https://portal.example.org")
    assert default_site_url("8011", tmp_path / "none.env") is None


def test_settings_default_follows_port():
    code = "from django.conf import settings; print(settings.SITE_URL)"
    env = {
        "PORT": "8123",
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "familysupport.settings.base",
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    }
    out = subprocess.run(  # noqa: S603 - a fixed interpreter and code
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.stdout.strip() == "http://127.0.0.1:8123", out.stderr[-500:]
