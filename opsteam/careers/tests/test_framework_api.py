"""The competency framework API: groups and competencies with their level descriptors, read by
everyone, changed by HR and administrators through ``careers.services_framework``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from opsteam.core.models import AuditEntry
from opsteam.org.models import SkillGroup, SkillLevelDescriptor
from opsteam.org.tests.factories import SkillFactory

pytestmark = pytest.mark.django_db

GROUPS = reverse("careers-skill-group-list")
COMPETENCIES = reverse("careers-competency-list")


def competency_url(skill):
    return reverse("careers-competency-detail", args=[skill.pk])


@pytest.fixture
def framework(db):
    """DATA (SQL with levels 1 and 3 described, Excel) and an ungrouped competency."""
    data = SkillGroup.objects.create(code="DATA", name="数据能力", name_en="Data", order=1)
    sql = SkillFactory(code="SQL", name="数据查询", name_en="SQL", group=data)
    excel = SkillFactory(code="EXCEL", name="表格", group=data)
    loose = SkillFactory(code="TALK", name="沟通", category="general")
    SkillLevelDescriptor.objects.create(
        skill=sql, level=3, description="能写多表查询", description_en="Writes joins"
    )
    SkillLevelDescriptor.objects.create(skill=sql, level=1, description="会用筛选")
    return {"data": data, "sql": sql, "excel": excel, "loose": loose}


def test_an_operator_reads_groups_and_competencies_with_their_levels(api_client_as, framework):
    api = api_client_as("operator")

    groups = api.get(GROUPS).json()["results"]
    competency = api.get(competency_url(framework["sql"])).json()
    general = api.get(COMPETENCIES, {"category": "general"}).json()["results"]

    [data] = [group for group in groups if group["code"] == "DATA"]
    assert [row["code"] for row in data["competencies"]] == ["EXCEL", "SQL"]
    assert competency["group"] == framework["data"].pk
    assert competency["group_code"] == "DATA"
    assert competency["levels"] == [
        {"level": 1, "description": "会用筛选", "description_en": "", "label": "会用筛选"},
        {
            "level": 3,
            "description": "能写多表查询",
            "description_en": "Writes joins",
            "label": "Writes joins",  # the tests speak English
        },
    ]
    assert [row["code"] for row in general] == ["TALK"]
    by_group = api.get(COMPETENCIES, {"group": framework["data"].pk}).json()["results"]
    assert [row["code"] for row in by_group] == ["EXCEL", "SQL"]


def test_hr_adds_and_renames_a_group(api_client_as):
    api = api_client_as("hr")

    created = api.post(
        GROUPS, {"code": "COMM", "name": "沟通协作", "name_en": "Communication"}, format="json"
    )
    group = SkillGroup.objects.get(code="COMM")
    renamed = api.patch(
        reverse("careers-skill-group-detail", args=[group.pk]),
        {"name": "沟通与协作", "order": 3},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["competencies"] == []
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["order"]) == ("沟通与协作", 3)
    actions = AuditEntry.objects.filter(object_type="org.skillgroup", object_id=str(group.pk))
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


def test_a_group_code_used_twice_answers_400_naming_the_code(api_client_as, framework):
    response = api_client_as("hr").post(GROUPS, {"code": "DATA", "name": "重复"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "code"
    assert SkillGroup.objects.filter(code="DATA").count() == 1


def test_hr_sets_a_competencys_group_and_replaces_its_level_descriptors(api_client_as, framework):
    api = api_client_as("hr")
    comm = SkillGroup.objects.create(code="COMM", name="沟通协作")
    levels = [
        {"level": 2, "description": "能讲清楚需求", "description_en": "Explains a need"},
        {"level": 4, "description": "能主持跨部门会议"},
    ]

    response = api.patch(
        competency_url(framework["loose"]), {"group": comm.pk, "levels": levels}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["group_code"] == "COMM"
    assert [(row["level"], row["description"]) for row in body["levels"]] == [
        (2, "能讲清楚需求"),
        (4, "能主持跨部门会议"),
    ]
    assert AuditEntry.objects.filter(object_type="org.skillleveldescriptor").count() == 2
    # leaving ``levels`` out keeps them; ``group: null`` takes the competency out of its group
    again = api.patch(competency_url(framework["loose"]), {"group": None}, format="json")
    assert again.json()["group"] is None
    assert len(again.json()["levels"]) == 2


def test_levels_given_replace_the_old_ones(api_client_as, framework):
    response = api_client_as("admin").patch(
        competency_url(framework["sql"]),
        {"levels": [{"level": 3, "description": "能写窗口函数"}]},
        format="json",
    )

    assert response.status_code == 200
    rows = SkillLevelDescriptor.objects.filter(skill=framework["sql"])
    assert list(rows.values_list("level", "description", "description_en")) == [
        (3, "能写窗口函数", "")
    ]
    assert framework["sql"].group_id == framework["data"].pk  # group untouched


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"levels": [{"level": 6, "description": "超纲"}]}, "levels.0.level"),
        ({"levels": [{"level": 2}]}, "levels.0.description"),
        (
            {"levels": [{"level": 2, "description": "a"}, {"level": 2, "description": "b"}]},
            "levels",
        ),
        ({"levels": [{"level": 2, "description": "", "description_en": "Basic"}]}, "level_2"),
        ({"group": 999999}, "group"),
    ],
)
def test_bad_framework_input_answers_400_naming_the_field(api_client_as, framework, body, attr):
    response = api_client_as("hr").patch(competency_url(framework["sql"]), body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr
    rows = SkillLevelDescriptor.objects.filter(skill=framework["sql"])
    assert sorted(rows.values_list("level", flat=True)) == [1, 3]


@pytest.mark.parametrize("role", ["manager", "operator", "auditor"])
def test_other_roles_cannot_change_the_framework(api_client_as, framework, role):
    api = api_client_as(role)
    audit_before = AuditEntry.objects.count()

    denied = [
        api.post(GROUPS, {"code": "COMM", "name": "沟通协作"}, format="json"),
        api.patch(
            reverse("careers-skill-group-detail", args=[framework["data"].pk]),
            {"name": "改名"},
            format="json",
        ),
        api.patch(
            competency_url(framework["sql"]),
            {"levels": [{"level": 1, "description": "改"}]},
            format="json",
        ),
    ]

    assert [response.status_code for response in denied] == [403, 403, 403]
    assert AuditEntry.objects.count() == audit_before
    assert not SkillGroup.objects.filter(code="COMM").exists()
    assert (
        SkillLevelDescriptor.objects.get(skill=framework["sql"], level=1).description == "会用筛选"
    )
