"""Reads of families and cases, always scoped to what the user may see.

Other apps read cases only through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from familysupport.lib.access import CASEWORKERS, STAFF, SUPERVISOR, get_visible_or_404
from familysupport.lib.phones import to_e164

from . import family_search, restricted
from .models import (
    Case,
    CaseAlert,
    Contact,
    ContactDraft,
    Family,
    FamilyMerge,
    Person,
    Resource,
    ResourceFeedback,
    Task,
)


def can_change_cases(user) -> bool:
    """Advocates and supervisors change case work; administrators only read it."""
    return user.is_authenticated and user.role in CASEWORKERS


# `with_restricted=True` keeps the records of restricted families the user may not open
# (cases/restricted.py): for counts only (dashboards), never for lists or pages.


def family_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[Family]:
    if not user.is_authenticated or user.role not in STAFF:
        return Family.objects.none()
    qs = Family.objects.all()
    return qs if with_restricted else restricted.exclude_hidden(qs, user, "pk")


def family_get_for_user(*, user, pk: int, write: bool = False) -> Family:
    # The safe-contact rules (a one-to-one) come in the same statement: every family page
    # shows their banner (cases/privacy_page.py reads them through the relation).
    return restricted.get_or_refuse(
        family_list_visible_to(user=user).select_related("contact_rules"),
        family_list_visible_to(user=user, with_restricted=True),
        family_of=lambda f: f.pk,
        user=user,
        pk=pk,
        write=write,
        can_write=lambda _f: can_change_cases(user),
    )


def case_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[Case]:
    if not user.is_authenticated or user.role not in STAFF:
        return Case.objects.none()
    qs = Case.objects.select_related("family", "assigned_advocate")
    return qs if with_restricted else restricted.exclude_hidden(qs, user, "family_id")


def case_get_for_user(*, user, pk: int, write: bool = False) -> Case:
    # The family's safe-contact rules in the same statement (the case page's banner).
    return restricted.get_or_refuse(
        case_list_visible_to(user=user).select_related("family__contact_rules"),
        case_list_visible_to(user=user, with_restricted=True),
        family_of=lambda c: c.family_id,
        user=user,
        pk=pk,
        write=write,
        can_write=lambda _c: can_change_cases(user),
    )


def contact_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[Contact]:
    if not user.is_authenticated or user.role not in STAFF:
        return Contact.objects.none()
    qs = Contact.objects.select_related("case", "advocate")
    return qs if with_restricted else restricted.exclude_hidden(qs, user, "case__family_id")


# --- added with the case-work screens ---------------------------------------------------

SUGGEST_LIMIT = family_search.SUGGEST_LIMIT


@dataclass
class Suggestion:
    family: Family
    reasons: list[str]
    open_cases: list[Case]

    @property
    def strong(self) -> bool:
        return bool(STRONG_REASONS & set(self.reasons))

    # Values of the new-call screen's "attach" radio group.
    @property
    def family_value(self) -> str:
        return f"f{self.family.pk}"

    @property
    def case_choices(self) -> list[tuple[str, Case]]:
        return [(f"c{c.pk}", c) for c in self.open_cases]


def family_suggest(*, user, name: str = "", phone: str = "", number: str = "") -> list[Suggestion]:
    """Possible existing families for a new call: same phone, same case number, then names
    containing what was typed, then similar names (typos), closest first; with their open
    cases. One SQL statement (cases/family_search.py): it runs on every pause in typing."""
    if not user.is_authenticated or user.role not in STAFF:
        return []
    found = family_search.find_families(
        user=user,
        phone_e164=to_e164(phone) if phone else None,
        number=number.strip(),
        name=name.strip(),
    )
    return [Suggestion(f.family, f.reasons, f.open_cases) for f in found][:SUGGEST_LIMIT]


STRONG_REASONS = frozenset({"same phone", "same e-mail", "same case number"})


def family_strong_matches(*, user, phone: str, email: str, number: str) -> list[Family]:
    """Families that are almost surely the caller's: same phone (E.164), e-mail or case number.

    Checked when a new family is about to be created (the similar-name matches stay advice).
    """
    match = Q()
    if phone:
        match |= Q(phone=phone) | Q(phone_alt=phone)
    if email:
        match |= Q(email__iexact=email)
    if number:
        match |= Q(cases__external_case_number__iexact=number)
    if not match:
        return []
    base = family_list_visible_to(user=user).filter(merged_into__isnull=True)
    return list(base.filter(match).distinct().order_by("display_name")[:SUGGEST_LIMIT])


def family_merge_facts(*, user, family: Family) -> dict:
    """What a supervisor compares before merging: contact details and the family's cases."""
    cases = list(case_list_visible_to(user=user).filter(family=family).order_by("-opened_at")[:10])
    return {
        "family": family,
        "address": ", ".join(
            p for p in (family.address_line, family.city, family.state, family.zip_code) if p
        ),
        "cases": cases,
        "members": family.members.count(),
    }


def contact_get_for_user(*, user, pk: int) -> Contact:
    return restricted.get_or_refuse(
        contact_list_visible_to(user=user),
        contact_list_visible_to(user=user, with_restricted=True),
        family_of=lambda c: c.case.family_id,
        user=user,
        pk=pk,
    )


def task_list_visible_to(*, user, with_restricted: bool = False) -> QuerySet[Task]:
    if not user.is_authenticated or user.role not in STAFF:
        return Task.objects.none()
    qs = Task.objects.select_related("case", "case__family", "owner")
    return qs if with_restricted else restricted.exclude_hidden(qs, user, "case__family_id")


