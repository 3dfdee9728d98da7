"""Reads of the growth pages: my growth, team readiness, ladders, standards and their versions,
the competency framework and development plans.

Eligibility comes from ``careers.selectors`` and the pure engine; this module adds what people
read: the names behind every id the engine reports (``names_for``) and, for each check, the
requirement's name, one translatable sentence built from the engine's reason key and parameters
(``explain_check``) and a short form for lists (``short_gap``). Every function runs a fixed
number of queries, however many people or checks it covers.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from opsteam.careers import eligibility as engine
from opsteam.careers import ladder_versions, selectors
from opsteam.careers.choices import ActionStatus, PlanStatus, RoundStatus, StandardStatus
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    CareerTrackVersion,
    DevelopmentAction,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
    PromotionRound,
    StandardCertificate,
    StandardCompetency,
    StandardCourse,
)
from opsteam.core import policy
from opsteam.core.models import localized
from opsteam.org.choices import LevelTrack, StaffStatus
from opsteam.org.models import JobLevel, OrgUnit, Skill, SkillGroup, Staff, StaffSkill
from opsteam.performance.models import ReviewCycle
from opsteam.training.models import Course

# Names and sentences --------------------------------------------------------------------------


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Names:
    """Display names of the skills, courses, cycles and certificates some checks refer to."""

    skills: dict[Any, Any] = field(default_factory=dict)
    courses: dict[Any, Any] = field(default_factory=dict)
    cycles: dict[Any, Any] = field(default_factory=dict)
    certificates: dict[Any, str] = field(default_factory=dict)

    def skill(self, key: Any) -> str:
        skill = self.skills.get(key)
        return skill.display_name if skill is not None else str(key)

    def course(self, key: Any) -> str:
        course = self.courses.get(key)
        return course.display_name if course is not None else str(key)

    def cycle(self, key: Any) -> str:
        cycle = self.cycles.get(key)
        return localized(cycle, "name") if cycle is not None else str(key)

    def certificate(self, key: Any) -> str:
        if key in self.certificates:
            return self.certificates[key]
        if isinstance(key, tuple) and len(key) == 2:
            return self.course(key[1]) if key[0] == "course" else str(key[1])
        return str(key)


def names_for(results: Iterable[engine.Eligibility]) -> Names:
    """Load, in at most four queries, the names every check of ``results`` mentions."""
    skills: set[Any] = set()
    courses: set[Any] = set()
    cycles: set[Any] = set()
    named_certificates = False
    levels: set[Any] = set()
    for result in results:
        for check in result.checks:
            if check.kind == engine.COMPETENCY:
                skills.add(check.key)
            elif check.kind == engine.COURSE:
                courses.add(check.key)
            elif check.kind == engine.CERTIFICATE and isinstance(check.key, tuple):
                if check.key[0] == "course":
                    courses.add(check.key[1])
                else:
                    named_certificates = True
                    levels.add(result.level_id)
            elif check.kind == engine.APPRAISAL_COUNT:
                cycles.update(check.evidence)
            elif check.kind == engine.APPRAISAL_FLOOR:
                cycles.update(cycle for cycle, _grade in check.params.get("below", ()))
    certificates: dict[Any, str] = {}
    if named_certificates:
        # Outside certificates are matched by their folded name: show it as the standard spells it.
        for row in StandardCertificate.objects.filter(
            course__isnull=True, standard__level_id__in=levels
        ).only("name", "course_id"):
            certificates.setdefault(row.key, row.name)
    return Names(
        skills=Skill.objects.in_bulk(list(skills)) if skills else {},
        courses=Course.objects.in_bulk(list(courses)) if courses else {},
        cycles=(
            ReviewCycle.objects.only("name", "name_en").in_bulk(list(cycles)) if cycles else {}
        ),
        certificates=certificates,
    )


def requirement_name(check: engine.Check, names: Names) -> str:
    """The requirement a check is about, as a heading ("Time in level", "SQL", ...)."""
    kind = check.kind
    if kind == engine.TIME_IN_LEVEL:
        return _("Time in the current level")
    if kind == engine.COMPETENCY:
        return _("Competency: {skill}").format(skill=names.skill(check.key))
    if kind == engine.COURSE:
        return _("Course: {course}").format(course=names.course(check.key))
    if kind == engine.CERTIFICATE:
        return _("Certificate: {name}").format(name=names.certificate(check.key))
    if kind == engine.APPRAISAL_COUNT:
        return _("Appraisal results")
    if kind == engine.APPRAISAL_FLOOR:
        return _("Lowest appraisal grade")
    if kind == engine.ASSESSMENT:
        return _("Promotion defence (答辩)")
    return kind


def _time_sentence(check: engine.Check) -> str:
    p = check.params
    values = {
        "months": p["months"],
        "required": p["required"],
        "since": _day(p["since"]),
        "eligible_on": _day(p["eligible_on"]),
    }
    if check.met:
        return ngettext(
            "{months} month in the current level since {since}; {required} required.",
            "{months} months in the current level since {since}; {required} required.",
            p["months"],
        ).format(**values)
    return ngettext(
        "{required} month in the current level required; {months} so far (since {since}). "
        "Eligible from {eligible_on}.",
        "{required} months in the current level required; {months} so far (since {since}). "
        "Eligible from {eligible_on}.",
        p["required"],
    ).format(**values)


def _competency_sentence(check: engine.Check, names: Names) -> str:
    p = check.params
    values = {"skill": names.skill(check.key), "required": p["required"], "level": p["level"]}
    if check.met:
        return _("{skill}: level {level}; level {required} required.").format(**values)
    if check.reason == engine.MISSING:
        return _("{skill}: level {required} required; not assessed yet.").format(**values)
    gap = int(check.gap)
    return ngettext(
        "{skill}: level {required} required; assessed at level {level}, {gap} level to go.",
        "{skill}: level {required} required; assessed at level {level}, {gap} levels to go.",
        gap,
    ).format(gap=gap, **values)


def _certificate_sentence(check: engine.Check, names: Names) -> str:
    name = names.certificate(check.key)
    until = check.params.get("valid_until")
    if check.met:
        if until is None:
            return _("Certificate “{name}” held; it does not expire.").format(name=name)
        return _("Certificate “{name}” valid until {date}.").format(name=name, date=_day(until))
    if check.reason == engine.CERTIFICATE_EXPIRED:
        return _("Certificate “{name}” expired on {date}; renew it.").format(
            name=name, date=_day(until)
        )
    return _("Certificate “{name}” not held yet.").format(name=name)


def _appraisal_count_sentence(check: engine.Check, names: Names) -> str:
    p = check.params
    count = p["min_count"]
    values = {
        "count": count,
        "grade": p["at_least"],
        "window": p["window"],
        "good": p["good"],
        "cycles": ", ".join(names.cycle(cycle) for cycle in check.evidence),
    }
    if check.met:
        text = ngettext(
            "{count} grade of {grade} or better needed in the last {window} cycles; "
            "{good} ({cycles}).",
            "{count} grades of {grade} or better needed in the last {window} cycles; "
            "{good} ({cycles}).",
            count,
        )
        return text.format(**values)
    if check.evidence:
        text = ngettext(
            "{count} grade of {grade} or better needed in the last {window} cycles; "
            "you have {good} ({cycles}).",
            "{count} grades of {grade} or better needed in the last {window} cycles; "
            "you have {good} ({cycles}).",
            count,
        )
    else:
        text = ngettext(
            "{count} grade of {grade} or better needed in the last {window} cycles; none so far.",
            "{count} grades of {grade} or better needed in the last {window} cycles; none so far.",
            count,
        )
    cycles_needed = p.get("cycles_needed", p.get("needed", 0))
    more = ngettext(
        "At least {cycles} more cycle graded {grade} or better is needed.",
        "At least {cycles} more cycles graded {grade} or better are needed.",
        cycles_needed,
    ).format(cycles=cycles_needed, grade=p["at_least"])
    return f"{text.format(**values)} {more}"


def _appraisal_floor_sentence(check: engine.Check, names: Names) -> str:
    p = check.params
    values = {"grade": p["none_below"], "window": p["window"], "worst": p["worst"]}
    if check.met:
        if p["worst"] is None:
            return _(
                "No grade below {grade} allowed in the last {window} cycles; no graded cycle yet."
            ).format(**values)
        return _(
            "No grade below {grade} allowed in the last {window} cycles; the lowest is {worst}."
        ).format(**values)
    found = ", ".join(
        _("{grade} in {cycle}").format(grade=grade, cycle=names.cycle(cycle))
        for cycle, grade in p.get("below", ())
    )
    clear = p.get("cycles_until_clear", int(check.gap))
    return ngettext(
        "No grade below {grade} allowed in the last {window} cycles; {found}. "
        "It leaves the window after {clear} more cycle.",
        "No grade below {grade} allowed in the last {window} cycles; {found}. "
        "It leaves the window after {clear} more cycles.",
        clear,
    ).format(found=found, clear=clear, **values)


def _assessment_sentence(check: engine.Check) -> str:
    p = check.params
    required = _number(p["required"])
    if check.met:
        return _("Defence (答辩) score {score}; at least {required} required.").format(
            score=_number(p["score"]), required=required
        )
    if check.reason == engine.NO_SCORE:
        return _(
            "A defence (答辩) score of at least {required} is required; not assessed yet."
        ).format(required=required)
    return _(
        "A defence (答辩) score of at least {required} is required; scored {score}, "
        "{gap} points short."
    ).format(required=required, score=_number(p["score"]), gap=_number(check.gap))


def explain_check(check: engine.Check, names: Names) -> str:
    """One plain sentence for a check: what is required, what the person has (with the cycle,
    course, certificate or date as evidence) and how far off, from the engine's reason key."""
    kind = check.kind
    if kind == engine.TIME_IN_LEVEL:
        return _time_sentence(check)
    if kind == engine.COMPETENCY:
        return _competency_sentence(check, names)
    if kind == engine.COURSE:
        course = names.course(check.key)
        if check.met:
            return _("Course “{course}” completed on {date}.").format(
                course=course, date=_day(check.params["completed_on"])
            )
        return _("Course “{course}” not completed yet.").format(course=course)
    if kind == engine.CERTIFICATE:
        return _certificate_sentence(check, names)
    if kind == engine.APPRAISAL_COUNT:
        return _appraisal_count_sentence(check, names)
    if kind == engine.APPRAISAL_FLOOR:
        return _appraisal_floor_sentence(check, names)
    if kind == engine.ASSESSMENT:
        return _assessment_sentence(check)
    return f"{kind}: {check.reason}"


