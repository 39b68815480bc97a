"""The yearly report's figures, computed by the database.

Every section is one or a few aggregate queries (GROUP BY, COUNT(DISTINCT), FILTER,
percentile_cont); nothing loops over records in Python, so the number of queries does not
grow with the data. The results are plain JSON (tables of labelled rows) so they can be
cached in a ReportRun, frozen in a ReportSnapshot, rendered and exported the same way.

These are division-wide read-only aggregates computed once for every reader of the report
(administrators and supervisors, who may read all of it), so they read the other apps'
models directly instead of a per-user selector; the drill-down lists behind each figure go
through the owning app's permission-scoped selectors (see drilldown.py). Where an app
offers an aggregate selector (FAON compliance in SQL, the reunification budget) it is used.

The figures live in one module per family (headline, faon, contacts, referrals,
reunification, teamhope) over the shared shapes in common.py; this module composes them.
"""

from __future__ import annotations

from django.utils import timezone

from .. import definitions

# Re-exported (`x as x`) for the callers that read them from `reports.figures`: the
# drill-downs, exports, tests and bench.
from .common import MONTHS as MONTHS
from .common import Progress, col, link, row, table
from .common import in_year as in_year
from .contacts import _cases, _contacts
from .faon import COMPLIANCE_PARTS as COMPLIANCE_PARTS
from .faon import _faon
from .faon import faon_subset as faon_subset
from .headline import _mental_health
from .headline import _mental_health_counts as _mental_health_counts
from .headline import mh_contact_family_ids as mh_contact_family_ids
from .headline import mh_family_filter as mh_family_filter
from .headline import mh_referral_family_ids as mh_referral_family_ids
from .referrals import REFERRAL_OUTCOMES as REFERRAL_OUTCOMES
from .referrals import _legal, _referrals
from .referrals import referral_outcome_filter as referral_outcome_filter
from .reunification import _reunification
from .teamhope import _peer_calls

# --- the whole report ----------------------------------------------------------------------


def compute(year: int, progress: Progress | None = None) -> dict:
    """All figures of `year` as JSON-ready data. A fixed number of queries, whatever the data."""
    step = progress or (lambda _p, _s: None)
    step(5, "Mental-health support")
    mh = _mental_health(year)
    step(20, "FAON membership and compliance")
    faon = _faon(year)
    step(40, "Team HOPE calls")
    peer = _peer_calls(year)
    step(50, "Advocate contacts")
    contacts = _contacts(year)
    step(65, "Cases")
    cases = _cases(year)
    step(70, "Referrals")
    referrals = _referrals(year)
    step(80, "Legal assistance")
    legal = _legal(year)
    step(90, "Reunification")
    travel = _reunification(year)
    step(100, "Done")
    headline = {
        "mh_families": mh["total"],
        "faon_participants": faon["participants"],
        "peer_calls": peer["total"],
    }
    headline_table = table(
        "headline",
        "Headline figures",
        [col("value", "Figure")],
        [
            row(
                definitions.HEADLINES[key]["title"],
                {"value": value},
                {"value": link(HEADLINE_FIGURES[key])},
                key=key,
            )
            for key, value in headline.items()
        ],
    )
    return {
        "year": year,
        "definitions_version": definitions.DEFINITIONS_VERSION,
        "computed_at": timezone.now().isoformat(),
        "headline": headline,
        "tables": [
            headline_table,
            mh["table"],
            contacts,
            cases,
            referrals,
            *legal,
            *travel,
            *faon["tables"],
            peer["table"],
        ],
    }


HEADLINE_FIGURES = {
    "mh_families": "mh_families",
    "faon_participants": "faon_participants",
    "peer_calls": "peer_calls",
}
