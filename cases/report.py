"""What cases gives the yearly report and dashboards: querysets over its own records.

`reports/` composes the figures and reads cases only through this module (and selectors.py
for access-scoped lists), so a change to the cases tables is made here.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Min, QuerySet

from familysupport.lib import dates

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
