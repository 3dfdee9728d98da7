"""Access-matrix rows of the work-item pages and API (list, item and its actions, board, My
work, workload). Walked by core/tests/test_permission_matrix.py.

Objects: a process owned by D1 with a published map; the requesting user's own item (assigned
to them, team T1), a T1 colleague's item and a T3 person's item; an attachment on the own and
the T3 item; a link from the own and from the T3 item. Every role's user works in T1, which
the manager manages. Posts without the form's required fields answer 302 (the page comes back
with the error) once the policy lets them through.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import (
    EVERYONE,
    STAFF_OTHER,
    STAFF_TEAM,
    Check,
    _roles,
)

ATTACHMENT_FILE = "workflow/attachments/matrix/receipt.txt"

CHANGE_OWN = _roles(200, auditor=403)
CHANGE_TEAM = _roles(200, operator=404, auditor=403)
CHANGE_OTHER = _roles(200, manager=404, operator=404, auditor=403)
POST_OWN = _roles(302, auditor=403)
POST_TEAM = _roles(302, operator=404, auditor=403)
POST_OTHER = _roles(302, manager=404, operator=404, auditor=403)
API_400_OWN = _roles(400, auditor=403)
API_400_OTHER = _roles(400, manager=404, operator=404, auditor=403)

EXPECTED: dict[str, list[Check]] = {
    "workflow:item_list": [
        Check(EVERYONE),
        Check(_roles(200, operator=403), query="export=csv"),
    ],
    "workflow:item_create": [
        Check(_roles(200, auditor=403)),
        Check(_roles(400, auditor=403), method="post", data={"title": "x"}),
    ],
    "workflow:item_detail": [
        Check(EVERYONE, obj="own_item"),
        Check(STAFF_TEAM, obj="team_item"),
        Check(STAFF_OTHER, obj="other_item"),
    ],
    "workflow:item_update": [
        Check(CHANGE_OWN, obj="own_item"),
        Check(CHANGE_TEAM, obj="team_item"),
        Check(CHANGE_OTHER, obj="other_item"),
    ],
    "workflow:item_move": [
        Check(POST_OWN, method="post", obj="own_item"),
        Check(POST_TEAM, method="post", obj="team_item"),
        Check(POST_OTHER, method="post", obj="other_item"),
    ],
    "workflow:item_assign": [
        Check(POST_OWN, method="post", obj="own_item"),
        Check(POST_OTHER, method="post", obj="other_item"),
    ],
    "workflow:item_status": [
        Check(POST_OWN, method="post", obj="own_item", data={"status": "blocked"}),
        Check(POST_TEAM, method="post", obj="team_item", data={"status": "blocked"}),
    ],
    "workflow:item_comment": [
        Check(_roles(302), method="post", obj="own_item", data={"body": "请跟进"}),
        Check(POST_TEAM, method="post", obj="team_item", data={"body": "请跟进"}),
        Check(POST_OTHER, method="post", obj="other_item", data={"body": "请跟进"}),
    ],
    "workflow:item_attach": [
        Check(_roles(302), method="post", obj="own_item"),
        Check(POST_OTHER, method="post", obj="other_item"),
    ],
    "workflow:item_link": [
        Check(POST_OWN, method="post", obj="own_item", data={"reference": "无", "kind": "relates"}),
    ],
    "workflow:item_unlink": [
        Check(POST_OWN, method="post", obj="own_link"),
        Check(POST_OTHER, method="post", obj="other_link"),
    ],
    "workflow:item_attachment": [
        Check(EVERYONE, obj="own_attachment"),
        Check(STAFF_OTHER, obj="other_attachment"),
    ],
    "workflow:board": [Check(EVERYONE, obj="items_process")],
    "workflow:my_work": [Check(EVERYONE)],
    "workflow:workload": [Check(_roles(200, operator=403))],
    # API
    "workflow-item-list": [
        Check(EVERYONE),
        Check(_roles(400, auditor=403), method="post", data={"title": "x"}),
    ],
    "workflow-item-detail": [
        Check(EVERYONE, obj="own_item"),
        Check(STAFF_TEAM, obj="team_item"),
        Check(STAFF_OTHER, obj="other_item"),
        Check(CHANGE_OWN, method="patch", obj="own_item", data={"title": "新标题"}),
        Check(CHANGE_OTHER, method="patch", obj="other_item", data={"title": "新标题"}),
    ],
    "workflow-item-move": [
        Check(API_400_OWN, method="post", obj="own_item"),
        Check(API_400_OTHER, method="post", obj="other_item"),
    ],
    "workflow-item-assign": [
        Check(CHANGE_OWN, method="post", obj="own_item", data={"assignee": None}),
        Check(CHANGE_TEAM, method="post", obj="team_item", data={"assignee": None}),
    ],
    "workflow-item-status": [
        Check(CHANGE_OWN, method="post", obj="own_item", data={"status": "blocked"}),
        Check(CHANGE_OTHER, method="post", obj="other_item", data={"status": "blocked"}),
    ],
    "workflow-item-comments": [
        Check(EVERYONE, obj="own_item"),
        Check(STAFF_OTHER, obj="other_item"),
        Check(_roles(201), method="post", obj="own_item", data={"body": "请跟进"}),
        Check(
            _roles(201, operator=404, auditor=403),
            method="post",
            obj="team_item",
            data={"body": "请跟进"},
        ),
    ],
}

GUARDED = (
    "workflow.WorkItem",
    "workflow.WorkItemComment",
    "workflow.WorkItemAttachment",
    "workflow.WorkItemLink",
    "workflow.ProcessEvent",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A D1 process with a published map; the user's own, a T1 and a T3 item (each in the
    first step); attachments and links on the own and the T3 item."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from opsteam.workflow.models import WorkItemAttachment, WorkItemLink
    from opsteam.workflow.tests.factories import WorkItemFactory
    from opsteam.workflow.tests.factories_items import make_flow

    flow = make_flow(owner_unit=objects["t1"].parent)

    def item(staff: Any) -> Any:
        return WorkItemFactory(
            process=flow.process, step=flow.intake, assignee=staff, unit=staff.unit
        )

    own, team, other = item(user.staff), item(objects["team_staff"]), item(objects["other_staff"])
    if not default_storage.exists(ATTACHMENT_FILE):
        default_storage.save(ATTACHMENT_FILE, ContentFile(b"matrix receipt"))

    def attachment(on: Any) -> Any:
        return WorkItemAttachment.objects.create(
            item=on, file=ATTACHMENT_FILE, name="receipt.txt", size=14
        )

    return {
        "items_process": flow.process,
        "own_item": own,
        "team_item": team,
        "other_item": other,
        "own_attachment": attachment(own),
        "other_attachment": attachment(other),
        "own_link": WorkItemLink.objects.create(source=own, target=team),
        "other_link": WorkItemLink.objects.create(source=other, target=team),
    }
