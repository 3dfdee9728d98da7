"""Reminders of the appraisal domain, raised by the hourly collab scan (``collab.reminders``).

What is due, and who is told (inbox, then e-mail and the team's IM per their preferences):

- a cycle in the self-review stage: the reviewees whose review still waits for their
  self-review, by ``self_review_deadline``;
- a cycle in the manager-review stage: the reviewing manager fixed on each review at launch
  (``Review.reviewer``, as on "My reviews") whose review is not yet given, by
  ``manager_review_deadline``;
- a cycle in the acknowledgement stage: the reviewees whose published result is not yet
  confirmed, by ``acknowledgement_deadline``;
- open 1:1 action items: their owner, the day before and on the due date.

Each is said once when the deadline is near (from ``LEAD_DAYS`` before it up to the day
itself) and once more when it has passed ("overdue"), the latter only within ``OVERDUE_DAYS``
so that old history never floods anyone. Review steps are grouped per cycle, step and
language: one ``remind_once`` each, whose key names the cycle, step, deadline and window, so
the scan costs a few queries however many reviews a cycle has, and an IM channel gets one
message naming the people concerned rather than one message per person. Action items are
reminded one by one (key per item, due date and window), as they are created at any time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsteam.collab import services as collab_services
from opsteam.collab.models import SentReminder
from opsteam.collab.reminders import DUE, OVERDUE_DAYS, language_of, window
from opsteam.core.models import localized
from opsteam.performance.choices import ActionItemStatus, CycleStage, ReviewStatus
from opsteam.performance.models import ActionItem, Review, ReviewCycle

LEAD_DAYS = 2  # review steps: reminded from two days before the deadline
ACTION_LEAD_DAYS = 1  # action items: the day before the due date
REVIEW_KIND = "review-due"
ACTION_KIND = "action-item-due"


@dataclass(frozen=True)
class Step:
    """One step people owe in a cycle stage: who owes it and by which deadline."""

    code: str
    stage: str
    deadline_field: str
    statuses: tuple[str, ...]
    person: str  # the Review field of the Staff who owes the step


STEPS: tuple[Step, ...] = (
    Step("self", CycleStage.SELF_REVIEW, "self_review_deadline", (ReviewStatus.PENDING,), "staff"),
    Step(
        "manager",
        CycleStage.MANAGER_REVIEW,
        "manager_review_deadline",
        (ReviewStatus.PENDING, ReviewStatus.SELF_DONE),
        "reviewer",
    ),
    Step(
        "acknowledge",
        CycleStage.ACKNOWLEDGEMENT,
        "acknowledgement_deadline",
        # an upheld or rejected appeal leaves a result to confirm as well
        (ReviewStatus.PUBLISHED, ReviewStatus.RESOLVED),
        "staff",
    ),
)


def scan(*, today: dt.date) -> int:
    """Remind everyone who owes an appraisal step or a 1:1 action soon (or overdue).

    Returns how many people were notified; a second scan on the same day notifies nobody.
    """
    return _review_steps(today) + _action_items(today)


# Review steps -------------------------------------------------------------------------------


def _review_steps(today: dt.date) -> int:
    earliest, latest = today - dt.timedelta(days=OVERDUE_DAYS), today + dt.timedelta(days=LEAD_DAYS)
    near = Q()
    for step in STEPS:
        near |= Q(stage=step.stage, **{f"{step.deadline_field}__range": (earliest, latest)})
    cycles = {
        cycle.pk: cycle
        for cycle in ReviewCycle.objects.filter(near).only(
            "pk", "name", "name_en", "stage", *(step.deadline_field for step in STEPS)
        )
    }
    notified = 0
    for step in STEPS:
        in_stage = [pk for pk, cycle in cycles.items() if cycle.stage == step.stage]
        if not in_stage:
            continue
        person = step.person
        owed = Review.objects.filter(
            cycle_id__in=in_stage,
            status__in=step.statuses,
            **{f"{person}__user__isnull": False, f"{person}__user__is_active": True},
        )
        if step.code == "acknowledge":
            owed = owed.filter(acknowledged_at__isnull=True)
        rows = (
            owed.order_by()
            .values_list("cycle_id", f"{person}__user_id", f"{person}__user__language")
            .distinct()
        )
        groups: dict[tuple[int, str], set[int]] = defaultdict(set)
        for cycle_id, user_id, language in rows:
            groups[(cycle_id, language_of(language))].add(user_id)
        for (cycle_id, language), user_ids in sorted(groups.items()):
            notified += _remind_step(step, cycles[cycle_id], today, language, user_ids)
    return notified


def _remind_step(
    step: Step, cycle: ReviewCycle, today: dt.date, language: str, user_ids: Iterable[int]
) -> int:
    deadline: dt.date = getattr(cycle, step.deadline_field)
    when = window(deadline, today, LEAD_DAYS)
    if when is None:
        return 0
    with translation.override(language):
        title, body = _step_message(step.code, when, localized(cycle, "name"), deadline)
        url = reverse("performance:my_reviews")
    return collab_services.remind_once(
        key=f"{REVIEW_KIND}:{step.code}:{cycle.pk}:{deadline.isoformat()}:{when}:{language}",
        recipients=sorted(user_ids),
        kind=REVIEW_KIND,
        title=title,
        body=body,
        url=url,
    )


def _step_message(code: str, when: str, cycle: str, deadline: dt.date) -> tuple[str, str]:
    """Title and body of a review-step reminder, in the active language."""
    date = deadline.isoformat()
    if code == "self":
        if when == DUE:
            return (
                _("Self-review due {date}: {cycle}").format(date=date, cycle=cycle),
                _("Please write your self-review for {cycle} by {date}.").format(
                    cycle=cycle, date=date
                ),
            )
        return (
            _("Self-review overdue: {cycle}").format(cycle=cycle),
            _(
                "Your self-review for {cycle} was due on {date}. Please write it now: "
                "your manager's review follows it."
            ).format(cycle=cycle, date=date),
        )
    if code == "manager":
        if when == DUE:
            return (
                _("Manager reviews due {date}: {cycle}").format(date=date, cycle=cycle),
                _("Please review the people waiting for you in {cycle} by {date}.").format(
                    cycle=cycle, date=date
                ),
            )
        return (
            _("Manager reviews overdue: {cycle}").format(cycle=cycle),
            _(
                "Your reviews in {cycle} were due on {date}. Please complete them now: "
                "calibration waits for them."
            ).format(cycle=cycle, date=date),
        )
    if when == DUE:
        return (
            _("Confirm your result by {date}: {cycle}").format(date=date, cycle=cycle),
            _(
                "Your result for {cycle} is published. Please read it and confirm it by {date}; "
                "if you disagree, you can appeal until then."
            ).format(cycle=cycle, date=date),
        )
    return (
        _("Result not yet confirmed: {cycle}").format(cycle=cycle),
        _("Your result for {cycle} was to be confirmed by {date}. Please confirm it now.").format(
            cycle=cycle, date=date
        ),
    )


# 1:1 action items ---------------------------------------------------------------------------


def _action_items(today: dt.date) -> int:
    rows = list(
        ActionItem.objects.filter(
            status=ActionItemStatus.OPEN,
            due_date__range=(
                today - dt.timedelta(days=OVERDUE_DAYS),
                today + dt.timedelta(days=ACTION_LEAD_DAYS),
            ),
            owner__user__isnull=False,
            owner__user__is_active=True,
        )
        .order_by("due_date", "pk")
        .values_list("pk", "due_date", "meeting_id", "owner__user_id", "owner__user__language")
    )
    planned = []
    for pk, due, meeting_id, user_id, language in rows:
        when = window(due, today, ACTION_LEAD_DAYS)
        if when is not None:
            key = f"{ACTION_KIND}:{pk}:{due.isoformat()}:{when}"
            planned.append((key, when, due, meeting_id, user_id, language_of(language)))
    if not planned:
        return 0
    # Reminded already (a rerun): skipped with one query rather than one failed insert each.
    sent = set(
        SentReminder.objects.filter(key__in=[row[0] for row in planned]).values_list(
            "key", flat=True
        )
    )
    notified = 0
    for key, when, due, meeting_id, user_id, language in planned:
        if key in sent:
            continue
        with translation.override(language):
            # Not the item's text: a 1:1 is private, and the team's IM channel may carry this.
            if when == DUE:
                title = _("1:1 action due {date}").format(date=due.isoformat())
                body = _("An action you agreed in a 1:1 is due on {date}.").format(
                    date=due.isoformat()
                )
            else:
                title = _("1:1 action overdue since {date}").format(date=due.isoformat())
                body = _(
                    "An action you agreed in a 1:1 was due on {date}. Mark it done, or agree "
                    "a new date in your next 1:1."
                ).format(date=due.isoformat())
            url = reverse("performance:meeting_detail", args=[meeting_id])
        notified += collab_services.remind_once(
            key=key, recipients=[user_id], kind=ACTION_KIND, title=title, body=body, url=url
        )
    return notified