def short_gap(check: engine.Check, names: Names) -> str:
    """A few words naming a missed requirement and the gap, for lists ("SQL 2/3")."""
    p = check.params
    kind = check.kind
    if kind == engine.TIME_IN_LEVEL:
        return _("time in level {months}/{required} months").format(
            months=p["months"], required=p["required"]
        )
    if kind == engine.COMPETENCY:
        return _("{skill} {level}/{required}").format(
            skill=names.skill(check.key), level=p["level"], required=p["required"]
        )
    if kind == engine.COURSE:
        return names.course(check.key)
    if kind == engine.CERTIFICATE:
        name = names.certificate(check.key)
        if check.reason == engine.CERTIFICATE_EXPIRED:
            return _("{name} (expired)").format(name=name)
        return name
    if kind == engine.APPRAISAL_COUNT:
        return _("{good}/{count} grades {grade} or better").format(
            good=p["good"], count=p["min_count"], grade=p["at_least"]
        )
    if kind == engine.APPRAISAL_FLOOR:
        return _("a grade below {grade}").format(grade=p["none_below"])
    if kind == engine.ASSESSMENT:
        return _("defence score")
    return kind


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class ExplainedCheck:
    """A check with its requirement name, its sentence and its short form."""

    check: engine.Check
    name: str
    text: str
    short: str

    def as_json(self) -> dict[str, Any]:
        check = self.check
        return {
            "kind": check.kind,
            "key": "" if check.key is None else ":".join(str(part) for part in _flat(check.key)),
            "met": check.met,
            "reason": check.reason,
            "required": _plain(check.required),
            "actual": _plain(check.actual),
            "gap": check.gap,
            "evidence": [str(item) for item in _plain(check.evidence)],
            "params": _plain(check.params),
            "requirement": self.name,
            "text": self.text,
            "short": self.short,
        }


