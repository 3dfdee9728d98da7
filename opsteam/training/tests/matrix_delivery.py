"""Permission table of training delivery: sessions, registrations, attendance, self-learning and
certificates (UI + API).

Every role's user is in T1 (the manager manages T1). "dl_session" is an upcoming session where
the user, a T1 colleague ("team") and a T3 person ("other") hold seats; "dl_open_session" is one
nobody registered for yet; "dl_live_session" is running now (attendance, check-in, close);
"dl_*_pending" are registrations awaiting approval. Self-learning records and certificates
exist for the user, a T1 colleague and a T3 person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EVERYONE,
    STAFF_OTHER,
    STAFF_TEAM,
    Check,
    _all,
    _roles,
)

EDITORS_302 = _roles(403, admin=302, hr=302)
EDITORS_API = _roles(403, admin=200, hr=200)
EXPORTERS = _roles(200, operator=403)
APPROVERS = _roles(403, admin=200, hr=200, manager=200)
APPROVE_TEAM_302 = _roles(302, auditor=403, operator=404)
APPROVE_OTHER_302 = _roles(302, auditor=403, manager=404, operator=404)
APPROVE_TEAM_API = _roles(200, auditor=403, operator=404)
APPROVE_OTHER_API = _roles(200, auditor=403, manager=404, operator=404)
EVIDENCE_FILE = "training/evidence/matrix/notes.txt"
CERTIFICATE_FILE = "training/certificates/matrix/cert.pdf"

EXPECTED: dict[str, list[Check]] = {
    # UI: sessions
    "training:session_list": [
        Check(EVERYONE),
        Check(EVERYONE, query="when=past&month=2026-01"),
        Check(EVERYONE, query="when=all&course=1"),
    ],
    "training:session_create": [
        Check(EDITORS),
        Check(_roles(403, admin=400, hr=400), method="post", data={"capacity": "5"}),
    ],
    "training:session_detail": [
        Check(EVERYONE, obj="dl_session"),
        Check(EVERYONE, obj="dl_live_session"),
    ],
    "training:session_update": [Check(EDITORS, obj="dl_session")],
    "training:session_cancel": [Check(EDITORS_302, method="post", obj="dl_session")],
    "training:session_close": [Check(EDITORS_302, method="post", obj="dl_live_session")],
    "training:session_reaction": [Check(EDITORS_302, method="post", obj="dl_live_session")],
    "training:session_register": [Check(_all(302), method="post", obj="dl_open_session")],
    "training:session_attendance": [
        Check(EDITORS, obj="dl_live_session"),
        Check(EDITORS_302, method="post", obj="dl_live_session"),
    ],
    "training:session_attendance_export": [Check(EXPORTERS, obj="dl_session")],
    "training:session_check_in": [
        Check(EVERYONE, obj="dl_live_session"),
        Check(_all(400), method="post", obj="dl_live_session", data={"code": "ZZZZZZ"}),
    ],
    "training:session_ics": [Check(EVERYONE, obj="dl_session")],
    "training:my_sessions": [Check(EVERYONE)],
    "training:my_sessions_ics": [Check(EVERYONE)],
    # UI: registrations
    "training:registration_approvals": [Check(APPROVERS)],
    "training:registration_approve": [
        Check(APPROVE_TEAM_302, method="post", obj="dl_team_pending"),
        Check(APPROVE_OTHER_302, method="post", obj="dl_other_pending"),
    ],
    "training:registration_reject": [
        Check(APPROVE_TEAM_302, method="post", obj="dl_team_pending", data={"note": "x"}),
        Check(APPROVE_OTHER_302, method="post", obj="dl_other_pending", data={"note": "x"}),
    ],
    "training:registration_cancel": [
        Check(_all(302), method="post", obj="dl_own_reg"),
        Check(_roles(302, auditor=403, operator=404), method="post", obj="dl_team_reg"),
        Check(APPROVE_OTHER_302, method="post", obj="dl_other_reg"),
    ],
    # UI: self-learning
    "training:selflearning_list": [
        Check(EVERYONE),
        Check(EVERYONE, query="mine=1"),
        Check(EVERYONE, query="status=submitted"),
    ],
    "training:selflearning_create": [
        Check(EVERYONE),
        Check(_all(400), method="post", data={"title": "x"}),
    ],
    "training:selflearning_detail": [
        Check(EVERYONE, obj="dl_own_learning"),
        Check(STAFF_TEAM, obj="dl_team_learning"),
        Check(STAFF_OTHER, obj="dl_other_learning"),
    ],
    "training:selflearning_decide": [
        Check(_all(403), method="post", obj="dl_own_learning", data={"decision": "approve"}),
        Check(
            APPROVE_TEAM_302, method="post", obj="dl_team_learning", data={"decision": "approve"}
        ),
        Check(
            APPROVE_OTHER_302, method="post", obj="dl_other_learning", data={"decision": "approve"}
        ),
    ],
    "training:selflearning_evidence": [
        Check(EVERYONE, obj="dl_own_learning"),
        Check(STAFF_TEAM, obj="dl_team_learning"),
        Check(STAFF_OTHER, obj="dl_other_learning"),
    ],
    # UI: certificates
    "training:certificate_list": [
        Check(EVERYONE),
        Check(EVERYONE, query="scope=mine"),
        Check(EVERYONE, query="scope=team"),
    ],
    "training:certificate_expiring": [Check(EXPORTERS)],
    "training:certificate_create": [
        Check(EVERYONE),
        Check(_all(400), method="post", data={"name": "x"}),
    ],
    "training:certificate_download": [
        Check(EVERYONE, obj="dl_own_cert"),
        Check(STAFF_TEAM, obj="dl_team_cert"),
        Check(STAFF_OTHER, obj="dl_other_cert"),
    ],
    # API: sessions
    "training-session-list": [
        Check(EVERYONE),
        Check(EVERYONE, query="when=upcoming&month=2026-01"),
        Check(_roles(403, admin=400, hr=400), method="post", data={"capacity": 5}),
    ],
    "training-session-detail": [
        Check(EVERYONE, obj="dl_session"),
        Check(EDITORS_API, method="patch", obj="dl_session", data={"capacity": 9}),
    ],
    "training-session-register": [Check(_all(201), method="post", obj="dl_open_session")],
    "training-session-cancel": [Check(EDITORS_API, method="post", obj="dl_session")],
    "training-session-close": [Check(EDITORS_API, method="post", obj="dl_live_session")],
    "training-session-check-in": [
        Check(_all(409), method="post", obj="dl_live_session", data={"code": "ZZZZZZ"})
    ],
    "training-session-attendance": [
        Check(EDITORS_API, method="post", obj="dl_live_session", data={"attendance": []})
    ],
    "training-session-ics": [Check(EVERYONE, obj="dl_session")],
    # API: registrations
    "training-registration-list": [Check(EVERYONE), Check(EVERYONE, query="mine=1")],
    "training-registration-detail": [
        Check(EVERYONE, obj="dl_own_reg"),
        Check(STAFF_TEAM, obj="dl_team_reg"),
        Check(STAFF_OTHER, obj="dl_other_reg"),
    ],
    "training-registration-approve": [
        Check(APPROVE_TEAM_API, method="post", obj="dl_team_pending"),
        Check(APPROVE_OTHER_API, method="post", obj="dl_other_pending"),
    ],
    "training-registration-reject": [
        Check(APPROVE_TEAM_API, method="post", obj="dl_team_pending", data={"note": "x"})
    ],
    "training-registration-cancel": [
        Check(_all(200), method="post", obj="dl_own_reg"),
        Check(APPROVE_OTHER_API, method="post", obj="dl_other_reg"),
    ],
    # API: self-learning
    "training-selflearning-list": [
        Check(EVERYONE),
        Check(_all(400), method="post", data={"title": "x"}),
    ],
    "training-selflearning-detail": [
        Check(EVERYONE, obj="dl_own_learning"),
        Check(STAFF_TEAM, obj="dl_team_learning"),
        Check(STAFF_OTHER, obj="dl_other_learning"),
    ],
    "training-selflearning-approve": [
        Check(_all(403), method="post", obj="dl_own_learning"),
        Check(APPROVE_TEAM_API, method="post", obj="dl_team_learning"),
        Check(APPROVE_OTHER_API, method="post", obj="dl_other_learning"),
    ],
    "training-selflearning-reject": [
        Check(APPROVE_TEAM_API, method="post", obj="dl_team_learning", data={"note": "x"})
    ],
    # API: certificates
    "training-certificate-list": [
        Check(EVERYONE),
        Check(EVERYONE, query="scope=mine&expiring=1"),
        Check(_all(400), method="post", data={"name": "x"}),
    ],
    "training-certificate-detail": [
        Check(EVERYONE, obj="dl_own_cert"),
        Check(STAFF_TEAM, obj="dl_team_cert"),
        Check(STAFF_OTHER, obj="dl_other_cert"),
    ],
}

GUARDED = (
    "training.Session",
    "training.Registration",
    "training.Enrolment",
    "training.SelfLearning",
    "training.Certificate",
)


def objects(objects: dict, users: dict, user: Any) -> dict:
    """Sessions (upcoming, open, running), seats of the user / T1 / T3, pending approvals,
    self-learning records and certificates (with files) of the user / T1 / T3."""
    from django.utils import timezone

    from opsteam.training.choices import AssignmentSource, RegistrationStatus
    from opsteam.training.models import Certificate, Enrolment, Registration, SelfLearning
    from opsteam.training.tests.factories import CourseFactory, SessionFactory

    now = timezone.now()
    for name, content in ((EVIDENCE_FILE, b"notes"), (CERTIFICATE_FILE, b"%PDF-1.4")):
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
    people = {"own": user.staff, "team": objects["team_staff"], "other": objects["other_staff"]}
    course = CourseFactory(name="客服话术", name_en="Service scripts")
    approval_course = CourseFactory(requires_approval=True)
    session = SessionFactory(course=course, capacity=5)
    approval_session = SessionFactory(course=approval_course, capacity=5)
    live = SessionFactory(
        course=course,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    made: dict[str, Any] = {
        "dl_session": session,
        "dl_open_session": SessionFactory(course=CourseFactory(is_open=True)),
        "dl_live_session": live,
    }
    today = timezone.localdate()
    for key, person in people.items():
        enrolment = Enrolment.objects.create(
            staff=person, course=course, source=AssignmentSource.MANUAL
        )
        made[f"dl_{key}_reg"] = Registration.objects.create(
            session=session, enrolment=enrolment, status=RegistrationStatus.REGISTERED
        )
        if key != "own":
            pending_enrolment = Enrolment.objects.create(
                staff=person, course=approval_course, source=AssignmentSource.MANUAL
            )
            made[f"dl_{key}_pending"] = Registration.objects.create(
                session=approval_session,
                enrolment=pending_enrolment,
                status=RegistrationStatus.PENDING,
            )
        made[f"dl_{key}_learning"] = SelfLearning.objects.create(
            staff=person,
            kind="book",
            title="《运营之光》",
            hours=3,
            completed_on=today,
            evidence=EVIDENCE_FILE,
        )
        made[f"dl_{key}_cert"] = Certificate.objects.create(
            staff=person,
            source="external",
            name="数据分析师",
            issued_on=today - dt.timedelta(days=300),
            expires_on=today + dt.timedelta(days=30),
            file=CERTIFICATE_FILE,
        )
    return made
