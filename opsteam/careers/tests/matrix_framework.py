"""Access-matrix rows of the competency framework API (competency groups, competencies with
their level descriptors). Walked by core/tests/test_permission_matrix.py.

The framework is reference data: everyone reads it, HR and administrators change it.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import EDITORS, EDITORS_400, EVERYONE, Check

EXPECTED: dict[str, list[Check]] = {
    "careers-skill-group-list": [
        Check(EVERYONE),
        Check(EDITORS_400, method="post", data={"code": "", "name": "数据能力"}),
    ],
    "careers-skill-group-detail": [
        Check(EVERYONE, obj="framework_group"),
        Check(EDITORS, method="patch", obj="framework_group", data={"name": "数据与分析"}),
    ],
    "careers-competency-list": [Check(EVERYONE)],
    "careers-competency-detail": [
        Check(EVERYONE, obj="framework_skill"),
        Check(
            EDITORS,
            method="patch",
            obj="framework_skill",
            data={"levels": [{"level": 1, "description": "会用基础函数"}]},
        ),
    ],
}

GUARDED = ("org.Skill", "org.SkillGroup", "org.SkillLevelDescriptor")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A competency group holding a competency with one level described."""
    from opsteam.org.models import SkillGroup, SkillLevelDescriptor
    from opsteam.org.tests.factories import SkillFactory

    group = SkillGroup.objects.create(code="FW-DATA", name="数据能力", name_en="Data")
    skill = SkillFactory(code="FW-SQL", group=group)
    SkillLevelDescriptor.objects.create(skill=skill, level=3, description="能独立写多表查询")
    return {"framework_group": group, "framework_skill": skill}
