"""Reads of recognition: the feed, leaderboards, badges and holders, commendations, values.

Recognition is public by design (the policy lets everyone read kudos, commendations and badge
awards), except where a team has switched its feed or leaderboards off
(``RecognitionSetting``): a unit's own setting decides for it and for the units below it that
have none of their own (the nearest setting up the tree wins). Nothing about a switched-off
team appears in the feed or on a board, and its members see neither.

Leaderboards add up the points ledger (``RewardEntry`` rows of kind "points", which only kudos,
commendations and badges write); amounts of money are never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from opsteam.core import policy
from opsteam.incentives.choices import RewardKind
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    CompanyValue,
    Kudos,
    RecognitionSetting,
    RewardEntry,
    TeamCommendation,
)
from opsteam.org.choices import StaffStatus
from opsteam.org.models import OrgUnit, Staff

FEED_PAGE_SIZE = 20
BOARD_SIZE = 10
PERIODS = ("month", "quarter")


# Switches ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Switches:
    """The units (ids) whose recognition feed, and whose leaderboards, are switched off."""

    feed_off: frozenset[int]
    board_off: frozenset[int]


def recognition_switches() -> Switches:
    """Resolve every unit's effective switches: the nearest setting on its path to the root.

    One query for the settings; a second for the units only when some setting is off.
    """
    settings = list(
        RecognitionSetting.objects.values_list("unit__path", "feed_enabled", "leaderboard_enabled")
    )
    if all(feed and board for _path, feed, board in settings):
        return Switches(frozenset(), frozenset())
    # Longest path first: the first setting whose path starts the unit's path is the nearest.
    settings.sort(key=lambda row: len(row[0]), reverse=True)
    feed_off, board_off = set(), set()
    for unit_id, path in OrgUnit.objects.values_list("pk", "path"):
        for setting_path, feed, board in settings:
            if path.startswith(setting_path):
                if not feed:
                    feed_off.add(unit_id)
                if not board:
                    board_off.add(unit_id)
                break
    return Switches(frozenset(feed_off), frozenset(board_off))


def unit_switches(unit: OrgUnit) -> tuple[bool, bool, RecognitionSetting | None]:
    """The effective (leaderboards shown, feed shown) of ``unit`` and its own setting row."""
    ancestors = [
        unit.path[:end] for end in range(1, len(unit.path) + 1) if unit.path[end - 1] == "/"
    ]
    rows = list(RecognitionSetting.objects.filter(unit__path__in=ancestors).select_related("unit"))
    if not rows:
        return True, True, None
    nearest = max(rows, key=lambda row: len(row.unit.path))
    own = next((row for row in rows if row.unit_id == unit.pk), None)
    return nearest.leaderboard_enabled, nearest.feed_enabled, own


def viewer_unit_id(user: Any) -> int | None:
    """The unit of the user's staff record (None for a login without one)."""
    staff = getattr(user, "staff", None)
    return staff.unit_id if staff is not None else None


def switched_off_settings() -> QuerySet[RecognitionSetting]:
    """The settings rows that switch something off (shown on the recognition page)."""
    return (
        RecognitionSetting.objects.filter(Q(feed_enabled=False) | Q(leaderboard_enabled=False))
        .select_related("unit")
        .order_by("unit__path")
    )


# The feed ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedItem:
    kind: str  # "kudos", "commendation" or "badge"
    day: dt.date
    obj: Any  # Kudos, TeamCommendation or BadgeAward, related rows loaded


def kudos_feed(*, user: Any, switches: Switches | None = None) -> QuerySet[Kudos]:
    """Kudos the user may see, without those to people of feed-off teams, newest first;
    none for a user whose own team switched the feed off (as on the page)."""
    switches = switches or recognition_switches()
    kudos = Kudos.objects.restrict(user, "view")
    if viewer_unit_id(user) in switches.feed_off:
        kudos = kudos.none()
    return (
        kudos.exclude(recipient__unit_id__in=switches.feed_off)
        .select_related("sender", "recipient", "recipient__unit", "value")
        .order_by("-created_at", "-pk")
    )


