"""Reads of families and cases, always scoped to what the user may see.

Other apps read cases only through these functions.
"""

from __future__ import annotations

from django.db.models import QuerySet

from familysupport.lib.access import CASEWORKERS, STAFF, get_visible_or_404

from .models import Case, Contact, Family


def can_change_cases(user) -> bool:
    """Advocates and supervisors change case work; administrators only read it."""
    return user.is_authenticated and user.role in CASEWORKERS


def family_list_visible_to(*, user) -> QuerySet[Family]:
    if not user.is_authenticated or user.role not in STAFF:
        return Family.objects.none()
    return Family.objects.all()


def family_get_for_user(*, user, pk: int, write: bool = False) -> Family:
    return get_visible_or_404(
        family_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _f: can_change_cases(user),
    )


def case_list_visible_to(*, user) -> QuerySet[Case]:
    if not user.is_authenticated or user.role not in STAFF:
        return Case.objects.none()
    return Case.objects.select_related("family", "assigned_advocate")


def case_get_for_user(*, user, pk: int, write: bool = False) -> Case:
    return get_visible_or_404(
        case_list_visible_to(user=user),
        pk=pk,
        write=write,
        can_write=lambda _c: can_change_cases(user),
    )


def contact_list_visible_to(*, user) -> QuerySet[Contact]:
    if not user.is_authenticated or user.role not in STAFF:
        return Contact.objects.none()
    return Contact.objects.select_related("case", "advocate")
