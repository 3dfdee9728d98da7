"""The suggestion box: submitting (named and anonymous), votes, comments, the workflow, the
private follow link, and the rule that nothing anywhere leads back to an anonymous submitter."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from opsteam.collab import selectors_suggestions as selectors
from opsteam.collab import services_suggestions as services
from opsteam.collab.models import Notification
from opsteam.collab.models_suggestions import (
    Suggestion,
    SuggestionComment,
    SuggestionEvent,
    SuggestionVote,
)
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def _submit(actor, *, anonymous=False, unit=None, title="夜班交接改为书面交接单"):
    return services.suggestion_create(
        actor=actor,
        title=title,
        body="口头交接经常遗漏。",
        category="process",
        unit=unit,
        anonymous=anonymous,
    )


def _accept(actor, suggestion, owner):
    services.suggestion_transition(actor=actor, suggestion=suggestion, to_status="under_review")
    return services.suggestion_transition(
        actor=actor,
        suggestion=suggestion,
        to_status="accepted",
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )


def test_anonymous_suggestion_stores_nobody_and_only_the_day(user_as):
    operator = user_as("operator", username="xiaowang")

    suggestion, token = _submit(operator, anonymous=True)

    suggestion.refresh_from_db()
    assert suggestion.author_id is None
    assert suggestion.is_anonymous
    assert token
    assert suggestion.follow_token_hash == services.hash_token(token)
    assert token not in json.dumps(
        list(Suggestion.objects.filter(pk=suggestion.pk).values()), default=str
    )
    local = timezone.localtime(suggestion.created_at)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    event = SuggestionEvent.objects.get(suggestion=suggestion)
    assert event.actor_id is None
    assert event.at == suggestion.created_at
    entry = AuditEntry.objects.get(object_type="collab.suggestion", object_id=str(suggestion.pk))
    assert entry.actor_id is None
    assert entry.actor_label == "system"
    assert entry.remote_addr is None
    assert entry.at == suggestion.created_at
    assert "xiaowang" not in json.dumps(entry.after)
    assert entry.after["author"] is None


def test_anonymous_submission_through_the_page_keeps_no_address_or_name(client_as, user_as):
    # given an operator signed in from a known address
    client = client_as("operator", username="xiaowang")
    hr = user_as("hr")

    # when they submit anonymously
    response = client.post(
        reverse("collab:suggestion_create"),
        {
            "title": "商品详情页增加尺码对照表",
            "body": "减少退货",
            "category": "customer",
            "anonymous": "on",
        },
        REMOTE_ADDR="10.1.2.3",
    )

    # then the page shows the private link once, and nothing stores the person or address
    assert response.status_code == 200
    suggestion = Suggestion.objects.get()
    assert "/collab/suggestions/follow/" in response.content.decode()
    entry = AuditEntry.objects.get(object_type="collab.suggestion")
    assert (entry.actor_id, entry.remote_addr) == (None, None)
    client.force_login(hr)  # HR reads everything, the audit trail included
    for url in (
        reverse("core:audit_list"),
        reverse("core:audit_detail", args=[entry.pk]),
        reverse("collab:inbox"),
        reverse("collab:suggestion_detail", args=[suggestion.pk]),
        reverse("collab:suggestion_list"),
        reverse("collab:suggestion_list") + "?export=csv",
        reverse("collab-suggestion-detail", args=[suggestion.pk]),
        reverse("collab-suggestion-history", args=[suggestion.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        assert "xiaowang" not in raw.decode(), url


def test_anonymous_submissions_are_limited_per_session(client_as, settings):
    from opsteam.collab import views_suggestions

    client = client_as("operator")
    data = {"title": "t", "body": "b", "category": "other", "anonymous": "on"}
    statuses = [
        client.post(reverse("collab:suggestion_create"), data).status_code
        for _n in range(views_suggestions.ANONYMOUS_PER_DAY + 1)
    ]
    assert statuses[-1] == 429
    assert Suggestion.objects.count() == views_suggestions.ANONYMOUS_PER_DAY


def test_named_suggestion_names_its_author_and_follows_it(user_as):
    operator = user_as("operator")
    suggestion, token = _submit(operator)
    assert token is None
    assert suggestion.author == operator
    assert suggestion.followers.filter(user=operator).exists()
    assert AuditEntry.objects.get(object_type="collab.suggestion").actor == operator


def test_auditors_cannot_submit(user_as):
    with pytest.raises(PolicyDenied):
        _submit(user_as("auditor"))


def test_empty_title_is_refused_with_the_field(user_as):
    with pytest.raises(ValidationFailed) as error:
        _submit(user_as("operator"), title="  ")
    assert error.value.field == "title"


def test_vote_toggles_and_counts_once_per_person(user_as):
    author, voter = user_as("operator"), user_as("operator")
    suggestion, _t = _submit(author)

    assert services.suggestion_vote(actor=voter, suggestion=suggestion) is True
    assert services.suggestion_vote(actor=voter, suggestion=suggestion, voted=True) is True
    assert Suggestion.objects.get().vote_count == 1
    assert services.suggestion_vote(actor=voter, suggestion=suggestion) is False
    assert Suggestion.objects.get().vote_count == 0
    assert not AuditEntry.objects.filter(object_type="collab.suggestionvote").exists()


def test_workflow_runs_to_implemented_with_a_public_history(org_tree, user_as):
    operator, voter, follower = user_as("operator"), user_as("operator"), user_as("operator")
    manager = user_as("manager")
    suggestion, _t = _submit(operator, unit=org_tree.t1)
    services.suggestion_vote(actor=voter, suggestion=suggestion)
    services.suggestion_follow(actor=follower, suggestion=suggestion, following=True)

    _accept(manager, suggestion, owner=manager)
    services.suggestion_transition(actor=manager, suggestion=suggestion, to_status="in_progress")
    services.suggestion_transition(
        actor=manager, suggestion=suggestion, to_status="implemented", note="已上线"
    )

    suggestion.refresh_from_db()
    assert suggestion.status == "implemented"
    assert suggestion.decided_at
    assert suggestion.implemented_at
    steps = list(SuggestionEvent.objects.values_list("from_status", "to_status"))
    assert steps == [
        ("", "received"),
        ("received", "under_review"),
        ("under_review", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "implemented"),
    ]
    told = set(Notification.objects.filter(kind="suggestion").values_list("recipient", flat=True))
    assert {operator.pk, voter.pk, follower.pk} <= told
    assert manager.pk not in told or suggestion.owner_id == manager.pk


@pytest.mark.parametrize(
    ("_case", "path", "target"),
    [
        ("skip review", (), "accepted"),
        ("implement before accepting", ("under_review",), "implemented"),
        ("decline work in progress", ("under_review", "accepted", "in_progress"), "declined"),
        ("unknown status", (), "done"),
    ],
)
def test_transitions_outside_the_workflow_are_refused(org_tree, user_as, _case, path, target):
    hr = user_as("hr")
    suggestion, _t = _submit(user_as("operator"))
    for status in path:
        services.suggestion_transition(
            actor=hr,
            suggestion=suggestion,
            to_status=status,
            owner=hr,
            due_date=timezone.localdate() + dt.timedelta(days=3),
        )
    with pytest.raises(InvalidTransition):
        services.suggestion_transition(actor=hr, suggestion=suggestion, to_status=target, note="x")


def test_declining_needs_a_reason_and_accepting_an_owner_and_due_date(user_as):
    hr = user_as("hr")
    suggestion, _t = _submit(user_as("operator"))
    with pytest.raises(ValidationFailed) as error:
        services.suggestion_transition(actor=hr, suggestion=suggestion, to_status="declined")
    assert error.value.field == "note"
    services.suggestion_transition(actor=hr, suggestion=suggestion, to_status="under_review")
    with pytest.raises(ValidationFailed) as error:
        services.suggestion_transition(actor=hr, suggestion=suggestion, to_status="accepted")
    assert error.value.field == "owner"
    with pytest.raises(ValidationFailed) as error:
        services.suggestion_transition(
            actor=hr, suggestion=suggestion, to_status="accepted", owner=hr
        )
    assert error.value.field == "due_date"
    assert Suggestion.objects.get().status == "under_review"


def test_manager_handles_only_suggestions_addressed_to_their_subtree(org_tree, user_as):
    operator, manager = user_as("operator"), user_as("manager")
    own, _t = _submit(operator, unit=org_tree.t1)
    other, _t = _submit(operator, unit=org_tree.t3)
    company, _t = _submit(operator)

    services.suggestion_transition(actor=manager, suggestion=own, to_status="under_review")
    for suggestion in (other, company):
        with pytest.raises(PolicyDenied):
            services.suggestion_transition(
                actor=manager, suggestion=suggestion, to_status="under_review"
            )


def test_overdue_accepted_suggestions_are_flagged(user_as):
    hr = user_as("hr")
    suggestion, _t = _submit(user_as("operator"))
    _accept(hr, suggestion, owner=hr)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    suggestion.refresh_from_db()
    assert suggestion.is_overdue
    assert selectors.overdue_count(Suggestion.objects.all()) == 1


def test_follow_link_shows_status_and_takes_an_anonymous_reply(client_as, user_as):
    # given an anonymous suggestion that HR put under review
    hr = user_as("hr")
    suggestion, token = _submit(user_as("operator", username="xiaowang"), anonymous=True)
    services.suggestion_transition(
        actor=hr, suggestion=suggestion, to_status="under_review", note="需要更多细节"
    )
    client = client_as("operator")

    # when the holder of the link opens it and replies
    url = reverse("collab:suggestion_follow", args=[token])
    page = client.get(url)
    reply = client.post(url, {"body": "补充：主要是夜班。"})

    # then they see the status, and the reply is the submitter's without anyone's name
    assert "Under review" in page.content.decode()
    assert reply.status_code == 302
    comment = SuggestionComment.objects.get()
    assert (comment.author_id, comment.is_anonymous, comment.by_submitter) == (None, True, True)
    audit = AuditEntry.objects.get(object_type="collab.suggestioncomment")
    assert (audit.actor_id, audit.remote_addr) == (None, None)
    assert client.get(reverse("collab:suggestion_follow", args=["y" * 32])).status_code == 404
    assert Notification.objects.filter(recipient=hr, kind="suggestion").exists()
    assert not Notification.objects.filter(actor__isnull=False, title__contains="comment").exists()


def test_anonymous_comment_keeps_no_author_and_notifies_without_actor(user_as):
    author, commenter = user_as("operator"), user_as("operator")
    suggestion, _t = _submit(author)
    services.suggestion_comment(actor=commenter, suggestion=suggestion, body="同意", anonymous=True)
    comment = SuggestionComment.objects.get()
    assert comment.author_id is None
    note = Notification.objects.get(recipient=author)
    assert note.actor_id is None


def test_api_creates_an_anonymous_suggestion_and_returns_its_token_once(api_client_as):
    api = api_client_as("operator", username="xiaowang")
    created = api.post(
        reverse("collab-suggestion-list"),
        {"title": "周报模板精简", "body": "只留三项", "category": "process", "anonymous": True},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["author"] is None
    assert body["author_name"] is None
    token = body["follow_token"]
    detail = api.get(reverse("collab-suggestion-detail", args=[body["id"]])).json()
    assert "follow_token" not in detail
    assert "xiaowang" not in json.dumps(detail)
    followed = api.get(reverse("collab-suggestion-follow-token", args=[token]))
    assert followed.json()["suggestion"]["status"] == "received"


def test_api_transition_validates_and_answers_conflicts(api_client_as, user_as):
    suggestion, _t = _submit(user_as("operator"))
    api = api_client_as("hr")
    url = reverse("collab-suggestion-transition", args=[suggestion.pk])
    assert api.post(url, {"to_status": "implemented"}, format="json").status_code == 409
    too_big = api.post(url, {"to_status": "accepted", "owner": 2**63}, format="json")
    assert too_big.status_code == 400
    assert api.post(url, {"to_status": "under_review"}, format="json").status_code == 200
    accepted = api.post(
        url,
        {
            "to_status": "accepted",
            "owner": api.user.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert accepted.status_code == 200
    assert accepted.json()["owner"] == api.user.pk


def test_api_never_lists_voters(api_client_as, user_as):
    suggestion, _t = _submit(user_as("operator"))
    voter = api_client_as("operator", username="voter-li")
    assert voter.post(reverse("collab-suggestion-vote", args=[suggestion.pk])).json() == {
        "voted": True,
        "vote_count": 1,
    }
    detail = voter.get(reverse("collab-suggestion-detail", args=[suggestion.pk])).json()
    assert detail["my_vote"] is True
    assert "voter-li" not in json.dumps(detail)
    other = api_client_as("operator")
    assert (
        other.get(reverse("collab-suggestion-detail", args=[suggestion.pk])).json()["my_vote"]
        is False
    )
    assert SuggestionVote.objects.count() == 1


def test_list_page_filters_and_shows_counts_per_status(client_as, user_as, org_tree):
    operator = user_as("operator")
    _submit(operator, title="甲")
    hr = user_as("hr")
    declined, _t = _submit(operator, title="乙")
    services.suggestion_transition(actor=hr, suggestion=declined, to_status="declined", note="n")
    client = client_as("operator")

    page = client.get(reverse("collab:suggestion_list"), {"status": "declined"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "乙" in html
    assert ">甲<" not in html
    assert 'id="suggestion-board"' in html


def test_home_sections_show_waiting_owned_and_my_updates(org_tree, user_as):
    operator, manager = user_as("operator"), user_as("manager")
    waiting, _t = _submit(operator, unit=org_tree.t1, title="等待中")
    Suggestion.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )
    accepted, _t = _submit(operator, unit=org_tree.t1, title="已采纳")
    _accept(manager, accepted, owner=manager)

    handler = {s["key"]: s for s in selectors.home_sections(user=manager)}
    author = {s["key"]: s for s in selectors.home_sections(user=operator)}

    assert handler["suggestions-to-answer"]["count"] == 1
    assert handler["suggestions-to-answer"]["items"][0]["title"] == "等待中"
    assert handler["suggestions-owned"]["items"][0]["title"] == "已采纳"
    assert author["my-suggestions"]["items"][0]["title"] == "已采纳"
    assert "suggestions-to-answer" not in author
    assert selectors.home_sections(user=user_as("auditor")) == []


def test_review_section_reports_throughput(user_as):
    hr = user_as("hr")
    assert selectors.review_section(start=TODAY(), end=TODAY()) is None
    first, _t = _submit(user_as("operator"))
    second, _t = _submit(user_as("operator"))
    _accept(hr, first, owner=hr)
    services.suggestion_transition(actor=hr, suggestion=second, to_status="declined", note="n")

    today = timezone.localdate()
    section = selectors.review_section(start=today - dt.timedelta(days=7), end=today)

    assert section["submitted"] == 2
    assert section["decided"] == 2
    assert (section["accepted"], section["declined"]) == (1, 1)
    assert section["median_days_to_decision"] == 0.0
    assert section["by_category"][0]["submitted"] == 2


def test_demo_loads_once(db):
    call_command("load_demo", verbosity=0)
    count = Suggestion.objects.count()
    assert count >= 8
    assert Suggestion.objects.filter(is_anonymous=True, author__isnull=True).count() >= 3
    call_command("load_demo", verbosity=0)
    assert Suggestion.objects.count() == count