def _flat(key: Any) -> tuple[Any, ...]:
    return key if isinstance(key, tuple) else (key,)


def explained(result: engine.Eligibility, names: Names) -> list[ExplainedCheck]:
    return [
        ExplainedCheck(
            check=check,
            name=requirement_name(check, names),
            text=explain_check(check, names),
            short=short_gap(check, names),
        )
        for check in result.checks
    ]


# My growth ------------------------------------------------------------------------------------


@dataclass
class NextLevel:
    """One level a person may move up to, with every standard met or missed."""

    level: JobLevel
    track: CareerTrack | None
    standard: LevelStandard | None
    result: engine.Eligibility
    checks: list[ExplainedCheck]
    plan: DevelopmentPlan | None = None

    @property
    def percent(self) -> int:
        return round(self.result.share_met * 100)

    @property
    def missing(self) -> list[ExplainedCheck]:
        return [row for row in self.checks if not row.check.met]


@dataclass
class Growth:
    """A person's current level, where they can go next and what it takes, their development
    plans and their reward history (as far as the viewer may see them)."""

    staff: Staff
    today: dt.date
    level: JobLevel | None
    level_since: dt.date
    months_in_level: int
    tracks: list[CareerTrack]
    next_levels: list[NextLevel]
    plans: list[DevelopmentPlan]
    rewards: list[Any]
    reward_points: int
    reward_count: int

    @property
    def plan(self) -> DevelopmentPlan | None:
        return self.plans[0] if self.plans else None


def _plans_prefetch() -> Prefetch:
    return Prefetch(
        "actions",
        queryset=DevelopmentAction.objects.select_related("course", "skill", "mentor").order_by(
            "order", "pk"
        ),
    )


def growth_for(*, viewer: Any, staff: Staff, today: dt.date | None = None) -> Growth:
    """``staff``'s growth as ``viewer`` may see it, in a fixed number of queries."""
    from opsteam.incentives.models import RewardEntry

    today = today or timezone.localdate()
    record = selectors.person_records([staff], today=today)[staff.pk]
    targets = selectors.next_levels_map().get(staff.level_id, []) if staff.level_id else []
    standards = selectors.published_standards()
    scale = selectors.grade_scale()
    results = [
        engine.evaluate(
            record,
            selectors.to_engine_standard(standards[level_id])
            if level_id in standards
            else engine.LevelStandard(level_id=level_id),
            scale=scale,
            today=today,
        )
        for level_id in targets
    ]
    names = names_for(results)
    levels = JobLevel.objects.in_bulk([*targets, staff.level_id])
    tracks_of: dict[int, list[CareerTrack]] = defaultdict(list)
    for step in CareerStep.objects.filter(
        level_id__in=[*targets, staff.level_id], track__is_active=True
    ).select_related("track"):
        tracks_of[step.level_id].append(step.track)
    plans = list(
        DevelopmentPlan.objects.restrict(viewer, "view")
        .filter(staff=staff, status=PlanStatus.ACTIVE)
        .select_related("target_level")
        .prefetch_related(_plans_prefetch())
        .order_by("-start_date", "-pk")
    )
    plan_by_target = {}
    for plan in reversed(plans):
        plan_by_target[plan.target_level_id] = plan
    next_levels = [
        NextLevel(
            level=levels[result.level_id],
            track=(tracks_of.get(result.level_id) or [None])[0],
            standard=standards.get(result.level_id),
            result=result,
            checks=explained(result, names),
            plan=plan_by_target.get(result.level_id),
        )
        for result in results
    ]
    rewards = RewardEntry.objects.restrict(viewer, "view").filter(staff=staff)
    totals = rewards.aggregate(points=Sum("points"), count=Count("pk"))
    return Growth(
        staff=staff,
        today=today,
        level=levels.get(staff.level_id),
        level_since=record.level_since,
        months_in_level=engine.whole_months(record.level_since, today),
        tracks=tracks_of.get(staff.level_id, []),
        next_levels=next_levels,
        plans=plans,
        rewards=list(rewards.select_related("granted_by").order_by("-granted_on", "-pk")[:50]),
        reward_points=totals["points"] or 0,
        reward_count=totals["count"] or 0,
    )


# Team readiness -------------------------------------------------------------------------------


@dataclass
class ReadinessRow:
    """One person against one next level, in readiness order."""

    rank: int
    staff: Staff
    target: JobLevel
    result: engine.Eligibility
    has_standard: bool
    names: Names

    @property
    def percent(self) -> int:
        return round(self.result.share_met * 100)

    @property
    def missing(self) -> list[str]:
        """The missed requirements in a few words each (worded only for the rows shown)."""
        return [short_gap(check, self.names) for check in self.result.missing()]


# Ranking readiness evaluates every person in scope against every next level: about a second
# per 10,000 people. Above this many, the page asks for a department or team first (exports
# and the API still rank everyone).
READINESS_PAGE_LIMIT = 2000


def _ranked_people(user: Any) -> QuerySet[Staff]:
    """Whom the user's readiness list ranks: people they may list, with a level, not left."""
    return (
        Staff.objects.restrict(user, "list")
        .exclude(status=StaffStatus.LEFT)
        .filter(level__isnull=False)
    )


def readiness_scope_size(*, user: Any) -> int:
    """How many people the user's readiness list would rank."""
    return _ranked_people(user).count()


