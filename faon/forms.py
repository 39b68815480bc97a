from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from familysupport.lib import dates, phones

from . import services, uploads
from .models import (
    US_STATES,
    Discipline,
    FeeArrangement,
    InsurancePolicy,
    Language,
    License,
    Provider,
    ServiceMode,
    Specialty,
    TrainingEvent,
    Verification,
)

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _helper(submit: str | None = None, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    if submit:
        helper.add_input(Submit("submit", submit))
    return helper


def _checkboxes(choices, label: str | Promise, required: bool = True) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple, label=label, required=required
    )


def normalise_phone(value: str) -> str:
    """A provider's phone in E.164 (the same rule as families' numbers); "" when left empty."""
    if not (value or "").strip():
        return ""
    if number := phones.to_e164(value):
        return number
    raise forms.ValidationError(
        _("Enter a 10-digit US phone number, or an international one with +.")
    )


class ProviderProfileForm(forms.ModelForm):
    disciplines = _checkboxes(Discipline.choices, _("Disciplines"))
    specialties = _checkboxes(Specialty.choices, _("Specialties"), required=False)
    languages = _checkboxes(Language.choices, _("Languages you serve families in"))
    service_modes = _checkboxes(ServiceMode.choices, _("Service modes"))
    fee_arrangements = _checkboxes(FeeArrangement.choices, _("Fee arrangements"))
    telehealth_states = forms.MultipleChoiceField(
        choices=US_STATES,
        required=False,
        label=_("States where you may provide telehealth"),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    insurance_plans = SimpleArrayField(
        forms.CharField(max_length=80),
        required=False,
        label=_("Insurance plans accepted"),
        help_text=_("Separate plans with commas."),
    )

    class Meta:
        model = Provider
        fields = [
            "kind",
            "name",
            "credentials",
            "organisation_name",
            "contact_name",
            "email",
            "phone",
            "website",
            "description",
            "disciplines",
            "specialties",
            "languages",
            "service_modes",
            "telehealth_states",
            "fee_arrangements",
            "insurance_plans",
            "age_min",
            "age_max",
            "address_line",
            "city",
            "state",
            "zip_code",
            "service_radius_miles",
            "capacity",
            "accepting_referrals",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        # The model's labels and help texts, repeated here so the public form translates them.
        labels = {
            "kind": _("Kind"),
            "name": _("Name (person or organisation)"),
            "credentials": _("Credentials"),
            "organisation_name": _("Organisation name"),
            "contact_name": _("Contact name"),
            "email": _("Email"),
            "phone": _("Phone"),
            "website": _("Website"),
            "description": _("Description"),
            "age_min": _("Youngest age served"),
            "age_max": _("Oldest age served"),
            "address_line": _("Address line"),
            "city": _("City"),
            "state": _("State"),
            "zip_code": _("ZIP code"),
            "service_radius_miles": _("Service radius miles"),
            "capacity": _("Capacity"),
            "accepting_referrals": _("Accepting referrals"),
        }
        help_texts = {
            "name": _("Person's or organisation's name."),
            "credentials": _("Letters after the name, e.g. PhD, LCSW."),
            "organisation_name": _("Practice or employer, for individuals."),
            "description": _("Public profile text."),
            "capacity": _("New families the provider can take on now."),
            "phone": _("E.164"),
        }

    submit_label = "Save profile"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].help_text = _("For organisations: who we contact.")
        self.helper = _helper(self.submit_label)

    def clean_zip_code(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data["zip_code"])[:10]
        if not re.fullmatch(r"\d{5}(-\d{4})?", value):
            raise forms.ValidationError(_("Enter a 5-digit US ZIP code."))
        value = value[:5]
        if services.zip_lookup(value) is None:
            raise forms.ValidationError(_("This ZIP code is not a known US ZIP code."))
        return value

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        lo, hi = cleaned.get("age_min"), cleaned.get("age_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("age_max", _("The oldest age served must not be below the youngest."))
        modes = cleaned.get("service_modes") or []
        if ServiceMode.TELEHEALTH in modes and not cleaned.get("telehealth_states"):
            self.add_error("telehealth_states", _("Choose the states where you offer telehealth."))
        if FeeArrangement.INSURANCE in (cleaned.get("fee_arrangements") or []) and not cleaned.get(
            "insurance_plans"
        ):
            self.add_error("insurance_plans", _("List the insurance plans you accept."))
        return cleaned


class MemberBenefitsForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["newsletter_opt_in", "expert_projects_opt_in", "travel_assistance_opt_in"]
        labels = {
            "newsletter_opt_in": "Send me the quarterly eNewsletter",
            "expert_projects_opt_in": "Ask me about paid expert projects and trainings",
            "travel_assistance_opt_in": "Ask me to travel internationally to assist reunifications",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(form_tag=False)


class ProviderEditForm(ProviderProfileForm):
    """Profile plus member-benefit choices (one page for the provider)."""

    class Meta(ProviderProfileForm.Meta):
        fields = [*ProviderProfileForm.Meta.fields, *MemberBenefitsForm.Meta.fields]
        labels = {**ProviderProfileForm.Meta.labels, **MemberBenefitsForm.Meta.labels}


class ProviderSelfEditForm(ProviderEditForm):
    """The provider's own edit page: without the fields staff vet (services.VETTED_FIELDS)."""

    disciplines = None  # drop the declared field, not only the Meta entry

    class Meta(ProviderEditForm.Meta):
        fields = [f for f in ProviderEditForm.Meta.fields if f not in services.VETTED_FIELDS]

    @staticmethod
    def vetted_values(provider: Provider) -> list[tuple[str, str]]:
        """The vetted fields as the provider sees them (read-only) on its edit page."""
        return [
            ("Kind", provider.get_kind_display()),
            ("Disciplines", ", ".join(str(Discipline(d).label) for d in provider.disciplines)),
            ("Credentials", provider.credentials or "—"),
        ]


class ApplicationForm(forms.Form):
    applicant_name = forms.CharField(max_length=150, label=_("Your name"))
    applicant_email = forms.EmailField(
        label=_("Your e-mail address"), help_text=_("We send a confirmation link here.")
    )
    references = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Professional references"),
        help_text=_(
            "Two colleagues or organisations who can speak to your standing (name, role, "
            "phone or e-mail)."
        ),
    )
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Anything else you would like us to know"),
    )
    agree = forms.BooleanField(
        label=_(
            "I have read the requirements and will keep my details, license and insurance "
            "current, attend 1 FAON event or complete 2 online trainings each year, and "
            "respond to referral requests."
        )
    )
    # Honeypot: hidden from people by CSS; bots that fill every field are dropped.
    nickname = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nickname"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.helper = _helper(form_tag=False)


class JoinProfileForm(ProviderProfileForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(form_tag=False)
        self.fields["accepting_referrals"].initial = True


class LicenseForm(forms.ModelForm):
    class Meta:
        model = License
        fields = ["license_type", "state", "number", "expires_on", "standing", "document"]
        widgets = {"expires_on": DATE}
        labels = {
            "license_type": _("License type"),
            "state": _("State"),
            "number": _("Number"),
            "expires_on": _("Expires on"),
            "document": _("Copy of the license (PDF, PNG or JPEG, up to 10 MB; optional)"),
        }
        help_texts = {"license_type": _("e.g. LCSW, LPC, PsyD, Bar")}

    def __init__(self, *args, form_tag: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standing"].label = _("Standing")
        self.fields["standing"].help_text = _(
            "Choose disciplinary action if any board action or significant judgment exists."
        )
        self.helper = _helper("Add license" if form_tag else None, form_tag=form_tag)
        if form_tag:
            self.helper.form_enctype = "multipart/form-data"
        self.helper.disable_csrf = not form_tag

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < dates.today():
            raise forms.ValidationError(
                _(
                    "This license has already expired; add the renewed license with its new "
                    "expiry date."
                )
            )
        return expires_on

    def clean_document(self):
        doc = self.cleaned_data.get("document")
        if doc and hasattr(doc, "content_type"):  # a new upload
            uploads.validate_document(doc)
        return doc


class BaseLicenseFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {"form_tag": False}


JoinLicenseFormSet = forms.formset_factory(
    LicenseForm, formset=BaseLicenseFormSet, extra=2, max_num=5, validate_max=True
)


class InsuranceForm(forms.ModelForm):
    class Meta:
        model = InsurancePolicy
        fields = ["carrier", "policy_number", "covers_from", "covers_to", "document"]
        widgets = {"covers_from": DATE, "covers_to": DATE}
        labels = {
            "carrier": _("Insurance carrier"),
            "policy_number": _("Policy number"),
            "covers_from": _("Covers from"),
            "covers_to": _("Covers to"),
            "document": _("Certificate of insurance (PDF, PNG or JPEG, up to 10 MB)"),
        }

    def __init__(self, *args, form_tag: bool = True, require_all: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].required = True
        if not require_all:
            for field in self.fields.values():
                field.required = False
        self.helper = _helper("Add policy" if form_tag else None, form_tag=form_tag)
        if form_tag:
            self.helper.form_enctype = "multipart/form-data"

    def has_content(self) -> bool:
        return any(self.data.get(self.add_prefix(f)) for f in ("carrier", "policy_number")) or bool(
            self.files.get(self.add_prefix("document"))
        )

    def clean_document(self):
        doc = self.cleaned_data.get("document")
        if doc and hasattr(doc, "content_type"):
            uploads.validate_document(doc)
        return doc

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("covers_from"), cleaned.get("covers_to")
        if start and end and end < start:
            self.add_error("covers_to", _("The end of cover must be after its start."))
        elif end and end < dates.today():
            self.add_error(
                "covers_to",
                _("This policy has already ended; add the renewed policy with its new dates."),
            )
        return cleaned


class LicenseVerifyForm(forms.Form):
    verification = forms.ChoiceField(
        choices=[(Verification.VERIFIED, "Verified"), (Verification.REJECTED, "Could not verify")]
    )
    source = forms.ChoiceField(
        choices=[("", "—"), *License.Source.choices], required=False, label="Verified at"
    )
    standing = forms.ChoiceField(choices=License.Standing.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record verification")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verification") == Verification.VERIFIED and not cleaned.get("source"):
            self.add_error("source", "Say where the license was verified.")
        if (
            cleaned.get("standing") == License.Standing.DISCIPLINARY
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", "Describe the disciplinary action found.")
        return cleaned


class InsuranceVerifyForm(forms.Form):
    verification = forms.ChoiceField(
        choices=[(Verification.VERIFIED, "Verified"), (Verification.REJECTED, "Could not verify")]
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record verification")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("verification") == Verification.REJECTED
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", "Say why the policy could not be verified.")
        return cleaned


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=list(services.ACTION_LABELS.items()))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note / reason",
        help_text="Required to reject or suspend, and to approve despite disciplinary action.",
    )

    def __init__(self, *args, actions: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None:
            self.fields["action"].choices = [(a, services.ACTION_LABELS[a]) for a in actions]
        self.helper = _helper("Record decision")


class EventForm(forms.ModelForm):
    online_url = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = TrainingEvent
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "ce_credits",
            "capacity",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end < start:
            self.add_error("ends_at", "The end must be after the start.")
        return cleaned


class CompletionForm(forms.Form):
    completed_on = forms.DateField(widget=DATE, label="Completed on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Record completion")


class ManagerAddForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="An existing provider account is linked; a new address is invited by e-mail.",
    )
    full_name = forms.CharField(
        max_length=150, required=False, label="Full name", help_text="Needed for a new user."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Add portal user")


class ManagerRemoveForm(forms.Form):
    """Which manager to remove; only the record's own managers are valid choices."""

    user = forms.ModelChoiceField(
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "This user does not manage this record."},
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = provider.managers.all()


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=120, label="Partner / purpose")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Issue key")


class CertificateIssueForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Issue certificate")


class TranscriptIssueForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Issue transcript")


class NewsletterForm(forms.Form):
    subject = forms.CharField(max_length=150)
    body_markdown = forms.CharField(
        label="Text (Markdown)", widget=forms.Textarea(attrs={"rows": 14}), max_length=50_000
    )
    segment_disciplines = forms.MultipleChoiceField(
        label="Only these disciplines (none: all)",
        choices=Discipline.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    segment_states = forms.MultipleChoiceField(
        label="Only members in these states (none: all)", choices=US_STATES, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save and preview")
        self.helper.attrs = {"novalidate": ""}  # the server's messages, next to each field


class VerifyCodeForm(forms.Form):
    # A public page in English and Spanish: labels go through gettext (locale/es).
    code = forms.CharField(max_length=24, label=_("Verification code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Check"))
        self.helper.form_method = "get"


class MemberFilterForm(forms.Form):
    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
    q = forms.CharField(required=False, label="Name")
    status = forms.ChoiceField(choices=[("", "Any"), *Provider.Status.choices], required=False)
    compliance = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("met", "Compliant"),
            ("not_met", "Not compliant"),
            ("training", "Missing training"),
            ("license", "Missing license"),
            ("insurance", "Missing insurance"),
            ("details", "Details not confirmed"),
        ],
        required=False,
    )
    state = forms.ChoiceField(choices=[("", "Any"), *US_STATES], required=False)
    newsletter = forms.ChoiceField(choices=YES_NO, required=False, label="Newsletter")
    expert = forms.ChoiceField(choices=YES_NO, required=False, label="Expert projects")
    travel = forms.ChoiceField(choices=YES_NO, required=False, label="Travel assistance")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css
