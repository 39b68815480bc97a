from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_USERS, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current TOTP code of each demo user (local demo only)."

    def handle(self, *args, **options):
        from allauth.mfa.totp.internal.auth import (
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )

        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError("demo_totp runs only with local settings (DEMO_MODE).")
        counter = list(yield_hotp_counters_from_time())[
            len(list(yield_hotp_counters_from_time())) // 2
        ]
        for email, _name, _role in DEMO_USERS:
            code = format_hotp_value(hotp_value(demo_totp_secret(email), counter))
            self.stdout.write(f"{email:<28} {code}")
