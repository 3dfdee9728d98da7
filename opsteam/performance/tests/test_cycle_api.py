"""The review-cycle API: the same journey as the pages, and the same visibility rules."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from opsteam.performance.models import Review
from opsteam.performance.tests.test_cycles import measure


def client_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_cycle_journey_through_the_api(team, user_as, org_tree):
    hr = client_for(user_as("hr", unit=org_tree.t3))
    op_user, manager_user = team["operators"][0], team["manager"]
    measure(op_user.staff, team["gmv"], dt.date(2026, 1, 5), 100)
    measure(op_user.staff, team["rate"], dt.date(2026, 1, 5), 9, 10)

    bad = hr.post(
        "/api/performance/cycles/",
        {
            "name": "Q1",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "formula": "kpi ** 99999",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "formula"
    created = hr.post(
        "/api/performance/cycles/",
        {
            "name": "Q1",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "units": [org_tree.t1.pk],
            "formula": "0.7 * kpi + 0.3 * manager",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    cycle_id = created.json()["id"]
    assert hr.post(f"/api/performance/cycles/{cycle_id}/launch/").json() == {"reviews_created": 4}
    skipped = hr.post(f"/api/performance/cycles/{cycle_id}/stage/", {"stage": "calibration"})
    assert skipped.status_code == 409

    operator = client_for(op_user)
    mine = operator.get("/api/performance/reviews/", {"cycle": cycle_id}).json()["results"]
    assert [r["employee_no"] for r in mine] == [op_user.staff.employee_no]  # only their own
    review_id = mine[0]["id"]
    for stage in ("self_review", "manager_review"):
        assert (
            hr.post(f"/api/performance/cycles/{cycle_id}/stage/", {"stage": stage}).status_code
            == 200
        )
    manager = client_for(manager_user)
    too_much = manager.post(
        f"/api/performance/reviews/{review_id}/manager-review/",
        {"rating": 5, "comment": "优秀", "adjustment": "9", "adjustment_reason": "x"},
        format="json",
    )
    assert too_much.status_code == 400
    assert too_much.json()["errors"][0]["attr"] == "adjustment"
    done = manager.post(
        f"/api/performance/reviews/{review_id}/manager-review/",
        {"rating": 5, "comment": "优秀"},
        format="json",
    )
    assert done.status_code == 200
    assert (
        hr.post(f"/api/performance/cycles/{cycle_id}/stage/", {"stage": "calibration"}).status_code
        == 200
    )
    # Scored, not published: the manager sees the grade, the reviewee does not.
    assert manager.get(f"/api/performance/reviews/{review_id}/").json()["grade"] == "S"
    hidden = operator.get(f"/api/performance/reviews/{review_id}/").json()
    assert hidden["result_visible"] is False
    assert hidden["grade"] is None
    assert hidden["final_score"] is None
    assert hidden["scorecard"] is None
    for review in Review.objects.filter(cycle_id=cycle_id).exclude(pk=review_id):
        graded = hr.post(
            f"/api/performance/reviews/{review.pk}/grade/",
            {"grade": "B", "justification": "无 KPI 模板，按经理意见"},
            format="json",
        )
        assert graded.status_code == 200, graded.json()
    assert (
        hr.post(f"/api/performance/cycles/{cycle_id}/stage/", {"stage": "published"}).status_code
        == 200
    )
    shown = operator.get(f"/api/performance/reviews/{review_id}/").json()
    assert shown["grade"] == "S"
    assert shown["coefficient"] == "1.50"
    assert {line["code"] for line in shown["scorecard"]["lines"]} == {"GMV", "RATE"}
    appeal = operator.post(
        f"/api/performance/reviews/{review_id}/appeal/", {"reason": "想了解评分细节"}, format="json"
    )
    assert appeal.status_code == 201
    resolved = hr.post(
        f"/api/performance/appeals/{appeal.json()['id']}/resolve/",
        {"upheld": False, "outcome": "已解释评分规则"},
        format="json",
    )
    assert resolved.json()["status"] == "rejected"
    assert operator.post(f"/api/performance/reviews/{review_id}/acknowledge/").status_code == 200


def test_grades_are_readable_per_cycle_for_later_modules(team, user_as, org_tree):
    hr_user = user_as("hr", unit=org_tree.t3)
    hr = client_for(hr_user)
    created = hr.post(
        "/api/performance/cycles/",
        {
            "name": "Q1",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
            "units": [org_tree.t1.pk],
            "formula": "kpi",
        },
        format="json",
    ).json()
    hr.post(f"/api/performance/cycles/{created['id']}/launch/")
    listed = hr.get("/api/performance/reviews/", {"cycle": created["id"]}).json()
    assert listed["count"] == 4
    assert {"grade", "coefficient", "grade_source", "final_score"} <= set(listed["results"][0])
    outsider = client_for(team["other"])
    assert outsider.get("/api/performance/reviews/", {"cycle": created["id"]}).json()["count"] == 0
