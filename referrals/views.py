"""Pages of the referrals app: staff (match, refer, follow up), provider portal, legal TA."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases import contact_rules
from familysupport.lib import audit
from familysupport.lib.access import (
    ADVOCATE,
    CASEWORKERS,
    LIST_EXPORTERS,
    PROVIDER,
    STAFF,
    has_role,
    role_required,
)
from familysupport.lib.forms import apply_service_errors

from . import forms, selectors, services
from .models import Agency, LegalAssistanceRequest, Referral

S = Referral.Status
PAGE_SIZE = 50


def _flash_error(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


# --- staff: lists ---------------------------------------------------------------------------


def _audit_list(request, page, obj=None) -> None:
    """Lists that name families leave one read entry per request (filter, row count)."""
    audit.record_list(
        Referral,
        filters=request.GET,
        rows=page.paginator.count,
        shown=len(page.object_list),
        obj=obj,
    )


@role_required(*STAFF)
def referral_list(request):
    status = request.GET.get("status", "")
    qs = selectors.referral_list_filtered(user=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, page)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "page": page,
            "status": status,
            "statuses": S.choices,
            "can_export": has_role(request.user, LIST_EXPORTERS),
        },
    )


@role_required(*STAFF)
def referral_awaiting(request):
    qs = selectors.referral_list_awaiting_answer(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, page)
    # An advocate sees the referrals they sent or of their cases (the selector narrows it).
    own_only = has_role(request.user, {ADVOCATE})
    context = {"page": page, "own_only": own_only}
    return render(request, "referrals/referral_awaiting.html", context)


@role_required(*STAFF)
def case_referrals(request, case_pk: int):
    case = selectors.case_get_for_user(user=request.user, pk=case_pk)
    referrals = list(selectors.referral_list_for_case(user=request.user, case=case))
    audit.record_list(
        Referral, filters=request.GET, rows=len(referrals), shown=len(referrals), obj=case
    )
    return render(
        request,
        "referrals/referral_case.html",
        {
            "case": case,
            "referrals": referrals,
            "can_refer": selectors.can_refer_for_case(request.user, case),
        },
    )


@role_required(*STAFF)
def provider_history(request, provider_pk: int):
    provider = selectors.provider_get_for_staff(user=request.user, pk=provider_pk)
    qs = selectors.referral_list_for_provider_history(user=request.user, provider=provider)
    stats = selectors.provider_responsiveness([provider.pk]).get(provider.pk)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, page, obj=provider)
    return render(
        request,
        "referrals/referral_provider_history.html",
        {"provider": provider, "page": page, "stats": stats},
    )


# --- staff: matching and creating -------------------------------------------------------------


def _initial_criteria(case) -> dict:
    ages = selectors.child_ages(case)
    return {
        "source": "faon",
        "service_type": "mental_health",
        "language": selectors.language_code(case.family.preferred_language),
        "age_min": min(ages) if ages else None,
        "age_max": max(ages) if ages else None,
        "include_telehealth": True,
    }


@role_required(*CASEWORKERS)
def match(request, case_pk: int):
    case = selectors.case_get_for_user(user=request.user, pk=case_pk, write=True)
    origin = selectors.origin_for_family(case.family)
    searched = "service_type" in request.GET
    form = forms.MatchForm(request.GET if searched else None, initial=_initial_criteria(case))
    results: list = []
    status = 200
    source = "faon"
    if searched and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if searched else _initial_criteria(case)
        source = data.get("source") or "faon"
        criteria = selectors.Criteria(
            service_type=data.get("service_type") or "mental_health",
            specialty=data.get("specialty") or "",
            language=data.get("language") or "",
            fee=data.get("fee") or "",
            insurance_plan=data.get("insurance_plan") or "",
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            include_telehealth=bool(data.get("include_telehealth")),
            kind="" if source == "faon" else source,
        )
        if source == "faon":
            results = selectors.provider_match(origin=origin, criteria=criteria)
        else:
            results = selectors.agency_match(origin=origin, criteria=criteria)
    return render(
        request,
        "referrals/referral_match.html",
        {
            "case": case,
            "origin": origin,
            "form": form,
            "results": results,
            "source": source,
            "kind": "provider" if source == "faon" else "agency",
            "query": request.GET.urlencode(),
            "consent": case.family.consent_share_with_providers,
        },
        status=status,
    )


def _distance(origin, lat, lng) -> float | None:
    if not origin.located or lat is None or lng is None:
        return None
    p1, p2 = math.radians(origin.latitude), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lng - origin.longitude)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * selectors.EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def _target(request, kind: str, target_pk: int):
    if kind == "provider":
        provider = selectors.provider_offerable_get(pk=target_pk)
        if provider is None:
            raise Http404
        return provider
    if kind == "agency":
        agency = selectors.agency_get_for_user(user=request.user, pk=target_pk)
        if not agency.is_active:
            raise Http404
        return agency
    raise Http404


@role_required(*CASEWORKERS)
def referral_create(request, case_pk: int, kind: str, target_pk: int):
    case = selectors.case_get_for_user(user=request.user, pk=case_pk, write=True)
    target = _target(request, kind, target_pk)
    origin = selectors.origin_for_family(case.family)
    initial = {
        "service_type": request.GET.get("service_type", "mental_health"),
        "fee_need": request.GET.get("fee", ""),
        "insurance_plan": request.GET.get("insurance_plan", ""),
        "send_now": True,
    }
    form = forms.ReferralCreateForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            lat, lng = target.latitude, target.longitude
            if lat is None:
                centroid = selectors.zip_centroid(target.zip_code)
                lat, lng = (centroid.latitude, centroid.longitude) if centroid else (None, None)
            distance = _distance(origin, lat, lng)
            reason = f"{distance:.1f} miles away" if distance is not None else "distance unknown"
            data = services.ReferralData(
                service_type=form.cleaned_data["service_type"],
                note_for_provider=form.cleaned_data["note_for_provider"],
                fee_need=form.cleaned_data["fee_need"],
                insurance_plan=form.cleaned_data["insurance_plan"],
                match_reason=reason,
                distance_miles=distance,
            )
            try:
                referral = services.referral_create(
                    case=case,
                    by=request.user,
                    data=data,
                    provider=target if kind == "provider" else None,
                    agency=target if kind == "agency" else None,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if form.cleaned_data["send_now"]:
                    try:
                        services.referral_send(referral=referral, by=request.user)
                        messages.success(request, "The referral was sent.")
                    except ValidationError as exc:
                        _flash_error(request, exc)
                        messages.info(request, "The referral was kept as a draft.")
                else:
                    messages.success(request, "The referral was saved as a draft.")
                return redirect("referrals:detail", pk=referral.pk)
        status = 400
    return render(
        request,
        "referrals/referral_form.html",
        {
            "case": case,
            "target": target,
            "kind": kind,
            "form": form,
            "consent": case.family.consent_share_with_providers,
        },
        status=status,
    )


# --- staff: one referral ----------------------------------------------------------------------


def _detail_context(request, referral: Referral, **extra) -> dict:
    can_write = selectors.can_write_referral(request.user, referral)
    ctx = {
        "referral": referral,
        "events": list(selectors.referral_events(referral)),
        "can_write": can_write,
        "close_form": forms.CloseForm(),
        "answer_form": forms.StaffAnswerForm(),
        "expires_at": services.expires_at(referral),
        "contact_rule": contact_rules.view_for(referral.family),
    }
    ctx.update(extra)
    return ctx


@role_required(*STAFF)
def referral_detail(request, pk: int):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk)
    audit.record_read(referral)
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral))


@require_POST
@role_required(*CASEWORKERS)
def referral_send(request, pk: int):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.referral_send(referral=referral, by=request.user)
    except ValidationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, "The referral was sent.")
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
@role_required(*CASEWORKERS)
def referral_rerefer(request, pk: int):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk, write=True)
    try:
        new = services.referral_rerefer(referral=referral, by=request.user)
    except ValidationError as exc:
        _flash_error(request, exc)
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, f"Re-referred to the next match: {new.recipient_name}.")
    return redirect("referrals:detail", pk=new.pk)


@require_POST
@role_required(*CASEWORKERS)
def referral_close(request, pk: int):
    referral = selectors.referral_get_for_user(user=request.user, pk=pk, write=True)
    form = forms.CloseForm(request.POST)
    if form.is_valid():
        try:
            services.referral_close(
                referral=referral, by=request.user, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The referral was closed.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, close_form=form),
        status=400,
    )


@require_POST
@role_required(*CASEWORKERS)
def referral_record_answer(request, pk: int):
    """Staff record what an agency or attorney answered (they have no portal account)."""
    referral = selectors.referral_get_for_user(user=request.user, pk=pk, write=True)
    form = forms.StaffAnswerForm(request.POST)
    if referral.is_to_provider:
        form.is_valid()
        form.add_error(None, "A FAON provider answers in its own portal.")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            if data["answer"] == "accepted":
                services.referral_accept(referral=referral, by=request.user)
            else:
                services.referral_decline(
                    referral=referral, by=request.user, reason=data["reason"], note=data["note"]
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The answer was recorded.")
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/referral_detail.html",
        _detail_context(request, referral, answer_form=form),
        status=400,
    )


# --- provider portal ------------------------------------------------------------------------


@role_required(PROVIDER)
def incoming_list(request):
    qs = selectors.referral_list_for_provider(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _audit_list(request, page)
    return render(request, "referrals/incoming_list.html", {"page": page})


def _incoming_context(referral: Referral, **extra) -> dict:
    family = selectors.referral_family_for_provider(referral)
    ctx = {
        "referral": referral,
        "family": family,
        # Once the contact is released: the family's safe-contact rules as they apply to a
        # provider (never the alternate contact).
        "contact_rule": contact_rules.view_for(
            family,
            audience=contact_rules.PROVIDER_AUDIENCE,
            rules=contact_rules.rules_of(family),
        )
        if family
        else None,
        "decline_form": forms.DeclineForm(),
        "appointment_form": forms.FirstAppointmentForm(),
        "complete_form": forms.CompleteForm(),
    }
    ctx.update(extra)
    return ctx


@role_required(PROVIDER)
def incoming_detail(request, pk: int):
    referral = selectors.referral_get_for_provider(user=request.user, pk=pk)
    audit.record_read(referral)
    return render(request, "referrals/incoming_detail.html", _incoming_context(referral))


@require_POST
@role_required(PROVIDER)
def incoming_accept(request, pk: int):
    referral = selectors.referral_get_for_provider(user=request.user, pk=pk)
    try:
        services.referral_accept(referral=referral, by=request.user)
    except ValidationError as exc:
        _flash_error(request, exc)
    else:
        if referral.provider_membership_active:
            messages.success(request, "You accepted the referral. The family's contact is below.")
        else:
            messages.success(request, "You accepted the referral.")
    return redirect("referrals:incoming_detail", pk=referral.pk)


@role_required(PROVIDER)
def incoming_decline(request, pk: int):
    referral = selectors.referral_get_for_provider(user=request.user, pk=pk)
    form = forms.DeclineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.referral_decline(
                    referral=referral,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "You declined the referral.")
                return redirect("referrals:incoming_detail", pk=referral.pk)
        status = 400
    return render(
        request,
        "referrals/incoming_decline.html",
        {"referral": referral, "form": form},
        status=status,
    )


@require_POST
@role_required(PROVIDER)
def incoming_first_appointment(request, pk: int):
    referral = selectors.referral_get_for_provider(user=request.user, pk=pk)
    form = forms.FirstAppointmentForm(request.POST)
    if form.is_valid():
        try:
            services.referral_record_first_appointment(
                referral=referral, by=request.user, on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The first appointment was recorded.")
            return redirect("referrals:incoming_detail", pk=referral.pk)
    return render(
        request,
        "referrals/incoming_detail.html",
        _incoming_context(referral, appointment_form=form),
        status=400,
    )


@require_POST
@role_required(PROVIDER)
def incoming_complete(request, pk: int):
    referral = selectors.referral_get_for_provider(user=request.user, pk=pk)
    form = forms.CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.referral_complete(
                referral=referral, by=request.user, outcome=form.cleaned_data["outcome"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The referral was marked completed.")
            return redirect("referrals:incoming_detail", pk=referral.pk)
    return render(
        request,
        "referrals/incoming_detail.html",
        _incoming_context(referral, complete_form=form),
        status=400,
    )


# --- agencies and attorneys -------------------------------------------------------------------


@role_required(*STAFF)
def agency_list(request):
    qs = selectors.agency_list_visible_to(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in Agency.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/agency_list.html",
        {
            "page": page,
            "kind": kind,
            "can_manage": selectors.can_manage_agencies(request.user),
        },
    )


@role_required(*STAFF)
def agency_detail(request, pk: int):
    agency = selectors.agency_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "referrals/agency_detail.html",
        {"agency": agency, "can_manage": selectors.can_manage_agencies(request.user)},
    )


def _agency_form(request, agency: Agency | None):
    form = forms.AgencyForm(request.POST or None, instance=agency)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.agency_save(agency=form.save(commit=False), by=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "The directory entry was saved.")
                return redirect(saved.get_absolute_url())
        status = 400
    return render(
        request, "referrals/agency_form.html", {"form": form, "agency": agency}, status=status
    )


@role_required(*STAFF)
def agency_create(request):
    if not selectors.can_manage_agencies(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return _agency_form(request, None)


@role_required(*STAFF)
def agency_edit(request, pk: int):
    agency = selectors.agency_get_for_user(user=request.user, pk=pk, write=True)
    return _agency_form(request, agency)


# --- legal technical assistance ---------------------------------------------------------------


@role_required(*STAFF)
def legal_list(request):
    qs = selectors.legal_request_list_visible_to(user=request.user)
    status = request.GET.get("status", "")
    if status in LegalAssistanceRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/legal_list.html",
        {
            "page": page,
            "status": status,
            "statuses": LegalAssistanceRequest.Status.choices,
            "can_change": selectors.can_change_legal(request.user),
        },
    )


@role_required(*STAFF)
def legal_detail(request, pk: int):
    obj = selectors.legal_request_get_for_user(user=request.user, pk=pk)
    audit.record_read(obj)
    return render(
        request,
        "referrals/legal_detail.html",
        {"obj": obj, "can_change": selectors.can_change_legal(request.user)},
    )


def _legal_form(request, obj: LegalAssistanceRequest | None):
    from cases import selectors as case_selectors

    cases = case_selectors.case_list_visible_to(user=request.user)
    form = forms.LegalRequestForm(request.POST or None, instance=obj, cases=cases)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.legal_request_save(request_obj=form.save(), by=request.user)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, "The legal assistance request was saved.")
                return redirect(saved.get_absolute_url())
        status = 400
    return render(request, "referrals/legal_form.html", {"form": form, "obj": obj}, status=status)


@role_required(*CASEWORKERS)
def legal_create(request):
    return _legal_form(request, None)


@role_required(*CASEWORKERS)
def legal_edit(request, pk: int):
    obj = selectors.legal_request_get_for_user(user=request.user, pk=pk, write=True)
    return _legal_form(request, obj)


def case_match_url(case) -> str:
    return reverse("referrals:match", args=[case.pk])
