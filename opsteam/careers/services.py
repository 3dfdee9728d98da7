"""Writes of the careers app: ladders and standards, development plans, promotion rounds.

Every function is keyword-only, runs in one transaction, checks the policy and writes its audit
entries. An approved promotion changes the person's level through ``org.services.staff_reassign``
(so the assignment history stays the one record of levels), runs the training rules for the
level change and records the promotion in the reward ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.careers import eligibility as engine
from opsteam.careers import ladder_versions, selectors, selectors_growth
from opsteam.careers.choices import (
    ActionKind,
    ActionStatus,
    NominationKind,
    NominationStatus,
    PlanStatus,
    Recommendation,
    RoundStatus,
    StandardStatus,
)
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    CareerTrackVersion,
    CommitteeReview,
    DevelopmentAction,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
    Nomination,
    PromotionRound,
    StandardCertificate,
    StandardCompetency,
    StandardCourse,
)
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.choices import AssignmentReason, StaffStatus
from opsteam.org.models import JobLevel, Staff

STANDARD_FIELDS = (
    "min_months_in_level",
    "appraisal_window",
    "appraisal_min_count",
    "appraisal_at_least",
    "appraisal_none_below",
    "min_assessment_score",
    "notes",
    "notes_en",
)


def _today() -> dt.date:
    return timezone.localdate()


# Ladders ------------------------------------------------------------------------------------


@transaction.atomic
def track_save(
    *,
    actor: Any,
    track: CareerTrack | None = None,
    levels: Sequence[JobLevel],
    record_version: bool = True,
    **fields: Any,
) -> CareerTrack:
    """Create or update a track and set its levels in order (lowest first).

    With ``record_version`` the ladder as saved is kept as the track's next version
    (``track_version_record``); callers that go on to set entries pass False and record once.
    """
    policy.require(actor, "change" if track else "add", CareerTrack)
    before = None
    if track is not None:
        # The ladder is part of the track: a reorder alone must leave an audit entry.
        before = audit.snapshot(track)
        before["levels"] = list(track.steps.order_by("order").values_list("level__code", flat=True))
    track = track or CareerTrack()
    for name, value in fields.items():
        setattr(track, name, value)
    full_clean(track)
    track.save()
    if len({level.pk for level in levels}) != len(levels):
        raise ValidationFailed(_("A level appears twice on the track."), field="levels")
    existing = {step.level_id: step for step in track.steps.all()}
    keep = {level.pk for level in levels}
    track.steps.exclude(level_id__in=keep).delete()
    # Two passes so the unique (track, order) never clashes while orders move.
    for step in existing.values():
        if step.level_id in keep:
            step.order = 1000 + step.order
            step.save(update_fields=["order"])
    for order, level in enumerate(levels, start=1):
        step = existing.get(level.pk) or CareerStep(track=track, level=level)
        step.order = order
        step.save()
    after = audit.snapshot(track)
    after["levels"] = [level.code for level in levels]
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=track,
        before=before,
        after=after,
        note=" → ".join(level.code for level in levels),
    )
    if record_version:
        track_version_record(actor=actor, track=track)
    return track


@transaction.atomic
def step_entries_set(
    *,
    actor: Any,
    step: CareerStep,
    entry_levels: Sequence[JobLevel],
    record_version: bool = True,
) -> None:
    """Levels of other tracks from which people may move to ``step`` (P3 → M1); with
    ``record_version`` the ladder is kept as the track's next version."""
    policy.require(actor, "change", CareerStep)
    if any(level.pk == step.level_id for level in entry_levels):
        raise ValidationFailed(_("A level cannot lead to itself."), field="entry_from")
    step.entry_from.set(entry_levels)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=step.track,
        after={"entry_from": {step.level.code: sorted(level.code for level in entry_levels)}},
    )
    if record_version:
        track_version_record(actor=actor, track=step.track)


