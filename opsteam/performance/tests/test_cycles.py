"""Review cycles end to end through the services: launch, stages, scoring, calibration, appeals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.models import Assignment
from opsteam.performance import cycles, selectors, services, services_cycles
from opsteam.performance.choices import (
    CycleStage,
    GradeSource,
    MeasurementSource,
    ReviewStatus,
)
from opsteam.performance.models import (
    GradeChange,
    Measurement,
    Review,
)

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def measure(staff, kpi, day, value, denominator=None):
    return Measurement.objects.create(
        staff=staff,
        kpi=kpi,
        date=day,
        value=Decimal(str(value)),
        denominator=None if denominator is None else Decimal(str(denominator)),
        source=MeasurementSource.IMPORT,
    )


def make_cycle(hr, org_tree, **fields):
    values = {
        "name": "2026 Q1",
        "period_start": Q1[0],
        "period_end": Q1[1],
        "formula": "0.7 * kpi + 0.3 * manager",
    } | fields
    return services_cycles.cycle_create(actor=hr, units=[org_tree.t1], **values)


def advance_to(hr, cycle, stage):
    cycle.refresh_from_db()
    while cycle.stage != stage:
        target = cycles.next_stage(cycle.stage, uses_feedback=services_cycles.uses_feedback(cycle))
        cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=target)
    return cycle


def test_a_formula_that_is_not_arithmetic_on_the_scores_is_refused_on_save(user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    with pytest.raises(ValidationFailed) as caught:
        make_cycle(hr, org_tree, formula="__import__('os').system('true')")
    assert caught.value.field == "formula"
    with pytest.raises(ValidationFailed) as caught:
        make_cycle(hr, org_tree, guideline=[50, 50])
    assert caught.value.field == "guideline"


def test_only_hr_and_admins_create_cycles(user_as, org_tree):
    with pytest.raises(PolicyDenied):
        make_cycle(user_as("manager"), org_tree)


def test_launch_creates_one_review_per_person_of_the_population_in_one_go(
    team, user_as, org_tree, django_assert_max_num_queries
):
    hr = user_as("hr", unit=org_tree.t3)
    cycle = make_cycle(hr, org_tree)
    with django_assert_max_num_queries(20):  # constant: no query per person
        count = services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    reviewed = set(Review.objects.filter(cycle=cycle).values_list("staff_id", flat=True))
    expected = {team["manager"].staff.pk} | {u.staff.pk for u in team["operators"]}
    assert count == 4
    assert reviewed == expected
    assert cycle.stage == CycleStage.GOAL_SETTING
    review = Review.objects.get(cycle=cycle, staff=team["operators"][0].staff)
    assert review.template == team["template"]
    assert review.reviewer == team["manager"].staff
    assert set(cycle.kpi_snapshot) == {str(team["gmv"].pk), str(team["rate"].pk)}
    assert AuditEntry.objects.filter(
        object_type="performance.reviewcycle", object_id=str(cycle.pk), note__contains="4"
    ).exists()
    with pytest.raises(InvalidTransition):
        services_cycles.cycle_launch(actor=hr, cycle=cycle)


def test_people_who_moved_inside_the_period_are_reviewed_where_they_ended_it(
    team, user_as, org_tree
):
    hr = user_as("hr", unit=org_tree.t3)
    mover = team["operators"][0].staff
    Assignment.objects.filter(staff=mover).update(end_date=dt.date(2026, 2, 14))
    Assignment.objects.create(
        staff=mover,
        start_date=dt.date(2026, 2, 15),
        unit=org_tree.t2,
        position=team["position"],
        reason="transfer",
    )
    cycle = make_cycle(hr, org_tree)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    assert Review.objects.get(cycle=cycle, staff=mover).unit == org_tree.t2


def test_stages_follow_the_state_machine(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    cycle = make_cycle(hr, org_tree)
    with pytest.raises(InvalidTransition):
        services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.SELF_REVIEW)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    with pytest.raises(InvalidTransition, match="skipped"):
        services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.MANAGER_REVIEW)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.SELF_REVIEW)
    # The formula uses no 360 results: the feedback stage is skipped.
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.MANAGER_REVIEW)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.SELF_REVIEW)
    assert cycle.stage == CycleStage.SELF_REVIEW


@given(st.sampled_from(cycles.STAGES), st.sampled_from(cycles.STAGES), st.booleans())
def test_no_transition_skips_a_stage_or_reopens_published_results(current, target, feedback):
    try:
        cycles.check_transition(current, target, uses_feedback=feedback)
    except cycles.TransitionError:
        return
    here, there = cycles.STAGES.index(current), cycles.STAGES.index(target)
    assert abs(there - here) <= (1 if feedback else 2)
    assert there > here or here < cycles.PUBLISHED_INDEX


def scored_cycle(team, hr, org_tree):
    op1, op2, op3 = (u.staff for u in team["operators"])
    gmv, rate = team["gmv"], team["rate"]
    for day, value in (
        (dt.date(2026, 1, 5), 40),
        (dt.date(2026, 2, 5), 60),
        (dt.date(2026, 4, 1), 999),
    ):
        measure(op1, gmv, day, value)  # the April value is outside the period
    measure(op1, rate, dt.date(2026, 1, 5), 45, 50)  # 0.9: on target
    measure(op2, gmv, dt.date(2026, 1, 5), 50)  # rate unmeasured: its weight is spread
    cycle = make_cycle(hr, org_tree)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle = advance_to(hr, cycle, CycleStage.MANAGER_REVIEW)
    for user, rating in ((team["operators"][0], 4), (team["operators"][1], 3)):
        review = Review.objects.get(cycle=cycle, staff=user.staff)
        services_cycles.review_manager_submit(
            actor=team["manager"], review=review, rating=rating, comment="好"
        )
    return cycle, op1, op2, op3


def test_entering_calibration_scores_everyone_with_an_explainable_scorecard(
    team, user_as, org_tree
):
    hr = user_as("hr", unit=org_tree.t3)
    cycle, op1, op2, op3 = scored_cycle(team, hr, org_tree)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    first = Review.objects.get(cycle=cycle, staff=op1)
    # GMV 100 of 100 -> 100; rate 45/50 = 0.9 on target -> 100; KPI score 100.
    assert first.kpi_score == Decimal("100.00")
    assert first.final_score == Decimal("94.00")  # 0.7 * 100 + 0.3 * (4 x 20)
    assert first.grade == "A"
    assert first.grade_source == GradeSource.REVIEW
    assert first.coefficient == Decimal("1.20")
    lines = {line["code"]: line for line in first.scorecard["lines"]}
    assert lines["GMV"]["actual"] == 100
    assert lines["GMV"]["measurements"] == 2
    assert lines["RATE"]["actual"] == 0.9
    assert lines["RATE"]["weight"] == 40
    second = Review.objects.get(cycle=cycle, staff=op2)
    rate_line = next(line for line in second.scorecard["lines"] if line["code"] == "RATE")
    assert rate_line["actual"] is None
    assert rate_line["effective_weight"] == 0
    assert second.kpi_score == Decimal("50.00")  # GMV alone carries the weight: 50 of 100
    # No manager rating: no final score, and no grade is invented.
    third = Review.objects.get(cycle=cycle, staff=op3)
    assert third.final_score is None
    assert third.grade == ""
    with pytest.raises(InvalidTransition, match="no grade"):
        services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.PUBLISHED)


def test_a_failed_veto_item_caps_the_grade(team, user_as, org_tree):
    team["rate"].is_veto = True
    team["rate"].save()
    hr = user_as("hr", unit=org_tree.t3)
    cycle, op1, *_ = scored_cycle(team, hr, org_tree)
    Measurement.objects.filter(staff=op1, kpi=team["rate"]).update(value=30)  # 0.6 < 0.9
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    review = Review.objects.get(cycle=cycle, staff=op1)
    assert review.veto_applied
    assert review.grade == "C"
    with pytest.raises(ValidationFailed, match="veto"):
        services_cycles.grade_change(actor=hr, review=review, grade="A", justification="great")


def test_manager_adjustment_is_bounded_explained_and_audited(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    cycle = make_cycle(hr, org_tree)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle = advance_to(hr, cycle, CycleStage.MANAGER_REVIEW)
    review = Review.objects.get(cycle=cycle, staff=team["operators"][0].staff)
    manager = team["manager"]
    with pytest.raises(ValidationFailed) as caught:
        services_cycles.review_manager_submit(
            actor=manager, review=review, rating=4, comment="ok", adjustment=Decimal("6")
        )
    assert caught.value.field == "adjustment"
    with pytest.raises(ValidationFailed) as caught:
        services_cycles.review_manager_submit(
            actor=manager, review=review, rating=4, comment="ok", adjustment=Decimal("3")
        )
    assert caught.value.field == "adjustment_reason"
    services_cycles.review_manager_submit(
        actor=manager,
        review=review,
        rating=4,
        comment="ok",
        adjustment=Decimal("3"),
        adjustment_reason="带教新人",
    )
    entry = AuditEntry.objects.filter(
        object_type="performance.review", object_id=str(review.pk)
    ).last()
    assert entry.after["adjustment"] == "3.00" or str(entry.after["adjustment"]) == "3"
    assert entry.after["adjustment_reason"] == "带教新人"


def test_only_the_reviewee_writes_their_self_review_and_only_in_its_stage(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    cycle = make_cycle(hr, org_tree)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    mine = Review.objects.get(cycle=cycle, staff=team["operators"][0].staff)
    with pytest.raises(InvalidTransition):
        services_cycles.review_self_submit(
            actor=team["operators"][0], review=mine, rating=4, comment="x"
        )
    cycle = advance_to(hr, cycle, CycleStage.SELF_REVIEW)
    with pytest.raises(NotVisible):  # a peer cannot even see it
        services_cycles.review_self_submit(
            actor=team["operators"][1], review=mine, rating=5, comment="x"
        )
    with pytest.raises(PolicyDenied):  # the manager sees it but does not write it
        services_cycles.review_self_submit(
            actor=team["manager"], review=mine, rating=5, comment="x"
        )
    services_cycles.review_self_submit(
        actor=team["operators"][0], review=mine, rating=4, comment="达成目标"
    )
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.SELF_DONE
    assert mine.self_comment == "达成目标"


def test_calibration_publication_acknowledgement_and_appeal(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    cycle, op1, op2, op3 = scored_cycle(team, hr, org_tree)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    third = Review.objects.get(cycle=cycle, staff=op3)
    with pytest.raises(ValidationFailed) as caught:
        services_cycles.grade_change(actor=hr, review=third, grade="B", justification=" ")
    assert caught.value.field == "justification"
    with pytest.raises(PolicyDenied):
        services_cycles.grade_change(
            actor=team["manager"], review=third, grade="B", justification="x"
        )
    for staff in (op3, team["manager"].staff):
        review = Review.objects.get(cycle=cycle, staff=staff)
        services_cycles.grade_change(actor=hr, review=review, grade="B", justification="休假两个月")
    change = GradeChange.objects.get(review=third)
    assert (change.from_grade, change.to_grade, change.source) == ("", "B", GradeSource.CALIBRATION)
    first = Review.objects.get(cycle=cycle, staff=op1)
    operator = team["operators"][0]
    assert not selectors.result_visible(first, operator)  # not before publication
    assert selectors.result_visible(first, team["manager"])
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.PUBLISHED)
    first.refresh_from_db()
    assert selectors.result_visible(first, operator)
    assert first.status == ReviewStatus.PUBLISHED
    assert selectors.work_owed(operator)["acknowledgements"] == [first]
    services_cycles.review_acknowledge(actor=operator, review=first)
    second = Review.objects.get(cycle=cycle, staff=op2)
    appeal = services_cycles.appeal_file(
        actor=team["operators"][1], review=second, reason="评分漏算了三月数据"
    )
    with pytest.raises(ValidationFailed):
        services_cycles.appeal_resolve(actor=hr, appeal=appeal, upheld=True, outcome="ok")
    services_cycles.appeal_resolve(
        actor=hr, appeal=appeal, upheld=True, outcome="补录三月数据后重新评定", new_grade="B"
    )
    second.refresh_from_db()
    assert second.grade == "B"
    assert second.grade_source == GradeSource.APPEAL
    assert second.status == ReviewStatus.RESOLVED
    with pytest.raises(InvalidTransition):
        services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)


def test_after_the_data_deadline_the_period_refuses_new_values(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    cycle = make_cycle(hr, org_tree, data_deadline=dt.date(2026, 4, 5))
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    locks = selectors.period_locked([team["gmv"].pk], [dt.date(2026, 2, 1)])
    assert [lock.reason for lock in locks] == ["2026 Q1 (2026-04-05)"]
    with pytest.raises(ValidationFailed, match="closed"):
        services.measurement_enter(
            actor=hr,
            staff=team["operators"][0].staff,
            kpi=team["gmv"],
            date=dt.date(2026, 2, 1),
            value=Decimal("1"),
        )
    # Outside the period (or a KPI the cycle does not use) stays open.
    services.measurement_enter(
        actor=hr,
        staff=team["operators"][0].staff,
        kpi=team["gmv"],
        date=dt.date(2026, 4, 2),
        value=Decimal("1"),
    )
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="performance.measurement"
    ).exists()


def test_360_results_feed_the_competency_score_only_where_the_anonymity_rule_allows(
    team, user_as, org_tree
):
    from opsteam.org.tests.factories import StaffFactory
    from opsteam.surveys.choices import CampaignStatus, InvitationStatus
    from opsteam.surveys.models import Answer, Invitation
    from opsteam.surveys.tests.factories import make_questionnaire

    hr = user_as("hr", unit=org_tree.t3)
    with pytest.raises(ValidationFailed) as caught:
        make_cycle(hr, org_tree, formula="0.6 * kpi + 0.4 * competency")
    assert caught.value.field == "questionnaire"
    cycle = make_cycle(
        hr,
        org_tree,
        formula="0.6 * kpi + 0.4 * competency",
        questionnaire=make_questionnaire(),
        feedback_deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    campaign = cycle.feedback_campaign
    assert campaign.subjects.count() == 4
    assert campaign.status == CampaignStatus.DRAFT
    cycle = advance_to(hr, cycle, CycleStage.FEEDBACK)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN

    def answer(invitation, rating):
        rows = [
            Answer(invitation=invitation, question=q, rating=rating)
            for q in campaign.questionnaire.questions.all()
            if q.is_rating
        ]
        Answer.objects.bulk_create(rows)
        invitation.status = InvitationStatus.SUBMITTED
        invitation.save()

    op1, op2 = team["operators"][0].staff, team["operators"][1].staff
    for staff, peers in ((op1, 3), (op2, 2)):
        subject = campaign.subjects.get(staff=staff)
        answer(subject.invitations.get(relationship="manager"), 4)
        answer(subject.invitations.get(relationship="self"), 5)  # never counts
        for _ in range(peers):
            rater = StaffFactory(unit=org_tree.t2)
            answer(
                Invitation.objects.create(
                    subject=subject, relationship="peer", rater=rater, status="open"
                ),
                2,
            )
    cycle = advance_to(hr, cycle, CycleStage.CALIBRATION)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    first = Review.objects.get(cycle=cycle, staff=op1)
    second = Review.objects.get(cycle=cycle, staff=op2)
    # op1: manager 4 and three peers at 2 (released): mean 2.5 on 1-5 -> 50 points.
    assert first.competency_score == Decimal("50.00")
    # op2: only two peers, withheld; the manager's 4 alone -> 80. The peers leave no trace.
    assert second.competency_score == Decimal("80.00")


def test_personal_data_export_keeps_unpublished_results_out(team, user_as, org_tree):
    import io
    import json
    import zipfile

    from opsteam.org.personal_data import personal_data_export

    hr = user_as("hr", unit=org_tree.t3)
    cycle, op1, *_ = scored_cycle(team, hr, org_tree)
    services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    operator = team["operators"][0]

    def exported_review():
        archive = zipfile.ZipFile(io.BytesIO(personal_data_export(actor=operator, staff=op1)))
        data = json.loads(archive.read("data.json"))["data"]
        return data["performance.review.staff"][0]

    hidden = exported_review()
    assert hidden["grade"] is None
    assert hidden["final_score"] is None
    assert hidden["manager_comment"] is None
    Review.objects.filter(cycle=cycle, grade="").update(grade="B", grade_source="calibration")
    services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.PUBLISHED)
    assert exported_review()["grade"] == "A"


def test_lowest_grades_get_a_drafted_support_plan_linked_to_the_review(team, user_as, org_tree):
    from opsteam.performance.models_coaching import ImprovementPlan

    hr = user_as("hr", unit=org_tree.t3)
    cycle, _op1, op2, _op3 = scored_cycle(team, hr, org_tree)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    for review in Review.objects.filter(cycle=cycle):
        grade = "D" if review.staff_id == op2.pk else "B"
        services_cycles.grade_change(actor=hr, review=review, grade=grade, justification="校准")
    with pytest.raises(InvalidTransition):
        services_cycles.plans_for_low_grades(actor=hr, cycle=cycle)
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.PUBLISHED)
    drafted, skipped = services_cycles.plans_for_low_grades(actor=hr, cycle=cycle)
    plan = ImprovementPlan.objects.get()
    assert (drafted, skipped) == (1, [])
    assert plan.staff == op2
    assert plan.review.cycle == cycle
    assert plan.check_ins.count() == 3
    assert services_cycles.plans_for_low_grades(actor=hr, cycle=cycle)[0] == 0  # one open plan


def test_competency_heatmap_hides_teams_with_fewer_than_three_released_people(team, org_tree):
    from opsteam.surveys.selectors import competency_heatmap
    from opsteam.surveys.tests.factories import CampaignFactory, SubjectFactory
    from opsteam.surveys.tests.test_results import give

    campaign = CampaignFactory()
    groups = {}
    for index, user in enumerate([*team["operators"], team["manager"]]):
        subject = SubjectFactory(campaign=campaign, staff=user.staff)
        give(subject, "manager", 4)
        groups[user.staff.pk] = "T1" if index < 3 else "small"
    heat = competency_heatmap(campaign, groups, min_people=3)
    assert heat["groups"] == ["T1"]
    assert heat["withheld"] == ["small"]
    assert heat["values"] == [[4.0, 4.0]]  # teamwork, ownership
