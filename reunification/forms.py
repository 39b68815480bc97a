"""Forms parse and present; services validate again and write."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.utils import timezone

from . import services
from .models import PovertyGuideline, Segment, TravelRequest

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MONEY = {"min": "0", "step": "0.01", "inputmode": "decimal"}


def _money(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=MONEY),
        **kwargs,
    )


def _not_negative(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise forms.ValidationError("Amounts cannot be negative.")
    return value


class CaseLookupForm(forms.Form):
    case = forms.CharField(
        label="Case reference",
        max_length=40,
        help_text="The case number (e.g. FS-000123) or the external case number.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("go", "Continue"))


class TravelRequestForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    yearly_income = _money("Yearly household income")
    amount_requested = _money("Assistance asked")

    class Meta:
        model = TravelRequest
        # What the services accept (services.REQUEST_FIELDS), purpose and travellers first.
        fields = [
            "purpose",
            "travellers",
            *(name for name in services.REQUEST_FIELDS if name != "purpose"),
        ]
        widgets = {
            "depart_on": DATE,
            "return_on": DATE,
            "travellers": forms.CheckboxSelectMultiple,
            "passport_visa_notes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        # Only this family's members can travel under this case.
        self.fields["travellers"].queryset = case.family.members.all()
        self.fields["travellers"].label_from_instance = lambda p: (
            f"{p} ({p.get_role_display().lower()})"
        )
        self.fields["destination_country"].widget.attrs.update({"maxlength": 2, "size": 3})
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Trip", "purpose", "travellers", "escorts"),
            Fieldset(
                "Where the child is",
                Div(
                    Div("destination_city", css_class="col-md-5"),
                    Div("destination_state", css_class="col-md-4"),
                    Div("destination_country", css_class="col-md-3"),
                    css_class="row",
                ),
                "is_international",
                "passport_visa_notes",
            ),
            Fieldset(
                "Requested dates",
                Div(
                    Div("depart_on", css_class="col-md-6"),
                    Div("return_on", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Financial need",
                Div(
                    Div("household_size", css_class="col-md-4"),
                    Div("yearly_income", css_class="col-md-4"),
                    Div("amount_requested", css_class="col-md-4"),
                    css_class="row",
                ),
                "other_assistance",
            ),
            "notes",
            "version",
        )
        self.helper.add_input(Submit("save", "Save draft"))

    def clean_destination_country(self) -> str:
        return self.cleaned_data["destination_country"].strip().upper()

    def clean_yearly_income(self):
        return _not_negative(self.cleaned_data.get("yearly_income"))

    def clean_amount_requested(self):
        return _not_negative(self.cleaned_data.get("amount_requested"))

    def clean(self):
        cleaned = super().clean()
        depart, ret = cleaned.get("depart_on"), cleaned.get("return_on")
        if depart and ret and ret < depart:
            self.add_error("return_on", "The return date cannot be before the departure date.")
        country = cleaned.get("destination_country")
        if country and country != "US" and not cleaned.get("is_international"):
            cleaned["is_international"] = True  # travel outside the US is international
        return cleaned

    def _post_clean(self):
        # The service validates the model (and the travellers); do not half-build it here.
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("travellers", None)
        data.pop("version", None)
        return data


class DecisionForm(forms.Form):
    APPROVE, DENY = "approve", "deny"
    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (DENY, "Deny")], widget=forms.RadioSelect
    )
    amount = _money(
        "Amount approved",
        required=False,
        help_text="Leave empty to approve the amount asked.",
    )
    reason = forms.CharField(
        label="Reason (required to deny)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    over_budget_ok = forms.BooleanField(
        label="Approve even though it exceeds this year's travel budget", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, show_over_budget: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_over_budget:
            self.fields["over_budget_ok"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record decision"))

    def clean_amount(self):
        return _not_negative(self.cleaned_data.get("amount"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.DENY and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for the denial.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, submit_label: str = "Cancel the request", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label, css_class="btn-danger"))


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [(z, z.replace("_", " ")) for z in names]


def _as_wall_time(value, zone: ZoneInfo):
    """The clock time typed (read by Django in the portal's zone) placed in `zone`."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=zone)


class SegmentForm(forms.ModelForm):
    estimated_cost = _money("Estimated cost")
    actual_cost = _money("Actual cost", required=False, help_text="Once known.")
    time_zone = forms.ChoiceField(
        label="Time zone of the times",
        choices=time_zone_choices,
        initial=settings.TIME_ZONE,
        required=False,  # left out → the portal's zone
        help_text="Where the segment starts: its times are entered and shown in this zone.",
    )

    class Meta:
        model = Segment
        fields = [
            "kind",
            "provider",
            "from_place",
            "to_place",
            "starts_at",
            "ends_at",
            "time_zone",
            "confirmation_code",
            "estimated_cost",
            "actual_cost",
            "notes",
        ]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        segment = self.instance
        if segment.pk:
            # Show the stored UTC times on the segment's own clock (naive: no re-conversion).
            self.initial["starts_at"] = segment.local_starts_at.replace(tzinfo=None)
            if segment.ends_at:
                self.initial["ends_at"] = segment.local_ends_at.replace(tzinfo=None)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(
                Div("kind", css_class="col-md-4"),
                Div("provider", css_class="col-md-8"),
                css_class="row",
            ),
            Div(
                Div("from_place", css_class="col-md-6"),
                Div("to_place", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("starts_at", css_class="col-md-4"),
                Div("ends_at", css_class="col-md-4"),
                Div("time_zone", css_class="col-md-4"),
                css_class="row",
            ),
            "confirmation_code",
            Div(
                Div("estimated_cost", css_class="col-md-6"),
                Div("actual_cost", css_class="col-md-6"),
                css_class="row",
            ),
            "notes",
        )
        self.helper.add_input(Submit("save", "Save segment"))

    def clean_estimated_cost(self):
        return _not_negative(self.cleaned_data.get("estimated_cost"))

    def clean_actual_cost(self):
        return _not_negative(self.cleaned_data.get("actual_cost"))

    def clean(self):
        cleaned = super().clean()
        zone_name = cleaned.get("time_zone") or settings.TIME_ZONE
        cleaned["time_zone"] = zone_name
        if zone_name:
            zone = ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                if cleaned.get(name) is not None:
                    cleaned[name] = _as_wall_time(cleaned[name], zone)
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", "The end cannot be before the start.")
        return cleaned

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class BookForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    override_reason = forms.CharField(
        label="Reason to book without every document",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only when documents are missing. Recorded in the audit trail.",
    )

    def __init__(self, *args, missing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not missing:
            self.fields["override_reason"].widget = forms.HiddenInput()
        self.helper = FormHelper()
        self.helper.add_input(Submit("book", "Mark booked"))


class ReapproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = _money("New approved amount")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("reapprove", "Re-approve the new amount"))

    def clean_amount(self):
        return _not_negative(self.cleaned_data.get("amount"))


class BudgetForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    amount = _money("Budget")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Set budget"))

    def clean_amount(self):
        return _not_negative(self.cleaned_data.get("amount"))


class GuidelineForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    region = forms.ChoiceField(choices=PovertyGuideline.Region.choices)
    base_amount = _money("Guideline for one person")
    per_extra_person = _money("Add for each additional person")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it (two forms, one field says which)
        self.helper.add_input(Submit("save", "Save guideline"))

    def clean_base_amount(self):
        value = self.cleaned_data.get("base_amount")
        if value is not None and value <= 0:
            raise forms.ValidationError("The guideline for one person must be positive.")
        return value

    def clean_per_extra_person(self):
        return _not_negative(self.cleaned_data.get("per_extra_person"))


class PolicyForm(forms.Form):
    recommend_up_to_percent = forms.DecimalField(
        label="Recommend assistance up to (% of the poverty guideline)",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("1"),
    )
    follow_up_days = forms.CharField(
        label="Follow-up tasks after the trip (days, comma-separated)",
        help_text="e.g. 3, 30, 90 for 3 days, about 1 month and about 3 months.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page wraps it (two forms, one field says which)
        self.helper.add_input(Submit("save", "Save policy"))

    def clean_follow_up_days(self) -> list[int]:
        raw = self.cleaned_data["follow_up_days"]
        try:
            days = sorted({int(p) for p in raw.replace(";", ",").split(",") if p.strip()})
        except ValueError as exc:
            raise forms.ValidationError("Enter whole numbers of days, e.g. 3, 30, 90.") from exc
        if any(d < 1 or d > 3650 for d in days):
            raise forms.ValidationError("Each follow-up is between 1 and 3650 days after.")
        return days


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            ("open", "Open (not finished)"),
            *TravelRequest.Status.choices,
        ],
        required=False,
    )
    purpose = forms.ChoiceField(
        choices=[("", "Any purpose"), *TravelRequest.Purpose.choices], required=False
    )
    international = forms.ChoiceField(
        choices=[("", "Domestic or international"), ("yes", "International"), ("no", "Domestic")],
        required=False,
    )
    mine = forms.BooleanField(label="Only my requests", required=False)
    q = forms.CharField(label="Search", required=False, max_length=60)
