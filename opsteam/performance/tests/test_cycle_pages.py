"""Review-cycle pages as each role uses them: HR runs the cycle, people review, HR calibrates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opsteam.performance import services_cycles
from opsteam.performance.choices import CycleStage, GradeSource, ReviewStatus
from opsteam.performance.models import Review, ReviewCycle
from opsteam.performance.tests.test_cycles import advance_to, make_cycle, measure


@pytest.fixture
def launched(team, user_as, org_tree):
    hr = user_as("hr", unit=org_tree.t3)
    op1 = team["operators"][0].staff
    measure(op1, team["gmv"], dt.date(2026, 1, 5), 80)
    measure(op1, team["rate"], dt.date(2026, 1, 5), 45, 50)
    cycle = make_cycle(hr, org_tree)
    services_cycles.cycle_launch(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    return {**team, "hr": hr, "cycle": cycle}


def test_hr_creates_a_cycle_and_a_bad_formula_is_shown_on_its_field(client, user_as, org_tree):
    hr = user_as("hr")
    client.force_login(hr)
    data = {
        "name": "2026 Q2",
        "period_kind": "quarter",
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "units": [org_tree.d1.pk],
        "formula": "0.7 * kpi + 0.3 * salary",
        "grade_bands": '[{"name": "A", "min": 80, "coefficient": 1.2}, {"name": "B", "min": 0, "coefficient": 1}]',
        "guideline": "[30, 70]",
        "veto_cap_grade": "B",
        "max_adjustment": "5",
        "min_calibration_group": "10",
    }
    response = client.post(reverse("performance:cycle_create"), data)
    assert response.status_code == 400
    assert "salary" in response.content.decode()
    assert not ReviewCycle.objects.exists()
    data["formula"] = "0.7 * kpi + 0.3 * manager"
    response = client.post(reverse("performance:cycle_create"), data)
    cycle = ReviewCycle.objects.get()
    assert response.status_code == 302
    assert response.url == cycle.get_absolute_url()
    assert list(cycle.units.all()) == [org_tree.d1]


def test_cycle_page_launches_and_moves_the_cycle_and_shows_progress(client, launched):
    client.force_login(launched["hr"])
    cycle = launched["cycle"]
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert 'id="review-total">4<' in page  # the four T1 people; HR (in T3) is not in it
    response = client.post(
        reverse("performance:cycle_advance", args=[cycle.pk]), {"stage": "calibration"}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.GOAL_SETTING  # refused: stages cannot be skipped
    client.post(reverse("performance:cycle_advance", args=[cycle.pk]), {"stage": "self_review"})
    cycle.refresh_from_db()
    assert cycle.stage == CycleStage.SELF_REVIEW


def test_operator_writes_a_self_review_and_sees_no_score_before_publication(client, launched):
    operator = launched["operators"][0]
    cycle = advance_to(launched["hr"], launched["cycle"], CycleStage.SELF_REVIEW)
    review = Review.objects.get(cycle=cycle, staff=operator.staff)
    client.force_login(operator)
    mine = client.get(reverse("performance:my_reviews")).content.decode()
    assert review.get_absolute_url() in mine
    response = client.post(
        reverse("performance:review_self", args=[review.pk]), {"rating": "4", "comment": "完成了"}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SELF_DONE
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'id="result-hidden"' in page
    assert 'id="scorecard"' not in page
    # A colleague's review is invisible; the cycle's review list is not for operators.
    other = Review.objects.get(cycle=cycle, staff=launched["operators"][1].staff)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(reverse("performance:review_list", args=[cycle.pk])).status_code == 403


def test_manager_reviews_then_hr_calibrates_and_publishes_and_the_operator_drills_down(
    client, launched
):
    hr, manager, operator = launched["hr"], launched["manager"], launched["operators"][0]
    cycle = advance_to(hr, launched["cycle"], CycleStage.MANAGER_REVIEW)
    reviews = Review.objects.filter(cycle=cycle)
    client.force_login(manager)
    for review in reviews.exclude(staff=manager.staff):
        response = client.post(
            reverse("performance:review_manager", args=[review.pk]),
            {"rating": "4", "comment": "稳定", "adjustment": "0", "potential": "2"},
        )
        assert response.status_code == 302
    listing = client.get(reverse("performance:review_list", args=[cycle.pk])).content.decode()
    assert manager.staff.display_name not in listing  # nobody lists their own review
    cycle = services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    client.force_login(hr)
    board = client.get(reverse("performance:calibration", args=[cycle.pk])).content.decode()
    assert 'id="calibration-rows"' in board
    assert 'id="nine-box"' in board
    own_manager_review = reviews.get(staff=manager.staff)
    response = client.post(
        reverse("performance:review_grade", args=[own_manager_review.pk]),
        {
            "grade": "B",
            "justification": "",
            "next": reverse("performance:calibration", args=[cycle.pk]),
        },
    )
    own_manager_review.refresh_from_db()
    assert own_manager_review.grade == ""  # a change without justification is refused
    client.post(
        reverse("performance:review_grade", args=[own_manager_review.pk]),
        {"grade": "B", "justification": "团队整体表现"},
    )
    own_manager_review.refresh_from_db()
    assert own_manager_review.grade == "B"
    assert own_manager_review.grade_source == GradeSource.CALIBRATION
    services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.PUBLISHED)
    client.force_login(operator)
    mine = reviews.get(staff=operator.staff)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert 'id="scorecard"' in page
    assert 'id="final-grade"' in page
    gmv_line = reverse("performance:review_measurements", args=[mine.pk, launched["gmv"].pk])
    drill = client.get(gmv_line).content.decode()
    assert 'id="measurement-rows"' in drill
    assert "2026-01-05" in drill
    assert 'id="rule-version"' in drill
    what_if = client.post(
        reverse("performance:review_what_if", args=[mine.pk]),
        {"kpi": launched["gmv"].pk, "actual": "100"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="what-if-outcome"' in what_if
    client.post(reverse("performance:review_acknowledge", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == ReviewStatus.ACKNOWLEDGED


def test_results_export_for_payroll_is_a_spreadsheet_of_grades(client, launched):
    client.force_login(launched["hr"])
    cycle = launched["cycle"]
    response = client.get(reverse("performance:review_list", args=[cycle.pk]) + "?export=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_dashboard_shows_grades_by_team_and_completion(client, launched):
    hr, cycle = launched["hr"], launched["cycle"]
    for review in Review.objects.filter(cycle=cycle):
        review.grade, review.self_submitted_at = "B", cycle.launched_at
        review.save()
    client.force_login(hr)
    page = client.get(reverse("performance:dashboard")).content.decode()
    assert 'id="grades-by-team"' in page
    assert 'id="completion-table"' in page
    assert "100.0%" in page  # every self-review of T1 is done
    client.force_login(launched["operators"][0])
    assert client.get(reverse("performance:dashboard")).status_code == 403


def _page_queries(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        client.get(url)  # warm per-process caches (content types, translations)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200, url
        counts[url] = len(context)
    return counts


def test_cycle_pages_take_the_same_queries_for_4_or_40_people(client, team, user_as, org_tree):
    from opsteam.org.tests.factories import StaffFactory

    hr = user_as("hr", unit=org_tree.t3)
    client.force_login(hr)

    def build(name):
        cycle = make_cycle(hr, org_tree, name=name)
        services_cycles.cycle_launch(actor=hr, cycle=cycle)
        cycle = advance_to(hr, cycle, CycleStage.CALIBRATION)
        review = Review.objects.filter(cycle=cycle).first()
        return [
            reverse("performance:cycle_detail", args=[cycle.pk]),
            reverse("performance:review_list", args=[cycle.pk]),
            reverse("performance:calibration", args=[cycle.pk]),
            reverse("performance:dashboard") + f"?cycle={cycle.pk}",
            reverse("performance:review_detail", args=[review.pk]),
        ]

    small = _page_queries(client, build("small"))
    for _ in range(36):
        StaffFactory(unit=org_tree.t1, position=team["position"])
    large = _page_queries(client, build("large"))
    assert list(small.values()) == list(large.values())


def test_manager_agrees_a_personal_target_that_the_score_then_uses(client, launched):
    hr, manager, operator = launched["hr"], launched["manager"], launched["operators"][0]
    cycle = launched["cycle"]
    review = Review.objects.get(cycle=cycle, staff=operator.staff)
    client.force_login(manager)
    page = client.get(review.get_absolute_url()).content.decode()
    assert 'id="target-form"' in page
    client.post(
        reverse("performance:review_target", args=[review.pk]),
        {"kpi": launched["gmv"].pk, "target": "80", "note": "新店铺"},
    )
    assert review.targets.get().target == 80
    client.force_login(operator)
    assert (
        client.post(
            reverse("performance:review_target", args=[review.pk]),
            {"kpi": launched["gmv"].pk, "target": "1"},
        ).status_code
        == 403
    )
    cycle = advance_to(hr, cycle, CycleStage.MANAGER_REVIEW)
    services_cycles.review_manager_submit(actor=manager, review=review, rating=3, comment="ok")
    services_cycles.cycle_advance(actor=hr, cycle=cycle, stage=CycleStage.CALIBRATION)
    review.refresh_from_db()
    gmv = next(line for line in review.scorecard["lines"] if line["code"] == "GMV")
    assert gmv["target"] == 80
    assert gmv["score"] == 100  # 80 of an agreed 80


def test_a_cycle_can_name_people_by_employee_number(client, team, user_as, org_tree):
    client.force_login(user_as("hr", unit=org_tree.t3))
    data = {
        "name": "试用期考核",
        "period_kind": "custom",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "people": f"{team['other'].staff.employee_no}, NOPE-1",
        "formula": "kpi",
        "grade_bands": '[{"name": "A", "min": 60, "coefficient": 1}, {"name": "B", "min": 0, "coefficient": 1}]',
        "guideline": "[50, 50]",
        "veto_cap_grade": "B",
        "max_adjustment": "5",
        "min_calibration_group": "10",
    }
    response = client.post(reverse("performance:cycle_create"), data)
    assert "NOPE-1" in response.content.decode()
    data["people"] = team["other"].staff.employee_no
    client.post(reverse("performance:cycle_create"), data)
    cycle = ReviewCycle.objects.get()
    assert list(services_cycles.population(cycle)) == [team["other"].staff]
