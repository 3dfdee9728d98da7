"""Import kinds of the org domain: org units, positions and staff (upsert by natural key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core import audit, bulk
from opsteam.core.choices import AuditAction
from opsteam.core.imports import (
    ImportColumn,
    ImportSpec,
    ParsedRow,
    Progress,
    RowError,
    cell_text,
    choice_parser,
    parse_date,
    parse_email,
    parse_non_negative_int,
    register,
)
from opsteam.org.choices import AssignmentReason, Gender, StaffStatus, UnitKind
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
        ImportColumn("code", "编码", "Code", required=True, example="D-OPS", max_length=40),
        ImportColumn("name", "名称", "Name", required=True, example="电商运营部", max_length=120),
        ImportColumn(
            "name_en", "英文名称", "English name", example="E-commerce Operations", max_length=120
        ),
        ImportColumn(
            "kind",
            "类型",
            "Kind",
            required=True,
            parse=choice_parser(UnitKind),
            example="department",
            help_text=gettext_lazy("company, department or team"),
        ),
        ImportColumn("parent_code", "上级编码", "Parent code", example="HQ", max_length=40),
        ImportColumn("description", "说明", "Description"),
    )
    FIELDS = ("name", "name_en", "kind", "description")

    def prepare(self) -> None:
        self.existing_parent = dict(OrgUnit.objects.values_list("code", "parent__code"))
        self.rows: dict[str, ParsedRow] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values = row.values
        code = values["code"]
        errors: list[RowError] = []
        if not code:  # the code column is missing: reported with the header
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
        if not self.has("parent_code"):
            return errors  # parents stay as they are; nothing can loop
        links = {code: parent for code, parent in self.existing_parent.items() if parent}
        for code, row in self.rows.items():
            parent = row.values["parent_code"]
            if parent:
                links[code] = parent
            else:
                links.pop(code, None)
            if parent and parent not in self.rows and parent not in self.existing_parent:
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
        existing = OrgUnit.objects.select_related("parent").in_bulk(field_name="code")
        fields = [f for f in self.FIELDS if self.has(f)]
        set_parent = self.has("parent_code")
        now = timezone.now()
        created_units: list[OrgUnit] = []
        updated: list[OrgUnit] = []
        unchanged, befores = 0, {}
        for row in parsed:
            values = row.values
            unit = existing.get(values["code"])
            if unit is None:
                unit = OrgUnit(code=values["code"], **{f: values[f] for f in self.FIELDS})
                created_units.append(unit)
                existing[unit.code] = unit
                continue
            before = audit.snapshot(unit)
            changed = [f for f in fields if getattr(unit, f) != values[f]]
            for name in changed:
                setattr(unit, name, values[name])
            current_parent = unit.parent.code if unit.parent_id else ""
            if changed or (set_parent and current_parent != values["parent_code"]):
                unit.updated_at = now
                befores[unit.pk] = before
                updated.append(unit)
            else:
                unchanged += 1
        OrgUnit.objects.bulk_create(created_units, batch_size=1000)
        touched = created_units + updated
        if set_parent:
            by_code = {row.values["code"]: row for row in parsed}
            for unit in touched:
                parent_code = by_code[unit.code].values["parent_code"]
                unit.parent = existing[parent_code] if parent_code else None
        OrgUnit.objects.bulk_update(
            touched, [*self.FIELDS, "parent", "updated_at"], batch_size=1000
        )
        if progress is not None:
            progress(len(parsed))
        rebuild_unit_paths()
        entries = []
        for unit in OrgUnit.objects.filter(pk__in=[u.pk for u in touched]):
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
        ImportColumn("code", "岗位编码", "Code", required=True, example="STORE-OP", max_length=40),
        ImportColumn(
            "name", "岗位名称", "Name", required=True, example="店铺运营专员", max_length=120
        ),
        ImportColumn(
            "name_en", "英文名称", "English name", example="Store operator", max_length=120
        ),
        ImportColumn(
            "family_code",
            "岗位族编码",
            "Role family code",
            required=True,
            example="store_ops",
            max_length=40,
        ),
        ImportColumn(
            "unit_code", "所属部门编码", "Home unit code", example="T-STORE", max_length=40
        ),
        ImportColumn("min_level_code", "最低职级", "Lowest level", example="P1", max_length=20),
        ImportColumn("max_level_code", "最高职级", "Highest level", example="P4", max_length=20),
        ImportColumn(
            "headcount_plan",
            "编制人数",
            "Planned headcount",
            parse=parse_non_negative_int,
            example="4",
        ),
    )
    # model field -> the column it comes from
    SOURCES = {
        "name": "name",
        "name_en": "name_en",
        "family_id": "family_code",
        "unit_id": "unit_code",
        "min_level_id": "min_level_code",
        "max_level_id": "max_level_code",
        "headcount_plan": "headcount_plan",
    }

    def prepare(self) -> None:
        self.families = dict(RoleFamily.objects.values_list("code", "pk"))
        self.units = dict(OrgUnit.objects.values_list("code", "pk"))
        self.levels = {level.code: level for level in JobLevel.objects.all()}
        self.current_levels = {
            code: (low or "", high or "")
            for code, low, high in Position.objects.values_list(
                "code", "min_level__code", "max_level__code"
            )
        }
        self.seen: dict[str, int] = {}

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values, errors = row.values, []
        code = values["code"]
        if not code:  # the code column is missing: reported with the header
            return errors
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
        if values["family_code"] and values["family_code"] not in self.families:
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
        current_low, current_high = self.current_levels.get(code, ("", ""))
        low = self.levels.get(
            values["min_level_code"] if self.has("min_level_code") else current_low
        )
        high = self.levels.get(
            values["max_level_code"] if self.has("max_level_code") else current_high
        )
        if low and high and (low.track != high.track or low.rank > high.rank):
            errors.append(
                RowError(
                    row.number,
                    self.header_label("max_level_code"),
                    high.code,
                    _("the highest level is on another track than the lowest level")
                    if low.track != high.track
                    else _("the highest level is below the lowest level"),
                    "invalid",
                )
            )
        return errors

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        existing = Position.objects.in_bulk(field_name="code")
        present = [f for f, column in self.SOURCES.items() if self.has(column)]
        now = timezone.now()
        new: list[Position] = []
        changed: list[Position] = []
        befores: dict[int, dict[str, Any]] = {}
        unchanged = done = 0
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
            done += 1
            if position is None:
                position = Position(code=values["code"], **target)
                existing[position.code] = position
                new.append(position)
                continue
            diff = [key for key in present if getattr(position, key) != target[key]]
            if not diff:
                unchanged += 1
                continue
            befores[position.pk] = audit.snapshot(position)
            for key in diff:
                setattr(position, key, target[key])
            position.updated_at = now
            changed.append(position)
        Position.objects.bulk_create(new, batch_size=1000)
        Position.objects.bulk_update(changed, [*self.SOURCES, "updated_at"], batch_size=1000)
        if progress is not None:
            progress(done)
        entries = [
            audit.build_entry(actor=self.actor, action=AuditAction.CREATE, obj=position)
            for position in new
        ]
        entries += [
            audit.build_entry(
                actor=self.actor,
                action=AuditAction.UPDATE,
                obj=position,
                before=befores[position.pk],
            )
            for position in changed
        ]
        audit.record_many(entries)
        return len(new), len(changed), unchanged


STAFF_STATUS = choice_parser(StaffStatus)
_GENDER = choice_parser(Gender)
# The words HR spreadsheets use, accepted whatever the catalogue's state.
GENDER_ALIASES = {"女": Gender.FEMALE, "男": Gender.MALE, "其他": Gender.OTHER}


def parse_gender(value: Any) -> str:
    """A gender as a choice value, label (either language) or 女/男/其他; empty: not recorded."""
    return GENDER_ALIASES.get(cell_text(value)) or _GENDER(value)


NEW_STAFF_FIELDS = (
    "employee_no",
    "name",
    "name_en",
    "email",
    "phone",
    "hire_date",
    "gender",
    "status",
    "leave_date",
    "unit_id",
    "position_id",
    "level_id",
    "created_at",
    "updated_at",
)


def localized_name(row: dict[str, Any]) -> str:
    """The label ``str(staff)`` would give, from a ``values()`` row."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and row.get("name_en"):
        return row["name_en"]
    return row["name"] or row.get("name_en", "")


