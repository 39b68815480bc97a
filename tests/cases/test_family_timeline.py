"""The family page's one timeline across its cases: contacts (first line of the note),
cases opened, status changes, reassignments and merges, with human labels."""

from __future__ import annotations

import pytest

from cases import services

from .factories import CaseFactory, ContactFactory, FamilyFactory

pytestmark = pytest.mark.django_db


def test_family_timeline_spans_every_case(login, advocate, supervisor, make_user):
    first = CaseFactory(assigned_advocate=advocate)
    second = CaseFactory(family=first.family, assigned_advocate=advocate)
    ContactFactory(case=first, notes="Mother called about Kit.\nMore detail here.")
    ContactFactory(case=second, notes="School confirmed attendance.")
    services.case_change_status(case=first, by=advocate, status="closed", reason="Found safe")
    services.case_reassign(case=second, by=supervisor, advocate=make_user("advocate"))
    other = FamilyFactory()
    merge = services.family_merge(source=other, target=first.family, by=supervisor)
    body = login(advocate).get(first.family.get_absolute_url()).content.decode()
    timeline = body.split('id="family-timeline"')[1].split("</ol>")[0]
    assert "Mother called about Kit." in timeline and "More detail here" not in timeline
    assert "School confirmed attendance." in timeline
    assert f"Case closed: {first.reference}" in timeline
    assert f"Case reassigned: {second.reference}" in timeline
    assert f"Family #{merge.source_id} merged into #{merge.target_id}" in timeline
    assert "Status change" in timeline and "Case opened" in timeline
    assert "_" not in "".join(
        line for line in timeline.splitlines() if "text-body-secondary" in line
    )
