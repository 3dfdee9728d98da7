"""Pages of the assessment area: question bank, exams, taking an attempt, grading, results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import exports, policy
from opsteam.core.exceptions import InvalidTransition, NotVisible, ValidationFailed
from opsteam.core.views import PolicyMixin
from opsteam.training import grading, selectors_exams, services_exams
from opsteam.training.choices import AttemptStatus, QuestionKind
from opsteam.training.forms_exams import (
    CriterionFormSet,
    ExamForm,
    OptionFormSet,
    QuestionForm,
    formset_rows,
)
from opsteam.training.models import Attempt, Course, Enrolment, Exam, Question

USER_ERRORS = (InvalidTransition, ValidationFailed)
TEMPLATES = "training/exams/"


def _course(pk: int) -> Course:
    return get_object_or_404(Course.objects.select_related("owner"), pk=pk)


def _exam(user: Any, pk: int) -> Exam:
    return policy.scoped_get(Exam.objects.select_related("course__owner"), user, "view", pk=pk)


def _attempt(user: Any, pk: int) -> Attempt:
    try:
        return (
            selectors_exams.attempts_visible(user)
            .select_related("exam__course__owner", "enrolment__staff__unit", "graded_by")
            .get(pk=pk)
        )
    except Attempt.DoesNotExist as exc:
        raise NotVisible() from exc


def _answers_from_post(post: Any) -> dict[int, dict[str, Any]]:
    """``q_<id>`` (option ids, several for multiple choice) and ``t_<id>`` (text) fields."""
    answers: dict[int, dict[str, Any]] = {}
    for key in post:
        prefix, _sep, rest = key.partition("_")
        if prefix not in ("q", "t") or not rest.isdigit():
            continue
        entry = answers.setdefault(int(rest), {})
        if prefix == "q":
            entry["selected"] = [v for v in post.getlist(key) if v]
        else:
            entry["text"] = post.get(key, "")
    return answers


# ----------------------------------------------------------------------------- question bank


class QuestionBankView(PolicyMixin, View):
    """A course's question bank: every question with its options or rubric (answers included)."""

    def get(self, request, pk):
        course = _course(pk)
        if not services_exams.can_view_bank(request.user, course):
            raise PermissionDenied
        questions = (
            Question.objects.filter(course=course)
            .prefetch_related("options", "rubric")
            .order_by("-is_active", "pk")
        )
        exams = selectors_exams.exam_question_counts(Exam.objects.filter(course=course))
        return render(
            request,
            TEMPLATES + "question_bank.html",
            {
                "title": _("Question bank: {course}").format(course=course.display_name),
                "course": course,
                "questions": questions,
                "exams": exams,
                "can_edit": services_exams.can_edit_bank(request.user, course),
            },
        )


