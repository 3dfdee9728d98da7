"""Import kinds of the org domain: org units, positions and staff (upsert by natural key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core import audit
from opsteam.core.choices import AuditAction
from opsteam.core.imports import (
    ImportColumn,
    ImportSpec,
    ParsedRow,
    Progress,
    RowError,
    choice_parser,
    parse_date,
    parse_email,
    parse_non_negative_int,
    register,
)
from opsteam.org.choices import AssignmentReason, StaffStatus, UnitKind
from opsteam.org.models import Assignment, JobLevel, OrgUnit, Position, RoleFamily, Staff


def _batches(rows: Iterator[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    while batch := list(islice(rows, size)):
        yield batch


def _find_cycles(links: dict[str, str]) -> set[str]:
    """Return every key that lies on a cycle of ``key -> parent`` links."""
    on_cycle: set[str] = set()
    state: dict[str, int] = {}  # 1 = being walked, 2 = done
    for start in links:
        if state.get(start):
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node in links and not state.get(node):
            state[node] = 1
            path.append(node)
            node = links.get(node)
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return on_cycle


def rebuild_unit_paths() -> int:
    """Recompute every unit's materialised path and depth; returns how many changed."""
    units = list(OrgUnit.objects.only("pk", "parent_id", "path", "depth"))
    by_id = {unit.pk: unit for unit in units}
    computed: dict[int, tuple[str, int]] = {}

    def compute(unit: OrgUnit) -> tuple[str, int]:
        chain = []
        node: OrgUnit | None = unit
        while node is not None and node.pk not in computed:
            chain.append(node)
            node = by_id.get(node.parent_id) if node.parent_id else None
        base_path, base_depth = computed[node.pk] if node is not None else ("", -1)
        for item in reversed(chain):
            base_path, base_depth = base_path + OrgUnit.path_segment(item.pk), base_depth + 1
            computed[item.pk] = (base_path, base_depth)
        return computed[unit.pk]

    changed = []
    for unit in units:
        path, depth = compute(unit)
        if (unit.path, unit.depth) != (path, depth):
            unit.path, unit.depth = path, depth
            changed.append(unit)
    OrgUnit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)


@register
class OrgUnitImport(ImportSpec):
    kind = "units"
    model = OrgUnit
    title = gettext_lazy("Departments and teams")
    key = "code"
    columns = (
        ImportColumn("code", "编码", "Code", required=True, example="D-OPS"),
        ImportColumn("name", "名称", "Name", required=True, example="电商运营部"),
        ImportColumn("name_en", "英文名称", "English name", example="E-commerce Operations"),
        ImportColumn(
            "kind",
            "类型",
            "Kind",
            required=True,
            parse=choice_parser(UnitKind),
            example="department",
            help_text=gettext_lazy("company, department or team"),
        ),
        ImportColumn("parent_code", "上级编码", "Parent code", example="HQ"),
        ImportColumn("description", "说明", "Description"),
    )

    def prepare(self) -> None:
        self.existing = dict(OrgUnit.objects.values_list("code", "pk"))
        self.existing_parent = dict(OrgUnit.objects.values_list("code", "parent__code"))
        self.rows: dict[str, ParsedRow] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values = row.values
        code = values["code"]
        errors = []
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
        parent = values["parent_code"]
        if parent and parent == code:
            errors.append(
                RowError(
                    row.number,
                    self.header_label("parent_code"),
                    parent,
                    _("a unit cannot be its own parent"),
                    "cycle",
                )
            )
        return errors

    def check_file(self) -> list[RowError]:
        errors = []
        links = {code: parent for code, parent in self.existing_parent.items() if parent}
        for code, row in self.rows.items():
            parent = row.values["parent_code"]
            if parent:
                links[code] = parent
            else:
                links.pop(code, None)
            if parent and parent not in self.rows and parent not in self.existing:
                errors.append(
                    RowError(
                        row.number,
                        self.header_label("parent_code"),
                        parent,
                        _("unknown parent unit"),
                        "unknown_reference",
                    )
                )
        for code in sorted(_find_cycles(links)):
            if code in self.rows:
                row = self.rows[code]
                errors.append(
                    RowError(
                        row.number,
                        self.header_label("parent_code"),
                        row.values["parent_code"],
                        _("parent chain loops back to this unit"),
                        "cycle",
                    )
                )
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        parsed = list(rows)  # org units are few; parents may come after their children
        existing = OrgUnit.objects.in_bulk(field_name="code")
        fields = ("name", "name_en", "kind", "description")
        created_units, updated, unchanged, befores = [], [], 0, {}
        for row in parsed:
            values = row.values
            unit = existing.get(values["code"])
            if unit is None:
                unit = OrgUnit(code=values["code"], **{f: values[f] for f in fields})
                created_units.append(unit)
                existing[unit.code] = unit
            else:
                before = audit.snapshot(unit)
                changed = [f for f in fields if getattr(unit, f) != values[f]]
                for name in changed:
                    setattr(unit, name, values[name])
                if changed or (unit.parent.code if unit.parent_id else "") != values["parent_code"]:
                    befores[unit.pk] = before
                    updated.append(unit)
                else:
                    unchanged += 1
        OrgUnit.objects.bulk_create(created_units, batch_size=1000)
        for row in parsed:
            unit = existing[row.values["code"]]
            parent_code = row.values["parent_code"]
            unit.parent = existing[parent_code] if parent_code else None
        OrgUnit.objects.bulk_update(
            [existing[row.values["code"]] for row in parsed],
            ["name", "name_en", "kind", "description", "parent"],
            batch_size=1000,
        )
        rebuild_unit_paths()
        touched = OrgUnit.objects.filter(pk__in=[u.pk for u in created_units + updated])
        entries = []
        for unit in touched:
            if unit.pk in befores:
                entries.append(
                    audit.build_entry(
                        actor=self.actor,
                        action=AuditAction.UPDATE,
                        obj=unit,
                        before=befores[unit.pk],
                    )
                )
            else:
                entries.append(
                    audit.build_entry(actor=self.actor, action=AuditAction.CREATE, obj=unit)
                )
        audit.record_many(entries)
        return len(created_units), len(updated), unchanged


