"""A team lead's process review in Debian's Chromium: import the after-sales system's event log
(CSV, Chinese headers), see the handoff bottleneck the analysis ranks first, and turn it into an
improvement action that keeps the evidence."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from opsteam.accounts.models import User
from opsteam.org.models import OrgUnit
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in
from opsteam.workflow import services_maps
from opsteam.workflow.models import ImprovementAction, ProcessEvent

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey

STEPS = [("accept", "受理"), ("review", "审核"), ("refund", "退款"), ("follow-up", "回访")]


def _refund_process(hr: User, manager: User):
    """HR adds the refund process for the manager's team, who draws and publishes its map:
    four steps with 1 h processing and handoff targets."""
    unit = OrgUnit.objects.get(code="OPS-STORE")
    process_map = services_maps.process_create_with_map(
        actor=hr, code="PR-REFUND", name="退款审核", owner_unit=unit, name_en="Refund review"
    )
    steps = [
        services_maps.step_create(
            actor=manager, process_map=process_map, code=code, name=name, target_minutes=60
        )
        for code, name in STEPS
    ]
    for source, target in itertools.pairwise(steps):
        services_maps.transition_create(
            actor=manager,
            process_map=process_map,
            source=source,
            target=target,
            handoff_target_minutes=60,
        )
    services_maps.map_publish(actor=manager, process_map=process_map)
    return process_map.process


def _event_log(path: Path, cases: int = 120) -> Path:
    """The service desk's export: the review → refund handoff waits hours; the rest minutes."""
    rng = random.Random(3)
    start_of_log = timezone.localtime() - dt.timedelta(days=20)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["工单号", "环节", "处理人", "开始时间", "完成时间"])
        for number in range(cases):
            moment = start_of_log + dt.timedelta(hours=number * 3)
            for index, (_code, name) in enumerate(STEPS):
                if index:
                    waits_for_finance = name == "退款"
                    moment += dt.timedelta(
                        minutes=rng.randint(240, 600) if waits_for_finance else rng.randint(5, 30)
                    )
                started = moment
                moment += dt.timedelta(minutes=rng.randint(10, 40))
                writer.writerow(
                    [
                        f"T{number:05d}",
                        name,
                        "财务专员" if name == "退款" else f"客服{number % 4}",
                        started.strftime("%Y-%m-%d %H:%M:%S"),
                        moment.strftime("%Y-%m-%d %H:%M:%S"),
                    ]
                )
    return path


def test_import_a_log_see_the_bottleneck_and_start_an_improvement(browser, live_server, tmp_path):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    manager = User.objects.get(username="manager")
    process = _refund_process(User.objects.get(username="hr"), manager)
    log = _event_log(tmp_path / "售后工单导出.csv")

    page = signed_in(browser, base, "manager")
    page.goto(f"{base}/workflow/processes/{process.pk}/")
    page.click("#open-sources")
    page.click(f"a[href='/workflow/processes/{process.pk}/sources/new/']")
    page.fill("#id_name", "客服系统导出")
    page.select_option("#id_kind", "csv")
    page.click("form.card button[type=submit]")

    # Creating the source leads to its import: upload, check the guessed mapping of the
    # Chinese headers, then import.
    page.wait_for_selector("#upload-form")
    page.set_input_files("#id_file", str(log))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#mapping-form")
    assert page.input_value("#id_case") == "工单号"
    assert page.input_value("#id_complete") == "完成时间"
    page.click("#mapping-form button[value=check]")
    page.wait_for_selector("#import-preview")
    page.click("#mapping-form button[value=import]")
    page.wait_for_selector(".alert-success")
    assert ProcessEvent.objects.filter(process=process).count() == 120 * len(STEPS)

    # The analysis ranks the review → refund handoff first, owned by nobody yet: evidence shown.
    page.goto(f"{base}/workflow/processes/{process.pk}/")
    page.click("#open-analytics")
    page.wait_for_selector("#bottlenecks")
    first = page.locator("#bottlenecks [data-bottleneck]").first
    assert first.get_attribute("data-bottleneck") == "handoff:审核→退款"
    assert "120" in first.inner_text()
    page.wait_for_selector("#dfg [data-chart][data-rendered='1'] canvas")
    page.screenshot(path=str(SHOTS / "workflow-analytics.png"), full_page=True)

    # One click turns it into an improvement action carrying that evidence.
    first.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    action = ImprovementAction.objects.get(process=process)
    assert action.bottleneck_key == "handoff:审核→退款"
    assert action.evidence
    assert page.url.endswith(action.get_absolute_url())
    assert "审核" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "workflow-action.png"), full_page=True)
