from __future__ import annotations

import pytest

from tests.reunification.factories import CaseFactory, PersonFactory, TravelRequestFactory


@pytest.fixture
def case(advocate):
    return CaseFactory(assigned_advocate=advocate)


@pytest.fixture
def parent(case):
    return PersonFactory(family=case.family)


@pytest.fixture
def draft(advocate, case):
    return TravelRequestFactory(case=case, requested_by=advocate)
