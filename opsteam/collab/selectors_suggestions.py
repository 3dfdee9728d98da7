"""Reads of collab: suggestions, shared by pages, API, exports, reminders and the home page.

Nothing here ever returns who voted, or who wrote anything anonymous (those rows store nobody).
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.collab.models_suggestions import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    Suggestion,
    SuggestionCategory,
    SuggestionComment,
    SuggestionEvent,
    SuggestionFollower,
    SuggestionStatus,
    SuggestionVote,
)
from opsteam.core import policy

# A suggestion waiting this many days for a first answer shows on its handlers' home page.
ANSWER_WITHIN_DAYS = 3
# Status changes of one's own suggestions shown on the home page for this long.
UPDATES_DAYS = 14
HOME_ITEMS = 5


def suggestion_list(*, user: Any, action: str = "view") -> QuerySet[Suggestion]:
    """Suggestions ``user`` may ``action`` (everyone views all), with the caller's own vote
    and follow as ``my_vote``/``my_follow`` (two subqueries, no query per row)."""
    return (
        Suggestion.objects.restrict(user, action)
        .select_related("unit", "author", "owner")
        .annotate(
            my_vote=Exists(SuggestionVote.objects.filter(suggestion=OuterRef("pk"), user=user)),
            my_follow=Exists(
                SuggestionFollower.objects.filter(suggestion=OuterRef("pk"), user=user)
            ),
        )
    )


def suggestion_get(*, user: Any, pk: int) -> Suggestion:
    """One suggestion for its page (``NotVisible`` when missing)."""
    return policy.scoped_get(suggestion_list(user=user), user, pk=pk)


def suggestion_thread(*, suggestion: Suggestion) -> dict[str, Any]:
    """The public history of one suggestion: events and comments, oldest first."""
    return {
        "events": list(
            SuggestionEvent.objects.filter(suggestion=suggestion).select_related("actor", "owner")
        ),
        "comments": list(
            SuggestionComment.objects.filter(suggestion=suggestion).select_related("author")
        ),
    }


def status_counts(queryset: QuerySet[Suggestion]) -> list[dict[str, Any]]:
    """How many of ``queryset`` are in each status, in workflow order (one query)."""
    counts = dict(
        queryset.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in SuggestionStatus.choices
    ]


def overdue_count(queryset: QuerySet[Suggestion], today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today).count()


def throughput(*, weeks: int = 12, today: dt.date | None = None) -> dict[str, Any]:
    """Submitted, decided and implemented per week over the last ``weeks`` weeks (three
    queries of dates; counted in Python so both databases agree on week boundaries)."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    labels = [(first + dt.timedelta(weeks=index)) for index in range(weeks)]

    def bucket(field: str) -> list[int]:
        counts = [0] * weeks
        for value in Suggestion.objects.filter(**{f"{field}__gte": start}).values_list(
            field, flat=True
        ):
            index = (timezone.localdate(value) - first).days // 7
            if 0 <= index < weeks:
                counts[index] += 1
        return counts

    return {
        "weeks": [label.isoformat() for label in labels],
        "submitted": bucket("created_at"),
        "decided": bucket("decided_at"),
        "implemented": bucket("implemented_at"),
    }