@register
class PositionImport(ImportSpec):
    kind = "positions"
    model = Position
    title = gettext_lazy("Positions")
    key = "code"
    columns = (
        ImportColumn("code", "岗位编码", "Code", required=True, example="STORE-OP"),
        ImportColumn("name", "岗位名称", "Name", required=True, example="店铺运营专员"),
        ImportColumn("name_en", "英文名称", "English name", example="Store operator"),
        ImportColumn(
            "family_code", "岗位族编码", "Role family code", required=True, example="store_ops"
        ),
        ImportColumn("unit_code", "所属部门编码", "Home unit code", example="T-STORE"),
        ImportColumn("min_level_code", "最低职级", "Lowest level", example="P1"),
        ImportColumn("max_level_code", "最高职级", "Highest level", example="P4"),
        ImportColumn(
            "headcount_plan",
            "编制人数",
            "Planned headcount",
            parse=parse_non_negative_int,
            example="4",
        ),
    )

    def prepare(self) -> None:
        self.families = dict(RoleFamily.objects.values_list("code", "pk"))
        self.units = dict(OrgUnit.objects.values_list("code", "pk"))
        self.levels = {level.code: level for level in JobLevel.objects.all()}
        self.seen: dict[str, int] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values, errors = row.values, []
        code = values["code"]
        if code in self.seen:
            errors.append(
                RowError(
                    row.number,
                    self.header_label("code"),
                    code,
                    _("duplicate code in the file (first on row {row})").format(
                        row=self.seen[code]
                    ),
                    "duplicate",
                )
            )
        self.seen.setdefault(code, row.number)
        if values["family_code"] not in self.families:
            errors.append(
                RowError(
                    row.number,
                    self.header_label("family_code"),
                    values["family_code"],
                    _("unknown role family"),
                    "unknown_reference",
                )
            )
        if values["unit_code"] and values["unit_code"] not in self.units:
            errors.append(
                RowError(
                    row.number,
                    self.header_label("unit_code"),
                    values["unit_code"],
                    _("unknown department or team"),
                    "unknown_reference",
                )
            )
        for key in ("min_level_code", "max_level_code"):
            if values[key] and values[key] not in self.levels:
                errors.append(
                    RowError(
                        row.number,
                        self.header_label(key),
                        values[key],
                        _("unknown level"),
                        "unknown_reference",
                    )
                )
        low, high = (
            self.levels.get(values["min_level_code"]),
            self.levels.get(values["max_level_code"]),
        )
        if low and high and (low.track != high.track or low.rank > high.rank):
            errors.append(
                RowError(
                    row.number,
                    self.header_label("max_level_code"),
                    high.code,
                    _("the highest level is below the lowest level"),
                    "invalid",
                )
            )
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        existing = Position.objects.in_bulk(field_name="code")
        created, updated, unchanged, entries = 0, 0, 0, []
        for row in rows:
            values = row.values
            target = {
                "name": values["name"],
                "name_en": values["name_en"],
                "family_id": self.families[values["family_code"]],
                "unit_id": self.units.get(values["unit_code"]) if values["unit_code"] else None,
                "min_level_id": self.levels[values["min_level_code"]].pk
                if values["min_level_code"]
                else None,
                "max_level_id": self.levels[values["max_level_code"]].pk
                if values["max_level_code"]
                else None,
                "headcount_plan": values["headcount_plan"] or 0,
            }
            position = existing.get(values["code"])
            if position is None:
                position = Position.objects.create(code=values["code"], **target)
                entries.append(
                    audit.build_entry(actor=self.actor, action=AuditAction.CREATE, obj=position)
                )
                created += 1
                continue
            before = audit.snapshot(position)
            if all(getattr(position, k) == v for k, v in target.items()):
                unchanged += 1
                continue
            for key, value in target.items():
                setattr(position, key, value)
            position.save()
            entries.append(
                audit.build_entry(
                    actor=self.actor, action=AuditAction.UPDATE, obj=position, before=before
                )
            )
            updated += 1
        audit.record_many(entries)
        return created, updated, unchanged


