"""RACI analysis: gaps, conflicts, duplicated duties and overloaded people (pure, no Django).

The seed asks to "avoid duplicated work and conflicts, and locate responsibility fast"
(避免工作重复与冲突, 迅速定位责任). From the matrix of activities x positions this finds:

- activities nobody is Accountable for, or several positions are (多头负责: a conflict);
- activities nobody is Responsible for (a gap);
- pairs of positions whose Responsible activities largely coincide (duplicated duties),
  measured by the Jaccard similarity of their activity sets;
- pairs of positions both Accountable for the same activity (conflicting authority);
- people whose positions (main plus concurrent) carry more load than the configured limit.

Every finding carries its evidence (which activities, which positions, how the load adds up).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NONE, RESPONSIBLE, ACCOUNTABLE, CONSULTED, INFORMED = 0, 1, 2, 3, 4
CODES = {"": NONE, "R": RESPONSIBLE, "A": ACCOUNTABLE, "C": CONSULTED, "I": INFORMED}
# Load weights per cell: doing the work (R) and answering for it (A) weigh most.
DEFAULT_LOAD_WEIGHTS = {RESPONSIBLE: 1.0, ACCOUNTABLE: 0.5, CONSULTED: 0.25, INFORMED: 0.0}


class RaciInputError(ValueError):
    """The matrix or the staff mapping is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class RaciInput:
    activity_ids: np.ndarray  # (activities,) int64
    position_ids: np.ndarray  # (positions,) int64
    matrix: np.ndarray  # (activities, positions) int8 codes NONE/R/A/C/I
    staff_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (staff,)
    holdings: np.ndarray = field(
        default_factory=lambda: np.zeros((0, 0), dtype=bool)
    )  # (staff, positions)


@dataclass(frozen=True, slots=True)
class ActivityFinding:
    kind: str  # "no_accountable" | "multiple_accountable" | "no_responsible"
    activity_id: int
    position_ids: tuple[int, ...]  # the positions involved (the several A's); empty for gaps


@dataclass(frozen=True, slots=True)
class PositionPairFinding:
    kind: str  # "duplicate_duties" | "conflicting_accountability"
    position_a: int
    position_b: int
    shared_activity_ids: tuple[int, ...]
    similarity: float  # Jaccard of the two positions' Responsible activity sets, 0..1


@dataclass(frozen=True, slots=True)
class LoadFinding:
    staff_id: int
    load: float
    limit: float
    contributions: tuple[tuple[int, float], ...]  # (position id, load it adds), largest first


@dataclass(frozen=True, slots=True)
class RaciAnalysis:
    activity_findings: tuple[ActivityFinding, ...]
    pair_findings: tuple[PositionPairFinding, ...]
    load_findings: tuple[LoadFinding, ...]
    position_load: dict[int, float]  # position id -> load of its cells

    @property
    def issue_count(self) -> int:
        return len(self.activity_findings) + len(self.pair_findings) + len(self.load_findings)


def _validate(data: RaciInput) -> None:
    activities, positions = len(data.activity_ids), len(data.position_ids)
    if data.matrix.shape != (activities, positions):
        raise RaciInputError(
            f"matrix: shape {data.matrix.shape} does not match {activities} activities x "
            f"{positions} positions"
        )
    if data.matrix.size and (data.matrix.min() < NONE or data.matrix.max() > INFORMED):
        raise RaciInputError("matrix: codes must be 0 (none), 1 R, 2 A, 3 C or 4 I")
    if data.holdings.size and data.holdings.shape != (len(data.staff_ids), positions):
        raise RaciInputError(
            f"holdings: shape {data.holdings.shape} does not match {len(data.staff_ids)} staff x "
            f"{positions} positions"
        )


