"""Process-map services: versions, publishing, steps, handoffs, layout, validation, audit."""

from __future__ import annotations

import pytest

from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import ActivityFactory, PositionFactory, ProcessFactory
from opsteam.workflow import services_maps
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.models import ProcessMap, Step, Transition
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(org_tree):
    return ProcessFactory(owner_unit=org_tree.t1)


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def _published_map(process):
    """v1 published: intake -> review -> ship, review sends back to intake."""
    process_map = ProcessMapFactory(process=process, version=1, status=MapStatus.PUBLISHED)
    intake = StepFactory(map=process_map, code="intake", order=0, x=10.0, y=20.0)
    review = StepFactory(map=process_map, code="review", order=1)
    ship = StepFactory(map=process_map, code="ship", order=2)
    TransitionFactory(map=process_map, source=intake, target=review, handoff_target_minutes=15)
    TransitionFactory(map=process_map, source=review, target=ship, label="approved")
    TransitionFactory(map=process_map, source=review, target=intake, label="sent back")
    return process_map


def test_new_version_copies_steps_transitions_and_layout(process, hr):
    published = _published_map(process)

    draft = services_maps.map_new_version(actor=hr, process=process, change_note="faster review")

    assert (draft.version, draft.status, draft.change_note) == (2, MapStatus.DRAFT, "faster review")
    codes = list(draft.steps.order_by("order").values_list("code", "x", "y"))
    assert codes == [("intake", 10.0, 20.0), ("review", None, None), ("ship", None, None)]
    copied = {
        (t.source.code, t.target.code, t.handoff_target_minutes, t.label)
        for t in Transition.objects.filter(map=draft).select_related("source", "target")
    }
    assert copied == {
        ("intake", "review", 15, ""),
        ("review", "ship", 30, "approved"),
        ("review", "intake", 30, "sent back"),
    }
    assert all(
        t.source.map_id == draft.pk and t.target.map_id == draft.pk
        for t in Transition.objects.filter(map=draft).select_related("source", "target")
    )
    assert published.steps.count() == 3
    assert AuditEntry.objects.filter(object_type="workflow.processmap", object_id=str(draft.pk))


def test_new_version_returns_the_open_draft(process, hr):
    _published_map(process)
    first = services_maps.map_new_version(actor=hr, process=process)

    again = services_maps.map_new_version(actor=hr, process=process)

    assert again.pk == first.pk
    assert ProcessMap.objects.filter(process=process).count() == 2


def test_first_version_of_a_process_is_empty(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)

    assert (draft.version, draft.steps.count()) == (1, 0)


def test_publish_archives_the_previous_version(process, hr):
    published = _published_map(process)
    draft = services_maps.map_new_version(actor=hr, process=process)

    services_maps.map_publish(actor=hr, process_map=draft)

    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == MapStatus.ARCHIVED
    assert draft.status == MapStatus.PUBLISHED
    assert draft.published_by == hr
    assert draft.published_at is not None
    assert ProcessMap.objects.filter(process=process, status=MapStatus.PUBLISHED).get() == draft


def test_publishing_a_map_without_steps_names_the_steps(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)

    with pytest.raises(ValidationFailed) as error:
        services_maps.map_publish(actor=hr, process_map=draft)

    assert error.value.field == "steps"
    draft.refresh_from_db()
    assert draft.status == MapStatus.DRAFT


def test_published_map_is_read_only(process, hr):
    published = _published_map(process)
    step = published.steps.first()

    with pytest.raises(InvalidTransition):
        services_maps.step_create(actor=hr, process_map=published, code="new", name="新环节")
    with pytest.raises(InvalidTransition):
        services_maps.step_update(actor=hr, step=step, name="改名")
    with pytest.raises(InvalidTransition):
        services_maps.map_publish(actor=hr, process_map=published)
    with pytest.raises(InvalidTransition):
        services_maps.map_discard(actor=hr, process_map=published)


