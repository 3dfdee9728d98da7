"""Wellbeing check-ins: the low-trend alert rule and team aggregates (pure, no Django).

The alert looks at one person's own history only, newest check-in last:

- ``low-streak``: the last ``STREAK`` check-ins all have mood at or below ``LOW_MOOD``;
- ``drop``: the newest mood is ``DROP`` points or more below the average of the person's
  earlier check-ins in the ``BASELINE_WEEKS`` before it (at least two of them);
- ``overload``: the last ``STREAK`` check-ins all report the heaviest workload;
- ``wants-to-talk``: the newest check-in asks for a conversation.

Team aggregates are released only for groups of at least ``threshold`` distinct people in a
week (never below three): teams too small to show alone are pooled upwards into their parent
unit's group, so every figure ever shown comes from one fixed partition into large groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from opsteam.surveys.anonymity import effective_threshold

LOW_MOOD = 2
STREAK = 3
DROP = 2.0
BASELINE_WEEKS = 8
HEAVIEST = 5
# An alert is about the present: a newest check-in older than this raises nothing.
STALE_DAYS = 14


class WellbeingInputError(ValueError):
    """Malformed input; the message names the offending field."""


@dataclass(frozen=True, slots=True)
class CheckInPoint:
    week_start: dt.date
    mood: int  # 1 (low) .. 5 (great)
    workload: int  # 1 (too light) .. 5 (too heavy)
    wants_to_talk: bool = False


@dataclass(frozen=True, slots=True)
class Alert:
    reasons: tuple[str, ...]  # e.g. ("low-streak", "drop")
    week_start: dt.date  # the newest check-in's week
    mood: int
    baseline: float | None  # average mood of the earlier weeks compared against, if any


def _validate(point: CheckInPoint, index: int) -> None:
    for name in ("mood", "workload"):
        value = getattr(point, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise WellbeingInputError(f"history[{index}].{name}: {value!r} is not 1-5")


def assess(history: list[CheckInPoint], *, as_of: dt.date) -> Alert | None:
    """Return the alert the person's check-ins raise as of ``as_of``, or None.

    ``history`` may be in any order; weeks must be distinct. Only the newest check-in (if not
    older than ``STALE_DAYS``) can raise an alert, so a scan repeated later says nothing new.
    """
    for index, point in enumerate(history):
        _validate(point, index)
    points = sorted(history, key=lambda point: point.week_start)
    weeks = [point.week_start for point in points]
    if len(set(weeks)) != len(weeks):
        raise WellbeingInputError("history: a week appears twice")
    if not points:
        return None
    newest = points[-1]
    if (as_of - newest.week_start).days > STALE_DAYS or newest.week_start > as_of:
        return None
    reasons: list[str] = []
    recent = points[-STREAK:]
    if len(recent) == STREAK and all(point.mood <= LOW_MOOD for point in recent):
        reasons.append("low-streak")
    since = newest.week_start - dt.timedelta(weeks=BASELINE_WEEKS)
    earlier = [point.mood for point in points[:-1] if point.week_start >= since]
    baseline = sum(earlier) / len(earlier) if len(earlier) >= 2 else None
    if baseline is not None and baseline - newest.mood >= DROP:
        reasons.append("drop")
    if len(recent) == STREAK and all(point.workload >= HEAVIEST for point in recent):
        reasons.append("overload")
    if newest.wants_to_talk:
        reasons.append("wants-to-talk")
    if not reasons:
        return None
    return Alert(tuple(reasons), newest.week_start, newest.mood, baseline)


@dataclass(frozen=True, slots=True)
class Answer:
    unit_path: str  # the person's unit as a materialised path, "0000001/0000004/"
    week_start: dt.date
    person: int  # an opaque id, used only to count distinct people
    mood: int
    workload: int


@dataclass(frozen=True, slots=True)
class GroupFigure:
    week_start: dt.date
    unit_path: str  # the unit the group is named after
    pooled: bool  # True when it also holds people of sub-teams too small to show alone
    people: int
    mood: float
    workload: float


@dataclass(frozen=True, slots=True)
class Aggregates:
    threshold: int
    groups: tuple[GroupFigure, ...]  # disjoint groups of at least ``threshold`` people
    withheld: frozenset[tuple[dt.date, str]]  # (week, unit path) of answers in no group


def _parent(path: str) -> str:
    trimmed = path.rstrip("/")
    return trimmed.rsplit("/", 1)[0] + "/" if "/" in trimmed else ""


def aggregate(answers: list[Answer], *, threshold: int | None) -> Aggregates:
    """Partition each week's answers into disjoint groups of at least ``threshold`` people.

    Bottom-up over the org tree: a unit whose own people plus what its sub-teams left over
    reach the threshold forms a group (``pooled`` when sub-teams' people are in it); smaller
    remainders move up to the parent; what is left at the top is withheld. Give it the whole
    organisation's answers: the partition is then the same whichever unit a page shows, so
    no drill-down, filter or subtraction between pages can isolate a smaller group.
    """
    limit = effective_threshold(threshold)
    weeks: dict[dt.date, dict[str, dict[int, tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for index, answer in enumerate(answers):
        for name in ("mood", "workload"):
            value = getattr(answer, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                raise WellbeingInputError(f"answers[{index}].{name}: {value!r} is not 1-5")
        if not answer.unit_path.endswith("/"):
            raise WellbeingInputError(f"answers[{index}].unit_path: {answer.unit_path!r}")
        weeks[answer.week_start][answer.unit_path][answer.person] = (answer.mood, answer.workload)
    groups: list[GroupFigure] = []
    withheld: set[tuple[dt.date, str]] = set()
    for week in sorted(weeks):
        direct = weeks[week]
        paths = set()
        for path in direct:
            while path:
                paths.add(path)
                path = _parent(path)
        carried: dict[str, list[tuple[int, int]]] = defaultdict(list)
        carried_from: dict[str, list[str]] = defaultdict(list)
        for path in sorted(paths, key=lambda p: (-p.count("/"), p)):
            own = list(direct.get(path, {}).values())
            pool = own + carried[path]
            sources = ([path] if own else []) + carried_from[path]
            if not pool:
                continue
            if len(pool) >= limit:
                groups.append(_figure(week, path, pool, pooled=bool(carried[path])))
                continue
            parent = _parent(path)
            if parent:
                carried[parent] += pool
                carried_from[parent] += sources
            else:
                withheld.update((week, source) for source in sources)
    return Aggregates(limit, tuple(groups), frozenset(withheld))


def _figure(
    week: dt.date, path: str, values: list[tuple[int, int]], *, pooled: bool
) -> GroupFigure:
    count = len(values)
    mood = round(sum(mood for mood, _load in values) / count, 2)
    workload = round(sum(load for _mood, load in values) / count, 2)
    return GroupFigure(week, path, pooled, count, mood, workload)


def combine(figures: list[GroupFigure]) -> tuple[int, float, float] | None:
    """People, mood and workload of released groups taken together (weighted by people); a
    function of released figures only, so it reveals nothing they do not."""
    people = sum(figure.people for figure in figures)
    if not people:
        return None
    mood = sum(figure.mood * figure.people for figure in figures) / people
    workload = sum(figure.workload * figure.people for figure in figures) / people
    return people, round(mood, 2), round(workload, 2)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week (the period key of weekly check-ins and reports)."""
    return day - dt.timedelta(days=day.weekday())
