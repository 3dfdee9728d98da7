"""Factories of the training domain (shared by every training test module)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from opsteam.training import models
from opsteam.training.choices import (
    AssignmentSource,
    CourseCategory,
    ExamKind,
    PlanStage,
    QuestionKind,
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"课程{n}")
    name_en = factory.Sequence(lambda n: f"Course {n}")
    category = CourseCategory.TOOLS
    duration_hours = Decimal("2")


class CourseSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CourseSkill

    course = factory.SubFactory(CourseFactory)
    skill = factory.SubFactory("opsteam.org.tests.factories.SkillFactory")
    target_level = 3


class TrainingPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TrainingPlan

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.Sequence(lambda n: f"培训计划{n}")
    name_en = factory.Sequence(lambda n: f"Plan {n}")
    stage = PlanStage.ONBOARDING


class PlanCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PlanCourse

    plan = factory.SubFactory(TrainingPlanFactory)
    course = factory.SubFactory(CourseFactory)
    due_days = 30


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Enrolment

    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    course = factory.SubFactory(CourseFactory)
    source = AssignmentSource.MANUAL
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    location = "培训室 A"
    capacity = 10


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    course = factory.SubFactory(CourseFactory)
    kind = QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"问题{n}")
    points = Decimal("1")


class QuestionOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionOption

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"选项{n}")
    is_correct = False


def single_choice(course, *, correct: str = "对", wrong: tuple[str, ...] = ("错",), points=1):
    """A single-choice question of ``course`` with one right and some wrong options."""
    question = QuestionFactory(course=course, kind=QuestionKind.SINGLE, points=Decimal(points))
    QuestionOptionFactory(question=question, text=correct, is_correct=True, order=0)
    for order, text in enumerate(wrong, start=1):
        QuestionOptionFactory(question=question, text=text, is_correct=False, order=order)
    return question


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Exam

    course = factory.SubFactory(CourseFactory)
    kind = ExamKind.POST
    name = factory.LazyAttribute(lambda o: f"{o.course.name} 结业考试")
    pass_mark = Decimal("60")


class SelfLearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SelfLearning

    staff = factory.SubFactory("opsteam.org.tests.factories.StaffFactory")
    kind = "book"
    title = "增长黑客"
    hours = Decimal("6")
    completed_on = factory.LazyFunction(timezone.localdate)
