from __future__ import annotations

import datetime as dt
import zoneinfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from accounts.models import User
from cases.models import Case

from . import services
from .models import PeerCall, PeerMatch, Volunteer

COMMON_TIME_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]


def time_zone_choices() -> list[tuple[str, str]]:
    rest = sorted(zoneinfo.available_timezones() - set(COMMON_TIME_ZONES))
    return [(tz, tz.replace("_", " ")) for tz in [*COMMON_TIME_ZONES, *rest]]


class VolunteerForm(forms.ModelForm):
    experience_types = forms.MultipleChoiceField(
        label="Lived experience (kinds of case)",
        choices=Case.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        max_length=200,
        help_text="Language codes separated by commas, e.g. en, es.",
        initial="en",
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices)

    class Meta:
        model = Volunteer
        fields = list(services.PROFILE_FIELDS)  # what the services accept, one list
        widgets = {
            "training_completed_on": forms.DateInput(attrs={"type": "date"}),
            "background_check_on": forms.DateInput(attrs={"type": "date"}),
        }

    submit_label = "Save volunteer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["languages"] = ", ".join(self.instance.languages)
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 20})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data["languages"]
        codes = [c.strip().lower() for c in raw.replace(";", ",").split(",") if c.strip()]
        if not codes:
            raise forms.ValidationError("Enter at least one language.")
        if any(len(c) > 35 for c in codes):
            raise forms.ValidationError("Each language code must be short (e.g. en, es).")
        return list(dict.fromkeys(codes))

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if not 1 <= capacity <= 20:
            raise forms.ValidationError("Capacity is between 1 and 20 families.")
        return capacity

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("training_completed_on", "background_check_on"):
            value = cleaned.get(name)
            if value and value > today:
                self.add_error(name, "This date cannot be in the future.")
        return cleaned

    def profile(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VolunteerAddForm(VolunteerForm):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="E-mail address")

    submit_label = "Invite volunteer"

    class Meta(VolunteerForm.Meta):
        pass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["full_name", "email", *VolunteerForm.Meta.fields])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this e-mail address already exists.")
        return email

    def _post_clean(self):
        # The user does not exist yet; the service builds and validates the Volunteer.
        pass


class MatchCreateForm(forms.Form):
    volunteer = forms.ModelChoiceField(queryset=Volunteer.objects.none())
    why_matched = forms.CharField(
        label="Why this match",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shared experience, language, anything the volunteer should know to start.",
    )

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if volunteers is not None:
            self.fields["volunteer"].queryset = volunteers
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create match"))


class MatchEndForm(forms.Form):
    end_reason = forms.ChoiceField(
        label="Why does the match end?", choices=[("", "---------"), *PeerMatch.EndReason.choices]
    )
    end_note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "End match"))


class CallForm(forms.Form):
    """A peer call in a few taps; the date and time are the volunteer's local time."""

    called_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    called_time = forms.TimeField(
        label="Time (optional)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 600}),
    )
    direction = forms.ChoiceField(
        label="Who called?",
        choices=PeerCall.Direction.choices,
        widget=forms.RadioSelect,
        initial=PeerCall.Direction.OUTBOUND,
    )
    topics = forms.MultipleChoiceField(
        label="What did you talk about?",
        choices=PeerCall.Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Short note",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Seen by you and the Team HOPE supervisor, not by the family's advocate.",
    )
    escalate = forms.BooleanField(
        label="The family needs an advocate now",
        required=False,
        help_text="The family's advocate is alerted at once.",
    )
    escalation_reason = forms.CharField(
        label="What should the advocate know?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, tz: str = "America/New_York", **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.tz = zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.tz = timezone.get_current_timezone()
        today = timezone.now().astimezone(self.tz).date()
        self.fields["called_on"].initial = today
        self.fields["called_on"].widget.attrs["max"] = today.isoformat()
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template adds the big phone-sized button

    def clean_duration_minutes(self) -> int:
        minutes = self.cleaned_data["duration_minutes"]
        if minutes < 1:
            raise forms.ValidationError("The length of the call must be at least 1 minute.")
        if minutes > 600:
            raise forms.ValidationError("Enter the length of the call in minutes (at most 600).")
        return minutes

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("called_on")
        if day is None:
            return cleaned
        now = timezone.now().astimezone(self.tz)
        at = cleaned.get("called_time")
        if at is None:
            # No time given: now for a call today, midday for an earlier day.
            called_at = now if day == now.date() else dt.datetime.combine(day, dt.time(12, 0))
        else:
            called_at = dt.datetime.combine(day, at)
        if called_at.tzinfo is None:
            called_at = called_at.replace(tzinfo=self.tz)
        if day > now.date():
            self.add_error("called_on", "The call cannot be in the future.")
        elif called_at > now + dt.timedelta(minutes=5):
            self.add_error("called_time", "The call cannot be in the future.")
        cleaned["called_at"] = called_at
        return cleaned

    def service_kwargs(self) -> dict:
        c = self.cleaned_data
        return {
            "called_at": c["called_at"],
            "duration_minutes": c["duration_minutes"],
            "direction": c["direction"],
            "topics": c["topics"],
            "note": c["note"],
            "escalate": c["escalate"],
            "escalation_reason": c["escalation_reason"],
        }


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="What should the advocate know? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template adds the big phone-sized button


class EscalationResolveForm(forms.Form):
    note = forms.CharField(label="What was done", max_length=500, required=False)