def team_readiness(
    *,
    user: Any,
    unit: OrgUnit | None = None,
    level: JobLevel | None = None,
    target: JobLevel | None = None,
    ready: bool | None = None,
    today: dt.date | None = None,
) -> list[ReadinessRow]:
    """Everyone the user may list (a manager's subtree; everyone for HR, administrators and
    auditors) against each of their next levels, ranked by ``engine.readiness``.

    ``unit`` keeps its subtree, ``level`` the people at that level, ``target`` one next level
    and ``ready`` the ready (or not ready) pairs. Levels without a published standard come
    last. A fixed number of queries for any headcount.
    """
    people = _ranked_people(user).only(
        "pk", "employee_no", "name", "name_en", "hire_date", "unit", "level", "user"
    )
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if level is not None:
        people = people.filter(level=level)
    people = list(people)
    # A thousand units and a dozen levels shared by ten thousand people: load each once
    # rather than joining them into every row.
    units = OrgUnit.objects.in_bulk({person.unit_id for person in people})
    staff_levels = JobLevel.objects.in_bulk({person.level_id for person in people})
    for person in people:
        person.unit = units[person.unit_id]
        person.level = staff_levels[person.level_id]
    by_id = {person.pk: person for person in people}
    results = selectors.eligibility_for(
        people, today=today, target_levels=[target.pk] if target is not None else None
    )
    if target is not None:
        # Only people for whom the target really is a next level.
        follows = selectors.next_levels_map()
        results = [
            result
            for result in results
            if target.pk in follows.get(by_id[result.staff_id].level_id, [])
        ]
    with_standard = set(
        LevelStandard.objects.filter(status=StandardStatus.PUBLISHED).values_list(
            "level_id", flat=True
        )
    )
    # A level without a published standard asks nothing, so the engine calls everyone ready
    # for it; such pairs are not "ready" in the filter and rank after every real standard.
    if ready is True:
        results = [r for r in results if r.ready and r.level_id in with_standard]
    elif ready is False:
        results = [r for r in results if not r.ready]
    ranked = engine.readiness(r for r in results if r.level_id in with_standard) + (
        engine.readiness(r for r in results if r.level_id not in with_standard)
    )
    names = names_for(ranked)
    levels = JobLevel.objects.in_bulk({result.level_id for result in ranked})
    return [
        ReadinessRow(
            rank=index,
            staff=by_id[result.staff_id],
            target=levels[result.level_id],
            result=result,
            has_standard=result.level_id in with_standard,
            names=names,
        )
        for index, result in enumerate(ranked, start=1)
    ]


def readiness_chart(rows: Sequence[ReadinessRow]) -> dict[str, Any] | None:
    """An ECharts option: per next level (with a published standard), how many are ready and
    how many are not yet."""
    if not any(row.has_standard for row in rows):
        return None
    counts: dict[int, list[int]] = {}
    labels: dict[int, str] = {}
    for row in rows:
        if not row.has_standard:
            continue
        pair = counts.setdefault(row.target.pk, [0, 0])
        pair[0 if row.result.ready else 1] += 1
        labels[row.target.pk] = f"{row.target.code} {row.target.display_name}"
    order = sorted(counts, key=lambda pk: labels[pk])
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Ready"), _("Not yet")]},
        "xAxis": {"type": "category", "data": [labels[pk] for pk in order]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": _("Ready"),
                "type": "bar",
                "stack": "people",
                "barMaxWidth": 64,
                "color": "#2fb344",
                "data": [counts[pk][0] for pk in order],
            },
            {
                "name": _("Not yet"),
                "type": "bar",
                "stack": "people",
                "barMaxWidth": 64,
                "color": "#f59f00",
                "data": [counts[pk][1] for pk in order],
            },
        ],
    }


def open_round_exists() -> bool:
    """Whether a promotion round is taking nominations (nomination links are worth showing)."""
    return PromotionRound.objects.filter(status=RoundStatus.NOMINATING).exists()


# Ladders --------------------------------------------------------------------------------------


def track_list(*, user: Any, action: str = "view") -> QuerySet[CareerTrack]:
    """Tracks with their steps (levels in order, entry levels) in three queries."""
    return CareerTrack.objects.restrict(user, action).prefetch_related(
        Prefetch(
            "steps",
            queryset=CareerStep.objects.select_related("level")
            .prefetch_related("entry_from")
            .order_by("order"),
        )
    )


@dataclass
class LadderStep:
    """A step of a track as the ladder page draws it."""

    step: CareerStep
    standard: LevelStandard | None  # the published one
    draft: LevelStandard | None
    entries: list[tuple[JobLevel, list[CareerTrack]]]  # levels of other tracks leading in
    exits: list[tuple[JobLevel, list[CareerTrack]]]  # levels of other tracks this one leads to


def track_ladder(track: CareerTrack) -> list[LadderStep]:
    """The track's steps, lowest first, with each level's published standard and draft and the
    moves to and from other tracks."""
    steps = list(
        CareerStep.objects.filter(track=track)
        .select_related("level")
        .prefetch_related("entry_from")
        .order_by("order")
    )
    level_ids = [step.level_id for step in steps]
    standards = {}
    drafts = {}
    for standard in LevelStandard.objects.filter(
        level_id__in=level_ids, status__in=(StandardStatus.PUBLISHED, StandardStatus.DRAFT)
    ):
        target = standards if standard.status == StandardStatus.PUBLISHED else drafts
        target[standard.level_id] = standard
    other_steps = list(
        CareerStep.objects.exclude(track=track).select_related("track", "level").order_by("order")
    )
    tracks_of: dict[int, list[CareerTrack]] = defaultdict(list)
    for other in other_steps:
        tracks_of[other.level_id].append(other.track)
    other_by_id = {other.pk: other for other in other_steps}
    exits: dict[int, list[tuple[JobLevel, list[CareerTrack]]]] = defaultdict(list)
    for through in CareerStep.entry_from.through.objects.filter(joblevel_id__in=level_ids):
        other = other_by_id.get(through.careerstep_id)
        if other is not None:
            exits[through.joblevel_id].append((other.level, [other.track]))
    return [
        LadderStep(
            step=step,
            standard=standards.get(step.level_id),
            draft=drafts.get(step.level_id),
            entries=[(level, tracks_of.get(level.pk, [])) for level in step.entry_from.all()],
            exits=exits.get(step.level_id, []),
        )
        for step in steps
    ]


