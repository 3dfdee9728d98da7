"""Improvement actions (PDCA): created from a bottleneck with its evidence, then planned, done,
checked and closed. Every write is audited; the process review compares the windows either side
of an action's effective date.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.org.models import Process, Staff
from opsteam.workflow.choices import ActionStatus
from opsteam.workflow.models import ImprovementAction, ProcessMap
from opsteam.workflow.selectors_maps import can_on_process

# Fields only the process's owners (HR, administrators, the owning unit's managers) change; an
# operator who owns an action reports on it (status, effective date, result) but does not
# reassign or rewrite it.
OWNER_FIELDS = ("title", "description", "owner", "due_date")
REPORT_FIELDS = ("status", "effective_date", "result_note")
UPDATE_FIELDS = (*OWNER_FIELDS, *REPORT_FIELDS)
# From "check" on, the change has taken effect: the review needs the date it did.
NEEDS_EFFECTIVE_DATE = (ActionStatus.CHECK, ActionStatus.ACT, ActionStatus.DONE)
MAX_EVIDENCE_ITEMS = 20


def require_on_process(user: Any, action: str, model: type, process: Process) -> None:
    """Raise unless ``user`` may ``action`` a ``model`` row of ``process``: ``NotVisible`` when
    the user may not even read the process's analysis, ``PolicyDenied`` otherwise."""
    if can_on_process(user, action, model, process):
        return
    if not can_on_process(user, "analyse", ProcessMap, process):
        raise NotVisible()
    raise PolicyDenied()


def _check_owner(actor: Any, owner: Staff | None) -> None:
    if owner is not None and not policy.can(actor, "view", owner):
        raise ValidationFailed(_("You cannot choose this person."), field="owner")


def _clean_evidence(evidence: Any) -> dict[str, Any]:
    """Keep the evidence snapshot JSON-safe and bounded (it is shown back as stored)."""
    if evidence is None:
        return {}
    if not isinstance(evidence, dict):
        raise ValidationFailed(_("The evidence must be an object."), field="evidence")
    cleaned = json.loads(json.dumps(evidence, cls=DjangoJSONEncoder))
    items = cleaned.get("evidence")
    if isinstance(items, list):
        cleaned["evidence"] = items[:MAX_EVIDENCE_ITEMS]
    return cleaned


def _check_status(
    status: str, effective_date: dt.date | None, result_note: str, due_date: dt.date | None
) -> None:
    if status in NEEDS_EFFECTIVE_DATE and effective_date is None:
        raise ValidationFailed(
            _("Give the date the change took effect before checking its result."),
            field="effective_date",
        )
    if status == ActionStatus.DONE and not result_note.strip():
        raise ValidationFailed(
            _("Write down the result before closing the action."), field="result_note"
        )


def _require_add(actor: Any, process: Process | None, review: Any | None) -> None:
    """Actions of a process: its owners; actions of a system review: whoever runs the review
    (insights.selectors.require_steer), and only while it is open."""
    if process is not None:
        require_on_process(actor, "add", ImprovementAction, process)
        return
    if review is None:
        raise ValidationFailed(
            _("Choose the process or the review of the action."), field="process"
        )
    from opsteam.insights import selectors as insights_selectors

    insights_selectors.require_steer(actor, review)
    if review.is_closed:
        raise ValidationFailed(_("This review is closed."), field="review")


def _can_rewrite(actor: Any, action: ImprovementAction) -> bool:
    if action.process_id is not None:
        return can_on_process(actor, "add", ImprovementAction, action.process)
    if action.review_id is not None:
        from opsteam.insights import selectors as insights_selectors

        return insights_selectors.can_steer(actor, action.review)
    return policy.can(actor, "add", ImprovementAction)


@transaction.atomic
def improvement_action_create(
    *,
    actor: Any,
    process: Process | None,
    title: str,
    description: str = "",
    bottleneck_key: str = "",
    evidence: dict[str, Any] | None = None,
    owner: Staff | None = None,
    due_date: dt.date | None = None,
    review: Any | None = None,
    section: str = "",
) -> ImprovementAction:
    """Create an improvement action for ``process`` (or raised from the system ``review``'s
    ``section``, without a process) in status "plan".

    ``bottleneck_key`` names the bottleneck as the engine does (``step:<name>`` or
    ``handoff:<source>→<target>``) and ``evidence`` keeps a snapshot of what the analysis
    showed when the action was started. Raises ``NotVisible``/``PolicyDenied`` (the user may
    not add actions to this process) and ``ValidationFailed`` (empty title, an owner the user
    cannot see). Audit: "create".
    """
    _require_add(actor, process, review)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Give the action a title."), field="title")
    _check_owner(actor, owner)
    action = ImprovementAction.objects.create(
        process=process,
        review=review,
        section=(section or "")[:40],
        title=title[:200],
        description=description or "",
        bottleneck_key=(bottleneck_key or "")[:340],
        evidence=_clean_evidence(evidence),
        owner=owner,
        due_date=due_date,
        status=ActionStatus.PLAN,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=action)
    return action


@transaction.atomic
def improvement_action_update(
    *, actor: Any, action: ImprovementAction, **fields: Any
) -> ImprovementAction:
    """Change an action's explicit fields (``UPDATE_FIELDS``; others are refused).

    Process owners change any of them; an operator who owns the action only reports on it
    (status, effective date, result). From "check" on the effective date is required, and
    closing requires the result. Raises ``NotVisible``/``PolicyDenied`` and
    ``ValidationFailed``. Audit: "update" (nothing when nothing changed).
    """
    unknown = sorted(set(fields) - set(UPDATE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(unknown)),
            field=unknown[0],
        )
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if not (
        action.process_id is None and action.review_id is not None and _can_rewrite(actor, action)
    ):
        policy.require(actor, "change", action)
    changing = {name for name, value in fields.items() if getattr(action, name) != value}
    if changing & set(OWNER_FIELDS) and not _can_rewrite(actor, action):
        raise PolicyDenied(_("Only the process's owners reassign or rewrite an action."))
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationFailed(_("Give the action a title."), field="title")
    if "owner" in changing:
        _check_owner(actor, fields["owner"])
    before = audit.snapshot(action)
    for name, value in fields.items():
        if name in ("description", "result_note") and value is None:
            value = ""
        setattr(action, name, value)
    _check_status(action.status, action.effective_date, action.result_note, action.due_date)
    action.save(update_fields=[*fields, "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=action, before=before)
    return action
