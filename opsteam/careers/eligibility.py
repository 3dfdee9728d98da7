"""Promotion eligibility (晋升资格): which standards of a next level a person meets, and how far off.

Pure (stdlib only, no Django). A ``LevelStandard`` lists what a level asks for: time in the
current level, competency levels, completed courses, valid certificates, appraisal results over
the person's recent cycles (e.g. "at least two A or better and no C in the last four") and an
optional assessment or defence (答辩) score. ``evaluate`` checks one person against one standard
and returns one ``Check`` per requirement, each met or missed with its evidence (which cycle,
which course, which expiry date) and its gap; ``evaluate_many`` does it for a whole organisation
against every next level of each person's current level; ``readiness`` ranks the results.

Only what a standard asks for is checked: ``min_months_in_level=0``, ``appraisal=None``,
``min_count=0``, ``none_below=None`` and ``min_assessment_score=None`` add no check, so a level
with no standards has no checks and is ready.

The clock is a parameter (``today``): grades of cycles ending after it and courses completed
after it do not count yet, so a snapshot taken at nomination can be recomputed later. Every
check carries a reason key and named parameters for the interface to translate; the engine
holds no wording.
"""

from __future__ import annotations

import calendar
import gc
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

TIME_IN_LEVEL = "time_in_level"
COMPETENCY = "competency"
COURSE = "course"
CERTIFICATE = "certificate"
APPRAISAL_COUNT = "appraisal_count"
APPRAISAL_FLOOR = "appraisal_floor"
ASSESSMENT = "assessment"

# Keys of ``Check.reason`` (the interface owns the wording).
MET = "met"
TOO_SOON = "too_soon"
MISSING = "missing"
BELOW_LEVEL = "below_level"
CERTIFICATE_EXPIRED = "certificate_expired"
NOT_ENOUGH_GOOD_GRADES = "not_enough_good_grades"
GRADE_BELOW_FLOOR = "grade_below_floor"
NO_SCORE = "no_score"
BELOW_SCORE = "below_score"

MIN_SKILL_LEVEL, MAX_SKILL_LEVEL = 1, 5
MAX_SCORE = Decimal(100)


class InputError(ValueError):
    """Malformed input; the message names the offending person or standard and field."""