def analyse_raci(
    data: RaciInput,
    *,
    overlap_threshold: float = 0.6,
    min_shared: int = 2,
    max_load: float = 12.0,
    load_weights: dict[int, float] | None = None,
) -> RaciAnalysis:
    """Return every gap, conflict, duplication and overload in the matrix, with evidence.

    ``overlap_threshold`` is the Jaccard similarity from which two positions' R duties
    count as duplicated (and they must share at least ``min_shared`` activities);
    ``max_load`` is the weighted cell count above which a person is overloaded.
    """
    _validate(data)
    if not 0 < overlap_threshold <= 1:
        raise RaciInputError("overlap_threshold: must be in (0, 1]")
    weights = load_weights or DEFAULT_LOAD_WEIGHTS
    matrix = data.matrix.astype(np.int8, copy=False)
    is_a = matrix == ACCOUNTABLE
    is_r = matrix == RESPONSIBLE

    activity_findings: list[ActivityFinding] = []
    a_counts = is_a.sum(axis=1)
    r_counts = is_r.sum(axis=1)
    for index, activity_id in enumerate(data.activity_ids.tolist()):
        if a_counts[index] == 0:
            activity_findings.append(ActivityFinding("no_accountable", activity_id, ()))
        elif a_counts[index] > 1:
            holders = tuple(data.position_ids[is_a[index]].tolist())
            activity_findings.append(ActivityFinding("multiple_accountable", activity_id, holders))
        if r_counts[index] == 0:
            activity_findings.append(ActivityFinding("no_responsible", activity_id, ()))

    pair_findings: list[PositionPairFinding] = []
    # Duplicated work means doing the same activities (R); a lead answering (A) for what a
    # specialist does (R) is the intended split, not a duplicate.
    duty = is_r.astype(np.int32)  # (activities, positions)
    shared = duty.T @ duty  # (positions, positions) shared Responsible activities
    sizes = np.diag(shared)
    union = sizes[:, None] + sizes[None, :] - shared
    similarity = np.divide(shared, union, out=np.zeros(shared.shape, dtype=float), where=union > 0)
    both_a = is_a.astype(np.int32).T @ is_a.astype(np.int32)
    positions = len(data.position_ids)
    for a in range(positions):
        for b in range(a + 1, positions):
            if both_a[a, b] > 0:
                activities = tuple(data.activity_ids[is_a[:, a] & is_a[:, b]].tolist())
                pair_findings.append(
                    PositionPairFinding(
                        "conflicting_accountability",
                        int(data.position_ids[a]),
                        int(data.position_ids[b]),
                        activities,
                        float(similarity[a, b]),
                    )
                )
            if shared[a, b] >= min_shared and similarity[a, b] >= overlap_threshold:
                activities = tuple(data.activity_ids[(duty[:, a] > 0) & (duty[:, b] > 0)].tolist())
                pair_findings.append(
                    PositionPairFinding(
                        "duplicate_duties",
                        int(data.position_ids[a]),
                        int(data.position_ids[b]),
                        activities,
                        round(float(similarity[a, b]), 6),
                    )
                )

    weight_table = np.zeros(INFORMED + 1, dtype=float)
    for code, weight in weights.items():
        weight_table[code] = weight
    position_load_array = weight_table[matrix].sum(axis=0) if matrix.size else np.zeros(positions)
    position_load = {
        int(pid): round(float(load), 6)
        for pid, load in zip(data.position_ids.tolist(), position_load_array, strict=True)
    }

    load_findings: list[LoadFinding] = []
    if data.holdings.size:
        staff_load = data.holdings.astype(float) @ position_load_array
        for index in np.flatnonzero(staff_load > max_load + 1e-9).tolist():
            held = np.flatnonzero(data.holdings[index])
            contributions = sorted(
                (
                    (int(data.position_ids[p]), round(float(position_load_array[p]), 6))
                    for p in held
                ),
                key=lambda item: (-item[1], item[0]),
            )
            load_findings.append(
                LoadFinding(
                    int(data.staff_ids[index]),
                    round(float(staff_load[index]), 6),
                    max_load,
                    tuple(contributions),
                )
            )
        load_findings.sort(key=lambda finding: (-finding.load, finding.staff_id))

    return RaciAnalysis(
        tuple(activity_findings), tuple(pair_findings), tuple(load_findings), position_load
    )
