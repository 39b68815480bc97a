from __future__ import annotations

import pytest

from .factories import CaseFactory


@pytest.fixture
def case(advocate):
    return CaseFactory(assigned_advocate=advocate)


@pytest.fixture
def adv_client(login, advocate):
    return login(advocate)


@pytest.fixture
def sup_client(login, supervisor):
    return login(supervisor)