def test_step_create_appends_after_the_last_step(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    activity = ActivityFactory(process=process)
    position = PositionFactory()

    first = services_maps.step_create(
        actor=hr,
        process_map=draft,
        code="intake",
        name=" 受理 ",
        activity=activity,
        position=position,
        target_minutes=30,
        sop="先核对订单",
    )
    second = services_maps.step_create(actor=hr, process_map=draft, code="review", name="审核")

    assert (first.order, second.order) == (0, 1)
    assert first.name == "受理"
    assert (first.activity, first.position, first.target_minutes) == (activity, position, 30)
    assert AuditEntry.objects.filter(object_type="workflow.step", action="create").count() == 2


def test_duplicate_step_code_names_the_code(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    services_maps.step_create(actor=hr, process_map=draft, code="intake", name="受理")

    with pytest.raises(ValidationFailed) as error:
        services_maps.step_create(actor=hr, process_map=draft, code="intake", name="再受理")

    assert error.value.field == "code"


def test_activity_of_another_process_names_the_activity(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)

    with pytest.raises(ValidationFailed) as error:
        services_maps.step_create(
            actor=hr, process_map=draft, code="x", name="x", activity=ActivityFactory()
        )

    assert error.value.field == "activity"
    assert not draft.steps.exists()


def test_invalid_code_names_the_code(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)

    with pytest.raises(ValidationFailed) as error:
        services_maps.step_create(actor=hr, process_map=draft, code="有 空格", name="x")

    assert error.value.field == "code"


def test_transition_to_a_step_of_another_map_names_the_target(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    source = services_maps.step_create(actor=hr, process_map=draft, code="a", name="甲")
    elsewhere = StepFactory(map=ProcessMapFactory(status=MapStatus.DRAFT))

    with pytest.raises(ValidationFailed) as error:
        services_maps.transition_create(
            actor=hr, process_map=draft, source=source, target=elsewhere
        )

    assert error.value.field == "target"
    assert not Transition.objects.exists()


@pytest.mark.parametrize(
    ("_case", "same", "field"),
    [("same step twice", True, "target"), ("duplicate handoff", False, "target")],
)
def test_transition_rules_name_the_field(process, hr, _case, same, field):
    draft = services_maps.map_new_version(actor=hr, process=process)
    a = services_maps.step_create(actor=hr, process_map=draft, code="a", name="甲")
    b = services_maps.step_create(actor=hr, process_map=draft, code="b", name="乙")
    if not same:
        services_maps.transition_create(actor=hr, process_map=draft, source=a, target=b)

    with pytest.raises(ValidationFailed) as error:
        services_maps.transition_create(
            actor=hr, process_map=draft, source=a, target=a if same else b
        )

    assert error.value.field == field


def test_transition_update_and_delete(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    a = services_maps.step_create(actor=hr, process_map=draft, code="a", name="甲")
    b = services_maps.step_create(actor=hr, process_map=draft, code="b", name="乙")
    transition = services_maps.transition_create(
        actor=hr, process_map=draft, source=a, target=b, handoff_target_minutes=10
    )

    services_maps.transition_update(
        actor=hr, transition=transition, handoff_target_minutes=20, label="转交"
    )
    transition.refresh_from_db()
    assert (transition.handoff_target_minutes, transition.label) == (20, "转交")

    services_maps.transition_delete(actor=hr, transition=transition)
    assert not Transition.objects.filter(pk=transition.pk).exists()


def test_step_delete_removes_its_handoffs_and_audits_each(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    a = services_maps.step_create(actor=hr, process_map=draft, code="a", name="甲")
    b = services_maps.step_create(actor=hr, process_map=draft, code="b", name="乙")
    transition = services_maps.transition_create(actor=hr, process_map=draft, source=a, target=b)

    services_maps.step_delete(actor=hr, step=b)

    assert list(draft.steps.values_list("code", flat=True)) == ["a"]
    assert not Transition.objects.filter(pk=transition.pk).exists()
    assert AuditEntry.objects.filter(
        object_type="workflow.transition", object_id=str(transition.pk), action="delete"
    ).exists()


def test_discard_deletes_the_draft(process, hr):
    _published_map(process)
    draft = services_maps.map_new_version(actor=hr, process=process)

    services_maps.map_discard(actor=hr, process_map=draft)

    assert not ProcessMap.objects.filter(pk=draft.pk).exists()
    assert not Step.objects.filter(map_id=draft.pk).exists()


def test_layout_stores_positions_of_moved_steps_only(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    a = services_maps.step_create(actor=hr, process_map=draft, code="a", name="甲")
    b = services_maps.step_create(actor=hr, process_map=draft, code="b", name="乙")
    services_maps.map_layout_save(actor=hr, process_map=draft, positions={a.pk: (1.0, 2.0)})

    moved = services_maps.map_layout_save(
        actor=hr, process_map=draft, positions={a.pk: (1.0, 2.0), b.pk: (300.26, -40.0)}
    )

    a.refresh_from_db()
    b.refresh_from_db()
    assert moved == 1
    assert (a.x, a.y, b.x, b.y) == (1.0, 2.0, 300.3, -40.0)


def test_layout_refuses_a_step_of_another_map(process, hr):
    draft = services_maps.map_new_version(actor=hr, process=process)
    other = StepFactory(map=ProcessMapFactory(status=MapStatus.DRAFT))

    with pytest.raises(ValidationFailed) as error:
        services_maps.map_layout_save(actor=hr, process_map=draft, positions={other.pk: (1, 2)})

    assert error.value.field == "positions"


def test_manager_maintains_maps_of_their_units_only(org_tree, user_as):
    manager = user_as("manager")  # manages T1
    own = ProcessFactory(owner_unit=org_tree.t1)
    foreign = ProcessFactory(owner_unit=org_tree.t3)

    draft = services_maps.map_new_version(actor=manager, process=own)
    with pytest.raises(PolicyDenied):
        services_maps.map_new_version(actor=manager, process=foreign)

    assert draft.process == own
    assert not ProcessMap.objects.filter(process=foreign).exists()


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_readers_cannot_change_maps(process, user_as, role):
    user = user_as(role)

    with pytest.raises(PolicyDenied):
        services_maps.map_new_version(actor=user, process=process)


def test_process_create_opens_the_first_draft(org_tree, hr):
    draft = services_maps.process_create_with_map(
        actor=hr, code="AFTER", name="售后处理", owner_unit=org_tree.t1
    )

    assert draft.process.code == "AFTER"
    assert draft.process.owner_unit == org_tree.t1
    assert (draft.version, draft.status) == (1, MapStatus.DRAFT)
    assert AuditEntry.objects.filter(object_type="org.process", action="create").exists()


def test_process_create_duplicate_code_names_the_code(org_tree, hr):
    ProcessFactory(code="AFTER")

    with pytest.raises(ValidationFailed) as error:
        services_maps.process_create_with_map(actor=hr, code="AFTER", name="售后处理")

    assert error.value.field == "code"
