"""Pages anyone may open: the application to join and the certificate check."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from familysupport.lib.audit import client_ip

from .. import selectors, services
from ..forms import (
    ApplicationForm,
    InsuranceForm,
    JoinLicenseFormSet,
    JoinProfileForm,
    VerifyCodeForm,
)
from ..models import LICENSED_DISCIPLINES, Provider

JOIN_LIMIT = 10  # application POSTs per address per hour (DatabaseCache: survives Redis outages)
JOIN_WINDOW = 60 * 60


def _rate_limited(request: HttpRequest) -> bool:
    key = f"faon:join:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, JOIN_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, JOIN_WINDOW)
        count = 1
    return count > JOIN_LIMIT


def _join_forms(request: HttpRequest):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    return (
        ApplicationForm(data, prefix="app"),
        JoinProfileForm(data, prefix="profile"),
        JoinLicenseFormSet(data, files, prefix="lic"),
        InsuranceForm(data, files, prefix="ins", form_tag=False),
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    app_form, profile_form, license_forms, insurance_form = _join_forms(request)
    context = {
        "app_form": app_form,
        "profile_form": profile_form,
        "license_forms": license_forms,
        "insurance_form": insurance_form,
    }
    if request.method == "GET":
        return render(request, "faon/application_form.html", context)
    if _rate_limited(request):
        context["rate_limited"] = True
        return render(request, "faon/application_form.html", context, status=429)
    if request.POST.get("app-nickname"):
        # A bot filled the hidden field: answer as if it worked, store nothing.
        return redirect("faon:join_thanks")
    valid = all([app_form.is_valid(), profile_form.is_valid(), license_forms.is_valid()])
    licenses = [f for f in license_forms if f.is_valid() and f.has_changed() and f.cleaned_data]
    needs = set()
    if profile_form.is_valid():
        disciplines = set(profile_form.cleaned_data["disciplines"]) & LICENSED_DISCIPLINES
        if disciplines:
            needs.add("insurance")
            if profile_form.cleaned_data["kind"] == Provider.Kind.INDIVIDUAL:
                needs.add("license")
    insurance_given = insurance_form.has_content()
    if "insurance" in needs or insurance_given:
        valid = insurance_form.is_valid() and valid
    if "license" in needs and not licenses:
        license_forms.forms[0].add_error(
            None, _("Licensed clinicians add at least one current license.")
        )
        valid = False
    context["files_lost"] = bool(request.FILES)
    if not valid:
        return render(request, "faon/application_form.html", context, status=400)
    provider_data = {
        k: v for k, v in profile_form.cleaned_data.items() if k in JoinProfileForm.Meta.fields
    }
    services.application_submit(
        provider_data=provider_data,
        applicant_name=app_form.cleaned_data["applicant_name"],
        applicant_email=app_form.cleaned_data["applicant_email"],
        references=app_form.cleaned_data["references"],
        motivation=app_form.cleaned_data["motivation"],
        licenses=[services.LicenseData(**f.cleaned_data) for f in licenses],
        insurance=services.InsuranceData(**insurance_form.cleaned_data)
        if insurance_form.is_bound and insurance_given and insurance_form.is_valid()
        else None,
    )
    return redirect("faon:join_thanks")


@require_GET
def join_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "faon/application_thanks.html")


@require_http_methods(["GET", "POST"])
def join_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # Mail link scanners open every link in a message: opening the link only shows a button,
    # so an address counts as confirmed when a person pressed it (POST).
    if request.method == "POST":
        application = services.application_confirm_email(token=token)
    else:
        application = selectors.application_for_confirm_token(token=token)
    if application is None:
        return render(request, "faon/application_confirm.html", {"ok": False}, status=404)
    return render(
        request,
        "faon/application_confirm.html",
        {"ok": True, "confirmed": application.email_confirmed_at is not None, "token": token},
    )


@require_GET
def certificate_verify(request: HttpRequest) -> HttpResponse:
    form = VerifyCodeForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        cert = selectors.certificate_verify(code=code)
        # What the certificate itself prints (its holder shows it): whose, which year, and
        # whether it still stands. Nothing else about the member.
        result = {
            "found": cert is not None,
            "valid": cert is not None and cert.revoked_at is None,
            "name": cert.name_on_certificate if cert else "",
            "year": cert.year if cert else None,
        }
        transcript = None if cert else selectors.transcript_verify(code=code)
        if transcript is not None:  # a CE transcript: whose, which year, hours, when issued
            result = {
                "found": True,
                "valid": True,
                "transcript": True,
                "name": transcript.name_on_transcript,
                "year": transcript.year,
                "hours": transcript.credit_hours,
                "issued": transcript.issued_at,
            }
    return render(request, "faon/certificate_verify.html", {"form": form, "result": result})