class QuestionEditView(PolicyMixin, View):
    """Create (course ``pk``) or edit (question ``pk``) a question with options and rubric."""

    creating = True

    def target(self) -> tuple[Course, Question | None]:
        if self.creating:
            course = _course(self.kwargs["pk"])
            question = None
        else:
            question = get_object_or_404(
                Question.objects.select_related("course__owner"), pk=self.kwargs["pk"]
            )
            course = question.course
        if not services_exams.can_edit_bank(self.request.user, course):
            if not services_exams.can_view_bank(self.request.user, course) and question:
                raise Http404
            raise PermissionDenied
        return course, question

    def forms(self, question: Question | None, data=None):
        initial: dict[str, Any] = {}
        options: list[dict] = [{}, {}, {}, {}]
        rubric: list[dict] = []
        if question is not None:
            initial = {
                name: getattr(question, name)
                for name in ("kind", "text", "text_en", "points", "explanation")
            }
            opts = list(question.options.all())
            options = [
                {"text": o.text, "text_en": o.text_en, "is_correct": o.is_correct} for o in opts
            ]
            if question.kind == QuestionKind.TRUE_FALSE:
                initial["true_answer"] = "true" if opts and opts[0].is_correct else "false"
            rubric = [
                {"text": c.text, "text_en": c.text_en, "max_points": c.max_points}
                for c in question.rubric.all()
            ]
        return (
            QuestionForm(data, initial=initial),
            OptionFormSet(data, initial=options, prefix="options"),
            CriterionFormSet(data, initial=rubric, prefix="rubric"),
        )

    def render(self, course, question, forms, status=200):
        form, options, rubric = forms
        title = _("New question") if question is None else _("Edit question")
        return render(
            self.request,
            TEMPLATES + "question_form.html",
            {
                "title": title,
                "course": course,
                "object": question,
                "form": form,
                "options": options,
                "rubric": rubric,
            },
            status=status,
        )

    def get(self, request, pk):
        course, question = self.target()
        return self.render(course, question, self.forms(question))

    def post(self, request, pk):
        course, question = self.target()
        forms = self.forms(question, request.POST)
        form, options, rubric = forms
        if all(f.is_valid() for f in forms):
            data = dict(form.cleaned_data)
            kind = data["kind"]
            truth = data.pop("true_answer", "") == "true"
            option_rows = formset_rows(options)
            rubric_rows = formset_rows(rubric)
            if kind == QuestionKind.TRUE_FALSE:
                option_rows = [
                    {"text": "对", "is_correct": truth},
                    {"text": "错", "is_correct": not truth},
                ]
            elif kind in (QuestionKind.SHORT, QuestionKind.PRACTICAL):
                option_rows = []
            if kind != QuestionKind.PRACTICAL:
                rubric_rows = []
            try:
                if question is None:
                    question = services_exams.question_create(
                        actor=request.user,
                        course=course,
                        options=option_rows,
                        rubric=rubric_rows,
                        **data,
                    )
                else:
                    services_exams.question_update(
                        actor=request.user,
                        question=question,
                        options=option_rows,
                        rubric=rubric_rows,
                        **data,
                    )
            except USER_ERRORS as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                elif exc.field == "options":
                    options._non_form_errors = options.error_class([exc.message])
                elif exc.field == "rubric":
                    rubric._non_form_errors = rubric.error_class([exc.message])
                else:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Question saved."))
                return redirect("training:question_bank", pk=course.pk)
        return self.render(course, question, forms, status=400)


class QuestionCreateView(QuestionEditView):
    creating = True


class QuestionUpdateView(QuestionEditView):
    creating = False


class QuestionDeactivateView(PolicyMixin, View):
    def post(self, request, pk):
        question = get_object_or_404(Question.objects.select_related("course__owner"), pk=pk)
        if not services_exams.can_view_bank(request.user, question.course):
            raise Http404
        services_exams.question_deactivate(actor=request.user, question=question)
        messages.success(request, _("The question is no longer drawn in new papers."))
        return redirect("training:question_bank", pk=question.course_id)


# ----------------------------------------------------------------------------- exams


class ExamListView(PolicyMixin, View):
    """Every exam (settings only, no answers), with the user's own attempts."""

    def get(self, request):
        policy.require(request.user, "view", Exam)
        exams = selectors_exams.exam_question_counts(
            Exam.objects.restrict(request.user, "view").select_related("course")
        ).order_by("course__code", "kind", "pk")
        mine = (
            Attempt.objects.filter(enrolment__staff__user=request.user)
            .select_related("exam__course")
            .order_by("-started_at")[:20]
        )
        return render(
            request,
            TEMPLATES + "exam_list.html",
            {
                "title": _("Exams"),
                "exams": exams,
                "mine": mine,
                "can_grade": selectors_exams.gradable_exams(request.user).exists(),
            },
        )


