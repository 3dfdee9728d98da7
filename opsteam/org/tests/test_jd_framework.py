"""The job description page explains each required skill with the competency framework: the
descriptor of the required level and a link to the framework page, in a constant number of
queries however many skills the description requires."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsteam.org.models import JobSkillRequirement, SkillLevelDescriptor
from opsteam.org.tests.factories import JobDescriptionFactory, SkillFactory

pytestmark = pytest.mark.django_db


def describe(skill, *levels):
    for level in levels:
        SkillLevelDescriptor.objects.create(
            skill=skill,
            level=level,
            description=f"{skill.name}第{level}级行为",
            description_en=f"{skill.name_en} at level {level}",
        )


def require(jd, skill, level, **fields):
    return JobSkillRequirement.objects.create(
        job_description=jd, skill=skill, level=level, **fields
    )


def test_each_required_skill_shows_its_required_levels_descriptor_and_links_to_the_framework(
    client_as,
):
    jd = JobDescriptionFactory()
    sql = SkillFactory(code="SQL", name="数据查询", name_en="SQL")
    talk = SkillFactory(code="TALK", name="沟通", name_en="Talking")
    new = SkillFactory(code="NEW", name="新技能", name_en="New skill")
    describe(sql, 1, 2, 3)
    describe(talk, 4)
    require(jd, sql, 3)
    require(jd, talk, 4, is_required=False)
    require(jd, new, 2)  # the framework does not describe it yet
    client = client_as("operator")

    page = client.get(reverse("org:jobdescription_detail", args=[jd.pk])).content.decode()

    skills = page[page.index('id="jd-skills"') :]
    assert "SQL at level 3" in skills  # English UI: the English descriptor
    assert "SQL at level 2" not in skills
    assert "SQL at level 1" not in skills
    assert "Talking at level 4" in skills
    assert skills.count("jd-level-descriptor") == 2
    framework = reverse("careers:competency_list")
    assert f'href="{framework}#skill-{sql.pk}"' in skills
    assert f'href="{framework}#skill-{new.pk}"' in skills
    assert f'href="{framework}" id="jd-framework-link"' in skills


def test_the_descriptor_follows_the_users_language(client_as):
    jd = JobDescriptionFactory()
    sql = SkillFactory(code="SQL", name="数据查询", name_en="SQL")
    describe(sql, 3)
    require(jd, sql, 3)
    client = client_as("operator")

    page = client.get(
        reverse("org:jobdescription_detail", args=[jd.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "数据查询第3级行为" in page


def test_the_page_runs_as_many_queries_for_twelve_skills_as_for_one(client_as):
    client = client_as("operator")
    one, twelve = JobDescriptionFactory(), JobDescriptionFactory()
    skills = [SkillFactory() for _ in range(12)]
    for skill in skills:
        describe(skill, 1, 2, 3, 4, 5)
        require(twelve, skill, 3)
    require(one, skills[0], 3)

    counts = []
    for jd in (one, twelve, one):  # the first request warms per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("org:jobdescription_detail", args=[jd.pk]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[1] == counts[2]
