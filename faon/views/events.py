"""Trainings and events: staff create them, providers register and record completions."""

from __future__ import annotations

import copy
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familysupport.lib import dates
from familysupport.lib.access import ADMINISTRATOR, PROVIDER, STAFF, SUPERVISOR, role_required
from familysupport.lib.forms import apply_service_errors
from familysupport.lib.redirects import safe_next

from .. import calendar, selectors, services
from ..forms import CompletionForm, EventForm
from ..models import TrainingEvent

READERS = (*STAFF, PROVIDER)
MANAGERS = (SUPERVISOR, ADMINISTRATOR)


@require_GET
@role_required(*READERS)
def event_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.event_list_visible_to(user=request.user)
    show = request.GET.get("show", "upcoming")
    now = timezone.now()
    if show == "past":
        qs = qs.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        # Online trainings stay open after they start; events are upcoming until they end.
        qs = qs.filter(
            Q(kind=TrainingEvent.Kind.ONLINE) | Q(starts_at__gte=now) | Q(ends_at__gte=now)
        ).order_by("starts_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    provider = selectors.provider_for_manager(request.user)
    registered: dict[int, bool] = {}
    if provider is not None:
        registered = selectors.attendance_event_ids_for_provider(
            provider=provider, event_ids=[e.pk for e in page.object_list]
        )
    return render(
        request,
        "faon/trainingevent_list.html",
        {
            "page": page,
            "show": show,
            "registered": registered,
            "attended": {event_id for event_id, done in registered.items() if done},
            "provider": provider,
            "can_manage": selectors.can_manage_faon(request.user),
        },
    )


def _event_context(request: HttpRequest, event: TrainingEvent) -> dict:
    attendances = list(
        selectors.attendance_list_visible_to(user=request.user)
        .filter(event=event)
        .select_related("provider", "confirmed_by")
        .order_by("provider__name")[:500]
    )
    provider = selectors.provider_for_manager(request.user)
    # A user managing several records sees their attendances; "own" is the portal record's.
    own = next((a for a in attendances if provider and a.provider_id == provider.pk), None)
    return {
        "event": event,
        "attendances": attendances,
        "provider": provider,
        "own": own,
        "count": event.attendances.count(),
        "can_manage": selectors.can_manage_faon(request.user),
        "completion_form": CompletionForm(initial={"completed_on": dates.today()}),
        "register_errors": [],
    }


@require_GET
@role_required(*READERS)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    return render(request, "faon/trainingevent_detail.html", _event_context(request, event))


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def event_create(request: HttpRequest) -> HttpResponse:
    return _event_form(request, TrainingEvent())


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _event_form(request, selectors.event_get_for_user(user=request.user, pk=pk, write=True))


def _event_form(request: HttpRequest, event: TrainingEvent) -> HttpResponse:
    # The form validates a copy: a failed POST must not retitle the page's own heading.
    form = EventForm(request.POST or None, instance=copy.copy(event))
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(event=form.instance, by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(event)
    status = 400 if form.is_bound else 200
    return render(
        request, "faon/trainingevent_form.html", {"form": form, "event": event}, status=status
    )


@require_GET
@role_required(*READERS)
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(calendar.ics([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="faon-event-{event.pk}.ics"'
    return response


@require_GET
@role_required(*READERS)
def provider_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk)
    events = [
        a.event
        for a in selectors.attendance_list_visible_to(user=request.user)
        .filter(provider=provider)
        .select_related("event")
    ]
    response = HttpResponse(calendar.ics(events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="faon-my-events.ics"'
    return response


@require_POST
@role_required(PROVIDER)
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get_for_user(user=request.user, pk=pk)
    provider = selectors.provider_for_manager(request.user)
    if provider is None:
        raise Http404
    try:
        services.attendance_register(provider=provider, event=event, by=request.user)
    except ValidationError as exc:
        context = _event_context(request, event)
        context["register_errors"] = exc.messages
        return render(request, "faon/trainingevent_detail.html", context, status=400)
    messages.success(request, "You are registered.")
    return redirect(event)


@require_POST
@role_required(SUPERVISOR, ADMINISTRATOR, PROVIDER)
def attendance_complete(request: HttpRequest, pk: int) -> HttpResponse:
    attendance = selectors.attendance_get_for_user(user=request.user, pk=pk, write=True)
    form = CompletionForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["completed_on"]
        # Noon in the division's time zone: the date the provider gave, whatever its zone.
        when = datetime.combine(day, time(12), tzinfo=dates.division_tz())
        if day > dates.today():
            form.add_error("completed_on", "The date cannot be in the future.")
        else:
            try:
                services.attendance_record_completion(
                    attendance=attendance, by=request.user, completed_at=when
                )
            except ValidationError as exc:
                form.add_error("completed_on", exc.messages)
            else:
                messages.success(request, "Completion recorded; staff will confirm it.")
                return redirect(attendance.event)
    return render(
        request,
        "faon/attendance_complete.html",
        {"form": form, "attendance": attendance},
        status=400,
    )


@require_GET
@role_required(*MANAGERS)
def attendance_queue(request: HttpRequest) -> HttpResponse:
    """Completions providers recorded, waiting for staff to confirm them."""
    qs = selectors.attendance_list_awaiting_confirmation(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "faon/attendance_queue.html", {"page": page})


@require_POST
@role_required(*MANAGERS)
def attendance_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm from the event page, the provider's page or the queue (`next` says which)."""
    attendance = selectors.attendance_get_for_user(user=request.user, pk=pk, write=True)
    back = safe_next(request, attendance.event)
    try:
        services.attendance_confirm(attendance=attendance, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, f"Attendance of {attendance.provider.name} confirmed.")
    return redirect(back)