def _feed_union(user: Any, switches: Switches) -> QuerySet:
    def kind(label: str) -> Value:
        return Value(label, output_field=CharField())

    kudos = (
        Kudos.objects.restrict(user, "view")
        .exclude(recipient__unit_id__in=switches.feed_off)
        .annotate(kind=kind("kudos"), day=TruncDate("created_at"))
        .values_list("kind", "pk", "day")
        .order_by()
    )
    commendations = (
        TeamCommendation.objects.restrict(user, "view")
        .exclude(unit_id__in=switches.feed_off)
        .annotate(kind=kind("commendation"), day=F("awarded_on"))
        .values_list("kind", "pk", "day")
        .order_by()
    )
    badges = (
        BadgeAward.objects.restrict(user, "view")
        .exclude(staff__unit_id__in=switches.feed_off)
        .annotate(kind=kind("badge"), day=F("awarded_on"))
        .values_list("kind", "pk", "day")
        .order_by()
    )
    return kudos.union(commendations, badges, all=True).order_by("-day", "-kind", "-pk")


def feed_page(
    *, user: Any, page: str | int | None = 1, switches: Switches | None = None
) -> tuple[Page, list[FeedItem]]:
    """One page of the feed (kudos, team commendations, badge awards), newest day first.

    A fixed number of queries: the count, the page of (kind, id, day) from one UNION, and one
    query per kind for the rows on the page.
    """
    switches = switches or recognition_switches()
    paginator = Paginator(_feed_union(user, switches), FEED_PAGE_SIZE)
    current = paginator.get_page(page)
    entries = list(current.object_list)
    wanted: dict[str, list[int]] = {"kudos": [], "commendation": [], "badge": []}
    for kind, pk, _day in entries:
        wanted[kind].append(pk)
    # One query per kind even when the page holds none of it (an empty ``pk__in`` would skip
    # the database), so the page's query count does not depend on the mix of kinds.
    rows = {
        "kudos": Kudos.objects.select_related("sender", "recipient", "recipient__unit", "value"),
        "commendation": TeamCommendation.objects.select_related("unit", "value"),
        "badge": BadgeAward.objects.select_related("badge", "staff", "staff__unit"),
    }
    loaded = {
        kind: {obj.pk: obj for obj in queryset.filter(pk__in=wanted[kind] or [0])}
        for kind, queryset in rows.items()
    }
    items = [
        FeedItem(kind=kind, day=_as_date(day), obj=loaded[kind][pk])
        for kind, pk, day in entries
        if pk in loaded[kind]
    ]
    return current, items


def _as_date(value: Any) -> dt.date:
    # SQLite hands the UNION's date column back as text.
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# Leaderboards -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    obj: Any  # Staff (with unit) or OrgUnit
    points: int
    people: int = 1


@dataclass(frozen=True, slots=True)
class Leaderboard:
    period: str
    start: dt.date
    end: dt.date
    enabled: bool  # False when the viewer's own team switched leaderboards off
    people: list[BoardRow]
    teams: list[BoardRow]
    my_points: int | None  # the viewer's points in the period (None without a staff record)


def period_start(period: str, today: dt.date) -> dt.date:
    """The first day of the month or quarter that ``today`` falls in."""
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(day=1)


def _ranked(rows: list[tuple[Any, int, int]]) -> list[BoardRow]:
    """Competition ranking (1, 2, 2, 4): equal points share a rank."""
    ranked, previous, rank = [], None, 0
    for position, (obj, points, people) in enumerate(rows, start=1):
        if points != previous:
            rank, previous = position, points
        ranked.append(BoardRow(rank=rank, obj=obj, points=points, people=people))
    return ranked


