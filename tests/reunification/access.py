"""Who may open each reunification page (the project-wide access matrix reads this)."""

from __future__ import annotations

from tests.access.registry import STAFF, Route, World, expand

ADV_SUP = expand({"advocate", "supervisor"})
SUP = expand({"supervisor"})
STAFF_ALL = expand(STAFF)


def _request(status: str, *, international: bool = False):
    def build(world: World) -> dict:
        from tests.reunification.factories import SegmentFactory, in_status

        tr = in_status(status, requested_by=world.owner["advocate"], is_international=international)
        if international:
            from reunification.services import _ensure_checklist

            _ensure_checklist(tr)
        if status in ("approved", "booked"):
            seg = SegmentFactory(travel_request=tr)
            world.data["segment"] = seg
        world.data["tr"] = tr
        return {"pk": tr.pk}

    return build


def _over_approved(world: World) -> dict:
    """Approved by the other supervisor; segments now above the approved amount."""
    from tests.reunification.factories import SegmentFactory, in_status

    tr = in_status(
        "approved", requested_by=world.owner["advocate"], approver=world.other["supervisor"]
    )
    SegmentFactory(travel_request=tr, estimated_cost=tr.approved_amount + 100)
    return {"pk": tr.pk}


def _segment(world: World) -> dict:
    kwargs = _request("approved")(world)
    return {**kwargs, "segment_pk": world.data["segment"].pk}


def _checklist_item(world: World) -> dict:
    kwargs = _request("submitted", international=True)(world)
    return {**kwargs, "item_pk": world.data["tr"].checklist.first().pk}


def _case(world: World) -> dict:
    from tests.reunification.factories import CaseFactory

    return {"case_pk": CaseFactory(assigned_advocate=world.owner["advocate"]).pk}


ROUTES = [
    Route("reunification:list", allow=STAFF_ALL),
    Route("reunification:detail", allow=STAFF_ALL, build=_request("submitted")),
    Route("reunification:start", allow=ADV_SUP),
    Route("reunification:create", allow=ADV_SUP, build=_case),
    Route("reunification:need_preview", allow=STAFF_ALL),
    Route("reunification:budget", allow=expand({"supervisor", "administrator"})),
    Route("reunification:guidelines", allow=STAFF_ALL),
    # Advocates edit only their own drafts; supervisors any draft; admins read only.
    Route(
        "reunification:edit",
        allow={"advocate", *SUP},
        build=_request("draft"),
    ),
    Route(
        "reunification:submit",
        allow={"advocate", *SUP},
        build=_request("draft"),
        post_only=True,
    ),
    Route("reunification:start_review", allow=SUP, build=_request("submitted"), post_only=True),
    # The requester is the owning advocate, so every supervisor may decide.
    Route("reunification:decide", allow=SUP, build=_request("under_review")),
    # GET shows the booking page (missing documents → an override reason field).
    Route("reunification:book", allow=SUP, build=_request("approved")),
    # Separation of duties: the supervisor who approved may not re-approve (403 with reason).
    Route("reunification:reapprove", allow={"supervisor"}, build=_over_approved),
    Route("reunification:complete", allow=SUP, build=_request("booked"), post_only=True),
    # The requester may withdraw a draft or submitted request; supervisors cancel any.
    Route("reunification:cancel", allow={"advocate", *SUP}, build=_request("submitted")),
    Route("reunification:segment_create", allow=SUP, build=_request("approved")),
    Route("reunification:segment_edit", allow=SUP, build=_segment),
    # The first allowed POST deletes the segment (later ones get 404): tested in test_views.
    Route(
        "reunification:segment_delete",
        allow=SUP,
        build=_segment,
        post_only=True,
        skip_post=True,
    ),
    Route("reunification:itinerary", allow=STAFF_ALL, build=_request("booked")),
    Route("reunification:itinerary_pdf", allow=STAFF_ALL, build=_request("booked")),
    Route(
        "reunification:checklist", allow=STAFF_ALL, build=_request("submitted", international=True)
    ),
    Route(
        "reunification:checklist_toggle",
        allow=ADV_SUP,
        build=_checklist_item,
        post_only=True,
    ),
]
