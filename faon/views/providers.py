"""Vetting (staff) and provider records (staff and the provider itself)."""

from __future__ import annotations

import copy
import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from familysupport.lib import audit, dates
from familysupport.lib.access import ADMINISTRATOR, PROVIDER, STAFF, SUPERVISOR, role_required
from familysupport.lib.forms import apply_service_errors

from .. import compliance, selectors, services, uploads
from ..forms import (
    CertificateIssueForm,
    InsuranceForm,
    InsuranceVerifyForm,
    LicenseForm,
    LicenseVerifyForm,
    ManagerAddForm,
    ManagerRemoveForm,
    MemberFilterForm,
    ProviderEditForm,
    ProviderSelfEditForm,
    StatusForm,
    TranscriptIssueForm,
)
from ..models import Provider, ProviderStatusChange

READERS = (*STAFF, PROVIDER)
WRITERS = (SUPERVISOR, ADMINISTRATOR, PROVIDER)
MANAGERS = (SUPERVISOR, ADMINISTRATOR)


# --- vetting queue ----------------------------------------------------------------------


@require_GET
@role_required(*STAFF)
def application_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.application_list_for_vetting(user=request.user).order_by("submitted_at")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    unconfirmed = (
        selectors.application_list_visible_to(user=request.user)
        .filter(email_confirmed_at__isnull=True)
        .count()
    )
    return render(request, "faon/application_list.html", {"page": page, "unconfirmed": unconfirmed})


@require_GET
@role_required(*STAFF)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from familysupport.lib.access import get_visible_or_404

    application = get_visible_or_404(
        selectors.application_list_visible_to(user=request.user), pk=pk
    )
    audit.record_read(application)
    return redirect("faon:provider_detail", pk=application.provider_id)


def _detail_context(request: HttpRequest, provider: Provider) -> dict:
    user = request.user
    year = compliance.current_membership_year()
    provider = (
        selectors.provider_prefetch_compliance(
            selectors.provider_list_visible_to(user=user).filter(pk=provider.pk),
            year=year,
            verifiers=True,
        )
        .select_related("application")
        .prefetch_related(
            Prefetch("status_changes", queryset=ProviderStatusChange.objects.select_related("by"))
        )
        .get()
    )
    result = compliance.compliance_for(provider, year)
    can_manage = selectors.can_manage_faon(user)
    licenses = list(provider.licenses.all())
    policies = list(provider.insurance_policies.all())
    application = getattr(provider, "application", None) if user.role in STAFF else None
    certificates = list(selectors.certificate_list_visible_to(user=user).filter(provider=provider))
    transcripts = list(selectors.transcript_list_visible_to(user=user).filter(provider=provider))
    attendances = list(
        selectors.attendance_list_visible_to(user=user)
        .filter(provider=provider)
        .select_related("event")
        .order_by("-registered_at")[:50]
    )
    return {
        "provider": provider,
        "result": result,
        "year": year,
        "licenses": licenses,
        "policies": policies,
        "application": application,
        "certificates": certificates,
        "attendances": attendances,
        "can_manage": can_manage,
        "can_edit": can_manage or user.role == PROVIDER,
        "is_own": user.role == PROVIDER,
        "is_admin": user.role == ADMINISTRATOR,
        "status_form": StatusForm(actions=services.actions_for(provider)) if can_manage else None,
        "blockers": [m for _f, m in services.approval_blockers(provider)]
        if can_manage and "approve" in services.actions_for(provider)
        else [],
        "license_verify_form": LicenseVerifyForm() if can_manage else None,
        "status_changes": (
            selectors.provider_status_changes(provider=provider) if can_manage else []
        ),
        "insurance_verify_form": InsuranceVerifyForm() if can_manage else None,
        "certificate_form": CertificateIssueForm(initial={"year": year})
        if user.role == ADMINISTRATOR
        else None,
        "transcripts": transcripts,
        "transcript_form": TranscriptIssueForm(initial={"year": dates.today().year})
        if can_manage or user.role == PROVIDER
        else None,
        "today": dates.today(),
        "details_due": compliance.details_due_on(provider.details_confirmed_at),
    }


@require_GET
@role_required(*READERS)
def provider_detail(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk)
    audit.record_read(provider)
    return render(request, "faon/provider_detail.html", _detail_context(request, provider))


@require_GET
@role_required(PROVIDER)
def portal(request: HttpRequest) -> HttpResponse:
    provider = selectors.provider_for_manager(request.user)
    if provider is None:
        raise Http404
    return redirect("faon:provider_detail", pk=provider.pk)


