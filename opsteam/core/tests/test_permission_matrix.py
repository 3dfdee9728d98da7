"""Walk every UI URL and API route as every role against a declared expectation table.

A route that exists but is missing from ``EXPECTED`` fails the suite, so every new page or
endpoint must declare who may use it. Objects come in four relations to the requesting user:
their own record, their team's (T1), a sibling team's (T2) and another department's (T3).
Denied reads answer 404 (outside the view scope) or 403 (visible, not allowed); denied writes
change nothing and write no audit entry.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import pkgutil
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from opsteam.accounts.models import ApiToken
from opsteam.accounts.tests.factories import UserFactory
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.core.tests.matrix_support import (  # noqa: F401  (the shared vocabulary)
    ADMIN_ONLY,
    CHANGE_STAFF_OTHER,
    CHANGE_STAFF_TEAM,
    EDITORS,
    EDITORS_400,
    EVERYONE,
    READERS,
    READERS_404,
    ROLES,
    STAFF_OTHER,
    STAFF_OWN,
    STAFF_SIBLING,
    STAFF_TEAM,
    Check,
    _all,
    _roles,
)
from opsteam.org import services
from opsteam.org.tests.factories import (
    ActivityFactory,
    JobDescriptionFactory,
    JobDutyFactory,
    RaciAssignmentFactory,
    StaffFactory,
)
from opsteam.performance.models import Appeal, Review

EXPECTED: dict[str, list[Check]] = {
    # UI: home, accounts
    "insights:home": [Check(EVERYONE)],
    "accounts:login": [Check(_all(302))],
    "accounts:logout": [Check(_all(405))],
    "accounts:password_change": [Check(EVERYONE)],
    "accounts:preferences": [Check(EVERYONE)],
    "accounts:token_list": [Check(EVERYONE)],
    "accounts:token_revoke": [
        Check(_all(302), method="post", obj="own_token"),
        Check(_roles(404, admin=302), method="post", obj="other_token"),
    ],
    "accounts:user_list": [Check(READERS)],
    "accounts:user_detail": [Check(READERS_404, obj="other_user")],
    "accounts:rolegrant_add": [
        Check(
            _roles(403, admin=302, manager=404, operator=404),
            method="post",
            obj="other_user",
            data={"role": "auditor"},
        )
    ],
    "accounts:rolegrant_revoke": [
        Check(
            _roles(403, admin=302, manager=404, operator=404),
            method="post",
            obj="other_user",
            extra_kwargs=(("grant_pk", "other_grant"),),
        )
    ],
    "set_language": [Check(_all(302))],
    "health": [Check(EVERYONE)],
    # UI: org
    "org:orgchart": [Check(EVERYONE)],
    "org:orgunit_list": [Check(EVERYONE)],
    "org:orgunit_create": [Check(EDITORS)],
    "org:orgunit_detail": [Check(EVERYONE, obj="t3")],
    "org:orgunit_update": [Check(EDITORS, obj="t1")],
    "org:staff_list": [Check(_roles(200, operator=302))],
    "org:staff_create": [Check(EDITORS)],
    "org:staff_pick": [Check(EVERYONE)],
    "org:staff_detail": [
        Check(STAFF_OWN, obj="own_staff"),
        Check(STAFF_TEAM, obj="team_staff"),
        Check(STAFF_SIBLING, obj="sibling_staff"),
        Check(STAFF_OTHER, obj="other_staff"),
    ],
    "org:staff_update": [
        Check(_roles(403, admin=200, hr=200), obj="own_staff"),
        Check(CHANGE_STAFF_TEAM, obj="team_staff"),
        Check(CHANGE_STAFF_OTHER, obj="other_staff"),
    ],
    "org:compensation_add": [
        Check(_roles(403, admin=200, hr=200), obj="own_staff"),
        Check(_roles(403, admin=200, hr=200, manager=404, operator=404), obj="other_staff"),
    ],
    "org:staff_personal_data": [
        Check(EVERYONE, obj="own_staff"),
        Check(_roles(200, manager=403, operator=404, auditor=403), obj="team_staff"),
    ],
    "org:staff_purge": [
        Check(_roles(403, admin=302, hr=302, operator=404), method="post", obj="team_staff")
    ],
    "org:staff_reassign": [
        Check(CHANGE_STAFF_TEAM, obj="team_staff"),
        Check(CHANGE_STAFF_OTHER, obj="sibling_staff"),
    ],
    "org:position_list": [Check(EVERYONE)],
    "org:position_create": [Check(EDITORS)],
    "org:position_detail": [Check(EVERYONE, obj="position")],
    "org:position_update": [Check(EDITORS, obj="position")],
    "org:jobdescription_start_draft": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="position")
    ],
    "org:jobdescription_list": [Check(EVERYONE)],
    "org:jobdescription_detail": [Check(EVERYONE, obj="jd_published")],
    "org:jobdescription_edit": [Check(EDITORS, obj="jd_draft")],
    "org:jobdescription_publish": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="jd_draft")
    ],
    "org:jobdescription_diff": [Check(EVERYONE, obj="jd_published")],
    "org:jobdescription_docx": [Check(EVERYONE, obj="jd_published")],
    "org:raci_matrix": [Check(EVERYONE)],
    "org:raci_cell": [
        Check(
            _roles(403, admin=200, hr=200),
            method="post",
            obj="activity",
            kwarg="activity_pk",
            extra_kwargs=(("position_pk", "position"),),
            data={"role": "C"},
        )
    ],
    "org:raci_analysis": [Check(EVERYONE)],
    "org:who_does_what": [Check(EVERYONE)],
    # UI: data
    "core:audit_list": [Check(READERS)],
    "core:audit_detail": [Check(READERS_404, obj="audit_entry")],
    "core:import_list": [Check(READERS)],
    "core:import_detail": [Check(READERS_404, obj="import_job")],
    "core:import_upload": [Check(EDITORS, obj="staff", kwarg="kind")],
    "core:import_template": [Check(EDITORS, obj="staff", kwarg="kind")],
    # API: schema and docs
    "api-schema": [Check(EVERYONE)],
    "api-docs": [Check(EVERYONE)],
    "accounts-me": [Check(EVERYONE)],
    # API: audit and imports
    "audit-entry-list": [Check(READERS)],
    "audit-entry-detail": [Check(READERS_404, obj="audit_entry")],
    "audit-entry-export": [Check(READERS)],
    "import-job-list": [Check(READERS)],
    "import-job-detail": [Check(READERS_404, obj="import_job")],
    "import-job-run": [
        Check(
            _roles(403, admin=400, hr=400), method="post", obj="staff", kwarg="kind", multipart=True
        )
    ],
    # API: org
    "org-unit-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-unit-detail": [
        Check(EVERYONE, obj="t3"),
        Check(EDITORS, method="patch", obj="t3", data={"name": "新名称"}),
    ],
    "org-unit-chart": [Check(EVERYONE)],
    "org-role-family-list": [Check(EVERYONE)],
    "org-role-family-detail": [Check(EVERYONE, obj="family")],
    "org-level-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-level-detail": [
        Check(EVERYONE, obj="level"),
        Check(EDITORS, method="patch", obj="level", data={"name": "新名称"}),
        Check(_roles(403, admin=409, hr=409), method="delete", obj="level"),  # in use
    ],
    "org-position-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-position-detail": [
        Check(EVERYONE, obj="position"),
        Check(EDITORS, method="patch", obj="position", data={"headcount_plan": 9}),
    ],
    "org-position-start-draft": [
        Check(_roles(403, admin=201, hr=201), method="post", obj="position")
    ],
    "org-staff-list": [Check(EVERYONE), Check(_roles(403, admin=400, hr=400), method="post")],
    "org-staff-detail": [
        Check(STAFF_OWN, obj="own_staff"),
        Check(STAFF_TEAM, obj="team_staff"),
        Check(STAFF_SIBLING, obj="sibling_staff"),
        Check(STAFF_OTHER, obj="other_staff"),
        Check(CHANGE_STAFF_TEAM, method="patch", obj="team_staff", data={"phone": "123"}),
        Check(CHANGE_STAFF_OTHER, method="patch", obj="other_staff", data={"phone": "123"}),
        Check(_roles(403, admin=200, hr=200), method="patch", obj="own_staff", data={"phone": "1"}),
    ],
    "org-staff-reassign": [
        Check(_roles(403, admin=400, hr=400, operator=404), method="post", obj="team_staff"),
        Check(
            _roles(403, admin=400, hr=400, manager=404, operator=404),
            method="post",
            obj="other_staff",
        ),
    ],
    "org-staff-export": [Check(_roles(200, operator=403))],
    "org-assignment-list": [Check(EVERYONE)],
    "org-assignment-detail": [
        Check(STAFF_TEAM, obj="team_assignment"),
        Check(STAFF_OTHER, obj="other_assignment"),
    ],
    "org-job-description-list": [Check(EVERYONE)],
    "org-job-description-detail": [
        Check(EVERYONE, obj="jd_published"),
        Check(EDITORS, method="patch", obj="jd_draft", data={"change_note": "更新"}),
    ],
    "org-job-description-publish": [Check(EDITORS, method="post", obj="jd_draft")],
    "org-job-description-diff": [Check(EVERYONE, obj="jd_published")],
    "org-process-list": [Check(EVERYONE)],
    "org-process-detail": [Check(EVERYONE, obj="process")],
    "org-activity-list": [Check(EVERYONE)],
    "org-activity-detail": [Check(EVERYONE, obj="activity")],
    "org-raci-list": [Check(EVERYONE)],
    "org-raci-detail": [Check(EVERYONE, obj="raci_cell")],
    "org-raci-set-cell": [Check(_roles(403, admin=400, hr=400), method="post")],
    "org-raci-analysis": [Check(EVERYONE)],
    "org-who-does-what": [Check(EVERYONE)],
}

# Review cycles. Every role's user is in T1 (the manager manages T1); the cycle covers the
# whole company and is in goal setting, so stage-bound writes are refused with a message (302)
# once the policy lets the request through; the policy's own refusals are 403/404.
REVIEW_TEAM = _roles(200, operator=404)
REVIEW_OUTSIDE = _roles(200, manager=404, operator=404)
OWN_WRITE = _all(302)
CYCLE_EXPECTED: dict[str, list[Check]] = {
    "performance:cycle_list": [Check(EVERYONE)],
    "performance:cycle_create": [Check(EDITORS)],
    "performance:cycle_detail": [Check(EVERYONE, obj="cycle")],
    "performance:cycle_update": [Check(EDITORS, obj="cycle")],
    "performance:cycle_launch": [Check(_roles(403, admin=302, hr=302), method="post", obj="cycle")],
    "performance:cycle_advance": [
        Check(
            _roles(403, admin=302, hr=302),
            method="post",
            obj="cycle",
            data={"stage": "self_review"},
        ),
    ],
    "performance:review_list": [Check(_roles(200, operator=403), obj="cycle")],
    "performance:calibration": [Check(EDITORS, obj="cycle")],
    # Not published: HR is told so (302 with a message); others are refused.
    "performance:cycle_plans": [Check(_roles(403, admin=302, hr=302), method="post", obj="cycle")],
    "performance:my_reviews": [Check(EVERYONE)],
    "performance:dashboard": [Check(_roles(200, operator=403))],
    "performance:review_detail": [
        Check(EVERYONE, obj="own_review"),
        Check(REVIEW_TEAM, obj="team_review"),
        Check(REVIEW_OUTSIDE, obj="sibling_review"),
        Check(REVIEW_OUTSIDE, obj="other_review"),
    ],
    "performance:review_self": [
        Check(OWN_WRITE, method="post", obj="own_review", data={"comment": "x"}),
        Check(_roles(403, operator=404), method="post", obj="team_review", data={"comment": "x"}),
    ],
    "performance:review_manager": [
        Check(
            _roles(302, auditor=403, operator=404),
            method="post",
            obj="team_review",
            data={"rating": "3", "comment": "x"},
        ),
        Check(
            _roles(302, auditor=403, manager=404, operator=404),
            method="post",
            obj="other_review",
            data={"rating": "3", "comment": "x"},
        ),
    ],
    # The cycle is in goal setting: targets may be agreed (a non-existent KPI is refused: 302).
    "performance:review_target": [
        Check(
            _roles(302, auditor=403, operator=404),
            method="post",
            obj="team_review",
            data={"kpi": "0", "target": "5"},
        ),
    ],
    "performance:review_acknowledge": [
        Check(OWN_WRITE, method="post", obj="own_review"),
        Check(_roles(403, operator=404), method="post", obj="team_review"),
    ],
    "performance:review_appeal": [
        Check(OWN_WRITE, method="post", obj="own_review", data={"reason": "x"}),
        Check(_roles(403, operator=404), method="post", obj="team_review", data={"reason": "x"}),
    ],
    "performance:review_grade": [
        Check(
            _roles(403, admin=302, hr=302, operator=404),
            method="post",
            obj="team_review",
            data={"grade": "A", "justification": "x"},
        ),
    ],
    # Results are not published: the reviewee gets no what-if; others see the (empty) answer.
    "performance:review_what_if": [
        Check(_all(404), method="post", obj="own_review", data={"kpi": "1", "actual": "1"}),
        Check(REVIEW_TEAM, method="post", obj="team_review", data={"kpi": "1", "actual": "1"}),
    ],
    # Nothing is scored in goal setting, so no KPI line exists to drill into.
    "performance:review_measurements": [
        Check(_all(404), obj="team_review", extra_kwargs=(("kpi", "kpi"),)),
    ],
    "performance:appeal_resolve": [
        Check(
            _roles(403, admin=302, hr=302, operator=404),
            method="post",
            obj="team_appeal",
            data={"upheld": "0", "outcome": "x"},
        ),
    ],
    # API: stage-bound refusals answer 409 (invalid transition).
    "performance-cycle-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400), method="post"),
    ],
    "performance-cycle-detail": [
        Check(EVERYONE, obj="cycle"),
        Check(
            _roles(403, admin=409, hr=409),
            method="patch",
            obj="cycle",
            data={"period_start": "2025-12-01"},
        ),
    ],
    "performance-cycle-launch": [Check(_roles(403, admin=409, hr=409), method="post", obj="cycle")],
    "performance-cycle-stage": [
        Check(
            _roles(403, admin=200, hr=200),
            method="post",
            obj="cycle",
            data={"stage": "self_review"},
        ),
    ],
    "performance-review-list": [Check(EVERYONE)],
    "performance-review-detail": [
        Check(EVERYONE, obj="own_review"),
        Check(REVIEW_TEAM, obj="team_review"),
        Check(REVIEW_OUTSIDE, obj="sibling_review"),
        Check(REVIEW_OUTSIDE, obj="other_review"),
    ],
    "performance-review-self-review": [
        Check(_all(409), method="post", obj="own_review", data={"comment": "x"}),
        Check(_roles(403, operator=404), method="post", obj="team_review", data={"comment": "x"}),
    ],
    "performance-review-manager-review": [
        Check(
            _roles(409, auditor=403, operator=404),
            method="post",
            obj="team_review",
            data={"rating": 3, "comment": "x"},
        ),
    ],
    "performance-review-grade": [
        Check(
            _roles(403, admin=409, hr=409, operator=404),
            method="post",
            obj="team_review",
            data={"grade": "A", "justification": "x"},
        ),
    ],
    "performance-review-acknowledge": [
        Check(_all(409), method="post", obj="own_review"),
        Check(_roles(403, operator=404), method="post", obj="team_review"),
    ],
    "performance-review-appeal": [
        Check(_all(409), method="post", obj="own_review", data={"reason": "x"}),
    ],
    "performance-appeal-list": [Check(EVERYONE)],
    "performance-appeal-detail": [Check(REVIEW_TEAM, obj="team_appeal")],
    "performance-appeal-resolve": [
        Check(
            _roles(403, admin=200, hr=200, operator=404),
            method="post",
            obj="team_appeal",
            data={"upheld": False, "outcome": "x"},
        ),
    ],
}
EXPECTED.update(CYCLE_EXPECTED)

# Surveys (360 feedback). Every role's user is in T1 and reviewed in an open campaign
# ("own_subject", whose self invitation is "own_invitation"); "team_subject" is a T1 colleague,
# "other_subject" is in T3. Writes with incomplete data answer 400 once the policy lets them in.
SURVEY_TEAM = _roles(200, operator=404)
SURVEY_OTHER = _roles(200, manager=404, operator=404)
SURVEY_CHANGE = _roles(403, admin=302, hr=302, operator=404)
SURVEY_API_CHANGE = _roles(403, admin=200, hr=200, operator=404)
SURVEY_EXPECTED: dict[str, list[Check]] = {
    "surveys:invitation_list": [Check(EVERYONE)],
    "surveys:invitation_answer": [
        Check(EVERYONE, obj="own_invitation"),
        Check(_roles(403, manager=404, operator=404), obj="other_invitation"),
    ],
    "surveys:invitation_approve": [
        Check(_roles(302, auditor=403, operator=404), method="post", obj="team_proposal")
    ],
    "surveys:invitation_decline": [
        Check(_roles(302, auditor=403, operator=404), method="post", obj="team_proposal")
    ],
    "surveys:external_respond": [Check(EVERYONE, obj="external_token", kwarg="token")],
    "surveys:questionnaire_list": [Check(READERS)],
    "surveys:questionnaire_detail": [Check(READERS_404, obj="questionnaire")],
    "surveys:campaign_list": [Check(_roles(200, operator=403))],
    "surveys:campaign_create": [Check(EDITORS)],
    "surveys:campaign_detail": [Check(SURVEY_TEAM, obj="campaign")],
    "surveys:campaign_open": [Check(SURVEY_CHANGE, method="post", obj="draft_campaign")],
    "surveys:campaign_close": [Check(SURVEY_CHANGE, method="post", obj="campaign")],
    "surveys:campaign_export": [Check(SURVEY_TEAM, obj="campaign")],
    "surveys:subject_add": [Check(SURVEY_CHANGE, method="post", obj="campaign")],
    "surveys:subject_detail": [
        Check(EVERYONE, obj="own_subject"),
        Check(SURVEY_TEAM, obj="team_subject"),
        Check(SURVEY_OTHER, obj="other_subject"),
        Check(
            _roles(400, auditor=403),
            method="post",
            obj="own_subject",
            data={"relationship": "peer"},
        ),
    ],
    "surveys:subject_results": [
        Check(EVERYONE, obj="own_subject"),
        Check(SURVEY_OTHER, obj="other_subject"),
    ],
    "survey-questionnaire-list": [Check(READERS)],
    "survey-questionnaire-detail": [Check(READERS_404, obj="questionnaire")],
    "survey-campaign-list": [
        Check(_roles(200, operator=403)),
        Check(_roles(403, admin=400, hr=400), method="post"),
    ],
    "survey-campaign-detail": [Check(SURVEY_TEAM, obj="campaign")],
    "survey-campaign-open": [Check(SURVEY_API_CHANGE, method="post", obj="draft_campaign")],
    "survey-campaign-close": [Check(SURVEY_API_CHANGE, method="post", obj="campaign")],
    "survey-campaign-response-rates": [Check(SURVEY_TEAM, obj="campaign")],
    "survey-campaign-export": [Check(SURVEY_TEAM, obj="campaign")],
    "survey-subject-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400), method="post"),
    ],
    "survey-subject-detail": [
        Check(EVERYONE, obj="own_subject"),
        Check(SURVEY_TEAM, obj="team_subject"),
        Check(SURVEY_OTHER, obj="other_subject"),
    ],
    "survey-subject-nominate": [
        Check(
            _roles(400, auditor=403),
            method="post",
            obj="own_subject",
            data={"relationship": "peer"},
        ),
    ],
    "survey-subject-nominations": [Check(SURVEY_TEAM, obj="team_subject")],
    "survey-subject-approve": [
        Check(_roles(400, auditor=403, operator=404), method="post", obj="team_subject")
    ],
    "survey-subject-decline": [
        Check(_roles(400, auditor=403, operator=404), method="post", obj="team_subject")
    ],
    "survey-subject-results": [
        Check(EVERYONE, obj="own_subject"),
        Check(SURVEY_OTHER, obj="other_subject"),
    ],
    "survey-invitation-list": [Check(EVERYONE)],
    "survey-invitation-detail": [
        Check(EVERYONE, obj="own_invitation"),
        Check(_roles(200, manager=404, operator=404), obj="other_invitation"),
    ],
    "survey-invitation-answer-form": [
        Check(EVERYONE, obj="own_invitation"),
        Check(_roles(403, manager=404, operator=404), obj="other_invitation"),
    ],
    "survey-invitation-respond": [
        Check(_all(400), method="post", obj="own_invitation", data={"ratings": {}}),
        Check(
            _roles(403, manager=404, operator=404),
            method="post",
            obj="other_invitation",
            data={"ratings": {}},
        ),
    ],
}
EXPECTED.update(SURVEY_EXPECTED)

# 1:1s and improvement plans. "own_*" rows concern the requesting user (the report in a 1:1
# with a T1 colleague, or the person on a plan); "team_*" a T1 colleague, "sibling_*" T2 and
# "other_*" T3. Only the two sides write into a 1:1; nobody manages their own plan (403).
COACH_TEAM = _roles(200, operator=404, auditor=404)
COACH_OUTSIDE = _roles(200, manager=404, operator=404, auditor=404)
COACH_TEAM_WRITE = _roles(403, operator=404, auditor=404)  # visible, not a side of the 1:1
PLAN_TEAM_WRITE = _roles(302, operator=404, auditor=404)
PLAN_API_TEAM = _roles(200, operator=404, auditor=404)
COACHING_EXPECTED: dict[str, list[Check]] = {
    "performance:coaching_home": [Check(EVERYONE)],
    "performance:oneonone_list": [Check(EVERYONE)],
    "performance:oneonone_create": [Check(_roles(403, admin=200, hr=200, manager=200))],
    "performance:oneonone_detail": [
        Check(EVERYONE, obj="own_series"),
        Check(COACH_TEAM, obj="team_series"),
        Check(COACH_OUTSIDE, obj="sibling_series"),
        Check(COACH_OUTSIDE, obj="other_series"),
    ],
    "performance:oneonone_update": [
        Check(_all(302), method="post", obj="own_series", data={"cadence": "weekly"}),
        Check(
            _roles(403, admin=302, hr=302, operator=404, auditor=404),
            method="post",
            obj="team_series",
            data={"cadence": "weekly"},
        ),
        Check(
            _roles(404, admin=302, hr=302),
            method="post",
            obj="other_series",
            data={"cadence": "weekly"},
        ),
    ],
    "performance:meeting_create": [
        Check(_all(302), method="post", obj="own_series", data={"date": "2026-03-09"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_series", data={"date": "2026-03-09"}),
    ],
    "performance:meeting_detail": [
        Check(EVERYONE, obj="own_meeting"),
        Check(COACH_TEAM, obj="team_meeting"),
        Check(COACH_OUTSIDE, obj="other_meeting"),
    ],
    "performance:meeting_notes": [
        Check(_all(302), method="post", obj="own_meeting", data={"shared_notes": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"shared_notes": "x"}),
    ],
    "performance:meeting_private_note": [
        Check(_all(302), method="post", obj="own_meeting", data={"body": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"body": "x"}),
    ],
    "performance:agendaitem_add": [
        Check(_all(302), method="post", obj="own_meeting", data={"text": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"text": "x"}),
    ],
    "performance:actionitem_add": [
        Check(_all(302), method="post", obj="own_meeting", data={"text": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"text": "x"}),
    ],
    "performance:actionitem_status": [
        Check(_all(302), method="post", obj="own_action", data={"status": "done"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_action", data={"status": "done"}),
    ],
    "performance:plan_list": [Check(EVERYONE)],
    "performance:plan_create": [Check(_roles(403, admin=200, hr=200, manager=200))],
    "performance:plan_detail": [
        Check(EVERYONE, obj="own_plan"),
        Check(COACH_TEAM, obj="team_plan"),
        Check(COACH_OUTSIDE, obj="sibling_plan"),
        Check(COACH_OUTSIDE, obj="other_plan"),
    ],
    "performance:plan_update": [
        Check(_all(403), obj="own_plan"),
        Check(COACH_TEAM, obj="team_plan"),
        Check(COACH_OUTSIDE, obj="other_plan"),
    ],
    "performance:plangoal_add": [
        Check(_all(403), method="post", obj="own_plan", data={"description": "x", "measure": "y"}),
        Check(
            PLAN_TEAM_WRITE,
            method="post",
            obj="team_plan",
            data={"description": "x", "measure": "y"},
        ),
    ],
    "performance:plangoal_status": [
        Check(PLAN_TEAM_WRITE, method="post", obj="team_goal", data={"status": "on_track"})
    ],
    "performance:plancheckin_add": [
        Check(PLAN_TEAM_WRITE, method="post", obj="team_plan", data={"date": "2026-03-20"})
    ],
    "performance:plancheckin_record": [
        Check(PLAN_TEAM_WRITE, method="post", obj="team_check_in", data={"notes": "x"})
    ],
    "performance:plan_activate": [
        Check(_all(403), method="post", obj="own_plan"),
        Check(PLAN_TEAM_WRITE, method="post", obj="team_plan"),
        Check(_roles(404, admin=302, hr=302), method="post", obj="other_plan"),
    ],
    "performance:plan_close": [
        Check(_all(403), obj="own_plan"),
        Check(COACH_TEAM, obj="team_plan"),
    ],
    # API
    "coaching-one-on-one-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post"),
    ],
    "coaching-one-on-one-detail": [
        Check(EVERYONE, obj="own_series"),
        Check(COACH_TEAM, obj="team_series"),
        Check(COACH_OUTSIDE, obj="other_series"),
        Check(_all(200), method="patch", obj="own_series", data={"cadence": "weekly"}),
        Check(
            _roles(403, admin=200, hr=200, operator=404, auditor=404),
            method="patch",
            obj="team_series",
            data={"cadence": "weekly"},
        ),
    ],
    "coaching-meeting-list": [Check(EVERYONE), Check(_all(400), method="post")],
    "coaching-meeting-detail": [
        Check(EVERYONE, obj="own_meeting"),
        Check(COACH_TEAM, obj="team_meeting"),
        Check(COACH_OUTSIDE, obj="other_meeting"),
    ],
    "coaching-meeting-notes": [
        Check(_all(200), method="post", obj="own_meeting", data={"shared_notes": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"shared_notes": "x"}),
    ],
    "coaching-meeting-private-note": [
        Check(_all(200), method="post", obj="own_meeting", data={"body": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"body": "x"}),
    ],
    "coaching-meeting-agenda": [
        Check(_all(201), method="post", obj="own_meeting", data={"text": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"text": "x"}),
    ],
    "coaching-meeting-add-action-item": [
        Check(_all(400), method="post", obj="own_meeting", data={"text": "x"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_meeting", data={"text": "x"}),
    ],
    "coaching-action-item-list": [Check(EVERYONE)],
    "coaching-action-item-detail": [
        Check(EVERYONE, obj="own_action"),
        Check(COACH_TEAM, obj="team_action"),
    ],
    "coaching-action-item-set-status": [
        Check(_all(200), method="post", obj="own_action", data={"status": "done"}),
        Check(COACH_TEAM_WRITE, method="post", obj="team_action", data={"status": "done"}),
    ],
    "coaching-plan-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post"),
    ],
    "coaching-plan-detail": [
        Check(EVERYONE, obj="own_plan"),
        Check(COACH_TEAM, obj="team_plan"),
        Check(COACH_OUTSIDE, obj="sibling_plan"),
        Check(COACH_OUTSIDE, obj="other_plan"),
        Check(_all(403), method="patch", obj="own_plan", data={"summary": "x"}),
        Check(PLAN_API_TEAM, method="patch", obj="team_plan", data={"summary": "x"}),
    ],
    "coaching-plan-activate": [
        Check(_all(403), method="post", obj="own_plan"),
        Check(PLAN_API_TEAM, method="post", obj="team_plan"),
    ],
    "coaching-plan-close": [
        Check(_roles(400, operator=404, auditor=404), method="post", obj="team_plan")
    ],
    "coaching-plan-add-goal": [
        Check(
            _roles(201, operator=404, auditor=404),
            method="post",
            obj="team_plan",
            data={"description": "x", "measure": "y"},
        ),
    ],
    "coaching-plan-set-goal-status": [
        Check(_roles(400, operator=404, auditor=404), method="post", obj="team_plan")
    ],
    "coaching-plan-add-check-in": [
        Check(
            _roles(201, operator=404, auditor=404),
            method="post",
            obj="team_plan",
            data={"date": "2026-03-20"},
        ),
    ],
    "coaching-plan-record-check-in": [
        Check(_roles(400, operator=404, auditor=404), method="post", obj="team_plan")
    ],
}
EXPECTED.update(COACHING_EXPECTED)

# KPI library, templates and measurements. "kpi_template" is a draft whose weights make 100;
# measurements exist for the user ("own"), a T1 colleague ("team") and a T3 person ("other").
# Writes with an empty body answer 400 once the policy lets them in.
KPI_EXPECTED: dict[str, list[Check]] = {
    "performance:kpi_list": [Check(EVERYONE)],
    "performance:kpi_create": [Check(EDITORS)],
    "performance:kpi_detail": [Check(EVERYONE, obj="kpi")],
    "performance:kpi_update": [Check(EDITORS, obj="kpi")],
    "performance:kpitemplate_list": [Check(EVERYONE)],
    "performance:kpitemplate_create": [Check(EDITORS)],
    "performance:kpitemplate_detail": [Check(EVERYONE, obj="kpi_template")],
    "performance:kpitemplate_edit": [Check(EDITORS, obj="kpi_template")],
    "performance:kpitemplate_activate": [
        Check(_roles(403, admin=302, hr=302), method="post", obj="kpi_template")
    ],
    "performance:measurement_list": [Check(EVERYONE)],
    "performance:measurement_create": [Check(EDITORS)],
    "performance-kpi-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "performance-kpi-detail": [
        Check(EVERYONE, obj="kpi"),
        Check(EDITORS, method="patch", obj="kpi", data={"target": "90"}),
    ],
    "performance-kpi-template-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "performance-kpi-template-detail": [
        Check(EVERYONE, obj="kpi_template"),
        Check(EDITORS_400, method="patch", obj="kpi_template"),
    ],
    "performance-kpi-template-activate": [Check(EDITORS, method="post", obj="kpi_template")],
    "performance-measurement-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "performance-measurement-detail": [
        Check(EVERYONE, obj="own_measurement"),
        Check(STAFF_TEAM, obj="team_measurement"),
        Check(STAFF_OTHER, obj="other_measurement"),
    ],
    "performance-measurement-bulk": [Check(EDITORS_400, method="post")],
}
EXPECTED.update(KPI_EXPECTED)


def _kpi_objects(objects: dict[str, Any], user: Any) -> dict[str, Any]:
    """A draft KPI template (100%) and one measurement of the user, a T1 and a T3 person."""
    from opsteam.performance.models import KpiTemplate, KpiTemplateItem, Measurement

    kpi = objects["kpi"]
    template = KpiTemplate.objects.create(position=objects["position"], version=9)
    KpiTemplateItem.objects.create(template=template, kpi=kpi, weight=100)
    made: dict[str, Any] = {"kpi_template": template}
    for key, person in [
        ("own", user.staff),
        ("team", objects["team_staff"]),
        ("other", objects["other_staff"]),
    ]:
        made[f"{key}_measurement"] = Measurement.objects.create(
            staff=person, kpi=kpi, date=dt.date(2026, 2, 1), value=1
        )
    return made


def _coaching_objects(objects: dict[str, Any], user: Any) -> dict[str, Any]:
    """1:1s (with a meeting and an action) and draft plans (with a goal and a check-in) for the
    user, a T1 colleague, a T2 and a T3 person; a T1 colleague without a login is the manager."""
    from opsteam.performance.models_coaching import (
        ActionItem,
        ImprovementPlan,
        OneOnOne,
        OneOnOneMeeting,
        PlanCheckIn,
        PlanGoal,
    )

    coach = StaffFactory(unit=user.staff.unit)
    start = dt.date(2026, 3, 2)
    made: dict[str, Any] = {}
    for key, person in [
        ("own", user.staff),
        ("team", objects["team_staff"]),
        ("sibling", objects["sibling_staff"]),
        ("other", objects["other_staff"]),
    ]:
        series = OneOnOne.objects.create(manager=coach, report=person)
        meeting = OneOnOneMeeting.objects.create(series=series, date=start)
        plan = ImprovementPlan.objects.create(
            staff=person, manager=coach, start_date=start, end_date=dt.date(2026, 5, 1)
        )
        made[f"{key}_series"] = series
        made[f"{key}_meeting"] = meeting
        made[f"{key}_action"] = ActionItem.objects.create(meeting=meeting, text="x", owner=person)
        made[f"{key}_plan"] = plan
        made[f"{key}_goal"] = PlanGoal.objects.create(plan=plan, description="g", measure="m")
        made[f"{key}_check_in"] = PlanCheckIn.objects.create(plan=plan, date=dt.date(2026, 3, 16))
    return made


def _survey_objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """An open and a draft campaign; the user's own, a T1 and a T3 subject; a proposal."""
    from opsteam.surveys import services as survey_services
    from opsteam.surveys.tests.factories import CampaignFactory

    hr_user = users["hr"]
    campaign = CampaignFactory(status="open")
    draft = CampaignFactory(status="draft")
    own = survey_services.subject_add(actor=hr_user, campaign=campaign, staff=user.staff)
    team = survey_services.subject_add(
        actor=hr_user, campaign=campaign, staff=objects["team_staff"]
    )
    other = survey_services.subject_add(
        actor=hr_user, campaign=campaign, staff=objects["other_staff"]
    )
    proposal = survey_services.nominate(
        actor=hr_user, subject=team, relationship="peer", rater=objects["sibling_staff"]
    )
    external = survey_services.nominate(
        actor=hr_user, subject=team, relationship="external_customer", external_name="客户"
    )
    token = survey_services.approve(actor=hr_user, invitation=external).token
    return {
        "campaign": campaign,
        "draft_campaign": draft,
        "questionnaire": campaign.questionnaire,
        "own_subject": own,
        "own_invitation": own.invitations.get(relationship="self"),
        "team_subject": team,
        "other_subject": other,
        "other_invitation": team.invitations.get(relationship="self"),
        "team_proposal": proposal,
        "external_token": token,
    }


