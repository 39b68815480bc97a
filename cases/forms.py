"""Forms parse what advocates type into domain values; services do the writing."""

from __future__ import annotations

import codecs
import datetime as dt

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, F, IntegerField, Q, Value, When
from django.db.models import Case as CaseExpr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from familysupport.lib.expressions import AnyOf, FirstNonEmpty
from familysupport.lib.forms import FastSelect
from familysupport.lib.phones import to_e164

from . import selectors
from .models import Case, Contact, Family, Person, Resource, ResourceFeedback
from .phone_models import PhoneCall
from .services import FUTURE_TOLERANCE

PHONE_HELP = "Any format, e.g. (555) 010-2000 or +1 555 010 2000."
PHONE_ERROR = "Enter a phone number, e.g. (555) 010-2000."


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    e164 = to_e164(value)
    if not e164:
        raise forms.ValidationError(PHONE_ERROR)
    return e164


def _clean_zip(value: str | None) -> str:
    value = (value or "").strip()
    digits = value.split("-")[0]
    if value and (len(digits) != 5 or not digits.isdigit()):
        raise forms.ValidationError("Enter a 5-digit US ZIP code.")
    return digits


def _clean_state(value: str | None) -> str:
    value = (value or "").strip().upper()
    if value and (len(value) != 2 or not value.isalpha()):
        raise forms.ValidationError("Enter the two-letter state code, e.g. TX.")
    return value


