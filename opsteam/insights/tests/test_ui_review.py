"""In Debian's Chromium: HR opens last quarter's system review, raises an improvement action
from the training section for an operator, writes the conclusions and closes the review
(confirming); the operator finds the action on their home page and moves it to "Do"."""

from __future__ import annotations

import datetime as dt

import pytest

from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
from opsteam.insights.models import SystemReview
from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory
from opsteam.performance.tests.test_ui_appraisal import PASSWORD, SHOTS, browser, signed_in
from opsteam.training.tests.factories import EnrolmentFactory
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def _person(username: str, role: str, unit) -> object:
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    RoleGrantFactory(user=user, role=role, unit=unit if role == "manager" else None)
    StaffFactory(
        user=user, unit=unit, name={"hr": "王晓", "operator": "李娜"}.get(username, username)
    )
    return user


def test_raise_an_action_close_the_review_and_the_owner_moves_it(browser, live_server):
    base = live_server.url
    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    team = OrgUnitFactory(code="OPS-STORE", name="店铺运营组", parent=company)
    _person("hr", "hr", team)
    operator = _person("operator", "operator", team)
    EnrolmentFactory(staff=operator.staff, due_on=dt.date(2026, 8, 20), status="assigned")
    review = SystemReview.objects.create(
        title="2026 Q3 体系评估", period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )

    hr = signed_in(browser, base, "hr")
    hr.goto(f"{base}{review.get_absolute_url()}")
    hr.wait_for_selector("#section-training")
    assert "本期没有脉搏调研" in hr.content() or "No pulse survey" in hr.content()
    hr.select_option("#id_section", "training")
    hr.fill("#id_title", "新人培训到期前三天提醒")
    hr.select_option("#id_owner", str(operator.staff.pk))
    hr.fill("#id_due_date", "2026-12-15")
    hr.click("#review-action-form button[type=submit]")
    hr.wait_for_selector("[data-action]")
    hr.screenshot(path=str(SHOTS / "insights-review.png"), full_page=True)

    hr.goto(f"{base}/reviews/{review.pk}/edit/")
    hr.fill("#id_conclusions", "培训完成率偏低，组长跟进。")
    hr.click("form.card button[type=submit]")
    hr.wait_for_selector("#review-close")
    hr.click("#review-close")  # confirmed by the dialog handler
    hr.wait_for_selector(".alert-info")
    review.refresh_from_db()
    assert review.status == "closed"
    assert review.snapshot["sections"]["training"]["figures"]

    hr.context.close()

    me = signed_in(browser, base, "operator")
    me.wait_for_selector("#home-pdca-actions")
    me.screenshot(path=str(SHOTS / "insights-home-operator.png"), full_page=True)
    me.click("#home-pdca-actions a.list-group-item")
    me.wait_for_selector("#action-status")
    me.click("text=编辑")
    me.select_option("#id_status", "do")
    me.click("form.card button[type=submit]")
    me.wait_for_selector("#action-status")
    assert ImprovementAction.objects.get().status == "do"
