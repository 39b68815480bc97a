"""Pages of the reunification app: thin — fetch through selectors, call services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import contact_rules
from cases import selectors as case_selectors
from familysupport.lib import audit
from familysupport.lib.access import (
    ADMINISTRATOR,
    ADVOCATE,
    CASEWORKERS,
    STAFF,
    SUPERVISOR,
    Refused,
    has_role,
    role_required,
)
from familysupport.lib.badinput import posted_text
from familysupport.lib.forms import apply_service_errors

from . import itinerary, selectors, services
from .forms import (
    BookForm,
    BudgetForm,
    CaseLookupForm,
    DecisionForm,
    GuidelineForm,
    ListFilterForm,
    PolicyForm,
    ReapproveForm,
    ReasonForm,
    SegmentForm,
    TravelRequestForm,
)
from .models import ChecklistItem, PovertyGuideline, TravelRequest

Status = TravelRequest.Status

BUDGET_READERS = frozenset({SUPERVISOR, ADMINISTRATOR})  # the budget page and its link


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --- List & detail ---------------------------------------------------------------------


@role_required(*STAFF)
@require_GET
def travel_request_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    # Aggregating the costs drops Meta.ordering (GROUP BY): order explicitly, newest first
    # with the id as tie-breaker, so pages neither repeat nor skip a request.
    qs = selectors.with_costs(selectors.travel_request_list_visible_to(user=request.user)).order_by(
        "-created_at", "-pk"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == "open":
            qs = qs.filter(selectors.open_filter())
        elif data["status"]:
            qs = qs.filter(status=data["status"])
        if data["purpose"]:
            qs = qs.filter(purpose=data["purpose"])
        if data["international"]:
            qs = qs.filter(is_international=data["international"] == "yes")
        if data["mine"]:
            qs = qs.filter(requested_by=request.user)
        q = data["q"].strip()
        if q:
            ref = q.upper().removeprefix("TR-").lstrip("0")
            cond = Q(destination_city__icontains=q) | Q(case__external_case_number__iexact=q)
            if ref.isdigit():
                cond |= Q(pk=int(ref))
            qs = qs.filter(cond)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    counts = selectors.status_counts(user=request.user)
    return render(
        request,
        "reunification/travelrequest_list.html",
        {
            "can_see_budget": has_role(request.user, BUDGET_READERS),
            "page": page,
            "form": form,
            "status_tabs": [
                (value, label, counts.get(value, 0)) for value, label in Status.choices
            ],
            "can_create": selectors.can_create(request.user),
        },
    )


@role_required(*STAFF)
@require_GET
def travel_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    audit.record_read(tr)
    user = request.user
    segments = list(tr.segments.all())
    context = {
        "tr": tr,
        "travellers": list(tr.travellers.all()),
        "segments": segments,
        "totals": itinerary.totals(segments),
        "checklist": list(tr.checklist.select_related("done_by")) if tr.is_international else [],
        "assessment": selectors.need_assessment_for(tr),
        "can_edit": selectors.can_edit_request(user, tr),
        "can_decide": selectors.can_decide(user, tr),
        "can_book": selectors.can_manage_booking(user),
        "can_cancel": tr.status in services.TRANSITIONS["cancel"]
        and (
            user.role == SUPERVISOR
            or (tr.requested_by_id == user.pk and tr.status in (Status.DRAFT, Status.SUBMITTED))
        ),
        "can_checklist": user.role in CASEWORKERS and tr.is_open,
        "needs_reapproval": selectors.needs_reapproval(tr, itinerary.totals(segments)["estimated"]),
        "can_reapprove": selectors.can_reapprove(user, tr),
        "decide_refusal": selectors.decide_refusal(user, tr),
        "completable_from": selectors.completable_from(tr),
        "today": timezone.localdate(),
        "segments_editable": selectors.can_manage_booking(user)
        and tr.status in services.SEGMENT_EDITABLE,
        # Who may be called and when, for arranging the trip with the family.
        "contact_rule": contact_rules.view_for(tr.case.family),
    }
    return render(request, "reunification/travelrequest_detail.html", context)


# --- Create / edit ---------------------------------------------------------------------


@role_required(ADVOCATE, SUPERVISOR)
@require_GET
def travel_request_start(request: HttpRequest) -> HttpResponse:
    """Pick the case a new request is for (by reference), then go to its form."""
    form = CaseLookupForm(request.GET or None)
    if form.is_valid():
        ref = form.cleaned_data["case"].strip()
        cases = case_selectors.case_list_visible_to(user=request.user)
        number = ref.upper().removeprefix("FS-").lstrip("0")
        cond = Q(external_case_number__iexact=ref)
        if number.isdigit():
            cond |= Q(pk=int(number))
        case = cases.filter(cond).first()
        if case is not None:
            return redirect("reunification:create", case_pk=case.pk)
        form.add_error("case", "No case with this reference.")
    status = 400 if form.is_bound else 200
    return render(request, "reunification/travelrequest_start.html", {"form": form}, status=status)


@role_required(ADVOCATE, SUPERVISOR)
def travel_request_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = case_selectors.case_get_for_user(user=request.user, pk=case_pk, write=True)
    form = TravelRequestForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            tr = services.travel_request_create(
                case=case,
                by=request.user,
                travellers=form.cleaned_data["travellers"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Draft {tr.reference} saved. Submit it when it is ready.")
            return redirect(tr)
    return render(
        request,
        "reunification/travelrequest_form.html",
        {"form": form, "case": case, "tr": None},
        status=400 if form.is_bound else 200,
    )


@role_required(ADVOCATE, SUPERVISOR)
def travel_request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk, write=True)
    form = TravelRequestForm(request.POST or None, instance=tr, case=tr.case)
    if request.method == "POST" and form.is_valid():
        try:
            services.travel_request_update(
                travel_request=tr,
                by=request.user,
                travellers=form.cleaned_data["travellers"],
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect(tr)
    return render(
        request,
        "reunification/travelrequest_form.html",
        {"form": form, "case": tr.case, "tr": tr},
        status=400 if form.is_bound else 200,
    )


# --- Transitions ---------------------------------------------------------------------------


def _transition(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    try:
        service(travel_request=tr, by=request.user, expected_version=_version(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(tr)


@require_POST
@role_required(ADVOCATE, SUPERVISOR)
def travel_request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    # Whose act it is does not depend on the status: the requester's, or a supervisor's.
    if not (tr.requested_by_id == request.user.pk or request.user.role == SUPERVISOR):
        raise PermissionDenied
    return _transition(request, tr.pk, services.travel_request_submit, "Request submitted.")


@require_POST
@role_required(SUPERVISOR)
def travel_request_start_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.travel_request_start_review, "You are reviewing this request."
    )


@role_required(SUPERVISOR)
def travel_request_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book, or say why not: missing documents ask for an override reason on this page."""
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    missing = selectors.missing_documents(tr)
    data = request.POST if request.method == "POST" else None  # a bare button posts nothing
    form = BookForm(data, initial={"version": tr.version}, missing=bool(missing))
    if request.method == "POST" and form.is_valid():
        try:
            services.travel_request_book(
                travel_request=tr,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") and missing:
                form.add_error(None, exc)
            else:
                apply_service_errors(form, exc)
        else:
            messages.success(request, "The trip is booked.")
            return redirect(tr)
    return render(
        request,
        "reunification/travelrequest_book.html",
        {
            "tr": tr,
            "form": form,
            "missing": missing,
            "estimated": selectors.estimated_total(tr),
        },
        status=400 if form.is_bound else 200,
    )


@role_required(SUPERVISOR)
def travel_request_reapprove(request: HttpRequest, pk: int) -> HttpResponse:
    """A second supervisor approves estimated costs above the approved amount."""
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    reason = selectors.reapprove_refusal(request.user, tr)
    if reason:
        raise Refused(reason)
    if not selectors.can_reapprove(request.user, tr):
        raise PermissionDenied
    total = selectors.estimated_total(tr)
    data = request.POST if request.method == "POST" else None
    form = ReapproveForm(data, initial={"version": tr.version, "amount": total})
    if request.method == "POST" and form.is_valid():
        try:
            services.travel_request_reapprove(
                travel_request=tr,
                by=request.user,
                amount=form.cleaned_data["amount"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The new amount is approved. The requester was notified.")
            return redirect(tr)
    return render(
        request,
        "reunification/travelrequest_reapprove.html",
        {"tr": tr, "form": form, "estimated": total},
        status=400 if form.is_bound else 200,
    )


@require_POST
@role_required(SUPERVISOR)
def travel_request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.travel_request_complete,
        "Trip completed. Follow-up tasks were added to the case.",
    )


@role_required(SUPERVISOR)
def travel_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    reason = selectors.decide_refusal(request.user, tr)
    if reason:
        raise Refused(reason)
    if not selectors.can_decide(request.user, tr):
        raise PermissionDenied
    budget = selectors.budget_status(year=timezone.localdate().year)
    amount_preview = tr.amount_requested
    over = False
    if request.method == "POST":
        form = DecisionForm(request.POST, show_over_budget=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == DecisionForm.APPROVE:
                    services.travel_request_approve(
                        travel_request=tr,
                        by=request.user,
                        amount=data["amount"],
                        over_budget_ok=data["over_budget_ok"],
                        expected_version=data["version"],
                    )
                    messages.success(request, "Request approved. The requester was notified.")
                else:
                    services.travel_request_deny(
                        travel_request=tr,
                        by=request.user,
                        reason=data["reason"],
                        expected_version=data["version"],
                    )
                    messages.success(request, "Request denied. The requester was notified.")
            except services.BudgetExceeded as exc:
                over = True
                form.add_error("over_budget_ok", exc)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect(tr)
        if form.is_bound and form.data.get("amount"):
            amount_preview = form.cleaned_data.get("amount") or amount_preview
        status = 400
    else:
        form = DecisionForm(
            initial={"version": tr.version, "amount": tr.amount_requested},
            show_over_budget=budget.would_exceed(tr.amount_requested),
        )
        status = 200
    return render(
        request,
        "reunification/travelrequest_decide.html",
        {
            "tr": tr,
            "form": form,
            "assessment": selectors.need_assessment_for(tr),
            "budget": budget,
            "would_exceed": over or budget.would_exceed(amount_preview),
        },
        status=status,
    )


@role_required(ADVOCATE, SUPERVISOR)
def travel_request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST or None, initial={"version": tr.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.travel_request_cancel(
                travel_request=tr,
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Request cancelled.")
            return redirect(tr)
    elif request.method != "POST":
        # Show the form only to someone allowed to cancel (the service checks again).
        own_early = tr.requested_by_id == request.user.pk and tr.status in (
            Status.DRAFT,
            Status.SUBMITTED,
        )
        if not (request.user.role == SUPERVISOR or own_early):
            raise PermissionDenied
    return render(
        request,
        "reunification/travelrequest_cancel.html",
        {"tr": tr, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- Segments ----------------------------------------------------------------------------


@role_required(SUPERVISOR)
def segment_create(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    if tr.status not in services.SEGMENT_EDITABLE:
        messages.error(request, "Segments are added once a request is approved.")
        return redirect(tr)
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.segment_add(travel_request=tr, by=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Segment added.")
            return redirect(tr)
    return render(
        request,
        "reunification/segment_form.html",
        {"tr": tr, "form": form, "segment": None},
        status=400 if form.is_bound else 200,
    )


@role_required(SUPERVISOR)
def segment_edit(request: HttpRequest, pk: int, segment_pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    segment = selectors.segment_get_for_request(travel_request=tr, pk=segment_pk)
    form = SegmentForm(request.POST or None, instance=segment)
    if request.method == "POST" and form.is_valid():
        try:
            services.segment_update(segment=segment, by=request.user, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Segment saved.")
            return redirect(tr)
    return render(
        request,
        "reunification/segment_form.html",
        {"tr": tr, "form": form, "segment": segment},
        status=400 if form.is_bound else 200,
    )


@require_POST
@role_required(SUPERVISOR)
def segment_delete(request: HttpRequest, pk: int, segment_pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    segment = selectors.segment_get_for_request(travel_request=tr, pk=segment_pk)
    try:
        services.segment_delete(segment=segment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Segment removed.")
    return redirect(tr)


# --- Itinerary & checklist ---------------------------------------------------------------


def _itinerary_request(request: HttpRequest, pk: int) -> TravelRequest:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    if tr.status not in (Status.APPROVED, Status.BOOKED, Status.COMPLETED):
        raise Http404("No itinerary before the request is approved.")
    return tr


@role_required(*STAFF)
@require_GET
def itinerary_view(request: HttpRequest, pk: int) -> HttpResponse:
    tr = _itinerary_request(request, pk)
    audit.record(action="reunification.travelrequest.itinerary_viewed", obj=tr)
    return render(request, "reunification/itinerary.html", itinerary.context(tr))


@role_required(*STAFF)
@require_GET
def itinerary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    tr = _itinerary_request(request, pk)
    audit.record(action="reunification.travelrequest.itinerary_downloaded", obj=tr)
    response = HttpResponse(itinerary.render_pdf(tr), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="itinerary-{tr.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@role_required(*STAFF)
@require_GET
def checklist_view(request: HttpRequest, pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    audit.record_read(tr)
    return render(
        request,
        "reunification/checklist.html",
        {
            "tr": tr,
            "items": list(tr.checklist.select_related("done_by")),
            "can_checklist": request.user.role in CASEWORKERS and tr.is_open,
        },
    )


@require_POST
@role_required(ADVOCATE, SUPERVISOR)
def checklist_toggle(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    tr = selectors.travel_request_get_for_user(user=request.user, pk=pk)
    try:
        item = tr.checklist.get(pk=item_pk)
    except ChecklistItem.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.checklist_item_set(
            item=item,
            by=request.user,
            done=request.POST.get("done") == "1",
            note=posted_text(request, "note") if "note" in request.POST else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reunification:checklist", pk=tr.pk)
    messages.success(request, f"Checklist: {item.get_kind_display()} updated.")
    return redirect("reunification:checklist", pk=tr.pk)


# --- Budget, guidelines, policy ------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@role_required(*BUDGET_READERS)
def budget_view(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    can_manage = selectors.can_manage_budget(request.user)
    form = None
    if can_manage:
        form = BudgetForm(request.POST or None, initial={"year": year})
    elif request.method == "POST":
        raise PermissionDenied
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.travel_budget_set(
                year=form.cleaned_data["year"], amount=form.cleaned_data["amount"], by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Travel budget for {form.cleaned_data['year']} saved.")
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(
        request,
        "reunification/budget.html",
        {
            "year": year,
            "status": selectors.budget_status(year=year),
            "budgets": list(selectors.travel_budget_list()[:10]),
            "form": form,
            "years": [year - 1, year + 1],
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@role_required(*STAFF)
def guideline_list(request: HttpRequest) -> HttpResponse:
    can_manage = selectors.can_manage_budget(request.user)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    policy = selectors.policy_get()
    guideline_form = policy_form = None
    if can_manage:
        which = request.POST.get("form") if request.method == "POST" else None
        guideline_form = GuidelineForm(request.POST if which == "guideline" else None)
        policy_form = PolicyForm(
            request.POST if which == "policy" else None,
            initial={
                "recommend_up_to_percent": policy.recommend_up_to_percent,
                "follow_up_days": ", ".join(str(d) for d in policy.follow_up_days),
            },
        )
        bound = guideline_form if which == "guideline" else policy_form if which else None
        if bound is not None and bound.is_valid():
            try:
                if which == "guideline":
                    services.poverty_guideline_save(by=request.user, **bound.cleaned_data)
                else:
                    services.assistance_policy_update(by=request.user, **bound.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(bound, exc)
            else:
                messages.success(request, "Saved.")
                return redirect("reunification:guidelines")
    rows = list(PovertyGuideline.objects.all())
    examples = [
        (g, [(n, g.amount_for(n)) for n in range(1, 9)])
        for g in rows
        if g.region == PovertyGuideline.Region.CONTIGUOUS
    ][:2]
    return render(
        request,
        "reunification/guideline_list.html",
        {
            "rows": rows,
            "examples": examples,
            "policy": policy,
            "guideline_form": guideline_form,
            "policy_form": policy_form,
            "sizes": range(1, 9),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(*STAFF)
@require_GET
def need_preview(request: HttpRequest) -> HttpResponse:
    """Live need assessment while the form is typed (htmx fragment)."""
    try:
        size = int(request.GET.get("household_size", ""))
        income = Decimal(request.GET.get("yearly_income", ""))
    except (ValueError, InvalidOperation):
        return render(request, "reunification/includes/_need.html", {"assessment": None})
    if size < 1 or income < 0:
        return render(request, "reunification/includes/_need.html", {"assessment": None})
    assessment = selectors.need_assessment(
        household_size=size,
        yearly_income=income,
        year=timezone.localdate().year,
    )
    return render(request, "reunification/includes/_need.html", {"assessment": assessment})