@transaction.atomic
def track_version_record(*, actor: Any, track: CareerTrack) -> CareerTrackVersion:
    """Keep the track's ladder as it now stands as its next version, unless it is exactly the
    latest version already (then return that one: saving without a change adds nothing).

    The summary of what changed against the previous version is written in Chinese and in
    English. Raise ``PolicyDenied`` for anyone who may not change tracks. Audited as "create"
    of the version.
    """
    policy.require(actor, "change", CareerTrack)
    # One version number per save, even when two editors save the same track at once.
    track = CareerTrack.objects.select_for_update().get(pk=track.pk)
    snapshot = selectors_growth.track_snapshot(track)
    latest = CareerTrackVersion.objects.filter(track=track).order_by("-number").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    changes = ladder_versions.compare_ladders(latest.snapshot if latest else None, snapshot)
    limit = CareerTrackVersion._meta.get_field("summary").max_length
    summaries = {}
    for field, language in (("summary", "zh-hans"), ("summary_en", "en")):
        with translation.override(language):
            summaries[field] = selectors_growth.ladder_change_summary(changes, limit=limit)
    version = CareerTrackVersion.objects.create(
        track=track,
        number=latest.number + 1 if latest else 1,
        saved_by=actor if getattr(actor, "is_authenticated", False) else None,
        snapshot=snapshot,
        **summaries,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=version, note=summaries["summary_en"])
    return version


def _copy_children(source: LevelStandard, target: LevelStandard) -> None:
    StandardCompetency.objects.bulk_create(
        StandardCompetency(standard=target, skill_id=row.skill_id, min_level=row.min_level)
        for row in source.competencies.all()
    )
    StandardCourse.objects.bulk_create(
        StandardCourse(standard=target, course_id=row.course_id) for row in source.courses.all()
    )
    StandardCertificate.objects.bulk_create(
        StandardCertificate(standard=target, course_id=row.course_id, name=row.name)
        for row in source.certificates.all()
    )


@transaction.atomic
def standard_start_draft(*, actor: Any, level: JobLevel) -> LevelStandard:
    """A new draft of ``level``'s standard, copied from the published one (or empty)."""
    policy.require(actor, "change", LevelStandard)
    draft = LevelStandard.objects.filter(level=level, status=StandardStatus.DRAFT).first()
    if draft is not None:
        return draft
    latest = LevelStandard.objects.filter(level=level).aggregate(v=Max("version"))["v"] or 0
    published = (
        LevelStandard.objects.filter(level=level, status=StandardStatus.PUBLISHED)
        .prefetch_related("competencies", "courses", "certificates")
        .first()
    )
    draft = LevelStandard(level=level, version=latest + 1, created_by=actor)
    if published is not None:
        for name in STANDARD_FIELDS:
            setattr(draft, name, getattr(published, name))
    full_clean(draft)
    draft.save()
    if published is not None:
        _copy_children(published, draft)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=draft)
    return draft


def _check_grades(standard: LevelStandard) -> None:
    names = selectors.grade_scale().names
    for name in ("appraisal_at_least", "appraisal_none_below"):
        value = getattr(standard, name)
        if value and value not in names:
            raise ValidationFailed(
                _("Unknown grade {grade}: use one of {grades}.").format(
                    grade=value, grades=", ".join(names)
                ),
                field=name,
            )
    if standard.appraisal_min_count > standard.appraisal_window:
        raise ValidationFailed(
            _("More good grades are required than cycles are considered."),
            field="appraisal_min_count",
        )
    if standard.appraisal_min_count and not standard.appraisal_at_least:
        raise ValidationFailed(_("Say which grade counts as good."), field="appraisal_at_least")
    # The eligibility engine refuses a minimum of 0 (every score is 0 or more), which would
    # break every page that evaluates the level: ask for the lowest passing score instead.
    if standard.min_assessment_score is not None and standard.min_assessment_score <= 0:
        raise ValidationFailed(
            _("The minimum defence score must be above 0; leave it empty if none is needed."),
            field="min_assessment_score",
        )


