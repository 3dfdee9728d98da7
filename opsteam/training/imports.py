"""Import kind ``course``: the training catalogue from a spreadsheet (upsert by course code).

Every row is checked first (row, column, value and reason for each problem: unknown skill or
prerequisite, level out of range, a prerequisite chain that loops); if anything is wrong
nothing is written. Skills are written "EXCEL:3; SQL:2" and prerequisites as course codes
separated by ";" or ",". Columns missing from the file leave existing values alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

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
    choice_parser,
    register,
)
from opsteam.core.spreadsheets import cell_text
from opsteam.org.models import Skill
from opsteam.training import services_catalogue
from opsteam.training.choices import CourseCategory, DeliveryMode, Provider, TeachingMethod
from opsteam.training.models import Course, CourseSkill

_SPLIT = re.compile(r"[;；,，\n]")
_SKILL = re.compile(r"^([^:：\s]+)\s*[:：]\s*(\d+)$")


def parse_hours(value: Any) -> Decimal | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(_("not a number")) from exc
    if not hours.is_finite() or hours < Decimal("0.5") or hours >= Decimal("100000"):
        raise CellError(_("must be between 0.5 and 99999 hours"))
    return hours.quantize(Decimal("0.1"))


def parse_skills(value: Any) -> list[tuple[str, int]]:
    pairs = []
    for item in _SPLIT.split(cell_text(value)):
        item = item.strip()
        if not item:
            continue
        match = _SKILL.match(item)
        if not match:
            raise CellError(_("“{item}” is not SKILL:LEVEL").format(item=item))
        level = int(match.group(2))
        if not 1 <= level <= 5:
            raise CellError(_("level of {skill} must be 1 to 5").format(skill=match.group(1)))
        pairs.append((match.group(1), level))
    return pairs


def parse_codes(value: Any) -> list[str]:
    return [code.strip() for code in _SPLIT.split(cell_text(value)) if code.strip()]


@register
class CourseImport(ImportSpec):
    kind = "course"
    model = Course
    title = gettext_lazy("Training courses")
    key = "code"
    columns = (
        ImportColumn("code", "课程编码", "Code", required=True, example="DATA-101", max_length=40),
        ImportColumn(
            "name", "课程名称", "Title", required=True, example="数据分析入门", max_length=200
        ),
        ImportColumn(
            "name_en", "英文名称", "English title", example="Data analysis basics", max_length=200
        ),
        ImportColumn(
            "category",
            "类别",
            "Category",
            required=True,
            parse=choice_parser(CourseCategory),
            example="data",
            help_text=gettext_lazy("industry, tools, data, communication, culture, …"),
        ),
        ImportColumn(
            "method", "教学方式", "Method", parse=choice_parser(TeachingMethod), example="theory"
        ),
        ImportColumn(
            "delivery", "授课形式", "Delivery", parse=choice_parser(DeliveryMode), example="online"
        ),
        ImportColumn(
            "provider", "提供方", "Provider", parse=choice_parser(Provider), example="internal"
        ),
        ImportColumn("duration_hours", "课时", "Hours", parse=parse_hours, example="2"),
        ImportColumn(
            "skills",
            "培养技能",
            "Skills",
            parse=parse_skills,
            example="EXCEL:3;SQL:2",
            help_text=gettext_lazy("Skill code and level reached (1–5), separated by ;"),
        ),
        ImportColumn(
            "prerequisites",
            "先修课程",
            "Prerequisites",
            parse=parse_codes,
            example="BASIC-01",
            help_text=gettext_lazy("Course codes separated by ;"),
        ),
    )
    FIELDS = ("name", "name_en", "category", "method", "delivery", "provider", "duration_hours")
    DEFAULTS = {
        "method": TeachingMethod.THEORY,
        "delivery": DeliveryMode.CLASSROOM,
        "provider": Provider.INTERNAL,
        "duration_hours": Decimal("1"),
    }

    def prepare(self) -> None:
        self.skill_codes = set(Skill.objects.values_list("code", flat=True))
        self.existing_codes = set(Course.objects.values_list("code", flat=True))
        through = Course.prerequisites.through
        self.existing_links: dict[str, set[str]] = {}
        for code, prerequisite in through.objects.values_list(
            "from_course__code", "to_course__code"
        ):
            self.existing_links.setdefault(code, set()).add(prerequisite)
        self.rows: dict[str, ParsedRow] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values = row.values
        code = values["code"]
        errors: list[RowError] = []
        if not code:
            return errors
        if code in self.rows:
            errors.append(
                RowError(
                    row.number,
                    self.header_label("code"),
                    code,
                    _("duplicate code in the file (first on row {row})").format(
                        row=self.rows[code].number
                    ),
                    "duplicate",
                )
            )
        else:
            self.rows[code] = row
        for skill, _level in values["skills"]:
            if skill not in self.skill_codes:
                errors.append(
                    RowError(
                        row.number,
                        self.header_label("skills"),
                        skill,
                        _("unknown skill code"),
                        "unknown_reference",
                    )
                )
        for prerequisite in values["prerequisites"]:
            if prerequisite == code:
                errors.append(
                    RowError(
                        row.number,
                        self.header_label("prerequisites"),
                        prerequisite,
                        _("a course cannot be its own prerequisite"),
                        "cycle",
                    )
                )
        return errors

    def check_file(self) -> list[RowError]:
        errors: list[RowError] = []
        if not self.has("prerequisites"):
            return errors
        links = {code: set(prerequisites) for code, prerequisites in self.existing_links.items()}
        for code, row in self.rows.items():
            links[code] = set(row.values["prerequisites"])
            for prerequisite in row.values["prerequisites"]:
                if prerequisite not in self.rows and prerequisite not in self.existing_codes:
                    errors.append(
                        RowError(
                            row.number,
                            self.header_label("prerequisites"),
                            prerequisite,
                            _("unknown course code"),
                            "unknown_reference",
                        )
                    )
        for code, row in self.rows.items():
            for prerequisite in row.values["prerequisites"]:
                if prerequisite != code and services_catalogue.requires(links, prerequisite, code):
                    errors.append(
                        RowError(
                            row.number,
                            self.header_label("prerequisites"),
                            prerequisite,
                            _("{other} already requires {code}: the chain loops").format(
                                other=prerequisite, code=code
                            ),
                            "cycle",
                        )
                    )
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        parsed = list(rows)  # catalogues are small; prerequisites may point to later rows
        existing = Course.objects.in_bulk(field_name="code")
        fields = [f for f in self.FIELDS if self.has(f)]
        now = timezone.now()
        created: list[Course] = []
        updated: list[Course] = []
        befores: dict[int, dict] = {}
        unchanged = 0
        for row in parsed:
            values = row.values
            course = existing.get(values["code"])
            if course is None:
                data = {f: values[f] or self.DEFAULTS.get(f, values[f]) for f in self.FIELDS}
                course = Course(code=values["code"], created_at=now, **data)
                created.append(course)
                existing[course.code] = course
                continue
            changed = [
                f for f in fields if values[f] not in (None, "") and getattr(course, f) != values[f]
            ]
            changed += [f for f in ("name_en",) if f in fields and course.name_en != values[f]]
            if changed:
                befores[course.pk] = audit.snapshot(course)
                for name in set(changed):
                    setattr(course, name, values[name])
                course.updated_at = now
                updated.append(course)
            else:
                unchanged += 1
        Course.objects.bulk_create(created, batch_size=500)
        Course.objects.bulk_update(updated, [*self.FIELDS, "updated_at"], batch_size=500)
        by_code = Course.objects.in_bulk(field_name="code")
        touched = {c.pk for c in created} | {c.pk for c in updated}
        relations_changed = self._write_relations(parsed, by_code)
        for pk in relations_changed - touched:
            course = next(c for c in by_code.values() if c.pk == pk)
            befores[pk] = audit.snapshot(course)
            updated.append(course)
            unchanged -= 1
        audit.record_many(
            audit.build_entry(
                actor=self.actor,
                action=AuditAction.UPDATE if course.pk in befores else AuditAction.CREATE,
                obj=by_code[course.code],
                before=befores.get(course.pk),
                note="course import",
            )
            for course in [*created, *updated]
        )
        if progress is not None:
            progress(len(parsed))
        return len(created), len(updated), unchanged

    def _write_relations(self, parsed: list[ParsedRow], by_code: dict[str, Course]) -> set[int]:
        """Replace skills and prerequisites of the file's courses; return the changed ids."""
        changed: set[int] = set()
        course_ids = [by_code[row.values["code"]].pk for row in parsed]
        if self.has("skills"):
            skills = Skill.objects.in_bulk(field_name="code")
            current: dict[int, set[tuple[int, int]]] = {}
            for course_id, skill_id, level in CourseSkill.objects.filter(
                course_id__in=course_ids
            ).values_list("course_id", "skill_id", "target_level"):
                current.setdefault(course_id, set()).add((skill_id, level))
            replace = []
            for row in parsed:
                course = by_code[row.values["code"]]
                wanted = {(skills[code].pk, level) for code, level in row.values["skills"]}
                if wanted != current.get(course.pk, set()):
                    changed.add(course.pk)
                    replace.extend(
                        CourseSkill(course=course, skill_id=skill_id, target_level=level)
                        for skill_id, level in wanted
                    )
            CourseSkill.objects.filter(course_id__in=changed).delete()
            CourseSkill.objects.bulk_create(replace, batch_size=500)
        if self.has("prerequisites"):
            through = Course.prerequisites.through
            current_links: dict[int, set[int]] = {}
            for from_id, to_id in through.objects.filter(from_course_id__in=course_ids).values_list(
                "from_course_id", "to_course_id"
            ):
                current_links.setdefault(from_id, set()).add(to_id)
            links_changed: set[int] = set()
            new_links = []
            for row in parsed:
                course = by_code[row.values["code"]]
                wanted = {by_code_or_db(by_code, code).pk for code in row.values["prerequisites"]}
                if wanted != current_links.get(course.pk, set()):
                    links_changed.add(course.pk)
                    new_links.extend(
                        through(from_course_id=course.pk, to_course_id=to_id) for to_id in wanted
                    )
            through.objects.filter(from_course_id__in=links_changed).delete()
            through.objects.bulk_create(new_links, batch_size=500)
            changed |= links_changed
        return changed


def by_code_or_db(by_code: dict[str, Course], code: str) -> Course:
    course = by_code.get(code)
    if course is None:
        course = Course.objects.get(code=code)
        by_code[code] = course
    return course
