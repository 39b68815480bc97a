"""Friendly error pages that reveal nothing: no traceback, SQL or record ids."""

from __future__ import annotations

from django.shortcuts import render


def forbidden(request, exception=None):
    # A refusal that has its own page (a restricted case's stub and break-glass link).
    render_page = getattr(exception, "render", None)
    if callable(render_page):
        return render_page(request)
    reason = getattr(exception, "reason", "")
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # No context processors that could query a broken database.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