@transaction.atomic
def standard_update(
    *,
    actor: Any,
    standard: LevelStandard,
    competencies: Sequence[tuple[Any, int]] | None = None,
    courses: Sequence[Any] | None = None,
    certificates: Sequence[tuple[Any, str]] | None = None,
    **fields: Any,
) -> LevelStandard:
    """Edit a draft: its thresholds and, when given, its competencies (skill, minimum level),
    courses and certificates ((course or None, name))."""
    policy.require(actor, "change", standard)
    if standard.status != StandardStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be edited; start a new version."))
    unknown = set(fields) - set(STANDARD_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Field {name} cannot be changed here.").format(name=sorted(unknown)[0]),
            field=sorted(unknown)[0],
        )
    before = audit.snapshot(standard)
    for name, value in fields.items():
        setattr(standard, name, value)
    full_clean(standard)
    _check_grades(standard)
    standard.save()
    after = audit.snapshot(standard)
    if competencies is not None:
        skills = [skill for skill, _level in competencies]
        if len({getattr(skill, "pk", skill) for skill in skills}) != len(skills):
            raise ValidationFailed(_("A competency appears twice."), field="competencies")
        standard.competencies.all().delete()
        rows = [
            StandardCompetency(standard=standard, skill=skill, min_level=level)
            for skill, level in competencies
        ]
        for row in rows:
            full_clean(row, exclude=("standard",), validate_constraints=False)
        StandardCompetency.objects.bulk_create(rows)
        after["competencies"] = [f"{row.skill.code}>={row.min_level}" for row in rows]
    if courses is not None:
        standard.courses.all().delete()
        StandardCourse.objects.bulk_create(
            StandardCourse(standard=standard, course=course) for course in dict.fromkeys(courses)
        )
        after["courses"] = sorted(course.code for course in courses)
    if certificates is not None:
        standard.certificates.all().delete()
        rows = []
        for course, name in certificates:
            if course is None and not name.strip():
                raise ValidationFailed(
                    _("Name the certificate or choose its course."), field="certificates"
                )
            rows.append(StandardCertificate(standard=standard, course=course, name=name.strip()))
        StandardCertificate.objects.bulk_create(rows)
        after["certificates"] = [row.name or row.course.code for row in rows]
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=standard, before=before, after=after)
    return standard


@transaction.atomic
def standard_publish(*, actor: Any, standard: LevelStandard) -> LevelStandard:
    """Publish a draft; the previously published version retires (nominations keep theirs)."""
    policy.require(actor, "publish", standard)
    if standard.status != StandardStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be published."))
    _check_grades(standard)
    previous = LevelStandard.objects.filter(
        level_id=standard.level_id, status=StandardStatus.PUBLISHED
    ).first()
    if previous is not None:
        before = audit.snapshot(previous)
        previous.status = StandardStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=previous, before=before)
    before = audit.snapshot(standard)
    standard.status = StandardStatus.PUBLISHED
    standard.published_at = timezone.now()
    standard.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=standard, before=before)
    return standard


# Development plans ---------------------------------------------------------------------------


def _courses_for_skills(skill_gaps: dict[int, int]) -> dict[int, Any]:
    """For each skill, an active course teaching it to at least the required level."""
    from opsteam.training.models import CourseSkill

    found: dict[int, Any] = {}
    rows = (
        CourseSkill.objects.filter(skill_id__in=skill_gaps, course__status="active")
        .select_related("course")
        .order_by("skill_id", "-target_level", "course__code")
    )
    for row in rows:
        if row.skill_id not in found and row.target_level >= skill_gaps[row.skill_id]:
            found[row.skill_id] = row.course
    return found


