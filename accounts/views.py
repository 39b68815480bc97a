from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from familysupport.lib import audit, jobs
from familysupport.lib.access import ADMINISTRATOR, CASEWORKERS, SUPERVISOR, role_required
from familysupport.lib.portal import home_panels
from familysupport.lib.redirects import safe_next

from . import selectors, services
from .forms import AuditFilterForm, InviteForm, SetPasswordForm, UserRoleForm
from .middleware import LAST_ACTIVITY, SESSION_STARTED
from .models import User


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_offered(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"panels": home_panels(request)})


@role_required(ADMINISTRATOR)
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.user_list_for_admin(admin=request.user)
    role = request.GET.get("role")
    if role in User.Role.values:
        qs = qs.filter(role=role)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(email__icontains=q) | qs.filter(full_name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    locked = selectors.locked_emails(emails=[u.email for u in page])
    for u in page:
        u.is_locked = u.email.lower() in locked
    return render(
        request, "accounts/user_list.html", {"page": page, "roles": User.Role.choices, "q": q}
    )


@role_required(ADMINISTRATOR)
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get_for_admin(admin=request.user, pk=pk)
    audit.record_read(user)
    recent = selectors.audit_entries_visible_to(user=request.user).filter(actor=user)[:20]
    lock = selectors.user_lock_state(user=user)
    return render(
        request, "accounts/user_detail.html", {"subject": user, "recent": recent, "lock": lock}
    )


@require_POST
@role_required(ADMINISTRATOR)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get_for_admin(admin=request.user, pk=pk)
    services.user_unlock(user=subject, by=request.user)
    messages.success(request, "The account is unlocked; the user can sign in again.")
    return redirect(subject)


@role_required(ADMINISTRATOR)
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(**form.cleaned_data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Invitation sent to {user.email}.")
            return redirect(user)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/user_invite.html", {"form": form}, status=status)


@role_required(ADMINISTRATOR)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get_for_admin(admin=request.user, pk=pk)
    form = UserRoleForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_role(user=subject, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(subject)
    status = 400 if form.is_bound else 200
    return render(
        request, "accounts/user_edit.html", {"form": form, "subject": subject}, status=status
    )


@require_POST
@role_required(ADMINISTRATOR)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get_for_admin(admin=request.user, pk=pk)
    try:
        services.user_deactivate(user=subject, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{subject.email} is deactivated and signed out everywhere.")
    return redirect(subject)


@require_POST
@role_required(ADMINISTRATOR)
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get_for_admin(admin=request.user, pk=pk)
    services.user_reactivate(user=subject, by=request.user)
    messages.success(request, f"{subject.email} can sign in again.")
    return redirect(subject)


@require_POST
@role_required(ADMINISTRATOR)
def user_resend_invite(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get_for_admin(admin=request.user, pk=pk)
    try:
        services.user_resend_invite(user=subject, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "A new invitation was sent; earlier links no longer work.")
    return redirect(subject)


def invite_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the e-mailed single-use link to set a first password."""
    user = selectors.user_for_invite(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/invite_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_accept_invite(user=user, password=form.cleaned_data["password1"])
        messages.success(request, "Password set. Sign in, then set up your authenticator app.")
        return redirect("account_login")
    status = 400 if form.is_bound else 200
    return render(
        request, "accounts/invite_accept.html", {"form": form, "invitee": user}, status=status
    )


@role_required(ADMINISTRATOR, SUPERVISOR)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    filters = request.GET.copy()
    before = filters.pop("before", [None])[-1]
    form = AuditFilterForm(filters or None)
    qs = selectors.audit_entries_visible_to(user=request.user).order_by("-id")
    if form.is_bound:
        qs = form.filter(qs)
    # Keyset pages ("older" from the last id seen): no COUNT over millions of entries.
    if before and before.isdigit():
        qs = qs.filter(id__lt=int(before))
    entries = list(qs[: AUDIT_PAGE_SIZE + 1])
    older = entries[AUDIT_PAGE_SIZE - 1].pk if len(entries) > AUDIT_PAGE_SIZE else None
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "entries": entries[:AUDIT_PAGE_SIZE],
            "older_query": _with(filters, before=older) if older else "",
            "newest_query": filters.urlencode() if before else None,
        },
    )


AUDIT_PAGE_SIZE = 100


def _with(query, **extra) -> str:
    query = query.copy()
    for key, value in extra.items():
        query[key] = value
    return query.urlencode()


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.notification_list_for_user(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "accounts/includes/_notification_badge.html", {"unread": count})


@require_POST
@login_required
def notification_mark_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    services.notification_mark_read(user=request.user, pk=pk)
    return redirect("accounts:notifications")


# Supervisors may read the page (they get the expiry and ignored-reminder notices, and want
# to know whether reminders went out); only administrators may start a run.
@role_required(ADMINISTRATOR, SUPERVISOR)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    overview = jobs.overview()
    return render(
        request,
        "accounts/job_list.html",
        {
            "jobs": overview.jobs,
            "runs": overview.recent,
            "outbox": overview.outbox,
            "can_run": request.user.role == ADMINISTRATOR,
        },
    )


# Not in the request's transaction: the JobRun row must be committed before the broker is
# asked, or a fast worker would not find it. The publish fails fast when Redis is down
# (familysupport/celery.py), and the request then waits, pending, for the minute's sweep.
@require_POST
@role_required(ADMINISTRATOR)
@transaction.non_atomic_requests
def job_run_now(request: HttpRequest, name: str) -> HttpResponse:
    try:
        record, outcome = jobs.request_run(name=name, by=request.user)
    except KeyError:
        raise Http404("No such job") from None
    if outcome == "queued":
        messages.success(
            request, f"{name} is queued and runs on a worker in a moment. Reload to see it."
        )
    elif outcome == "pending":
        messages.warning(
            request,
            f"{name} did not start: the job queue (Redis) cannot be reached. The request is "
            "saved and starts within a minute of the queue coming back. Nothing is sent twice.",
        )
    else:
        since = timezone.localtime(record.started_at or record.requested_at)
        messages.info(
            request,
            f"{name} is already {record.get_status_display().lower()} (since {since:%H:%M}); "
            "no second run was requested.",
        )
    return redirect("accounts:job_list")


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Polled by the page (as background) to warn before the idle time-out."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False, "idle_seconds_left": 0}, status=401)
    now = time.time()
    last = request.session.get(LAST_ACTIVITY, now)
    started = request.session.get(SESSION_STARTED, now)
    left = min(
        settings.SESSION_IDLE_TIMEOUT - (now - last),
        settings.SESSION_ABSOLUTE_TIMEOUT - (now - started),
    )
    return JsonResponse({"authenticated": True, "idle_seconds_left": max(0, int(left))})


@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """The "stay signed in" button: a real user action, so it counts as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False}, status=401)
    return JsonResponse({"authenticated": True, "idle_seconds_left": settings.SESSION_IDLE_TIMEOUT})


@require_POST
@role_required(*CASEWORKERS)
def taking_calls(request: HttpRequest) -> HttpResponse:
    """The user menu's switch: screen pops of incoming calls on (any page) or off."""
    choice = request.POST.get("taking_calls", "")
    if choice not in ("on", "off"):
        return HttpResponse("Choose on or off.", status=400, content_type="text/plain")
    services.user_taking_calls_set(user=request.user, on=choice == "on", reason="menu")
    if choice == "on":
        messages.success(
            request, "You are taking calls: an incoming call pops up on whatever page you are on."
        )
    else:
        messages.info(request, "You are no longer taking calls.")
    return redirect(safe_next(request, "home"))
