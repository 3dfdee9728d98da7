"""Access-matrix rows of recognition (feed, kudos, leaderboards, the teams' switches, values,
badges, commendations) and the fairness review, pages and API. Walked by
core/tests/test_permission_matrix.py.

Every role's user has a staff record in team T1, which the manager manages. Writes the policy
lets through are sent without their required fields where the body cannot name rows of the
test data (a form error, 400: the permission was granted, nothing is written).
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EDITORS_400,
    EVERYONE,
    READERS,
    Check,
    _all,
    _roles,
)

TEAM_WRITE_PAGE = _roles(403, admin=200, hr=200, manager=200)
TEAM_WRITE_400 = _roles(403, admin=400, hr=400, manager=400)
OUTSIDE_TEAM_PAGE = _roles(403, admin=200, hr=200)
SWITCH_POST = _roles(403, admin=302, hr=302, manager=302)
SWITCH_API = _roles(403, admin=200, hr=200, manager=200)

EXPECTED: dict[str, list[Check]] = {
    # UI
    "incentives:recognition": [Check(EVERYONE)],
    "incentives:kudos_give": [Check(EVERYONE), Check(_all(400), method="post")],
    "incentives:recognition_settings": [
        Check(TEAM_WRITE_PAGE, obj="t1", kwarg="unit_pk"),
        Check(OUTSIDE_TEAM_PAGE, obj="t3", kwarg="unit_pk"),
        Check(SWITCH_POST, method="post", obj="t1", kwarg="unit_pk", data={"feed_enabled": "on"}),
        Check(
            _roles(403, admin=302, hr=302),
            method="post",
            obj="t3",
            kwarg="unit_pk",
            data={"feed_enabled": "on"},
        ),
    ],
    "incentives:value_list": [Check(EVERYONE)],
    "incentives:value_create": [Check(EDITORS), Check(EDITORS_400, method="post")],
    "incentives:value_edit": [
        Check(EDITORS, obj="company_value"),
        Check(EDITORS_400, method="post", obj="company_value", data={"name": "新名称"}),
    ],
    "incentives:badge_list": [Check(EVERYONE)],
    "incentives:badge_create": [Check(EDITORS), Check(EDITORS_400, method="post")],
    "incentives:badge_detail": [Check(EVERYONE, obj="manual_badge")],
    "incentives:badge_edit": [Check(EDITORS, obj="manual_badge")],
    "incentives:badge_award": [
        Check(EDITORS, obj="manual_badge"),
        Check(EDITORS_400, method="post", obj="manual_badge"),
    ],
    "incentives:commendation_list": [Check(EVERYONE)],
    "incentives:commendation_create": [
        Check(TEAM_WRITE_PAGE),
        Check(TEAM_WRITE_400, method="post", data={"title": "好", "citation": "好"}),
    ],
    "incentives:fairness": [Check(READERS)],
    # API
    "incentives-kudos-list": [Check(EVERYONE), Check(_all(400), method="post")],
    "incentives-value-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "incentives-value-detail": [
        Check(EVERYONE, obj="company_value"),
        Check(EDITORS, method="patch", obj="company_value", data={"name": "新名称"}),
    ],
    "incentives-badge-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "incentives-badge-detail": [
        Check(EVERYONE, obj="manual_badge"),
        Check(EDITORS, method="patch", obj="manual_badge", data={"points": 60}),
    ],
    "incentives-badge-award": [Check(EDITORS_400, method="post", obj="manual_badge")],
    "incentives-badge-award-list": [Check(EVERYONE)],
    "incentives-commendation-list": [Check(EVERYONE), Check(TEAM_WRITE_400, method="post")],
    "incentives-recognition-setting-list": [Check(EVERYONE)],
    "incentives-recognition-setting-detail": [
        Check(SWITCH_API, method="patch", obj="t1", kwarg="unit", data={"feed_enabled": False}),
        Check(
            _roles(403, admin=200, hr=200),
            method="patch",
            obj="t3",
            kwarg="unit",
            data={"leaderboard_enabled": False},
        ),
    ],
    "incentives-leaderboard": [Check(EVERYONE)],
    "incentives-fairness": [Check(READERS)],
}

GUARDED = (
    "incentives.CompanyValue",
    "incentives.Kudos",
    "incentives.TeamCommendation",
    "incentives.Badge",
    "incentives.BadgeAward",
    "incentives.RecognitionSetting",
    "incentives.RewardEntry",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A company value, a manual badge held by a T3 person, kudos to a T1 person and a
    commendation of T3, so the feed, boards and lists have rows."""
    from opsteam.incentives import services
    from opsteam.incentives.tests.factories import BadgeFactory, CompanyValueFactory

    hr_user = users["hr"]
    value = CompanyValueFactory(code="MATRIX-V", name="客户第一", name_en="Customer first")
    badge = BadgeFactory(code="MATRIX-B", points=10)
    services.badge_award(actor=hr_user, badge=badge, staff=objects["other_staff"])
    services.kudos_give(
        actor=users["manager"], recipient=objects["team_staff"], value=value, message="谢谢支援"
    )
    services.commendation_award(
        actor=hr_user, unit=objects["t3"], title="月结零差错", citation="按时完成", points_each=5
    )
    return {"company_value": value, "manual_badge": badge}
