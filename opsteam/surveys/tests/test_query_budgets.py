"""Every survey list page, export and API list runs a fixed number of queries, however many rows.

The module builds one dataset of 10 rows of every kind, requests every endpoint, grows the
dataset to 500 rows and requests every endpoint again. The kinds: questionnaires (with their
questions), campaigns (each with a subject: HR's own review, or a training session as a topic),
people reviewed in one open 360 campaign (each with an invitation for HR to answer, and for the
manager on the people of their department), and peers who answered about one person, whose
results page must stay constant-query with 500 answer sets. Each endpoint must stay within
``BUDGET`` at both sizes, and its count at 500 rows must equal its count at 10 (a query per row
would show as a difference of 490). API lists ask for ``page_size=500`` so all 500 rows are
serialised.

Rows are bulk-inserted (one ``bulk_create`` per model per step) and the measurements are taken
once per module inside a rolled-back transaction, so the module runs in seconds on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    SIZES,
    Endpoint,
    Measurement,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.models import Staff
from opsteam.surveys.choices import (
    CampaignPurpose,
    CampaignStatus,
    InvitationStatus,
    QuestionKind,
    Relationship,
)
from opsteam.surveys.models import Answer, Campaign, Invitation, Question, Questionnaire, Subject

# Every test here uses the database, including those reading the module's measurements: the mark
# makes pytest-django create the test database however the tests are selected.
pytestmark = pytest.mark.django_db

BUDGET = 25
CAMPAIGN_STATUSES = (CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.DRAFT)


@dataclass
class Dataset:
    """Survey rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each.

    ``campaign`` is the open 360 campaign: ``n`` people reviewed (half in D1, the manager's
    department), each with an invitation for HR (every fourth one already submitted) and, in
    D1, one for the manager. ``results_subject`` (in D1) has self and manager answers plus
    ``n`` submitted peer answer sets. ``small_subject`` (in D2) has two external customers'
    answers: below the threshold, so that group is always withheld.
    """

    d1: Any
    d2: Any
    hr_staff: Any
    manager_staff: Any
    size: int = 0
    questionnaire: Any = None
    campaign: Any = None
    results_subject: Any = None
    small_subject: Any = None
    questions: list[Any] = field(default_factory=list)
    position: Any = None

    def setup(self) -> None:
        from opsteam.org.tests.factories import PositionFactory, StaffFactory
        from opsteam.surveys.tests.factories import make_questionnaire

        self.position = PositionFactory(code="SURVEY-BUDGET")
        self.questionnaire = make_questionnaire(code="budget-360", frozen_at=timezone.now())
        self.questions = list(self.questionnaire.questions.order_by("order"))
        self.campaign = Campaign.objects.create(
            name="预算 360",
            name_en="Budget 360",
            questionnaire=self.questionnaire,
            deadline=timezone.now() + dt.timedelta(days=14),
            status=CampaignStatus.OPEN,
            anonymity_threshold=3,
        )
        reviewee = StaffFactory(unit=self.d1, position=self.position, manager=self.manager_staff)
        self.results_subject = Subject.objects.create(campaign=self.campaign, staff=reviewee)
        self.small_subject = Subject.objects.create(
            campaign=self.campaign, staff=StaffFactory(unit=self.d2, position=self.position)
        )
        named = Invitation.objects.bulk_create(
            [
                Invitation(
                    subject=self.results_subject,
                    relationship=Relationship.SELF,
                    rater=reviewee,
                    status=InvitationStatus.SUBMITTED,
                ),
                Invitation(
                    subject=self.results_subject,
                    relationship=Relationship.MANAGER,
                    rater=self.manager_staff,
                    status=InvitationStatus.SUBMITTED,
                ),
                *(
                    Invitation(
                        subject=self.small_subject,
                        relationship=Relationship.EXTERNAL_CUSTOMER,
                        external_name=f"客户{k}",
                        external_email=f"customer{k}@example.com",
                        status=InvitationStatus.SUBMITTED,
                    )
                    for k in range(2)
                ),
            ]
        )
        Answer.objects.bulk_create(self._answers(named, rating=4, comment="NAMED-OR-EXTERNAL"))

    def _answers(self, invitations: list[Invitation], *, rating: int, comment: str) -> list:
        rows = []
        for k, invitation in enumerate(invitations):
            for question in self.questions:
                if question.kind == QuestionKind.RATING:
                    value = 1 + (rating + k + question.order) % 5
                    rows.append(Answer(invitation=invitation, question=question, rating=value))
                else:
                    rows.append(
                        Answer(invitation=invitation, question=question, comment=f"{comment} {k}")
                    )
        return rows

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind (questionnaires, campaigns, ...)."""
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        units = [self.d1, self.d2]
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"SV{i:05d}",
                name=f"被评人{i}",
                name_en=f"Reviewee {i}",
                email=f"sv{i}@example.com",
                hire_date=dt.date(2022, 1, 1) + dt.timedelta(days=i),
                unit=units[i % 2],
                position=self.position,
                manager=self.manager_staff if i % 2 == 0 else None,
            )
            for i in new
        )
        questionnaires = Questionnaire.objects.bulk_create(
            Questionnaire(
                code=f"budget-q{i:04d}",
                name=f"问卷{i}",
                name_en=f"Questionnaire {i}",
                frozen_at=timezone.now() if i % 2 else None,
            )
            for i in new
        )
        Question.objects.bulk_create(
            Question(
                questionnaire=questionnaire,
                order=order,
                kind=kind,
                text=f"问题{i}-{order}",
                text_en=f"Question {i}-{order}",
                competency="teamwork" if kind == QuestionKind.RATING else "",
                anchors=[{"value": v, "text": f"锚点{v}"} for v in range(1, 6)]
                if kind == QuestionKind.RATING
                else [],
            )
            for i, questionnaire in zip(new, questionnaires, strict=True)
            for order, kind in ((1, QuestionKind.RATING), (2, QuestionKind.COMMENT))
        )
        # Every fifth campaign is a training reaction survey about a session (a topic subject).
        campaigns = Campaign.objects.bulk_create(
            Campaign(
                name=f"活动{i}",
                name_en=f"Campaign {i}",
                questionnaire=questionnaire,
                deadline=timezone.now() + dt.timedelta(days=30, hours=i),
                status=CAMPAIGN_STATUSES[i % 3],
                purpose=(
                    CampaignPurpose.TRAINING_REACTION
                    if i % 5 == 4
                    else CampaignPurpose.FEEDBACK_360
                ),
            )
            for i, questionnaire in zip(new, questionnaires, strict=True)
        )
        reviewed = [Subject(campaign=self.campaign, staff=member) for member in staff]
        own = [
            Subject(campaign=campaign, topic=f"培训班{i}")
            if campaign.purpose == CampaignPurpose.TRAINING_REACTION
            else Subject(campaign=campaign, staff=self.hr_staff)
            for i, campaign in zip(new, campaigns, strict=True)
        ]
        Subject.objects.bulk_create(reviewed + own)
        to_give = [
            Invitation(
                subject=subject,
                relationship=Relationship.PEER,
                rater=self.hr_staff,
                status=InvitationStatus.SUBMITTED if i % 4 == 3 else InvitationStatus.OPEN,
                draft_saved_at=timezone.now() if i % 4 == 1 else None,
            )
            for i, subject in zip(new, reviewed, strict=True)
        ]
        managed = [
            Invitation(
                subject=subject,
                relationship=Relationship.MANAGER,
                rater=self.manager_staff,
                status=InvitationStatus.OPEN,
            )
            for i, subject in zip(new, reviewed, strict=True)
            if i % 2 == 0
        ]
        peers = [
            Invitation(
                subject=self.results_subject,
                relationship=Relationship.PEER,
                rater=member,
                status=InvitationStatus.SUBMITTED,
            )
            for member in staff
        ]
        Invitation.objects.bulk_create(to_give + managed + peers)
        submitted = [i for i in to_give if i.status == InvitationStatus.SUBMITTED]
        Answer.objects.bulk_create(
            self._answers(peers, rating=start, comment="PEER")
            + self._answers(submitted, rating=start + 1, comment="HR")
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages (every row on one page)
    "page campaigns": Endpoint("surveys:campaign_list"),
    "page questionnaires": Endpoint("surveys:questionnaire_list"),
    "page feedback to give": Endpoint("surveys:invitation_list"),
    "page feedback to give (manager)": Endpoint("surveys:invitation_list", login="manager"),
    "page results": Endpoint(
        "surveys:subject_results", kwargs={"pk": lambda data: data.results_subject.pk}
    ),
    "page results (manager)": Endpoint(
        "surveys:subject_results",
        kwargs={"pk": lambda data: data.results_subject.pk},
        login="manager",
    ),
    # Nested lists: a campaign's people reviewed, a person's raters
    "page campaign": Endpoint(
        "surveys:campaign_detail", kwargs={"pk": lambda data: data.campaign.pk}
    ),
    "page campaign (manager)": Endpoint(
        "surveys:campaign_detail", kwargs={"pk": lambda data: data.campaign.pk}, login="manager"
    ),
    "page raters": Endpoint(
        "surveys:subject_detail", kwargs={"pk": lambda data: data.results_subject.pk}
    ),
    # The campaign's results export: one row per person, rater group and competency
    "export campaign results": Endpoint(
        "surveys:campaign_export",
        {"file_format": "csv"},
        rows="csv",
        kwargs={"pk": lambda data: data.campaign.pk},
    ),
    "export campaign results (manager)": Endpoint(
        "surveys:campaign_export",
        {"file_format": "csv"},
        kwargs={"pk": lambda data: data.campaign.pk},
        login="manager",
    ),
    # API lists: 500 rows a page
    "api campaigns": Endpoint("survey-campaign-list", ALL_ROWS, rows="api"),
    "api questionnaires": Endpoint("survey-questionnaire-list", ALL_ROWS, rows="api"),
    "api subjects": Endpoint("survey-subject-list", ALL_ROWS, rows="api"),
    "api subjects (manager)": Endpoint(
        "survey-subject-list",
        {**ALL_ROWS, "campaign": lambda data: data.campaign.pk},
        login="manager",
    ),
    "api invitations": Endpoint("survey-invitation-list", ALL_ROWS, rows="api"),
    "api invitations (manager)": Endpoint("survey-invitation-list", ALL_ROWS, login="manager"),
    "api results": Endpoint(
        "survey-subject-results", kwargs={"pk": lambda data: data.results_subject.pk}
    ),
    "api results (manager)": Endpoint(
        "survey-subject-results",
        kwargs={"pk": lambda data: data.results_subject.pk},
        login="manager",
    ),
    "api raters": Endpoint(
        "survey-subject-nominations", kwargs={"pk": lambda data: data.results_subject.pk}
    ),
    "api response rates": Endpoint(
        "survey-campaign-response-rates", kwargs={"pk": lambda data: data.campaign.pk}
    ),
    "api campaign export": Endpoint(
        "survey-campaign-export",
        {"file_format": "csv"},
        rows="csv",
        kwargs={"pk": lambda data: data.campaign.pk},
    ),
}


