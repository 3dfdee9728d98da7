"""Reads of 1:1s and improvement plans shared by pages, API and the home page.

Private notes are read here only, and only through the policy (``PrivateNote`` rows are visible
to their author alone): no page, serializer or export reads ``PrivateNote`` any other way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from opsteam.org.models import Staff
from opsteam.performance.choices import ActionItemStatus, PlanState
from opsteam.performance.models_coaching import (
    ActionItem,
    ImprovementPlan,
    OneOnOne,
    OneOnOneMeeting,
    PrivateNote,
)


def _participant(user: Any, prefix: str = "") -> Q:
    return Q(**{f"{prefix}manager__user": user.pk}) | Q(**{f"{prefix}report__user": user.pk})


def one_on_one_list(*, user: Any) -> QuerySet[OneOnOne]:
    """Return the 1:1s the user may see, with both people and the meeting count."""
    return (
        OneOnOne.objects.restrict(user, "view")
        .select_related("manager", "report", "report__unit")
        .annotate(meeting_count=Count("meetings"))
    )


def my_one_on_ones(*, user: Any) -> QuerySet[OneOnOne]:
    """Return the active 1:1s the user takes part in (either side), next one first."""
    return (
        OneOnOne.objects.filter(_participant(user), is_active=True)
        .select_related("manager", "report")
        .order_by("next_date", "id")
    )


def my_open_action_items(*, user: Any) -> QuerySet[ActionItem]:
    """Return the open action items the user owns, earliest due first (undated last)."""
    return (
        ActionItem.objects.filter(owner__user=user.pk, status=ActionItemStatus.OPEN)
        .select_related("meeting", "meeting__series__manager", "meeting__series__report")
        .order_by("due_date", "id")
    )


def action_item_list(*, user: Any) -> QuerySet[ActionItem]:
    """Return the action items the user may see."""
    return ActionItem.objects.restrict(user, "view").select_related("owner", "meeting")


def meeting_list(*, user: Any) -> QuerySet[OneOnOneMeeting]:
    """Return the meetings the user may see, with their series and people."""
    return OneOnOneMeeting.objects.restrict(user, "view").select_related(
        "series", "series__manager", "series__report", "cycle"
    )


def private_note_for(*, user: Any, meeting: OneOnOneMeeting) -> PrivateNote | None:
    """Return the user's own private note on ``meeting``; never anyone else's.

    The other side's note, HR's view and an administrator's view all answer None: the
    policy scopes ``PrivateNote`` to its author for every role.
    """
    return PrivateNote.objects.restrict(user, "view").filter(meeting=meeting).first()


def private_notes_by_meeting(*, user: Any, meeting_ids: list[int]) -> dict[int, PrivateNote]:
    """Return the user's own private notes on the given meetings, by meeting id (one query)."""
    notes = PrivateNote.objects.restrict(user, "view").filter(meeting_id__in=meeting_ids)
    return {note.meeting_id: note for note in notes}


def meeting_detail(*, user: Any, meeting: OneOnOneMeeting) -> dict[str, Any]:
    """Return what a meeting page shows to ``user``: agenda, actions and their own note."""
    series = meeting.series
    me = Staff.objects.filter(user_id=user.pk).only("pk").first()
    side = None
    if me is not None:
        side = (
            "manager"
            if me.pk == series.manager_id
            else ("report" if me.pk == series.report_id else None)
        )
    return {
        "agenda": list(meeting.agenda_items.select_related("added_by")),
        "action_items": list(meeting.action_items.select_related("owner")),
        "private_note": private_note_for(user=user, meeting=meeting),
        "side": side,
    }


def plan_list(*, user: Any) -> QuerySet[ImprovementPlan]:
    """Return the improvement plans the user may see, with people and goal progress."""
    return (
        ImprovementPlan.objects.restrict(user, "view")
        .select_related("staff", "staff__unit", "manager", "hr_owner")
        .annotate(
            goal_count=Count("goals", distinct=True),
            goals_met=Count("goals", filter=Q(goals__status="met"), distinct=True),
        )
    )


def plan_detail(*, plan: ImprovementPlan) -> dict[str, Any]:
    """Return a plan's goals, check-ins, and the plans it continues or that continue it."""
    return {
        "goals": list(plan.goals.all()),
        "check_ins": list(plan.check_ins.select_related("recorded_by")),
        "extensions": list(plan.extensions.all()),
    }


def coaching_home(*, user: Any) -> dict[str, Any]:
    """Return the home-page lists: my 1:1s, my open action items, my own plans (once started)
    and the active plans I support as their manager."""
    return {
        "my_one_on_ones": list(my_one_on_ones(user=user)[:10]),
        "my_action_items": list(my_open_action_items(user=user)[:10]),
        "my_plans": list(
            ImprovementPlan.objects.filter(staff__user=user.pk)
            .exclude(state=PlanState.DRAFT)
            .order_by("-start_date")[:3]
        ),
        "plans_to_support": list(
            ImprovementPlan.objects.filter(manager__user=user.pk, state=PlanState.ACTIVE)
            .select_related("staff")
            .order_by("end_date")[:10]
        ),
    }
