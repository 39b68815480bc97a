"""Headline: families given mental-health support (a contact or an accepted referral)."""

from __future__ import annotations

from django.db.models import (
    Q,
    QuerySet,
)

from familysupport.lib import dbrouter

from .. import definitions
from .common import (
    col,
    link,
    row,
    table,
)

# --- headline: families given mental-health support -------------------------------------------


def mh_contact_family_ids(year: int) -> QuerySet:
    from cases import report as cases_report

    return (
        cases_report.contacts_in_year(year)
        .filter(purpose__in=definitions.MENTAL_HEALTH_PURPOSES)
        .values_list("case__family_id", flat=True)
        .order_by()
    )


def mh_referral_family_ids(year: int) -> QuerySet:
    from referrals import report as referrals_report

    return (
        referrals_report.referrals_accepted_in_year(year)
        .filter(service_type__in=definitions.MENTAL_HEALTH_SERVICES)
        .values_list("family_id", flat=True)
        .order_by()
    )


def mh_family_filter(year: int, source: str = "") -> Q:
    contact = Q(pk__in=mh_contact_family_ids(year))
    referral = Q(pk__in=mh_referral_family_ids(year))
    if source == "contact":
        return contact
    if source == "referral":
        return referral
    return contact | referral


def _mental_health_counts(year: int) -> tuple[int, int, int]:
    """(families, via a contact, via a referral) in one query, each family counted once.

    The year's contacts are read once: both routes' family ids (UNION ALL, tagged with the
    route) are grouped by family with bool_or flags, then counted. (A UNION count plus a
    DISTINCT count of the contacts read them twice: 0.84 s of the cold report at scale.)
    The ORM cannot GROUP BY over a union, so the selectors' SQL is wrapped here with its
    parameters still bound.
    """
    c_sql, c_params = mh_contact_family_ids(year).query.sql_with_params()
    r_sql, r_params = mh_referral_family_ids(year).query.sql_with_params()
    sql = (
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE f.via_contact),"  # noqa: S608 - ORM-built SQL, params bound
        " COUNT(*) FILTER (WHERE f.via_referral)"
        " FROM (SELECT u.family_id, bool_or(u.by_contact) AS via_contact,"
        " bool_or(NOT u.by_contact) AS via_referral"
        f" FROM (SELECT c.family_id, TRUE AS by_contact FROM ({c_sql}) AS c (family_id)"
        f" UNION ALL SELECT r.family_id, FALSE FROM ({r_sql}) AS r (family_id)) AS u"
        " GROUP BY u.family_id) AS f"
    )
    with dbrouter.read_connection().cursor() as cursor:
        cursor.execute(sql, (*c_params, *r_params))
        total, via_contact, via_referral = cursor.fetchone()
    return total, via_contact, via_referral


def _mental_health(year: int) -> dict:
    total, via_contact, via_referral = _mental_health_counts(year)
    return {
        "total": total,
        "table": table(
            "mental_health",
            "Families given mental-health support, by route",
            [col("families", "Families")],
            [
                row(
                    "Crisis-intervention or emotional-support contact",
                    {"families": via_contact},
                    {"families": link("mh_families", source="contact")},
                ),
                row(
                    "Mental-health referral accepted",
                    {"families": via_referral},
                    {"families": link("mh_families", source="referral")},
                ),
                row(
                    "Both",
                    {"families": via_contact + via_referral - total},
                    {},
                ),
            ],
            total=row(
                "Families (each counted once)",
                {"families": total},
                {"families": link("mh_families")},
            ),
        ),
    }