def _build() -> tuple[Dataset, dict[str, Any]]:
    """The fixed setup: D1 and D2, HR and a manager of D1 (each with a staff record in D1)."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", name_en="Ops", kind="department", parent=company)
    d2 = OrgUnitFactory(
        code="D2", name="财务部", name_en="Finance", kind="department", parent=company
    )
    users, staff = {}, {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-survey-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        staff[role] = StaffFactory(user=user, unit=d1)
        users[role] = user
    data = Dataset(d1=d1, d2=d2, hr_staff=staff["hr"], manager_staff=staff["manager"])
    data.setup()
    return data, users


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Measurement]]:
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each.

    Built once for the module inside a transaction that is rolled back at the end.
    """

    def build():
        data, users = _build()
        clients = {role: logged_in_client(user) for role, user in users.items()}
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


def test_manager_lists_only_their_departments_reviews_and_their_own_invitations(measured):
    # the campaign's people reviewed in D1 (every other one) plus the results subject in D1;
    # HR sees all of them and the small subject in D2 besides
    assert measured["api subjects (manager)"][10].rows == 5 + 1
    assert measured["api subjects (manager)"][500].rows == 250 + 1
    assert measured["api subjects"][10].rows == 10 + 10 + 2
    # the manager's own invitations only: one per D1 reviewee plus their answer on the results
    # subject; HR's list holds every invitation (a full page at 500)
    assert measured["api invitations (manager)"][10].rows == 5 + 1
    assert measured["api invitations (manager)"][500].rows == 250 + 1
    assert measured["api invitations"][500].rows == 500


