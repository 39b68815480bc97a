from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import password_validation

from .models import User


class InviteForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=User.Role.choices)
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="For advocates: the supervisor whose team they join.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(
            role=User.Role.SUPERVISOR, is_active=True
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this e-mail address already exists.")
        return email


class UserRoleForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "role", "supervisor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(
            role=User.Role.SUPERVISOR, is_active=True
        )
        self.fields["supervisor"].required = False
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save changes"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("supervisor") and cleaned.get("supervisor") == self.instance:
            self.add_error("supervisor", "A user cannot supervise themselves.")
        return cleaned


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 15 characters. A few unrelated words make a good passphrase.",
    )
    password2 = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Set password"))

    def clean_password2(self) -> str:
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("The two passwords differ.")
        if p2:
            password_validation.validate_password(p2, self.user)
        return p2


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who (e-mail)")
    action = forms.CharField(required=False, label="Action contains")
    object_label = forms.CharField(required=False, label="Record")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data["actor"]:
            qs = qs.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            qs = qs.filter(action__icontains=data["action"])
        if data["object_label"]:
            qs = qs.filter(object_label__icontains=data["object_label"])
        if data["since"]:
            qs = qs.filter(at__date__gte=data["since"])
        if data["until"]:
            qs = qs.filter(at__date__lte=data["until"])
        return qs