def task_get_for_user(*, user, pk: int, write: bool = False) -> Task:
    return restricted.get_or_refuse(
        task_list_visible_to(user=user),
        task_list_visible_to(user=user, with_restricted=True),
        family_of=lambda t: t.case.family_id,
        user=user,
        pk=pk,
        write=write,
        can_write=lambda _t: can_change_cases(user),
    )


def task_list_open_for_owner(*, user) -> QuerySet[Task]:
    return task_list_visible_to(user=user).filter(owner=user, done_at__isnull=True)


def case_list_open_for_advocate(*, user) -> QuerySet[Case]:
    return (
        case_list_visible_to(user=user)
        .filter(assigned_advocate=user)
        .exclude(status=Case.Status.CLOSED)
    )


def alert_list_visible_to(*, user) -> QuerySet[CaseAlert]:
    if not user.is_authenticated or user.role not in STAFF:
        return CaseAlert.objects.none()
    qs = CaseAlert.objects.select_related("case", "raised_by", "resolved_by")
    return restricted.exclude_hidden(qs, user, "case__family_id")


def alert_list_open_for_supervisor(*, user) -> QuerySet[CaseAlert]:
    """Open alerts of the supervisor's team (or every open alert if they lead no team)."""
    qs = alert_list_visible_to(user=user).filter(resolved_at__isnull=True)
    team = user.team_member_ids
    if team:
        qs = qs.filter(Q(raised_by_id__in=team) | Q(case__assigned_advocate_id__in=team))
    return qs


def alert_get_for_user(*, user, pk: int, write: bool = False) -> CaseAlert:
    return get_visible_or_404(
        alert_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _a: user.role == SUPERVISOR,
    )


def merge_list_visible_to(*, user) -> QuerySet[FamilyMerge]:
    if not user.is_authenticated or user.role not in STAFF:
        return FamilyMerge.objects.none()
    qs = FamilyMerge.objects.select_related("source", "target", "merged_by", "undone_by")
    return restricted.exclude_hidden(
        restricted.exclude_hidden(qs, user, "target_id"), user, "source_id"
    )


def merge_get_for_user(*, user, pk: int, write: bool = False) -> FamilyMerge:
    return get_visible_or_404(
        merge_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _m: user.role == SUPERVISOR,
    )


def contact_draft_get(*, user, key: str) -> ContactDraft | None:
    if not user.is_authenticated:
        return None
    return ContactDraft.objects.filter(author=user, key=key).first()


def contact_draft_list_for_author(*, user) -> QuerySet[ContactDraft]:
    """Unsaved calls of `user` only (drafts are private to their author)."""
    if not user.is_authenticated:
        return ContactDraft.objects.none()
    return ContactDraft.objects.filter(author=user).order_by("-created_at")


def resource_list_visible_to(*, user) -> QuerySet[Resource]:
    if not user.is_authenticated or user.role not in STAFF:
        return Resource.objects.none()
    return Resource.objects.all()


def resource_get_for_user(*, user, pk: int, write: bool = False) -> Resource:
    return get_visible_or_404(
        resource_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _r: user.role == SUPERVISOR,
    )


def resource_get_public(*, public_id) -> Resource:
    """The public page of a resource: anyone with the link, active resources only."""
    return get_visible_or_404(Resource.objects.filter(is_active=True), public_id=public_id)


def resource_feedback_summary(*, resource: Resource) -> dict:
    from django.db.models import Avg, Count

    qs = resource.feedback.all()
    summary = qs.aggregate(
        answers=Count("pk"),
        average=Avg("helpful"),
        easy_yes=Count("pk", filter=Q(easy_to_understand=True)),
        easy_no=Count("pk", filter=Q(easy_to_understand=False)),
        recommend_yes=Count("pk", filter=Q(would_recommend=True)),
        recommend_no=Count("pk", filter=Q(would_recommend=False)),
    )
    by_rating = dict(qs.values_list("helpful").annotate(n=Count("pk")).order_by())
    summary["by_rating"] = [
        (label, by_rating.get(value, 0)) for value, label in ResourceFeedback.Rating.choices
    ]
    return summary


def caseworker_choices(*, user) -> QuerySet:
    from accounts.models import User

    if not user.is_authenticated or user.role not in STAFF:
        return User.objects.none()
    return User.objects.filter(is_active=True, role__in=CASEWORKERS).order_by("full_name")


def family_with_contact_rules(*, pk: int) -> Family:
    """A family with its safe-contact rules in one query, for a page that shows both to
    someone the caller already checked (a provider's accepted referral)."""
    return Family.objects.select_related("contact_rules").get(pk=pk)


def persons_of_case(case: Case) -> tuple[list[Person], list[Person]]:
    """(the case's children of concern, the family's members) in one query.

    `family_id = … OR id = ANY(ARRAY(<the case's children>))`: a BitmapOr of two index
    scans (an IN subquery under OR would filter every person row).
    """
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import F

    from familysupport.lib.expressions import AnyOf

    child_ids = ArraySubquery(
        Case.children.through.objects.filter(case_id=case.pk).values("person_id")
    )
    persons = list(
        Person.objects.annotate(of_case=AnyOf(F("pk"), child_ids)).filter(
            Q(family_id=case.family_id) | Q(of_case=True)
        )
    )
    return (
        [p for p in persons if p.of_case],
        [p for p in persons if p.family_id == case.family_id],
    )