def ladder_chart(tracks: Sequence[CareerTrack], *, focus: CareerTrack | None = None) -> dict:
    """An ECharts graph of the ladders: one column per track, each level at the height of its
    rank (so a team lead sits beside the senior operator it is entered from), arrows up each
    track and dashed arrows where a level leads to another track. Clicking a level opens its
    track.

    Expects ``tracks`` from ``track_list`` (steps prefetched).
    """
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    index: dict[tuple[int, int], int] = {}
    by_level: dict[int, list[tuple[int, int]]] = defaultdict(list)  # level -> (column, node)
    for column, track in enumerate(tracks):
        steps = list(track.steps.all())
        for step in steps:
            index[(track.pk, step.level_id)] = len(nodes)
            by_level[step.level_id].append((column, len(nodes)))
            nodes.append(
                {
                    "id": f"{track.pk}:{step.level_id}",
                    "name": f"{step.level.code} · {step.level.display_name}",
                    "value": step.level.code,
                    "x": column * 240,
                    "y": -(step.level.rank or step.order) * 80,
                    "symbolSize": 44 if focus is None or focus.pk == track.pk else 34,
                    "category": column,
                    "url": track.get_absolute_url(),
                }
            )
        for lower, upper in itertools.pairwise(steps):
            links.append(
                {
                    "source": index[(track.pk, lower.level_id)],
                    "target": index[(track.pk, upper.level_id)],
                }
            )
    for column, track in enumerate(tracks):
        for step in track.steps.all():
            target = index[(track.pk, step.level_id)]
            for level in step.entry_from.all():
                for source_column, source in by_level.get(level.pk, []):
                    if source_column != column:
                        links.append(
                            {"source": source, "target": target, "lineStyle": {"type": "dashed"}}
                        )
    return {
        "tooltip": {"formatter": "{b}"},
        "legend": {"top": 0, "data": [track.display_name for track in tracks]},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "top": 50,
                "bottom": 40,
                "label": {"show": True, "position": "bottom", "formatter": "{b}", "fontSize": 11},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 9,
                "categories": [{"name": track.display_name} for track in tracks],
                "data": nodes,
                "links": links,
                "lineStyle": {"width": 2, "opacity": 0.8},
            }
        ],
    }


def track_snapshot(track: CareerTrack) -> dict[str, Any]:
    """The track's ladder as it stands, in the JSON shape ``careers.ladder_versions`` reads
    (three queries): its fields and each step, lowest first, with the level's names, the
    published standard's version and minimum months in the level below, and the entries."""
    steps = list(
        CareerStep.objects.filter(track=track)
        .select_related("level")
        .prefetch_related("entry_from")
        .order_by("order")
    )
    standards = {
        row.level_id: row
        for row in LevelStandard.objects.filter(
            level_id__in=[step.level_id for step in steps], status=StandardStatus.PUBLISHED
        )
    }

    def level_fields(level: JobLevel) -> dict[str, Any]:
        return {"level": level.pk, "code": level.code, "name": level.name, "name_en": level.name_en}

    rows = []
    for step in steps:
        standard = standards.get(step.level_id)
        rows.append(
            {
                "order": step.order,
                **level_fields(step.level),
                "rank": step.level.rank,
                "min_months": standard.min_months_in_level if standard else None,
                "standard_version": standard.version if standard else None,
                "entry_from": [
                    level_fields(level)
                    for level in sorted(step.entry_from.all(), key=lambda level: level.code)
                ],
            }
        )
    return {
        "track": {name: getattr(track, name) for name in ladder_versions.TRACK_FIELDS},
        "steps": rows,
    }


def _snapshot_label(level: dict[str, Any] | None) -> str:
    """Return "P3 · 高级运营" from a level as a snapshot holds it, in the active language."""
    if not level:
        return "—"
    language = get_language() or ""
    name = level.get("name_en") if language.startswith("en") else ""
    return f"{level.get('code', '')} · {name or level.get('name') or level.get('name_en', '')}"


def _months(value: Any) -> str:
    return _("none") if value is None else str(value)


def describe_ladder_change(change: ladder_versions.LadderChange) -> str:
    """One sentence for a change between two ladder versions, in the active language."""
    kind = change.kind
    level = _snapshot_label(change.level)
    if kind == ladder_versions.LEVEL_ADDED:
        return _("{level} added as step {order}.").format(level=level, order=change.after)
    if kind == ladder_versions.LEVEL_REMOVED:
        return _("{level} removed (was step {order}).").format(level=level, order=change.before)
    if kind == ladder_versions.REORDERED:
        return _("Order of the levels changed: {before} became {after}.").format(
            before=" → ".join(change.before), after=" → ".join(change.after)
        )
    if kind == ladder_versions.ENTRY_ADDED:
        return _("{level} may now also be entered from {entry}.").format(
            level=level, entry=_snapshot_label(change.entry)
        )
    if kind == ladder_versions.ENTRY_REMOVED:
        return _("{level} is no longer entered from {entry}.").format(
            level=level, entry=_snapshot_label(change.entry)
        )
    if kind == ladder_versions.STEP_FIELD:
        if change.field == "min_months":
            return _("{level}: minimum months in the level below {before} → {after}.").format(
                level=level, before=_months(change.before), after=_months(change.after)
            )
        if change.field == "standard_version":
            return _("{level}: published standard v{before} → v{after}.").format(
                level=level,
                before=change.before if change.before is not None else "—",
                after=change.after if change.after is not None else "—",
            )
        if change.field == "code":
            return _("Level code {before} → {after}.").format(
                before=change.before, after=change.after
            )
        return _("{level}: name “{before}” → “{after}”.").format(
            level=level, before=change.before or "—", after=change.after or "—"
        )
    labels = {
        "code": _("Code"),
        "name": _("Name"),
        "name_en": _("English name"),
        "kind": _("Kind"),
        "description": _("Description"),
        "description_en": _("Description (English)"),
        "is_active": _("Active"),
    }
    label = labels.get(change.field, change.field)
    if change.field in ("description", "description_en"):
        return _("{field} changed.").format(field=label)
    if change.field == "is_active":
        return _("{field}: {before} → {after}.").format(
            field=label,
            before=_("yes") if change.before else _("no"),
            after=_("yes") if change.after else _("no"),
        )
    if change.field == "kind":
        kinds = dict(LevelTrack.choices)
        return _("{field}: {before} → {after}.").format(
            field=label,
            before=kinds.get(change.before, change.before),
            after=kinds.get(change.after, change.after),
        )
    return _("{field}: “{before}” → “{after}”.").format(
        field=label, before=change.before or "—", after=change.after or "—"
    )


