"""Pulse survey scoring (pure, no Django): eNPS, favourable %, trends and which groups of
respondents may be shown.

Release model (one rule for pages, API and exports). Responses fall into *cells*: a team
(unit) and, when a filter is applied, a sub-band of it (tenure band). A figure is only ever
computed over a union of *atoms*, and every atom holds at least ``threshold`` responses:

- a team is released when it has ``threshold`` answers; teams below it are pooled. The
  overall figure (every team) is shown only when that pool is empty or itself reaches the
  threshold: otherwise the overall minus the shown teams would isolate the small teams
  (``anonymity.decide_release``'s rule);
- inside a released team the filter's bands (tenure) are released the same way, and since
  the team's total is already shown, complementary suppression applies: while the withheld
  bands hold fewer than ``threshold`` answers, the smallest released band joins them.

Any difference of two shown figures is then a union of atoms, hence empty or at least
``threshold`` answers: no filter and no subtraction reveals a smaller group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from opsteam.surveys.anonymity import GroupCount, decide_release, effective_threshold

DEFAULT_MIN_GROUP = 5
AGREE_MIN, AGREE_MAX = 1, 5
FAVOURABLE_FROM = 4  # "agree" and "strongly agree"
ENPS_MIN, ENPS_MAX = 0, 10
PROMOTER_FROM, DETRACTOR_TO = 9, 6


def min_group(configured: int | None) -> int:
    """The survey's minimum group size: 5 unless configured, never below 3."""
    return effective_threshold(DEFAULT_MIN_GROUP if configured is None else configured)


@dataclass(frozen=True, slots=True)
class Enps:
    score: int | None  # -100..100, None without answers
    promoters: int
    passives: int
    detractors: int

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors


def enps(values: Iterable[int]) -> Enps:
    """Employee NPS: % promoters (9-10) minus % detractors (0-6), rounded to a whole number."""
    promoters = passives = detractors = 0
    for value in values:
        if not ENPS_MIN <= value <= ENPS_MAX:
            raise ValueError(f"eNPS answer out of range: {value}")
        if value >= PROMOTER_FROM:
            promoters += 1
        elif value <= DETRACTOR_TO:
            detractors += 1
        else:
            passives += 1
    total = promoters + passives + detractors
    score = round(100 * (promoters - detractors) / total) if total else None
    return Enps(score, promoters, passives, detractors)


@dataclass(frozen=True, slots=True)
class Agreement:
    answers: int
    average: float | None  # 1..5
    favourable: float | None  # % answering 4 or 5
    unfavourable: float | None  # % answering 1 or 2
    distribution: tuple[int, ...]  # counts of 1..5


def agreement(values: Iterable[int]) -> Agreement:
    """Average, favourable % (4-5), unfavourable % (1-2) and the distribution of 1-5 answers."""
    counts = [0] * (AGREE_MAX - AGREE_MIN + 1)
    for value in values:
        if not AGREE_MIN <= value <= AGREE_MAX:
            raise ValueError(f"agreement answer out of range: {value}")
        counts[value - AGREE_MIN] += 1
    return agreement_from_counts(counts)


def agreement_from_counts(counts: Sequence[int]) -> Agreement:
    """The same figures from the counts of 1..5 (what set-based SQL returns)."""
    total = sum(counts)
    if not total:
        return Agreement(0, None, None, None, tuple(counts))
    average = sum((i + AGREE_MIN) * n for i, n in enumerate(counts)) / total
    favourable = 100 * sum(counts[FAVOURABLE_FROM - AGREE_MIN :]) / total
    unfavourable = 100 * sum(counts[:2]) / total
    return Agreement(
        total, round(average, 2), round(favourable, 1), round(unfavourable, 1), tuple(counts)
    )


def enps_from_counts(counts: Sequence[int]) -> Enps:
    """eNPS from the counts of 0..10."""
    values: list[int] = []
    for value, n in enumerate(counts):
        values.extend([value] * n)
    return enps(values)


@dataclass(frozen=True, slots=True)
class Trend:
    current: float | None
    previous: float | None
    delta: float | None
    direction: str  # "up", "down", "flat", "new"