def leaderboard(
    *,
    user: Any,
    period: str = "month",
    today: dt.date | None = None,
    limit: int = BOARD_SIZE,
    switches: Switches | None = None,
) -> Leaderboard:
    """Points this month or quarter by person and by team, top ``limit`` of each.

    People of leaderboard-off teams are not ranked and their teams have no row; a viewer in
    such a team gets ``enabled=False`` and empty boards. Points count to the person's current
    team; people who left are not ranked.
    """
    policy.require(user, "view", Kudos)
    period = period if period in PERIODS else "month"
    today = today or timezone.localdate()
    start = period_start(period, today)
    switches = switches or recognition_switches()
    viewer_unit = viewer_unit_id(user)
    entries = RewardEntry.objects.filter(
        kind=RewardKind.POINTS, granted_on__gte=start, granted_on__lte=today
    )
    staff = getattr(user, "staff", None)
    my_points = None
    if staff is not None:
        my_points = entries.filter(staff=staff).aggregate(total=Sum("points"))["total"] or 0
    if viewer_unit is not None and viewer_unit in switches.board_off:
        return Leaderboard(period, start, today, False, [], [], my_points)
    ranked = entries.exclude(staff__status=StaffStatus.LEFT).exclude(
        staff__unit_id__in=switches.board_off
    )
    people_rows = list(
        ranked.values("staff_id")
        .annotate(total=Sum("points"))
        .filter(total__gt=0)
        .order_by("-total", "staff_id")[:limit]
    )
    team_rows = list(
        ranked.values("staff__unit_id")
        .annotate(total=Sum("points"), people=Count("staff_id", distinct=True))
        .filter(total__gt=0)
        .order_by("-total", "staff__unit_id")[:limit]
    )
    people = Staff.objects.select_related("unit").in_bulk([row["staff_id"] for row in people_rows])
    units = OrgUnit.objects.in_bulk([row["staff__unit_id"] for row in team_rows])
    return Leaderboard(
        period,
        start,
        today,
        True,
        _ranked([(people[row["staff_id"]], row["total"], 1) for row in people_rows]),
        _ranked([(units[row["staff__unit_id"]], row["total"], row["people"]) for row in team_rows]),
        my_points,
    )


# Values, badges, commendations ------------------------------------------------------------


def value_list(*, user: Any, action: str = "view") -> QuerySet[CompanyValue]:
    """Company values the user may ``action`` (everyone reads them), in their order."""
    return CompanyValue.objects.restrict(user, action).order_by("order", "code")


def active_values() -> QuerySet[CompanyValue]:
    """The values kudos can be tied to now."""
    return CompanyValue.objects.filter(is_active=True).order_by("order", "code")


def kudos_recipients(*, user: Any | None = None) -> QuerySet[Staff]:
    """Colleagues who can receive kudos: everyone who has not left (but not the giver)."""
    people = Staff.objects.exclude(status=StaffStatus.LEFT).select_related("unit")
    staff = getattr(user, "staff", None) if user is not None else None
    if staff is not None:
        people = people.exclude(pk=staff.pk)
    return people.order_by("employee_no")


def badge_list(*, user: Any, action: str = "view") -> QuerySet[Badge]:
    """Badges with their criterion's plan or KPI and the number of holders."""
    return (
        Badge.objects.restrict(user, action)
        .select_related("plan", "kpi")
        .annotate(holders=Count("awards"))
    )


def badge_holders(*, user: Any, badge: Badge) -> QuerySet[BadgeAward]:
    """Who holds ``badge``, most recent first (the badge page, not the feed)."""
    return (
        BadgeAward.objects.restrict(user, "view")
        .filter(badge=badge)
        .select_related("staff", "staff__unit", "awarded_by")
        .order_by("-awarded_on", "-pk")
    )


def badge_award_list(*, user: Any) -> QuerySet[BadgeAward]:
    """Badge awards the user may see (all: they are public), with badge and person."""
    return BadgeAward.objects.restrict(user, "view").select_related("badge", "staff")


def awardable_staff() -> QuerySet[Staff]:
    """People a badge can be awarded to by hand (everyone who has not left)."""
    return kudos_recipients()


def commendation_list(*, user: Any, action: str = "view") -> QuerySet[TeamCommendation]:
    """Team commendations the user may ``action``, with their team, value and awarder."""
    return TeamCommendation.objects.restrict(user, action).select_related(
        "unit", "value", "awarded_by"
    )


def commendable_units(*, user: Any) -> QuerySet[OrgUnit]:
    """The active units ``user`` may commend: any for HR and administrators, a manager's
    subtree (the rule ``services.commendation_award`` checks)."""
    from opsteam.core.choices import Role

    units = OrgUnit.objects.filter(is_active=True).order_by("path")
    roles = policy.user_roles(user)
    if not policy.can(user, "add", TeamCommendation):
        return units.none()
    if Role.ADMIN in roles or Role.HR in roles:
        return units
    condition = Q(pk__in=[])
    for path in roles.get(Role.MANAGER, []):
        condition |= Q(path__startswith=path)
    return units.filter(condition)


def recognition_setting_list(*, user: Any) -> QuerySet[RecognitionSetting]:
    """The teams' own settings rows (a unit without one follows the nearest above it)."""
    return RecognitionSetting.objects.restrict(user, "view").select_related("unit")
