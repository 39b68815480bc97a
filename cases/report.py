"""What cases gives the yearly report, dashboards, exports and the coverage map.

`reports/` composes the figures and reads cases only through this module (and selectors.py
for access-scoped lists), so a change to the cases tables is made here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min, Q, QuerySet
from django.http import QueryDict

from familysupport.lib import dates

from . import selectors
from .forms import CaseFilter
from .models import Case, Contact

# Figures count restricted families' records, lists do not (restricted.py); the yearly
# report also says what retention purged of the year.
from .restricted import counting_restricted as counting_restricted
from .restricted import hides_anything as hides_anything
from .retention import purged_for_year as purged_for_year

ContactPurpose = Contact.Purpose
CaseType = Case.Type
CaseStatus = Case.Status
CaseRisk = Case.Risk


def contacts_in_year(year: int) -> QuerySet[Contact]:
    """The year's advocate contacts (division time zone), by when they started."""
    start, end = dates.year_bounds(year)
    return Contact.objects.filter(started_at__gte=start, started_at__lt=end)


def cases_opened_in_year(year: int) -> QuerySet[Case]:
    start, end = dates.year_bounds(year)
    return Case.objects.filter(opened_at__gte=start, opened_at__lt=end)


def first_case_opened_at() -> datetime | None:
    """When the first case was opened (the report's first year); from the index."""
    first: datetime | None = Case.objects.aggregate(v=Min("opened_at"))["v"]
    return first


def first_contact_at() -> datetime | None:
    first: datetime | None = Contact.objects.aggregate(v=Min("started_at"))["v"]
    return first


def tables_for_estimate() -> list[str]:
    """The big tables whose size says whether computing a year takes long."""
    return [Contact._meta.db_table]


def families_needing(need: str, start: datetime, end: datetime) -> list[tuple[int, str, str]]:
    """(family id, state, ZIP) of each unmerged family with a case needing `need` that was
    open at some moment of [start, end] (the coverage map's demand)."""
    return list(
        Case.objects.filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=start),
            needs__contains=[need],
            opened_at__lte=end,
            family__merged_into__isnull=True,
        )
        .values_list("family_id", "family__state", "family__zip_code")
        .distinct()
    )


def family_zip_codes(family_ids: Iterable[int]) -> list[str]:
    """The distinct ZIP codes of these families (through their cases, as the demand reads)."""
    return list(
        Case.objects.filter(family_id__in=list(family_ids))
        .values_list("family__zip_code", flat=True)
        .distinct()
    )


def case_list_filter(*, user, params: QueryDict) -> CaseFilter:
    """The case list's filters over the unmerged cases `user` may open, bound to `params`
    (unbound when empty): the page and its export read the same rows."""
    qs = selectors.case_list_visible_to(user=user)
    if not params.get("q", "").strip():
        # Not for a search: a merge moves every case to the family kept (services.py
        # family_merge), and this join ran for every match of a common surname before the
        # sort (bench: half of the search's buffers).
        qs = qs.filter(family__merged_into__isnull=True)
    data = params.copy()
    if data.get("mine") in ("on", "1"):
        data["mine"] = "true"
    return CaseFilter(data or None, queryset=qs, user=user)
