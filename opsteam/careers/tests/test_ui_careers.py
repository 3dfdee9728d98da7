"""Careers and incentives in Debian's Chromium: HR opens a promotion round, the manager
nominates a ready operator, the committee member scores and recommends, HR approves, and the
person's level and training plans change; then HR allocates a bonus pool, an administrator
approves it and HR downloads the payroll file."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from opsteam.accounts.models import User
from opsteam.careers import selectors
from opsteam.careers.models import CommitteeReview, Nomination, PromotionRound
from opsteam.incentives.models import BonusPool, RewardEntry
from opsteam.org.models import Assignment, Staff
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in
from opsteam.training.models import PlanAssignment

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey


def _ready_report(manager: User):
    """A person of the manager's team who meets every standard of a next level that has one."""
    standards = selectors.published_standards()
    team = Staff.objects.filter(unit__path__startswith=manager.staff.unit.path).exclude(
        pk=manager.staff.pk
    )
    for result in selectors.eligibility_for(team):
        if result.ready and result.level_id in standards:
            return Staff.objects.get(pk=result.staff_id), result.level_id
    raise AssertionError("the demo has nobody ready in the manager's team")


def test_promotion_from_nomination_to_new_level_and_a_bonus_pool_to_payroll(
    browser, live_server, tmp_path
):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    today = timezone.localdate()
    manager_user = User.objects.get(username="manager")
    person, target_level = _ready_report(manager_user)
    plans_before = PlanAssignment.objects.filter(staff=person).count()

    # HR opens a round that takes effect today, with the director on the committee.
    hr = signed_in(browser, base, "hr")
    hr.goto(f"{base}/careers/rounds/new/")
    hr.fill("#id_name", "年中专项晋升")
    hr.fill("#id_name_en", "Mid-year promotions")
    hr.fill("#id_nominations_close", today.isoformat())
    hr.fill("#id_effective_date", today.isoformat())
    director = User.objects.get(username="director")
    hr.select_option("#id_committee", [str(director.pk)])
    hr.click("form.card button[type=submit]")
    promotion_round = PromotionRound.objects.get(name="年中专项晋升")
    hr.wait_for_url(f"{base}{promotion_round.get_absolute_url()}")
    hr.click("#advance-round")  # draft -> open for nominations
    hr.wait_for_selector("#nominate-link")

    # The manager sees the person ready on team readiness and follows the row's Nominate link
    # for the level they are ready for; the nomination form opens with the person and level.
    manager = signed_in(browser, base, "manager")
    manager.goto(f"{base}/careers/team/")
    row = manager.locator("#readiness-table tbody tr", has_text=person.name).filter(
        has=manager.locator(f'a[href*="level={target_level}"]')
    )
    nominate_link = row.locator(
        f'a[href*="/careers/rounds/nominate/"][href*="level={target_level}"]'
    )
    assert nominate_link.count() == 1
    nominate_link.click()
    manager.wait_for_url(re.compile(r".*/careers/rounds/nominate/\?staff="))
    manager.wait_for_selector("#nominate-preview")
    assert manager.input_value("#id_level") == str(target_level)
    manager.select_option("#id_round", str(promotion_round.pk))
    manager.fill("#id_justification", "连续两个季度超额完成 GMV 目标，带新人上手店铺运营。")
    manager.screenshot(path=str(SHOTS / "careers-nominate.png"), full_page=True)
    manager.click("#nominate-submit")
    nomination = Nomination.objects.get(round=promotion_round, staff=person)
    manager.wait_for_url(f"{base}{nomination.get_absolute_url()}")
    assert nomination.ready_at_nomination
    assert nomination.eligibility["met"] == nomination.eligibility["total"]

    # HR starts the committee review; the director scores and recommends approval.
    hr.goto(f"{base}{promotion_round.get_absolute_url()}")
    hr.click("#advance-round")
    hr.wait_for_selector("#review-progress")
    review = CommitteeReview.objects.get(nomination=nomination, reviewer=director)
    member = signed_in(browser, base, "director")
    member.goto(f"{base}/careers/committee/{review.pk}/")
    member.fill("#id_score", "86")
    member.check("input[name=recommendation][value=approve]")
    member.fill("#id_comment", "业务扎实，数据复盘习惯好。")
    member.click("#review-form button[type=submit]")
    member.wait_for_load_state()
    review.refresh_from_db()
    assert review.submitted_at is not None

    # ... the nominee's manager never sees the committee's comments ...
    manager.goto(f"{base}{nomination.get_absolute_url()}")
    assert "数据复盘习惯好" not in manager.inner_text("body")

    # ... and HR approves: the level changes today and the new level's training follows.
    hr.goto(f"{base}{nomination.get_absolute_url()}")
    assert "数据复盘习惯好" in hr.inner_text("#committee-reviews")
    hr.click("#decide-approve")
    hr.wait_for_selector("#decision-note, #nomination-status")
    nomination.refresh_from_db()
    person.refresh_from_db()
    assert nomination.status == "approved"
    assert person.level_id == target_level
    assert Assignment.objects.filter(
        staff=person, reason="promotion", start_date=today, level_id=target_level
    ).exists()
    assert PlanAssignment.objects.filter(staff=person).count() > plans_before
    assert RewardEntry.objects.filter(staff=person, kind="promotion").exists()
    manager.goto(f"{base}/careers/growth/?staff={person.pk}")
    assert person.level.name in manager.inner_text("body")
    hr.screenshot(path=str(SHOTS / "careers-nomination-approved.png"), full_page=True)

    # HR allocates the draft bonus pool and submits it; an administrator approves it.
    pool = BonusPool.objects.filter(status="draft").order_by("pk").first()
    hr.goto(f"{base}{pool.get_absolute_url()}")
    hr.click("#pool-allocate")
    hr.wait_for_selector("#pool-submit")
    pool.refresh_from_db()
    assert pool.allocated + pool.unallocated == pool.budget
    hr.screenshot(path=str(SHOTS / "incentives-pool.png"), full_page=True)
    hr.click("#pool-submit")
    hr.wait_for_selector("#pool-own-submission")
    admin = signed_in(browser, base, "admin")
    admin.goto(f"{base}{pool.get_absolute_url()}")
    admin.click("#pool-decide button[value=approve]")
    admin.wait_for_selector("#pool-approval")

    # HR downloads the payroll file: one row per person, amounts summing to the budget.
    hr.goto(f"{base}{pool.get_absolute_url()}")
    with hr.expect_download() as download_info:
        hr.click("#pool-export a[data-export=xlsx]")
    path = tmp_path / "payroll.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    pool.refresh_from_db()
    assert pool.status == "exported"
    amounts = [row[4] for row in rows[1:] if row and row[0]]
    assert len(amounts) == pool.lines.count()
    assert sum(float(amount) for amount in amounts) == pytest.approx(float(pool.allocated))
