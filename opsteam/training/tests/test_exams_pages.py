"""Assessment pages and API as people use them: the learner sits the exam, the grader marks
it, HR reads the results; the key never shows before grading."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opsteam.org.tests.factories import StaffFactory
from opsteam.training import services_exams
from opsteam.training.choices import AttemptStatus, EnrolmentStatus, QuestionKind
from opsteam.training.models import Attempt, Question
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

KEY_TEXT = "正确的做法是先核实订单"
EXPLANATION = "退款前必须核实订单状态"


@pytest.fixture
def bank(user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    course = CourseFactory()
    single = services_exams.question_create(
        actor=hr,
        course=course,
        kind=QuestionKind.SINGLE,
        text="客户申请退款时第一步做什么？",
        explanation=EXPLANATION,
        options=[
            {"text": KEY_TEXT, "is_correct": True},
            {"text": "直接退款", "is_correct": False},
        ],
    )
    short = services_exams.question_create(
        actor=hr, course=course, kind=QuestionKind.SHORT, text="简述售后流程", points=2
    )
    exam = services_exams.exam_create(
        actor=hr, course=course, kind="post", name="售后结业考试", pass_mark=Decimal(50)
    )
    return {"hr": hr, "course": course, "single": single, "short": short, "exam": exam}


def learner_in(bank, client_as):
    client = client_as("operator")
    EnrolmentFactory(staff=client.user.staff, course=bank["course"])
    return client


def right_option(question: Question) -> int:
    return question.options.get(is_correct=True).pk


def test_the_learner_sits_the_exam_and_sees_the_key_only_after_grading(bank, client_as, user_as):
    client = learner_in(bank, client_as)
    exam, single, short = bank["exam"], bank["single"], bank["short"]

    response = client.post(reverse("training:exam_start", args=[exam.pk]))
    attempt = Attempt.objects.get()
    assert response.url == attempt.get_absolute_url()
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert KEY_TEXT in page  # the option is shown...
    assert "Correct answer" not in page
    assert EXPLANATION not in page
    assert 'id="attempt-form"' in page

    saved = client.post(
        reverse("training:attempt_save", args=[attempt.pk]),
        {f"q_{single.pk}": right_option(single), f"t_{short.pk}": "先核实再退款"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert "Saved at" in saved.content.decode()
    reloaded = client.get(attempt.get_absolute_url()).content.decode()
    assert f'value="{right_option(single)}" checked' in reloaded  # the same paper, answers kept

    client.post(reverse("training:attempt_submit", args=[attempt.pk]), {})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    waiting = client.get(attempt.get_absolute_url()).content.decode()
    assert "Correct answer" not in waiting
    assert EXPLANATION not in waiting
    assert "waiting for the instructor" in waiting

    grader = client_as("hr")
    form = grader.get(reverse("training:attempt_grade", args=[attempt.pk])).content.decode()
    assert "先核实再退款" in form
    bad = grader.post(
        reverse("training:attempt_grade", args=[attempt.pk]), {f"points_{short.pk}": "9"}
    )
    assert bad.status_code == 400
    assert "between 0 and 2" in bad.content.decode()
    good = grader.post(
        reverse("training:attempt_grade", args=[attempt.pk]),
        {f"points_{short.pk}": "1", f"comment_{short.pk}": "步骤不全"},
    )
    assert good.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.status, attempt.percent, attempt.passed) == (
        AttemptStatus.GRADED,
        Decimal("66.7"),
        True,
    )
    assert attempt.enrolment.status == EnrolmentStatus.COMPLETED

    result = client.get(attempt.get_absolute_url()).content.decode()
    assert "Correct answer" in result
    assert EXPLANATION in result
    assert "步骤不全" in result
    assert 'id="attempt-percent">66.7%' in result


def test_the_api_hides_the_key_until_grading_and_never_takes_a_score(bank, api_client_as):
    api = api_client_as("operator")
    EnrolmentFactory(staff=api.user.staff, course=bank["course"])
    single, short = bank["single"], bank["short"]

    started = api.post(reverse("training-exam-start", args=[bank["exam"].pk]))
    assert started.status_code == 201
    body = started.json()
    options = [o for q in body["questions"] for o in q["options"]]
    assert options
    assert all(o["correct"] is None for o in options)
    assert "is_correct" not in started.content.decode()
    assert EXPLANATION not in started.content.decode()

    url = reverse("training-attempt-submit", args=[body["id"]])
    submitted = api.post(
        url,
        {
            "answers": [
                {"question": single.pk, "selected": [right_option(single)]},
                {"question": short.pk, "text": "答案"},
            ],
            "score": "100",
            "passed": True,
            "status": "graded",
        },
        format="json",
    )
    assert submitted.status_code == 200
    data = submitted.json()
    assert data["status"] == "submitted"
    assert data["score"] is None
    assert data["passed"] is None
    assert all(o["correct"] is None for q in data["questions"] for o in q["options"])
    attempt = Attempt.objects.get(pk=body["id"])
    assert attempt.passed is None

    assert api.get(reverse("training-question-list")).status_code == 403
    assert api.get(reverse("training-question-detail", args=[single.pk])).status_code == 404
    grade = api.post(
        reverse("training-attempt-grade", args=[attempt.pk]),
        {"marks": [{"question": short.pk, "points": 2}]},
        format="json",
    )
    assert grade.status_code == 403  # nobody grades their own attempt


def test_grading_through_the_api_reveals_the_result(bank, api_client_as):
    learner = api_client_as("operator")
    EnrolmentFactory(staff=learner.user.staff, course=bank["course"])
    attempt = services_exams.attempt_start(actor=learner.user, exam=bank["exam"])
    services_exams.attempt_submit(actor=learner.user, attempt=attempt)
    hr = api_client_as("hr")
    url = reverse("training-attempt-grade", args=[attempt.pk])
    too_many = hr.post(url, {"marks": [{"question": bank["short"].pk, "points": 3}]}, format="json")
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["attr"] == f"points_{bank['short'].pk}"
    graded = hr.post(url, {"marks": [{"question": bank["short"].pk, "points": 2}]}, format="json")
    assert graded.status_code == 200
    assert graded.json()["percent"] == "66.7"
    mine = learner.get(reverse("training-attempt-detail", args=[attempt.pk])).json()
    assert any(o["correct"] for q in mine["questions"] for o in q["options"])


def test_hr_writes_questions_through_the_api_and_validation_names_the_field(bank, api_client_as):
    api = api_client_as("hr")
    payload = {
        "course": bank["course"].pk,
        "kind": "single",
        "text": "哪项正确？",
        "options": [{"text": "甲", "is_correct": True}, {"text": "乙", "is_correct": True}],
    }
    bad = api.post(reverse("training-question-list"), payload, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "options"
    payload["options"][1]["is_correct"] = False
    created = api.post(reverse("training-question-list"), payload, format="json")
    assert created.status_code == 201
    assert [o["is_correct"] for o in created.json()["options"]] == [True, False]


def test_question_form_shows_the_options_error(bank, client_as):
    client = client_as("hr")
    data = {
        "kind": "single",
        "text": "新题",
        "points": "1",
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-0-text": "甲",
        "options-0-is_correct": "on",
        "options-1-text": "乙",
        "options-1-is_correct": "on",
        "rubric-TOTAL_FORMS": "0",
        "rubric-INITIAL_FORMS": "0",
    }
    url = reverse("training:question_create", args=[bank["course"].pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "exactly one correct option" in response.content.decode()
    del data["options-1-is_correct"]
    assert client.post(url, data).status_code == 302
    assert Question.objects.filter(course=bank["course"], text="新题").exists()


def test_operators_never_see_the_bank(bank, client_as):
    client = client_as("operator")
    assert (
        client.get(reverse("training:question_bank", args=[bank["course"].pk])).status_code == 403
    )
    page = client.get(bank["exam"].get_absolute_url()).content.decode()
    assert KEY_TEXT not in page


def _submitted_attempts(bank, count, org_tree):
    for _ in range(count):
        staff = StaffFactory(unit=org_tree.t1)
        enrolment = EnrolmentFactory(staff=staff, course=bank["course"])
        attempt = Attempt.objects.create(
            exam=bank["exam"],
            enrolment=enrolment,
            number=1,
            paper={"seed": 1, "questions": [bank["short"].pk], "options": {}},
            status=AttemptStatus.SUBMITTED,
            started_at=bank["exam"].created_at,
            submitted_at=bank["exam"].created_at,
            score=Decimal(0),
            max_score=Decimal(2),
            percent=Decimal(0),
        )
        assert attempt.pk


@pytest.mark.parametrize("route", ["training:grading_queue", "training:exam_results"])
def test_grading_queue_and_results_query_budget_does_not_grow_with_rows(
    bank, client_as, org_tree, django_assert_max_num_queries, route
):
    client = client_as("hr")
    args = [] if route == "training:grading_queue" else [bank["exam"].pk]
    _submitted_attempts(bank, 2, org_tree)
    client.get(reverse(route, args=args))  # the session and role caches settle on a first visit
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse(route, args=args)).status_code == 200
    _submitted_attempts(bank, 25, org_tree)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(reverse(route, args=args))
    assert page.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_results_show_pass_rate_and_export_escapes_formulas(bank, client_as, user_as, org_tree):
    learner = user_as("operator", name="=HYPERLINK(1)", name_en="=HYPERLINK(1)")
    EnrolmentFactory(staff=learner.staff, course=bank["course"])
    attempt = services_exams.attempt_start(actor=learner, exam=bank["exam"])
    services_exams.attempt_submit(
        actor=learner,
        attempt=attempt,
        answers={bank["single"].pk: {"selected": [right_option(bank["single"])]}},
    )
    services_exams.attempt_grade(
        actor=bank["hr"], attempt=attempt, marks={bank["short"].pk: {"points": 0}}
    )
    manager = client_as("manager")
    page = manager.get(reverse("training:exam_results", args=[bank["exam"].pk])).content.decode()
    assert 'id="pass-rate">0.0%' in page  # 1 of 3 points: 33.3% < 50%
    assert 'data-chart="score-option"' in page
    export = manager.get(reverse("training:exam_results_export", args=[bank["exam"].pk]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=HYPERLINK(1)"]
    operator = client_as("operator")
    assert operator.get(reverse("training:exam_results", args=[bank["exam"].pk])).status_code == 403


def test_the_attempts_limit_message_is_shown(bank, client_as):
    exam = bank["exam"]
    exam.max_attempts = 1
    exam.save()
    client = learner_in(bank, client_as)
    client.post(reverse("training:exam_start", args=[exam.pk]))
    attempt = Attempt.objects.get()
    client.post(reverse("training:attempt_submit", args=[attempt.pk]), {})
    response = client.post(reverse("training:exam_start", args=[exam.pk]), follow=True)
    assert "used all 1 attempts" in response.content.decode()
    assert Attempt.objects.count() == 1