def throughput_chart(data: dict[str, Any]) -> dict[str, Any]:
    """An ECharts option for ``throughput``: bars per week."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 30, "right": 10, "top": 30, "bottom": 30},
        "xAxis": {"type": "category", "data": [week[5:] for week in data["weeks"]]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": _("Submitted"), "type": "bar", "data": data["submitted"]},
            {"name": _("Decided"), "type": "bar", "data": data["decided"]},
            {"name": _("Implemented"), "type": "bar", "data": data["implemented"]},
        ],
    }


def _item(suggestion: Suggestion, meta: str, due: dt.date | None = None) -> dict[str, Any]:
    return {
        "title": suggestion.title,
        "url": suggestion.get_absolute_url(),
        "due": due,
        "meta": meta,
    }


def home_sections(*, user: Any) -> list[dict[str, Any]]:
    """This area's sections of the role home page (see insights/home.py for the shape):
    suggestions waiting for an answer (handlers), suggestions the user owns, and recent status
    changes of the user's own named suggestions. Two queries per section."""
    sections: list[dict[str, Any]] = []
    if not getattr(user, "is_authenticated", False):
        return sections
    today = timezone.localdate()
    list_url = reverse("collab:suggestion_list")
    if policy.can(user, "handle", Suggestion):
        cutoff = timezone.now() - dt.timedelta(days=ANSWER_WITHIN_DAYS)
        waiting = Suggestion.objects.restrict(user, "handle").filter(
            status__in=WAITING_STATUSES, created_at__lt=cutoff
        )
        count = waiting.count()
        if count:
            sections.append(
                {
                    "key": "suggestions-to-answer",
                    "title": _("Suggestions to answer"),
                    "count": count,
                    "items": [
                        _item(
                            s,
                            _("{status}, waiting {days} days").format(
                                status=s.get_status_display(), days=s.days_waiting(today)
                            ),
                        )
                        for s in waiting.order_by("created_at", "pk")[:HOME_ITEMS]
                    ],
                    "more_url": f"{list_url}?status=received&sort=created_at",
                }
            )
    owned = Suggestion.objects.filter(owner=user, status__in=OPEN_STATUSES)
    count = owned.count()
    if count:
        sections.append(
            {
                "key": "suggestions-owned",
                "title": _("Suggestions you own"),
                "count": count,
                "items": [
                    _item(
                        s,
                        _("Overdue") if s.is_overdue else s.get_status_display(),
                        s.due_date,
                    )
                    for s in owned.order_by("due_date", "pk")[:HOME_ITEMS]
                ],
                "more_url": f"{list_url}?owner=me",
            }
        )
    since = timezone.now() - dt.timedelta(days=UPDATES_DAYS)
    mine = Suggestion.objects.filter(author=user, status_changed_at__gte=since).exclude(
        status=SuggestionStatus.RECEIVED
    )
    count = mine.count()
    if count:
        sections.append(
            {
                "key": "my-suggestions",
                "title": _("My suggestions"),
                "count": count,
                "items": [
                    _item(s, s.get_status_display())
                    for s in mine.order_by("-status_changed_at", "-pk")[:HOME_ITEMS]
                ],
                "more_url": f"{list_url}?mine=1",
            }
        )
    return sections


def review_section(*, start: Any, end: Any) -> dict[str, Any] | None:
    """Suggestion throughput for the periodic system review (see insights), or None.

    ``start`` and ``end`` are dates (inclusive). Figures: submitted in the period, decided
    (accepted or declined) in it, implemented in it, the median days from submission to
    decision of those decided, accepted ones open past their due date at ``end``, and
    submissions by category. None when the period saw no submission and no decision.
    """
    lower = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    upper = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    submitted = Suggestion.objects.filter(created_at__gte=lower, created_at__lt=upper)
    decided = list(
        Suggestion.objects.filter(decided_at__gte=lower, decided_at__lt=upper).values_list(
            "created_at", "decided_at", "status"
        )
    )
    by_category = dict(
        submitted.order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    submitted_count = sum(by_category.values())
    if not submitted_count and not decided:
        return None
    implemented = Suggestion.objects.filter(
        implemented_at__gte=lower, implemented_at__lt=upper
    ).count()
    days = [
        (decided_at - created_at).total_seconds() / 86400 for created_at, decided_at, _s in decided
    ]
    open_past_due = Suggestion.objects.filter(
        Q(status__in=OPEN_STATUSES), due_date__lt=end, created_at__lt=upper
    ).count()
    return {
        "title": _("Suggestion box"),
        "submitted": submitted_count,
        "decided": len(decided),
        "accepted": sum(1 for *_x, status in decided if status != SuggestionStatus.DECLINED),
        "declined": sum(1 for *_x, status in decided if status == SuggestionStatus.DECLINED),
        "implemented": implemented,
        "median_days_to_decision": round(statistics.median(days), 1) if days else None,
        "open_past_due": open_past_due,
        "by_category": [
            {"category": value, "label": str(label), "submitted": by_category.get(value, 0)}
            for value, label in SuggestionCategory.choices
            if by_category.get(value)
        ],
    }