@require_POST
@role_required(*MANAGERS)
def provider_status(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = StatusForm(request.POST, actions=services.actions_for(provider))
    if form.is_valid():
        try:
            services.provider_transition(
                provider=provider,
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("faon:provider_detail", pk=provider.pk)
    context = _detail_context(request, provider)
    context["status_form"] = form
    return render(request, "faon/provider_detail.html", context, status=400)


@require_POST
@role_required(*MANAGERS)
def license_verify(request: HttpRequest, pk: int) -> HttpResponse:
    lic = selectors.license_get_for_user(user=request.user, pk=pk, write=True)
    form = LicenseVerifyForm(request.POST)
    if form.is_valid():
        try:
            services.license_verify(license=lic, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "License verification recorded.")
            return redirect("faon:provider_detail", pk=lic.provider_id)
    return render(
        request,
        "faon/license_verify.html",
        {"form": form, "license": lic, "provider": lic.provider},
        status=400,
    )


@require_POST
@role_required(*MANAGERS)
def insurance_verify(request: HttpRequest, pk: int) -> HttpResponse:
    policy = selectors.insurance_get_for_user(user=request.user, pk=pk, write=True)
    form = InsuranceVerifyForm(request.POST)
    if form.is_valid():
        try:
            services.insurance_verify(policy=policy, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Insurance verification recorded.")
            return redirect("faon:provider_detail", pk=policy.provider_id)
    return render(
        request,
        "faon/insurancepolicy_verify.html",
        {"form": form, "policy": policy, "provider": policy.provider},
        status=400,
    )


# --- the users who manage a provider record (staff) ------------------------------------


def _managers_page(
    request: HttpRequest, provider: Provider, *, add_form=None, remove_form=None, status=200
) -> HttpResponse:
    return render(
        request,
        "faon/provider_managers.html",
        {
            "provider": provider,
            "managers": list(selectors.provider_manager_list(provider=provider)),
            "add_form": add_form or ManagerAddForm(),
            "remove_form": remove_form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*MANAGERS)
def provider_managers(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = ManagerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, invited = services.provider_manager_add(
                provider=provider, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {user.email}; they can sign in once they set a password."
                if invited
                else f"{user.email} can now manage this record.",
            )
            return redirect("faon:provider_managers", pk=provider.pk)
    return _managers_page(request, provider, add_form=form, status=400 if form.is_bound else 200)


@require_POST
@role_required(*MANAGERS)
def provider_manager_remove(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = ManagerRemoveForm(request.POST, provider=provider)
    if form.is_valid():
        try:
            services.provider_manager_remove(
                provider=provider, user=form.cleaned_data["user"], by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"{form.cleaned_data['user'].email} no longer manages this record."
            )
            return redirect("faon:provider_managers", pk=provider.pk)
    return _managers_page(request, provider, remove_form=form, status=400)


# --- provider self-service (and staff editing) -----------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*WRITERS)
def provider_edit(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    # Staff may change what decides the required credentials; the provider itself may not.
    form_class = (
        ProviderEditForm if selectors.can_manage_faon(request.user) else ProviderSelfEditForm
    )
    # The form validates a copy: a failed POST must not rename the page's own heading.
    form = form_class(request.POST or None, instance=copy.copy(provider))
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form_class.Meta.fields}
        try:
            services.provider_update(
                provider=selectors.provider_get_for_user(user=request.user, pk=pk, write=True),
                by=request.user,
                data=data,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("faon:provider_detail", pk=provider.pk)
    status = 400 if form.is_bound else 200
    vetted = (
        ProviderSelfEditForm.vetted_values(provider) if form_class is ProviderSelfEditForm else []
    )
    return render(
        request,
        "faon/provider_form.html",
        {"form": form, "provider": provider, "vetted": vetted},
        status=status,
    )


@require_POST
@role_required(*WRITERS)
def provider_confirm_details(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    services.provider_confirm_details(provider=provider, by=request.user)
    messages.success(request, "Thank you: your details are confirmed as current.")
    return redirect("faon:provider_detail", pk=provider.pk)


@require_http_methods(["GET", "POST"])
@role_required(*WRITERS)
def license_add(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = LicenseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.license_add(
                provider=provider, by=request.user, data=services.LicenseData(**form.cleaned_data)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "License added; staff will verify it.")
            return redirect("faon:provider_detail", pk=provider.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "faon/license_form.html", {"form": form, "provider": provider}, status=status
    )


@require_http_methods(["GET", "POST"])
@role_required(*WRITERS)
def insurance_add(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = InsuranceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.insurance_add(
                provider=provider,
                by=request.user,
                data=services.InsuranceData(**form.cleaned_data),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Insurance policy added; staff will verify it.")
            return redirect("faon:provider_detail", pk=provider.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "faon/insurancepolicy_form.html",
        {"form": form, "provider": provider},
        status=status,
    )


def _document_response(obj) -> HttpResponse:
    if not obj.document:
        raise Http404
    audit.record(action=f"faon.{obj._meta.model_name}.document_viewed", obj=obj)
    response = FileResponse(
        obj.document.open("rb"),
        content_type=uploads.content_type_of(obj.document.name),
        as_attachment=True,
        filename=f"{obj._meta.model_name}-{obj.pk}.{obj.document.name.rsplit('.', 1)[-1]}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@role_required(*READERS)
def license_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_response(selectors.license_get_for_user(user=request.user, pk=pk))


@require_GET
@role_required(*READERS)
def insurance_document(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_response(selectors.insurance_get_for_user(user=request.user, pk=pk))


# --- staff: members and compliance -------------------------------------------------------


def _filtered_members(request: HttpRequest):
    """The members matching the filters, in list order, WITHOUT compliance annotated: a
    compliance filter is a subquery; the list annotates only its page, the export all."""
    year = compliance.current_membership_year()
    form = MemberFilterForm(request.GET or None)
    qs = selectors.provider_list_visible_to(user=request.user).order_by("name", "pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(name__icontains=data["q"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["state"]:
            qs = qs.filter(state=data["state"])
        for field, column in (
            ("newsletter", "newsletter_opt_in"),
            ("expert", "expert_projects_opt_in"),
            ("travel", "travel_assistance_opt_in"),
        ):
            if data[field]:
                qs = qs.filter(**{column: data[field] == "yes"})
        if data["compliance"]:
            qs = selectors.provider_filter_compliance(qs, year=year, state=data["compliance"])
    return form, qs, year


@require_GET
@role_required(*STAFF)
def provider_list(request: HttpRequest) -> HttpResponse:
    form, qs, year = _filtered_members(request)
    # Count and page the plain ids; compute compliance for the page's 50 rows only (the
    # page's ids are a LIMIT/OFFSET subquery of the rows query: still two queries).
    ids = qs.values_list("pk", flat=True)
    if form.is_valid() and form.cleaned_data["compliance"]:
        # Filtering on compliance evaluates the rule for every candidate: do that once,
        # reading the matching ids, rather than for the COUNT and again for the page.
        ids = list(ids)
    page = Paginator(ids, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.provider_list_with_compliance(page.object_list, year=year)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "faon/provider_list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "query": query.urlencode(),
            "can_export": request.user.role == ADMINISTRATOR,
        },
    )


def _csv_safe(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@role_required(ADMINISTRATOR)  # DESIGN.md: exports are for administrators
def provider_export(request: HttpRequest) -> HttpResponse:
    _form, qs, year = _filtered_members(request)
    qs = selectors.provider_annotate_compliance(qs, year=year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="faon-members-{year}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "ID", "Name", "Organisation", "E-mail", "Phone", "City", "State", "ZIP code",
            "Status", f"Compliant {year}", "Training met", "License current",
            "Insurance current", "Details confirmed", "Newsletter", "Expert projects",
            "Travel assistance",
        ]
    )  # fmt: skip
    rows = 0
    for p in qs.iterator(chunk_size=500):
        rows += 1
        writer.writerow(
            [
                _csv_safe(v)
                for v in (
                    p.pk, p.name, p.organisation_name, p.email, p.phone, p.city, p.state,
                    p.zip_code, p.get_status_display(), p.compliant, p.training_ok,
                    p.license_ok, p.insurance_ok, p.details_ok, p.newsletter_opt_in,
                    p.expert_projects_opt_in, p.travel_assistance_opt_in,
                )
            ]
        )  # fmt: skip
    audit.record(
        action="faon.provider.exported",
        actor=request.user,
        changes={"filters": request.GET.dict(), "rows": rows},
    )
    return response


# --- certificates -----------------------------------------------------------------------


@require_POST
@role_required(ADMINISTRATOR)
def certificate_issue(request: HttpRequest, pk: int) -> HttpResponse:
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = CertificateIssueForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_issue(
                provider=provider, year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Certificate issued.")
            return redirect("faon:provider_detail", pk=provider.pk)
    context = _detail_context(request, provider)
    context["certificate_form"] = form
    return render(request, "faon/provider_detail.html", context, status=400)


@require_GET
@role_required(SUPERVISOR, ADMINISTRATOR, PROVIDER)
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from ..certificates import certificate_pdf as render_pdf

    cert = selectors.certificate_get_for_user(user=request.user, pk=pk)
    audit.record_read(cert)
    response = HttpResponse(render_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="faon-certificate-{cert.year}.pdf"'
    return response


# --- CE transcripts ------------------------------------------------------------------------


@require_POST
@role_required(SUPERVISOR, ADMINISTRATOR, PROVIDER)
def transcript_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """A member issues its own transcript; FAON managers issue one for any member."""
    provider = selectors.provider_get_for_user(user=request.user, pk=pk, write=True)
    form = TranscriptIssueForm(request.POST)
    if form.is_valid():
        try:
            transcript = services.transcript_issue(
                provider=provider, year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Transcript issued: {transcript.credit_hours} credit hours.")
            return redirect("faon:provider_detail", pk=provider.pk)
    context = _detail_context(request, provider)
    context["transcript_form"] = form
    return render(request, "faon/provider_detail.html", context, status=400)


@require_GET
@role_required(SUPERVISOR, ADMINISTRATOR, PROVIDER)
def transcript_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from ..transcripts import transcript_pdf as render_pdf

    transcript = selectors.transcript_get_for_user(user=request.user, pk=pk)
    audit.record_read(transcript)
    response = HttpResponse(render_pdf(transcript), content_type="application/pdf")
    name = f"faon-ce-transcript-{transcript.year}-{transcript.code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@role_required(SUPERVISOR, ADMINISTRATOR)
def certificate_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.certificate_list_visible_to(user=request.user).order_by("-year", "code")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "faon/certificate_list.html", {"page": page})
