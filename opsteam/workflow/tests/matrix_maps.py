"""Access-matrix rows of the process-map pages and API (process list, maps and their versions,
steps, handoffs, layout). Walked by core/tests/test_permission_matrix.py.

Objects: a process owned by team T1 (the manager's team) and one owned by T3 (another
department), each with a published map v1 and a draft v2 (two steps and a handoff each).
Maps are published to everyone; HR, administrators and the managers of the owning unit
maintain them (the manager only T1's). Creating a process needs ``org.process`` "add" (HR
and administrators).
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import EDITORS, EDITORS_400, EVERYONE, Check, _roles


def _team(status: int) -> dict[str, int]:
    """Maintainers of the T1 process: HR, administrators, the T1 manager."""
    return _roles(403, admin=status, hr=status, manager=status)


def _other(status: int) -> dict[str, int]:
    """Maintainers of the T3 process: HR and administrators."""
    return _roles(403, admin=status, hr=status)


NOTE = {"change_note": "调整审核"}

EXPECTED: dict[str, list[Check]] = {
    "workflow:process_list": [Check(EVERYONE), Check(EVERYONE, query="export=csv")],
    "workflow:process_create": [
        Check(EDITORS),
        Check(EDITORS_400, method="post", data={"name": "x"}),
    ],
    "workflow:process_detail": [
        Check(EVERYONE, obj="maps_team_process"),
        Check(EVERYONE, obj="maps_other_process"),
    ],
    "workflow:map_new_version": [
        Check(_team(302), method="post", obj="maps_team_process"),
        Check(_other(302), method="post", obj="maps_other_process"),
    ],
    "workflow:map_detail": [
        Check(EVERYONE, obj="maps_team_published"),
        Check(EVERYONE, obj="maps_team_draft"),
    ],
    "workflow:map_edit": [
        Check(_team(200), obj="maps_team_draft"),
        Check(_other(200), obj="maps_other_draft"),
        Check(_team(404), obj="maps_team_published"),
        Check(_team(302), method="post", obj="maps_team_draft", data=NOTE),
    ],
    "workflow:map_publish": [
        Check(_team(302), method="post", obj="maps_team_draft"),
        Check(_other(302), method="post", obj="maps_other_draft"),
    ],
    "workflow:map_discard": [
        Check(_team(302), method="post", obj="maps_team_draft"),
        Check(_other(302), method="post", obj="maps_other_draft"),
    ],
    # Form-encoded (not JSON) positions: the maintainers get 400.
    "workflow:map_layout": [
        Check(_team(400), method="post", obj="maps_team_draft"),
        Check(_other(400), method="post", obj="maps_other_draft"),
    ],
    "workflow:step_create": [
        Check(_team(200), obj="maps_team_draft"),
        Check(_other(200), obj="maps_other_draft"),
        Check(_team(404), obj="maps_team_published"),
        Check(_team(400), method="post", obj="maps_team_draft", data={"name": "x"}),
    ],
    "workflow:transition_create": [
        Check(_team(200), obj="maps_team_draft"),
        Check(_team(400), method="post", obj="maps_team_draft", data={"label": "x"}),
    ],
    "workflow:step_sop": [
        Check(EVERYONE, obj="maps_team_step"),
        Check(EVERYONE, obj="maps_other_step"),
    ],
    "workflow:step_edit": [
        Check(_team(200), obj="maps_team_step"),
        Check(_other(200), obj="maps_other_step"),
        Check(_team(404), obj="maps_team_published_step"),
    ],
    "workflow:step_delete": [
        Check(_team(302), method="post", obj="maps_team_step"),
        Check(_other(302), method="post", obj="maps_other_step"),
    ],
    "workflow:transition_edit": [
        Check(_team(200), obj="maps_team_transition"),
        Check(_other(200), obj="maps_other_transition"),
    ],
    "workflow:transition_delete": [
        Check(_team(302), method="post", obj="maps_team_transition"),
        Check(_other(302), method="post", obj="maps_other_transition"),
    ],
    # API
    "workflow-process-list": [Check(EVERYONE)],
    "workflow-process-detail": [Check(EVERYONE, obj="maps_other_process")],
    "workflow-process-map-list": [
        Check(EVERYONE),
        Check(_team(400), method="post"),
    ],
    "workflow-process-map-detail": [
        Check(EVERYONE, obj="maps_team_published"),
        Check(_team(200), method="patch", obj="maps_team_draft", data=NOTE),
        Check(_other(200), method="patch", obj="maps_other_draft", data=NOTE),
        Check(_team(409), method="patch", obj="maps_team_published", data=NOTE),
        Check(_team(204), method="delete", obj="maps_team_draft"),
    ],
    "workflow-process-map-publish": [
        Check(_team(200), method="post", obj="maps_team_draft"),
        Check(_other(200), method="post", obj="maps_other_draft"),
        Check(_team(409), method="post", obj="maps_team_published"),
    ],
    "workflow-process-map-raci": [Check(EVERYONE, obj="maps_other_published")],
    "workflow-process-step-list": [Check(EVERYONE), Check(_team(400), method="post")],
    "workflow-process-step-detail": [
        Check(EVERYONE, obj="maps_other_step"),
        Check(_team(200), method="patch", obj="maps_team_step", data={"name": "核对"}),
        Check(_other(200), method="patch", obj="maps_other_step", data={"name": "核对"}),
        Check(_team(204), method="delete", obj="maps_team_step"),
    ],
    "workflow-process-transition-list": [Check(EVERYONE), Check(_team(400), method="post")],
    "workflow-process-transition-detail": [
        Check(EVERYONE, obj="maps_other_transition"),
        Check(_team(200), method="patch", obj="maps_team_transition", data={"label": "转交"}),
        Check(_other(204), method="delete", obj="maps_other_transition"),
    ],
}

GUARDED = ("org.Process", "workflow.ProcessMap", "workflow.Step", "workflow.Transition")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A T1 and a T3 process, each with a published v1 and a draft v2 of two steps joined by a
    handoff."""
    from opsteam.org.tests.factories import ProcessFactory
    from opsteam.workflow.choices import MapStatus
    from opsteam.workflow.tests.factories import (
        ProcessMapFactory,
        StepFactory,
        TransitionFactory,
    )

    found: dict[str, Any] = {}
    for side, unit in (("team", objects["t1"]), ("other", objects["t3"])):
        process = ProcessFactory(owner_unit=unit)
        published = ProcessMapFactory(process=process, version=1, status=MapStatus.PUBLISHED)
        draft = ProcessMapFactory(process=process, version=2, status=MapStatus.DRAFT)
        published_step = StepFactory(map=published, code="intake", order=0)
        StepFactory(map=published, code="ship", order=1)
        intake = StepFactory(map=draft, code="intake", order=0)
        ship = StepFactory(map=draft, code="ship", order=1)
        found.update(
            {
                f"maps_{side}_process": process,
                f"maps_{side}_published": published,
                f"maps_{side}_draft": draft,
                f"maps_{side}_published_step": published_step,
                f"maps_{side}_step": ship,
                f"maps_{side}_transition": TransitionFactory(map=draft, source=intake, target=ship),
            }
        )
    return found
