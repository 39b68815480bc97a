"""Forms of the phone-system pages (administrators)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms


class PhoneIntegrationForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="Which phone system this is, e.g. “Office PBX”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create the integration"))

    def clean_name(self) -> str:
        value = self.cleaned_data["name"].strip()
        if not value:
            raise forms.ValidationError("Give the integration a name.")
        return value
