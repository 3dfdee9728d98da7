"""The results import (kind ``training_results``): training taken outside OpsTeam.

One row per person and course: the employee number, the course code, the day it was
completed, the provider's score (optional, 0-100) and whether it was passed (default yes).
Every row is checked first in a fixed number of queries and every problem is listed with row,
column, value and reason; then all rows are written in one transaction or none. A pass
completes the course (skills, certificate, observations follow, as for a course taken here);
a course already completed keeps its earlier result.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core.imports import (
    CellError,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    Progress,
    RowError,
    parse_date,
    parse_text,
    register,
)
from opsteam.org.models import Staff
from opsteam.training import services
from opsteam.training.choices import CourseStatus, EnrolmentStatus
from opsteam.training.imports_attendance import parse_attended
from opsteam.training.models import Course, Enrolment


def parse_percent(value: Any) -> Decimal | None:
    text = parse_text(value).strip().rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("not a number")) from exc
    if not Decimal(0) <= number <= Decimal(100):
        raise CellError(_("a score from 0 to 100"))
    return number.quantize(Decimal("0.1"))


@register
class ResultsImport(ImportSpec):
    kind = "training_results"
    model = Enrolment
    title = gettext_lazy("External training results")
    key = "employee_no"
    columns = (
        ImportColumn(
            "employee_no", "工号", "Employee number", required=True, example="E10023", max_length=40
        ),
        ImportColumn(
            "course_code",
            "课程编码",
            "Course code",
            required=True,
            example="DATA-101",
            max_length=40,
        ),
        ImportColumn(
            "completed_on",
            "完成日期",
            "Completed on",
            required=True,
            parse=parse_date,
            example="2026-03-10",
        ),
        ImportColumn(
            "score",
            "成绩",
            "Score",
            parse=parse_percent,
            example="86",
            help_text=gettext_lazy("The provider's score from 0 to 100 (optional)"),
        ),
        ImportColumn(
            "passed",
            "是否通过",
            "Passed",
            parse=parse_attended,
            example="是",
            help_text=gettext_lazy("yes or no (是/否); empty means yes"),
        ),
    )

    def prepare(self) -> None:
        self.rows: list[ParsedRow] = []
        self.resolved: dict[int, tuple[Staff, Course]] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        self.rows.append(row)
        return []

    def _error(self, row: ParsedRow, key: str, value: Any, reason: str, code: str = "invalid"):
        return RowError(row.number, self.header_label(key), str(value or ""), reason, code)

    def check_file(self) -> list[RowError]:
        rows = [r for r in self.rows if not r.invalid]
        staff = {
            s.employee_no: s
            for s in Staff.objects.filter(
                employee_no__in={r.values["employee_no"] for r in rows}
            ).select_related("unit")
        }
        courses = {
            c.code: c
            for c in Course.objects.filter(code__in={r.values["course_code"] for r in rows})
        }
        today = timezone.localdate()
        errors: list[RowError] = []
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            values = row.values
            person = staff.get(values["employee_no"])
            course = courses.get(values["course_code"])
            if person is None:
                errors.append(
                    self._error(
                        row,
                        "employee_no",
                        values["employee_no"],
                        _("unknown employee number"),
                        "unknown_reference",
                    )
                )
            if course is None:
                errors.append(
                    self._error(
                        row,
                        "course_code",
                        values["course_code"],
                        _("unknown course"),
                        "unknown_reference",
                    )
                )
            elif course.status != CourseStatus.ACTIVE:
                errors.append(
                    self._error(
                        row, "course_code", course.code, _("the course is a draft or retired")
                    )
                )
            if values["completed_on"] > today:
                errors.append(
                    self._error(
                        row, "completed_on", values["completed_on"], _("the date is in the future")
                    )
                )
            key = (values["employee_no"], values["course_code"])
            if key in seen:
                errors.append(
                    self._error(
                        row,
                        "course_code",
                        values["course_code"],
                        _("duplicate person and course in the file (first on row {row})").format(
                            row=seen[key]
                        ),
                        "duplicate",
                    )
                )
            seen.setdefault(key, row.number)
            if person is not None and course is not None:
                self.resolved[row.number] = (person, course)
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        wanted = list(rows)
        done_before = set(
            Enrolment.objects.filter(
                staff__in=[self.resolved[r.number][0] for r in wanted],
                status=EnrolmentStatus.COMPLETED,
            ).values_list("staff_id", "course_id")
        )
        created = updated = unchanged = 0
        for row in wanted:
            person, course = self.resolved[row.number]
            if (person.pk, course.pk) in done_before:
                unchanged += 1
                continue
            existed = Enrolment.objects.filter(staff=person, course=course).exists()
            services.enrolment_record_external_result(
                actor=self.actor,
                staff=person,
                course=course,
                on=row.values["completed_on"],
                score=row.values["score"],
                passed=row.values["passed"] is not False,
            )
            if existed:
                updated += 1
            else:
                created += 1
            if progress is not None:
                progress(1)
        return created, updated, unchanged