def ladder_change_summary(changes: Sequence[ladder_versions.LadderChange], *, limit: int) -> str:
    """The changes in one line of at most ``limit`` characters (the first version: so)."""
    if not changes:
        return _("First version of the ladder.")
    text = " ".join(describe_ladder_change(change) for change in changes)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class TrackVersion:
    """A saved version of a track's ladder with what changed against the one before it."""

    version: CareerTrackVersion
    changes: list[ladder_versions.LadderChange]
    is_current: bool

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def summary(self) -> str:
        return localized(self.version, "summary")

    @property
    def saved_by_name(self) -> str:
        user = self.version.saved_by
        if user is None:
            return ""
        staff = getattr(user, "staff", None)
        return staff.display_name if staff is not None else user.get_username()

    @property
    def sentences(self) -> list[str]:
        return [describe_ladder_change(change) for change in self.changes]

    @property
    def steps_top_first(self) -> list[dict[str, Any]]:
        """The version's steps, top level first, each with its label and its entries'."""
        return [
            {
                **step,
                "label": _snapshot_label(step),
                "entries": [_snapshot_label(entry) for entry in step.get("entry_from", [])],
            }
            for step in reversed(self.version.snapshot.get("steps", []))
        ]


def track_versions(track: CareerTrack) -> list[TrackVersion]:
    """Every saved version of ``track``'s ladder, newest first, each compared with the version
    before it (one query, whatever the number of versions)."""
    rows = list(
        CareerTrackVersion.objects.filter(track=track)
        .select_related("saved_by", "saved_by__staff")
        .order_by("number")
    )
    result = []
    previous = None
    for row in rows:
        changes = ladder_versions.compare_ladders(
            previous.snapshot if previous is not None else None, row.snapshot
        )
        result.append(TrackVersion(version=row, changes=changes, is_current=row is rows[-1]))
        previous = row
    return list(reversed(result))


# Standards ------------------------------------------------------------------------------------


def standard_children(standard: LevelStandard) -> dict[str, Any]:
    """Competencies grouped by competency group, courses and certificates of a standard."""
    competencies = list(
        StandardCompetency.objects.filter(standard=standard)
        .select_related("skill", "skill__group")
        .order_by("skill__group__order", "skill__group__code", "skill__code")
    )
    groups: dict[Any, list[StandardCompetency]] = {}
    for row in competencies:
        groups.setdefault(row.skill.group, []).append(row)
    return {
        "competency_groups": list(groups.items()),
        "competencies": competencies,
        "courses": list(
            StandardCourse.objects.filter(standard=standard)
            .select_related("course")
            .order_by("course__code")
        ),
        "certificates": list(
            StandardCertificate.objects.filter(standard=standard)
            .select_related("course")
            .order_by("pk")
        ),
    }


def _threshold_rows(standard: LevelStandard) -> dict[str, str]:
    def grade(value: str) -> str:
        return value or "—"

    return {
        str(_("Minimum months in the current level")): str(standard.min_months_in_level),
        str(_("Appraisal cycles considered")): str(standard.appraisal_window),
        str(_("Good grades needed")): str(standard.appraisal_min_count),
        str(_("Good grade: at least")): grade(standard.appraisal_at_least),
        str(_("No grade below")): grade(standard.appraisal_none_below),
        str(_("Minimum defence score (答辩)")): (
            _number(standard.min_assessment_score)
            if standard.min_assessment_score is not None
            else "—"
        ),
        str(_("Notes")): standard.notes or "—",
        str(_("Notes (English)")): standard.notes_en or "—",
    }


def standard_summary(standard: LevelStandard) -> dict[str, str]:
    """Every aspect of a standard as text (children prefetched), for comparing versions."""
    summary = _threshold_rows(standard)
    summary[str(_("Competencies"))] = (
        ", ".join(
            sorted(
                f"{row.skill.display_name} ≥ {row.min_level}" for row in standard.competencies.all()
            )
        )
        or "—"
    )
    summary[str(_("Courses"))] = (
        ", ".join(sorted(row.course.display_name for row in standard.courses.all())) or "—"
    )
    summary[str(_("Certificates"))] = (
        ", ".join(
            sorted(row.name or row.course.display_name for row in standard.certificates.all())
        )
        or "—"
    )
    return summary


@dataclass
class StandardVersion:
    """One version of a level's standard and what changed from the version before it."""

    standard: LevelStandard
    changes: list[tuple[str, str, str]]  # (aspect, before, after)


def standard_versions(level_id: int) -> list[StandardVersion]:
    """Every version of a level's standard, newest first, each with what it changed (five
    queries whatever the number of versions)."""
    versions = list(
        LevelStandard.objects.filter(level_id=level_id)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("competencies", StandardCompetency.objects.select_related("skill")),
            Prefetch("courses", StandardCourse.objects.select_related("course")),
            Prefetch("certificates", StandardCertificate.objects.select_related("course")),
        )
        .order_by("version")
    )
    result = []
    previous: dict[str, str] | None = None
    for standard in versions:
        summary = standard_summary(standard)
        if previous is None:
            changes = []
        else:
            changes = [
                (aspect, previous.get(aspect, "—"), value)
                for aspect, value in summary.items()
                if previous.get(aspect) != value
            ]
        result.append(StandardVersion(standard=standard, changes=changes))
        previous = summary
    return list(reversed(result))


