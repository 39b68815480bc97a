"""Case status transitions and reassignment."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case
from familysupport.lib.models import AuditEntry, Notification

from .factories import CaseFactory

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (S.OPEN, S.ACTIVE, ""),
        (S.OPEN, S.ON_HOLD, "Family asked to pause"),
        (S.ACTIVE, S.ON_HOLD, "Family asked to pause"),
        (S.ON_HOLD, S.ACTIVE, ""),
        (S.ACTIVE, S.CLOSED, "Child recovered"),
        (S.ON_HOLD, S.CLOSED, "No contact for six months"),
        (S.CLOSED, S.OPEN, "Child missing again"),
    ],
)
def test_allowed_transitions(advocate, start, end, reason):
    case = CaseFactory(status=start)
    services.case_change_status(case=case, by=advocate, status=end, reason=reason)
    case.refresh_from_db()
    assert case.status == end
    assert (case.closed_at is not None) == (end == S.CLOSED)
    assert AuditEntry.objects.filter(
        action=f"cases.case.{services.STATUS_VERBS[end]}", object_id=str(case.pk)
    ).exists()


@pytest.mark.parametrize(
    ("start", "end"), [(S.CLOSED, S.ACTIVE), (S.CLOSED, S.ON_HOLD), (S.ACTIVE, S.OPEN)]
)
def test_forbidden_transitions(advocate, start, end):
    case = CaseFactory(status=start)
    with pytest.raises(ValidationError):
        services.case_change_status(case=case, by=advocate, status=end, reason="why")


@pytest.mark.parametrize("end", [S.CLOSED, S.ON_HOLD])
def test_closing_or_holding_needs_a_reason(advocate, end):
    case = CaseFactory(status=S.ACTIVE)
    with pytest.raises(ValidationError) as exc:
        services.case_change_status(case=case, by=advocate, status=end, reason="  ")
    assert "reason" in exc.value.error_dict


def test_administrator_cannot_change_status(administrator):
    with pytest.raises(PermissionDenied):
        services.case_change_status(
            case=CaseFactory(), by=administrator, status=S.ACTIVE, reason=""
        )


def test_status_view_without_reason_is_400_with_message(adv_client, case):
    case.status = S.ACTIVE
    case.save()
    response = adv_client.post(
        reverse("cases:case_status", args=[case.pk]), {"status": S.CLOSED, "reason": ""}
    )
    assert response.status_code == 400
    assert "Say why" in response.context["status_form"].errors["reason"][0]
    case.refresh_from_db()
    assert case.status == S.ACTIVE


def test_status_view_closes_the_case(adv_client, case):
    response = adv_client.post(
        reverse("cases:case_status", args=[case.pk]), {"status": S.CLOSED, "reason": "Resolved"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.status_reason == "Resolved"


def test_administrator_gets_403_on_status_change(login, administrator, case):
    response = login(administrator).post(
        reverse("cases:case_status", args=[case.pk]), {"status": S.ACTIVE}
    )
    assert response.status_code == 403


def test_supervisor_reassigns_and_new_advocate_is_told(sup_client, case, make_user):
    other = make_user("advocate")
    response = sup_client.post(
        reverse("cases:case_reassign", args=[case.pk]), {"advocate": other.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_advocate == other
    assert AuditEntry.objects.filter(action="cases.case.reassigned").exists()
    assert Notification.objects.filter(recipient=other, event="cases.case.assigned").exists()


def test_advocate_cannot_reassign(adv_client, case, make_user):
    other = make_user("advocate")
    response = adv_client.post(
        reverse("cases:case_reassign", args=[case.pk]), {"advocate": other.pk}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.case_reassign(case=case, by=case.assigned_advocate, advocate=other)


def test_reassign_to_a_provider_is_refused(sup_client, case, make_user):
    provider = make_user("provider")
    response = sup_client.post(
        reverse("cases:case_reassign", args=[case.pk]), {"advocate": provider.pk}
    )
    assert response.status_code == 400
    assert "advocate" in response.context["reassign_form"].errors


def test_tasks_complete_and_reopen(adv_client, case):
    response = adv_client.post(
        reverse("cases:task_create", args=[case.pk]), {"title": "Call back", "due_on": "2030-01-01"}
    )
    assert response.status_code == 302
    task = case.tasks.get()
    adv_client.post(reverse("cases:task_complete", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None
    adv_client.post(reverse("cases:task_complete", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_at is None


def test_task_without_title_is_400(adv_client, case):
    response = adv_client.post(
        reverse("cases:task_create", args=[case.pk]), {"title": "", "due_on": "2030-01-01"}
    )
    assert response.status_code == 400
    assert "title" in response.context["task_form"].errors
    assert case.tasks.count() == 0


def test_alert_is_acknowledged_by_supervisor_only(sup_client, adv_client, case):
    from .factories import CaseAlertFactory

    alert = CaseAlertFactory(case=case)
    assert adv_client.post(reverse("cases:alert_resolve", args=[alert.pk])).status_code == 403
    sup_client.post(reverse("cases:alert_resolve", args=[alert.pk]), {"note": "Called family"})
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert alert.resolution_note == "Called family"
