import datetime as dt

import pytest
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org import selectors, services
from opsteam.org.models import Assignment, JobDescription, OrgUnit, Staff
from opsteam.org.tests.factories import (
    JobDescriptionFactory,
    JobDutyFactory,
    JobLevelFactory,
    PositionFactory,
    StaffFactory,
)


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def test_create_staff_opens_first_assignment_and_audits(hr, org_tree):
    position = PositionFactory()

    staff = services.staff_create(
        actor=hr,
        employee_no="E9",
        name="李雷",
        hire_date=dt.date(2024, 3, 1),
        unit=org_tree.t1,
        position=position,
    )

    assignment = Assignment.objects.get(staff=staff)
    assert (assignment.start_date, assignment.end_date, assignment.reason) == (
        dt.date(2024, 3, 1),
        None,
        "hire",
    )
    assert AuditEntry.objects.filter(
        object_type="org.staff", object_id=str(staff.pk), action="create"
    ).exists()


def test_reassign_keeps_history_answerable_by_date(hr, org_tree):
    staff = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2022, 1, 1))
    first_position = staff.position
    senior = JobLevelFactory(code="P3", rank=3)

    services.staff_reassign(
        actor=hr,
        staff=staff,
        effective_date=dt.date(2024, 7, 1),
        reason="promotion",
        position=PositionFactory(),
        level=senior,
        unit=org_tree.t2,
    )

    before = selectors.staff_assignment_on(staff=staff, on=dt.date(2024, 6, 30))
    after = selectors.staff_assignment_on(staff=staff, on=dt.date(2024, 7, 1))
    assert before.position == first_position
    assert before.end_date == dt.date(2024, 6, 30)
    assert after.unit == org_tree.t2
    assert after.level == senior
    assert after.end_date is None
    assert selectors.staff_assignment_on(staff=staff, on=dt.date(2021, 12, 31)) is None


def test_reassign_before_current_assignment_start_is_refused(hr, org_tree):
    staff = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2024, 1, 1))

    with pytest.raises(ValidationFailed) as error:
        services.staff_reassign(
            actor=hr,
            staff=staff,
            effective_date=dt.date(2023, 6, 1),
            reason="transfer",
            unit=org_tree.t2,
        )

    assert error.value.field == "effective_date"
    assert Staff.objects.get(pk=staff.pk).unit == org_tree.t1


def test_manager_cycle_is_refused(hr, org_tree):
    boss = StaffFactory(unit=org_tree.t1)
    report = StaffFactory(unit=org_tree.t1, manager=boss)

    with pytest.raises(ValidationFailed, match="reports"):
        services.staff_reassign(
            actor=hr,
            staff=boss,
            effective_date=timezone.localdate(),
            reason="manager_change",
            manager=report,
        )


def test_manager_cannot_edit_staff_and_outsiders_are_invisible(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.t1)
    in_team = StaffFactory(unit=org_tree.t1)
    elsewhere = StaffFactory(unit=org_tree.t3)

    with pytest.raises(PolicyDenied):
        services.staff_update(actor=manager, staff=in_team, phone="1")
    with pytest.raises(NotVisible):
        services.staff_update(actor=manager, staff=elsewhere, phone="1")
    assert not AuditEntry.objects.filter(object_type="org.staff").exists()


def test_moving_a_unit_repaths_its_subtree_for_manager_scope(hr, org_tree, user_as):
    manager = user_as("manager", unit=org_tree.d2)
    person = StaffFactory(unit=org_tree.t1)

    services.org_unit_update(actor=hr, unit=org_tree.t1, parent=org_tree.d2)

    assert OrgUnit.objects.get(pk=org_tree.t1.pk).path.startswith(org_tree.d2.path)
    assert person in Staff.objects.restrict(manager, "view")


def test_unit_cannot_move_under_its_own_child(hr, org_tree):
    with pytest.raises(ValidationFailed):
        services.org_unit_update(actor=hr, unit=org_tree.d1, parent=org_tree.t1)


def test_new_draft_copies_the_latest_version_and_publishing_supersedes(hr):
    published = JobDescriptionFactory(version=1, purpose="负责店铺")
    JobDutyFactory(job_description=published, title="上架")

    draft = services.job_description_start_draft(actor=hr, position=published.position)
    again = services.job_description_start_draft(actor=hr, position=published.position)
    services.job_description_update(actor=hr, job_description=draft, purpose="负责店铺与活动")
    services.job_description_publish(actor=hr, job_description=draft)

    published.refresh_from_db()
    assert again.pk == draft.pk
    assert (draft.version, draft.status, published.status) == (2, "published", "superseded")
    assert list(draft.duties.values_list("title", flat=True)) == ["上架"]
    diff = {d["section"]: d for d in selectors.job_description_diff(old=published, new=draft)}
    assert diff["purpose"]["changed"]
    assert ("insert", "与活动") in diff["purpose"]["ops"]
    assert not diff["duties"]["changed"]


def test_published_version_is_read_only(hr):
    published = JobDescriptionFactory()

    with pytest.raises(InvalidTransition):
        services.job_description_update(actor=hr, job_description=published, purpose="改")

    assert JobDescription.objects.get(pk=published.pk).purpose == published.purpose


def test_publishing_needs_a_purpose_and_a_duty(hr):
    draft = JobDescriptionFactory(status="draft", purpose="")

    with pytest.raises(InvalidTransition):
        services.job_description_publish(actor=hr, job_description=draft)


def test_leaving_closes_the_assignment_and_ends_the_login(user_as, hr, org_tree):
    operator = user_as("operator")
    staff = operator.staff

    services.staff_leave(actor=hr, staff=staff, leave_date=timezone.localdate())

    operator.refresh_from_db()
    assert not operator.is_active
    assert Assignment.objects.get(staff=staff).end_date == timezone.localdate()
