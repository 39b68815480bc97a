"""A family's safe-contact rules: how, when and through whom it may be contacted.

Shown at the top of every page where someone might contact the family (case, new call for
its case, a provider's accepted referral, a volunteer's family card, travel), each reader
seeing the part that applies to them, and enforced where the portal itself reaches out:

- resource e-mails go only if e-mail is an allowed method and the organisation may be
  named, and are held in the outbox until the family's allowed hours;
- follow-up tasks (and a contact's follow-up date) must fall on a day the family may be
  contacted.

A family without recorded rules has no known restriction (the free-text
`Family.safe_contact_notes` is still shown).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from familysupport.lib import audit
from familysupport.lib.access import CASEWORKERS
from familysupport.lib.phones import display as phone_display
from familysupport.lib.phones import to_e164

from .models import ContactMethod, Family, FamilyContactRules, Weekday

STAFF_AUDIENCE = "staff"
PROVIDER_AUDIENCE = "provider"
VOLUNTEER_AUDIENCE = "volunteer"
# What a volunteer can do: call or text (Team HOPE peers never e-mail or write to families).
VOLUNTEER_METHODS = (ContactMethod.PHONE, ContactMethod.TEXT)


def rules_for(family: Family | int) -> FamilyContactRules | None:
    family_id = family if isinstance(family, int) else family.pk
    return FamilyContactRules.objects.filter(family_id=family_id).first()


def rules_of(family: Family) -> FamilyContactRules | None:
    """The rules through the relation: no query when the family was read with
    `select_related("contact_rules")`."""
    try:
        return family.contact_rules
    except FamilyContactRules.DoesNotExist:
        return None


def _tz(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "America/New_York")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("America/New_York")


def day_allowed(rules: FamilyContactRules | None, day: dt.date) -> bool:
    return not rules or not rules.days or day.weekday() in rules.days


def days_label(days: list[int]) -> str:
    if not days or len(days) == 7:
        return "any day"
    ordered = sorted(days)
    if ordered == [0, 1, 2, 3, 4]:
        return "weekdays (Monday to Friday)"
    if ordered == [5, 6]:
        return "weekends"
    return ", ".join(Weekday(d).label for d in ordered)


def window_label(rules: FamilyContactRules | None) -> str:
    if not rules or not (rules.earliest or rules.latest):
        return "any time"
    start = rules.earliest.strftime("%H:%M") if rules.earliest else "00:00"
    end = rules.latest.strftime("%H:%M") if rules.latest else "24:00"
    return f"{start} to {end}"


def may_contact_at(rules: FamilyContactRules | None, moment: dt.datetime, tz_name: str) -> bool:
    if not rules:
        return True
    local = timezone.localtime(moment, _tz(tz_name))
    if not day_allowed(rules, local.date()):
        return False
    now = local.time()
    if rules.earliest and now < rules.earliest:
        return False
    return not (rules.latest and now >= rules.latest)


def next_allowed_moment(
    rules: FamilyContactRules | None, tz_name: str, after: dt.datetime | None = None
) -> dt.datetime | None:
    """The first moment from `after` (now) within the family's allowed days and hours;
    None when it is allowed now (or there are no rules)."""
    after = after or timezone.now()
    if rules is None or may_contact_at(rules, after, tz_name):
        return None
    tz = _tz(tz_name)
    local = timezone.localtime(after, tz)
    start = rules.earliest or dt.time(0, 0)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        candidate = dt.datetime.combine(day, start, tzinfo=tz)
        if day_allowed(rules, day) and candidate > local:
            return candidate
    return None  # no allowed day at all: the caller decides (nothing is sent)


def email_block_reason(family: Family, rules: FamilyContactRules | None = None) -> str:
    """Why the portal must not e-mail this family ('' when it may)."""
    rules = rules if rules is not None else rules_for(family)
    if not family.email:
        return "the family has no e-mail address"
    if not family.consent_mail:
        return "the family has not agreed to receive mail and e-mail"
    if rules and ContactMethod.EMAIL not in rules.methods:
        return "the family's safe-contact rules do not allow e-mail"
    if rules and rules.do_not_name_organisation:
        return "the family asked that the organisation not be named (an e-mail from us would)"
    return ""


def check_follow_up_day(family_id: int, day: dt.date | None, field_name: str) -> None:
    """A follow-up (a task's due date) must fall on a day the family may be contacted."""
    if day is None:
        return
    rules = rules_for(family_id)
    if not day_allowed(rules, day):
        raise ValidationError(
            {
                field_name: "The family may be contacted only on "
                f"{days_label(rules.days)}; choose one of those days."
            }
        )


# --- what a page shows ------------------------------------------------------------------


@dataclass
class RuleView:
    """The rules as one reader needs them; `lines` are the banner's sentences."""

    audience: str
    recorded: bool
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: str = ""
    alternate: str = ""
    allowed_now: bool | None = None
    family_id: int | None = None

    @property
    def shown(self) -> bool:
        return bool(self.recorded or self.notes)


def _method_labels(methods: list[str]) -> list[str]:
    return [ContactMethod(m).label.lower() for m in ContactMethod.values if m in methods]


def view_for(
    family: Family,
    *,
    audience: str = STAFF_AUDIENCE,
    rules: Any = ...,
    now: dt.datetime | None = None,
) -> RuleView:
    """The banner for `audience` (staff, provider, volunteer). Pass `rules` if already read."""
    if rules is ...:
        rules = rules_for(family)
    return _view(
        audience=audience,
        rules=rules,
        family_id=family.pk,
        tz_name=family.time_zone,
        notes=family.safe_contact_notes,
        now=now,
    )


def _view(
    *,
    audience: str,
    rules: FamilyContactRules | None,
    family_id: int | None,
    tz_name: str,
    notes: str,
    now: dt.datetime | None = None,
) -> RuleView:
    view = RuleView(audience=audience, recorded=rules is not None, notes=notes or "")
    view.family_id = family_id if audience == STAFF_AUDIENCE else None
    if rules is None:
        return view
    methods = list(rules.methods)
    if audience == VOLUNTEER_AUDIENCE:
        methods = [m for m in methods if m in VOLUNTEER_METHODS]
    labels = _method_labels(methods)
    if labels:
        view.lines.append("Contact only by " + ", ".join(labels) + ".")
    elif audience == STAFF_AUDIENCE:
        view.warnings.append("Do not contact the family directly: only through the alternate.")
    else:
        view.warnings.append("Do not call or write to the family yourself; ask the advocate.")
    when = days_label(rules.days)
    hours = window_label(rules)
    if when != "any day" or hours != "any time":
        view.lines.append(f"When: {when}, {hours} in the family's time ({tz_name}).")
        view.allowed_now = may_contact_at(rules, now or timezone.now(), tz_name)
    if rules.no_voicemail:
        view.warnings.append("Never leave a voicemail.")
    if rules.do_not_name_organisation:
        who = {
            STAFF_AUDIENCE: "the division or the portal",
            PROVIDER_AUDIENCE: "the division or FAON, or say who referred them",
            VOLUNTEER_AUDIENCE: "Team HOPE or the division",
        }[audience]
        view.warnings.append(f"Do not name {who} unless the family member answers themself.")
    # The alternate is a third person's details: staff only (least privilege).
    if audience == STAFF_AUDIENCE and rules.alternate_name:
        parts = [rules.alternate_name]
        if rules.alternate_relationship:
            parts[0] += f" ({rules.alternate_relationship})"
        if rules.alternate_phone:
            parts.append(phone_display(rules.alternate_phone))
        view.alternate = " · ".join(parts)
    return view


def view_from_values(row: dict[str, Any], prefix: str, *, audience: str, tz_name: str, notes: str):
    """The banner from a `values()` row (the volunteer's card reads no model instances)."""
    if row.get(f"{prefix}family_id") is None:
        return _view(audience=audience, rules=None, family_id=None, tz_name=tz_name, notes=notes)
    rules = FamilyContactRules(
        family_id=row[f"{prefix}family_id"],
        methods=row.get(f"{prefix}methods") or [],
        days=row.get(f"{prefix}days") or [],
        earliest=row.get(f"{prefix}earliest"),
        latest=row.get(f"{prefix}latest"),
        no_voicemail=bool(row.get(f"{prefix}no_voicemail")),
        do_not_name_organisation=bool(row.get(f"{prefix}do_not_name_organisation")),
    )
    return _view(audience=audience, rules=rules, family_id=None, tz_name=tz_name, notes=notes)


def values_fields(prefix: str) -> tuple[str, ...]:
    """The columns `view_from_values` reads, under a relation `prefix` (e.g. 'family__')."""
    return tuple(
        f"{prefix}contact_rules__{name}" for name in ("family_id", *FamilyContactRules.RULES)
    )


# --- changing the rules (service) -----------------------------------------------------------


@transaction.atomic
def family_contact_rules_save(
    *,
    family: Family,
    by: User,
    methods: list[str],
    days: list[int],
    earliest: dt.time | None,
    latest: dt.time | None,
    no_voicemail: bool,
    do_not_name_organisation: bool,
    alternate_name: str = "",
    alternate_relationship: str = "",
    alternate_phone: str = "",
) -> FamilyContactRules:
    if not (by.is_active and by.role in CASEWORKERS):
        raise PermissionDenied("Only advocates and supervisors change a family's rules.")
    errors: dict[str, str] = {}
    methods = [m for m in ContactMethod.values if m in set(methods)]
    days = sorted({int(d) for d in days if int(d) in Weekday.values})
    if earliest and latest and earliest >= latest:
        errors["latest"] = "The latest time must be after the earliest time."
    phone = ""
    if alternate_phone.strip():
        phone = to_e164(alternate_phone) or ""
        if not phone:
            errors["alternate_phone"] = "Enter a phone number, e.g. (555) 010-2000."
    if not methods and not alternate_name.strip():
        errors["methods"] = "Allow at least one way to reach the family, or name an alternate."
    if errors:
        raise ValidationError(errors)
    rules = FamilyContactRules.objects.select_for_update().filter(family=family).first()
    created = rules is None
    rules = rules or FamilyContactRules(family=family)
    rules.methods, rules.days = methods, days
    rules.earliest, rules.latest = earliest, latest
    rules.no_voicemail, rules.do_not_name_organisation = no_voicemail, do_not_name_organisation
    rules.alternate_name = alternate_name.strip()[:150]
    rules.alternate_relationship = alternate_relationship.strip()[:80]
    rules.alternate_phone = phone
    rules.updated_by, rules.updated_at = by, timezone.now()
    rules.full_clean()
    rules.save()
    audit.record(
        action="cases.family.contact_rules_set"
        if created
        else "cases.family.contact_rules_changed",
        obj=family,
        actor=by,
        changes={
            "methods": rules.methods,
            "days": rules.days,
            "window": window_label(rules),
            "no_voicemail": rules.no_voicemail,
            "do_not_name_organisation": rules.do_not_name_organisation,
            "alternate": bool(rules.alternate_name),
        },
    )
    return rules
