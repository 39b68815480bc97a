"""The phone system's side of issue 20: the signed webhooks, the missed-calls list and the
administrators' integration pages.

The webhooks have no session and no CSRF token: the phone system proves itself by its
signature (phone_services.verify_request). Their answers say nothing about families.
"""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from familysupport.lib import audit
from familysupport.lib.access import ADMINISTRATOR, STAFF, role_required
from familysupport.lib.badinput import without_nul
from familysupport.lib.forms import apply_service_errors
from familysupport.lib.phones import display

from . import phone_services, selectors
from .phone_forms import PhoneIntegrationForm
from .phone_models import PhoneCall, PhoneIntegration

MISSED_LIST_DAYS = 14

# --- the webhooks ---------------------------------------------------------------------


def _hook(request: HttpRequest, *, default_event: str) -> HttpResponse:
    body = request.body  # read before request.POST: the HMAC covers the raw bytes
    verdict = phone_services.verify_request(
        headers=request.headers,
        method=request.method or "POST",
        full_path=request.get_full_path(),
        form=request.POST,
        body=body,
    )
    client = audit.client_ip(request)
    if not verdict.ok:
        phone_services.webhook_refused(
            reason=verdict.reason, integration=verdict.integration, client=client
        )
        return HttpResponse(status=403)
    # PostgreSQL stores no NUL byte: dropped from every parameter (signed, so not an attack
    # on the signature; a CallSid with one is then refused below as malformed).
    params = {key: without_nul(request.POST.get(key, "")) for key in request.POST}
    # The agent may be named in the URL the phone system was given (`?Agent=...`).
    params.setdefault(phone_services.AGENT_PARAM, request.GET.get(phone_services.AGENT_PARAM, ""))
    event = phone_services.event_for(params.get("CallStatus", ""), default_event)
    if not phone_services.valid_call_sid(request.POST.get("CallSid", "")):
        # Checked at arrival: the pop's URLs carry it (`<str:call_sid>`, no "/").
        return HttpResponse(status=400)
    if phone_services.event_from_another_source(
        call_sid=params["CallSid"], integration=verdict.integration
    ):
        phone_services.webhook_refused(
            reason="other_source", integration=verdict.integration, client=client
        )
        return HttpResponse(status=403)
    if event is not None:
        phone_services.call_event_apply(params=params, event=event, integration=verdict.integration)
    if verdict.integration is None and default_event == "ringing":
        # Twilio: only the number's voice URL (a ringing call) is handed on to the call flow;
        # the answers to status callbacks are ignored by Twilio.
        return _twiml(hand_on=event == "ringing")
    return HttpResponse(status=204)


def _twiml(*, hand_on: bool) -> HttpResponse:
    # Twilio acts on the answer to a number's voice URL: hand the call on to the real call
    # flow when one is configured; an empty <Response/> would end the call.
    next_url = settings.PHONE_TWIML_NEXT_URL
    inner = f'<Redirect method="POST">{escape(next_url)}</Redirect>' if next_url and hand_on else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>',
        content_type="text/xml",
    )


@csrf_exempt  # the phone system has no session; its signature is the authentication
@require_POST
def hook_call(request: HttpRequest) -> HttpResponse:
    return _hook(request, default_event="ringing")


@csrf_exempt  # the phone system has no session; its signature is the authentication
@require_POST
def hook_call_ended(request: HttpRequest) -> HttpResponse:
    return _hook(request, default_event="ended")


# --- missed calls (staff) -------------------------------------------------------------


def _missed_row(call: PhoneCall, families: list) -> dict:
    """What the list says was done. The task came from a match that ignores restrictions:
    naming it next to no family the user may see would reveal a restricted family has this
    number, so a number with no visible family reads the same whether a task exists or not."""
    if not call.from_number:
        follow_up = "Supervisors told"
    elif not families:
        follow_up = "Followed up"
    elif call.missed_task_id:
        follow_up = "Task for the family's advocate"
    else:
        follow_up = "Supervisors told"
    return {
        "call": call,
        "number": display(call.from_number),
        "families": families,
        "follow_up": follow_up,
    }


@require_GET
@role_required(*STAFF)
def missed_list(request: HttpRequest) -> HttpResponse:
    """Calls nobody started, with the families whose number matches: who to call back."""
    since = timezone.now() - timedelta(days=MISSED_LIST_DAYS)
    calls = PhoneCall.objects.filter(status=PhoneCall.Status.MISSED, ringing_at__gte=since)
    page = Paginator(calls.select_related("missed_task"), 50).get_page(request.GET.get("page"))
    numbers = {c.from_number for c in page if c.from_number}
    families: dict[str, list] = {}
    if numbers:
        visible = selectors.family_list_visible_to(user=request.user).filter(
            Q(phone__in=numbers) | Q(phone_alt__in=numbers), merged_into__isnull=True
        )
        for family in visible.only("pk", "display_name", "phone", "phone_alt"):
            for number in {family.phone, family.phone_alt} & numbers:
                families.setdefault(number, []).append(family)
    rows = [_missed_row(c, families.get(c.from_number, [])) for c in page]
    audit.record_list(
        PhoneCall,
        filters=request.GET,
        rows=page.paginator.count,
        shown=len(rows),
        actor=request.user,
    )
    return render(
        request,
        "cases/phone/missed_list.html",
        {"page": page, "rows": rows, "days": MISSED_LIST_DAYS},
    )


# --- integrations (administrators) ----------------------------------------------------


def _integration(pk: int) -> PhoneIntegration:
    # Administrators only reach here (role_required): they may see every integration.
    integration = PhoneIntegration.objects.filter(pk=pk).first()
    if integration is None:
        raise Http404
    return integration


def _secret_page(request: HttpRequest, integration: PhoneIntegration, secret: str) -> HttpResponse:
    return render(
        request,
        "cases/phone/integration_secret.html",
        {
            "integration": integration,
            "secret": secret,
            "hook_call_url": settings.PHONE_WEBHOOK_BASE_URL + reverse("phone:hook_call"),
            "hook_ended_url": settings.PHONE_WEBHOOK_BASE_URL + reverse("phone:hook_call_ended"),
        },
    )


@role_required(ADMINISTRATOR)
def integration_list(request: HttpRequest) -> HttpResponse:
    form = PhoneIntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                integration, secret = phone_services.phone_integration_create(
                    name=form.cleaned_data["name"], by=request.user
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # Shown in this answer only: it is kept encrypted and never displayed again.
            return _secret_page(request, integration, secret)
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "integrations": list(PhoneIntegration.objects.select_related("created_by")),
        "twilio_configured": bool(settings.TWILIO_AUTH_TOKEN),
        "hook_call_url": settings.PHONE_WEBHOOK_BASE_URL + reverse("phone:hook_call"),
        "hook_ended_url": settings.PHONE_WEBHOOK_BASE_URL + reverse("phone:hook_call_ended"),
    }
    return render(request, "cases/phone/integration_list.html", context, status=status)


@require_POST
@role_required(ADMINISTRATOR)
def integration_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    integration = _integration(pk)
    try:
        secret = phone_services.phone_integration_rotate(integration=integration, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("phone:integration_list")
    integration.refresh_from_db()
    return _secret_page(request, integration, secret)


@require_POST
@role_required(ADMINISTRATOR)
def integration_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    integration = phone_services.phone_integration_deactivate(
        integration=_integration(pk), by=request.user
    )
    messages.success(request, f"“{integration.name}” is deactivated: its requests are refused.")
    return redirect("phone:integration_list")
