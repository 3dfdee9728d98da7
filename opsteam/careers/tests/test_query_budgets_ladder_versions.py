"""The versions of a ladder are read in a fixed number of queries, however many there are.

One track of five levels (the top one entered from another track's level) saved 10 times,
then 500 times; the track page (listing every version, and showing one with its changes) and
the API (the versions page by page, one version) are requested at both sizes. Each must stay
within ``BUDGET`` and take as many queries at 500 versions as at 10.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from opsteam.careers.models import CareerStep, CareerTrackVersion
from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)

pytestmark = pytest.mark.django_db

BUDGET = 30


@dataclass
class Dataset:
    """A track whose ladder has been saved ``size`` times (each save moved the top level's
    minimum months on by one), by an HR user with a staff record."""

    track: Any
    hr: Any
    base: dict[str, Any] = field(default_factory=dict)
    size: int = 0

    def grow(self, size: int) -> None:
        start, stop = self.size, size
        if stop <= start:
            return
        versions = []
        for number in range(start + 1, stop + 1):
            snapshot = {
                "track": self.base["track"],
                "steps": [
                    {**step, "min_months": number} if index == 4 else step
                    for index, step in enumerate(self.base["steps"])
                ],
            }
            versions.append(
                CareerTrackVersion(
                    track=self.track,
                    number=number,
                    saved_by=self.hr,
                    saved_at=timezone.now(),
                    snapshot=snapshot,
                    summary=f"第{number}次保存",
                    summary_en=f"Save {number}",
                )
            )
        CareerTrackVersion.objects.bulk_create(versions)
        self.size = size


def _kwargs(number: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"pk": lambda data: data.track.pk}
    if number is not None:
        values["number"] = number
    return values


ENDPOINTS: dict[str, Endpoint] = {
    "page track versions": Endpoint("careers:track_detail", kwargs=_kwargs()),
    "page track version": Endpoint("careers:track_detail", {"version": 2}, kwargs=_kwargs()),
    "page track versions (operator)": Endpoint(
        "careers:track_detail", login="operator", kwargs=_kwargs()
    ),
    "api track versions": Endpoint(
        "careers-track-versions", ALL_ROWS, rows="api", kwargs=_kwargs()
    ),
    "api track version": Endpoint("careers-track-version", kwargs=_kwargs(2)),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.careers import selectors_growth
    from opsteam.careers.tests.factories import (
        CareerStepFactory,
        CareerTrackFactory,
        LevelStandardFactory,
    )
    from opsteam.org.choices import LevelTrack
    from opsteam.org.tests.factories import JobLevelFactory, OrgUnitFactory, StaffFactory

    unit = OrgUnitFactory(code="VT", name="版本组", kind="team")
    track = CareerTrackFactory(code="VER")
    levels = [
        JobLevelFactory(code=f"V{rank}", name=f"级别{rank}", name_en=f"Level {rank}", rank=rank)
        for rank in range(1, 6)
    ]
    for order, level in enumerate(levels, start=1):
        CareerStepFactory(track=track, level=level, order=order)
        LevelStandardFactory(level=level, min_months_in_level=6)
    lead = JobLevelFactory(code="VM1", rank=4, track=LevelTrack.MANAGEMENT)
    CareerStep.objects.get(track=track, level=levels[-1]).entry_from.add(lead)
    clients = {}
    users = {}
    for role in ("hr", "operator"):
        user = UserFactory(username=f"{role}-versions-budget")
        RoleGrantFactory(user=user, role=role)
        StaffFactory(user=user, unit=unit)
        users[role] = user
        clients[role] = logged_in_client(user)
    data = Dataset(track=track, hr=users["hr"], base=selectors_growth.track_snapshot(track))
    return data, clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build():
        data, clients = build_dataset()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_versions(measured, name):
    assert_constant(measured, name)
