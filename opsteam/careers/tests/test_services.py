"""Careers services and selectors against real rows: ladders, standards, eligibility,
development plans and promotion rounds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opsteam.careers import eligibility as engine
from opsteam.careers import selectors, services
from opsteam.careers.choices import (
    ActionKind,
    ActionStatus,
    NominationKind,
    NominationStatus,
    RoundStatus,
    StandardStatus,
)
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    CommitteeReview,
    DevelopmentPlan,
    LevelStandard,
    Nomination,
)
from opsteam.careers.tests.factories import (
    CareerStepFactory,
    CareerTrackFactory,
    DevelopmentActionFactory,
    DevelopmentPlanFactory,
    LevelStandardFactory,
    PromotionRoundFactory,
    StandardCertificateFactory,
    StandardCompetencyFactory,
    StandardCourseFactory,
)
from opsteam.core.exceptions import (
    InvalidTransition,
    NotVisible,
    PolicyDenied,
    ValidationFailed,
)
from opsteam.core.models import AuditEntry
from opsteam.incentives.models import RewardEntry
from opsteam.org.choices import LevelTrack
from opsteam.org.models import Assignment, Staff, StaffSkill
from opsteam.org.tests.factories import JobLevelFactory, SkillFactory, StaffFactory
from opsteam.performance.choices import ReviewStatus
from opsteam.performance.models import Review, ReviewCycle
from opsteam.training.choices import EnrolmentStatus
from opsteam.training.models import AssignmentRule, Certificate, PlanAssignment
from opsteam.training.tests.factories import (
    CourseFactory,
    CourseSkillFactory,
    EnrolmentFactory,
    TrainingPlanFactory,
)

TODAY = timezone.localdate()


@pytest.fixture
def levels(db):
    """P1 < P2 < P3 on the professional track, M1 < M2 on the management track."""
    pro = LevelTrack.PROFESSIONAL
    mgt = LevelTrack.MANAGEMENT
    return {
        "P1": JobLevelFactory(code="P1", name="运营助理", name_en="Assistant", rank=1, track=pro),
        "P2": JobLevelFactory(code="P2", name="运营专员", name_en="Operator", rank=2, track=pro),
        "P3": JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3, track=pro),
        "M1": JobLevelFactory(code="M1", name="组长", name_en="Team lead", rank=3, track=mgt),
        "M2": JobLevelFactory(code="M2", name="主管", name_en="Supervisor", rank=4, track=mgt),
    }


@pytest.fixture
def ladder(levels):
    """The professional ladder P1 → P2 → P3, the management ladder M1 → M2, P3 → M1."""
    pro = CareerTrackFactory(code="PRO", kind=LevelTrack.PROFESSIONAL)
    mgt = CareerTrackFactory(code="MGT", kind=LevelTrack.MANAGEMENT)
    for order, code in enumerate(["P1", "P2", "P3"], start=1):
        CareerStepFactory(track=pro, level=levels[code], order=order)
    m1 = CareerStepFactory(track=mgt, level=levels["M1"], order=1)
    CareerStepFactory(track=mgt, level=levels["M2"], order=2)
    m1.entry_from.add(levels["P3"])
    return pro, mgt


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def staff_of(user):
    return Staff.objects.get(user=user)


def audit_entries(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def make_cycle(end: dt.date) -> ReviewCycle:
    return ReviewCycle.objects.create(
        name=f"{end.isoformat()} 考核",
        period_start=end - dt.timedelta(days=89),
        period_end=end,
    )


def give_review(staff, cycle, grade, status=ReviewStatus.PUBLISHED) -> Review:
    return Review.objects.create(
        cycle=cycle, staff=staff, unit=staff.unit, level=staff.level, status=status, grade=grade
    )


# Ladders and standards -----------------------------------------------------------------------


def test_track_lists_levels_in_the_order_given_and_can_be_reordered(hr, levels):
    track = services.track_save(
        actor=hr,
        levels=[levels["P1"], levels["P2"], levels["P3"]],
        code="PRO",
        name="专业通道",
        kind=LevelTrack.PROFESSIONAL,
    )

    def ladder_codes():
        return list(track.steps.order_by("order").values_list("level__code", flat=True))

    assert ladder_codes() == ["P1", "P2", "P3"]

    services.track_save(actor=hr, track=track, levels=[levels["P2"], levels["P1"], levels["P3"]])
    assert ladder_codes() == ["P2", "P1", "P3"]
    assert list(track.steps.order_by("order").values_list("order", flat=True)) == [1, 2, 3]

    services.track_save(actor=hr, track=track, levels=[levels["P3"], levels["P1"]])
    assert ladder_codes() == ["P3", "P1"]
    assert audit_entries(track).count() == 3


def test_level_twice_on_a_track_is_refused_and_nothing_is_saved(hr, levels):
    with pytest.raises(ValidationFailed) as caught:
        services.track_save(
            actor=hr,
            levels=[levels["P1"], levels["P2"], levels["P1"]],
            code="DUP",
            name="重复",
            kind=LevelTrack.PROFESSIONAL,
        )

    assert caught.value.field == "levels"
    assert not CareerTrack.objects.filter(code="DUP").exists()
    assert not CareerStep.objects.exists()


def test_operator_cannot_edit_a_track(user_as, levels):
    operator = user_as("operator")

    with pytest.raises(PolicyDenied):
        services.track_save(
            actor=operator, levels=[levels["P1"]], code="X", name="X", kind="professional"
        )


def test_new_draft_copies_the_published_standard(hr, levels):
    # given a published P3 standard with a competency, a course and two certificates
    published = LevelStandardFactory(
        level=levels["P3"], version=1, min_months_in_level=12, appraisal_window=4
    )
    competency = StandardCompetencyFactory(standard=published, min_level=4)
    course = StandardCourseFactory(standard=published)
    cert_course = CourseFactory()
    StandardCertificateFactory(standard=published, course=cert_course, name="")
    StandardCertificateFactory(standard=published, name="PMP")

    # when
    draft = services.standard_start_draft(actor=hr, level=levels["P3"])

    # then
    assert draft.pk != published.pk
    assert (draft.version, draft.status) == (2, StandardStatus.DRAFT)
    assert draft.min_months_in_level == 12
    assert list(draft.competencies.values_list("skill_id", "min_level")) == [
        (competency.skill_id, 4)
    ]
    assert list(draft.courses.values_list("course_id", flat=True)) == [course.course_id]
    assert sorted(draft.certificates.values_list("course_id", "name"), key=str) == sorted(
        [(cert_course.pk, ""), (None, "PMP")], key=str
    )
    # the published version is untouched and a second call returns the same draft
    assert published.competencies.count() == 1
    assert services.standard_start_draft(actor=hr, level=levels["P3"]) == draft
    assert LevelStandard.objects.filter(level=levels["P3"]).count() == 2


def test_published_standard_cannot_be_edited(hr, levels):
    published = LevelStandardFactory(level=levels["P3"], min_months_in_level=12)

    with pytest.raises(InvalidTransition):
        services.standard_update(actor=hr, standard=published, min_months_in_level=6)

    published.refresh_from_db()
    assert published.min_months_in_level == 12


@pytest.mark.parametrize(
    ("_case", "fields", "field"),
    [
        (
            "unknown good grade",
            {"appraisal_min_count": 1, "appraisal_at_least": "A+"},
            "appraisal_at_least",
        ),
        ("unknown floor", {"appraisal_none_below": "E"}, "appraisal_none_below"),
    ],
)
def test_draft_with_an_unknown_grade_is_refused(hr, levels, _case, fields, field):
    draft = services.standard_start_draft(actor=hr, level=levels["P3"])

    with pytest.raises(ValidationFailed) as caught:
        services.standard_update(actor=hr, standard=draft, **fields)

    assert caught.value.field == field
    draft.refresh_from_db()
    assert (draft.appraisal_at_least, draft.appraisal_none_below) == ("", "")


def test_publishing_retires_the_previous_version(hr, levels):
    old = LevelStandardFactory(level=levels["P3"], version=1, min_months_in_level=12)
    draft = services.standard_start_draft(actor=hr, level=levels["P3"])
    skill = SkillFactory()
    course = CourseFactory()
    services.standard_update(
        actor=hr,
        standard=draft,
        min_months_in_level=18,
        competencies=[(skill, 3)],
        courses=[course],
        certificates=[(None, " CDA ")],
    )

    services.standard_publish(actor=hr, standard=draft)

    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == StandardStatus.RETIRED
    assert draft.status == StandardStatus.PUBLISHED
    assert draft.published_at is not None
    assert LevelStandard.objects.filter(level=levels["P3"], status="published").get() == draft
    current = selectors.to_engine_standard(selectors.published_standards()[levels["P3"].pk])
    assert current.min_months_in_level == 18
    assert current.competencies == ((skill.pk, 3),)
    assert current.courses == (course.pk,)
    assert current.certificates == (("name", "cda"),)
    assert not old.competencies.exists()
    assert audit_entries(old).filter(after__status="retired").exists()
    assert audit_entries(draft).filter(after__status="published").exists()
    with pytest.raises(InvalidTransition):
        services.standard_publish(actor=hr, standard=draft)


# Eligibility from real rows ------------------------------------------------------------------


def test_time_in_level_counts_from_the_start_of_the_unbroken_run(org_tree, levels):
    # given P2 in 2019, back to P1 in 2020, P2 again from 2022, a transfer at P2 in 2023,
    # and a future change that has not happened yet
    person = StaffFactory(unit=org_tree.t1, level=levels["P2"], hire_date=dt.date(2019, 1, 1))
    history = [
        (dt.date(2020, 1, 1), "P1", "correction"),
        (dt.date(2022, 1, 1), "P2", "promotion"),
        (dt.date(2023, 6, 1), "P2", "transfer"),
        (TODAY + dt.timedelta(days=30), "P3", "promotion"),
    ]
    previous = Assignment.objects.get(staff=person)
    for start, code, reason in history:
        previous.end_date = start - dt.timedelta(days=1)
        previous.save(update_fields=["end_date"])
        previous = Assignment.objects.create(
            staff=person,
            start_date=start,
            unit=person.unit,
            position=person.position,
            level=levels[code],
            reason=reason,
        )

    record = selectors.person_records([person], today=TODAY)[person.pk]

    assert record.level_id == levels["P2"].pk
    assert record.level_since == dt.date(2022, 1, 1)


def test_eligibility_reads_skills_courses_certificates_and_published_grades(
    org_tree, levels, ladder
):
    # given a P3 standard with every kind of requirement
    standard = LevelStandardFactory(
        level=levels["P3"],
        min_months_in_level=12,
        appraisal_window=4,
        appraisal_min_count=2,
        appraisal_at_least="A",
    )
    skill_met = StandardCompetencyFactory(standard=standard, min_level=3).skill
    skill_missed = StandardCompetencyFactory(standard=standard, min_level=4).skill
    course_done = StandardCourseFactory(standard=standard).course
    course_open = StandardCourseFactory(standard=standard).course
    StandardCertificateFactory(standard=standard, name="PMP")
    cert_course = CourseFactory()
    StandardCertificateFactory(standard=standard, course=cert_course, name="")

    # and a P2 person since 2023 who meets some of it
    person = StaffFactory(unit=org_tree.t1, level=levels["P2"], hire_date=dt.date(2023, 1, 1))
    for skill, level in ((skill_met, 3), (skill_missed, 2)):
        StaffSkill.objects.create(
            staff=person, skill=skill, level=level, source="assessment", recorded_on=TODAY
        )
    EnrolmentFactory(
        staff=person,
        course=course_done,
        status=EnrolmentStatus.COMPLETED,
        completed_on=dt.date(2024, 5, 1),
    )
    EnrolmentFactory(staff=person, course=course_open, status=EnrolmentStatus.IN_PROGRESS)
    Certificate.objects.create(
        staff=person,
        source="external",
        name=" pmp ",
        issued_on=dt.date(2024, 1, 1),
        expires_on=TODAY + dt.timedelta(days=365),
    )
    Certificate.objects.create(
        staff=person,
        course=cert_course,
        source="course",
        name="Course certificate",
        issued_on=dt.date(2023, 1, 1),
        expires_on=TODAY - dt.timedelta(days=1),
    )
    good = make_cycle(TODAY - dt.timedelta(days=200))
    unpublished = make_cycle(TODAY - dt.timedelta(days=110))
    middling = make_cycle(TODAY - dt.timedelta(days=20))
    give_review(person, good, "A")
    give_review(person, unpublished, "S", status=ReviewStatus.MANAGER_DONE)
    give_review(person, middling, "B")

    # when
    [result] = selectors.eligibility_for([person], today=TODAY)

    # then the next level on the ladder is judged, and each missed standard is named
    assert result.level_id == levels["P3"].pk
    assert not result.ready
    checks = {(check.kind, check.key): check for check in result.checks}
    assert checks[(engine.TIME_IN_LEVEL, None)].met
    assert checks[(engine.COMPETENCY, skill_met.pk)].met
    assert checks[(engine.COURSE, course_done.pk)].met
    assert checks[(engine.COURSE, course_done.pk)].evidence == (dt.date(2024, 5, 1),)
    assert checks[(engine.CERTIFICATE, ("name", "pmp"))].met
    missed = {(check.kind, check.key): check for check in result.missing()}
    assert set(missed) == {
        (engine.COMPETENCY, skill_missed.pk),
        (engine.COURSE, course_open.pk),
        (engine.CERTIFICATE, ("course", cert_course.pk)),
        (engine.APPRAISAL_COUNT, None),
    }
    assert missed[(engine.COMPETENCY, skill_missed.pk)].actual == 2
    assert missed[(engine.CERTIFICATE, ("course", cert_course.pk))].reason == (
        engine.CERTIFICATE_EXPIRED
    )
    # the unpublished S does not count: one good grade, from the cycle that gave it
    appraisal = missed[(engine.APPRAISAL_COUNT, None)]
    assert appraisal.actual == 1
    assert appraisal.evidence == (good.pk,)


def test_next_levels_follow_the_track_and_entries_from_other_tracks(levels, ladder):
    follows = selectors.next_levels_map()

    assert follows[levels["P1"].pk] == [levels["P2"].pk]
    assert follows[levels["P2"].pk] == [levels["P3"].pk]
    assert follows[levels["P3"].pk] == [levels["M1"].pk]
    assert follows[levels["M1"].pk] == [levels["M2"].pk]
    assert levels["M2"].pk not in follows


def test_inactive_track_leads_nowhere(levels, ladder):
    _pro, mgt = ladder
    mgt.is_active = False
    mgt.save(update_fields=["is_active"])

    follows = selectors.next_levels_map()

    assert levels["P3"].pk not in follows
    assert levels["M1"].pk not in follows


def _people_with_records(count, *, unit, level, standard):
    skill = standard.competencies.get().skill
    course = standard.courses.get().course
    cycle = ReviewCycle.objects.get()
    people = []
    for _ in range(count):
        person = StaffFactory(unit=unit, level=level)
        StaffSkill.objects.create(
            staff=person, skill=skill, level=2, source="assessment", recorded_on=TODAY
        )
        EnrolmentFactory(
            staff=person, course=course, status=EnrolmentStatus.COMPLETED, completed_on=TODAY
        )
        Certificate.objects.create(
            staff=person, source="external", name="PMP", issued_on=dt.date(2024, 1, 1)
        )
        give_review(person, cycle, "A")
        people.append(person)
    return people


def test_eligibility_query_count_does_not_grow_with_people(
    org_tree, levels, ladder, django_assert_max_num_queries
):
    # given a standard with one of each requirement and people who have rows for each
    standard = LevelStandardFactory(
        level=levels["P3"], appraisal_min_count=1, appraisal_at_least="A"
    )
    StandardCompetencyFactory(standard=standard)
    StandardCourseFactory(standard=standard)
    StandardCertificateFactory(standard=standard, name="PMP")
    make_cycle(TODAY - dt.timedelta(days=30))
    few = _people_with_records(3, unit=org_tree.t1, level=levels["P2"], standard=standard)
    many = few + _people_with_records(27, unit=org_tree.t2, level=levels["P2"], standard=standard)

    with CaptureQueriesContext(connection) as small:
        assert len(selectors.eligibility_for(few, today=TODAY)) == 3

    # then thirty people take no more queries than three
    with django_assert_max_num_queries(len(small.captured_queries)):
        results = selectors.eligibility_for(many, today=TODAY)
    assert len(results) == 30


# Development plans ---------------------------------------------------------------------------


def test_generated_plan_has_an_action_for_each_gap(user_as, levels, ladder):
    # given a P3 standard: skill A ≥ 3 (a course teaches it to 3), skill B ≥ 4 (the only
    # course teaches it to 2), and a required course the person has not taken
    operator = user_as("operator", level=levels["P2"])
    standard = LevelStandardFactory(level=levels["P3"])
    skill_a = StandardCompetencyFactory(standard=standard, min_level=3).skill
    skill_b = StandardCompetencyFactory(standard=standard, min_level=4).skill
    required = StandardCourseFactory(standard=standard).course
    StandardCertificateFactory(standard=standard, name="CDA Level II")
    teaches_a = CourseSkillFactory(skill=skill_a, target_level=3).course
    CourseSkillFactory(skill=skill_b, target_level=2)
    due = TODAY + dt.timedelta(days=180)

    # when the person starts their own plan
    plan = services.development_plan_create(
        actor=operator,
        staff=staff_of(operator),
        title="冲刺 P3",
        target_level=levels["P3"],
        end_date=due,
    )

    # then a course where one teaches the skill far enough, mentoring for every competency
    # (nobody else in the unit holds either skill: no mentor named), one action per other gap
    actions = {(action.gap, action.kind): action for action in plan.actions.all()}
    assert set(actions) == {
        (f"competency:{skill_a.pk}", ActionKind.COURSE),
        (f"competency:{skill_a.pk}", ActionKind.MENTORING),
        (f"competency:{skill_b.pk}", ActionKind.MENTORING),
        (f"course:{required.pk}", ActionKind.COURSE),
        ("certificate:('name', 'cda level ii')", ActionKind.CERTIFICATE),
    }
    a = actions[(f"competency:{skill_a.pk}", ActionKind.COURSE)]
    assert (a.course, a.skill) == (teaches_a, skill_a)
    b = actions[(f"competency:{skill_b.pk}", ActionKind.MENTORING)]
    assert (b.course, b.skill, b.mentor) == (None, skill_b, None)
    c = actions[(f"course:{required.pk}", ActionKind.COURSE)]
    assert c.course == required
    certificate = actions[("certificate:('name', 'cda level ii')", ActionKind.CERTIFICATE)]
    assert certificate.kind == ActionKind.CERTIFICATE
    assert certificate.title == "Obtain the certificate CDA Level II"
    assert {action.due_date for action in actions.values()} == {due}
    assert audit_entries(plan).get().action == "create"


def test_manager_starts_plans_for_their_team_not_a_sibling_team(user_as, org_tree, levels):
    manager = user_as("manager", unit=org_tree.t1)
    own = StaffFactory(unit=org_tree.t1, level=levels["P2"])
    sibling = StaffFactory(unit=org_tree.t2, level=levels["P2"])

    plan = services.development_plan_create(
        actor=manager, staff=own, title="成长计划", generate=False
    )
    assert plan.staff == own

    with pytest.raises(NotVisible):
        services.development_plan_create(
            actor=manager, staff=sibling, title="成长计划", generate=False
        )
    assert not DevelopmentPlan.objects.filter(staff=sibling).exists()


def test_operator_cannot_start_a_plan_for_a_colleague(user_as, org_tree, levels):
    operator = user_as("operator", unit=org_tree.t1)
    colleague = StaffFactory(unit=org_tree.t1, level=levels["P2"])

    with pytest.raises(NotVisible):
        services.development_plan_create(
            actor=operator, staff=colleague, title="计划", generate=False
        )
    assert not DevelopmentPlan.objects.exists()


def test_check_in_progress_defaults_to_the_mean_of_the_actions(user_as):
    operator = user_as("operator")
    plan = DevelopmentPlanFactory(staff=staff_of(operator))
    for progress in (100, 50, 0):
        DevelopmentActionFactory(plan=plan, progress=progress)
    DevelopmentActionFactory(plan=plan, progress=0, status=ActionStatus.DROPPED)

    checkin = services.development_checkin_add(actor=operator, plan=plan, notes="第一次复盘")

    assert checkin.progress == 50
    assert checkin.author == operator
    explicit = services.development_checkin_add(actor=operator, plan=plan, notes="x", progress=70)
    assert explicit.progress == 70


# Promotion rounds ----------------------------------------------------------------------------


@pytest.fixture
def promotion(user_as, org_tree, levels, ladder):
    """HR, a two-member committee, a T1 manager, a T1 operator at P2, a published P3 standard."""
    hr = user_as("hr")
    members = [user_as("operator", unit=org_tree.t3), user_as("operator", unit=org_tree.t3)]
    manager = user_as("manager", unit=org_tree.t1)
    nominee_user = user_as("operator", unit=org_tree.t1, level=levels["P2"])
    standard = LevelStandardFactory(level=levels["P3"], min_months_in_level=6)

    class Promotion:
        pass

    p = Promotion()
    p.hr, p.members, p.manager, p.standard = hr, members, manager, standard
    p.nominee_user = nominee_user
    p.nominee = staff_of(nominee_user)
    p.round = services.round_create(
        actor=hr,
        committee=members,
        name="2026 年度晋升",
        name_en="2026 promotions",
        nominations_close=TODAY,
        effective_date=TODAY,
    )
    assert p.round.status == RoundStatus.DRAFT
    services.round_advance(actor=hr, promotion_round=p.round)
    assert p.round.status == RoundStatus.NOMINATING
    return p


def test_manager_nominates_their_team_member_with_an_eligibility_snapshot(promotion, levels):
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="连续两个季度超额完成 GMV",
    )

    nomination.refresh_from_db()
    assert nomination.kind == NominationKind.MANAGER
    assert nomination.from_level == levels["P2"]
    assert nomination.standard == promotion.standard
    assert nomination.unit == promotion.nominee.unit
    # hired 2023-01-01, six months required: met, and stored as plain JSON
    assert nomination.ready_at_nomination is True
    assert nomination.eligibility["ready"] is True
    [check] = nomination.eligibility["checks"]
    assert check["kind"] == engine.TIME_IN_LEVEL
    assert check["evidence"] == ["2023-01-01"]
    assert audit_entries(nomination).get().action == "create"


def test_self_nomination_only_where_the_round_allows_it(promotion, levels):
    promotion.round.allow_self_nomination = False
    promotion.round.save(update_fields=["allow_self_nomination"])

    with pytest.raises(InvalidTransition):
        services.nominate(
            actor=promotion.nominee_user,
            promotion_round=promotion.round,
            staff=promotion.nominee,
            target_level=levels["P3"],
            justification="我准备好了",
        )
    assert not Nomination.objects.exists()

    promotion.round.allow_self_nomination = True
    promotion.round.save(update_fields=["allow_self_nomination"])
    nomination = services.nominate(
        actor=promotion.nominee_user,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="我准备好了",
    )
    assert nomination.kind == NominationKind.SELF


def test_manager_cannot_nominate_someone_in_another_department(promotion, org_tree, levels):
    outsider = StaffFactory(unit=org_tree.t3, level=levels["P2"])

    with pytest.raises(NotVisible):
        services.nominate(
            actor=promotion.manager,
            promotion_round=promotion.round,
            staff=outsider,
            target_level=levels["P3"],
            justification="推荐",
        )

    assert not Nomination.objects.exists()
    assert not AuditEntry.objects.filter(object_type="careers.nomination").exists()


def test_person_is_nominated_once_per_round(promotion, levels):
    services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )

    with pytest.raises(ValidationFailed):
        services.nominate(
            actor=promotion.hr,
            promotion_round=promotion.round,
            staff=promotion.nominee,
            target_level=levels["M1"],
            justification="也可以走管理通道",
        )
    assert Nomination.objects.count() == 1


def test_closed_round_takes_no_nominations(promotion, levels):
    closed = PromotionRoundFactory(status=RoundStatus.CLOSED)

    with pytest.raises(InvalidTransition):
        services.nominate(
            actor=promotion.manager,
            promotion_round=closed,
            staff=promotion.nominee,
            target_level=levels["P3"],
            justification="推荐",
        )
    assert not Nomination.objects.exists()


def _nominate_two(promotion, org_tree, levels):
    second = StaffFactory(unit=org_tree.t1, level=levels["P2"])
    return [
        services.nominate(
            actor=promotion.manager,
            promotion_round=promotion.round,
            staff=person,
            target_level=levels["P3"],
            justification="推荐",
        )
        for person in (promotion.nominee, second)
    ]


def test_review_opens_one_empty_review_per_member_per_nomination(promotion, org_tree, levels):
    nominations = _nominate_two(promotion, org_tree, levels)

    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    assert promotion.round.status == RoundStatus.REVIEWING
    pairs = set(CommitteeReview.objects.values_list("nomination_id", "reviewer_id"))
    assert pairs == {(n.pk, m.pk) for n in nominations for m in promotion.members}
    assert not CommitteeReview.objects.filter(submitted_at__isnull=False).exists()


def test_committee_members_score_only_their_own_review(promotion, levels):
    # given a nomination under committee review
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)
    first, second = promotion.members
    review_1 = CommitteeReview.objects.get(nomination=nomination, reviewer=first)
    review_2 = CommitteeReview.objects.get(nomination=nomination, reviewer=second)

    # when another member, or HR, tries the first member's review: refused
    with pytest.raises(NotVisible):
        services.committee_review_submit(
            actor=second, review=review_1, score=Decimal("10"), recommendation="reject"
        )
    with pytest.raises(PolicyDenied):
        services.committee_review_submit(
            actor=promotion.hr, review=review_1, score=Decimal("10"), recommendation="reject"
        )
    review_1.refresh_from_db()
    assert review_1.submitted_at is None

    # when each member scores their own
    services.committee_review_submit(
        actor=first, review=review_1, score=Decimal("80"), recommendation="approve"
    )
    nomination.refresh_from_db()
    assert nomination.defence_score == Decimal("80.0")
    services.committee_review_submit(
        actor=second, review=review_2, score=Decimal("91"), recommendation="approve"
    )

    # then the defence score is their mean
    nomination.refresh_from_db()
    assert nomination.defence_score == Decimal("85.5")


def test_committee_scores_are_hidden_from_the_nominee_and_their_manager(promotion, levels):
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)
    first, _second = promotion.members

    assert not CommitteeReview.objects.restrict(promotion.nominee_user).exists()
    assert not CommitteeReview.objects.restrict(promotion.manager).exists()
    assert CommitteeReview.objects.restrict(promotion.hr).count() == 2
    assert list(CommitteeReview.objects.restrict(first)) == [
        CommitteeReview.objects.get(nomination=nomination, reviewer=first)
    ]


def test_approval_promotes_on_the_effective_date_with_plans_and_a_ledger_entry(promotion, levels):
    # given a training plan the rules give to everyone reaching P3
    plan = TrainingPlanFactory()
    AssignmentRule.objects.create(
        plan=plan, trigger="level_change", level=levels["P3"], due_days=30
    )
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    # when HR approves
    services.nomination_decide(actor=promotion.hr, nomination=nomination, decision="approve")

    # then
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED
    assert nomination.decided_by == promotion.hr
    person = Staff.objects.get(pk=promotion.nominee.pk)
    assert person.level == levels["P3"]
    current = Assignment.objects.get(staff=person, end_date__isnull=True)
    assert (current.level, current.reason, current.start_date) == (
        levels["P3"],
        "promotion",
        promotion.round.effective_date,
    )
    entry = RewardEntry.objects.get(staff=person)
    assert (entry.kind, entry.granted_on) == ("promotion", promotion.round.effective_date)
    assert PlanAssignment.objects.filter(staff=person, plan=plan).exists()
    # and the person's eligibility is now judged from P3 onwards
    [result] = selectors.eligibility_for([person], today=TODAY)
    assert result.level_id == levels["M1"].pk


def test_rejection_needs_a_note_and_the_round_closes_only_when_all_are_decided(promotion, levels):
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    with pytest.raises(ValidationFailed):
        services.nomination_decide(
            actor=promotion.hr, nomination=nomination, decision="reject", note="  "
        )
    with pytest.raises(InvalidTransition):
        services.round_advance(actor=promotion.hr, promotion_round=promotion.round)
    promotion.round.refresh_from_db()
    assert promotion.round.status == RoundStatus.REVIEWING

    services.nomination_decide(
        actor=promotion.hr, nomination=nomination, decision="reject", note="数据分析能力待提升"
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    promotion.round.refresh_from_db()
    assert promotion.round.status == RoundStatus.CLOSED
    assert Staff.objects.get(pk=promotion.nominee.pk).level == levels["P2"]
    assert not RewardEntry.objects.exists()


def test_manager_cannot_decide_a_nomination(promotion, levels):
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    with pytest.raises(PolicyDenied):
        services.nomination_decide(
            actor=promotion.manager, nomination=nomination, decision="approve"
        )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.NOMINATED


def test_promotion_taking_effect_later_does_not_count_old_time_at_the_new_level(
    user_as, org_tree, levels, ladder
):
    # given a round whose promotions take effect in a month, and M1 needing six months at P3
    hr = user_as("hr")
    member = user_as("operator", unit=org_tree.t3)
    person = StaffFactory(unit=org_tree.t1, level=levels["P2"], hire_date=dt.date(2023, 1, 1))
    LevelStandardFactory(level=levels["M1"], min_months_in_level=6)
    plan = TrainingPlanFactory()
    AssignmentRule.objects.create(
        plan=plan, trigger="level_change", level=levels["P3"], due_days=30
    )
    effective = TODAY + dt.timedelta(days=30)
    promotion_round = services.round_create(
        actor=hr,
        committee=[member],
        name="下月生效",
        nominations_close=TODAY,
        effective_date=effective,
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)
    nomination = services.nominate(
        actor=hr,
        promotion_round=promotion_round,
        staff=person,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)

    # when
    services.nomination_decide(actor=hr, nomination=nomination, decision="approve")

    # then the new assignment starts later, no plan is given yet, and the years at P2 do not
    # count as time at P3
    person = Staff.objects.get(pk=person.pk)
    assert Assignment.objects.get(staff=person, end_date__isnull=True).start_date == effective
    assert not PlanAssignment.objects.filter(staff=person).exists()
    record = selectors.person_records([person], today=TODAY)[person.pk]
    assert record.level_since == TODAY
    [result] = selectors.eligibility_for([person], today=TODAY)
    assert result.level_id == levels["M1"].pk
    [time_check] = [c for c in result.checks if c.kind == engine.TIME_IN_LEVEL]
    assert not time_check.met


def test_nominations_after_the_closing_day_are_refused(promotion, levels):
    promotion.round.nominations_close = TODAY - dt.timedelta(days=1)
    promotion.round.save(update_fields=["nominations_close"])

    with pytest.raises(InvalidTransition):
        services.nominate(
            actor=promotion.manager,
            promotion_round=promotion.round,
            staff=promotion.nominee,
            target_level=levels["P3"],
            justification="推荐",
        )
    assert not Nomination.objects.exists()


def test_withdrawn_nomination_loses_its_open_reviews_and_lets_the_round_close(promotion, levels):
    nomination = services.nominate(
        actor=promotion.manager,
        promotion_round=promotion.round,
        staff=promotion.nominee,
        target_level=levels["P3"],
        justification="推荐",
    )
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)
    first, _second = promotion.members
    services.committee_review_submit(
        actor=first,
        review=CommitteeReview.objects.get(nomination=nomination, reviewer=first),
        score=Decimal("70"),
        recommendation="defer",
    )

    services.nomination_withdraw(actor=promotion.nominee_user, nomination=nomination)

    assert list(CommitteeReview.objects.values_list("reviewer_id", flat=True)) == [first.pk]
    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)
    assert promotion.round.status == RoundStatus.CLOSED


def test_generated_plan_copes_with_a_long_certificate_name(user_as, levels, ladder):
    operator = user_as("operator", level=levels["P2"])
    standard = LevelStandardFactory(level=levels["P3"])
    # as long as the field allows: neither the action's title nor its gap key may overflow
    long_name = (
        "国际电子商务运营数据分析师高级认证（跨境平台方向，含广告投放与供应链协同专项）" * 5
    )[:200]
    StandardCertificateFactory(standard=standard, name=long_name)

    plan = services.development_plan_create(
        actor=operator, staff=staff_of(operator), title="冲刺 P3", target_level=levels["P3"]
    )

    action = plan.actions.get()
    assert action.kind == ActionKind.CERTIFICATE
    assert action.title.startswith("Obtain the certificate 国际电子商务运营")


@pytest.mark.parametrize(
    ("_case", "current", "target", "allowed"),
    [
        ("next level on the track", "P2", "P3", True),
        ("skipping a level", "P1", "P3", True),
        ("across tracks where the ladder leads", "P3", "M1", True),
        ("a lower level", "P3", "P1", False),
        ("across tracks at the same rank without an entry", "P2", "P2X", False),
    ],
)
def test_only_a_higher_or_an_entry_level_can_be_proposed(
    promotion, org_tree, levels, _case, current, target, allowed
):
    levels["P2X"] = JobLevelFactory(code="P2X", name="专员（管理）", rank=2, track="management")
    person = StaffFactory(unit=org_tree.t1, level=levels[current])

    def propose():
        return services.nominate(
            actor=promotion.hr,
            promotion_round=promotion.round,
            staff=person,
            target_level=levels[target],
            justification="推荐",
        )

    if allowed:
        assert propose().target_level == levels[target]
    else:
        with pytest.raises(ValidationFailed) as caught:
            propose()
        assert caught.value.field == "target_level"
        assert not Nomination.objects.exists()


def test_committee_member_who_is_nominated_does_not_review_themself(promotion, levels):
    # given a committee member at P2 nominated in the same round
    first, second = promotion.members
    member_staff = staff_of(first)
    member_staff.level = levels["P2"]
    member_staff.save(update_fields=["level"])
    nomination = services.nominate(
        actor=promotion.hr,
        promotion_round=promotion.round,
        staff=member_staff,
        target_level=levels["P3"],
        justification="推荐",
    )

    services.round_advance(actor=promotion.hr, promotion_round=promotion.round)

    assert list(nomination.reviews.values_list("reviewer_id", flat=True)) == [second.pk]
