"""Job levels written through the API (``/api/org/levels/``) and ``org.services``: HR and
administrators add, change and delete levels (a level in use is kept); everyone reads them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org import selectors, services
from opsteam.org.models import JobLevel
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory, StaffFactory
from opsteam.training.models import AssignmentRule
from opsteam.training.tests.factories import TrainingPlanFactory

pytestmark = pytest.mark.django_db

LIST = reverse("org-level-list")
NEW = {"code": "M3", "name": "总监", "name_en": "Director", "track": "management", "rank": 5}


def detail(level):
    return reverse("org-level-detail", args=[level.pk])


def entries(level, action):
    return AuditEntry.objects.filter(
        object_type="org.joblevel", object_id=str(level.pk), action=action
    )


def test_hr_adds_a_level_through_the_api(api_client_as):
    api = api_client_as("hr")

    response = api.post(LIST, NEW, format="json")

    assert response.status_code == 201
    level = JobLevel.objects.get(code="M3")
    assert response.json() == {"id": level.pk, **NEW}
    assert entries(level, "create").exists()
    assert api.get(detail(level)).json()["name"] == "总监"


def test_a_duplicate_code_answers_400_naming_the_code(api_client_as):
    JobLevelFactory(code="M3", name="总监")
    api = api_client_as("admin")

    response = api.post(LIST, {**NEW, "code": "m3"}, format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["attr"], error["detail"]) == (
        "code",
        "The code m3 is already used by another level.",
    )
    assert JobLevel.objects.filter(code__iexact="m3").count() == 1


def test_an_unknown_track_answers_400_and_writes_nothing(api_client_as):
    api = api_client_as("hr")

    response = api.post(LIST, {**NEW, "track": "sales"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "track"
    assert not JobLevel.objects.filter(code="M3").exists()


def test_hr_renames_a_level_and_the_change_is_audited(api_client_as):
    level = JobLevelFactory(code="P3", name="高级运营", rank=3)
    api = api_client_as("hr")

    response = api.patch(detail(level), {"name": "资深运营", "rank": 4}, format="json")

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["rank"]) == ("资深运营", 4)
    entry = entries(level, "update").get()
    assert (entry.before["name"], entry.after["name"]) == ("高级运营", "资深运营")


@pytest.mark.parametrize("role", ["manager", "operator", "auditor"])
def test_other_roles_read_levels_but_every_write_is_refused(api_client_as, role):
    level = JobLevelFactory(code="P3", name="高级运营", rank=3)
    api = api_client_as(role)
    audit_before = AuditEntry.objects.count()

    assert api.get(LIST).status_code == 200
    assert api.post(LIST, NEW, format="json").status_code == 403
    assert api.patch(detail(level), {"name": "改名"}, format="json").status_code == 403
    assert api.delete(detail(level)).status_code == 403

    level.refresh_from_db()
    assert level.name == "高级运营"
    assert not JobLevel.objects.filter(code="M3").exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_level_in_use_is_not_deleted_and_the_answer_says_what_uses_it(api_client_as, org_tree):
    level = JobLevelFactory(code="P3", name="高级运营", rank=3)
    StaffFactory(unit=org_tree.t1, level=level)
    PositionFactory(code="POS-X", min_level=level, max_level=level)
    api = api_client_as("hr")

    response = api.delete(detail(level))

    assert response.status_code == 409
    detail_text = response.json()["errors"][0]["detail"]
    assert detail_text.startswith("P3 is still used (")
    assert "staff: 1" in detail_text
    assert "positions: 1" in detail_text  # counted once, though both bounds point at it
    assert JobLevel.objects.filter(pk=level.pk).exists()
    assert not entries(level, "delete").exists()


def test_hr_deletes_an_unused_level_and_the_deletion_is_audited(api_client_as):
    level = JobLevelFactory(code="X9", name="误建级别", rank=9)
    api = api_client_as("hr")

    response = api.delete(detail(level))

    assert response.status_code == 204
    assert not JobLevel.objects.filter(code="X9").exists()
    assert entries(level, "delete").get().before["name"] == "误建级别"


def test_a_training_rule_keeps_its_level_from_being_deleted(user_as):
    # A rule would otherwise disappear with the level (it cascades): refused instead.
    level = JobLevelFactory(code="X9", name="误建级别", rank=9)
    AssignmentRule.objects.create(plan=TrainingPlanFactory(), trigger="level_change", level=level)

    with pytest.raises(InvalidTransition):
        services.job_level_delete(actor=user_as("hr"), level=level)
    assert selectors.job_level_usage(level=level) == [("assignment rules", 1)]


def test_services_check_the_actor_and_the_fields(user_as):
    manager, hr = user_as("manager"), user_as("hr")

    with pytest.raises(PolicyDenied):
        services.job_level_create(actor=manager, **NEW)
    with pytest.raises(ValidationFailed) as blank:
        services.job_level_create(actor=hr, **{**NEW, "code": "  "})
    with pytest.raises(ValidationFailed) as unknown:
        services.job_level_create(actor=hr, **NEW, is_active=True)

    assert blank.value.field == "code"
    assert unknown.value.field == "is_active"
    assert not JobLevel.objects.filter(code="M3").exists()
