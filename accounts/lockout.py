from __future__ import annotations


def username_from_request(request, credentials: dict | None) -> str | None:
    """Axes locks by the e-mail typed, lower-cased, whichever form or backend sent it."""
    credentials = credentials or {}
    value = (
        credentials.get("email")
        or credentials.get("username")
        or credentials.get("login")
        or request.POST.get("login")
        or ""
    )
    return value.strip().lower() or None