# Every response of a signed-in user carries these (personnel pages must never be cached).
REQUIRED_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Django's own admin is for superusers' emergencies, not the product; it has its own checks.
EXCLUDED_NAMESPACES = {"admin"}


# Tables of later modules live beside their code (``opsteam/<app>/tests/matrix_*.py``): each
# declares ``EXPECTED``, ``GUARDED`` (models a denied write could touch) and
# ``objects(objects, users, user) -> dict`` building the rows its checks name.
# Every ``matrix_*.py`` of every app's tests package is loaded, in a stable order.
MODULE_TABLES = [
    importlib.import_module(f"opsteam.{app}.tests.{module.name}")
    for app in ("surveys", "training", "careers", "incentives", "workflow", "collab", "insights")
    if importlib.util.find_spec(f"opsteam.{app}.tests") is not None
    for module in sorted(
        pkgutil.iter_modules(importlib.import_module(f"opsteam.{app}.tests").__path__),
        key=lambda module: module.name,
    )
    if module.name.startswith("matrix_")
]
for _table in MODULE_TABLES:
    EXPECTED.update(_table.EXPECTED)


def _walk(patterns: list, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_is_declared_in_the_table():
    routes = _walk(get_resolver().url_patterns)

    missing = sorted(routes - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routes)

    assert not missing, f"routes missing from the permission table: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


def _review_objects(org_tree, hr_user) -> tuple[Any, dict[int, Any], Any]:
    """A company-wide cycle launched into goal setting: one review per staff member."""
    from opsteam.performance import services_cycles
    from opsteam.performance.tests.factories import KpiFactory

    cycle = services_cycles.cycle_create(
        actor=hr_user,
        units=[org_tree.company],
        name="2026 Q1",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        formula="0.7 * kpi + 0.3 * manager",
    )
    services_cycles.cycle_launch(actor=hr_user, cycle=cycle)
    cycle.refresh_from_db()
    reviews = {review.staff_id: review for review in Review.objects.filter(cycle=cycle)}
    return cycle, reviews, KpiFactory()


def _objects(org_tree, users: dict[str, Any]) -> dict[str, Any]:
    team_staff = StaffFactory(unit=org_tree.t1)
    sibling_staff = StaffFactory(unit=org_tree.t2)
    other_staff = StaffFactory(unit=org_tree.t3)
    position = team_staff.position
    v1 = JobDescriptionFactory(
        position=position, version=1, status="superseded", purpose="旧版说明"
    )
    published = JobDescriptionFactory(position=position, version=2, status="published")
    JobDutyFactory(job_description=published)
    draft = JobDescriptionFactory(position=position, version=3, status="draft", purpose="草稿")
    JobDutyFactory(job_description=draft)
    activity = ActivityFactory()
    raci_cell = RaciAssignmentFactory(activity=activity, position=position, role="R")
    other_user = UserFactory(username="someone-else")
    from opsteam.accounts.models import RoleGrant

    other_grant = RoleGrant.objects.create(user=other_user, role="auditor")
    other_token = ApiToken.objects.create(
        user=other_user, name="x", prefix="abcd1234", key_hash="0" * 64
    )
    hr_user = users["hr"]
    services.position_update(actor=hr_user, position=position, headcount_plan=3)
    entry = AuditEntry.objects.order_by("-id").first()
    job = ImportJob.objects.create(kind="staff", file_name="staff.xlsx", status="rejected")
    cycle, reviews, kpi = _review_objects(org_tree, hr_user)
    return {
        "cycle": cycle,
        "reviews": reviews,
        "kpi": kpi,
        "team_review": reviews[team_staff.pk],
        "sibling_review": reviews[sibling_staff.pk],
        "other_review": reviews[other_staff.pk],
        "team_appeal": Appeal.objects.create(review=reviews[team_staff.pk], reason="申诉"),
        "t1": org_tree.t1,
        "t3": org_tree.t3,
        "team_staff": team_staff,
        "sibling_staff": sibling_staff,
        "other_staff": other_staff,
        "team_assignment": team_staff.assignments.get(),
        "other_assignment": other_staff.assignments.get(),
        "position": position,
        "family": position.family,
        "level": team_staff.level,
        "jd_published": published,
        "jd_v1": v1,
        "jd_draft": draft,
        "activity": activity,
        "process": activity.process,
        "raci_cell": raci_cell,
        "other_user": other_user,
        "other_grant": other_grant,
        "other_token": other_token,
        "audit_entry": entry,
        "import_job": job,
        "staff": "staff",
    }


def _url(name: str, check: Check, objects: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    if check.obj is not None:
        value = objects[check.obj]
        kwargs[check.kwarg] = getattr(value, "pk", value)
    for key, obj_name in check.extra_kwargs:
        kwargs[key] = objects[obj_name].pk
    return reverse(name, kwargs=kwargs) + (f"?{check.query}" if check.query else "")


# Tables a denied write could touch; their full content is compared before and after.
GUARDED_MODELS = (
    "org.Staff",
    "org.OrgUnit",
    "org.Position",
    "org.JobDescription",
    "org.JobDuty",
    "org.RaciAssignment",
    "org.Assignment",
    "org.Compensation",
    "accounts.User",
    "accounts.RoleGrant",
    "accounts.ApiToken",
    "core.ImportJob",
    "performance.Kpi",
    "performance.KpiTemplate",
    "performance.Measurement",
    "performance.ReviewCycle",
    "performance.Review",
    "performance.GradeChange",
    "performance.Appeal",
    "surveys.Campaign",
    "surveys.Subject",
    "surveys.Invitation",
    "surveys.Answer",
    "performance.OneOnOne",
    "performance.OneOnOneMeeting",
    "performance.AgendaItem",
    "performance.PrivateNote",
    "performance.ActionItem",
    "performance.ImprovementPlan",
    "performance.PlanGoal",
    "performance.PlanCheckIn",
    *(label for table in MODULE_TABLES for label in table.GUARDED),
)


def _data_digest() -> int:
    """A fingerprint of every row of the guarded tables (small test data: cheap)."""
    from django.apps import apps

    values = []
    for label in GUARDED_MODELS:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields]
        values.append(tuple(model._base_manager.order_by("pk").values_list(*fields)))
    return hash(repr(values))


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_declared(client, org_tree, user_as, role):
    # given one user per role, each with a staff record in team T1 (the manager manages T1)
    users = {r: user_as(r) for r in ROLES}
    user = users[role]
    objects = _objects(org_tree, users)
    objects.update(_survey_objects(objects, users, user))
    objects.update(_coaching_objects(objects, user))
    objects.update(_kpi_objects(objects, user))
    for table in MODULE_TABLES:
        made = table.objects(objects, users, user)
        clashes = sorted(made.keys() & objects.keys())
        assert not clashes, f"{table.__name__} reuses object names {clashes}"
        objects.update(made)
    objects["own_staff"] = user.staff
    objects["own_review"] = objects["reviews"][user.staff.pk]
    objects["own_token"] = ApiToken.objects.create(
        user=user, name="mine", prefix=f"own{role[:5]}", key_hash=f"{role:0>64}"[-64:]
    )
    client.force_login(user)
    surprises = []

    # when every declared request is made, each inside a rolled-back savepoint
    for name, checks in sorted(EXPECTED.items()):
        for check in checks:
            url = _url(name, check, objects)
            audit_before = AuditEntry.objects.count()
            rows_before = _data_digest() if check.method != "get" else None
            try:
                with transaction.atomic():
                    request = getattr(client, check.method)
                    if check.method == "get":
                        response = request(url)
                    else:
                        as_json = url.startswith("/api/") and not check.multipart
                        response = (
                            request(url, check.data, content_type="application/json")
                            if as_json
                            else request(url, check.data)
                        )
                    status = response.status_code
                    wrote = AuditEntry.objects.count() != audit_before
                    changed = rows_before is not None and _data_digest() != rows_before
                    raise _Rollback
            except _Rollback:
                pass
            missing = [
                header
                for header, value in REQUIRED_HEADERS.items()
                if value not in response.headers.get(header, "")
            ]
            if missing:
                surprises.append(f"{url} as {role}: security headers missing {missing}")
            expected = check.expected[role]
            if status != expected:
                surprises.append(
                    f"{check.method.upper()} {url} ({name}) as {role}: "
                    f"expected {expected}, got {status}"
                )
            if check.method != "get" and status >= 400 and changed:
                surprises.append(
                    f"{check.method.upper()} {url} as {role} was denied but changed rows"
                )
            if check.method != "get" and status >= 400 and wrote:
                surprises.append(
                    f"{check.method.upper()} {url} as {role} was denied but wrote an audit entry"
                )
            if status == 404 and url.startswith("/api/"):
                body = response.json()
                if body.get("type") != "client_error":
                    surprises.append(f"{url} as {role}: 404 without the API error body")

    # then nothing surprised us
    assert not surprises, "\n".join(surprises)


def test_denied_read_leaks_no_text(client_as, org_tree):
    other = StaffFactory(unit=org_tree.t3, name="保密的名字")
    client = client_as("operator")

    page = client.get(reverse("org:staff_detail", args=[other.pk]))
    api = client.get(reverse("org-staff-detail", args=[other.pk]))

    assert page.status_code == 404
    assert "保密的名字" not in page.content.decode()
    assert api.status_code == 404
    assert "保密的名字" not in api.content.decode()


def test_assignment_on_date_answers_what_position_was_held(api_client_as, org_tree):
    api = api_client_as("hr")
    staff = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2022, 1, 1))
    old_position = staff.position
    from opsteam.org.tests.factories import PositionFactory

    services.staff_reassign(
        actor=api.user,
        staff=staff,
        effective_date=dt.date(2024, 7, 1),
        reason="promotion",
        position=PositionFactory(),
    )

    before = api.get(reverse("org-assignment-list"), {"staff": staff.pk, "on": "2024-06-30"}).json()
    after = api.get(reverse("org-assignment-list"), {"staff": staff.pk, "on": "2024-07-01"}).json()

    assert [row["position"] for row in before["results"]] == [old_position.pk]
    assert [row["position"] for row in after["results"]] == [staff.position_id]
