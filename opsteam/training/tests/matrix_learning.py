"""Access-matrix rows of the learning pages and API (my learning, team, overview, enrolments,
behaviour checks, the effectiveness report). Walked by core/tests/test_permission_matrix.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opsteam.core.tests.matrix_support import EVERYONE, READERS, Check, _all, _roles

TEAM_READ = _roles(200, operator=404)
OUTSIDE_READ = _roles(200, manager=404, operator=404)
TEAM_WRITE_PAGE = _roles(403, admin=302, hr=302, manager=302, operator=404)
TEAM_WRITE_API = _roles(403, admin=200, hr=200, manager=200, operator=404)
COACHING_TEAM = _roles(200, operator=404, auditor=404)
OBSERVE_PAGE = _roles(200, operator=404, auditor=404)
OBSERVE_API = _roles(400, operator=404, auditor=404)
ADD_API = _roles(403, admin=400, hr=400, manager=400)

EXPECTED: dict[str, list[Check]] = {
    "training:my_learning": [Check(EVERYONE)],
    "training:team": [Check(_roles(200, operator=403))],
    "training:overview": [Check(READERS)],
    "training:enrolment_detail": [
        Check(EVERYONE, obj="own_enrolment"),
        Check(TEAM_READ, obj="team_enrolment"),
        Check(OUTSIDE_READ, obj="other_enrolment"),
    ],
    "training:enrolment_complete": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_enrolment"),
    ],
    "training:enrolment_cancel": [
        Check(TEAM_WRITE_PAGE, method="post", obj="team_enrolment", data={"reason": "岗位调整"}),
    ],
    "training:behaviour_check": [
        Check(COACHING_TEAM, obj="team_check"),
        Check(OBSERVE_PAGE, method="post", obj="team_check"),
    ],
    "training:course_report": [Check(READERS, obj="learning_course")],
    "training-enrolment-list": [Check(EVERYONE), Check(ADD_API, method="post")],
    "training-enrolment-detail": [
        Check(EVERYONE, obj="own_enrolment"),
        Check(TEAM_READ, obj="team_enrolment"),
        Check(OUTSIDE_READ, obj="other_enrolment"),
    ],
    "training-enrolment-enrol": [Check(_all(400), method="post")],
    "training-enrolment-complete": [Check(TEAM_WRITE_API, method="post", obj="team_enrolment")],
    "training-enrolment-cancel": [
        Check(TEAM_WRITE_API, method="post", obj="team_enrolment", data={"reason": "岗位调整"})
    ],
    "training-behaviour-check-list": [Check(EVERYONE)],
    "training-behaviour-check-detail": [Check(COACHING_TEAM, obj="team_check")],
    "training-behaviour-check-observe": [Check(OBSERVE_API, method="post", obj="team_check")],
    "training-my-learning": [Check(EVERYONE)],
    "training-team-learning": [Check(_roles(200, operator=403))],
    "training-overview": [Check(READERS)],
    "training-effectiveness-detail": [Check(READERS, obj="learning_course")],
}

GUARDED = (
    "training.Enrolment",
    "training.BehaviourCheck",
    "training.Certificate",
    "org.StaffSkill",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A course with one observed behaviour; enrolments of the user, a T1 and a T3 person; a
    due 30-day observation of the T1 person's completed enrolment."""
    from opsteam.training.models import BehaviourCheck, BehaviourItem
    from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

    course = CourseFactory(code="MATRIX-LEARN")
    BehaviourItem.objects.create(course=course, text="复盘数据后再调整投放")
    done = CourseFactory(code="MATRIX-DONE")
    BehaviourItem.objects.create(course=done, text="主动同步进展")
    completed = EnrolmentFactory(
        staff=objects["team_staff"],
        course=done,
        status="completed",
        completed_on=dt.date(2026, 6, 1),
    )
    check = BehaviourCheck.objects.create(
        enrolment=completed, checkpoint_days=30, due_on=dt.date(2026, 7, 1)
    )
    return {
        "learning_course": course,
        "own_enrolment": EnrolmentFactory(staff=user.staff, course=course),
        "team_enrolment": EnrolmentFactory(staff=objects["team_staff"], course=course),
        "other_enrolment": EnrolmentFactory(staff=objects["other_staff"], course=course),
        "team_check": check,
    }
