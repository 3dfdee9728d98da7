"""The HR partner's first session, driven in Debian's Chromium (the foundation's "done when")."""

import csv
import os
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from opsteam.org.models import JobDescription, Staff

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[3] / "test-results"


@pytest.fixture
def browser_page(live_server, live_server_sessions_closed):
    """A Chinese-speaking HR partner's browser tab."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares the thread
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            locale="zh-CN", accept_downloads=True, viewport={"width": 1366, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="gb18030") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_hr_partner_first_session(browser_page, live_server, tmp_path):
    # given the demo organisation
    call_command("load_demo", verbosity=0)
    page = browser_page
    base = live_server.url

    # log in as the HR partner
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "hr")
    page.fill("#id_password", "opsteam-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.locator("#home-catalogue").is_visible()

    # browse the org chart: the ECharts tree renders, the outline lists the teams
    page.goto(f"{base}/org/chart/")
    page.wait_for_selector("[data-chart][data-rendered='1'] canvas")
    assert page.locator("text=店铺运营组").count() + page.locator("text=店铺").count() > 0
    page.screenshot(path=str(SHOTS / "orgchart.png"), full_page=True)

    # open a job description, edit the open draft and publish it
    draft = JobDescription.objects.get(position__code="NEW-MEDIA", status="draft")
    page.goto(f"{base}/org/positions/{draft.position_id}/")
    page.click(f"a[href='/org/job-descriptions/{draft.pk}/']")
    page.click(f"a[href='/org/job-descriptions/{draft.pk}/edit/']")
    page.fill("#id_change_note", "增加直播带货职责")
    page.click("[data-formset-add='duties']")
    duty_count = page.locator("#duties-rows [data-formset-row]").count()
    new_row = duty_count - 1
    page.fill(f"#id_duties-{new_row}-title", "直播间内容策划")
    page.fill(f"#id_duties-{new_row}-time_share", "0")
    page.click("button[name=publish]")
    page.wait_for_url(f"{base}/org/job-descriptions/{draft.pk}/")
    assert page.locator("#jd-status").inner_text() != ""
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.duties.filter(title="直播间内容策划").exists()
    page.screenshot(path=str(SHOTS / "job-description.png"), full_page=True)

    # the RACI analysis flags the seeded conflict
    page.goto(f"{base}/org/raci/analysis/")
    conflict = page.locator("#finding-multiple-accountable")
    assert "活动方案审批" in conflict.inner_text()
    page.screenshot(path=str(SHOTS / "raci-analysis.png"), full_page=True)

    # import a staff file with errors: every error listed, nothing written
    staff_before = Staff.objects.count()
    header = [
        "工号",
        "姓名",
        "入职日期",
        "部门/团队编码",
        "岗位编码",
        "职级",
        "邮箱",
        "直属上级工号",
    ]
    bad = _write_csv(
        tmp_path / "staff-bad.csv",
        [
            header,
            [
                "N001",
                "新员工一",
                "2025-02-30",
                "OPS-STORE",
                "STORE-SPEC",
                "P1",
                "n1@example.com",
                "",
            ],
            ["N002", "新员工二", "2025-03-01", "NO-SUCH-TEAM", "STORE-SPEC", "P1", "bad-email", ""],
            ["N002", "新员工三", "2025-03-01", "OPS-STORE", "NO-SUCH-POSITION", "P1", "", "N404"],
        ],
    )
    page.goto(f"{base}/data/imports/new/staff/")
    page.set_input_files("#id_file", str(bad))
    page.uncheck("#id_dry_run")
    page.click("#import-form button[type=submit]")
    errors = page.locator("#import-errors tbody tr")
    errors.first.wait_for()
    listed = errors.all_inner_texts()
    assert len(listed) >= 5, listed
    assert any("2025-02-30" in row for row in listed)
    assert any("NO-SUCH-TEAM" in row for row in listed)
    assert Staff.objects.count() == staff_before
    page.screenshot(path=str(SHOTS / "import-errors.png"), full_page=True)

    # fix it and import it
    good = _write_csv(
        tmp_path / "staff-good.csv",
        [
            header,
            [
                "N001",
                "新员工一",
                "2025-02-28",
                "OPS-STORE",
                "STORE-SPEC",
                "P1",
                "n1@example.com",
                "",
            ],
            [
                "N002",
                "新员工二",
                "2025-03-01",
                "OPS-STORE",
                "STORE-SPEC",
                "P1",
                "n2@example.com",
                "N001",
            ],
        ],
    )
    page.set_input_files("#id_file", str(good))
    page.uncheck("#id_dry_run")
    page.click("#import-form button[type=submit]")
    page.wait_for_url(f"{base}/data/imports/*/")
    assert Staff.objects.count() == staff_before + 2
    assert Staff.objects.get(employee_no="N002").manager.employee_no == "N001"

    # export the staff list, filtered by the search box
    page.goto(f"{base}/org/staff/?q=新员工")
    with page.expect_download() as download_info:
        page.click("[data-export=xlsx]")
    path = tmp_path / "staff.xlsx"
    download_info.value.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    numbers = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == ["N001", "N002"]
