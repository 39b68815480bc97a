"""The screen pop's pages: the poll every page of an advocate taking calls makes, "Start
call", and the call page's check for the phone system's "ended" (cases/phone_pop.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import services as account_services
from familysupport.lib.access import CASEWORKERS, role_required
from familysupport.lib.redirects import safe_next

from . import phone_pop
from .phone_models import PhoneCall

MAX_SKIPPED = 10  # dismissed pops the page sends back (the newest few)


@require_GET
@role_required(*CASEWORKERS)
@transaction.non_atomic_requests  # a poll: one read, at most one heartbeat UPDATE a minute
def phone_pop_poll(request: HttpRequest) -> HttpResponse:
    """The pop poll (sent as background: it never extends the idle time-out).

    200 with the pop to show, or with an empty body when there is none (the page clears
    what it showed); 204 when the page shows that pop already (`shown`): nothing redrawn,
    so the focus stays where it is. `X-Taking-Calls: off` (204) tells the page to stop
    polling (switched off in another tab).
    """
    user = request.user
    if not user.taking_calls:
        response = HttpResponse(status=204)
        response["X-Taking-Calls"] = "off"
        return response
    account_services.user_presence_heartbeat(user=user)
    skip = [s[:64] for s in request.GET.get("skip", "")[:1000].split(",") if s][:MAX_SKIPPED]
    call = phone_pop.phone_call_next_for(user=user, skip=skip)
    if call is None:
        return HttpResponse("", status=200)
    if phone_pop.pop_token(call) == request.GET.get("shown", "")[:100]:
        return HttpResponse(status=204)
    pop = phone_pop.pop_for(user=user, call=call)
    return render(request, "cases/includes/_phone_pop.html", {"pop": pop, "next": _next(request)})


def _next(request: HttpRequest) -> str:
    return safe_next(request, "home")


@require_POST
@role_required(*CASEWORKERS)
def phone_call_start_view(request: HttpRequest, call_sid: str) -> HttpResponse:
    """ "Start call": New call opens with the caller's number, family and times filled in."""
    try:
        _call, key = phone_pop.phone_call_start(user=request.user, call_sid=call_sid)
    except PhoneCall.DoesNotExist:
        raise Http404("No such call") from None
    except phone_pop.CallTaken as taken:
        who = taken.call.started_by
        since = timezone.localtime(taken.call.started_at)
        messages.warning(
            request, f"{who} already took this call (at {since:%H:%M}); it is not started twice."
        )
        return redirect(_next(request))
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
        return redirect(_next(request))
    return redirect(reverse("cases:call", args=[key]))


@require_GET
@role_required(*CASEWORKERS)
@transaction.non_atomic_requests
def phone_call_status(request: HttpRequest, call_sid: str) -> JsonResponse:
    """The call page asks (as background) whether the phone system reported the end yet."""
    try:
        call = phone_pop.phone_call_started_by_user(user=request.user, call_sid=call_sid)
    except PhoneCall.DoesNotExist:
        raise Http404("No such call") from None
    return JsonResponse(
        {
            "status": call.status,
            "duration_seconds": call.duration_seconds,
            "duration_minutes": phone_pop.minutes_of(call.duration_seconds),
        }
    )
