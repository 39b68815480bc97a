"""Privacy pages: restricting a case and its people, break-glass, the supervisors' access
review, legal holds, the retention schedule with its dry run, a family's safe-contact rules.

Who (DESIGN.md): supervisors restrict, add people and review; other staff break the glass;
supervisors and administrators place and lift legal holds; administrators read the
retention schedule and run dry runs; advocates and supervisors set the contact rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from familysupport.lib import audit, retention
from familysupport.lib.access import (
    ADMINISTRATOR,
    SUPERVISOR,
    check_role,
    role_required,
)
from familysupport.lib.forms import apply_service_errors
from familysupport.lib.redirects import safe_next

from . import contact_rules, holds, restricted, selectors
from . import retention as case_retention
from .models import Case, Family
from .privacy_forms import BreakGlassForm, ContactRulesForm, GrantForm, ReasonForm, ReviewForm

HOLDERS = (SUPERVISOR, ADMINISTRATOR)


def _case_any(request: HttpRequest, pk: int) -> Case:
    """A case by id for staff, restricted or not: these pages show its number only."""
    if not request.user.is_authenticated:
        raise Http404
    qs = selectors.case_list_visible_to(user=request.user, with_restricted=True)
    try:
        return qs.get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def _family_any(request: HttpRequest, pk: int) -> Family:
    if not request.user.is_authenticated:
        raise Http404
    qs = selectors.family_list_visible_to(user=request.user, with_restricted=True)
    try:
        return qs.get(pk=pk)
    except Family.DoesNotExist as exc:
        raise Http404 from exc


# --- restriction and people (supervisors) ----------------------------------------------------


def _restriction_page(request, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    active = restricted.restriction_active(case)
    context = {
        "case": case,
        "restriction": active,
        "family_restrictions": restricted.other_restricted_cases(case),
        "history": list(case.restrictions.select_related("placed_by", "lifted_by")[:20]),
        "grants": list(restricted.grants_for_case(case)),
        "glasses": list(case.break_glasses.select_related("user")[:20]),
        "restrict_form": forms.get("restrict_form") or ReasonForm(submit="Restrict the case"),
        "lift_form": forms.get("lift_form") or ReasonForm(submit="Lift the restriction"),
        "grant_form": forms.get("grant_form") or GrantForm(),
    }
    return render(request, "cases/privacy/case_restriction.html", context, status=status)


@login_required
def case_restriction(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    check_role(request.user, {SUPERVISOR})
    if request.method == "GET":
        audit.record_read(case)
        return _restriction_page(request, case)
    lifting = request.POST.get("action") == "lift"
    form = ReasonForm(request.POST, submit="Lift the restriction" if lifting else "Restrict")
    if form.is_valid():
        try:
            with transaction.atomic():
                if lifting:
                    restricted.case_unrestrict(
                        case=case, by=request.user, reason=form.cleaned_data["reason"]
                    )
                else:
                    restricted.case_restrict(
                        case=case, by=request.user, reason=form.cleaned_data["reason"]
                    )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                "The restriction is lifted."
                if lifting
                else "The case and its family are restricted.",
            )
            return redirect("privacy:case_restriction", pk=case.pk)
    name = "lift_form" if lifting else "restrict_form"
    return _restriction_page(request, case, status=400, **{name: form})


@require_POST
@login_required
def access_grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    check_role(request.user, {SUPERVISOR})
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                restricted.access_grant_add(
                    case=case, user=form.cleaned_data["user"], by=request.user
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['user']} may now open the case.")
            return redirect("privacy:case_restriction", pk=case.pk)
    return _restriction_page(request, case, status=400, grant_form=form)


@require_POST
@login_required
def access_grant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    grant = restricted.grant_get_for_supervisor(user=request.user, pk=pk)
    try:
        restricted.access_grant_remove(grant=grant, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{grant.user} no longer has access.")
    return redirect("privacy:case_restriction", pk=grant.case_id)


# --- break-glass (staff without access) -------------------------------------------------------


@login_required
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_any(request, pk)
    # Nothing to break for someone who may open it (or if it is not restricted): say so.
    has_access = restricted.may_open_family(request.user, case.family_id)
    stub = restricted.stubs_for_family(case.family_id)
    form = BreakGlassForm(None if has_access else request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                glass = restricted.break_glass_open(
                    case=case,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    explanation=form.cleaned_data["explanation"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.warning(
                request,
                "You broke the glass: the case is open to you until "
                f"{glass.expires_at.astimezone():%H:%M}. Supervisors have been told.",
            )
            return redirect(case)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/privacy/break_glass.html",
        {
            "case": case,
            "stubs": stub,
            "form": form,
            "has_access": has_access,
            "hours": int(restricted.break_glass_duration().total_seconds() // 3600),
        },
        status=status,
    )


# --- access review (supervisors) ---------------------------------------------------------------


def _review_page(request, *, status: int = 200, form=None, form_for: int | None = None):
    glasses = restricted.break_glass_list_for_review(user=request.user)
    wanted = request.GET.get("review", "")
    if wanted in ("pending", "reviewed", "flagged"):
        glasses = glasses.filter(review=wanted)
    page = Paginator(glasses, 25).get_page(request.GET.get("page"))
    rows = restricted.review_rows(list(page.object_list))
    return render(
        request,
        "cases/privacy/access_review.html",
        {
            "page": page,
            "rows": rows,
            "wanted": wanted,
            "form": form,
            "form_for": form_for,
            "blank_form": ReviewForm(),
        },
        status=status,
    )


@require_GET
@role_required(SUPERVISOR)
def access_review(request: HttpRequest) -> HttpResponse:
    return _review_page(request)


@require_POST
@login_required
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    glass = restricted.break_glass_get_for_review(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            restricted.break_glass_review(
                glass=glass,
                by=request.user,
                review=form.cleaned_data["review"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The review is saved.")
            return redirect(reverse("privacy:access_review") + f"#glass-{glass.pk}")
    return _review_page(request, status=400, form=form, form_for=glass.pk)


# --- legal holds (supervisors, administrators) --------------------------------------------------


@require_GET
@role_required(*HOLDERS)
def hold_list(request: HttpRequest) -> HttpResponse:
    qs = holds.hold_list_visible_to(user=request.user)
    show = request.GET.get("show", "active")
    if show != "all":
        qs = qs.filter(lifted_at__isnull=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/privacy/hold_list.html", {"page": page, "show": show})


def _place_hold(request, *, family: Family | None = None, case: Case | None = None):
    check_role(request.user, HOLDERS)
    form = ReasonForm(request.POST or None, submit="Place the legal hold")
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                holds.legal_hold_place(
                    by=request.user, reason=form.cleaned_data["reason"], family=family, case=case
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The legal hold is placed: nothing of it will be purged.")
            return redirect("privacy:hold_list")
    existing = list(holds.holds_for(case=case) if case else holds.holds_for(family=family))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/privacy/hold_form.html",
        {"form": form, "family": family, "case": case, "existing": existing},
        status=status,
    )


@login_required
def hold_case(request: HttpRequest, pk: int) -> HttpResponse:
    return _place_hold(request, case=_case_any(request, pk))


@login_required
def hold_family(request: HttpRequest, pk: int) -> HttpResponse:
    return _place_hold(request, family=_family_any(request, pk))


@login_required
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = holds.hold_get_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST or None, submit="Lift the legal hold")
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                holds.legal_hold_lift(
                    hold=hold, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The legal hold is lifted.")
            return redirect("privacy:hold_list")
    status = 400 if form.is_bound else 200
    return render(
        request, "cases/privacy/hold_lift.html", {"form": form, "hold": hold}, status=status
    )


# --- the retention schedule (administrators) ----------------------------------------------------


@require_GET
@role_required(ADMINISTRATOR)
def retention_schedule(request: HttpRequest) -> HttpResponse:
    from familysupport.lib.models import JobRun

    rules = retention.all_rules()
    result = retention.dry_run() if request.GET.get("dry_run") == "1" else None
    if result is not None:
        audit.record(action="privacy.retention.dry_run", actor=request.user)
    runs = list(JobRun.objects.filter(job="accounts.retention").order_by("-requested_at")[:5])
    return render(
        request,
        "cases/privacy/retention.html",
        {
            "rules": [
                {"rule": r, "keep": r.keep(), "due": result.due.get(r.key) if result else None}
                for r in rules
            ],
            "result": result,
            "runs": runs,
            "purged": case_retention.purged_years(),
            "active_holds": holds.active_holds().count(),
        },
    )


# --- safe-contact rules (advocates, supervisors) ------------------------------------------------


@login_required
def contact_rules_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, pk=pk, write=True)
    rules = contact_rules.rules_for(family)
    if request.method == "GET":
        audit.record_read(family)
    form = ContactRulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            with transaction.atomic():
                contact_rules.family_contact_rules_save(family=family, by=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The safe-contact rules are saved.")
            return redirect(safe_next(request, family))
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/privacy/contact_rules_form.html",
        {"form": form, "family": family, "rules": rules},
        status=status,
    )
