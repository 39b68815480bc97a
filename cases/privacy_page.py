"""What case-work pages show about privacy: the restriction, legal holds and the family's
safe-contact rules, for the banners (templates/cases/privacy/_banner.html and
templates/includes/_safe_contact.html). A few queries, the same for any family."""

from __future__ import annotations

from typing import Any

from familysupport.lib.access import CASEWORKERS, has_role

from . import contact_rules, holds, restricted
from .models import Case, CaseRestriction, Family


def for_family(family: Family, user, *, case: Case | None = None) -> dict[str, Any]:
    restrictions = list(
        CaseRestriction.objects.filter(case__family_id=family.pk, lifted_at__isnull=True)
        .select_related("case")
        .order_by("placed_at")
    )
    covering = list(holds.holds_for(case=case) if case else holds.holds_for(family=family))
    glass = None
    if restrictions and not restricted.sees_every_restricted_case(user):
        glass = restricted.break_glass_active(user=user, case=restrictions[0].case)
    supervisor = restricted.sees_every_restricted_case(user)
    return {
        "privacy_restrictions": restrictions,
        # The reason a case is restricted may itself be sensitive: supervisors only.
        "privacy_show_reason": supervisor,
        "privacy_can_restrict": supervisor,
        "privacy_break_glass": glass,
        "privacy_holds": covering,
        "privacy_can_hold": holds.can_manage_holds(user),
        "privacy_case": case,
        "privacy_family": family,
        "contact_rule": contact_rules.view_for(
            family, audience=contact_rules.STAFF_AUDIENCE, rules=contact_rules.rules_of(family)
        ),
        "contact_rule_editable": has_role(user, CASEWORKERS),
    }


def for_case(case: Case, user) -> dict[str, Any]:
    return for_family(case.family, user, case=case)