def gap_actions(
    result: engine.Eligibility, *, due: dt.date | None, staff: Staff | None = None
) -> list[DevelopmentAction]:
    """Unsaved actions that close the gaps ``result`` shows.

    A competency gap gets a course where an active one teaches the skill to the level, always
    a mentoring action (带教) naming the colleague ``selectors_growth.suggest_mentors`` finds
    (or saying that nobody near the person holds the skill at that level, without a mentor)
    and, where a position of the person's unit or department requires the skill at that level,
    a rotation (轮岗) to it for ``ROTATION_MONTHS`` months. Every other missed standard gets one
    action: the course, the certificate, a stretch assignment for appraisal results, the
    defence preparation. ``staff`` is the person of ``result`` (loaded when not given).
    """
    from opsteam.org.models import Skill
    from opsteam.training.models import Course

    missed = result.missing()
    skill_gaps = {check.key: check.required for check in missed if check.kind == engine.COMPETENCY}
    skill_courses = _courses_for_skills(skill_gaps)
    skills = Skill.objects.in_bulk(list(skill_gaps))
    mentors: dict[int, selectors_growth.MentorSuggestion] = {}
    rotations: dict[int, selectors_growth.RotationSuggestion] = {}
    if skill_gaps:
        if staff is None or staff.pk != result.staff_id:
            staff = Staff.objects.select_related("unit").get(pk=result.staff_id)
        mentors = selectors_growth.suggest_mentors(staff, skill_gaps)
        rotations = selectors_growth.suggest_rotations(staff, skill_gaps)
    course_ids = [check.key for check in missed if check.kind == engine.COURSE]
    course_ids += [
        check.key[1]
        for check in missed
        if check.kind == engine.CERTIFICATE
        and isinstance(check.key, tuple)
        and check.key[0] == "course"
    ]
    courses = Course.objects.in_bulk(course_ids)
    # Outside certificates are matched by their folded name; show the name as the standard
    # spells it.
    certificate_names = {}
    if any(check.kind == engine.CERTIFICATE and check.key[0] == "name" for check in missed):
        certificate_names = {
            row.key: row.name
            for row in StandardCertificate.objects.filter(
                standard__level_id=result.level_id,
                standard__status=StandardStatus.PUBLISHED,
                course__isnull=True,
            )
        }
    gap_length = DevelopmentAction._meta.get_field("gap").max_length
    actions: list[DevelopmentAction] = []
    for check in missed:
        gap = f"{check.kind}:{check.key}" if check.key is not None else check.kind
        gap = gap[:gap_length]  # a long certificate name must not break the insert
        if check.kind == engine.COMPETENCY:
            skill = skills.get(check.key)
            course = skill_courses.get(check.key)
            name = skill.display_name if skill else str(check.key)
            if course is not None:
                actions.append(
                    DevelopmentAction(
                        kind=ActionKind.COURSE,
                        course=course,
                        skill=skill,
                        title=_("Take {course} to reach {skill} level {level}").format(
                            course=course.display_name, skill=name, level=check.required
                        ),
                        due_date=due,
                        gap=gap,
                    )
                )
            suggestion = mentors.get(check.key)
            if suggestion is not None:
                title = _("Mentoring by {mentor} ({unit}) to reach {skill} level {level}").format(
                    mentor=suggestion.mentor.display_name,
                    unit=suggestion.mentor.unit.display_name,
                    skill=name,
                    level=check.required,
                )
            else:
                title = _(
                    "Mentoring to reach {skill} level {level}: nobody in the unit or above holds"
                    " it at that level yet, the manager names a mentor"
                ).format(skill=name, level=check.required)
            actions.append(
                DevelopmentAction(
                    kind=ActionKind.MENTORING,
                    skill=skill,
                    mentor=suggestion.mentor if suggestion is not None else None,
                    title=title,
                    due_date=due,
                    gap=gap,
                )
            )
            rotation = rotations.get(check.key)
            if rotation is not None:
                actions.append(
                    DevelopmentAction(
                        kind=ActionKind.ROTATION,
                        skill=skill,
                        title=_(
                            "Rotate to {position} ({unit}) for {months} months: its job"
                            " description asks for {skill} at level {level}"
                        ).format(
                            position=rotation.position.display_name,
                            unit=rotation.unit.display_name,
                            months=rotation.months,
                            skill=name,
                            level=rotation.level,
                        ),
                        due_date=due,
                        gap=gap,
                    )
                )
        elif check.kind == engine.COURSE and check.key in courses:
            actions.append(
                DevelopmentAction(
                    kind=ActionKind.COURSE,
                    course=courses[check.key],
                    title=_("Complete {course}").format(course=courses[check.key].display_name),
                    due_date=due,
                    gap=gap,
                )
            )
        elif check.kind == engine.CERTIFICATE:
            course = courses.get(check.key[1]) if check.key[0] == "course" else None
            label = (
                course.display_name if course else certificate_names.get(check.key, check.key[1])
            )
            actions.append(
                DevelopmentAction(
                    kind=ActionKind.CERTIFICATE,
                    course=course,
                    title=_("Obtain the certificate {name}").format(name=label),
                    due_date=due,
                    gap=gap,
                )
            )
        elif check.kind in (engine.APPRAISAL_COUNT, engine.APPRAISAL_FLOOR):
            actions.append(
                DevelopmentAction(
                    kind=ActionKind.STRETCH,
                    title=_(
                        "Stretch assignment agreed with the manager to raise appraisal results"
                    ),
                    due_date=due,
                    gap=gap,
                )
            )
        elif check.kind == engine.ASSESSMENT:
            actions.append(
                DevelopmentAction(
                    kind=ActionKind.OTHER,
                    title=_("Prepare the promotion defence (答辩) with a mentor"),
                    due_date=due,
                    gap=gap,
                )
            )
    title_length = DevelopmentAction._meta.get_field("title").max_length
    for action in actions:
        action.title = action.title[:title_length]
    return actions