def grouped_skill_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Skills of the competency framework as grouped select choices (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for skill in Skill.objects.select_related("group").order_by(
        "group__order", "group__code", "code"
    ):
        label = skill.group.display_name if skill.group else _("Other competencies")
        groups.setdefault(label, []).append((skill.pk, f"{skill.code} · {skill.display_name}"))
    return list(groups.items())


# Competency framework -------------------------------------------------------------------------


@dataclass
class FrameworkGroup:
    group: SkillGroup | None
    skills: list[Skill]


def competency_framework() -> list[FrameworkGroup]:
    """Skills grouped by competency group (ungrouped last), each with its level descriptors
    (``skill.descriptors``: level -> descriptor), in three queries."""
    from opsteam.org.models import SkillLevelDescriptor

    groups = list(SkillGroup.objects.order_by("order", "code"))
    skills = list(
        Skill.objects.select_related("group")
        .prefetch_related(
            Prefetch("level_descriptors", SkillLevelDescriptor.objects.order_by("level"))
        )
        .order_by("code")
    )
    by_group: dict[int | None, list[Skill]] = defaultdict(list)
    for skill in skills:
        skill.descriptors = {row.level: row for row in skill.level_descriptors.all()}
        by_group[skill.group_id].append(skill)
    result = [FrameworkGroup(group=group, skills=by_group.get(group.pk, [])) for group in groups]
    if by_group.get(None):
        result.append(FrameworkGroup(group=None, skills=by_group[None]))
    return result


# Development plans ----------------------------------------------------------------------------


def plan_list(*, user: Any, action: str = "view") -> QuerySet[DevelopmentPlan]:
    """Plans the user may see, with the counts and mean progress of their actions and the date
    of the latest check-in, in one query."""
    not_dropped = ~Q(actions__status=ActionStatus.DROPPED)
    last_checkin = (
        DevelopmentCheckIn.objects.filter(plan=OuterRef("pk"))
        .order_by("-date", "-pk")
        .values("date")[:1]
    )
    return (
        DevelopmentPlan.objects.restrict(user, action)
        .select_related("staff", "staff__unit", "target_level", "owner")
        .annotate(
            actions_total=Count("actions", filter=not_dropped),
            actions_done=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
            progress_mean=Avg("actions__progress", filter=not_dropped),
            last_checkin=Subquery(last_checkin),
        )
    )


def plan_detail(plan: DevelopmentPlan) -> dict[str, Any]:
    """A plan's actions and check-ins, its progress and the progress chart over check-ins."""
    actions = list(
        DevelopmentAction.objects.filter(plan=plan)
        .select_related("course", "skill", "mentor")
        .order_by("order", "pk")
    )
    checkins = list(
        DevelopmentCheckIn.objects.filter(plan=plan).select_related("author").order_by("date", "pk")
    )
    counted = [action for action in actions if action.status != ActionStatus.DROPPED]
    progress = round(sum(a.progress for a in counted) / len(counted)) if counted else 0
    chart = None
    if checkins:
        chart = {
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": [c.date.isoformat() for c in checkins]},
            "yAxis": {
                "type": "value",
                "min": 0,
                "max": 100,
                "axisLabel": {"formatter": "{value}%"},
            },
            "series": [
                {
                    "name": _("Overall progress"),
                    "type": "line",
                    "smooth": True,
                    "areaStyle": {"opacity": 0.15},
                    "data": [c.progress for c in checkins],
                }
            ],
        }
    return {
        "actions": actions,
        "checkins": list(reversed(checkins)),
        "progress": progress,
        "done": sum(1 for action in actions if action.status == ActionStatus.DONE),
        "counted": len(counted),
        "progress_chart": chart,
    }


# Mentors and rotations for competency gaps ----------------------------------------------------

# How long a suggested rotation (轮岗) lasts: long enough to practise, short enough to plan.
ROTATION_MONTHS = 3


@dataclass(frozen=True)
class MentorSuggestion:
    """Who could mentor a person in a skill: ``level`` is the mentor's recorded level."""

    mentor: Staff
    level: int


@dataclass(frozen=True)
class RotationSuggestion:
    """A position near the person whose published job description requires the skill at
    ``level`` (at least the level the person needs)."""

    position: Any
    unit: OrgUnit
    level: int
    months: int = ROTATION_MONTHS


def _unit_prefixes(unit: OrgUnit) -> list[str]:
    """The paths of ``unit`` and of each unit above it, nearest first."""
    segments = [part for part in unit.path.split("/") if part]
    return ["".join(f"{part}/" for part in segments[:end]) for end in range(len(segments), 0, -1)]


def suggest_mentors(staff: Staff, needs: dict[int, int]) -> dict[int, MentorSuggestion]:
    """For each skill in ``needs`` (skill id -> level required), the colleague best placed to
    mentor ``staff`` (带教), if anyone is.

    Candidates are active staff other than the person whose recorded level (``StaffSkill``) is
    at least the required one, looked for in the person's unit (with its teams) first and, only
    when nobody there qualifies, in the nearest unit above that has someone. Among them: the
    highest level, then seniority (earliest hire date), then employee number. Nobody is ever
    picked at random: a skill nobody holds at that level is left out. One query per unit
    level searched (at most the depth of the org tree), plus one for the mentors.
    """
    remaining = dict(needs)
    picked: dict[int, tuple[int, int]] = {}  # skill -> (staff id, level)
    for prefix in _unit_prefixes(staff.unit) if remaining else []:
        wanted = Q()
        for skill_id, level in remaining.items():
            wanted |= Q(skill_id=skill_id, level__gte=level)
        rows = (
            StaffSkill.objects.filter(
                wanted,
                staff__status=StaffStatus.ACTIVE,
                staff__unit__path__startswith=prefix,
            )
            .exclude(staff_id=staff.pk)
            .order_by("skill_id", "-level", "staff__hire_date", "staff__employee_no")
            .values_list("skill_id", "staff_id", "level")
        )
        for skill_id, staff_id, level in rows:
            if skill_id in remaining and skill_id not in picked:
                picked[skill_id] = (staff_id, level)
        for skill_id in picked:
            remaining.pop(skill_id, None)
        if not remaining:
            break
    if not picked:
        return {}
    mentors = Staff.objects.select_related("unit").in_bulk(
        [staff_id for staff_id, _level in picked.values()]
    )
    return {
        skill_id: MentorSuggestion(mentor=mentors[staff_id], level=level)
        for skill_id, (staff_id, level) in picked.items()
    }


def suggest_rotations(staff: Staff, needs: dict[int, int]) -> dict[int, RotationSuggestion]:
    """For each skill in ``needs`` (skill id -> level required), a position of the person's
    unit or department to rotate to (轮岗), if one exercises the skill at that level.

    A position qualifies when it is active, is not one the person holds, has its home unit in
    the person's unit or anywhere in their department (the nearest unit above of kind
    department; the unit alone when there is none) and its published job description
    requires the skill at the level needed or higher. Nearest first: the person's own unit,
    then wider; then the higher requirement, then the position code. Two queries.
    """
    from opsteam.org.choices import JobDescriptionStatus, UnitKind
    from opsteam.org.models import JobSkillRequirement

    if not needs:
        return {}
    prefixes = _unit_prefixes(staff.unit)
    ids = [int(prefix.rstrip("/").rsplit("/", 1)[-1]) for prefix in prefixes]
    kinds = dict(OrgUnit.objects.filter(pk__in=ids).values_list("pk", "kind"))
    scope: list[str] = []
    for unit_id, prefix in zip(ids, prefixes, strict=True):
        scope.append(prefix)
        if kinds.get(unit_id) == UnitKind.DEPARTMENT:
            break
    else:
        scope = prefixes[:1]
    held = {staff.position_id, *(p.pk for p in staff.concurrent_positions.all())}
    wanted = Q()
    for skill_id, level in needs.items():
        wanted |= Q(skill_id=skill_id, level__gte=level)
    rows = (
        JobSkillRequirement.objects.filter(
            wanted,
            is_required=True,
            job_description__status=JobDescriptionStatus.PUBLISHED,
            job_description__position__is_active=True,
            job_description__position__unit__path__startswith=scope[-1],
        )
        .exclude(job_description__position_id__in=held)
        .select_related("job_description__position__unit")
    )

    def nearness(row: Any) -> tuple[int, int, str]:
        position = row.job_description.position
        distance = next(
            index for index, prefix in enumerate(scope) if position.unit.path.startswith(prefix)
        )
        return (distance, -row.level, position.code)

    found: dict[int, RotationSuggestion] = {}
    for row in sorted(rows, key=nearness):
        if row.skill_id not in found:
            position = row.job_description.position
            found[row.skill_id] = RotationSuggestion(
                position=position, unit=position.unit, level=row.level
            )
    return found


def mentor_choices(
    *, user: Any, plan: DevelopmentPlan, current: Staff | None = None
) -> QuerySet[Staff]:
    """The people ``user`` may name as a mentor on ``plan``.

    Whom the user may list (``policy.restrict(Staff, user, "list")``: HR and administrators
    everyone, managers their subtree) who has not left, and always, whatever the user may
    list, the mentors already named on the plan's actions, ``current`` (the mentor of the
    action being edited) and the mentors the gap suggests for each competency of the target
    level's published standard (``suggest_mentors``). Operators may list nobody, so on their
    own plan they choose among those named and suggested: the plan stays workable without
    showing them the organisation. The plan's own person is never offered.
    """
    listed = policy.restrict(Staff.objects.all(), user, "list")
    # Operators may list nobody (policy "list" on org.Staff), so these are what keeps their own
    # plan workable: the mentors already named on it and the ones the gap suggests.
    extra = set(
        DevelopmentAction.objects.filter(plan=plan, mentor__isnull=False).values_list(
            "mentor_id", flat=True
        )
    )
    if plan.target_level_id:
        needs = dict(
            StandardCompetency.objects.filter(
                standard__level_id=plan.target_level_id,
                standard__status=StandardStatus.PUBLISHED,
            ).values_list("skill_id", "min_level")
        )
        if needs:
            staff = Staff.objects.select_related("unit").get(pk=plan.staff_id)
            extra |= {row.mentor.pk for row in suggest_mentors(staff, needs).values()}
    offered = Q(pk__in=listed.values("pk")) | Q(pk__in=extra)
    choices = Staff.objects.filter(offered).exclude(status=StaffStatus.LEFT)
    if current is not None:
        # The mentor already on the action stays a valid answer, even after they left.
        choices = Staff.objects.filter(Q(pk__in=choices.values("pk")) | Q(pk=current.pk))
    return choices.exclude(pk=plan.staff_id).order_by("employee_no")


def plan_gap(staff: Staff, level: JobLevel, *, today: dt.date | None = None) -> NextLevel:
    """``staff`` against ``level`` (what a new plan towards it would work on)."""
    [result] = selectors.eligibility_for([staff], today=today, target_levels=[level.pk])
    names = names_for([result])
    return NextLevel(
        level=level,
        track=None,
        standard=selectors.published_standards().get(level.pk),
        result=result,
        checks=explained(result, names),
    )


def next_levels_of(staff: Staff) -> list[JobLevel]:
    """The levels ``staff`` may move up to from their current level."""
    ids = selectors.next_levels_map().get(staff.level_id, []) if staff.level_id else []
    levels = JobLevel.objects.in_bulk(ids)
    return [levels[pk] for pk in ids if pk in levels]
