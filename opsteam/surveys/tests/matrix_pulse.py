"""Access-matrix rows of pulse surveys (pages and API). Walked by
core/tests/test_permission_matrix.py.

Objects: the standard question library; a draft survey (HR's, invisible to others) and an
open survey of team T1 (where every matrix user sits, so everyone is invited) and T3.
HR and administrators run surveys; everyone sees surveys that are not drafts and answers
their own invitation; results: HR, administrators, auditors, managers (their subtree);
operators only when the survey shares company results (this one does not).
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import EDITORS, EDITORS_400, Check, _all, _roles

DRAFT = _roles(404, admin=200, hr=200)
RESULTS = _roles(200, operator=403)
LIBRARY = _roles(200, operator=403)
EDIT_OPEN_PAGE = _roles(403, admin=302, hr=302)
EDIT_OPEN_API = _roles(403, admin=200, hr=200)

EXPECTED: dict[str, list[Check]] = {
    "surveys:pulse_list": [Check(_all(200))],
    "surveys:pulse_create": [Check(EDITORS), Check(EDITORS_400, method="post", data={})],
    "surveys:pulse_library": [Check(LIBRARY)],
    "surveys:pulse_question_create": [
        Check(EDITORS),
        Check(EDITORS_400, method="post", data={"code": "x"}),
    ],
    "surveys:pulse_detail": [
        Check(_all(200), obj="open_pulse"),
        Check(DRAFT, obj="draft_pulse"),
    ],
    "surveys:pulse_schedule": [
        Check(_roles(404, admin=302, hr=302), method="post", obj="draft_pulse"),
    ],
    "surveys:pulse_close": [Check(EDIT_OPEN_PAGE, method="post", obj="open_pulse")],
    "surveys:pulse_results": [
        Check(RESULTS, obj="open_pulse"),
        Check(RESULTS, obj="open_pulse", query="band=lt1"),
    ],
    "surveys:pulse_respond": [
        Check(_all(200), obj="open_pulse_wave"),
        Check(_all(400), method="post", obj="open_pulse_wave", data={}),
    ],
    "survey-pulse-question-list": [
        Check(LIBRARY),
        Check(EDITORS_400, method="post", data={"code": "x"}),
    ],
    "survey-pulse-question-detail": [Check(_roles(200, operator=404), obj="pulse_question")],
    "survey-pulse-list": [Check(_all(200)), Check(EDITORS_400, method="post", data={})],
    "survey-pulse-detail": [
        Check(_all(200), obj="open_pulse"),
        Check(DRAFT, obj="draft_pulse"),
    ],
    "survey-pulse-schedule": [
        Check(_roles(404, admin=200, hr=200), method="post", obj="draft_pulse")
    ],
    "survey-pulse-close": [Check(EDIT_OPEN_API, method="post", obj="open_pulse")],
    "survey-pulse-results": [
        Check(RESULTS, obj="open_pulse"),
        Check(RESULTS, obj="open_pulse", query="band=gt3&wave=99999999999999999999"),
    ],
    "survey-pulse-trend": [Check(RESULTS, obj="open_pulse")],
    "survey-pulse-wave-list": [Check(_all(200))],
    "survey-pulse-wave-detail": [Check(_all(200), obj="open_pulse_wave")],
    "survey-pulse-wave-respond": [
        Check(_all(400), method="post", obj="open_pulse_wave", data={}),
        Check(_all(400), method="post", obj="open_pulse_wave", data={"answers": [{"question": 1}]}),
    ],
}

GUARDED = (
    "surveys.PulseQuestion",
    "surveys.PulseSurvey",
    "surveys.PulseSurveyQuestion",
    "surveys.PulseWave",
    "surveys.PulseParticipation",
    "surveys.PulseResponse",
    "surveys.PulseAnswer",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """The library, a draft survey starting next month and an open survey of T1 and T3."""
    import datetime as dt

    from django.utils import timezone

    from opsteam.surveys import services_pulse
    from opsteam.surveys.models_pulse import PulseQuestion

    services_pulse.library_seed()
    questions = {q.code: q for q in PulseQuestion.objects.all()}
    hr, today = users["hr"], timezone.localdate()
    picked = [questions["enps"], questions["workload-manageable"], questions["comment-improve"]]
    draft = services_pulse.survey_create(
        actor=hr,
        name="草稿调查",
        questions=picked,
        units=[objects["t1"]],
        starts_on=today + dt.timedelta(days=30),
    )
    live = services_pulse.survey_create(
        actor=hr,
        name="十一月脉搏",
        questions=picked,
        units=[objects["t1"], objects["t3"]],
        starts_on=today,
    )
    services_pulse.survey_schedule(actor=hr, survey=live, today=today)
    return {
        "pulse_question": questions["enps"],
        "draft_pulse": draft,
        "open_pulse": live,
        "open_pulse_wave": live.waves.get(),
    }