@transaction.atomic
def development_plan_create(
    *,
    actor: Any,
    staff: Staff,
    title: str,
    target_level: JobLevel | None = None,
    goals: str = "",
    end_date: dt.date | None = None,
    generate: bool = True,
) -> DevelopmentPlan:
    """Start a development plan; with ``generate`` its actions come from the gap to the target
    level (courses for competency gaps, mentoring where no course teaches the skill, ...)."""
    policy.require_for_person(actor, "add", DevelopmentPlan, staff)
    owner = staff.manager
    plan = DevelopmentPlan(
        staff=staff,
        target_level=target_level,
        title=title,
        goals=goals,
        start_date=_today(),
        end_date=end_date,
        owner=owner,
    )
    full_clean(plan)
    plan.save()
    actions: list[DevelopmentAction] = []
    if generate and target_level is not None:
        result = selectors.eligibility_for([staff], target_levels=[target_level.pk])[0]
        actions = gap_actions(result, due=end_date)
        for order, action in enumerate(actions):
            action.plan = plan
            action.order = order
        DevelopmentAction.objects.bulk_create(actions)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        note=_("{count} actions from the gap").format(count=len(actions)) if actions else "",
    )
    return plan


ACTION_FIELDS = ("kind", "title", "course", "skill", "mentor", "due_date", "status", "progress")


@transaction.atomic
def development_action_save(
    *, actor: Any, plan: DevelopmentPlan, action: DevelopmentAction | None = None, **fields: Any
) -> DevelopmentAction:
    """Add or edit an action of a plan (the person, their manager, HR).

    A mentoring action entered or changed by hand names its mentor: adding one, turning an
    action into mentoring or clearing its mentor without naming one raises
    ``ValidationFailed`` (field ``mentor``); editing only the progress of a generated
    mentoring action that found nobody is allowed. A mentor newly named must be one of
    ``selectors_growth.mentor_choices`` for the actor, and never the plan's own person.
    Audited as "create" or "update".
    """
    policy.require(actor, "change", plan)
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Field {name} cannot be changed here.").format(name=sorted(unknown)[0]),
            field=sorted(unknown)[0],
        )
    if action is not None and action.plan_id != plan.pk:
        raise ValidationFailed(_("The action belongs to another plan."))
    before = audit.snapshot(action) if action else None
    previous = (action.kind, action.mentor_id) if action else None
    action = action or DevelopmentAction(
        plan=plan, order=plan.actions.count(), kind=fields.get("kind", ActionKind.OTHER)
    )
    mentor = fields.get("mentor")
    if mentor is not None and (previous is None or mentor.pk != previous[1]):
        if mentor.pk == plan.staff_id:
            raise ValidationFailed(_("Choose someone else as the mentor."), field="mentor")
        if not selectors_growth.mentor_choices(user=actor, plan=plan).filter(pk=mentor.pk).exists():
            raise ValidationFailed(_("Choose the mentor among the people offered."), field="mentor")
    for name, value in fields.items():
        setattr(action, name, value)
    if (
        action.kind == ActionKind.MENTORING
        and action.mentor_id is None
        and (previous is None or previous != (ActionKind.MENTORING, None))
    ):
        raise ValidationFailed(_("Name the mentor (带教) of a mentoring action."), field="mentor")
    if action.status == ActionStatus.DONE:
        action.progress = 100
    full_clean(action)
    action.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=action,
        before=before,
    )
    return action


