"""Send a signed test call (ringing, then ended) to a running portal, as the phone system
would: an administrator checks the set-up (URL, proxy, token or secret) without a phone."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from twilio.request_validator import RequestValidator

from cases import phone_services
from cases.phone_models import PhoneIntegration
from familysupport.lib import secretbox


class Command(BaseCommand):
    help = (
        "Send a signed test call (ringing, then ended) to the portal's phone webhooks and print "
        "the HTTP results. Twilio's signature with TWILIO_AUTH_TOKEN, or --integration for HMAC."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--url",
            default=settings.PHONE_WEBHOOK_BASE_URL,
            help="The portal's public base URL (default: PHONE_WEBHOOK_BASE_URL).",
        )
        parser.add_argument(
            "--integration", help="Sign with this HMAC integration (its name or id) instead."
        )
        parser.add_argument("--from-number", default="+15555550123", help="The caller's number.")
        parser.add_argument("--to-number", default="+15555550100", help="The number called.")
        parser.add_argument("--agent", default="", help="Route to this advocate (e-mail).")
        parser.add_argument("--duration", type=int, default=42, help="CallDuration in seconds.")
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **options) -> None:
        base = options["url"].rstrip("/")
        integration = self._integration(options["integration"])
        if integration is None and not settings.TWILIO_AUTH_TOKEN:
            raise CommandError("Set TWILIO_AUTH_TOKEN, or pass --integration for an HMAC one.")
        prefix = phone_services.TEST_CALL_PREFIX
        call_sid = prefix + uuid.uuid4().hex[: 34 - len(prefix)]  # as long as a Twilio CallSid
        common = {
            "CallSid": call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": options["from_number"],
            "To": options["to_number"],
            "Direction": "inbound",
        }
        if options["agent"]:
            common[phone_services.AGENT_PARAM] = options["agent"]
        steps = [
            ("ringing", reverse("phone:hook_call"), {**common, "CallStatus": "ringing"}),
            (
                "ended",
                reverse("phone:hook_call_ended"),
                {**common, "CallStatus": "completed", "CallDuration": str(options["duration"])},
            ),
        ]
        failed = False
        for label, path, params in steps:
            url = base + path
            body = urlencode(params).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            headers.update(self._signature(integration, url=url, params=params, body=body))
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (the administrator's own portal URL)
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=options["timeout"]) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError) as exc:
                raise CommandError(f"{label}: could not reach {url}: {exc}") from exc
            elapsed = (time.monotonic() - started) * 1000
            ok = 200 <= status < 300
            failed = failed or not ok
            self.stdout.write(f"{label:8} POST {url} → HTTP {status} in {elapsed:.0f} ms")
        self.stdout.write(f"CallSid {call_sid}")
        if failed:
            raise CommandError(
                "The portal refused the test call: 403 means the signature did not match "
                "(token or secret, or the URL the portal rebuilds: PHONE_WEBHOOK_BASE_URL)."
            )
        self.stdout.write(self.style.SUCCESS("The portal accepted both events."))

    @staticmethod
    def _integration(ref: str | None) -> PhoneIntegration | None:
        if not ref:
            return None
        found = PhoneIntegration.objects.filter(name=ref).first()
        if found is None:
            try:
                found = PhoneIntegration.objects.filter(public_id=uuid.UUID(ref)).first()
            except ValueError:
                found = None
        if found is None or not found.active:
            raise CommandError(f"No active phone integration {ref!r}.")
        return found

    @staticmethod
    def _signature(
        integration: PhoneIntegration | None, *, url: str, params: dict[str, str], body: bytes
    ) -> dict[str, str]:
        if integration is None:
            token = settings.TWILIO_AUTH_TOKEN
            signature = RequestValidator(token).compute_signature(url, params)
            return {phone_services.TWILIO_SIGNATURE_HEADER: signature}
        stamp = str(int(time.time()))
        secret = secretbox.unseal(integration.secret_encrypted)
        return {
            phone_services.HMAC_INTEGRATION_HEADER: str(integration.public_id),
            phone_services.HMAC_TIMESTAMP_HEADER: stamp,
            phone_services.HMAC_SIGNATURE_HEADER: phone_services.hmac_signature(
                secret=secret,
                timestamp=stamp,
                full_path=_path_and_query(url),
                body=body,
            ),
        }


def _path_and_query(url: str) -> str:
    # What the portal sees as the request's path (the HMAC signs it with its query).
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
