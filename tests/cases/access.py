"""Who may open each page of the cases app.

Advocates and supervisors work cases; administrators read them (403 on changes);
providers and volunteers get 403 on list pages and 404 on object pages (they must not
learn a record exists). Supervisor-only actions (reassign, merge, unmerge, alerts,
resource library management) are 403 for the other staff roles.
"""

from __future__ import annotations

from tests.access.registry import ALL_SIGNED_IN, STAFF, Route, World, expand

CASEWORK = expand({"advocate", "supervisor"})
CALL_ID = "0b6c8d1e-2f3a-4b5c-8d7e-9f0a1b2c3d4e"
READERS = expand(STAFF)
SUPERVISORS = expand({"supervisor"})
HIDDEN = expand({"provider", "volunteer"})


def _case(world: World) -> dict:
    from tests.cases.factories import CaseFactory

    case = CaseFactory(assigned_advocate=world.owner["advocate"])
    world.data["case"] = case
    return {"pk": case.pk}


def _family(world: World) -> dict:
    from tests.cases.factories import CaseFactory

    case = CaseFactory(assigned_advocate=world.owner["advocate"])
    return {"pk": case.family_id}


def _contact(world: World) -> dict:
    from tests.cases.factories import ContactFactory

    contact = ContactFactory(case__assigned_advocate=world.owner["advocate"])
    return {"pk": contact.pk}


def _task(world: World) -> dict:
    from tests.cases.factories import TaskFactory

    task = TaskFactory(case__assigned_advocate=world.owner["advocate"])
    return {"pk": task.pk}


def _alert(world: World) -> dict:
    from tests.cases.factories import CaseAlertFactory

    alert = CaseAlertFactory(case__assigned_advocate=world.owner["advocate"])
    return {"pk": alert.pk}


def _merge(world: World) -> dict:
    from cases import services
    from tests.cases.factories import CaseFactory, FamilyFactory

    source = CaseFactory(assigned_advocate=world.owner["advocate"]).family
    merge = services.family_merge(
        source=source, target=FamilyFactory(), by=world.owner["supervisor"]
    )
    return {"pk": merge.pk}


def _resource(world: World) -> dict:
    from tests.cases.factories import ResourceFactory

    return {"pk": ResourceFactory().pk}


def _public(world: World) -> dict:
    from tests.cases.factories import ResourceFactory

    return {"public_id": ResourceFactory().public_id}


def _public_file(world: World) -> dict:
    from django.core.files.base import ContentFile

    from tests.cases.factories import ResourceFactory

    resource = ResourceFactory(url="")
    resource.file.save("guide.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    return {"public_id": resource.public_id}


ROUTES = [
    Route("cases:case_list", allow=READERS),
    # GET gives the call its own id (a redirect to cases:call).
    Route("cases:new_call", allow=CASEWORK, ok_status=302),
    Route("cases:call", allow=CASEWORK, build=lambda w: {"call_id": CALL_ID}),
    # POST: what is typed (names, phones) must not appear in URLs and access logs.
    Route("cases:family_suggest", allow=CASEWORK, post_only=True),
    Route("cases:draft_save", allow=CASEWORK, post_only=True, build=lambda w: {"key": CALL_ID}),
    Route(
        "cases:draft_discard",
        allow=CASEWORK,
        post_only=True,
        build=lambda w: {"key": CALL_ID},
    ),
    # Object pages: providers and volunteers must not learn the record exists.
    Route("cases:case_detail", allow=READERS, hidden=HIDDEN, build=_case),
    Route("cases:case_status", allow=CASEWORK, hidden=HIDDEN, build=_case, post_only=True),
    Route("cases:case_reassign", allow=SUPERVISORS, hidden=HIDDEN, build=_case, post_only=True),
    Route("cases:case_update", allow=CASEWORK, hidden=HIDDEN, build=_case, post_only=True),
    Route("cases:task_create", allow=CASEWORK, hidden=HIDDEN, build=_case, post_only=True),
    Route("cases:resource_share", allow=CASEWORK, hidden=HIDDEN, build=_case, post_only=True),
    Route("cases:task_complete", allow=CASEWORK, hidden=HIDDEN, build=_task, post_only=True),
    Route("cases:alert_resolve", allow=SUPERVISORS, hidden=HIDDEN, build=_alert, post_only=True),
    Route("cases:contact_detail", allow=READERS, hidden=HIDDEN, build=_contact),
    Route("cases:family_detail", allow=READERS, hidden=HIDDEN, build=_family),
    Route("cases:family_edit", allow=CASEWORK, hidden=HIDDEN, build=_family),
    Route("cases:person_add", allow=CASEWORK, hidden=HIDDEN, build=_family),
    Route("cases:family_merge", allow=SUPERVISORS, hidden=HIDDEN, build=_family),
    Route("cases:family_unmerge", allow=SUPERVISORS, hidden=HIDDEN, build=_merge, post_only=True),
    Route("cases:resource_list", allow=READERS),
    Route("cases:resource_create", allow=SUPERVISORS),
    Route("cases:resource_detail", allow=READERS, hidden=HIDDEN, build=_resource),
    Route("cases:resource_edit", allow=SUPERVISORS, hidden=HIDDEN, build=_resource),
    # Public: a family opens these from the e-mailed link; no family data on them.
    Route("cases:resource_public", public=True, allow=ALL_SIGNED_IN, build=_public),
    Route("cases:resource_file", public=True, allow=ALL_SIGNED_IN, build=_public_file),
    Route("cases:resource_feedback", public=True, allow=ALL_SIGNED_IN, build=_public),
]

# The privacy pages (cases/privacy_urls.py) are the cases app's too.
from tests.cases.privacy_access import ROUTES as PRIVACY_ROUTES  # noqa: E402

ROUTES += PRIVACY_ROUTES

# The phone system's URLs (cases/phone_urls.py, issue 20) are the cases app's too.
from tests.cases.phone_access import ROUTES as PHONE_ROUTES  # noqa: E402

ROUTES += PHONE_ROUTES

# The screen pop of incoming phone calls (cases/phone_pop_views.py).
from tests.cases.phone_pop_access import ROUTES as PHONE_POP_ROUTES  # noqa: E402

ROUTES += PHONE_POP_ROUTES