@transaction.atomic
def development_checkin_add(
    *, actor: Any, plan: DevelopmentPlan, notes: str, progress: int | None = None
) -> DevelopmentCheckIn:
    """Record a check-in; progress defaults to the mean progress of the actions not dropped."""
    policy.require(actor, "change", plan)
    if plan.status != PlanStatus.ACTIVE:
        raise InvalidTransition(_("The plan is closed."))
    if progress is None:
        actions = list(plan.actions.exclude(status=ActionStatus.DROPPED))
        progress = round(sum(a.progress for a in actions) / len(actions)) if actions else 0
    checkin = DevelopmentCheckIn(
        plan=plan, author=actor, date=_today(), notes=notes, progress=progress
    )
    full_clean(checkin)
    checkin.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=checkin)
    return checkin


@transaction.atomic
def development_plan_close(
    *, actor: Any, plan: DevelopmentPlan, status: str = PlanStatus.COMPLETED
) -> DevelopmentPlan:
    policy.require(actor, "change", plan)
    if status not in (PlanStatus.COMPLETED, PlanStatus.CANCELLED):
        raise ValidationFailed(_("Close a plan as completed or cancelled."), field="status")
    before = audit.snapshot(plan)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, before=before)
    return plan


# Promotion rounds ----------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor: Any, committee: Sequence[Any] = (), **fields: Any) -> PromotionRound:
    policy.require(actor, "add", PromotionRound)
    promotion_round = PromotionRound(**fields)
    full_clean(promotion_round)
    if promotion_round.effective_date < promotion_round.nominations_close:
        raise ValidationFailed(
            _("Promotions cannot take effect before nominations close."), field="effective_date"
        )
    promotion_round.save()
    promotion_round.committee.set(committee)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=promotion_round)
    return promotion_round


ROUND_FLOW = {
    RoundStatus.DRAFT: RoundStatus.NOMINATING,
    RoundStatus.NOMINATING: RoundStatus.REVIEWING,
    RoundStatus.REVIEWING: RoundStatus.CLOSED,
}


@transaction.atomic
def round_advance(*, actor: Any, promotion_round: PromotionRound) -> PromotionRound:
    """Move a round on: open nominations, start committee review (one empty review per member
    per nomination), close (only once every nomination is decided or withdrawn)."""
    policy.require(actor, "change", promotion_round)
    following = ROUND_FLOW.get(promotion_round.status)
    if following is None:
        raise InvalidTransition(_("The round is closed."))
    nominations = promotion_round.nominations.exclude(status=NominationStatus.WITHDRAWN)
    if following == RoundStatus.REVIEWING:
        members = list(promotion_round.committee.all())
        if not members:
            raise InvalidTransition(_("Name the committee before the review starts."))
        # Nobody scores their own nomination, even when they sit on the committee.
        CommitteeReview.objects.bulk_create(
            [
                CommitteeReview(nomination=nomination, reviewer=member)
                for nomination in nominations.select_related("staff")
                for member in members
                if member.pk != nomination.staff.user_id
            ],
            ignore_conflicts=True,
        )
    if (
        following == RoundStatus.CLOSED
        and nominations.filter(status=NominationStatus.NOMINATED).exists()
    ):
        raise InvalidTransition(_("Decide every nomination before closing the round."))
    before = audit.snapshot(promotion_round)
    promotion_round.status = following
    promotion_round.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=promotion_round, before=before)
    return promotion_round