def trend(current: float | None, previous: float | None, *, flat_within: float = 1.0) -> Trend:
    """Change since the previous wave; within ``flat_within`` points counts as flat."""
    if current is None or previous is None:
        return Trend(current, previous, None, "new")
    delta = round(current - previous, 1)
    direction = "flat" if abs(delta) < flat_within else ("up" if delta > 0 else "down")
    return Trend(current, previous, delta, direction)


@dataclass(frozen=True)
class ReleasePlan:
    """Which teams and which (team, band) cells may be shown, and why the rest may not."""

    threshold: int
    teams: frozenset = frozenset()  # released teams
    pooled: frozenset = frozenset()  # teams counted only in the pool ("other teams")
    pool_released: bool = False  # whether the pool may be shown (and counts in the total)
    overall_released: bool = False
    cells: frozenset = frozenset()  # released (team, band) cells
    reasons: dict = field(default_factory=dict)  # team -> reason code ("small", "subtraction")


def _release_level(
    counts: Mapping, limit: int, *, suppress: bool = False
) -> tuple[set, set, bool, dict]:
    """Release groups at ``limit``; with ``suppress``, grow the withheld pool until it is
    empty or reaches ``limit`` (its total is shown elsewhere)."""
    groups = [GroupCount(str(key), int(n)) for key, n in counts.items() if n > 0]
    key_of = {str(key): key for key in counts}
    decision = decide_release(groups, threshold=limit)
    released = {key_of[g] for g in decision.released}
    withheld = {key_of[g] for g in decision.withheld}
    reasons = dict.fromkeys(withheld, "small")
    hidden = sum(counts[k] for k in withheld)
    while suppress and 0 < hidden < limit and released:
        # complementary suppression: the smallest released group joins the pool
        victim = min(released, key=lambda k: (counts[k], str(k)))
        released.discard(victim)
        withheld.add(victim)
        reasons[victim] = "subtraction"
        hidden += counts[victim]
    pool_ok = hidden >= limit
    total = sum(n for n in counts.values() if n > 0)
    overall = total >= limit and (hidden == 0 or pool_ok)
    return released, withheld, pool_ok, reasons | ({} if overall else {"overall": "small"})


def plan_release(
    team_counts: Mapping, *, threshold: int | None, cell_counts: Mapping | None = None
) -> ReleasePlan:
    """Decide what may be shown from response counts by team and, optionally, by (team, band)."""
    limit = min_group(threshold)
    for key, n in team_counts.items():
        if n < 0:
            raise ValueError(f"{key}: negative response count")
    teams, pooled, pool_ok, reasons = _release_level(team_counts, limit)
    cells: set = set()
    if cell_counts:
        by_team: dict = {}
        for (team, band), n in cell_counts.items():
            by_team.setdefault(team, {})[band] = n
        for team in teams:
            bands = by_team.get(team, {})
            if sum(bands.values()) != team_counts[team]:
                raise ValueError(f"{team}: bands do not add up to the team")
            released, _withheld, _ok, _ = _release_level(bands, limit, suppress=True)
            cells |= {(team, band) for band in released}
    return ReleasePlan(
        threshold=limit,
        teams=frozenset(teams),
        pooled=frozenset(pooled),
        pool_released=pool_ok,
        overall_released="overall" not in reasons,
        cells=frozenset(cells),
        reasons={k: v for k, v in reasons.items() if k != "overall"},
    )


def shown_groups(plan: ReleasePlan, *, band: object | None = None) -> list[tuple]:
    """The figures a page may show for ``plan``, as lists of the cells each one pools.

    Without a band: each released team, the pool of other teams (when released) and the
    overall. With a band: each released (team, band) cell and their sum.
    Used by tests to check the subtraction rule on every pair of figures.
    """
    if band is None:
        figures = [("team", t) for t in plan.teams]
        if plan.pool_released and plan.pooled:
            figures.append(("pool", None))
        if plan.overall_released:
            figures.append(("overall", None))
        return figures
    cells = [("cell", team, b) for (team, b) in plan.cells if b == band]
    return cells + ([("band", band)] if cells else [])
