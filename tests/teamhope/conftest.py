from __future__ import annotations

import pytest

from .factories import CaseFactory, PeerMatchFactory, PersonFactory, VolunteerFactory


@pytest.fixture
def volunteer(volunteer_user):
    return VolunteerFactory(user=volunteer_user)


@pytest.fixture
def match(volunteer, advocate, supervisor):
    """Match A: the signed-in volunteer's family, with a child and an address on file."""
    case = CaseFactory(assigned_advocate=advocate)
    PersonFactory(family=case.family, first_name="Zebediah", last_name="Quillfeather")
    return PeerMatchFactory(volunteer=volunteer, case=case, created_by=supervisor)


@pytest.fixture
def other_match(make_user, supervisor):
    """Match B: another volunteer's family."""
    other = VolunteerFactory(user=make_user("volunteer"))
    return PeerMatchFactory(
        volunteer=other,
        case=CaseFactory(family__contact_first_name="Ottoline"),
        created_by=supervisor,
    )