class ExamEditView(PolicyMixin, View):
    creating = True

    def target(self) -> tuple[Course, Exam | None]:
        if self.creating:
            course, exam = _course(self.kwargs["pk"]), None
        else:
            exam = _exam(self.request.user, self.kwargs["pk"])
            course = exam.course
        if not services_exams.can_edit_bank(self.request.user, course):
            raise PermissionDenied
        return course, exam

    def render(self, course, exam, form, status=200):
        return render(
            self.request,
            TEMPLATES + "exam_form.html",
            {
                "title": _("New exam") if exam is None else _("Edit exam"),
                "course": course,
                "object": exam,
                "form": form,
            },
            status=status,
        )

    def get(self, request, pk):
        course, exam = self.target()
        initial = ExamForm.initial_for(exam) if exam else {}
        return self.render(course, exam, ExamForm(initial=initial, course=course))

    def post(self, request, pk):
        course, exam = self.target()
        form = ExamForm(request.POST, course=course)
        if form.is_valid():
            data = dict(form.cleaned_data)
            questions = list(data.pop("questions")) or None
            try:
                if exam is None:
                    exam = services_exams.exam_create(
                        actor=request.user, course=course, questions=questions, **data
                    )
                else:
                    if questions is None:
                        questions = list(course.questions.filter(is_active=True))
                    exam = services_exams.exam_update(
                        actor=request.user, exam=exam, questions=questions, **data
                    )
            except USER_ERRORS as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Exam saved."))
                return redirect(exam.get_absolute_url())
        return self.render(course, exam, form, status=400)


class ExamCreateView(ExamEditView):
    creating = True


class ExamUpdateView(ExamEditView):
    creating = False


class ExamDetailView(PolicyMixin, View):
    def get(self, request, pk):
        exam = _exam(request.user, pk)
        user = request.user
        mine = list(
            Attempt.objects.filter(exam=exam, enrolment__staff__user=user).order_by("number")
        )
        enrolment = Enrolment.objects.filter(staff__user=user, course=exam.course).first()
        left = grading.attempts_left(exam.max_attempts, len(mine))
        in_progress = next((a for a in mine if a.status == AttemptStatus.IN_PROGRESS), None)
        can_edit = services_exams.can_edit_bank(user, exam.course)
        return render(
            request,
            TEMPLATES + "exam_detail.html",
            {
                "title": exam.display_name,
                "object": exam,
                "course": exam.course,
                "question_count": exam.questions.filter(is_active=True).count(),
                "mine": mine,
                "enrolment": enrolment,
                "attempts_left": left,
                "in_progress": in_progress,
                "can_take": getattr(user, "staff", None) is not None
                and exam.is_active
                and (in_progress is not None or left != 0),
                "can_edit": can_edit,
                "can_view_bank": services_exams.can_view_bank(user, exam.course),
                "can_see_results": _can_see_results(user, exam),
            },
        )


class ExamStartView(PolicyMixin, View):
    def post(self, request, pk):
        exam = _exam(request.user, pk)
        try:
            attempt = services_exams.attempt_start(actor=request.user, exam=exam)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
            return redirect(exam.get_absolute_url())
        return redirect(attempt.get_absolute_url())


# ----------------------------------------------------------------------------- attempts


class AttemptDetailView(PolicyMixin, View):
    """The learner's paper while in progress; the result (key only once graded) afterwards."""

    def get(self, request, pk):
        attempt = _attempt(request.user, pk)
        if services_exams.attempt_close_if_expired(attempt=attempt):
            messages.warning(
                request, _("Time ran out: the attempt was submitted with the answers saved.")
            )
        own = attempt.enrolment.staff.user_id == request.user.pk
        taking = own and attempt.status == AttemptStatus.IN_PROGRESS
        if attempt.status == AttemptStatus.IN_PROGRESS and not own:
            # Others see that it is under way, never the paper being answered.
            sheet = []
        else:
            sheet = selectors_exams.attempt_sheet(attempt)
        context = {
            "title": attempt.exam.display_name,
            "object": attempt,
            "exam": attempt.exam,
            "sheet": sheet,
            "taking": taking,
            "revealed": selectors_exams.key_visible(attempt),
            "seconds_left": services_exams.seconds_left(attempt) if taking else None,
            "deadline": services_exams.deadline(attempt),
            "can_grade": not own
            and attempt.status != AttemptStatus.IN_PROGRESS
            and services_exams.can_grade(request.user, attempt.exam)
            and any(q.manual for q in sheet),
        }
        return render(request, TEMPLATES + "attempt_detail.html", context)


