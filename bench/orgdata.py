"""The org skeleton every scale bench starts from: a company, departments and teams (with
their materialised paths), one role family and numbered positions."""

from __future__ import annotations

from typing import Any


def org_units(departments: int, teams: int) -> tuple[Any, list[Any], list[Any]]:
    """A company ``HQ``, ``departments`` under it and ``teams`` spread over the departments
    (directly under the company when there are none); returns (company, departments, teams)."""
    from opsteam.org.models import OrgUnit

    def unit(code: str, name: str, kind: str, parent: Any) -> Any:
        row = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)
        row.path = (parent.path if parent else "") + OrgUnit.path_segment(row.pk)
        row.depth = parent.depth + 1 if parent else 0
        row.save(update_fields=["path", "depth"])
        return row

    root = unit("HQ", "总部", "company", None)
    depts = [unit(f"D{d}", f"部门{d}", "department", root) for d in range(departments)]
    parents = depts or [root]
    team_units = [
        unit(f"T{t:02d}", f"团队{t}", "team", parents[t % len(parents)]) for t in range(teams)
    ]
    return root, depts, team_units


def positions(count: int, *, code: str = "P{:02d}") -> list[Any]:
    """``count`` positions of one operations role family."""
    from opsteam.org.models import Position, RoleFamily

    family = RoleFamily.objects.create(code="ops", name="运营")
    return [
        Position.objects.create(code=code.format(p), name=f"岗位{p}", family=family)
        for p in range(count)
    ]