def test_peer_results_appear_only_once_three_peers_answered(client):
    # given the results subject with self and manager answers and two peers' answers
    data, users = _build()
    data.grow(2)
    client.force_login(users["hr"])
    url = reverse("survey-subject-results", kwargs={"pk": data.results_subject.pk})

    # when two peers answered, then their group is withheld with its comments and the overall
    withheld = client.get(url).json()
    peers = next(g for g in withheld["groups"] if g["relationship"] == "peer")
    assert peers == {"relationship": "peer", "label": "Peer", "named": False, "released": False}
    assert withheld["overall"] == {"released": False}
    assert not [c for c in withheld["comments"] if c["relationship"] == "peer"]

    # when a third peer answers, then the group and the overall are released
    data.grow(3)
    released = client.get(url).json()
    peers = next(g for g in released["groups"] if g["relationship"] == "peer")
    assert peers["released"] is True
    assert peers["responses"] == 3
    assert released["overall"]["released"] is True
    assert len([c for c in released["comments"] if c["relationship"] == "peer"]) == 3

    # and the small subject's two external customers stay withheld on the page
    page = client.get(reverse("surveys:subject_results", kwargs={"pk": data.small_subject.pk}))
    assert b"NAMED-OR-EXTERNAL" not in page.content
    assert b"Withheld: not enough people answered" in page.content