def _taker_attempt(request, pk) -> Attempt:
    attempt = _attempt(request.user, pk)
    policy.require(request.user, "take", attempt)
    return attempt


class AttemptSaveView(PolicyMixin, View):
    """Keep the answers so far (htmx autosave answers a small status; a plain post redirects)."""

    def post(self, request, pk):
        attempt = _taker_attempt(request, pk)
        try:
            attempt = services_exams.attempt_save(
                actor=request.user, attempt=attempt, answers=_answers_from_post(request.POST)
            )
        except USER_ERRORS as exc:
            if request.htmx:
                return HttpResponse(exc.message, status=400)
            messages.error(request, exc.message)
            return redirect(attempt.get_absolute_url())
        if attempt.status != AttemptStatus.IN_PROGRESS:
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = attempt.get_absolute_url()
                return response
            messages.warning(
                request, _("Time ran out: the attempt was submitted with the answers saved.")
            )
            return redirect(attempt.get_absolute_url())
        if request.htmx:
            return HttpResponse(
                _("Saved at {time}").format(time=timezone.localtime().strftime("%H:%M:%S"))
            )
        messages.success(request, _("Answers saved."))
        return redirect(attempt.get_absolute_url())


class AttemptSubmitView(PolicyMixin, View):
    def post(self, request, pk):
        attempt = _taker_attempt(request, pk)
        try:
            attempt = services_exams.attempt_submit(
                actor=request.user, attempt=attempt, answers=_answers_from_post(request.POST)
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
            return redirect(attempt.get_absolute_url())
        if attempt.status == AttemptStatus.GRADED:
            messages.success(request, _("Submitted and graded."))
        else:
            messages.success(
                request, _("Submitted. Your result appears once the instructor has graded it.")
            )
        return redirect(attempt.get_absolute_url())


# ----------------------------------------------------------------------------- grading


class GradingQueueView(PolicyMixin, View):
    def get(self, request):
        exams = selectors_exams.gradable_exams(request.user)
        if not exams.exists() and not policy.can(request.user, "grade", Exam):
            raise PermissionDenied
        queue = list(selectors_exams.grading_queue(request.user)[:200])
        return render(
            request,
            TEMPLATES + "grading_queue.html",
            {"title": _("Grading queue"), "queue": queue},
        )


def _marks_from_post(post: Any, sheet: list) -> dict[int, dict[str, Any]]:
    marks: dict[int, dict[str, Any]] = {}
    for question in sheet:
        if not question.manual:
            continue
        mark: dict[str, Any] = {"comment": post.get(f"comment_{question.id}", "")}
        if question.criteria:
            mark["rubric"] = {
                c.id: post.get(f"rubric_{question.id}_{c.id}", "") for c in question.criteria
            }
        else:
            mark["points"] = post.get(f"points_{question.id}", "")
        marks[question.id] = mark
    return marks


class AttemptGradeView(PolicyMixin, View):
    def target(self, pk) -> Attempt:
        attempt = _attempt(self.request.user, pk)
        if not services_exams.can_grade(self.request.user, attempt.exam):
            raise PermissionDenied
        if attempt.enrolment.staff.user_id == self.request.user.pk:
            raise PermissionDenied(_("You cannot grade your own attempt."))
        return attempt

    def render(self, attempt, errors=None, values=None, status=200, form_error=""):
        sheet = selectors_exams.attempt_sheet(attempt, reveal=False, for_grader=True)
        if values is not None:
            # Show what the grader typed, not the stored marks, when the form comes back.
            for question in sheet:
                question.comment = values.get(f"comment_{question.id}", question.comment)
                question.awarded = values.get(f"points_{question.id}", question.awarded)
                for criterion in question.criteria:
                    criterion.awarded = values.get(
                        f"rubric_{question.id}_{criterion.id}", criterion.awarded
                    )
        return render(
            self.request,
            TEMPLATES + "attempt_grade.html",
            {
                "title": _("Grade: {exam}").format(exam=attempt.exam.display_name),
                "object": attempt,
                "sheet": sheet,
                "errors": errors or {},
                "form_error": form_error,
                "values": values or {},
            },
            status=status,
        )

    def get(self, request, pk):
        attempt = self.target(pk)
        return self.render(attempt)

    def post(self, request, pk):
        attempt = self.target(pk)
        sheet = selectors_exams.attempt_sheet(attempt, reveal=False, for_grader=True)
        try:
            services_exams.attempt_grade(
                actor=request.user, attempt=attempt, marks=_marks_from_post(request.POST, sheet)
            )
        except USER_ERRORS as exc:
            return self.render(
                attempt,
                errors={exc.field: exc.message} if exc.field else {},
                form_error="" if exc.field else exc.message,
                values=request.POST,
                status=400,
            )
        messages.success(request, _("Graded."))
        return redirect("training:grading_queue")


# ----------------------------------------------------------------------------- results


def _can_see_results(user: Any, exam: Exam) -> bool:
    return (
        policy.can(user, "export", Attempt)
        or services_exams.instructs(user, exam.course_id)
        or services_exams.is_course_owner(user, exam.course)
    )


RESULT_HEADER = (
    gettext_lazy("Employee number"),
    gettext_lazy("Name"),
    gettext_lazy("Department or team"),
    gettext_lazy("Attempt"),
    gettext_lazy("Status"),
    gettext_lazy("Started at"),
    gettext_lazy("Submitted at"),
    gettext_lazy("Overdue"),
    gettext_lazy("Score"),
    gettext_lazy("Out of"),
    gettext_lazy("Percent"),
    gettext_lazy("Passed"),
)


def _result_row(attempt: Attempt) -> list[Any]:
    staff = attempt.enrolment.staff
    return [
        staff.employee_no,
        staff.display_name,
        staff.unit.display_name if staff.unit_id else "",
        attempt.number,
        attempt.get_status_display(),
        timezone.localtime(attempt.started_at).replace(tzinfo=None),
        timezone.localtime(attempt.submitted_at).replace(tzinfo=None)
        if attempt.submitted_at
        else "",
        "✓" if attempt.overdue else "",
        attempt.score if attempt.score is not None else "",
        attempt.max_score if attempt.max_score is not None else "",
        attempt.percent if attempt.percent is not None else "",
        "" if attempt.passed is None else ("✓" if attempt.passed else "✗"),
    ]


class ExamResultsView(PolicyMixin, View):
    def get(self, request, pk):
        exam = _exam(request.user, pk)
        if not _can_see_results(request.user, exam):
            raise PermissionDenied
        attempts = list(selectors_exams.exam_attempts(request.user, exam))
        results = selectors_exams.exam_results(attempts)
        chart = None
        if results.people:
            chart = {
                "tooltip": {},
                "xAxis": {"type": "category", "data": [label for label, _n in results.histogram]},
                "yAxis": {"type": "value", "minInterval": 1},
                "series": [{"type": "bar", "data": [n for _l, n in results.histogram]}],
            }
        return render(
            request,
            TEMPLATES + "exam_results.html",
            {
                "title": _("Results: {exam}").format(exam=exam.display_name),
                "object": exam,
                "attempts": attempts,
                "results": results,
                "chart": chart,
            },
        )


class ExamResultsExportView(PolicyMixin, View):
    def get(self, request, pk):
        exam = _exam(request.user, pk)
        if not _can_see_results(request.user, exam):
            raise PermissionDenied
        attempts = selectors_exams.exam_attempts(request.user, exam)
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        return exports.spreadsheet_response(
            stem=f"exam-results-{exam.pk}",
            file_format=file_format,
            header=[str(label) for label in RESULT_HEADER],
            rows=(_result_row(a) for a in attempts.iterator(chunk_size=2000)),
        )
