from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from faon.models import US_STATES, FeeArrangement, Language, Specialty

from . import services
from .models import Agency, FeeNeed, LegalAssistanceRequest, Referral, ServiceType

BLANK = [("", "Any")]


class MatchForm(forms.Form):
    """The search of the match page (GET)."""

    SOURCES = [
        ("faon", "FAON providers"),
        ("agency", "Community agencies"),
        ("attorney", "Attorneys (directory)"),
    ]

    source = forms.ChoiceField(label="Search in", choices=SOURCES, initial="faon")
    service_type = forms.ChoiceField(
        label="Service needed", choices=ServiceType.choices, initial=ServiceType.MENTAL_HEALTH
    )
    specialty = forms.ChoiceField(choices=BLANK + Specialty.choices, required=False)
    language = forms.ChoiceField(choices=BLANK + Language.choices, required=False)
    fee = forms.ChoiceField(
        label="Fee arrangement", choices=BLANK + FeeArrangement.choices, required=False
    )
    insurance_plan = forms.CharField(label="Insurance plan", max_length=80, required=False)
    age_min = forms.IntegerField(
        label="Child's age from", min_value=0, max_value=25, required=False
    )
    age_max = forms.IntegerField(label="to", min_value=0, max_value=25, required=False)
    include_telehealth = forms.BooleanField(
        label="Include telehealth / remote in the family's state", required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("search", "Search", css_class="btn-primary"))

    def clean(self):
        data = super().clean()
        lo, hi = data.get("age_min"), data.get("age_max")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("age_max", "The upper age must not be below the lower one.")
        if data.get("insurance_plan") and data.get("fee") != FeeArrangement.INSURANCE:
            self.add_error("insurance_plan", "An insurance plan goes with 'Insurance accepted'.")
        return data


class ReferralCreateForm(forms.Form):
    service_type = forms.ChoiceField(label="Service needed", choices=ServiceType.choices)
    fee_need = forms.ChoiceField(label="Fee need", choices=FeeNeed.choices, required=False)
    insurance_plan = forms.CharField(max_length=80, required=False)
    note_for_provider = forms.CharField(
        label="Note for the provider",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Shown to the provider only after it accepts. No case notes.",
    )
    send_now = forms.BooleanField(label="Send now", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Create referral", css_class="btn-primary"))

    def clean(self):
        data = super().clean()
        if data.get("insurance_plan") and data.get("fee_need") != FeeNeed.INSURANCE:
            self.add_error("insurance_plan", "An insurance plan goes with the 'Insurance' need.")
        return data


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you decline?", choices=[("", "---------"), *Referral.DeclineReason.choices]
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text="Required when the reason is 'Other'.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("decline", "Decline the referral", css_class="btn-danger"))

    def clean(self):
        data = super().clean()
        if data.get("reason") == Referral.DeclineReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say briefly why, when the reason is 'Other'.")
        return data


class FirstAppointmentForm(forms.Form):
    on = forms.DateField(
        label="First appointment held on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("record", "Record first appointment"))

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError("Record the first appointment once it has taken place.")
        return on


class CompleteForm(forms.Form):
    outcome = forms.CharField(label="Outcome (optional)", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("complete", "Mark completed"))


class CloseForm(forms.Form):
    outcome = forms.CharField(label="How did the referral end?", max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("close", "Close the referral"))


class StaffAnswerForm(forms.Form):
    """Staff record an agency's or attorney's answer given by phone or e-mail."""

    ANSWERS = [("", "---------"), ("accepted", "Accepted"), ("declined", "Declined")]
    answer = forms.ChoiceField(choices=ANSWERS)
    reason = forms.ChoiceField(
        label="Decline reason",
        choices=[("", "---------"), *Referral.DeclineReason.choices],
        required=False,
    )
    note = forms.CharField(label="Note", max_length=1000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("record", "Record the answer"))

    def clean(self):
        data = super().clean()
        if data.get("answer") == "declined":
            if not data.get("reason"):
                self.add_error("reason", "Choose why the referral was declined.")
            elif data["reason"] == Referral.DeclineReason.OTHER and not data.get("note"):
                self.add_error("note", "Say briefly why, when the reason is 'Other'.")
        return data


def _split_codes(raw: str) -> list[str]:
    return list(dict.fromkeys(c.strip() for c in raw.replace(";", ",").split(",") if c.strip()))


class AgencyForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")
    services = forms.MultipleChoiceField(
        choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        choices=Language.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    remote_states = forms.MultipleChoiceField(
        label="States served remotely",
        choices=US_STATES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Agency
        fields = [
            "kind",
            "name",
            "services",
            "languages",
            "description",
            "contact_name",
            "phone",
            "email",
            "website",
            "city",
            "state",
            "zip_code",
            "service_radius_miles",
            "remote_states",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))

    def clean_zip_code(self) -> str:
        raw = "".join(ch for ch in self.cleaned_data["zip_code"] if ch.isdigit())[:5]
        if len(raw) != 5:
            raise forms.ValidationError("Enter a 5-digit US ZIP code.")
        from .selectors import zip_centroid

        if zip_centroid(raw) is None:
            raise forms.ValidationError("This ZIP code is not known.")
        return raw

    def clean_state(self) -> str:
        state = self.cleaned_data.get("state", "").strip().upper()
        if state and state not in dict(US_STATES):
            raise forms.ValidationError("Enter a two-letter US state code.")
        return state


class LegalRequestForm(forms.ModelForm):
    provided = forms.MultipleChoiceField(
        label="What was provided",
        choices=LegalAssistanceRequest.Provided.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    case_reference = forms.CharField(
        label="Case (optional)",
        max_length=40,
        required=False,
        help_text="Case reference, e.g. FS-000012.",
    )

    class Meta:
        model = LegalAssistanceRequest
        fields = [
            "requester_kind",
            "requester_name",
            "requester_contact",
            "topic",
            "jurisdiction",
            "question",
            "status",
            "provided",
            "time_spent_minutes",
            "received_on",
            "completed_on",
        ]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}),
            "completed_on": forms.DateInput(attrs={"type": "date"}),
            "question": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._cases = cases
        if self.instance.pk and self.instance.case_id and not self.is_bound:
            self.initial["case_reference"] = self.instance.case.reference
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save"))

    def clean_case_reference(self):
        ref = self.cleaned_data["case_reference"].strip()
        if not ref:
            return None
        qs = self._cases
        if qs is None:
            raise forms.ValidationError("No case can be linked.")
        found = qs.filter(external_case_number=ref).first()
        if found is None and ref.upper().startswith("FS-") and ref[3:].isdigit():
            found = qs.filter(pk=int(ref[3:])).first()
        if found is None:
            raise forms.ValidationError("No case with this reference.")
        return found

    def clean(self):
        data = super().clean()
        # The rules live in the service (which enforces them); shown here with the others.
        for field, message in services.legal_request_errors(
            status=data.get("status", ""),
            provided=data.get("provided"),
            received_on=data.get("received_on"),
            completed_on=data.get("completed_on"),
        ).items():
            self.add_error(field, message)
        return data

    def save(self, commit=True):  # the service saves; the form only fills the instance
        obj = super().save(commit=False)
        obj.case = self.cleaned_data.get("case_reference")
        return obj
