import datetime as dt

import pytest

from opsteam.collab.models import Notification
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.insights import services
from opsteam.insights.models import SystemReview
from opsteam.org.models import Staff
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory
from opsteam.workflow import services_actions
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.django_db


def test_quarter_bounds():
    assert services.quarter_of(dt.date(2026, 11, 27)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert services.quarter_of(dt.date(2026, 1, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert services.previous_quarter(dt.date(2026, 1, 2)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )


def test_hr_creates_a_review_with_a_quarter_title(user_as):
    hr = user_as("hr")

    review = services.system_review_create(
        actor=hr, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )

    assert review.title == "2026 Q3 system review"
    assert review.status == "draft"
    assert AuditEntry.objects.filter(object_type="insights.systemreview", action="create").exists()


def test_team_lead_cannot_create_but_director_can(user_as, director):
    lead = user_as("manager")
    with pytest.raises(PolicyDenied):
        services.system_review_create(
            actor=lead, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31)
        )

    review = services.system_review_create(
        actor=director, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31)
    )

    assert review.pk


@pytest.mark.parametrize(
    ("_case", "start", "end", "field"),
    [
        ("reversed", dt.date(2026, 3, 31), dt.date(2026, 1, 1), "period_end"),
        ("too long", dt.date(2024, 1, 1), dt.date(2026, 1, 1), "period_end"),
    ],
)
def test_bad_periods_are_refused(user_as, _case, start, end, field):
    with pytest.raises(ValidationFailed) as error:
        services.system_review_create(actor=user_as("hr"), period_start=start, period_end=end)
    assert error.value.field == field
    assert not SystemReview.objects.exists()


def test_one_review_per_period(user_as, quarter_review):
    with pytest.raises(ValidationFailed):
        services.system_review_create(
            actor=user_as("hr"),
            period_start=quarter_review.period_start,
            period_end=quarter_review.period_end,
        )


def test_quarterly_creation_is_idempotent_and_tells_hr(user_as, django_capture_on_commit_callbacks):
    hr = user_as("hr")

    with django_capture_on_commit_callbacks(execute=True):
        first = services.system_review_create_for_quarter(today=dt.date(2026, 10, 1))
    second = services.system_review_create_for_quarter(today=dt.date(2026, 10, 2))

    assert first is not None
    assert second is None
    assert (first.period_start, first.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert "2026" in first.title
    assert SystemReview.objects.count() == 1
    assert Notification.objects.filter(recipient=hr, kind="system-review").count() == 1


def _training(staff, due, status):
    EnrolmentFactory(staff=staff, course=CourseFactory(), due_on=due, status=status)


def test_closing_freezes_the_figures(user_as, quarter_review):
    hr = user_as("hr")
    staff = Staff.objects.get(user=hr)
    _training(staff, dt.date(2026, 8, 1), "completed")
    _training(staff, dt.date(2026, 8, 2), "assigned")
    with pytest.raises(ValidationFailed):
        services.system_review_close(actor=hr, review=quarter_review)
    services.system_review_update(actor=hr, review=quarter_review, conclusions="培训完成率偏低")

    closed = services.system_review_close(actor=hr, review=quarter_review)
    _training(staff, dt.date(2026, 8, 3), "completed")  # after closing: not in the report

    from opsteam.insights import selectors

    figures = selectors.report_for(SystemReview.objects.get(pk=closed.pk))
    completion = {f["key"]: f["value"] for f in figures["sections"]["training"]["figures"]}
    assert closed.status == "closed"
    assert closed.closed_at is not None
    assert completion["completion"] == 50.0
    assert completion["assigned"] == 2
    with pytest.raises(InvalidTransition):
        services.system_review_update(actor=hr, review=closed, summary="改写")
    entry = AuditEntry.objects.filter(object_type="insights.systemreview").latest("at")
    assert "snapshot" not in (entry.after or {})


def test_action_raised_from_a_section_keeps_evidence_and_tells_the_owner(user_as, quarter_review):
    hr = user_as("hr")
    operator = user_as("operator")
    owner = Staff.objects.get(user=operator)
    _training(owner, dt.date(2026, 8, 1), "assigned")

    action = services.review_action_create(
        actor=hr,
        review=quarter_review,
        section="training",
        title="补齐新人培训",
        owner=owner,
        due_date=dt.date(2026, 12, 15),
    )

    assert action.process is None
    assert action.review == quarter_review
    assert action.section == "training"
    assert action.status == "plan"
    assert action.evidence["section"] == "training"
    assert any("0.0%" in line or "0%" in line for line in action.evidence["lines"])
    assert Notification.objects.filter(recipient=operator, kind="system-review").exists()


def test_review_actions_move_through_pdca_with_workflow_services(user_as, quarter_review):
    hr = user_as("hr")
    operator = user_as("operator")
    owner = Staff.objects.get(user=operator)
    action = services.review_action_create(
        actor=hr, review=quarter_review, section="training", title="复盘培训", owner=owner
    )

    # the owner reports on it, but may not rewrite it
    services_actions.improvement_action_update(actor=operator, action=action, status="do")
    with pytest.raises(PolicyDenied):
        services_actions.improvement_action_update(actor=operator, action=action, title="改")
    services_actions.improvement_action_update(
        actor=hr,
        action=action,
        status="done",
        effective_date=dt.date(2026, 10, 10),
        result_note="完成率回到 90%",
    )

    assert ImprovementAction.objects.get(pk=action.pk).status == "done"


def test_no_action_on_a_closed_review_or_unknown_section(user_as, quarter_review):
    hr = user_as("hr")
    with pytest.raises(ValidationFailed):
        services.review_action_create(actor=hr, review=quarter_review, section="x", title="t")
    services.system_review_update(actor=hr, review=quarter_review, conclusions="好")
    services.system_review_close(actor=hr, review=quarter_review)
    with pytest.raises(ValidationFailed):
        services.review_action_create(
            actor=hr, review=quarter_review, section="training", title="t"
        )
    assert not ImprovementAction.objects.exists()


def test_team_lead_cannot_raise_actions(user_as, quarter_review):
    with pytest.raises(PolicyDenied):
        services.review_action_create(
            actor=user_as("manager"), review=quarter_review, section="training", title="t"
        )
