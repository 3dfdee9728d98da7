"""Promotion-round pages: rounds, nominating with live eligibility, nominations and their
decisions, the committee's reviews, and a promotion approved end to end."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opsteam.careers import services
from opsteam.careers.choices import NominationStatus, RoundStatus
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.careers.tests.factories import (
    CareerStepFactory,
    CareerTrackFactory,
    LevelStandardFactory,
    PromotionRoundFactory,
    StandardCompetencyFactory,
)
from opsteam.core.models import AuditEntry
from opsteam.incentives.models import RewardEntry
from opsteam.org.choices import LevelTrack
from opsteam.org.models import Assignment, Staff
from opsteam.org.tests.factories import JobLevelFactory, SkillFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def make_world(user_as, org_tree) -> SimpleNamespace:
    """The ladder P1 → P2 → P3 (and P3 → M1), a published P3 standard asking for six months in
    level and Data analysis at level 3; HR, a two-member committee in T3, a T1 manager, a T1
    operator at P2 (hired 2023-01-01, Data analysis not assessed) and a round open for
    nominations that closes and takes effect today."""
    pro, mgt = LevelTrack.PROFESSIONAL, LevelTrack.MANAGEMENT
    levels = {
        "P1": JobLevelFactory(code="P1", name="运营助理", name_en="Assistant", rank=1, track=pro),
        "P2": JobLevelFactory(code="P2", name="运营专员", name_en="Operator", rank=2, track=pro),
        "P3": JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3, track=pro),
        "M1": JobLevelFactory(code="M1", name="组长", name_en="Team lead", rank=3, track=mgt),
    }
    track = CareerTrackFactory(code="PRO", kind=pro)
    for order, code in enumerate(["P1", "P2", "P3"], start=1):
        CareerStepFactory(track=track, level=levels[code], order=order)
    CareerStepFactory(
        track=CareerTrackFactory(code="MGT", kind=mgt), level=levels["M1"], order=1
    ).entry_from.add(levels["P3"])
    standard = LevelStandardFactory(level=levels["P3"], min_months_in_level=6)
    StandardCompetencyFactory(
        standard=standard, skill=SkillFactory(name_en="Data analysis"), min_level=3
    )
    hr = user_as("hr")
    members = [user_as("operator", unit=org_tree.t3), user_as("operator", unit=org_tree.t3)]
    manager = user_as("manager", unit=org_tree.t1)
    nominee_user = user_as(
        "operator", unit=org_tree.t1, level=levels["P2"], name_en="Li Lei", name="李雷"
    )
    promotion_round = services.round_create(
        actor=hr,
        committee=members,
        name="2026 年度晋升",
        name_en="2026 promotions",
        nominations_close=TODAY,
        effective_date=TODAY,
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)
    return SimpleNamespace(
        levels=levels,
        standard=standard,
        hr=hr,
        members=members,
        manager=manager,
        nominee_user=nominee_user,
        nominee=Staff.objects.get(user=nominee_user),
        round=promotion_round,
    )


def nominate(world, **overrides) -> Nomination:
    arguments = {
        "actor": world.manager,
        "promotion_round": world.round,
        "staff": world.nominee,
        "target_level": world.levels["P3"],
        "justification": "连续两个季度超额完成 GMV",
        **overrides,
    }
    return services.nominate(**arguments)


def start_review(world) -> Nomination:
    nomination = nominate(world)
    services.round_advance(actor=world.hr, promotion_round=world.round)
    return nomination


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(user_as, org_tree):
    return make_world(user_as, org_tree)


def audit_actions(obj) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# Rounds ---------------------------------------------------------------------------------------


def test_everyone_sees_the_rounds_and_only_hr_may_add_one(world):
    PromotionRoundFactory(name_en="2025 promotions", status=RoundStatus.CLOSED)

    as_operator = login(world.nominee_user).get(reverse("careers:round_list"))
    as_hr = login(world.hr).get(reverse("careers:round_list"))
    closed_only = login(world.hr).get(reverse("careers:round_list"), {"status": "closed"})

    assert as_operator.status_code == 200
    assert {r.display_name for r in as_operator.context["object_list"]} == {
        "2026 promotions",
        "2025 promotions",
    }
    assert reverse("careers:round_create") not in as_operator.content.decode()
    assert reverse("careers:round_create") in as_hr.content.decode()
    assert [r.display_name for r in closed_only.context["object_list"]] == ["2025 promotions"]


def test_hr_creates_a_round_with_a_committee(world):
    client = login(world.hr)

    response = client.post(
        reverse("careers:round_create"),
        {
            "name": "2027 晋升",
            "name_en": "2027 promotions",
            "nominations_close": "2027-03-01",
            "effective_date": "2027-04-01",
            "allow_self_nomination": "on",
            "committee": [member.pk for member in world.members],
        },
    )

    created = PromotionRound.objects.get(name_en="2027 promotions")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.status == RoundStatus.DRAFT
    assert set(created.committee.all()) == set(world.members)
    assert audit_actions(created) == ["create"]


def test_a_round_taking_effect_before_nominations_close_is_refused(world):
    client = login(world.hr)

    response = client.post(
        reverse("careers:round_create"),
        {"name": "错日期", "nominations_close": "2027-04-01", "effective_date": "2027-03-01"},
    )

    assert response.status_code == 400
    assert "Promotions cannot take effect before nominations close." in response.content.decode()
    assert response.context["form"].errors["effective_date"]
    assert not PromotionRound.objects.filter(name="错日期").exists()


def test_round_page_shows_the_nominations_each_role_may_see(world, org_tree):
    # given the nominee and a teammate nominated, and someone in another department
    nominate(world)
    teammate = StaffFactory(unit=org_tree.t1, level=world.levels["P2"], name_en="Han Meimei")
    nominate(world, staff=teammate)
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P2"], name_en="Zhang San")
    nominate(world, actor=world.hr, staff=outsider)
    url = world.round.get_absolute_url()

    # when HR, the manager and the nominee open the round
    as_hr = login(world.hr).get(url)
    as_manager = login(world.manager).get(url)
    as_nominee = login(world.nominee_user).get(url)

    # then each sees the nominations in their scope, with readiness at nomination
    def names(response):
        return sorted(n.staff.display_name for n in response.context["nominations"])

    assert names(as_hr) == ["Han Meimei", "Li Lei", "Zhang San"]
    assert names(as_manager) == ["Han Meimei", "Li Lei"]
    assert names(as_nominee) == ["Li Lei"]
    assert "Zhang San" not in as_nominee.content.decode()
    page = as_hr.content.decode()
    assert "Not ready" in page
    assert "1/2" in page  # six months in level met, Data analysis not assessed
    summary = as_hr.context["summary"]
    assert (summary.ready, summary.not_ready, summary.total) == (0, 3, 3)
    assert as_hr.context["status_chart"]["series"][0]["data"] == [{"name": "Nominated", "value": 3}]
    assert 'data-chart="ready-chart"' in page


def test_hr_advances_the_round_after_a_confirmation_naming_the_next_stage(world):
    nominate(world)
    url = world.round.get_absolute_url()
    hr = login(world.hr)

    page = hr.get(url).content.decode()
    operator_page = login(world.nominee_user).get(url).content.decode()
    response = hr.post(reverse("careers:round_advance", args=[world.round.pk]), follow=True)

    assert "Move to Committee review" in page
    assert 'data-confirm="Move this round to “Committee review”?' in page
    assert reverse("careers:round_advance", args=[world.round.pk]) not in operator_page
    assert response.status_code == 200
    assert "The round is now at the stage: Committee review." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.REVIEWING
    assert CommitteeReview.objects.count() == 2


def test_an_operator_cannot_advance_a_round(world):
    response = login(world.nominee_user).post(
        reverse("careers:round_advance", args=[world.round.pk])
    )

    assert response.status_code == 403
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.NOMINATING


def test_closing_with_undecided_nominations_is_refused_with_the_reason(world):
    start_review(world)

    response = login(world.hr).post(
        reverse("careers:round_advance", args=[world.round.pk]), follow=True
    )

    assert "Decide every nomination before closing the round." in response.content.decode()
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.REVIEWING


def test_hr_exports_the_nominations_and_an_operator_may_not(world):
    nominate(world)
    url = world.round.get_absolute_url()

    export = login(world.hr).get(url, {"export": "csv"})
    refused = login(world.nominee_user).get(url, {"export": "csv"})

    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert export.status_code == 200
    assert len(lines) == 2
    assert "Li Lei" in lines[1]
    assert "1/2" in lines[1]
    assert refused.status_code == 403


# Nominating -----------------------------------------------------------------------------------


def test_nominate_form_shows_live_eligibility_with_evidence(world):
    client = login(world.manager)

    response = client.get(
        reverse("careers:nominate"),
        {"staff": world.nominee.pk, "level": world.levels["P3"].pk},
    )

    page = response.content.decode()
    assert response.status_code == 200
    # the round open today is chosen, the person's next levels are offered (not M1)
    assert response.context["form"].initial["round"] == world.round.pk
    assert list(response.context["form"].fields["level"].queryset) == [world.levels["P3"]]
    preview = response.context["preview"]
    assert (preview["ready"], preview["met"], preview["total"]) == (False, 1, 2)
    assert "since 2023-01-01" in page
    assert "Data analysis" in page
    assert "not assessed yet" in page


def test_changing_the_person_swaps_the_levels_and_the_eligibility(world):
    client = login(world.manager)

    response = client.get(
        reverse("careers:nominate", args=[world.round.pk]),
        {"staff": world.nominee.pk, "level": world.levels["P3"].pk},
        headers={"HX-Request": "true"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="nominate-level">')
    assert 'id="nominate-preview" hx-swap-oob="true"' in page
    assert "<html" not in page


def test_manager_nominates_their_team_member(world):
    client = login(world.manager)

    response = client.post(
        reverse("careers:nominate", args=[world.round.pk]),
        {
            "round": world.round.pk,
            "staff": world.nominee.pk,
            "level": world.levels["P3"].pk,
            "justification": "带新人两名，GMV 超额 20%",
        },
    )

    nomination = Nomination.objects.get()
    assert response.status_code == 302
    assert response["Location"] == nomination.get_absolute_url()
    assert (nomination.staff, nomination.target_level) == (world.nominee, world.levels["P3"])
    assert nomination.kind == "manager"
    assert nomination.eligibility["met"] == 1
    assert audit_actions(nomination) == ["create"]


@pytest.mark.parametrize(
    ("_case", "change", "field", "message"),
    [
        ("no justification", {"justification": ""}, "justification", "This field is required."),
        ("not a next level", {"level": "M1"}, "level", "Select a valid choice."),
    ],
)
def test_bad_nomination_shows_the_field_error_and_writes_nothing(
    world, _case, change, field, message
):
    data = {
        "round": world.round.pk,
        "staff": world.nominee.pk,
        "level": world.levels["P3"].pk,
        "justification": "推荐",
    }
    if change.get("level"):
        change = {"level": world.levels[change["level"]].pk}
    data.update(change)

    response = login(world.manager).post(reverse("careers:nominate"), data)

    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not Nomination.objects.exists()
    assert not AuditEntry.objects.filter(object_type="careers.nomination").exists()


def test_manager_cannot_nominate_someone_outside_their_team(world, org_tree):
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P2"])
    client = login(world.manager)

    form = client.get(reverse("careers:nominate")).context["form"]
    response = client.post(
        reverse("careers:nominate"),
        {
            "round": world.round.pk,
            "staff": outsider.pk,
            "level": world.levels["P3"].pk,
            "justification": "推荐",
        },
    )

    assert outsider not in form.fields["staff"].queryset
    assert world.nominee in form.fields["staff"].queryset
    assert response.status_code == 400
    assert "staff" in response.context["form"].errors
    assert not Nomination.objects.exists()


def test_operator_nominates_themself_only_where_the_round_allows_it(world):
    client = login(world.nominee_user)
    data = {
        "round": world.round.pk,
        "staff": world.nominee.pk,
        "level": world.levels["P3"].pk,
        "justification": "我准备好了",
    }
    world.round.allow_self_nomination = False
    world.round.save(update_fields=["allow_self_nomination"])

    form = client.get(reverse("careers:nominate")).context["form"]
    refused = client.post(reverse("careers:nominate"), data)

    assert list(form.fields["staff"].queryset) == [world.nominee]
    assert form.initial["staff"] == world.nominee.pk
    assert refused.status_code == 400
    assert "This round does not take self-nominations." in refused.content.decode()
    assert not Nomination.objects.exists()

    world.round.allow_self_nomination = True
    world.round.save(update_fields=["allow_self_nomination"])
    accepted = client.post(reverse("careers:nominate"), data)

    assert accepted.status_code == 302
    assert Nomination.objects.get().kind == "self"


def test_auditors_may_not_nominate_and_pages_say_when_no_round_is_open(world, user_as):
    auditor = login(user_as("auditor"))
    world.round.status = RoundStatus.CLOSED
    world.round.save(update_fields=["status"])

    refused = auditor.get(reverse("careers:nominate"))
    empty = login(world.manager).get(reverse("careers:nominate"))

    assert refused.status_code == 403
    assert empty.status_code == 200
    assert "No promotion round is open for nominations" in empty.content.decode()


# Nominations and committee ---------------------------------------------------------------------


def test_nomination_page_shows_the_snapshot_next_to_the_eligibility_now(world):
    # given a nomination taken before the nominee's Data analysis was assessed at level 3
    nomination = nominate(world)
    world.nominee.skills.create(
        skill=world.standard.competencies.get().skill, level=3, recorded_on=TODAY
    )

    response = login(world.manager).get(nomination.get_absolute_url())

    at_nomination, now = response.context["at_nomination"], response.context["now"]
    assert (at_nomination["met"], at_nomination["total"]) == (1, 2)
    assert (now["met"], now["ready"]) == (2, True)
    page = response.content.decode()
    assert "Data analysis: level 3 required; not assessed yet." in page
    assert "Data analysis: level 3; level 3 required." in page
    assert "连续两个季度超额完成 GMV" in page


def test_committee_reviews_show_to_hr_and_the_member_never_to_nominee_or_manager(world):
    # given a member's submitted review with a comment
    nomination = start_review(world)
    member = world.members[0]
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=member)
    services.committee_review_submit(
        actor=member, review=review, score=82, recommendation="approve", comment="答辩逻辑清晰"
    )

    # when each opens the nomination or the review
    as_hr = login(world.hr).get(nomination.get_absolute_url()).content.decode()
    as_manager = login(world.manager).get(nomination.get_absolute_url()).content.decode()
    as_nominee = login(world.nominee_user).get(nomination.get_absolute_url()).content.decode()
    as_member = login(member).get(reverse("careers:committee_review", args=[review.pk]))
    other_member = login(world.members[1]).get(
        reverse("careers:committee_review", args=[review.pk])
    )

    # then
    assert "答辩逻辑清晰" in as_hr
    assert "答辩逻辑清晰" not in as_manager
    assert "答辩逻辑清晰" not in as_nominee
    assert 'id="committee-reviews"' not in as_nominee
    assert "答辩逻辑清晰" in as_member.content.decode()
    assert other_member.status_code == 404


def test_member_scores_a_nomination_from_their_committee_page(world):
    nomination = start_review(world)
    member = world.members[0]
    client = login(member)
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=member)

    committee = client.get(reverse("careers:committee"))
    form_page = client.get(reverse("careers:committee_review", args=[review.pk]))
    response = client.post(
        reverse("careers:committee_review_submit", args=[review.pk]),
        {"score": "85.5", "recommendation": "approve", "comment": "数据扎实"},
    )

    assert [r.pk for r in committee.context["todo"]] == [review.pk]
    assert "Li Lei" in committee.content.decode()
    assert "since 2023-01-01" in form_page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("careers:committee")
    review.refresh_from_db()
    assert (review.score, review.recommendation) == (85.5, "approve")
    nomination.refresh_from_db()
    assert str(nomination.defence_score) == "85.5"
    assert audit_actions(review) == ["update"]
    done = client.get(reverse("careers:committee")).context
    assert (done["todo"], [r.pk for r in done["done"]]) == ([], [review.pk])


def test_a_score_above_100_shows_the_error_and_saves_nothing(world):
    nomination = start_review(world)
    member = world.members[0]
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=member)

    response = login(member).post(
        reverse("careers:committee_review_submit", args=[review.pk]),
        {"score": "150", "recommendation": "approve"},
    )

    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    review.refresh_from_db()
    assert review.submitted_at is None
    assert not AuditEntry.objects.filter(object_type="careers.committeereview").exists()


def test_hr_cannot_submit_a_members_review(world):
    nomination = start_review(world)
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=world.members[0])

    page = login(world.hr).get(reverse("careers:committee_review", args=[review.pk]))
    response = login(world.hr).post(
        reverse("careers:committee_review_submit", args=[review.pk]),
        {"score": "10", "recommendation": "reject"},
    )

    assert page.status_code == 200
    assert page.context["can_review"] is False
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.submitted_at is None


def test_manager_withdraws_a_nomination(world):
    nomination = nominate(world)
    client = login(world.manager)

    page = client.get(nomination.get_absolute_url()).content.decode()
    response = client.post(reverse("careers:nomination_withdraw", args=[nomination.pk]))

    assert 'id="withdraw-nomination"' in page
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN
    assert audit_actions(nomination) == ["create", "update"]


def test_approving_promotes_the_person_on_the_effective_date(world):
    # given a nomination under committee review, effective today
    nomination = start_review(world)
    client = login(world.hr)

    # when HR opens it and approves
    page = client.get(nomination.get_absolute_url()).content.decode()
    response = client.post(
        reverse("careers:nomination_decide", args=[nomination.pk]),
        {"decision": "approve", "note": ""},
        follow=True,
    )

    # then the approve button asked first, and the person is at the new level from today
    assert (
        "Approve? Li Lei's level changes to Senior on {date}".format(date=TODAY.isoformat()) in page
    )
    assert response.status_code == 200
    assert "Approved: Li Lei moves to Senior on" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.APPROVED
    person = Staff.objects.get(pk=world.nominee.pk)
    assert person.level == world.levels["P3"]
    current = Assignment.objects.get(staff=person, end_date__isnull=True)
    assert (current.level, current.reason, current.start_date) == (
        world.levels["P3"],
        "promotion",
        TODAY,
    )
    assert RewardEntry.objects.get(staff=person).kind == "promotion"
    # and the round can now close
    services.round_advance(actor=world.hr, promotion_round=world.round)
    assert PromotionRound.objects.get(pk=world.round.pk).status == RoundStatus.CLOSED


def test_rejecting_without_a_note_is_refused_and_changes_nothing(world):
    nomination = start_review(world)

    response = login(world.hr).post(
        reverse("careers:nomination_decide", args=[nomination.pk]),
        {"decision": "reject", "note": ""},
        follow=True,
    )

    assert "Say why, so the person knows what to work on." in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.NOMINATED
    assert Staff.objects.get(pk=world.nominee.pk).level == world.levels["P2"]


def test_the_nominees_manager_cannot_decide(world):
    nomination = start_review(world)

    page = login(world.manager).get(nomination.get_absolute_url())
    response = login(world.manager).post(
        reverse("careers:nomination_decide", args=[nomination.pk]), {"decision": "approve"}
    )

    assert page.context["can_decide"] is False
    assert response.status_code == 403
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.NOMINATED


def test_round_page_charts_are_valid_echarts_options(world):
    nominate(world)

    response = login(world.hr).get(world.round.get_absolute_url())

    page = response.content.decode()
    start = page.index('<script id="ready-chart" type="application/json">') + len(
        '<script id="ready-chart" type="application/json">'
    )
    option = json.loads(page[start : page.index("</script>", start)])
    assert option["series"][0]["type"] == "pie"
    assert option["series"][0]["data"] == [{"name": "Not ready", "value": 1}]


def test_my_committee_page_is_empty_for_someone_on_no_committee(world):
    response = login(world.manager).get(reverse("careers:committee"))

    assert response.status_code == 200
    assert "Nothing to review" in response.content.decode()


def test_decided_at_dates_in_the_past_do_not_break_the_round_page(world):
    nomination = start_review(world)
    services.nomination_decide(
        actor=world.hr, nomination=nomination, decision="defer", note="再积累半年"
    )
    Nomination.objects.filter(pk=nomination.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=400)
    )

    response = login(world.nominee_user).get(nomination.get_absolute_url())

    assert response.status_code == 200
    assert "再积累半年" in response.content.decode()