class _Current(NamedTuple):
    """What the database holds for a person before the import (validation needs it)."""

    unit_id: int
    position_id: int
    level_id: int | None
    manager_no: str
    status: str
    leave_date: dt.date | None


@register
class StaffImport(ImportSpec):
    """Staff upsert by employee number. Assignment changes open a new history row from the
    effective date (default: today); managers may be other rows of the same file. As in
    ``services``: a change cannot take effect before the open assignment began, and a person
    whose status becomes "left" has the open assignment closed on the leave date and their
    login deactivated."""

    kind = "staff"
    model = Staff
    title = gettext_lazy("Staff")
    key = "employee_no"
    columns = (
        ImportColumn(
            "employee_no",
            "工号",
            "Employee number",
            required=True,
            example="E10023",
            max_length=40,
        ),
        ImportColumn("name", "姓名", "Name", required=True, example="王小明", max_length=120),
        ImportColumn("name_en", "英文名", "English name", example="Wang Xiaoming", max_length=120),
        ImportColumn(
            "email",
            "邮箱",
            "Email",
            parse=parse_email,
            example="wang.xm@example.com",
            max_length=254,
        ),
        ImportColumn("phone", "电话", "Phone", example="13800000000", max_length=40),
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
        ImportColumn(
            "unit_code",
            "部门/团队编码",
            "Unit code",
            required=True,
            example="T-STORE",
            max_length=40,
        ),
        ImportColumn(
            "position_code",
            "岗位编码",
            "Position code",
            required=True,
            example="STORE-OP",
            max_length=40,
        ),
        ImportColumn("level_code", "职级", "Level", example="P2", max_length=20),
        ImportColumn(
            "manager_employee_no",
            "直属上级工号",
            "Manager employee number",
            example="E10001",
            max_length=40,
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
        # Added later: last, so templates filled in before it keep their column order.
        ImportColumn(
            "gender",
            "性别",
            "Gender",
            parse=parse_gender,
            example="female",
            help_text=gettext_lazy("female, male or other (女, 男, 其他); empty: not recorded"),
        ),
    )
    # model field -> the column it comes from
    PERSONAL = {
        "name": "name",
        "name_en": "name_en",
        "email": "email",
        "phone": "phone",
        "hire_date": "hire_date",
        "gender": "gender",
        "status": "status",
        "leave_date": "leave_date",
    }
    PLACEMENT = {"unit_id": "unit_code", "position_id": "position_code", "level_id": "level_code"}

    def prepare(self) -> None:
        self.today = timezone.localdate()
        self.units = dict(OrgUnit.objects.values_list("code", "pk"))
        self.positions = dict(Position.objects.values_list("code", "pk"))
        self.levels = dict(JobLevel.objects.values_list("code", "pk"))
        self.current: dict[str, _Current] = {
            number: _Current(unit, position, level, manager or "", status, leave)
            for number, unit, position, level, manager, status, leave in Staff.objects.values_list(
                "employee_no",
                "unit_id",
                "position_id",
                "level_id",
                "manager__employee_no",
                "status",
                "leave_date",
            )
        }
        self.open_starts: dict[str, dt.date] = dict(
            Assignment.objects.filter(end_date__isnull=True).values_list(
                "staff__employee_no", "start_date"
            )
        )
        self.file_rows: dict[str, int] = {}
        self.file_managers: dict[str, str] = {}
        self.manager_cells: dict[str, tuple[int, str]] = {}

    def _error(
        self, row: ParsedRow, key: str, value: Any, reason: str, code: str = "invalid"
    ) -> RowError:
        text = value.isoformat() if isinstance(value, dt.date) else str(value or "")
        return RowError(row.number, self.header_label(key), text, reason, code)

    def _moves(self, values: dict[str, Any], current: _Current) -> bool:
        """Whether the row changes the person's unit, position, level or manager."""
        for key, lookup, current_id in (
            ("unit_code", self.units, current.unit_id),
            ("position_code", self.positions, current.position_id),
            ("level_code", self.levels, current.level_id),
        ):
            code = values[key]
            if code and code not in lookup:
                continue  # reported as an unknown reference
            if self.has(key) and lookup.get(code) != current_id:
                return True
        return (
            self.has("manager_employee_no") and values["manager_employee_no"] != current.manager_no
        )

    def check_row(self, row: ParsedRow) -> list[RowError]:
        values, errors = row.values, []
        employee_no = values["employee_no"]
        if employee_no in self.file_rows:
            errors.append(
                self._error(
                    row,
                    "employee_no",
                    employee_no,
                    _("duplicate employee number in the file (first on row {row})").format(
                        row=self.file_rows[employee_no]
                    ),
                    "duplicate",
                )
            )
        elif employee_no:
            self.file_rows[employee_no] = row.number
        for key, lookup, reason in (
            ("unit_code", self.units, _("unknown department or team")),
            ("position_code", self.positions, _("unknown position")),
            ("level_code", self.levels, _("unknown level")),
        ):
            if values[key] and values[key] not in lookup:
                errors.append(self._error(row, key, values[key], reason, "unknown_reference"))
        manager = values["manager_employee_no"]
        if employee_no and self.has("manager_employee_no"):
            if manager and manager == employee_no:
                errors.append(
                    self._error(
                        row,
                        "manager_employee_no",
                        manager,
                        _("a person cannot be their own manager"),
                        "cycle",
                    )
                )
            elif manager:
                self.file_managers[employee_no] = manager
                self.manager_cells[employee_no] = (row.number, manager)
            else:
                self.file_managers[employee_no] = ""
        hire, leave = values["hire_date"], values["leave_date"]
        if hire and leave and leave < hire:
            errors.append(
                self._error(row, "leave_date", leave, _("leave date is before the hire date"))
            )
        errors.extend(self._check_status_and_history(row))
        return errors

    def _check_status_and_history(self, row: ParsedRow) -> list[RowError]:
        values = row.values
        if row.invalid & {"status", "leave_date", "effective_date", "hire_date"}:
            return []  # the invalid cell is reported; these checks would only guess
        current = self.current.get(values["employee_no"])
        new = current is None
        if new or self.has("status"):
            status = values["status"] or StaffStatus.ACTIVE
        else:
            status = current.status
        leave = values["leave_date"] if new or self.has("leave_date") else current.leave_date
        if status == StaffStatus.LEFT and not leave:
            return [
                self._error(
                    row, "leave_date", "", _("a person who left needs a leave date"), "required"
                )
            ]
        if new:
            return []
        moves = self._moves(values, current)
        # as in ``write``: a change never takes effect before the (new) hire date
        effective = values["effective_date"] or self.today
        if values["hire_date"]:
            effective = max(effective, values["hire_date"])
        open_start = self.open_starts.get(values["employee_no"])
        if moves and open_start and effective < open_start:
            return [
                self._error(
                    row,
                    "effective_date",
                    values["effective_date"],  # as typed: empty means today
                    _(
                        "the change cannot take effect before the current assignment began ({date})"
                    ).format(date=open_start.isoformat()),
                )
            ]
        if status == StaffStatus.LEFT:
            begins = effective if moves else None
            if begins is None and current.status != StaffStatus.LEFT:
                begins = open_start
            if begins and leave < begins:
                return [
                    self._error(
                        row,
                        "leave_date",
                        leave,
                        _("the leave date is before the assignment it ends began ({date})").format(
                            date=begins.isoformat()
                        ),
                    )
                ]
        return []

    def check_file(self) -> list[RowError]:
        errors = []
        known = self.current.keys() | self.file_rows.keys()
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
        links = {emp: state.manager_no for emp, state in self.current.items() if state.manager_no}
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

    def _target(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": values["name"],
            "name_en": values["name_en"],
            "email": values["email"],
            "phone": values["phone"],
            "hire_date": values["hire_date"],
            "gender": values["gender"],
            "status": values["status"] or StaffStatus.ACTIVE,
            "leave_date": values["leave_date"],
            "unit_id": self.units[values["unit_code"]],
            "position_id": self.positions[values["position_code"]],
            "level_id": self.levels[values["level_code"]] if values["level_code"] else None,
        }

    def write(self, rows: Iterator[ParsedRow], progress: Progress | None) -> tuple[int, int, int]:
        batch_size = settings.OPSTEAM_IMPORT_BATCH_SIZE
        now = timezone.now()
        compared = [
            field
            for field, column in {**self.PERSONAL, **self.PLACEMENT}.items()
            if self.has(column)
        ]
        set_manager = self.has("manager_employee_no")
        created_ids: list[int] = []
        befores: dict[int, dict[str, Any]] = {}
        effective: dict[int, dt.date] = {}  # existing person -> when this row's changes apply
        moves: dict[int, dt.date] = {}  # staff id -> effective date of a placement change
        leavers: dict[int, dt.date] = {}  # staff id -> leave date (status became "left")
        wanted_manager: dict[int, str] = {}
        unchanged_ids: set[int] = set()
        done = 0
        for batch in _batches(rows, batch_size):
            numbers = [row.values["employee_no"] for row in batch]
            known = set(
                Staff.objects.filter(employee_no__in=numbers).values_list("employee_no", flat=True)
            )
            existing = Staff.objects.in_bulk(known, field_name="employee_no") if known else {}
            new_staff, new_rows, changed_staff = [], [], []
            for row in batch:
                values = row.values
                target = self._target(values)
                staff = existing.get(values["employee_no"])
                if staff is None:
                    new_staff.append(
                        (
                            values["employee_no"],
                            *(target[f] for f in NEW_STAFF_FIELDS[1:-2]),
                            now,
                            now,
                        )
                    )
                    new_rows.append(row)
                    continue
                effective[staff.pk] = values["effective_date"] or self.today
                if set_manager:
                    wanted_manager[staff.pk] = values["manager_employee_no"]
                diff = [key for key in compared if getattr(staff, key) != target[key]]
                if not diff:
                    unchanged_ids.add(staff.pk)
                    continue
                befores[staff.pk] = audit.snapshot(staff)
                was_left = staff.status == StaffStatus.LEFT
                for key in diff:
                    setattr(staff, key, target[key])
                staff.updated_at = now
                if set(diff) & self.PLACEMENT.keys():
                    moves[staff.pk] = effective[staff.pk]
                if staff.status == StaffStatus.LEFT and not was_left and staff.leave_date:
                    leavers[staff.pk] = staff.leave_date
                changed_staff.append(staff)
            if new_staff:
                bulk.insert_rows(Staff, NEW_STAFF_FIELDS, new_staff)
                new_numbers = [row.values["employee_no"] for row in new_rows]
                ids = dict(
                    Staff.objects.filter(employee_no__in=new_numbers).values_list(
                        "employee_no", "pk"
                    )
                )
                for row in new_rows:
                    pk = ids[row.values["employee_no"]]
                    created_ids.append(pk)
                    wanted_manager[pk] = row.values["manager_employee_no"]
            bulk.update_rows(Staff, changed_staff, [*self.PERSONAL, *self.PLACEMENT, "updated_at"])
            done += len(batch)
            if progress is not None:
                progress(done)

        self._set_managers(wanted_manager, befores, moves, unchanged_ids, effective, now)
        self._write_assignments(created_ids, moves, leavers)
        self._deactivate_logins(list(leavers))
        attnames = [f.attname for f in Staff._meta.concrete_fields]
        for start in range(0, len(created_ids), batch_size):
            chunk = created_ids[start : start + batch_size]
            audit.record_created_values(
                actor=self.actor,
                model=Staff,
                rows=Staff.objects.filter(pk__in=chunk).values(*attnames),
                describe=localized_name,
            )
        updated_ids = list(befores)
        for start in range(0, len(updated_ids), batch_size):
            entries = []
            for staff in Staff.objects.filter(pk__in=updated_ids[start : start + batch_size]):
                note = ""
                if staff.pk in moves:
                    note = f"{AssignmentReason.IMPORT} {moves[staff.pk].isoformat()}"
                entries.append(
                    audit.build_entry(
                        actor=self.actor,
                        action=AuditAction.UPDATE,
                        obj=staff,
                        before=befores[staff.pk],
                        note=note,
                    )
                )
            audit.record_many(entries, batch_size=batch_size)
        return len(created_ids), len(befores), len(unchanged_ids)

    def _set_managers(
        self,
        wanted: dict[int, str],
        befores: dict[int, dict[str, Any]],
        moves: dict[int, dt.date],
        unchanged_ids: set[int],
        effective: dict[int, dt.date],
        now: dt.datetime,
    ) -> None:
        """Point every row at its manager once all rows exist (managers may come later)."""
        number_list = sorted({number for number in wanted.values() if number})
        ids_by_number: dict[str, int] = {}
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
        changes, needs_snapshot = [], []
        for staff_id, number in wanted.items():
            manager_id = ids_by_number.get(number) if number else None
            if current.get(staff_id) == manager_id:
                continue
            changes.append(SimpleNamespace(pk=staff_id, manager_id=manager_id, updated_at=now))
            if staff_id in unchanged_ids:
                unchanged_ids.discard(staff_id)
                needs_snapshot.append(staff_id)
            if staff_id in effective:  # an existing person: the change starts a new assignment
                moves.setdefault(staff_id, effective[staff_id])
        for start in range(0, len(needs_snapshot), 2000):
            for staff in Staff.objects.filter(pk__in=needs_snapshot[start : start + 2000]):
                befores[staff.pk] = audit.snapshot(staff)
        bulk.update_rows(Staff, changes, ["manager", "updated_at"])

    def _write_assignments(
        self, created_ids: list[int], moves: dict[int, dt.date], leavers: dict[int, dt.date]
    ) -> None:
        """Open the first assignment of new staff; close and reopen it for moved staff; close
        it on the leave date for people who left."""
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
            bulk.insert_rows(
                Assignment,
                (
                    "staff_id",
                    "start_date",
                    "end_date",
                    "unit_id",
                    "position_id",
                    "level_id",
                    "manager_id",
                    "reason",
                    "note",
                ),
                (
                    (
                        pk,
                        hire,
                        leave if status == StaffStatus.LEFT else None,
                        unit,
                        position,
                        level,
                        manager,
                        AssignmentReason.HIRE,
                        "",
                    )
                    for pk, hire, unit, position, level, manager, status, leave in Staff.objects.filter(
                        pk__in=chunk
                    ).values_list(*fields)
                ),
            )
        moved = list(moves)
        for start in range(0, len(moved), 2000):
            chunk = moved[start : start + 2000]
            open_rows = {
                a.staff_id: a
                for a in Assignment.objects.filter(staff_id__in=chunk, end_date__isnull=True)
            }
            new_rows, closed, replaced = [], [], []
            for pk, hire, unit, position, level, manager, status, leave in Staff.objects.filter(
                pk__in=chunk
            ).values_list(*fields):
                effective = max(moves[pk], hire)
                current = open_rows.get(pk)
                if current is not None and current.start_date >= effective:
                    replaced.append(current.pk)  # a same-day correction replaces the open row
                elif current is not None:
                    current.end_date = effective - dt.timedelta(days=1)
                    closed.append(current)
                left = status == StaffStatus.LEFT and leave is not None and leave >= effective
                new_rows.append(
                    Assignment(
                        staff_id=pk,
                        start_date=effective,
                        end_date=leave if left else None,
                        unit_id=unit,
                        position_id=position,
                        level_id=level,
                        manager_id=manager,
                        reason=AssignmentReason.IMPORT,
                    )
                )
            Assignment.objects.filter(pk__in=replaced).delete()
            bulk.update_rows(Assignment, closed, ["end_date"])
            Assignment.objects.bulk_create(new_rows)
        staying = [pk for pk in leavers if pk not in moves]
        for start in range(0, len(staying), 2000):
            chunk = staying[start : start + 2000]
            ending = list(Assignment.objects.filter(staff_id__in=chunk, end_date__isnull=True))
            for assignment in ending:
                assignment.end_date = max(leavers[assignment.staff_id], assignment.start_date)
            bulk.update_rows(Assignment, ending, ["end_date"])

    def _deactivate_logins(self, staff_ids: list[int]) -> None:
        """People who left lose their login, as with ``services.staff_leave``."""
        if not staff_ids:
            return
        from django.contrib.auth import get_user_model

        from opsteam.accounts import services as account_services

        users = get_user_model().objects.filter(staff__pk__in=staff_ids, is_active=True)
        for user in users:
            account_services.user_deactivate(actor=None, user=user)
