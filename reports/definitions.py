"""What each published figure means. Bump DEFINITIONS_VERSION when a rule changes.

A published snapshot stores the version it was computed under, so a reader can tell
whether today's live figures are comparable with it.
"""

from __future__ import annotations

# 2026.1: complementary suppression in the public release (disclosure.py).
DEFINITIONS_VERSION = "2026.1"

MENTAL_HEALTH_PURPOSES = ("crisis_intervention", "emotional_support")
MENTAL_HEALTH_SERVICES = ("mental_health", "psychiatric")

HEADLINES = {
    "mh_families": {
        "title": "Families given mental-health support",
        "definition": (
            "Distinct families that, during the calendar year (America/New_York time), had "
            "at least one advocate contact whose purpose was crisis intervention or emotional "
            "support, or had a referral for mental-health counselling or psychiatric care "
            "accepted by the provider or agency. A family is counted once however many "
            "cases, contacts or referrals it has. Declined, expired or unanswered referrals "
            "do not count."
        ),
    },
    "faon_participants": {
        "title": "FAON participants",
        "definition": (
            "Distinct FAON providers (individual members and organisations) whose membership "
            "was active on at least one day of the calendar year, from the recorded history "
            "of membership status changes (applied, under review, active, suspended, lapsed, "
            "withdrawn). A member active for a single day is counted."
        ),
    },
    "peer_calls": {
        "title": "Team HOPE peer-support calls",
        "definition": (
            "Peer-support calls logged by Team HOPE volunteers with a matched family whose "
            "call date falls in the calendar year (America/New_York time), in either "
            "direction."
        ),
    },
}

NOTES = [
    "Years and months are counted in the division's time zone (America/New_York): a "
    "contact at 23:30 on 31 December counts in that year.",
    "Referral response time is the time from sending a referral to the provider's or "
    "agency's answer (accept or decline); the median is over answered referrals sent in "
    "the year.",
    "FAON compliance follows the yearly membership rule (1 event or 2 online trainings, "
    "license and insurance current, contact details confirmed within 12 months), assessed "
    "on 31 December for a past year and today for the current year.",
    "Reunification costs are for trips approved in the year: the actual cost where "
    "recorded, otherwise the estimate; approved trips not yet booked count at the approved "
    "amount.",
    "In the public-release version, counts from 1 to 9 are shown as '<10', and medians and "
    "rates resting on fewer than 10 records are withheld. So that no suppressed count can "
    "be worked out by subtraction from a total, wherever a row or column adds up to a "
    "total and only one of its counts would be hidden, the smallest other count of that "
    "sum is hidden too, shown as '*' (repeated until no sum has a single hidden count). "
    "Table notes are worded from the suppressed values.",
]
