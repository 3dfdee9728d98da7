"""Meeting pages and API lists run a fixed number of queries.

10 meetings (grown to 500) of team T1 organised by the team lead, each with the operator
invited, an agenda point, a decision and an action item the operator owns; one brainstorm
board with as many ideas (in groups, with votes) and as many regular meeting series. Every
list is requested at each size as HR (everything), the team lead (their subtree) and the
operator (their own), plus the board's meeting page and "My action items".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.core.tests.query_budgets import (
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)

pytestmark = pytest.mark.django_db

BUDGET = 16


@dataclass
class Dataset:
    manager: Any
    operator: Any
    unit: Any
    board: Any = None
    made: int = 0

    def grow(self, size: int) -> None:
        from django.utils import timezone

        from opsteam.collab.models_meetings import (
            Decision,
            Idea,
            IdeaGroup,
            IdeaVote,
            Meeting,
            MeetingActionItem,
            MeetingAgendaItem,
            MeetingParticipant,
            MeetingSeries,
        )

        start = timezone.now() - dt.timedelta(days=30)
        numbers = range(self.made, size)
        if self.board is None:
            self.board = Meeting.objects.create(
                title="头脑风暴",
                kind="brainstorm",
                unit=self.unit,
                organiser=self.manager,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                votes_per_person=20,
            )
            MeetingParticipant.objects.bulk_create(
                MeetingParticipant(meeting=self.board, user=user)
                for user in (self.manager, self.operator)
            )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                title=f"周会 {number:04d}",
                kind="team",
                unit=self.unit,
                organiser=self.manager,
                starts_at=start + dt.timedelta(hours=number),
                ends_at=start + dt.timedelta(hours=number, minutes=45),
                location="3号会议室",
            )
            for number in numbers
        )
        MeetingParticipant.objects.bulk_create(
            MeetingParticipant(meeting=meeting, user=user, attendance="present")
            for meeting in meetings
            for user in (self.manager, self.operator)
        )
        MeetingAgendaItem.objects.bulk_create(
            MeetingAgendaItem(meeting=meeting, title="复盘", added_by=self.operator)
            for meeting in meetings
        )
        Decision.objects.bulk_create(Decision(meeting=meeting, text="决定") for meeting in meetings)
        MeetingActionItem.objects.bulk_create(
            MeetingActionItem(
                meeting=meeting,
                title="整理差评",
                owner=self.operator,
                created_by=self.manager,
                due_date=timezone.localdate() + dt.timedelta(days=number % 9 - 4),
            )
            for number, meeting in zip(numbers, meetings, strict=True)
        )
        groups = IdeaGroup.objects.bulk_create(
            IdeaGroup(meeting=self.board, name=f"组 {number}", position=number)
            for number in numbers
        )
        ideas = Idea.objects.bulk_create(
            Idea(meeting=self.board, text=f"点子 {number}", author=self.operator, group=group)
            for number, group in zip(numbers, groups, strict=True)
        )
        IdeaVote.objects.bulk_create(IdeaVote(idea=idea, voter=self.manager) for idea in ideas)
        for number in numbers:
            series = MeetingSeries.objects.create(
                title=f"例会 {number:04d}",
                unit=self.unit,
                organiser=self.manager,
                weekday=number % 7,
                start_date=timezone.localdate(),
                start_time=dt.time(10),
            )
            series.participants.add(self.operator)
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page meetings hr": Endpoint("collab:meeting_list"),
    "page meetings manager": Endpoint("collab:meeting_list", login="manager"),
    "page meetings operator": Endpoint("collab:meeting_list", login="operator"),
    "export meetings": Endpoint("collab:meeting_list", {"export": "csv"}, rows="csv"),
    "page my actions": Endpoint("collab:my_action_items", login="operator"),
    "page board": Endpoint(
        "collab:meeting_detail", login="operator", kwargs={"pk": lambda data: data.board.pk}
    ),
    "api meetings": Endpoint("collab-meeting-list", {"page_size": 500}, rows="api"),
    "api meetings operator": Endpoint("collab-meeting-list", login="operator"),
    "api series": Endpoint("collab-meeting-series-list", login="manager"),
    "api agenda": Endpoint("collab-agenda-item-list", login="operator"),
    "api actions mine": Endpoint("collab-action-item-list", {"mine": "true"}, login="operator"),
    "api actions manager": Endpoint("collab-action-item-list", login="manager"),
    "api ideas": Endpoint("collab-idea-list", login="operator"),
    "api idea groups": Endpoint("collab-idea-group-list", login="operator"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

        unit = OrgUnitFactory(code="QB-MT1", name="店铺运营组")
        hr = UserFactory(username="meetings-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="meetings-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        operator = UserFactory(username="meetings-operator")
        RoleGrantFactory(user=operator, role="operator")
        StaffFactory(user=operator, unit=unit)
        data = Dataset(manager=manager, operator=operator, unit=unit)
        clients = {
            "hr": logged_in_client(hr),
            "manager": logged_in_client(manager),
            "operator": logged_in_client(operator),
        }
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)
