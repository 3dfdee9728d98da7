"""Anonymity is a data rule: pages, API and exports show the same released figures only.

The scenario: a subject with self and manager answers, two peers (below the threshold of
three) and three direct reports. The peers' figures and comments must never appear, nor an
overall figure from which they could be worked out.
"""

import csv
import io

import pytest
from django.urls import reverse

from opsteam.org.tests.factories import StaffFactory
from opsteam.surveys import selectors
from opsteam.surveys.choices import InvitationStatus
from opsteam.surveys.models import Answer, Invitation
from opsteam.surveys.tests.factories import CampaignFactory, SubjectFactory


def give(subject, relationship, rating, comment="", rater=None):
    """One submitted answer set: ``rating`` for every rating question, and a comment."""
    rater = rater or StaffFactory(unit=subject.staff.unit)
    invitation = Invitation.objects.create(
        subject=subject,
        relationship=relationship,
        rater=rater,
        status=InvitationStatus.SUBMITTED,
    )
    rows = []
    for question in subject.campaign.questionnaire.questions.all():
        if question.is_rating:
            rows.append(Answer(invitation=invitation, question=question, rating=rating))
        elif comment:
            rows.append(Answer(invitation=invitation, question=question, comment=comment))
    Answer.objects.bulk_create(rows)
    return invitation


@pytest.fixture
def scenario(user_as, org_tree):
    reviewee = user_as("operator")
    subject = SubjectFactory(campaign=CampaignFactory(), staff=reviewee.staff)
    give(subject, "self", 5, "SELF-NOTE", rater=reviewee.staff)
    give(subject, "manager", 3, "MANAGER-NOTE")
    give(subject, "peer", 1, "PEER-SECRET-ONE")
    give(subject, "peer", 2, "PEER-SECRET-TWO")
    for n in range(3):
        give(subject, "direct_report", 4, f"REPORT-NOTE-{n}")
    return {"subject": subject, "reviewee": reviewee}


def _group(results, relationship):
    return next(g for g in results["groups"] if g["relationship"] == relationship)


def test_selector_withholds_the_small_group_and_the_overall_that_would_reveal_it(scenario, user_as):
    results = selectors.subject_results(scenario["subject"], user_as("hr"))

    peers = _group(results, "peer")
    assert peers == {"relationship": "peer", "label": "Peer", "named": False, "released": False}
    reports = _group(results, "direct_report")
    assert reports["released"]
    assert reports["responses"] == 3
    assert reports["mean"] == 4.0
    assert {c["name"]: c["count"] for c in reports["competencies"]} == {
        "Teamwork": 6,
        "Ownership": 3,
    }
    assert results["overall"] == {"released": False}
    texts = [c["text"] for c in results["comments"]]
    assert not [t for t in texts if "PEER" in t]
    assert sorted(texts) == [
        "MANAGER-NOTE",
        "REPORT-NOTE-0",
        "REPORT-NOTE-1",
        "REPORT-NOTE-2",
        "SELF-NOTE",
    ]


def test_results_page_never_shows_the_small_group(scenario, client):
    client.force_login(scenario["reviewee"])

    page = client.get(reverse("surveys:subject_results", args=[scenario["subject"].pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert "PEER-SECRET" not in body
    assert "REPORT-NOTE-1" in body
    assert "1.5" not in body  # the peers' mean
    assert "Withheld: an overall figure would reveal a group that is too small." in body


def test_results_api_never_serialises_the_small_group(scenario, user_as):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user_as("hr"))

    response = api.get(reverse("survey-subject-results", args=[scenario["subject"].pk]))

    data = response.json()
    assert response.status_code == 200
    assert "PEER-SECRET" not in response.content.decode()
    assert _group(data, "peer") == {
        "relationship": "peer",
        "label": "Peer",
        "named": False,
        "released": False,
    }
    assert data["overall"] == {"released": False}
    assert "rater" not in response.content.decode()


def test_export_has_no_figure_for_the_small_group(scenario, user_as, client):
    client.force_login(user_as("hr"))

    response = client.get(
        reverse("surveys:campaign_export", args=[scenario["subject"].campaign_id]),
        {"file_format": "csv"},
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    peer_rows = [row for row in rows if row[3] == "Peer"]
    assert peer_rows
    assert all(row[4] == "withheld" and row[6] == "" for row in peer_rows)
    overall_rows = [row for row in rows if row[3].startswith("Overall")]
    assert overall_rows
    assert all(row[4] == "withheld" for row in overall_rows)
    assert "PEER-SECRET" not in text
    assert any(row[3] == "Direct report" and row[6] == "4.0" for row in rows)


def test_a_third_peer_releases_the_group_and_the_overall(scenario, user_as):
    give(scenario["subject"], "peer", 3, "PEER-THIRD")

    results = selectors.subject_results(scenario["subject"], user_as("hr"))

    assert _group(results, "peer")["released"]
    assert _group(results, "peer")["mean"] == 2.0
    assert results["overall"]["released"]
    assert results["overall"]["mean"] == pytest.approx((1 + 2 + 3 + 4 * 3) / 6, abs=0.01)
    assert "PEER-SECRET-ONE" in [c["text"] for c in results["comments"]]


def test_comments_are_shuffled_deterministically_not_in_submission_order(user_as):
    subject = SubjectFactory(campaign=CampaignFactory())
    submitted = [f"COMMENT-{n:02d}" for n in range(9)]
    for text in submitted:
        give(subject, "peer", 3, text)
    hr = user_as("hr")

    first = [c["text"] for c in selectors.subject_results(subject, hr)["comments"]]
    again = [c["text"] for c in selectors.subject_results(subject, hr)["comments"]]

    assert sorted(first) == submitted
    assert first != submitted
    assert first == again


def test_leniency_adjustment_is_shown_to_hr_only(user_as, org_tree):
    campaign = CampaignFactory()
    reviewee = user_as("operator")
    subjects = [SubjectFactory(campaign=campaign, staff=reviewee.staff)] + [
        SubjectFactory(campaign=campaign, staff=StaffFactory(unit=org_tree.t1)) for _ in range(2)
    ]
    lenient = StaffFactory(unit=org_tree.t1)
    for subject in subjects:
        give(subject, "peer", 5, rater=lenient)  # rates everyone 5: three people
        give(subject, "peer", 3)
        give(subject, "peer", 1)

    hr_view = selectors.subject_results(subjects[0], user_as("hr"))
    own_view = selectors.subject_results(subjects[0], reviewee)

    peers = _group(hr_view, "peer")
    assert peers["raw_mean"] == 3.0
    assert peers["adjustment"] < 0  # the lenient rater's 5s count for less
    assert peers["mean"] == pytest.approx(3.0 + peers["adjustment"], abs=0.01)
    own_peers = _group(own_view, "peer")
    assert own_peers["mean"] == peers["mean"]
    assert "raw_mean" not in own_peers
    assert "adjustment" not in own_peers


def test_results_are_visible_to_self_their_managers_and_hr_only(
    scenario, user_as, client, org_tree
):
    url = reverse("surveys:subject_results", args=[scenario["subject"].pk])
    expectations = [
        (scenario["reviewee"], 200),
        (user_as("manager"), 200),
        (user_as("manager", unit=org_tree.t3), 404),
        (user_as("operator"), 404),
        (user_as("hr"), 200),
        (user_as("auditor"), 200),
    ]
    for user, status in expectations:
        client.force_login(user)
        assert client.get(url).status_code == status, user