def _sort_key(value: Any) -> tuple[str, Any]:
    # Ids are usually ints but may be strings; order by type name first so mixing never fails.
    return (type(value).__name__, value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _score(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise InputError(f"{where}: expected a number, got {value!r}")
    try:
        # repr is the shortest string that round-trips: 0.1 -> Decimal("0.1")
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise InputError(f"{where}: expected a number, got {value!r}") from None
    if not result.is_finite() or not 0 <= result <= MAX_SCORE:
        raise InputError(f"{where}: {value} is outside 0..100")
    return result


@dataclass(frozen=True, slots=True)
class GradeScale:
    """Appraisal grades, best first, e.g. ``("S", "A", "B", "C", "D")``."""

    names: tuple[str, ...]
    _ranks: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple(self.names)
        if not names:
            raise InputError("grade scale: names: needs at least one grade")
        ranks = {name: index for index, name in enumerate(names)}
        if len(ranks) != len(names):
            raise InputError("grade scale: names: a grade is listed twice")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_ranks", ranks)

    def rank(self, name: str) -> int:
        """Return the position of ``name`` on the scale, 0 for the best grade."""
        try:
            return self._ranks[name]
        except (KeyError, TypeError):
            raise InputError(f"grade {name!r}: not on the scale {', '.join(self.names)}") from None


@dataclass(frozen=True, slots=True)
class AppraisalStandard:
    """Appraisal results over the person's last ``window`` cycles (most recent first).

    At least ``min_count`` grades at ``at_least`` or better, and no grade worse than
    ``none_below``: "at least two A or better and no C in the last four" is
    ``AppraisalStandard(window=4, min_count=2, at_least="A", none_below="B")``.
    ``min_count=0`` or ``none_below=None`` switch that part off.
    """

    window: int = 4
    min_count: int = 2
    at_least: str = "A"
    none_below: str | None = "B"


@dataclass(frozen=True, slots=True)
class LevelStandard:
    """What it takes to reach ``level_id``.

    ``competencies`` are (skill id, required level 1..5) pairs; ``certificates`` must be valid
    on the day of evaluation; ``min_assessment_score`` is the assessment or defence (答辩) score
    required, above 0 and at most 100.
    """

    level_id: Hashable
    min_months_in_level: int = 0
    competencies: tuple[tuple[Hashable, int], ...] = ()
    courses: tuple[Hashable, ...] = ()
    certificates: tuple[Hashable, ...] = ()
    appraisal: AppraisalStandard | None = None
    min_assessment_score: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CycleGrade:
    """The person's published grade in one review cycle."""

    cycle_id: Hashable
    ended_on: date
    grade: str


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What the engine knows of one person.

    ``skills`` maps skill id to the assessed level (1..5; absent = not assessed);
    ``courses_completed`` maps course id to the completion date; ``certificates`` maps the
    certificate key to its expiry date (valid through that day; None = never expires).
    """

    staff_id: Hashable
    level_id: Hashable
    level_since: date
    skills: Mapping[Hashable, int]
    courses_completed: Mapping[Hashable, date]
    certificates: Mapping[Hashable, date | None]
    grades: tuple[CycleGrade, ...]
    assessment_score: Decimal | None = None
    team_id: Hashable | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement of a level, met or missed, with the evidence and how far off.

    ``gap`` is in the requirement's own unit and 0 exactly when met; ``normalised_gap`` is the
    gap as a share of the requirement, 0..1. ``reason`` is a key (``MET`` when met) and
    ``params`` the named values for the interface's message. Per ``kind``:

    - time_in_level: months required / whole months in level; gap in months; evidence
      (level_since,); params required, months, since, eligible_on; reason too_soon.
    - competency: key the skill; level required / assessed (0 when not); gap in levels;
      reason below_level, or missing when not assessed.
    - course: key the course; evidence (completion date,); reason missing; gap 1.
    - certificate: key the certificate; evidence (expiry date,) when it has one; reason
      missing, or certificate_expired when it expired before the day; gap 1.
    - appraisal_count: min_count / good grades in the window; evidence the cycle ids of the
      good grades, most recent first; gap the good grades still needed; params window,
      min_count, at_least, good, cycles_in_window and, when missed, needed and cycles_needed:
      the fewest further cycles (all good) that meet the rule, more than ``needed`` when older
      good grades would leave the window meanwhile; reason not_enough_good_grades.
    - appraisal_floor: the floor grade / the worst grade in the window (None: no cycle);
      evidence the cycle ids below the floor; gap the cycles until the most recent of them
      leaves the window (params below, cycles_until_clear); reason grade_below_floor.
    - assessment: score required / score (None: not assessed); gap in points; reason
      no_score (the whole requirement is the gap) or below_score.
    """

    kind: str
    key: Hashable
    met: bool
    required: Any
    actual: Any
    gap: float
    evidence: tuple[Any, ...]
    reason: str
    params: dict[str, Any]
    normalised_gap: float = 0.0


@dataclass(frozen=True, slots=True)
class Eligibility:
    """One person against one next level: every check, in the order the standard lists them.

    Order: time in level, competencies, courses, certificates, appraisal count, appraisal
    floor, assessment.
    """

    staff_id: Hashable
    level_id: Hashable
    checks: tuple[Check, ...]
    team_id: Hashable | None = None

    @property
    def ready(self) -> bool:
        """True when every check is met (a level with no standards is ready)."""
        return all(check.met for check in self.checks)

    @property
    def met_count(self) -> int:
        return sum(1 for check in self.checks if check.met)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def share_met(self) -> float:
        """Return the share of checks met, 1.0 when there are none."""
        return self.met_count / len(self.checks) if self.checks else 1.0

    @property
    def gap_score(self) -> float:
        """Return the sum of the checks' normalised gaps (0 when ready)."""
        return sum(check.normalised_gap for check in self.checks)

    def missing(self) -> tuple[Check, ...]:
        """Return the checks not met, in check order."""
        return tuple(check for check in self.checks if not check.met)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def add_months(start: date, months: int) -> date:
    """Return ``start`` moved by whole calendar months, clamped to the end of a shorter month.

    2025-01-31 + 1 month is 2025-02-28; 2024-02-29 + 12 months is 2025-02-28.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, _last_day(year, month)))


def whole_months(start: date, end: date) -> int:
    """Return the whole calendar months from ``start`` to ``end`` (0 when ``end`` is earlier).

    ``(y2 - y1) * 12 + (m2 - m1)``, less one when the day of ``end`` is before the day of
    ``start``, except when ``end`` is the last day of its month: a month that has no such day
    is complete on its last day. So from 2025-01-31, one month is reached on 2025-02-28 and two
    on 2025-03-31; from 2025-01-15, one month on 2025-02-15. It is the largest ``n`` with
    ``add_months(start, n) <= end``.
    """
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day and end.day != _last_day(end.year, end.month):
        months -= 1
    return months


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A validated standard with grade names turned into ranks, ready for many people."""

    standard: LevelStandard
    min_months: int
    competencies: tuple[tuple[Hashable, int], ...]
    courses: tuple[Hashable, ...]
    certificates: tuple[Hashable, ...]
    window: int
    min_count: int
    at_least: str | None
    at_least_rank: int
    none_below: str | None
    floor_rank: int
    min_score: Decimal | None


def _check_count(value: Any, where: str) -> int:
    if not _is_int(value):
        raise InputError(f"{where}: expected a whole number, got {value!r}")
    if value < 0:
        raise InputError(f"{where}: cannot be negative")
    return value


def _unique(items: Iterable[Hashable], where: str) -> None:
    seen: set[Hashable] = set()
    for item in items:
        if item in seen:
            raise InputError(f"{where}: {item!r} is listed twice")
        seen.add(item)


def _compile(standard: LevelStandard, scale: GradeScale) -> _Compiled:
    where = f"level {standard.level_id}"
    min_months = _check_count(standard.min_months_in_level, f"{where}: min_months_in_level")
    competencies = tuple(tuple(pair) for pair in standard.competencies)
    for pair in competencies:
        if len(pair) != 2:
            raise InputError(f"{where}: competencies: expected (skill, level) pairs")
        skill, required = pair
        if not _is_int(required) or not MIN_SKILL_LEVEL <= required <= MAX_SKILL_LEVEL:
            raise InputError(
                f"{where}: competencies: skill {skill}: level {required!r} is not 1..5"
            )
    _unique((skill for skill, _ in competencies), f"{where}: competencies")
    courses = tuple(standard.courses)
    _unique(courses, f"{where}: courses")
    certificates = tuple(standard.certificates)
    _unique(certificates, f"{where}: certificates")

    window = min_count = 0
    at_least: str | None = None
    none_below: str | None = None
    at_least_rank = floor_rank = len(scale.names)
    appraisal = standard.appraisal
    if appraisal is not None:
        window = _check_count(appraisal.window, f"{where}: appraisal: window")
        min_count = _check_count(appraisal.min_count, f"{where}: appraisal: min_count")
        if window < min_count:
            raise InputError(
                f"{where}: appraisal: window: {window} cycles cannot hold {min_count} good grades"
            )
        if min_count:
            at_least = appraisal.at_least
            at_least_rank = _rank(scale, at_least, f"{where}: appraisal: at_least")
        if appraisal.none_below is not None:
            if window == 0:
                raise InputError(f"{where}: appraisal: window: a grade floor needs a window")
            none_below = appraisal.none_below
            floor_rank = _rank(scale, none_below, f"{where}: appraisal: none_below")

    min_score = None
    if standard.min_assessment_score is not None:
        min_score = _score(standard.min_assessment_score, f"{where}: min_assessment_score")
        if min_score == 0:
            # Every score is 0 or more; "sat the defence" is asked as the lowest passing score.
            raise InputError(f"{where}: min_assessment_score: must be above 0")
    return _Compiled(
        standard=standard,
        min_months=min_months,
        competencies=competencies,
        courses=courses,
        certificates=certificates,
        window=window,
        min_count=min_count,
        at_least=at_least,
        at_least_rank=at_least_rank,
        none_below=none_below,
        floor_rank=floor_rank,
        min_score=min_score,
    )


def _rank(scale: GradeScale, name: Any, where: str) -> int:
    try:
        return scale.rank(name)
    except InputError as error:
        raise InputError(f"{where}: {error}") from None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A validated person: months in level and the grades that count, most recent first."""

    person: PersonRecord
    months: int
    recent: tuple[tuple[Hashable, str, int], ...]  # (cycle id, grade, rank), most recent first
    score: Decimal | None


def _prepare(person: PersonRecord, scale: GradeScale, today: date) -> _Prepared:
    # Runs once per person for the whole organisation: no message is built unless it is raised.
    if person.level_since > today:
        where = f"staff {person.staff_id}: level_since"
        raise InputError(f"{where}: {person.level_since} is after {today}")
    for skill, level in person.skills.items():
        if not _is_int(level) or not MIN_SKILL_LEVEL <= level <= MAX_SKILL_LEVEL:
            where = f"staff {person.staff_id}: skills: skill {skill}"
            raise InputError(f"{where}: level {level!r} is not 1..5")
    ranks = scale._ranks
    rows: list[tuple[date, tuple[str, Any], Hashable, str, int]] = []
    for grade in person.grades:
        rank = ranks.get(grade.grade) if isinstance(grade.grade, str) else None
        if rank is None:  # raises, naming the person and the cycle
            rank = _rank(
                scale, grade.grade, f"staff {person.staff_id}: grades: cycle {grade.cycle_id}"
            )
        if grade.ended_on <= today:
            rows.append(
                (grade.ended_on, _sort_key(grade.cycle_id), grade.cycle_id, grade.grade, rank)
            )
    if len({grade.cycle_id for grade in person.grades}) != len(person.grades):
        _unique((grade.cycle_id for grade in person.grades), f"staff {person.staff_id}: grades")
    # Most recent first; two cycles ending the same day are ordered by id, whatever the input.
    rows.sort(key=lambda row: (row[0], row[1]), reverse=True)
    score = None
    if person.assessment_score is not None:
        score = _score(person.assessment_score, f"staff {person.staff_id}: assessment_score")
    return _Prepared(
        person=person,
        months=whole_months(person.level_since, today),
        recent=tuple((cycle, name, rank) for _, _, cycle, name, rank in rows),
        score=score,
    )


def _met(
    kind: str, key: Hashable, required: Any, actual: Any, evidence: tuple, params: dict
) -> Check:
    return Check(kind, key, True, required, actual, 0.0, evidence, MET, params, 0.0)


def _missed(
    kind: str,
    key: Hashable,
    required: Any,
    actual: Any,
    evidence: tuple,
    reason: str,
    params: dict,
    *,
    gap: float,
    normalised: float,
) -> Check:
    return Check(
        kind, key, False, required, actual, float(gap), evidence, reason, params, normalised
    )


def _time_check(prepared: _Prepared, required: int) -> Check:
    months = prepared.months
    since = prepared.person.level_since
    params = {
        "required": required,
        "months": months,
        "since": since,
        "eligible_on": add_months(since, required),
    }
    if months >= required:
        return _met(TIME_IN_LEVEL, None, required, months, (since,), params)
    gap = required - months
    return _missed(
        TIME_IN_LEVEL,
        None,
        required,
        months,
        (since,),
        TOO_SOON,
        params,
        gap=gap,
        normalised=gap / required,
    )


def _competency_check(skills: Mapping[Hashable, int], skill: Hashable, required: int) -> Check:
    level = skills.get(skill, 0)
    params = {"skill": skill, "required": required, "level": level}
    if level >= required:
        return _met(COMPETENCY, skill, required, level, (), params)
    gap = required - level
    reason = BELOW_LEVEL if level else MISSING
    return _missed(
        COMPETENCY, skill, required, level, (), reason, params, gap=gap, normalised=gap / required
    )


def _course_check(completed: Mapping[Hashable, date], course: Hashable, today: date) -> Check:
    on = completed.get(course)
    if on is not None and on <= today:
        return _met(COURSE, course, True, True, (on,), {"course": course, "completed_on": on})
    # A completion dated after ``today`` had not happened yet on that day.
    params = {"course": course, "completed_on": None}
    return _missed(COURSE, course, True, False, (), MISSING, params, gap=1, normalised=1.0)


def _certificate_check(held: Mapping[Hashable, date | None], cert: Hashable, today: date) -> Check:
    if cert not in held:
        params = {"certificate": cert, "valid_until": None}
        return _missed(CERTIFICATE, cert, True, False, (), MISSING, params, gap=1, normalised=1.0)
    until = held[cert]
    params = {"certificate": cert, "valid_until": until}
    evidence = () if until is None else (until,)
    if until is None or until >= today:
        return _met(CERTIFICATE, cert, True, True, evidence, params)
    return _missed(
        CERTIFICATE,
        cert,
        True,
        False,
        evidence,
        CERTIFICATE_EXPIRED,
        params,
        gap=1,
        normalised=1.0,
    )


def _cycles_needed(good: Sequence[bool], window: int, min_count: int, needed: int) -> int:
    """Return the fewest further cycles, all graded well enough, that meet the count.

    Each new cycle enters the window and, once it is full, pushes the oldest out: when good
    grades sit at the old end, more cycles than ``needed`` are required.
    """
    cycles = needed
    while cycles < min_count and cycles + sum(good[: max(window - cycles, 0)]) < min_count:
        cycles += 1
    return cycles


def _appraisal_checks(prepared: _Prepared, c: _Compiled) -> list[Check]:
    recent = prepared.recent[: c.window]
    checks: list[Check] = []
    if c.min_count:
        good = [rank <= c.at_least_rank for _, _, rank in recent]
        evidence = tuple(cycle for (cycle, _, _), ok in zip(recent, good, strict=True) if ok)
        count = len(evidence)
        params: dict[str, Any] = {
            "window": c.window,
            "min_count": c.min_count,
            "at_least": c.at_least,
            "good": count,
            "cycles_in_window": len(recent),
        }
        if count >= c.min_count:
            checks.append(_met(APPRAISAL_COUNT, None, c.min_count, count, evidence, params))
        else:
            needed = c.min_count - count
            params["needed"] = needed
            params["cycles_needed"] = _cycles_needed(good, c.window, c.min_count, needed)
            checks.append(
                _missed(
                    APPRAISAL_COUNT,
                    None,
                    c.min_count,
                    count,
                    evidence,
                    NOT_ENOUGH_GOOD_GRADES,
                    params,
                    gap=needed,
                    normalised=needed / c.min_count,
                )
            )
    if c.none_below is not None:
        below = [
            (i, cycle, name) for i, (cycle, name, rank) in enumerate(recent) if rank > c.floor_rank
        ]
        worst = max(recent, key=lambda row: row[2])[1] if recent else None
        evidence = tuple(cycle for _, cycle, _ in below)
        params = {"window": c.window, "none_below": c.none_below, "worst": worst}
        if not below:
            checks.append(_met(APPRAISAL_FLOOR, None, c.none_below, worst, evidence, params))
        else:
            # The gap is how many more cycles until the latest grade below the floor leaves.
            clear_in = c.window - below[0][0]
            params["below"] = tuple((cycle, name) for _, cycle, name in below)
            params["cycles_until_clear"] = clear_in
            checks.append(
                _missed(
                    APPRAISAL_FLOOR,
                    None,
                    c.none_below,
                    worst,
                    evidence,
                    GRADE_BELOW_FLOOR,
                    params,
                    gap=clear_in,
                    normalised=clear_in / c.window,
                )
            )
    return checks


def _assessment_check(score: Decimal | None, required: Decimal) -> Check:
    params = {"required": required, "score": score}
    if score is None:
        return _missed(
            ASSESSMENT,
            None,
            required,
            None,
            (),
            NO_SCORE,
            params,
            gap=float(required),
            normalised=1.0,
        )
    if score >= required:
        return _met(ASSESSMENT, None, required, score, (), params)
    gap = required - score
    return _missed(
        ASSESSMENT,
        None,
        required,
        score,
        (),
        BELOW_SCORE,
        params,
        gap=float(gap),
        normalised=float(gap / required),
    )


def _evaluate(prepared: _Prepared, c: _Compiled, today: date) -> Eligibility:
    person = prepared.person
    checks: list[Check] = []
    if c.min_months:
        checks.append(_time_check(prepared, c.min_months))
    for skill, required in c.competencies:
        checks.append(_competency_check(person.skills, skill, required))
    for course in c.courses:
        checks.append(_course_check(person.courses_completed, course, today))
    for cert in c.certificates:
        checks.append(_certificate_check(person.certificates, cert, today))
    if c.window:
        checks.extend(_appraisal_checks(prepared, c))
    if c.min_score is not None:
        checks.append(_assessment_check(prepared.score, c.min_score))
    return Eligibility(person.staff_id, c.standard.level_id, tuple(checks), person.team_id)


def evaluate(
    person: PersonRecord, standard: LevelStandard, *, scale: GradeScale, today: date
) -> Eligibility:
    """Check ``person`` against every requirement of ``standard`` on ``today``.

    Raise ``InputError`` naming the person or level and the field for negative numbers, a
    window smaller than its count, grades not on ``scale``, competency levels outside 1..5,
    scores outside 0..100, a cycle listed twice or ``level_since`` after ``today``.
    """
    return _evaluate(_prepare(person, scale, today), _compile(standard, scale), today)


@contextmanager
def _collector_paused() -> Iterator[None]:
    # An organisation's results are a few hundred thousand small objects, none in a cycle; left
    # on, the cyclic collector sweeps the caller's whole heap several times while they pile up,
    # which costs more than the evaluation itself. Turned back on only if it was on.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def evaluate_many(
    people: Iterable[PersonRecord],
    next_levels: Mapping[Hashable, Sequence[LevelStandard]],
    *,
    scale: GradeScale,
    today: date,
) -> list[Eligibility]:
    """Evaluate each person against each next level of their current level.

    ``next_levels`` maps a level to the standards of the levels one can be promoted to from
    it (several when a professional and a management track branch off). People whose level
    has no next level give nothing. The result is in the order of ``people``, then of the
    standards; each item equals ``evaluate(person, standard, ...)``. Every standard is
    validated once, even those no one is at, so a broken ladder fails loudly.
    """
    compiled: dict[Hashable, list[_Compiled]] = {
        level: [_compile(standard, scale) for standard in standards]
        for level, standards in next_levels.items()
    }
    results: list[Eligibility] = []
    with _collector_paused():
        for person in people:
            targets = compiled.get(person.level_id)
            if not targets:
                continue
            prepared = _prepare(person, scale, today)
            results.extend(_evaluate(prepared, c, today) for c in targets)
    return results


def _readiness_key(item: Eligibility) -> tuple[Any, ...]:
    met = item.met_count
    share = met / len(item.checks) if item.checks else 1.0
    return (
        met < len(item.checks),
        -share,
        item.gap_score,
        _sort_key(item.staff_id),
        _sort_key(item.level_id),
    )


def readiness(eligibilities: Iterable[Eligibility]) -> list[Eligibility]:
    """Rank results: ready first, then most standards met, then smallest total gap.

    Ties go by staff id, then level id, so the ranking does not depend on input order. Raise
    ``InputError`` when one person appears twice for one level. To rank per team, pass one
    team's results (``Eligibility.team_id``).
    """
    items = list(eligibilities)
    _unique(((item.staff_id, item.level_id) for item in items), "eligibilities: (staff, level)")
    return sorted(items, key=_readiness_key)