def eligibility_snapshot(result: engine.Eligibility) -> dict[str, Any]:
    """A JSON record of an eligibility result, kept on the nomination."""

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(item) for item in value]
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        return value

    return {
        "ready": result.ready,
        "met": result.met_count,
        "total": result.total,
        "checks": [
            {
                "kind": check.kind,
                "key": plain(check.key),
                "met": check.met,
                "required": plain(check.required),
                "actual": plain(check.actual),
                "gap": check.gap,
                "evidence": plain(check.evidence),
                "reason": check.reason,
                "params": plain(check.params),
            }
            for check in result.checks
        ],
    }


@transaction.atomic
def nominate(
    *,
    actor: Any,
    promotion_round: PromotionRound,
    staff: Staff,
    target_level: JobLevel,
    justification: str,
) -> Nomination:
    """Put ``staff`` forward for ``target_level``: themself (if the round allows), their manager
    or HR. The eligibility against the level's published standard is kept as it stands today."""
    policy.require_for_person(actor, "nominate", Nomination, staff)
    if promotion_round.status != RoundStatus.NOMINATING:
        raise InvalidTransition(_("The round is not open for nominations."))
    if _today() > promotion_round.nominations_close:
        raise InvalidTransition(_("Nominations for this round have closed."))
    is_self = staff.user_id is not None and staff.user_id == actor.pk
    if is_self and not promotion_round.allow_self_nomination:
        raise InvalidTransition(_("This round does not take self-nominations."))
    if staff.status == StaffStatus.LEFT:
        raise ValidationFailed(_("{name} has left the company.").format(name=staff.display_name))
    if staff.level_id == target_level.pk:
        raise ValidationFailed(_("The person is already at that level."), field="target_level")
    if (
        staff.level is not None
        and target_level.rank <= staff.level.rank
        and target_level.pk not in selectors.next_levels_map().get(staff.level_id, [])
    ):
        # A move across tracks at the same rank (P3 → M1) is a promotion only where the
        # ladder says so; anything else at or below the current rank is not one.
        raise ValidationFailed(
            _("{level} is not a promotion from {current}.").format(
                level=target_level.display_name, current=staff.level.display_name
            ),
            field="target_level",
        )
    if not justification.strip():
        raise ValidationFailed(_("Say why the person is ready."), field="justification")
    if (
        Nomination.objects.filter(round=promotion_round, staff=staff)
        .exclude(status=NominationStatus.WITHDRAWN)
        .exists()
    ):
        raise ValidationFailed(
            _("{name} is already nominated in this round.").format(name=staff.display_name)
        )
    standard = selectors.published_standards().get(target_level.pk)
    result = selectors.eligibility_for([staff], target_levels=[target_level.pk])[0]
    if is_self:
        kind = NominationKind.SELF
    elif policy.can(actor, "decide", Nomination):
        kind = NominationKind.HR
    else:
        kind = NominationKind.MANAGER
    nomination = Nomination.objects.create(
        round=promotion_round,
        staff=staff,
        unit_id=staff.unit_id,
        from_level_id=staff.level_id,
        target_level=target_level,
        standard=standard,
        kind=kind,
        nominated_by=actor,
        justification=justification.strip(),
        eligibility=eligibility_snapshot(result),
        ready_at_nomination=result.ready,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=nomination)
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor: Any, nomination: Nomination) -> Nomination:
    policy.require(actor, "withdraw", nomination)
    if nomination.status != NominationStatus.NOMINATED:
        raise InvalidTransition(_("Only an undecided nomination can be withdrawn."))
    before = audit.snapshot(nomination)
    nomination.status = NominationStatus.WITHDRAWN
    nomination.save(update_fields=["status", "updated_at"])
    nomination.reviews.filter(submitted_at__isnull=True).delete()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=nomination, before=before)
    return nomination


