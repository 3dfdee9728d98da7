"""Reads of the careers app: ladders, published standards and people's eligibility.

``person_records`` turns the organisation's data (assignment history, skill levels, completed
courses, certificates, published grades) into the eligibility engine's inputs in a fixed number
of queries however many people are asked about; ``eligibility_for`` runs the engine.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from opsteam.careers import eligibility as engine
from opsteam.careers.choices import StandardStatus
from opsteam.careers.models import CareerStep, LevelStandard
from opsteam.core import policy
from opsteam.org.choices import StaffStatus
from opsteam.org.models import Assignment, JobLevel, Staff, StaffSkill
from opsteam.performance.choices import ReviewStatus
from opsteam.performance.models import DEFAULT_GRADE_BANDS, Review
from opsteam.training.choices import EnrolmentStatus
from opsteam.training.models import Certificate, Enrolment

# Reviews whose grade the person has seen: the ones a promotion may rest on.
PUBLISHED_REVIEW_STATUSES = (
    ReviewStatus.PUBLISHED,
    ReviewStatus.ACKNOWLEDGED,
    ReviewStatus.APPEALED,
    ReviewStatus.RESOLVED,
)


def grade_scale() -> engine.GradeScale:
    """The company's grade names, best first (the default bands of review cycles)."""
    return engine.GradeScale(names=tuple(band["name"] for band in DEFAULT_GRADE_BANDS))


def standards_queryset() -> QuerySet:
    return LevelStandard.objects.select_related("level").prefetch_related(
        "competencies__skill", "courses__course", "certificates__course"
    )


def published_standards() -> dict[int, LevelStandard]:
    """The published standard of each level that has one, by level id."""
    rows = standards_queryset().filter(status=StandardStatus.PUBLISHED)
    return {standard.level_id: standard for standard in rows}


def to_engine_standard(standard: LevelStandard) -> engine.LevelStandard:
    """The engine's view of a standard row (competencies, courses, certificates prefetched)."""
    appraisal = None
    if standard.appraisal_min_count or standard.appraisal_none_below:
        appraisal = engine.AppraisalStandard(
            window=standard.appraisal_window,
            min_count=standard.appraisal_min_count,
            at_least=standard.appraisal_at_least or grade_scale().names[-1],
            none_below=standard.appraisal_none_below or None,
        )
    return engine.LevelStandard(
        level_id=standard.level_id,
        min_months_in_level=standard.min_months_in_level,
        competencies=tuple((row.skill_id, row.min_level) for row in standard.competencies.all()),
        courses=tuple(row.course_id for row in standard.courses.all()),
        certificates=tuple(row.key for row in standard.certificates.all()),
        appraisal=appraisal,
        min_assessment_score=standard.min_assessment_score,
    )


def next_levels_map() -> dict[int, list[int]]:
    """For each level, the levels a person in it may move up to (next step on each track it is
    on, and any level of another track that lists it as an entry)."""
    steps = list(CareerStep.objects.filter(track__is_active=True).order_by("track", "order"))
    entries = CareerStep.entry_from.through.objects.filter(
        careerstep__track__is_active=True
    ).values_list("careerstep__level_id", "joblevel_id")
    result: dict[int, list[int]] = defaultdict(list)
    for current, following in itertools.pairwise(steps):
        if current.track_id == following.track_id:
            result[current.level_id].append(following.level_id)
    for target, source in entries:
        if target not in result[source]:
            result[source].append(target)
    return dict(result)


def _level_since(
    history: list[tuple[dt.date, int | None]], level_id: int | None, *, today: dt.date
) -> dt.date | None:
    """Start of the unbroken run of assignments at ``level_id`` up to the latest one.

    Assignments dated after ``today`` at another level are not in effect yet and are skipped
    (the person's level does not show them either).
    """
    since = None
    for start, level in history:  # most recent first
        if level != level_id:
            if since is None and start > today:
                continue
            break
        since = start
    return since