class ContactFieldsMixin(forms.Form):
    """What is logged about a call; shared by the new-call screen."""

    started_at = forms.DateTimeField(
        label="Call started",
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        help_text="Filled by the call timer; you can correct it.",
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    direction = forms.ChoiceField(
        choices=Contact.Direction.choices, initial=Contact.Direction.INBOUND
    )
    channel = forms.ChoiceField(choices=Contact.Channel.choices, initial=Contact.Channel.PHONE)
    participants = forms.CharField(label="Who was on the call", max_length=200, required=False)
    purpose = forms.ChoiceField(choices=[("", "Choose…"), *Contact.Purpose.choices])
    safety_concern = forms.BooleanField(label="Safety concern", required=False)
    self_harm_risk = forms.BooleanField(label="Self-harm risk", required=False)
    safety_note = forms.CharField(
        label="Safety note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when a safety concern or self-harm risk is ticked.",
    )
    needs = forms.MultipleChoiceField(
        label="Needs identified",
        choices=Contact.Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    follow_up_on = forms.DateField(label="Follow-up date", required=False, widget=DateInput())

    def clean_started_at(self):
        value = self.cleaned_data["started_at"]
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("The call cannot start in the future.")
        return value

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if value is None:  # left empty on a phone-system call (NewCallForm fills it)
            return value
        if value < 0:
            raise forms.ValidationError("The duration cannot be negative.")
        if value > 24 * 60:
            raise forms.ValidationError("A contact cannot last more than 24 hours.")
        return value

    def clean(self):
        data = super().clean()
        if (data.get("safety_concern") or data.get("self_harm_risk")) and not (
            data.get("safety_note") or ""
        ).strip():
            self.add_error("safety_note", "A safety concern or self-harm risk needs a safety note.")
        return data

    def contact_data(self) -> dict:
        names = [
            "started_at",
            "duration_minutes",
            "direction",
            "channel",
            "participants",
            "purpose",
            "safety_concern",
            "self_harm_risk",
            "safety_note",
            "needs",
            "notes",
            "follow_up_on",
        ]
        return {n: self.cleaned_data[n] for n in names}


class NewCallForm(ContactFieldsMixin):
    """The single intake screen: who is calling, which case, what happened."""

    NEW = "new"

    name = forms.CharField(
        label="Caller's name",
        max_length=150,
        required=False,
        help_text="Type a name, phone or case number to find an existing family.",
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False, help_text=PHONE_HELP)
    email = forms.EmailField(label="E-mail", required=False)
    external_case_number = forms.CharField(
        label="External case number", max_length=40, required=False
    )
    zip_code = forms.CharField(label="ZIP code", max_length=10, required=False)
    state = forms.CharField(label="State", max_length=2, required=False, help_text="e.g. TX")
    attach = forms.CharField(required=False, initial=NEW)
    case_type = forms.ChoiceField(
        label="Case type", choices=[("", "Choose…"), *Case.Type.choices], required=False
    )
    child_first_name = forms.CharField(
        label="Child of concern (first name)", max_length=80, required=False
    )
    # Only for a new case: "log a contact" on a case page does not show it, so it cannot
    # be required (it was, and that path never saved).
    risk_level = forms.ChoiceField(
        label="Risk level", choices=Case.Risk.choices, initial=Case.Risk.LOW, required=False
    )
    different_family = forms.BooleanField(
        label="This is a different family",
        required=False,
        help_text="The caller is not the family with the same phone, e-mail or case number.",
    )
    # The phone system's CallSid when the call was started from the screen pop: saving links
    # the contact to it, and its duration fills an empty duration (cases/phone_pop.py).
    phone_call = forms.CharField(
        label="Phone call", required=False, max_length=64, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.family: Family | None = None
        self.case: Case | None = None
        self.strong_matches: list[Family] = []
        self.phone_call: PhoneCall | None = None
        if self.is_bound and self.data.get("phone_call"):
            self.fields["duration_minutes"].required = False  # the phone system may have it

    def clean_phone_call(self):
        sid = (self.cleaned_data.get("phone_call") or "").strip()
        if not sid:
            return ""
        from . import phone_pop

        try:
            call = phone_pop.phone_call_started_by_user(user=self.user, call_sid=sid)
        except PhoneCall.DoesNotExist:
            raise forms.ValidationError("This phone call was not started by you.") from None
        if call.contact_id:
            raise forms.ValidationError("This phone call is logged already.")
        self.phone_call = call
        return sid

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_zip_code(self):
        return _clean_zip(self.cleaned_data.get("zip_code"))

    def clean_state(self):
        return _clean_state(self.cleaned_data.get("state"))

    def clean_attach(self):
        value = (self.cleaned_data.get("attach") or self.NEW).strip()
        if value == self.NEW:
            return value
        kind, pk = value[:1], value[1:]
        if kind not in ("f", "c") or not pk.isdigit():
            raise forms.ValidationError("Choose a family or case from the list.")
        if kind == "c":
            case = selectors.case_list_visible_to(user=self.user).filter(pk=int(pk)).first()
            if case is None or not case.is_open:
                raise forms.ValidationError("That case is not open any more; choose another.")
            self.case, self.family = case, case.family
        else:
            family = selectors.family_list_visible_to(user=self.user).filter(pk=int(pk)).first()
            if family is None or family.merged_into_id:
                raise forms.ValidationError("Choose a family from the list.")
            self.family = family
        return value

    def clean(self):
        data = super().clean()
        attach = data.get("attach")
        if attach == self.NEW and not (data.get("name") or "").strip():
            self.add_error("name", "Enter the caller's name to create a new family.")
        if attach and not attach.startswith("c") and not data.get("case_type"):
            self.add_error("case_type", "Choose the case type for the new case.")
        if attach == self.NEW:
            self._guard_duplicate(data)
        if self.phone_call is not None and data.get("duration_minutes") is None:
            from .phone_pop import minutes_of

            minutes = minutes_of(self.phone_call.duration_seconds)
            if minutes is None:
                self.add_error(
                    "duration_minutes",
                    "Enter the duration: the phone system has not reported the end of the call.",
                )
            else:
                data["duration_minutes"] = minutes
        return data

    def _guard_duplicate(self, data) -> None:
        """A new family while one with the same phone/e-mail/case number exists needs a yes."""
        self.strong_matches = selectors.family_strong_matches(
            user=self.user,
            phone=data.get("phone") or "",
            email=data.get("email") or "",
            number=data.get("external_case_number") or "",
        )
        if self.strong_matches and not data.get("different_family"):
            names = ", ".join(f.display_name for f in self.strong_matches[:3])
            self.add_error(
                "attach",
                f"A family with the same phone, e-mail or case number is on file ({names}). "
                "Attach the call to it, or tick “This is a different family”.",
            )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=Case.Status.choices)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        help_text="Required to close, put on hold or reopen.",
    )


class ReassignForm(forms.Form):
    advocate = forms.ModelChoiceField(label="Assign to", queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advocate"].queryset = selectors.caseworker_choices(user=user)


class CaseDetailsForm(forms.Form):
    risk_level = forms.ChoiceField(label="Risk level", choices=Case.Risk.choices)
    external_case_number = forms.CharField(
        label="External case number", max_length=40, required=False
    )


class TaskForm(forms.Form):
    title = forms.CharField(label="Task", max_length=200)
    due_on = forms.DateField(label="Due", widget=DateInput())

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate() - dt.timedelta(days=365):
            raise forms.ValidationError("A due date more than a year ago is probably a typo.")
        return value


class ShareForm(forms.Form):
    resources = forms.ModelMultipleChoiceField(
        label="Resources", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    email = forms.BooleanField(
        label="E-mail the links to the family (only if it agreed to mail)",
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["resources"]
        field.queryset = selectors.resource_list_visible_to(user=user).filter(is_active=True)
        # The choices read once: the page asks whether there are any, then lists them (two
        # queries through the queryset). Validation still filters the queryset.
        field.choices = [(r.pk, field.label_from_instance(r)) for r in field.queryset]


class FamilyForm(forms.ModelForm):
    class Meta:
        model = Family
        fields = [
            "display_name",
            "contact_name",
            "phone",
            "phone_alt",
            "email",
            "address_line",
            "city",
            "state",
            "zip_code",
            "country",
            "preferred_language",
            "time_zone",
            "safe_contact_notes",
            "consent_share_with_providers",
            "consent_team_hope_contact",
            "consent_mail",
        ]
        labels = {
            "consent_share_with_providers": "May share details with FAON providers",
            "consent_team_hope_contact": "May be contacted by Team HOPE",
            "consent_mail": "May receive mail and e-mail",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save family"))

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])

    def clean_phone_alt(self):
        return _clean_phone(self.cleaned_data["phone_alt"])

    def clean_zip_code(self):
        return _clean_zip(self.cleaned_data.get("zip_code"))

    def clean_state(self):
        return _clean_state(self.cleaned_data.get("state"))


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["role", "first_name", "last_name", "date_of_birth", "is_child_of_concern"]
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Add member"))

    def clean_date_of_birth(self):
        value = self.cleaned_data.get("date_of_birth")
        if value and value > timezone.localdate():
            raise forms.ValidationError("A date of birth cannot be in the future.")
        return value


class MergeForm(forms.Form):
    target = forms.IntegerField(
        label="Keep this family (its number)",
        help_text="The family on this page is merged into the one you keep; it can be undone.",
    )
    take_from_source = forms.MultipleChoiceField(
        label="Take these details from the family merged away",
        choices=[
            ("phone", "Phone numbers"),
            ("email", "E-mail"),
            ("address", "Postal address"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Unticked: the kept family's own details stay.",
    )
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, user, source: Family, **kwargs):
        self.user, self.source = user, source
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("merge", "Merge into that family", css_class="btn-danger"))

    def clean_target(self):
        pk = self.cleaned_data["target"]
        family = selectors.family_list_visible_to(user=self.user).filter(pk=pk).first()
        if family is None:
            raise forms.ValidationError("No family has this number.")
        if family.pk == self.source.pk:
            raise forms.ValidationError("A family cannot be merged into itself.")
        return family


def _is_utf8_text(upload) -> bool:
    """Valid UTF-8 throughout, without NUL bytes (binary files and UTF-16 have them)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class ResourceForm(forms.ModelForm):
    url = forms.URLField(label="Link", required=False, assume_scheme="https")

    class Meta:
        model = Resource
        fields = ["title", "summary", "kind", "language", "url", "file", "is_active"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    # Files are served to anyone holding the public link: no HTML (it would run as a page of
    # ours), and each kind's content is checked, not just its name.
    ALLOWED_TYPES = (".pdf", ".docx", ".txt")
    MAX_BYTES = 10 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_enctype = "multipart/form-data"
        self.helper.add_input(Submit("save", "Save resource"))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or not hasattr(upload, "size"):
            return upload
        name = upload.name.lower()
        if not name.endswith(self.ALLOWED_TYPES):
            raise forms.ValidationError("Upload a PDF, Word (.docx) or plain text (.txt) file.")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB.")
        upload.seek(0)
        if name.endswith(".pdf") and upload.read(5) != b"%PDF-":
            raise forms.ValidationError("This file is not a PDF.")
        if name.endswith(".docx") and upload.read(4) != b"PK\x03\x04":
            raise forms.ValidationError("This file is not a Word (.docx) document.")
        if name.endswith(".txt") and not _is_utf8_text(upload):
            raise forms.ValidationError("This file is not plain text (UTF-8).")
        upload.seek(0)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("url") and not data.get("file"):
            self.add_error("url", "Give a link or upload a file.")
        return data


YES_NO = [("", _("Prefer not to say")), ("yes", _("Yes")), ("no", _("No"))]


class FeedbackForm(forms.Form):
    """The anonymous survey: nothing here identifies the person answering."""

    helpful = forms.TypedChoiceField(
        label=_("How helpful was this resource?"),
        choices=ResourceFeedback.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    easy_to_understand = forms.ChoiceField(
        label=_("Was it easy to understand?"), choices=YES_NO, required=False
    )
    would_recommend = forms.ChoiceField(
        label=_("Would you recommend it to another family?"), choices=YES_NO, required=False
    )
    comment = forms.CharField(
        label=_("Anything else? (please do not include names or contact details)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("send", _("Send answers")))

    @staticmethod
    def _yes_no(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)

    def feedback_data(self) -> dict:
        d = self.cleaned_data
        return {
            "helpful": d["helpful"],
            "easy_to_understand": self._yes_no(d.get("easy_to_understand", "")),
            "would_recommend": self._yes_no(d.get("would_recommend", "")),
            "comment": d.get("comment", ""),
        }


SORTS = [
    ("-opened_at", "Newest first"),
    ("opened_at", "Oldest first"),
    ("family__display_name", "Family A to Z"),
    ("-updated_at", "Recently updated"),
    ("status", "Status"),
    ("-risk", "Highest risk first"),
]


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    # distinct=False: status is a column of the case, no join can repeat a row; the default
    # (True) turns the page into SELECT DISTINCT over every column and the COUNT into a
    # COUNT over a DISTINCT subquery. Keep it False on every filter not crossing a to-many join.
    status = django_filters.MultipleChoiceFilter(
        choices=Case.Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    case_type = django_filters.ChoiceFilter(label="Type", choices=Case.Type.choices)
    assigned_advocate = django_filters.ModelChoiceFilter(label="Advocate", queryset=None)
    risk_level = django_filters.ChoiceFilter(label="Risk", choices=Case.Risk.choices)
    opened = django_filters.DateFromToRangeFilter(
        label="Opened between",
        field_name="opened_at",
        lookup_expr="date__range",
    )
    mine = django_filters.BooleanFilter(
        label="Only my open cases", method="only_mine", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label="Sort", choices=SORTS, method="sort_by", empty_label=None
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.filters["assigned_advocate"].queryset = selectors.caseworker_choices(user=user)
        for name in ("case_type", "risk_level", "assigned_advocate", "sort"):
            field = self.form.fields[name]
            field.widget = FastSelect(attrs={"class": "form-select"}, choices=field.choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Family conditions ORed across the join with the case's own columns cannot use any
        # index (a seq scan of every case and family, for the page and again for the COUNT).
        # Instead: the matching families' ids first (trigram GIN on the names and on
        # UPPER(name) for `icontains`, b-tree on the phones: one BitmapOr), then the cases
        # `family_id = ANY(ARRAY(…)) OR UPPER(number) = … OR id = …`, one BitmapOr of three
        # index scans. `family__in=<subquery>` would be the plain spelling, but an IN
        # subquery under OR becomes a filter evaluated on every case (bench: COUNT 400-630 ms
        # with IN, 64 ms with ANY(ARRAY)).
        # Names containing what was typed (and the phones); names merely similar (a typo)
        # only when none contains it: for a common surname the similarity recheck of
        # thousands of rows was most of the search's cost, and "Nelsen" is noise next to
        # 3,000 "Nelson" families. One statement: the fallback runs only if needed.
        contains = Q(display_name__icontains=value) | Q(contact_name__icontains=value)
        e164 = to_e164(value)
        if e164:
            contains |= Q(phone=e164) | Q(phone_alt=e164)
        similar = Q(display_name__trigram_similar=value) | Q(contact_name__trigram_similar=value)
        # No "unmerged" condition: a merge moves every case to the family kept, so a merged
        # family has no case to list (the list's own join on it ran for every match).
        families = selectors.family_list_visible_to(user=self.user)
        family_ids = FirstNonEmpty(
            ArraySubquery(families.filter(contains).order_by().values("pk")),
            ArraySubquery(families.filter(similar).order_by().values("pk")),
            output_field=ArrayField(BigIntegerField()),
        )
        match = Q(AnyOf(F("family_id"), family_ids)) | Q(external_case_number__iexact=value)
        if value.upper().startswith("FS-") and value[3:].isdigit():
            match |= Q(pk=int(value[3:]))
        return queryset.filter(match)

    def only_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assigned_advocate=self.user).exclude(status=Case.Status.CLOSED)

    def sort_by(self, queryset, name, value):
        return queryset  # applied in `qs` so the default sort holds without the parameter

    @property
    def qs(self):
        qs = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        sort = sort or "-opened_at"
        if sort == "-risk":
            rank = CaseExpr(
                *[When(risk_level=r, then=Value(i)) for i, r in enumerate(Case.Risk.values)],
                output_field=IntegerField(),
            )
            return qs.annotate(risk_rank=rank).order_by("-risk_rank", "-opened_at")
        return qs.order_by(sort, "-pk")
