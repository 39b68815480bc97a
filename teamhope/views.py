from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from familysupport.lib import audit
from familysupport.lib.access import (
    ADMINISTRATOR,
    ADVOCATE,
    STAFF,
    SUPERVISOR,
    VOLUNTEER,
    role_required,
)

from . import selectors, services
from .forms import (
    CallForm,
    EscalateForm,
    EscalationResolveForm,
    MatchCreateForm,
    MatchEndForm,
    VolunteerAddForm,
    VolunteerForm,
)
from .models import Volunteer

ROSTER_MANAGERS = (SUPERVISOR, ADMINISTRATOR)
CASEWORKERS = (ADVOCATE, SUPERVISOR)
MATCHMAKERS = (*CASEWORKERS, ADMINISTRATOR)


def _error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must be validated (400), not shown as new.
    return request.POST if request.method == "POST" else None


# --- roster ----------------------------------------------------------------------------


@require_GET
@role_required(*STAFF)
def volunteer_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.volunteer_list_visible_to(user=request.user)
    status = request.GET.get("status", "")
    if status in Volunteer.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(v, selectors.match_blockers(v, active=v.active_count, today=today)) for v in page]
    return render(
        request,
        "teamhope/volunteer_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": Volunteer.Status.choices,
            "can_manage": selectors.can_manage_roster(request.user),
        },
    )