def person_records(people: Iterable[Staff], *, today: dt.date) -> dict[int, engine.PersonRecord]:
    """The engine's record of each person, in five queries whatever the number of people."""
    people = list(people)
    ids = [person.pk for person in people]
    history: dict[int, list[tuple[dt.date, int | None]]] = defaultdict(list)
    # Later assignments are read too: a reassignment dated ahead (a promotion taking effect
    # next month) already sets the person's level, and the run at that level starts then,
    # not at the start of the previous level (``level_since`` is capped at ``today`` below).
    for staff_id, start, level_id in (
        Assignment.objects.filter(staff_id__in=ids)
        .order_by("staff_id", "-start_date", "-pk")
        .values_list("staff_id", "start_date", "level_id")
    ):
        history[staff_id].append((start, level_id))
    skills: dict[int, dict[int, int]] = defaultdict(dict)
    for staff_id, skill_id, level in StaffSkill.objects.filter(staff_id__in=ids).values_list(
        "staff_id", "skill_id", "level"
    ):
        skills[staff_id][skill_id] = level
    courses: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for staff_id, course_id, completed_on in Enrolment.objects.filter(
        staff_id__in=ids, status=EnrolmentStatus.COMPLETED, completed_on__isnull=False
    ).values_list("staff_id", "course_id", "completed_on"):
        courses[staff_id][course_id] = completed_on
    certificates: dict[int, dict[Any, dt.date | None]] = defaultdict(dict)
    for staff_id, course_id, name, expires_on in Certificate.objects.filter(
        staff_id__in=ids, issued_on__lte=today
    ).values_list("staff_id", "course_id", "name", "expires_on"):
        keys = [("name", name.strip().casefold())]
        if course_id:
            keys.append(("course", course_id))
        for key in keys:
            held = certificates[staff_id].get(key, dt.date.min)
            if held is not None and (expires_on is None or expires_on > held):
                certificates[staff_id][key] = expires_on  # the longest-valid one counts
    grades: dict[int, list[engine.CycleGrade]] = defaultdict(list)
    scale = set(grade_scale().names)
    for staff_id, cycle_id, ended_on, grade in Review.objects.filter(
        staff_id__in=ids, status__in=PUBLISHED_REVIEW_STATUSES, cycle__period_end__lte=today
    ).values_list("staff_id", "cycle_id", "cycle__period_end", "grade"):
        if grade in scale:
            grades[staff_id].append(
                engine.CycleGrade(cycle_id=cycle_id, ended_on=ended_on, grade=grade)
            )
    records = {}
    for person in people:
        since = _level_since(history[person.pk], person.level_id, today=today) or person.hire_date
        records[person.pk] = engine.PersonRecord(
            staff_id=person.pk,
            level_id=person.level_id,
            level_since=min(since, today),
            skills=skills[person.pk],
            courses_completed=courses[person.pk],
            certificates=certificates[person.pk],
            grades=tuple(grades[person.pk]),
            team_id=person.unit_id,
        )
    return records


def eligibility_for(
    people: Iterable[Staff],
    *,
    today: dt.date | None = None,
    target_levels: Iterable[int] | None = None,
    assessment_scores: dict[tuple[int, int], Any] | None = None,
) -> list[engine.Eligibility]:
    """Each person against each next level of their current level (or ``target_levels``).

    ``assessment_scores`` maps (staff id, level id) to a defence score when one is known
    (a nomination under committee review).
    """
    today = today or timezone.localdate()
    people = list(people)
    records = person_records(people, today=today)
    standards = {
        level_id: to_engine_standard(row) for level_id, row in published_standards().items()
    }
    follows = next_levels_map()
    targets = list(target_levels) if target_levels is not None else None
    scale = grade_scale()

    def standard_of(level_id: int) -> engine.LevelStandard:
        return standards.get(level_id) or engine.LevelStandard(level_id=level_id)

    if assessment_scores:
        results = []
        for person in people:
            level_ids = targets if targets is not None else follows.get(person.level_id, [])
            for level_id in level_ids:
                record = records[person.pk]
                score = assessment_scores.get((person.pk, level_id))
                if score is not None:
                    record = replace(record, assessment_score=score)
                results.append(
                    engine.evaluate(record, standard_of(level_id), scale=scale, today=today)
                )
        return results
    next_levels = {
        current: [
            standard_of(level_id)
            for level_id in (targets if targets is not None else follows.get(current, []))
        ]
        for current in {person.level_id for person in people}
    }
    return engine.evaluate_many(records.values(), next_levels, scale=scale, today=today)


def readiness_for_user(user: Any, *, today: dt.date | None = None) -> list[engine.Eligibility]:
    """Everyone the user may list (their team for a manager), ranked by readiness."""
    people = (
        policy.restrict(Staff.objects.all(), user, "list")
        .exclude(status=StaffStatus.LEFT)
        .only("pk", "level_id", "unit_id", "hire_date", "user_id")
    )
    return engine.readiness(eligibility_for(people, today=today))


def levels_by_id() -> dict[int, JobLevel]:
    return {level.pk: level for level in JobLevel.objects.all()}


def tracks_with_steps() -> QuerySet:
    from opsteam.careers.models import CareerTrack

    return CareerTrack.objects.prefetch_related(
        Prefetch(
            "steps",
            queryset=CareerStep.objects.select_related("level").prefetch_related("entry_from"),
        )
    )
