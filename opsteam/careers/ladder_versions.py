"""What changed between two saved versions of a career track's ladder (pure: no Django).

A version's snapshot is plain JSON::

    {"track": {"code", "name", "name_en", "kind", "description", "description_en", "is_active"},
     "steps": [{"order", "level", "code", "name", "name_en", "rank", "min_months",
                "standard_version", "entry_from": [{"level", "code", "name", "name_en"}]}]}

``steps`` run lowest level first; ``level`` is the job level's id (its code may change), and
``min_months`` / ``standard_version`` come from the level's published standard at the time
(None without one). ``compare_ladders`` lists the differences in the order people read them:
the track's own fields, levels removed, levels added, a new order of the levels both versions
share, then each remaining level's changed fields and entries. The interface words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TRACK_FIELD = "track_field"
LEVEL_ADDED = "level_added"
LEVEL_REMOVED = "level_removed"
REORDERED = "reordered"
STEP_FIELD = "step_field"
ENTRY_ADDED = "entry_added"
ENTRY_REMOVED = "entry_removed"

TRACK_FIELDS = ("code", "name", "name_en", "kind", "description", "description_en", "is_active")
STEP_FIELDS = ("code", "name", "name_en", "min_months", "standard_version")


class SnapshotError(ValueError):
    """A snapshot without the shape above; the message names the offending part."""


@dataclass(frozen=True, slots=True)
class LadderChange:
    """One difference. ``level`` is the step (or, for entries, the step entered) as the newer
    snapshot has it (the older one for a removed level); ``entry`` the entry level added or
    removed. ``before``/``after``: a field's values, the level codes in order (reordered) or
    the step number (added/removed)."""

    kind: str
    level: Mapping[str, Any] | None = None
    field: str = ""
    before: Any = None
    after: Any = None
    entry: Mapping[str, Any] | None = None


def _steps(snapshot: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    steps = snapshot.get("steps")
    if not isinstance(steps, list) or not all(
        isinstance(step, Mapping) and "level" in step for step in steps
    ):
        raise SnapshotError(f"{name}.steps must be a list of steps, each with its level")
    return steps


def compare_ladders(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[LadderChange]:
    """Return every difference from ``before`` to ``after`` (nothing for a first version)."""
    after_steps = _steps(after, "after")
    if before is None:
        return []
    before_steps = _steps(before, "before")
    changes: list[LadderChange] = []
    old_track, new_track = before.get("track", {}), after.get("track", {})
    for name in TRACK_FIELDS:
        if old_track.get(name) != new_track.get(name):
            changes.append(
                LadderChange(
                    TRACK_FIELD, field=name, before=old_track.get(name), after=new_track.get(name)
                )
            )
    old = {step["level"]: step for step in before_steps}
    new = {step["level"]: step for step in after_steps}
    for step in before_steps:
        if step["level"] not in new:
            changes.append(LadderChange(LEVEL_REMOVED, level=step, before=step.get("order")))
    for step in after_steps:
        if step["level"] not in old:
            changes.append(LadderChange(LEVEL_ADDED, level=step, after=step.get("order")))
    shared_before = [step["level"] for step in before_steps if step["level"] in new]
    shared_after = [step["level"] for step in after_steps if step["level"] in old]
    if shared_before != shared_after:
        changes.append(
            LadderChange(
                REORDERED,
                before=[step.get("code") for step in before_steps],
                after=[step.get("code") for step in after_steps],
            )
        )
    for step in after_steps:
        previous = old.get(step["level"])
        if previous is None:
            continue
        for name in STEP_FIELDS:
            if previous.get(name) != step.get(name):
                changes.append(
                    LadderChange(
                        STEP_FIELD,
                        level=step,
                        field=name,
                        before=previous.get(name),
                        after=step.get(name),
                    )
                )
        old_entries = {entry["level"]: entry for entry in previous.get("entry_from", [])}
        new_entries = {entry["level"]: entry for entry in step.get("entry_from", [])}
        for level_id, entry in new_entries.items():
            if level_id not in old_entries:
                changes.append(LadderChange(ENTRY_ADDED, level=step, entry=entry))
        for level_id, entry in old_entries.items():
            if level_id not in new_entries:
                changes.append(LadderChange(ENTRY_REMOVED, level=step, entry=entry))
    return changes