@transaction.atomic
def committee_review_submit(
    *,
    actor: Any,
    review: CommitteeReview,
    score: Decimal,
    recommendation: str,
    comment: str = "",
) -> CommitteeReview:
    """A committee member scores a nomination (0-100) and recommends; editable until decided."""
    policy.require(actor, "review", review)
    nomination = review.nomination
    if nomination.round.status != RoundStatus.REVIEWING:
        raise InvalidTransition(_("The round is not in committee review."))
    if nomination.status != NominationStatus.NOMINATED:
        raise InvalidTransition(_("The nomination has been decided."))
    if recommendation not in Recommendation.values:
        raise ValidationFailed(_("Choose a recommendation."), field="recommendation")
    before = audit.snapshot(review)
    review.score = score
    review.recommendation = recommendation
    review.comment = comment
    review.submitted_at = timezone.now()
    full_clean(review)
    review.save()
    mean = nomination.reviews.filter(submitted_at__isnull=False).aggregate(m=Avg("score"))["m"]
    nomination.defence_score = Decimal(mean).quantize(Decimal("0.1")) if mean is not None else None
    nomination.save(update_fields=["defence_score", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=review, before=before)
    return review


@transaction.atomic
def nomination_decide(
    *, actor: Any, nomination: Nomination, decision: str, note: str = ""
) -> Nomination:
    """Approve, defer or reject. Approving promotes the person on the round's effective date:
    new level in the assignment history, training plans for the new level, a ledger entry."""
    policy.require(actor, "decide", nomination)
    if nomination.status != NominationStatus.NOMINATED:
        raise InvalidTransition(_("The nomination has been decided."))
    if nomination.round.status != RoundStatus.REVIEWING:
        raise InvalidTransition(_("Decisions are taken during committee review."))
    statuses = {
        Recommendation.APPROVE: NominationStatus.APPROVED,
        Recommendation.DEFER: NominationStatus.DEFERRED,
        Recommendation.REJECT: NominationStatus.REJECTED,
    }
    if decision not in statuses:
        raise ValidationFailed(_("Choose approve, defer or reject."), field="decision")
    if decision != Recommendation.APPROVE and not note.strip():
        raise ValidationFailed(
            _("Say why, so the person knows what to work on."), field="decision_note"
        )
    before = audit.snapshot(nomination)
    nomination.status = statuses[decision]
    nomination.decision_note = note
    nomination.decided_by = actor
    nomination.decided_at = timezone.now()
    nomination.save(
        update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"]
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=nomination, before=before)
    if decision == Recommendation.APPROVE:
        _promote(actor=actor, nomination=nomination)
    return nomination


def _promote(*, actor: Any, nomination: Nomination) -> None:
    from opsteam.incentives.choices import RewardKind
    from opsteam.incentives.models import RewardEntry
    from opsteam.org import services as org_services
    from opsteam.training import services_catalogue as training

    staff = Staff.objects.select_for_update().get(pk=nomination.staff_id)
    effective = nomination.round.effective_date
    org_services.staff_reassign(
        actor=actor,
        staff=staff,
        effective_date=effective,
        reason=AssignmentReason.PROMOTION,
        note=str(nomination.round),
        level=nomination.target_level,
    )
    entry = RewardEntry.objects.create(
        staff=staff,
        kind=RewardKind.PROMOTION,
        title=_("Promoted to {level}").format(level=nomination.target_level.display_name),
        granted_on=effective,
        granted_by=actor,
        source=f"nomination:{nomination.pk}",
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=entry)
    if effective <= _today():
        # The level change is an event for the training rules: plans for the new level now,
        # for the promoted person only (others' pending events wait for the nightly run).
        # Later dates are picked up by the nightly run on their day.
        training.plan_rules_run(actor=None, since=effective, today=_today(), staff_ids=[staff.pk])
