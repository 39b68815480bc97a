"""Forms of the privacy pages: restriction, people, break-glass, review, holds, contact rules."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from . import restricted
from .forms import _clean_phone
from .models import BreakGlass, ContactMethod, FamilyContactRules, Weekday


def _helper(label: str, css: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class=css))
    return helper


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, submit: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit)

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("Give a reason.")
        return value


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label="Add a person", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = restricted.grantable_users().order_by("full_name", "email")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.full_name or u.email} ({u.get_role_display()})"
        )
        self.helper = _helper("Add to the case", "btn-outline-primary")


class BreakGlassForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need this case now?",
        choices=BreakGlass.Reason.choices,
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label="Explain in your own words",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Supervisors are told at once and review every break-glass.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Break the glass and open the case", "btn-danger")

    def clean_explanation(self):
        value = self.cleaned_data["explanation"].strip()
        if len(value) < 10:
            raise forms.ValidationError("Explain in a sentence why you need the case now.")
        return value


class ReviewForm(forms.Form):
    review = forms.ChoiceField(
        label="Review",
        choices=[
            (BreakGlass.Review.REVIEWED, "Reviewed: justified"),
            (BreakGlass.Review.FLAGGED, "Flag for follow-up"),
        ],
    )
    note = forms.CharField(label="Note", max_length=300, required=False)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ContactRulesForm(forms.ModelForm):
    methods = forms.MultipleChoiceField(
        label="The family may be contacted by",
        choices=ContactMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    days = forms.TypedMultipleChoiceField(
        label="On these days (none ticked: any day)",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = FamilyContactRules
        fields = [
            *FamilyContactRules.RULES,
            "alternate_name",
            "alternate_relationship",
            "alternate_phone",
        ]
        labels = {
            "earliest": "Not before (family's time)",
            "latest": "Not after (family's time)",
            "no_voicemail": "Never leave a voicemail",
            "do_not_name_organisation": "Do not name the organisation (on the phone, in messages)",
            "alternate_name": "Alternate safe contact (name)",
            "alternate_relationship": "Relationship to the family",
            "alternate_phone": "Alternate's phone",
        }
        widgets = {"earliest": TimeInput(), "latest": TimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save the rules")

    def clean_alternate_phone(self):
        return _clean_phone(self.cleaned_data["alternate_phone"])

    def clean(self):
        data = super().clean()
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and earliest >= latest:
            self.add_error("latest", "The latest time must be after the earliest time.")
        if not data.get("methods") and not (data.get("alternate_name") or "").strip():
            self.add_error(
                "methods", "Allow at least one way to reach the family, or name an alternate."
            )
        return data

    def _post_clean(self):
        # The service validates and saves; skip the model's own instance validation here.
        pass