STAFF_STATUS = choice_parser(StaffStatus)


@register
class StaffImport(ImportSpec):
    """Staff upsert by employee number. Assignment changes open a new history row from the
    effective date (default: today); managers may be other rows of the same file."""

    kind = "staff"
    model = Staff
    title = gettext_lazy("Staff")
    key = "employee_no"
    columns = (
        ImportColumn("employee_no", "工号", "Employee number", required=True, example="E10023"),
        ImportColumn("name", "姓名", "Name", required=True, example="王小明"),
        ImportColumn("name_en", "英文名", "English name", example="Wang Xiaoming"),
        ImportColumn("email", "邮箱", "Email", parse=parse_email, example="wang.xm@example.com"),
        ImportColumn("phone", "电话", "Phone", example="13800000000"),
        ImportColumn(
            "hire_date",
            "入职日期",
            "Hire date",
            required=True,
            parse=parse_date,
            example="2024-03-01",
        ),
        ImportColumn(
            "status",
            "状态",
            "Status",
            parse=STAFF_STATUS,
            example="active",
            help_text=gettext_lazy("active, probation, on_leave or left; default active"),
        ),
        ImportColumn("unit_code", "部门/团队编码", "Unit code", required=True, example="T-STORE"),
        ImportColumn(
            "position_code", "岗位编码", "Position code", required=True, example="STORE-OP"
        ),
        ImportColumn("level_code", "职级", "Level", example="P2"),
        ImportColumn(
            "manager_employee_no", "直属上级工号", "Manager employee number", example="E10001"
        ),
        ImportColumn("leave_date", "离职日期", "Leave date", parse=parse_date),
        ImportColumn(
            "effective_date",
            "变动生效日期",
            "Effective date",
            parse=parse_date,
            help_text=gettext_lazy(
                "When a unit, position, level or manager change takes effect; default today"
            ),
        ),
    )

    def prepare(self) -> None:
        self.units = dict(OrgUnit.objects.values_list("code", "pk"))
        self.positions = dict(Position.objects.values_list("code", "pk"))
        self.levels = dict(JobLevel.objects.values_list("code", "pk"))
        self.db_managers = dict(Staff.objects.values_list("employee_no", "manager__employee_no"))
        self.file_rows: dict[str, int] = {}
        self.file_managers: dict[str, str] = {}
        self.manager_cells: dict[str, tuple[int, str]] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values, errors = row.values, []
        number = row.number
        employee_no = values["employee_no"]
        if employee_no in self.file_rows:
            errors.append(
                RowError(
                    number,
                    self.header_label("employee_no"),
                    employee_no,
                    _("duplicate employee number in the file (first on row {row})").format(
                        row=self.file_rows[employee_no]
                    ),
                    "duplicate",
                )
            )
        else:
            self.file_rows[employee_no] = number
        for key, lookup, reason in (
            ("unit_code", self.units, _("unknown department or team")),
            ("position_code", self.positions, _("unknown position")),
            ("level_code", self.levels, _("unknown level")),
        ):
            if values[key] and values[key] not in lookup:
                errors.append(
                    RowError(
                        number, self.header_label(key), values[key], reason, "unknown_reference"
                    )
                )
        manager = values["manager_employee_no"]
        if manager:
            if manager == employee_no:
                errors.append(
                    RowError(
                        number,
                        self.header_label("manager_employee_no"),
                        manager,
                        _("a person cannot be their own manager"),
                        "cycle",
                    )
                )
            else:
                self.file_managers[employee_no] = manager
                self.manager_cells[employee_no] = (number, manager)
        else:
            self.file_managers[employee_no] = ""
        if values["leave_date"] and values["leave_date"] < values["hire_date"]:
            errors.append(
                RowError(
                    number,
                    self.header_label("leave_date"),
                    values["leave_date"].isoformat(),
                    _("leave date is before the hire date"),
                    "invalid",
                )
            )
        if values["status"] == StaffStatus.LEFT and not values["leave_date"]:
            errors.append(
                RowError(
                    number,
                    self.header_label("leave_date"),
                    "",
                    _("a person who left needs a leave date"),
                    "required",
                )
            )
        return errors

    def check_file(self) -> list[RowError]:
        errors = []
        known = self.db_managers.keys() | self.file_rows.keys()
        for number, manager in self.manager_cells.values():
            if manager not in known:
                errors.append(
                    RowError(
                        number,
                        self.header_label("manager_employee_no"),
                        manager,
                        _("unknown manager employee number"),
                        "unknown_reference",
                    )
                )
        links = {emp: mgr for emp, mgr in self.db_managers.items() if mgr}
        for emp, mgr in self.file_managers.items():
            if mgr:
                links[emp] = mgr
            else:
                links.pop(emp, None)
        for employee_no in sorted(_find_cycles(links)):
            if employee_no in self.manager_cells:
                number, manager = self.manager_cells[employee_no]
                errors.append(
                    RowError(
                        number,
                        self.header_label("manager_employee_no"),
                        manager,
                        _("reporting line loops back to this person"),
                        "cycle",
                    )
                )
        return errors

    PERSONAL = ("name", "name_en", "email", "phone", "hire_date", "status", "leave_date")
    PLACEMENT = ("unit_id", "position_id", "level_id")

    def _target(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": values["name"],
            "name_en": values["name_en"],
            "email": values["email"],
            "phone": values["phone"],
            "hire_date": values["hire_date"],
            "status": values["status"] or StaffStatus.ACTIVE,
            "leave_date": values["leave_date"],
            "unit_id": self.units[values["unit_code"]],
            "position_id": self.positions[values["position_code"]],
            "level_id": self.levels[values["level_code"]] if values["level_code"] else None,
        }

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        today = timezone.localdate()
        batch_size = settings.OPSTEAM_IMPORT_BATCH_SIZE
        created_ids: list[int] = []
        befores: dict[int, dict[str, Any]] = {}
        moves: dict[int, dt.date] = {}  # staff id -> effective date of a placement change
        wanted_manager: dict[int, str] = {}
        unchanged_ids: set[int] = set()
        done = 0
        for batch in _batches(rows, batch_size):
            numbers = [row.values["employee_no"] for row in batch]
            existing = Staff.objects.in_bulk(numbers, field_name="employee_no")
            new_staff, changed_staff = [], []
            for row in batch:
                values = row.values
                target = self._target(values)
                staff = existing.get(values["employee_no"])
                if staff is None:
                    new_staff.append(Staff(employee_no=values["employee_no"], **target))
                    continue
                diff = [k for k, v in target.items() if getattr(staff, k) != v]
                wanted_manager[staff.pk] = values["manager_employee_no"]
                if not diff:
                    unchanged_ids.add(staff.pk)
                    continue
                befores[staff.pk] = audit.snapshot(staff)
                for key in diff:
                    setattr(staff, key, target[key])
                if set(diff) & set(self.PLACEMENT):
                    moves[staff.pk] = values["effective_date"] or today
                changed_staff.append(staff)
            Staff.objects.bulk_create(new_staff, batch_size=batch_size)
            for staff, row in zip(
                new_staff,
                [r for r in batch if r.values["employee_no"] not in existing],
                strict=True,
            ):
                created_ids.append(staff.pk)
                wanted_manager[staff.pk] = row.values["manager_employee_no"]
            Staff.objects.bulk_update(
                changed_staff, [*self.PERSONAL, *self.PLACEMENT], batch_size=batch_size
            )
            done += len(batch)
            if progress is not None:
                progress(done)

        self._set_managers(wanted_manager, befores, moves, unchanged_ids, today)
        self._write_assignments(created_ids, moves)
        touched = created_ids + list(befores)
        entries = []
        created_set = set(created_ids)
        for start in range(0, len(touched), batch_size):
            for staff in Staff.objects.filter(pk__in=touched[start : start + batch_size]):
                if staff.pk in created_set:
                    entries.append(
                        audit.build_entry(actor=self.actor, action=AuditAction.CREATE, obj=staff)
                    )
                else:
                    entries.append(
                        audit.build_entry(
                            actor=self.actor,
                            action=AuditAction.UPDATE,
                            obj=staff,
                            before=befores[staff.pk],
                        )
                    )
            audit.record_many(entries, batch_size=batch_size)
            entries = []
        return len(created_ids), len(befores), len(unchanged_ids)

    def _set_managers(
        self,
        wanted: dict[int, str],
        befores: dict[int, dict[str, Any]],
        moves: dict[int, dt.date],
        unchanged_ids: set[int],
        today: dt.date,
    ) -> None:
        """Point every row at its manager once all rows exist (managers may come later)."""
        numbers = {number for number in wanted.values() if number}
        ids_by_number: dict[str, int] = {}
        number_list = sorted(numbers)
        for start in range(0, len(number_list), 2000):
            chunk = number_list[start : start + 2000]
            ids_by_number.update(
                Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", "pk")
            )
        staff_ids = list(wanted)
        current: dict[int, int | None] = {}
        for start in range(0, len(staff_ids), 2000):
            current.update(
                Staff.objects.filter(pk__in=staff_ids[start : start + 2000]).values_list(
                    "pk", "manager_id"
                )
            )
        changes = []
        for staff_id, number in wanted.items():
            manager_id = ids_by_number.get(number) if number else None
            if current.get(staff_id) != manager_id:
                changes.append(Staff(pk=staff_id, manager_id=manager_id))
                if staff_id in unchanged_ids:
                    unchanged_ids.discard(staff_id)
                    befores[staff_id] = audit.snapshot(Staff.objects.get(pk=staff_id))
                if staff_id in befores:
                    moves.setdefault(staff_id, today)
        Staff.objects.bulk_update(changes, ["manager_id"], batch_size=2000)

    def _write_assignments(self, created_ids: list[int], moves: dict[int, dt.date]) -> None:
        """Open the first assignment of new staff; close and reopen it for moved staff."""
        fields = (
            "pk",
            "hire_date",
            "unit_id",
            "position_id",
            "level_id",
            "manager_id",
            "status",
            "leave_date",
        )
        for start in range(0, len(created_ids), 2000):
            chunk = created_ids[start : start + 2000]
            Assignment.objects.bulk_create(
                Assignment(
                    staff_id=pk,
                    start_date=hire,
                    unit_id=unit,
                    position_id=position,
                    level_id=level,
                    manager_id=manager,
                    reason=AssignmentReason.HIRE,
                    end_date=leave if status == StaffStatus.LEFT else None,
                )
                for pk, hire, unit, position, level, manager, status, leave in Staff.objects.filter(
                    pk__in=chunk
                ).values_list(*fields)
            )
        moved = list(moves)
        for start in range(0, len(moved), 2000):
            chunk = moved[start : start + 2000]
            open_rows = {
                a.staff_id: a
                for a in Assignment.objects.filter(staff_id__in=chunk, end_date__isnull=True)
            }
            new_rows, closed, replaced = [], [], []
            for pk, hire, unit, position, level, manager, _status, _leave in Staff.objects.filter(
                pk__in=chunk
            ).values_list(*fields):
                effective = max(moves[pk], hire)
                current = open_rows.get(pk)
                if current is not None and current.start_date >= effective:
                    replaced.append(current.pk)
                elif current is not None:
                    current.end_date = effective - dt.timedelta(days=1)
                    closed.append(current)
                new_rows.append(
                    Assignment(
                        staff_id=pk,
                        start_date=effective,
                        unit_id=unit,
                        position_id=position,
                        level_id=level,
                        manager_id=manager,
                        reason=AssignmentReason.IMPORT,
                    )
                )
            Assignment.objects.filter(Q(pk__in=replaced)).delete()
            Assignment.objects.bulk_update(closed, ["end_date"])
            Assignment.objects.bulk_create(new_rows)
