"""The member newsletter: FAON managers write, preview and send; members and staff read the
archive; anyone with a link unsubscribes (GET asks, POST — the link or a mail client's
RFC 8058 one-click — unsubscribes at once)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familysupport.lib.access import (
    ADMINISTRATOR,
    ADVOCATE,
    PROVIDER,
    SUPERVISOR,
    role_required,
)
from familysupport.lib.forms import apply_service_errors

from .. import newsletter, selectors, services
from ..forms import NewsletterForm
from ..models import Discipline

DISCIPLINES = dict(Discipline.choices)

MANAGERS = (SUPERVISOR, ADMINISTRATOR)
READERS = (ADVOCATE, SUPERVISOR, ADMINISTRATOR, PROVIDER)


@require_GET
@role_required(*READERS)
def newsletter_list(request: HttpRequest) -> HttpResponse:
    issues = list(selectors.newsletter_list_visible_to(user=request.user))
    can_write = request.user.role in MANAGERS
    rows = [{"issue": i, "counts": newsletter.counts(i) if can_write else None} for i in issues]
    return render(request, "faon/newsletter_list.html", {"rows": rows, "can_write": can_write})


def _form_page(request, form, issue=None, status=200):
    return render(
        request, "faon/newsletter_form.html", {"form": form, "issue": issue}, status=status
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def newsletter_new(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                issue = services.newsletter_save(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("faon:newsletter_detail", pk=issue.pk)
        return _form_page(request, form, status=400)
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def newsletter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.newsletter_get_for_user(user=request.user, pk=pk, write=True)
    initial = {
        "subject": issue.subject,
        "body_markdown": issue.body_markdown,
        "segment_disciplines": issue.segment_disciplines,
        "segment_states": issue.segment_states,
    }
    form = NewsletterForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.newsletter_save(by=request.user, issue=issue, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect("faon:newsletter_detail", pk=issue.pk)
        return _form_page(request, form, issue, status=400)
    return _form_page(request, form, issue)


@require_GET
@role_required(*READERS)
def newsletter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.newsletter_get_for_user(user=request.user, pk=pk)
    can_write = request.user.role in MANAGERS
    context = {
        "issue": issue,
        "can_write": can_write,
        "counts": newsletter.counts(issue) if can_write else None,
        "audience": newsletter.recipients(issue).count() if can_write else None,
        "segment": ", ".join(
            [
                *(str(DISCIPLINES.get(d, d)) for d in issue.segment_disciplines),
                *issue.segment_states,
            ]
        ),
    }
    return render(request, "faon/newsletter_detail.html", context)


@require_POST
@role_required(*MANAGERS)
def newsletter_send(request: HttpRequest, pk: int) -> HttpResponse:
    issue = selectors.newsletter_get_for_user(user=request.user, pk=pk, write=True)
    services.newsletter_send(issue=issue, by=request.user)
    messages.success(request, "Sending: copies go out in batches through the outbox.")
    return redirect("faon:newsletter_detail", pk=issue.pk)


@csrf_exempt  # mail clients post the one-click unsubscribe without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    valid = newsletter.unsubscribe_read(token) is not None
    done = False
    if request.method == "POST" and valid:
        done = newsletter.unsubscribe(token) is not None
    status = 200 if valid else 404
    return render(
        request, "faon/newsletter_unsubscribe.html", {"valid": valid, "done": done}, status=status
    )
