from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_totp_secret
from familysupport.lib.portal import PORTAL_APPS


class Command(BaseCommand):
    help = "Create demo data (idempotent): one user per role, then each app's demo records."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "full"], default="small")

    def handle(self, *args, scale: str, **options):
        if not getattr(settings, "DEMO_MODE", False) and not settings.DEBUG:
            raise CommandError("seed_demo runs only with local settings (DEMO_MODE).")
        users: dict = {}
        for app in PORTAL_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(scale=scale, stdout=self.stdout, users=users)
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD!r})")
        self.stdout.write("Add each TOTP secret to an authenticator app, or run")
        self.stdout.write("`python manage.py demo_totp` to print the current codes.")
        for email, _name, role in DEMO_USERS:
            self.stdout.write(f"  {role:<14} {email:<28} TOTP secret {demo_totp_secret(email)}")
