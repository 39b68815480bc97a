from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from familysupport.lib.notify import email_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Users are invited by administrators; FAON applicants use the public join page.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (password reset, unknown account, ...) go through the outbox.

        The request only commits a row; the worker sends it. A mail server that is down or
        hangs never shows an error, and a reset for an unknown address costs the same (one
        row) as one for a known address.
        """
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (c for c, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        if message.content_subtype == "html":
            text, html = "", message.body
        else:
            text = message.body
        email_queue_rendered(
            to=email,
            subject=message.subject,
            body_text=text,
            body_html=html,
            key=f"allauth:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
        )
