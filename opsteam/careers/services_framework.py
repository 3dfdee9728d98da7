"""Writes of the competency framework and the ladder editor.

Competency groups (``org.SkillGroup``) and the 1-5 level descriptors of each competency
(``org.SkillLevelDescriptor``) are reference data HR maintains from the careers pages; a
track's ladder (its levels in order and the levels of other tracks that lead into each step)
is saved in one transaction through ``careers.services``. Every function checks the policy
and writes its audit entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opsteam.careers import services
from opsteam.careers.models import CareerTrack
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.models import JobLevel, Skill, SkillGroup, SkillLevelDescriptor

GROUP_FIELDS = ("code", "name", "name_en", "order")
LEVELS = range(1, 6)


@transaction.atomic
def skill_group_create(*, actor: Any, **fields: Any) -> SkillGroup:
    """Add a competency group. Raise ``PolicyDenied`` for anyone but HR and administrators and
    ``ValidationFailed`` naming the field (a code already used). Audited as "create"."""
    policy.require(actor, "add", SkillGroup)
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Field {name} cannot be changed here.").format(name=sorted(unknown)[0]),
            field=sorted(unknown)[0],
        )
    group = SkillGroup(**fields)
    full_clean(group)
    group.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=group)
    return group


@transaction.atomic
def skill_group_update(*, actor: Any, group: SkillGroup, **fields: Any) -> SkillGroup:
    """Rename or reorder a competency group. Audited as "update" (nothing when unchanged)."""
    policy.require(actor, "change", group)
    unknown = set(fields) - set(GROUP_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Field {name} cannot be changed here.").format(name=sorted(unknown)[0]),
            field=sorted(unknown)[0],
        )
    before = audit.snapshot(group)
    for name, value in fields.items():
        setattr(group, name, value)
    full_clean(group)
    group.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=group, before=before)
    return group


@transaction.atomic
def skill_framework_update(
    *,
    actor: Any,
    skill: Skill,
    group: SkillGroup | None,
    descriptors: Mapping[int, tuple[str, str]],
) -> Skill:
    """Put ``skill`` in ``group`` and set what each of its levels 1-5 looks like at work.

    ``descriptors`` maps a level to its (Chinese, English) description; a level left out or
    given two empty texts has no descriptor (an existing one is deleted). Raise ``PolicyDenied``
    for anyone but HR and administrators, ``ValidationFailed`` for a level outside 1-5 or an
    English text without the Chinese one (field ``level_<n>``). Each changed row is audited.
    """
    policy.require(actor, "change", skill)
    policy.require(actor, "change", SkillLevelDescriptor)
    for level in descriptors:
        if level not in LEVELS:
            raise ValidationFailed(
                _("Level {level} is not between 1 and 5.").format(level=level), field="descriptors"
            )
    if group is not None and group.pk is None:
        raise ValidationFailed(_("Choose an existing competency group."), field="group")
    if skill.group_id != (group.pk if group else None):
        before = audit.snapshot(skill)
        skill.group = group
        skill.save(update_fields=["group", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=skill, before=before)
    existing = {row.level: row for row in SkillLevelDescriptor.objects.filter(skill=skill)}
    for level in LEVELS:
        text, text_en = (part.strip() for part in descriptors.get(level, ("", "")))
        row = existing.get(level)
        if not text and not text_en:
            if row is not None:
                before = audit.snapshot(row)
                audit.record(actor=actor, action=AuditAction.DELETE, obj=row, before=before)
                row.delete()
            continue
        if not text:
            raise ValidationFailed(
                _("Describe level {level} in Chinese as well.").format(level=level),
                field=f"level_{level}",
            )
        if row is None:
            row = SkillLevelDescriptor(skill=skill, level=level, description=text)
            row.description_en = text_en
            full_clean(row, validate_constraints=False)
            row.save()
            audit.record(actor=actor, action=AuditAction.CREATE, obj=row)
        elif (row.description, row.description_en) != (text, text_en):
            before = audit.snapshot(row)
            row.description, row.description_en = text, text_en
            full_clean(row, validate_constraints=False)
            row.save(update_fields=["description", "description_en"])
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=row, before=before)
    return skill


@transaction.atomic
def track_ladder_save(
    *,
    actor: Any,
    track: CareerTrack | None = None,
    steps: Sequence[tuple[JobLevel, Sequence[JobLevel]]],
    **fields: Any,
) -> CareerTrack:
    """Create or update a track with its ladder in one transaction.

    ``steps`` lists (level, levels of other tracks that lead into it), lowest level first.
    Raise ``PolicyDenied`` for anyone but HR and administrators, ``ValidationFailed`` for a
    level twice on the track or an entry level that is on the track itself (field
    ``steps``). Audited through ``services.track_save`` and ``services.step_entries_set``;
    the ladder as saved becomes the track's next version (``services.track_version_record``:
    one per save, none when nothing changed).
    """
    levels = [level for level, _entries in steps]
    own = {level.pk for level in levels}
    for level, entries in steps:
        inside = [entry for entry in entries if entry.pk in own]
        if inside:
            raise ValidationFailed(
                _(
                    "{level} is on this track already: people come to {step} from the level"
                    " below it; choose levels of other tracks as entries."
                ).format(level=inside[0].display_name, step=level.display_name),
                field="steps",
            )
    track = services.track_save(
        actor=actor, track=track, levels=levels, record_version=False, **fields
    )
    wanted = {level.pk: {entry.pk for entry in entries} for level, entries in steps}
    entries_of = {level.pk: list(entries) for level, entries in steps}
    for step in track.steps.select_related("level", "track").prefetch_related("entry_from"):
        current = {level.pk for level in step.entry_from.all()}
        if current != wanted.get(step.level_id, set()):
            services.step_entries_set(
                actor=actor,
                step=step,
                entry_levels=entries_of.get(step.level_id, []),
                record_version=False,
            )
    services.track_version_record(actor=actor, track=track)
    return track
