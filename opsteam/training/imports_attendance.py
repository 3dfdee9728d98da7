"""The attendance import (kind ``training_attendance``): who attended which session.

One row per person and session: the employee number, the session (its id, or the course code
and the date it was held) and attended yes/no. Every row is checked against the database in a
fixed number of queries (staff, sessions, registrations) and every problem is listed with row,
column, value and reason; then all rows are written in one transaction or none. Attending
completes the course where that is its last requirement (``services.enrolment_evaluate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core import audit
from opsteam.core.choices import AuditAction
from opsteam.core.imports import (
    CellError,
    ImportColumn,
    ImportSpec,
    ParsedRow,
    Progress,
    RowError,
    parse_date,
    parse_int,
    parse_text,
    register,
)
from opsteam.org.models import Staff
from opsteam.training import services
from opsteam.training.choices import RegistrationStatus, SessionStatus
from opsteam.training.models import Registration, Session

YES = {"yes", "y", "true", "1", "是", "出席", "到", "已到", "✓", "√"}
NO = {"no", "n", "false", "0", "否", "缺席", "未到"}
EARLY = dt.timedelta(minutes=30)


def parse_attended(value: Any) -> bool | None:
    text = parse_text(value).strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("use yes or no (是/否)"))


@register
class AttendanceImport(ImportSpec):
    kind = "training_attendance"
    model = Registration
    title = gettext_lazy("Training attendance")
    key = "employee_no"
    columns = (
        ImportColumn(
            "employee_no", "工号", "Employee number", required=True, example="E10023", max_length=40
        ),
        ImportColumn(
            "session_id",
            "场次编号",
            "Session id",
            parse=parse_int,
            example="12",
            help_text=gettext_lazy("The session's number; or give the course code and date"),
        ),
        ImportColumn("course_code", "课程编码", "Course code", example="CS-101", max_length=40),
        ImportColumn(
            "date",
            "日期",
            "Date",
            parse=parse_date,
            example="2026-03-10",
            help_text=gettext_lazy("The day the session was held (with the course code)"),
        ),
        ImportColumn(
            "attended",
            "是否出席",
            "Attended",
            required=True,
            parse=parse_attended,
            example="是",
            help_text=gettext_lazy("yes or no (是/否)"),
        ),
    )

    def prepare(self) -> None:
        self.rows: list[ParsedRow] = []
        self.resolved: dict[int, int] = {}  # row number -> registration id

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values = row.values
        errors: list[RowError] = []
        if (
            values["session_id"] is None
            and not (values["course_code"] and values["date"])
            and "session_id" not in row.invalid
            and "date" not in row.invalid
        ):
            errors.append(
                RowError(
                    row.number,
                    self.header_label("session_id"),
                    "",
                    _("give the session id, or the course code and the date"),
                    "required",
                )
            )
        self.rows.append(row)
        return errors

    def _error(self, row: ParsedRow, key: str, value: Any, reason: str, code: str = "invalid"):
        return RowError(row.number, self.header_label(key), str(value or ""), reason, code)

    def check_file(self) -> list[RowError]:
        rows = [r for r in self.rows if not r.invalid]
        staff = dict(
            Staff.objects.filter(
                employee_no__in={r.values["employee_no"] for r in rows}
            ).values_list("employee_no", "pk")
        )
        ids = {r.values["session_id"] for r in rows if r.values["session_id"] is not None}
        codes = {r.values["course_code"] for r in rows if r.values["session_id"] is None}
        days = {
            r.values["date"] for r in rows if r.values["session_id"] is None and r.values["date"]
        }
        lookup = Q(pk__in=ids)
        if codes and days:
            tz = timezone.get_current_timezone()
            start = dt.datetime.combine(min(days), dt.time.min, tzinfo=tz)
            end = dt.datetime.combine(max(days), dt.time.max, tzinfo=tz)
            lookup |= Q(course__code__in=codes, starts_at__range=(start, end))
        sessions = list(Session.objects.filter(lookup).select_related("course"))
        by_id = {s.pk: s for s in sessions}
        by_day: dict[tuple[str, dt.date], list[Session]] = {}
        for session in sessions:
            day = timezone.localtime(session.starts_at).date()
            by_day.setdefault((session.course.code, day), []).append(session)
        seats = {
            (session_id, staff_id): pk
            for pk, session_id, staff_id in Registration.objects.filter(
                session__in=sessions,
                status=RegistrationStatus.REGISTERED,
                enrolment__staff_id__in=staff.values(),
            ).values_list("pk", "session_id", "enrolment__staff_id")
        }
        errors: list[RowError] = []
        seen: dict[int, int] = {}
        now = timezone.now()
        for row in rows:
            values = row.values
            staff_id = staff.get(values["employee_no"])
            if staff_id is None:
                errors.append(
                    self._error(
                        row,
                        "employee_no",
                        values["employee_no"],
                        _("unknown employee number"),
                        "unknown_reference",
                    )
                )
            if values["session_id"] is not None:
                session = by_id.get(values["session_id"])
                if session is None:
                    errors.append(
                        self._error(
                            row,
                            "session_id",
                            values["session_id"],
                            _("unknown session"),
                            "unknown_reference",
                        )
                    )
                    continue
            else:
                if not values["course_code"] or not values["date"]:
                    continue
                found = by_day.get((values["course_code"], values["date"]), [])
                if len(found) != 1:
                    reason = (
                        _("no session of this course on that day")
                        if not found
                        else _("several sessions of this course that day: give the session id")
                    )
                    errors.append(
                        self._error(
                            row, "course_code", values["course_code"], reason, "unknown_reference"
                        )
                    )
                    continue
                session = found[0]
            if session.status == SessionStatus.CANCELLED:
                errors.append(
                    self._error(row, "session_id", session.pk, _("the session was cancelled"))
                )
                continue
            if session.starts_at - EARLY > now:
                errors.append(
                    self._error(row, "session_id", session.pk, _("the session has not started yet"))
                )
                continue
            if staff_id is None:
                continue
            registration = seats.get((session.pk, staff_id))
            if registration is None:
                errors.append(
                    self._error(
                        row,
                        "employee_no",
                        values["employee_no"],
                        _("not registered for this session"),
                        "unknown_reference",
                    )
                )
                continue
            if registration in seen:
                errors.append(
                    self._error(
                        row,
                        "employee_no",
                        values["employee_no"],
                        _("duplicate person and session in the file (first on row {row})").format(
                            row=seen[registration]
                        ),
                        "duplicate",
                    )
                )
                continue
            seen[registration] = row.number
            self.resolved[row.number] = registration
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        wanted = {self.resolved[row.number]: row.values["attended"] for row in rows}
        registrations = list(
            Registration.objects.select_for_update()
            .select_related("enrolment__course")
            .filter(pk__in=list(wanted))
        )
        now = timezone.now()
        changed, entries = [], []
        for registration in registrations:
            present = wanted[registration.pk]
            if registration.attended is present:
                continue
            before = audit.snapshot(registration)
            registration.attended = present
            registration.checked_in_at = (registration.checked_in_at or now) if present else None
            registration.updated_at = now
            changed.append(registration)
            entries.append(
                audit.build_entry(
                    actor=self.actor, action=AuditAction.UPDATE, obj=registration, before=before
                )
            )
        Registration.objects.bulk_update(
            changed, ["attended", "checked_in_at", "updated_at"], batch_size=1000
        )
        audit.record_many(entries)
        for registration in changed:
            if registration.attended:
                services.enrolment_evaluate(actor=self.actor, enrolment=registration.enrolment)
        if progress is not None:
            progress(len(wanted))
        return 0, len(changed), len(registrations) - len(changed)
