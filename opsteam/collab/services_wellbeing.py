"""Writes of wellbeing check-ins (关注工作状态和心理健康).

A check-in is shared with the person's direct manager only. The audit trail records that a
check-in was written, never its answers (auditors and HR read the trail). Alerts go to the
direct manager alone, titled without the person's name (an e-mail or IM preview must not
tell anyone else); the link opens the person's check-ins, which only that manager may read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders, selectors_wellbeing, services, wellbeing
from opsteam.collab.models_reports import WellbeingCheckIn
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import ValidationFailed

PRIVATE_FIELDS = ("mood", "workload", "blockers", "wants_to_talk")
MAX_BLOCKERS = 2000


def direct_manager(staff: Any) -> Any | None:
    """The person's direct manager: their ``manager``, else the lead of the nearest unit up
    the tree that someone else leads. None when nobody is found."""
    if staff.manager_id and staff.manager_id != staff.pk:
        return staff.manager
    unit = staff.unit
    while unit is not None:
        if unit.lead_id and unit.lead_id != staff.pk:
            return unit.lead
        unit = unit.parent
    return None


def _score(value: Any, field: str, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed(_("{label}: choose 1 to 5.").format(label=label), field=field)
    return value


@transaction.atomic
def checkin_save(
    *,
    actor: Any,
    mood: int,
    workload: int,
    blockers: str = "",
    wants_to_talk: bool = False,
    today: dt.date | None = None,
) -> WellbeingCheckIn:
    """Write (or rewrite) the actor's check-in of this week, shared with their direct manager.

    Raises ``ValidationFailed`` naming the field. Audit: create or update, without the answers.
    A "want to talk" or a low trend tells the manager (once per week).
    """
    policy.require(actor, "add", WellbeingCheckIn)
    staff = getattr(actor, "staff", None)
    if staff is None:
        raise ValidationFailed(_("Only staff members write check-ins."))
    mood = _score(mood, "mood", _("Mood"))
    workload = _score(workload, "workload", _("Workload"))
    blockers = (blockers or "").strip() if isinstance(blockers, str) else ""
    if len(blockers) > MAX_BLOCKERS:
        raise ValidationFailed(
            _("At most {count} characters.").format(count=MAX_BLOCKERS), field="blockers"
        )
    week = wellbeing.week_start(today or timezone.localdate())
    checkin = (
        WellbeingCheckIn.objects.select_for_update().filter(staff=staff, week_start=week).first()
    )
    before = audit.snapshot(checkin, exclude=PRIVATE_FIELDS) if checkin else None
    if checkin is None:
        manager = direct_manager(staff)
        checkin = WellbeingCheckIn(
            staff=staff, week_start=week, unit_id=staff.unit_id, manager=manager
        )
    checkin.mood, checkin.workload = mood, workload
    checkin.blockers, checkin.wants_to_talk = blockers, bool(wants_to_talk)
    checkin.save()
    after = audit.snapshot(checkin, exclude=PRIVATE_FIELDS)
    # the answers themselves never enter the trail: only that they were (re)written
    after["answers"] = "rewritten" if before else "recorded"
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=checkin,
        before={**before, "answers": "recorded"} if before else None,
        after=after,
        note="" if before else "check-in",
    )
    alert_manager(staff_id=staff.pk, as_of=week)
    return checkin


def alert_manager(*, staff_id: int, as_of: dt.date) -> int:
    """Tell the person's direct manager when their check-ins call for attention (pure rule in
    ``wellbeing.assess``), once per person and week. Returns 1 when someone was told."""
    history, checkin = selectors_wellbeing.alert_history(staff_id=staff_id, as_of=as_of)
    if checkin is None or checkin.manager is None or checkin.manager.user_id is None:
        return 0
    alert = wellbeing.assess(history, as_of=as_of)
    if alert is None:
        return 0
    user = checkin.manager.user
    with translation.override(reminders.language_of(user.language)):
        title = (
            _("Someone in your team would like to talk")
            if "wants-to-talk" in alert.reasons
            else _("A check-in in your team needs your attention")
        )
    return services.remind_once(
        key=f"wellbeing-alert:{staff_id}:{alert.week_start.isoformat()}",
        recipients=[user],
        kind="wellbeing",
        title=title,
        url=reverse("collab:wellbeing_person", args=[staff_id]),
    )
