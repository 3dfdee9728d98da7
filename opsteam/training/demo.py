"""Demo training data: a catalogue, onboarding and role plans with rules, a question bank with
pre- and post-tests, a past data-analysis session (attendance, exams, reaction survey,
managers' 30/60-day observations) whose trainees' GMV rose afterwards, and upcoming sessions
(idempotent: nothing is created twice).

Catalogue, plans, rules, questions, exams and upcoming sessions go through the services (so
they are validated and audited like real use). The past session is history: its rows are
written directly, as an import of last quarter's records would, and then completed through
``services.enrolment_evaluate`` so skills, certificates and observations follow the real rules.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from opsteam.org.models import Skill, Staff
from opsteam.performance.models import Measurement
from opsteam.surveys.choices import InvitationStatus
from opsteam.surveys.models import Answer, Invitation
from opsteam.training import (
    grading,
    reaction,
    services,
    services_catalogue,
    services_delivery,
    services_exams,
)
from opsteam.training.choices import (
    AttemptStatus,
    CheckpointStatus,
    EnrolmentStatus,
    ExamKind,
    QuestionKind,
    SessionStatus,
    Trigger,
)
from opsteam.training.models import (
    Attempt,
    AttemptAnswer,
    BehaviourCheck,
    BehaviourItem,
    Course,
    Enrolment,
    Exam,
    Registration,
    SelfLearning,
    Session,
)

# code, name, English name, category, method, delivery, hours, open, certificate months,
# skills (code, level), description
COURSES: list[tuple[Any, ...]] = [
    (
        "ONB-CULTURE",
        "企业文化与价值观",
        "Company culture and values",
        "culture",
        "theory",
        "classroom",
        "2",
        True,
        None,
        [],
        "公司使命、价值观与行为准则；运营团队的协作方式。",
    ),
    (
        "ONB-DUTIES",
        "运营岗位职责与考核体系",
        "Operations roles, duties and appraisal",
        "process",
        "theory",
        "online",
        "1.5",
        True,
        None,
        [],
        "运营中心各岗位的职责、KPI 与考核周期，新人如何读懂自己的岗位说明书。",
    ),
    (
        "ONB-TOOLS",
        "运营流程与工具入门",
        "Operations processes and tools",
        "tools",
        "hands_on",
        "classroom",
        "3",
        True,
        None,
        [("SK-PLATFORM", 2)],
        "上新、改价、活动报名、客服工单的标准流程与后台工具实操。",
    ),
    (
        "DATA-101",
        "数据分析基础：Excel 与 SQL",
        "Data analysis basics: Excel and SQL",
        "data",
        "hands_on",
        "classroom",
        "6",
        True,
        24,
        [("SK-EXCEL", 3), ("SK-SQL", 2)],
        "用 Excel 透视表与基础 SQL 读懂店铺经营数据，找到转化漏斗中的问题。",
    ),
    (
        "STORE-201",
        "店铺活动策划实战",
        "Store campaign planning in practice",
        "industry",
        "case_study",
        "classroom",
        "4",
        True,
        None,
        [("SK-CAMPAIGN", 3), ("SK-PRICING", 2)],
        "以 618、双十一为案例，拆解活动目标、节奏与复盘。",
    ),
    (
        "CS-101",
        "客户心理与投诉处理",
        "Customer psychology and complaint handling",
        "customer_psychology",
        "case_study",
        "classroom",
        "3",
        True,
        None,
        [("SK-CS", 3)],
        "识别客户情绪、化解投诉、把差评变成复购机会。",
    ),
    (
        "MKT-201",
        "广告投放与 ROI 分析",
        "Advertising and ROI analysis",
        "data",
        "hands_on",
        "online",
        "4",
        True,
        None,
        [("SK-ADS", 3), ("SK-ROI", 3)],
        "直通车与千川的投放结构、出价与 ROI 复盘。",
    ),
    (
        "LEAD-101",
        "新任主管领导力",
        "Leadership for new team leads",
        "leadership",
        "case_study",
        "classroom",
        "8",
        False,
        None,
        [("SK-LEAD", 2), ("SK-COMMS", 3)],
        "从骨干到主管：目标拆解、一对一沟通、绩效反馈与团队氛围。",
    ),
    (
        "CAREER-101",
        "运营人的职业发展规划",
        "Career planning for operators",
        "career",
        "theory",
        "online",
        "1",
        True,
        None,
        [],
        "运营职业路径（专业线与管理线）与个人发展计划的制定。",
    ),
]

PLANS = [
    (
        "ONBOARD",
        "新员工入职培训",
        "New-hire onboarding",
        "onboarding",
        [("ONB-CULTURE", 7), ("ONB-DUTIES", 14), ("ONB-TOOLS", 30)],
        (Trigger.HIRE, None, 30),
    ),
    (
        "ROLE-STORE",
        "店铺运营岗位技能",
        "Store operations role skills",
        "role_skills",
        [("DATA-101", 60), ("STORE-201", 90)],
        (Trigger.POSITION_CHANGE, "STORE-SPEC", 90),
    ),
    (
        "DEV-LEAD",
        "新任主管发展计划",
        "New team lead development",
        "development",
        [("LEAD-101", 60), ("CAREER-101", 30)],
        (Trigger.LEVEL_CHANGE, None, 60),
    ),
]

DATA_QUESTIONS = [
    (
        "数据透视表最适合做哪件事？",
        "What is a pivot table best for?",
        [("按维度汇总与对比", True), ("绘制海报", False), ("写 SQL", False), ("发邮件", False)],
    ),
    (
        "转化率 = ？",
        "Conversion rate = ?",
        [("支付买家数 ÷ 访客数", True), ("访客数 ÷ 支付买家数", False), ("成交额 ÷ 访客数", False)],
    ),
    (
        "SQL 中筛选行用哪个关键字？",
        "Which SQL keyword filters rows?",
        [("WHERE", True), ("ORDER BY", False), ("GROUP BY", False), ("SELECT", False)],
    ),
    (
        "对比活动效果时应先统一指标口径。",
        "Align metric definitions before comparing campaigns.",
        [("对", True), ("错", False)],
    ),
    (
        "GROUP BY 之后筛选汇总结果用哪个关键字？",
        "Which keyword filters grouped results?",
        [("HAVING", True), ("WHERE", False), ("LIMIT", False)],
    ),
]
BEHAVIOURS = {
    "DATA-101": ["每周用数据复盘店铺转化漏斗", "调整价格或活动前先看数据", "能独立写查询取数"],
    "CS-101": ["先安抚情绪再处理问题", "投诉 24 小时内闭环", "把典型问题沉淀到话术库"],
}
PAST_SESSION_DAY = dt.date(2026, 9, 1)
TRAINED = 5  # store specialists in the past DATA-101 session (the others are the comparison)
GMV_UPLIFT = Decimal("1.15")
COMMENTS = [
    "案例很贴近日常工作，回去就能用。",
    "SQL 部分节奏有点快，希望多练习。",
    "讲师讲得清楚，透视表技巧很实用。",
    "希望有进阶课程。",
]


def build(*, actor: Any, rng: random.Random, today: dt.date | None = None) -> dict[str, int]:
    """Create the missing demo training data; return what was created by kind."""
    today = today or timezone.localdate()
    created = {"courses": 0, "plans": 0, "sessions": 0, "enrolments": 0}
    courses = {c.code: c for c in Course.objects.filter(code__in=[row[0] for row in COURSES])}
    skills = {s.code: s for s in Skill.objects.all()}
    for row in COURSES:
        code, name, name_en, category, method, delivery, hours, is_open, months, taught, text = row
        if code in courses:
            continue
        courses[code] = services_catalogue.course_create(
            actor=actor,
            skills=[(skills[s], level) for s, level in taught if s in skills],
            code=code,
            name=name,
            name_en=name_en,
            description=text,
            category=category,
            method=method,
            delivery=delivery,
            duration_hours=Decimal(hours),
            is_open=is_open,
            issues_certificate=months is not None,
            certificate_valid_months=months,
        )
        for order, behaviour in enumerate(BEHAVIOURS.get(code, [])):
            BehaviourItem.objects.create(course=courses[code], text=behaviour, order=order)
        created["courses"] += 1
    if created["courses"]:
        _plans(actor, courses)
        created["plans"] = len(PLANS)
        _data_exams(actor, courses["DATA-101"])
        _culture_exam(actor, courses["ONB-CULTURE"])
    if not Session.objects.filter(course=courses["DATA-101"]).exists():
        created["enrolments"] += _past_session(actor, rng, courses["DATA-101"])
        created["sessions"] += 1
    if not Session.objects.filter(course=courses["CS-101"]).exists():
        created["sessions"] += _upcoming(actor, courses, today)
    created["enrolments"] += _operator_learning(actor, courses, today)
    return created


def _plans(actor: Any, courses: dict[str, Course]) -> None:
    from opsteam.org.models import Position

    positions = {p.code: p for p in Position.objects.all()}
    for code, name, name_en, stage, items, (trigger, position, due) in PLANS:
        plan = services_catalogue.plan_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            stage=stage,
            items=[
                {"course": courses[c], "due_days": days, "order": i, "is_required": True}
                for i, (c, days) in enumerate(items)
            ],
        )
        services_catalogue.rule_create(
            actor=actor,
            plan=plan,
            trigger=trigger,
            position=positions.get(position) if position else None,
            due_days=due,
        )


def _data_exams(actor: Any, course: Course) -> None:
    questions = []
    for text, text_en, options in DATA_QUESTIONS:
        kind = QuestionKind.TRUE_FALSE if len(options) == 2 else QuestionKind.SINGLE
        questions.append(
            services_exams.question_create(
                actor=actor,
                course=course,
                kind=kind,
                text=text,
                text_en=text_en,
                points=2,
                options=[{"text": t, "is_correct": ok} for t, ok in options],
            )
        )
    for kind, name, name_en in (
        (ExamKind.PRE, "数据分析基础 课前测", "Data basics pre-test"),
        (ExamKind.POST, "数据分析基础 结业考试", "Data basics final exam"),
    ):
        services_exams.exam_create(
            actor=actor,
            course=course,
            kind=kind,
            name=name,
            name_en=name_en,
            questions=questions,
            pass_mark=Decimal("60"),
            time_limit_minutes=20,
            max_attempts=3,
        )


CULTURE_QUESTIONS = [
    (
        "我们的服务理念是？",
        "Our service principle is?",
        [("客户第一，数据说话", True), ("流量第一", False), ("先上线再说", False)],
    ),
    (
        "发现重大客诉应在多长时间内上报？",
        "How soon must a serious complaint be reported?",
        [("2 小时内", True), ("一周内", False), ("月底汇总", False)],
    ),
    (
        "跨组协作时，RACI 中的 A 表示最终负责人。",
        "In RACI, A is the accountable person.",
        [("对", True), ("错", False)],
    ),
]


def _culture_exam(actor: Any, course: Course) -> None:
    """A short post-test new hires take after the culture session."""
    questions = [
        services_exams.question_create(
            actor=actor,
            course=course,
            kind=QuestionKind.TRUE_FALSE if len(options) == 2 else QuestionKind.SINGLE,
            text=text,
            text_en=text_en,
            options=[{"text": t, "is_correct": ok} for t, ok in options],
        )
        for text, text_en, options in CULTURE_QUESTIONS
    ]
    services_exams.exam_create(
        actor=actor,
        course=course,
        kind=ExamKind.POST,
        name="企业文化小测",
        name_en="Culture quiz",
        questions=questions,
        pass_mark=Decimal("60"),
        max_attempts=3,
        shuffle_questions=False,
    )


def _sit(exam: Exam, enrolment: Enrolment, skill: float, rng: random.Random, when) -> None:
    """A graded attempt whose answers are right with probability ``skill``."""
    questions = list(exam.questions.prefetch_related("options"))
    specs = services_exams.question_specs(questions)
    paper = grading.shuffle_paper(
        specs, seed=rng.randrange(1 << 30), shuffle_questions=True, shuffle_options=True
    )
    attempt = Attempt.objects.create(
        exam=exam,
        enrolment=enrolment,
        number=1,
        paper=paper.to_json(),
        status=AttemptStatus.GRADED,
        started_at=when,
        submitted_at=when + dt.timedelta(minutes=rng.randint(8, 18)),
        graded_at=when + dt.timedelta(minutes=20),
    )
    answers = {}
    for question in questions:
        options = list(question.options.all())
        right = [o.pk for o in options if o.is_correct]
        wrong = [o.pk for o in options if not o.is_correct]
        chosen = right if rng.random() < skill or not wrong else [rng.choice(wrong)]
        answers[question.pk] = grading.Answer(chosen=frozenset(chosen))
        AttemptAnswer.objects.create(attempt=attempt, question=question, selected=chosen)
    result = grading.grade_attempt(specs, answers, exam.pass_mark)
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.percent, attempt.passed = result.percent, result.passed
    attempt.save()


def _past_session(actor: Any, rng: random.Random, course: Course) -> int:
    """The 1 September DATA-101 session: 6 store specialists registered, 5 attended, sat both
    tests and completed; the reaction survey answered by 4; managers observed at 30 and 60
    days; the trainees' GMV rose by 15% after the course (the other specialists' did not)."""
    specialists = list(
        Staff.objects.filter(position__code="STORE-SPEC", status="active").order_by("employee_no")
    )
    operator = Staff.objects.filter(user__username="operator").first()
    trainees = specialists[:TRAINED]
    if operator is not None and operator in specialists and operator not in trainees:
        trainees[-1] = operator
    absent = [p for p in specialists if p not in trainees][:1]
    instructor = Staff.objects.filter(unit__code="OPS-DATA").order_by("employee_no").first()
    start = timezone.make_aware(dt.datetime.combine(PAST_SESSION_DAY, dt.time(14, 0)))
    session = Session.objects.create(
        course=course,
        instructor=instructor,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        location="总部 3 楼培训室",
        capacity=12,
        status=SessionStatus.COMPLETED,
    )
    pre = Exam.objects.get(course=course, kind=ExamKind.PRE, is_active=True)
    post = Exam.objects.get(course=course, kind=ExamKind.POST, is_active=True)
    for person in [*trainees, *absent]:
        attended = person in trainees
        enrolment = Enrolment.objects.create(
            staff=person,
            course=course,
            source="rule",
            status=EnrolmentStatus.IN_PROGRESS,
            started_on=PAST_SESSION_DAY,
            due_on=PAST_SESSION_DAY + dt.timedelta(days=30),
        )
        Registration.objects.create(
            session=session,
            enrolment=enrolment,
            status="registered",
            attended=attended,
            checked_in_at=start + dt.timedelta(minutes=rng.randint(-10, 5)) if attended else None,
        )
        _sit(pre, enrolment, rng.uniform(0.3, 0.6), rng, start - dt.timedelta(days=3))
        if attended:
            _sit(post, enrolment, rng.uniform(0.75, 1.0), rng, start + dt.timedelta(hours=3))
            services.enrolment_evaluate(actor=actor, enrolment=enrolment, on=PAST_SESSION_DAY)
    _observations(rng)
    _reaction(actor, rng, session)
    trained_ids = [p.pk for p in trainees]
    Measurement.objects.filter(
        staff_id__in=trained_ids, kpi__code="GMV", date__gt=PAST_SESSION_DAY
    ).update(value=F("value") * GMV_UPLIFT)
    return len(trainees) + len(absent)


def _observations(rng: random.Random) -> None:
    """Managers recorded the 30-day observations of everyone and the 60-day ones of most."""
    checks = BehaviourCheck.objects.filter(enrolment__course__code="DATA-101").select_related(
        "enrolment__course"
    )
    items = {}
    for check in checks:
        if check.checkpoint_days == 90 or (check.checkpoint_days == 60 and rng.random() < 0.3):
            continue
        course_items = items.setdefault(
            check.enrolment.course_id, list(check.enrolment.course.behaviour_items.all())
        )
        base = 3 if check.checkpoint_days == 30 else 4
        check.ratings = {
            str(item.pk): min(5, max(1, base + rng.choice([-1, 0, 0, 1]))) for item in course_items
        }
        check.status = CheckpointStatus.DONE
        check.observed_at = timezone.make_aware(dt.datetime.combine(check.due_on, dt.time(10, 0)))
        check.comment = rng.choice(
            ["开始主动用数据说话。", "复盘更有条理了。", "取数还需要同事帮忙。"]
        )
        check.save()


def _reaction(actor: Any, rng: random.Random, session: Session) -> None:
    """Four of the five participants answered the reaction survey."""
    campaign = reaction.reaction_survey_open(actor=actor, session=session)
    questions = list(campaign.questionnaire.questions.all())
    now = timezone.now()
    invitations = list(Invitation.objects.filter(subject__campaign=campaign).order_by("pk"))[:4]
    answers = []
    for invitation in invitations:
        for question in questions:
            if question.competency == "recommend":
                answers.append(
                    Answer(
                        invitation=invitation,
                        question=question,
                        rating=rng.choice([7, 8, 9, 9, 10]),
                    )
                )
            elif question.is_rating:
                answers.append(
                    Answer(
                        invitation=invitation, question=question, rating=rng.choice([4, 4, 5, 5, 3])
                    )
                )
            elif rng.random() < 0.6:
                answers.append(
                    Answer(invitation=invitation, question=question, comment=rng.choice(COMMENTS))
                )
    Answer.objects.bulk_create(answers)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        status=InvitationStatus.SUBMITTED, submitted_at=now
    )


def _upcoming(actor: Any, courses: dict[str, Course], today: dt.date) -> int:
    """CS-101 next week (6 seats, two people waiting) and an online onboarding session."""
    day = today + dt.timedelta(days=5)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    trainer = Staff.objects.filter(unit__code="OPS-USER").order_by("employee_no").first()
    session = services_delivery.session_create(
        actor=actor,
        course=courses["CS-101"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        instructor=trainer,
        location="总部 5 楼会议室",
        capacity=6,
    )
    people = list(
        Staff.objects.filter(unit__code__in=["OPS-USER", "OPS-STORE"], status="active")
        .exclude(pk=getattr(trainer, "pk", None))
        .order_by("employee_no")[:8]
    )
    operator = Staff.objects.filter(user__username="operator").first()
    if operator is not None and operator not in people:
        people = [operator, *people[:7]]
    for person in people:
        services_delivery.registration_request(actor=actor, session=session, staff=person)
    online = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=3), dt.time(10, 0)))
    services_delivery.session_create(
        actor=actor,
        course=courses["ONB-CULTURE"],
        starts_at=online,
        ends_at=online + dt.timedelta(hours=2),
        external_instructor="人力资源部 HRBP",
        online_url="https://meeting.example.com/onboarding",
        capacity=30,
    )
    return 2


def _operator_learning(actor: Any, courses: dict[str, Course], today: dt.date) -> int:
    """The operator login's own learning: a career course due soon, an overdue tools course,
    and a book awaiting their manager's approval."""
    operator = Staff.objects.filter(user__username="operator").first()
    if operator is None or SelfLearning.objects.filter(staff=operator).exists():
        return 0
    services.enrolment_assign(
        actor=actor,
        staff=operator,
        course=courses["CAREER-101"],
        due_on=today + dt.timedelta(days=10),
    )
    late = services.enrolment_assign(actor=actor, staff=operator, course=courses["ONB-TOOLS"])
    Enrolment.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=4))
    SelfLearning.objects.create(
        staff=operator,
        kind="book",
        title="《增长黑客》",
        provider="肖恩·埃利斯",
        hours=Decimal("8"),
        completed_on=today - dt.timedelta(days=6),
        summary="AARRR 模型；用实验验证增长想法。",
    )
    return 2