@role_required(*ROSTER_MANAGERS)
def volunteer_add(request: HttpRequest) -> HttpResponse:
    form = VolunteerAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_add(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                by=request.user,
                **form.profile(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Invitation sent to {volunteer.user.email}.")
            return redirect(volunteer)
    status = 400 if form.is_bound else 200
    return render(
        request, "teamhope/volunteer_form.html", {"form": form, "adding": True}, status=status
    )


@require_GET
@role_required(*STAFF)
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get_for_user(user=request.user, pk=pk)
    audit.record_read(volunteer)
    matches = selectors.match_list_visible_to(user=request.user).filter(volunteer=volunteer)[:50]
    return render(
        request,
        "teamhope/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "blockers": selectors.match_blockers(volunteer, active=volunteer.active_count),
            "matches": matches,
            "can_manage": selectors.can_manage_roster(request.user),
            "statuses": Volunteer.Status.choices,
        },
    )


@role_required(*ROSTER_MANAGERS)
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get_for_user(user=request.user, pk=pk, write=True)
    form = VolunteerForm(_posted(request), instance=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(volunteer=volunteer, by=request.user, **form.profile())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Volunteer saved.")
            return redirect(volunteer)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "teamhope/volunteer_form.html",
        {"form": form, "volunteer": volunteer, "adding": False},
        status=status,
    )


@require_POST
@role_required(*ROSTER_MANAGERS)
def volunteer_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.volunteer_set_status(
            volunteer=volunteer, status=request.POST.get("status", ""), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
    else:
        messages.success(request, f"Status is now {volunteer.get_status_display().lower()}.")
    return redirect(volunteer)


# --- matching --------------------------------------------------------------------------


def _suggest_page(request: HttpRequest, case, form: MatchCreateForm | None, status: int = 200):
    ready, blocked = selectors.match_suggestions(user=request.user, case=case)
    if form is None:
        form = MatchCreateForm(
            volunteers=selectors.volunteer_list_visible_to(user=request.user).filter(
                pk__in=[s.volunteer.pk for s in ready]
            ),
            initial={"volunteer": ready[0].volunteer.pk} if ready else None,
        )
    return render(
        request,
        "teamhope/match_suggest.html",
        {
            "case": case,
            "family": case.family,
            "consents": case.family.consent_team_hope_contact,
            "current": selectors.active_match_for_family(family_id=case.family_id),
            "ready": ready,
            "blocked": blocked,
            "form": form,
        },
        status=status,
    )


@require_GET
@role_required(*MATCHMAKERS)
def match_suggest(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, pk=case_pk)
    return _suggest_page(request, case, None)


@require_POST
@role_required(*MATCHMAKERS)
def match_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    # Read access to the case is enough: the match is Team HOPE's record (administrators
    # match but do not change case work); the service checks who may match.
    case = case_selectors.case_get_for_user(user=request.user, pk=case_pk)
    form = MatchCreateForm(
        request.POST,
        volunteers=selectors.volunteer_list_visible_to(user=request.user).exclude(
            status=Volunteer.Status.RETIRED
        ),
    )
    if form.is_valid():
        try:
            match = services.match_create(
                case=case,
                volunteer=form.cleaned_data["volunteer"],
                why_matched=form.cleaned_data["why_matched"],
                by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Match created; the volunteer has been told.")
            return redirect(match)
    return _suggest_page(request, case, form, status=400)


@require_GET
@role_required(*STAFF)
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get_for_user(user=request.user, pk=pk)
    audit.record_read(match)
    calls = selectors.calls_for_match(user=request.user, match=match)
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    escalations = selectors.escalation_list_visible_to(user=request.user).filter(match=match)
    return render(
        request,
        "teamhope/match_detail.html",
        {
            "match": match,
            "page": page,
            "escalations": escalations,
            "show_notes": selectors.can_read_call_notes(request.user),
            "can_match": selectors.can_match(request.user),
        },
    )


@role_required(*MATCHMAKERS)
def match_end(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get_for_user(user=request.user, pk=pk, write=True)
    form = MatchEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.match_end(
                match=match,
                reason=form.cleaned_data["end_reason"],
                note=form.cleaned_data["end_note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The match has ended.")
            return redirect(match)
    status = 400 if form.is_bound else 200
    return render(request, "teamhope/match_end.html", {"form": form, "match": match}, status=status)


# --- staff overviews -------------------------------------------------------------------


@require_GET
@role_required(*STAFF)
def waiting_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.cases_waiting_for_match(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "teamhope/waiting_list.html",
        {"page": page, "can_match": selectors.can_match(request.user)},
    )


@require_GET
@role_required(*STAFF)
def capacity_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teamhope/capacity_list.html",
        {"volunteers": selectors.volunteers_near_capacity(user=request.user)},
    )


@require_GET
@role_required(*STAFF)
def calls_by_month(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    months, rows = selectors.calls_per_volunteer_month(user=request.user, year=year)
    totals = [sum(r.counts[i] for r in rows) for i in range(12)]
    return render(
        request,
        "teamhope/calls_by_month.html",
        {
            "year": year,
            "years": range(this_year, this_year - 6, -1),
            "months": months,
            "rows": rows,
            "totals": totals,
            "grand_total": sum(totals),
        },
    )


@require_GET
@role_required(*STAFF)
def escalation_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    qs = selectors.escalation_list_visible_to(user=request.user)
    if not show_all:
        qs = qs.filter(resolved_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "teamhope/escalation_list.html",
        {
            "page": page,
            "show_all": show_all,
            "can_handle": selectors.can_handle_escalations(request.user),
        },
    )


@require_GET
@role_required(*STAFF)
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=pk)
    audit.record_read(escalation)
    return render(
        request,
        "teamhope/escalation_detail.html",
        {
            "escalation": escalation,
            "can_handle": selectors.can_handle_escalations(request.user),
            "resolve_form": EscalationResolveForm(),
            "show_notes": selectors.can_read_call_notes(request.user),
        },
    )


@require_POST
@role_required(*CASEWORKERS)
def escalation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=pk, write=True)
    services.escalation_acknowledge(escalation=escalation, by=request.user)
    messages.success(request, "Acknowledged: the escalation shows you are on it.")
    return redirect(escalation)


@require_POST
@role_required(*CASEWORKERS)
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_user(user=request.user, pk=pk, write=True)
    form = EscalationResolveForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_resolve(
                escalation=escalation, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_error_messages(exc)))
        else:
            messages.success(request, "Escalation resolved.")
        return redirect(escalation)
    return render(
        request,
        "teamhope/escalation_detail.html",
        {
            "escalation": escalation,
            "can_handle": True,
            "resolve_form": form,
            "show_notes": selectors.can_read_call_notes(request.user),
        },
        status=400,
    )


# --- the volunteer's portal ------------------------------------------------------------


@require_GET
@role_required(VOLUNTEER)
def my_families(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "teamhope/my_families.html",
        {
            "cards": selectors.family_cards_for_volunteer(user=request.user),
            "profile": selectors.volunteer_for_user(user=request.user),
        },
    )


@require_GET
@role_required(VOLUNTEER)
def my_family(request: HttpRequest, pk: int) -> HttpResponse:
    card = selectors.family_card_for_volunteer(user=request.user, pk=pk)
    match = selectors.match_get_for_volunteer(user=request.user, pk=pk)
    audit.record_read(match)
    calls = selectors.calls_for_match(user=request.user, match=match)[:10]
    return render(request, "teamhope/my_family.html", {"card": card, "calls": calls})


@role_required(VOLUNTEER)
def call_log(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get_for_volunteer(user=request.user, pk=pk)
    card = selectors.family_card_for_volunteer(user=request.user, pk=pk)
    form = CallForm(_posted(request), tz=match.volunteer.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_log(match=match, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            for field, errors in getattr(exc, "error_dict", {None: exc.error_list}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if call.escalated:
                escalation = call.escalations.order_by("-pk").first() or (
                    match.escalations.filter(resolved_at__isnull=True).first()
                )
                return redirect("teamhope:escalation_sent", pk=escalation.pk)
            messages.success(request, f"Call with {card.first_name} saved.")
            return redirect("teamhope:my_families")
    status = 400 if form.is_bound else 200
    return render(request, "teamhope/call_form.html", {"form": form, "card": card}, status=status)


@require_GET
@role_required(VOLUNTEER)
def my_calls(request: HttpRequest) -> HttpResponse:
    calls = selectors.call_list_visible_to(user=request.user)
    page = Paginator(calls, 25).get_page(request.GET.get("page"))
    return render(request, "teamhope/my_calls.html", {"page": page})


@role_required(VOLUNTEER)
def escalate(request: HttpRequest, pk: int) -> HttpResponse:
    match = selectors.match_get_for_volunteer(user=request.user, pk=pk)
    card = selectors.family_card_for_volunteer(user=request.user, pk=pk)
    form = EscalateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        escalation, _created = services.escalation_raise(
            match=match, by=request.user, reason=form.cleaned_data["reason"]
        )
        return redirect("teamhope:escalation_sent", pk=escalation.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "teamhope/escalate_form.html", {"form": form, "card": card}, status=status
    )


@require_GET
@role_required(VOLUNTEER)
def escalation_sent(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = selectors.escalation_get_for_volunteer(user=request.user, pk=pk)
    return render(request, "teamhope/escalation_sent.html", {"escalation": escalation})
