"""Work reports: templates, writing and submitting, comments and read marks, the digest,
search, who sees what, the API and the reminder scan."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.collab import reminders_reports, selectors_reports, services_reports
from opsteam.collab.models import Notification
from opsteam.collab.models_reports import ReportComment, ReportTemplate, WorkReport
from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = dt.date(2026, 3, 5)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def store_template(org_tree, user_as):
    hr = user_as("hr")
    return services_reports.report_template_create(
        actor=hr,
        unit=org_tree.t1,
        kind="daily",
        name="店铺日报",
        sections=[
            {"key": "done", "label": "今日完成", "required": True},
            {"key": "planned", "label": "明日计划", "required": True},
            {"key": "blockers", "label": "遇到的问题"},
        ],
        metrics=[{"key": "orders", "label": "处理订单", "unit": "单", "kpi": "KPI-ORD"}],
    )


def write(user, day=THURSDAY, hour=17, submit=True, **sections):
    content = {"done": "处理售后 30 单", "planned": "上新 5 款", **sections}
    with mock.patch("opsteam.collab.services_reports.timezone.now", return_value=at(day, hour)):
        return services_reports.report_save(
            actor=user,
            kind="daily",
            period_start=day,
            sections=content,
            metrics={"orders": "30"},
            submit=submit,
        )


def test_submitting_before_the_due_time_is_on_time_and_after_it_late(store_template, user_as):
    operator = user_as("operator")

    on_time = write(operator, hour=17)
    late = write(user_as("operator"), hour=19)

    assert on_time.status == "submitted"
    assert not on_time.is_late
    assert late.is_late
    assert on_time.metrics == {"orders": "30"}
    assert on_time.due_at == at(THURSDAY, 18)


def test_a_missing_required_section_names_the_field(store_template, user_as):
    with pytest.raises(ValidationFailed) as error:
        write(user_as("operator"), done="")

    assert error.value.field == "section_done"
    assert not WorkReport.objects.exists()


def test_a_draft_may_leave_required_sections_empty(store_template, user_as):
    report = write(user_as("operator"), submit=False, done="")

    assert report.status == "draft"


def test_unknown_sections_and_bad_numbers_are_refused(store_template, user_as):
    operator = user_as("operator")
    with pytest.raises(ValidationFailed, match="Unknown section"):
        write(operator, secret="x")
    with pytest.raises(ValidationFailed) as error:
        services_reports.report_save(
            actor=operator,
            kind="daily",
            period_start=THURSDAY,
            sections={"done": "a", "planned": "b"},
            metrics={"orders": "很多"},
        )
    assert error.value.field == "metric_orders"


def test_one_report_per_person_and_day_rewriting_keeps_one_row(store_template, user_as):
    operator = user_as("operator")
    write(operator, submit=False)
    write(operator, submit=False, done="改过了")

    assert WorkReport.objects.get().sections["done"] == "改过了"


def test_a_future_day_is_refused(store_template, user_as):
    with pytest.raises(ValidationFailed) as error:
        services_reports.report_save(
            actor=user_as("operator"),
            kind="daily",
            period_start=timezone.localdate() + dt.timedelta(days=3),
            sections={},
        )
    assert error.value.field == "period_start"


def test_weekly_reports_are_keyed_by_monday_and_follow_the_company_default(org_tree, user_as):
    operator = user_as("operator")

    report = services_reports.report_save(
        actor=operator,
        kind="weekly",
        period_start=THURSDAY,
        sections={"done": "本周", "planned": "下周"},
    )

    assert report.period_start == dt.date(2026, 3, 2)
    assert report.period_label == "2026-W10"
    assert report.due_at == at(dt.date(2026, 3, 6), 18)  # Friday 18:00


def test_the_team_template_wins_over_the_company_default(store_template, org_tree, user_as):
    hr = user_as("hr")
    services_reports.report_template_create(
        actor=hr,
        unit=None,
        kind="daily",
        name="公司日报",
        sections=[{"key": "done", "label": "完成"}],
    )
    t1_person = user_as("operator").staff
    t3_person = user_as("operator", unit=org_tree.t3).staff

    assert selectors_reports.template_for(staff=t1_person, kind="daily") == store_template
    assert selectors_reports.template_for(staff=t3_person, kind="daily").name == "公司日报"


def test_a_manager_edits_their_team_template_but_not_the_company_default(org_tree, user_as):
    manager = user_as("manager")
    services_reports.report_template_create(
        actor=manager,
        unit=org_tree.t1,
        kind="weekly",
        name="周报",
        sections=[{"key": "done", "label": "完成"}],
    )
    with pytest.raises(PolicyDenied):
        services_reports.report_template_create(
            actor=manager,
            unit=None,
            kind="weekly",
            name="公司",
            sections=[{"key": "done", "label": "x"}],
        )
    with pytest.raises(PolicyDenied):
        services_reports.report_template_create(
            actor=manager,
            unit=org_tree.t3,
            kind="weekly",
            name="别人",
            sections=[{"key": "d", "label": "x"}],
        )


def test_peers_never_see_each_others_reports(store_template, user_as, org_tree):
    author = user_as("operator")
    peer = user_as("operator")
    report = write(author)

    assert not selectors_reports.report_list(user=peer).filter(pk=report.pk).exists()
    assert selectors_reports.report_list(user=user_as("manager")).filter(pk=report.pk).exists()
    assert selectors_reports.report_list(user=user_as("auditor")).filter(pk=report.pk).exists()
    other_manager = user_as("manager", unit=org_tree.t3)
    assert not selectors_reports.report_list(user=other_manager).filter(pk=report.pk).exists()


def test_the_managers_comment_reaches_the_author_and_a_reply_reaches_the_manager(
    store_template, user_as
):
    author, manager = user_as("operator"), user_as("manager")
    report = write(author, blockers="退款系统卡顿")

    comment = services_reports.report_comment_add(actor=manager, report=report, body="明天我来协调")
    services_reports.report_comment_add(actor=author, report=report, body="谢谢", parent=comment)

    assert Notification.objects.get(recipient=author).kind == "work-report"
    assert Notification.objects.get(recipient=manager).url == report.get_absolute_url()
    assert ReportComment.objects.get(parent=comment).body == "谢谢"
    threads = selectors_reports.report_comments(report=report)
    assert [c.body for c in threads] == ["明天我来协调"]
    assert threads[0].thread[0].body == "谢谢"


def test_a_peer_cannot_comment(store_template, user_as):
    report = write(user_as("operator"))

    with pytest.raises(NotVisible):
        services_reports.report_comment_add(actor=user_as("operator"), report=report, body="hi")
    assert not ReportComment.objects.exists()


def test_the_manager_marks_a_report_read_but_not_their_own(store_template, user_as):
    manager = user_as("manager")
    report = write(user_as("operator"))

    services_reports.report_mark_read(actor=manager, report=report)

    report.refresh_from_db()
    assert report.read_by == manager
    assert report.read_at is not None
    own = write(manager)
    with pytest.raises(PolicyDenied):
        services_reports.report_mark_read(actor=manager, report=own)


def test_every_write_is_audited(store_template, user_as):
    report = write(user_as("operator"))

    actions = list(
        AuditEntry.objects.filter(object_type="collab.workreport", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", "note")
    )
    assert actions == [("create", ""), ("update", "submit")]


def test_the_digest_lists_missing_people_blockers_and_sums_key_numbers(
    store_template, org_tree, user_as
):
    # given three people in T1: two submitted (one with a blocker), one wrote nothing
    manager = user_as("manager")
    write(user_as("operator"), blockers="物流延迟")
    write(user_as("operator"))
    user_as("operator")

    digest = selectors_reports.digest(
        user=manager, unit=org_tree.t1, kind="daily", period_start=THURSDAY
    )

    assert digest["submitted"] == 2
    assert digest["missing"] == digest["members"] - 2
    assert [b["text"] for b in digest["blockers"]] == ["物流延迟"]
    assert digest["metrics"][0]["sum"] == 60.0
    assert digest["metrics"][0]["average"] == 30.0
    assert digest["rows"][0]["state"] == "missing"


def test_the_digest_of_another_department_is_not_found_for_a_manager(org_tree, user_as):
    with pytest.raises(NotVisible):
        selectors_reports.digest(
            user=user_as("manager"), unit=org_tree.t3, kind="daily", period_start=THURSDAY
        )
    with pytest.raises(PolicyDenied):
        selectors_reports.digest(
            user=user_as("operator"), unit=org_tree.t1, kind="daily", period_start=THURSDAY
        )


def test_search_finds_text_within_the_scope(store_template, client_as, user_as):
    write(user_as("operator"), blockers="仓库断电")
    write(user_as("operator"))
    client = client_as("manager")

    response = client.get(reverse("collab:report_list"), {"q": "断电"})

    assert response.status_code == 200
    assert response.context["paginator"].count == 1
    blockers_only = client.get(reverse("collab:report_list"), {"blockers": "true"})
    assert blockers_only.context["paginator"].count == 1


def test_evidence_counts_late_reports_and_blockers(store_template, user_as):
    author = user_as("operator")
    write(author, day=THURSDAY, hour=19, blockers="系统故障")
    write(author, day=THURSDAY - dt.timedelta(days=1), hour=17)

    evidence = selectors_reports.evidence(
        user=user_as("manager"),
        staff=author.staff,
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )

    assert (evidence["count"], evidence["late"], evidence["blocker_count"]) == (2, 1, 1)
    peer_view = selectors_reports.evidence(
        user=user_as("operator"), staff=author.staff, start=dt.date(2026, 3, 1), end=THURSDAY
    )
    assert peer_view["count"] == 0


def test_write_page_saves_and_submits_with_inline_errors(store_template, client_as):
    client = client_as("operator")
    url = reverse("collab:report_write")

    missing = client.post(url, {"kind": "daily", "section_planned": "x", "submit": "1"})
    assert missing.status_code == 400
    assert "section_done" in missing.context["form"].errors

    response = client.post(
        url,
        {"kind": "daily", "section_done": "完成 A", "section_planned": "计划 B", "submit": "1"},
    )
    report = WorkReport.objects.get()
    assert response.status_code == 302
    assert response.url == report.get_absolute_url()
    assert report.status == "submitted"


def test_copy_plan_fills_done_from_the_previous_report(store_template, client_as):
    client = client_as("operator")
    write(client.user, day=timezone.localdate() - dt.timedelta(days=1), planned="明天做活动页")

    page = client.get(reverse("collab:report_write"), {"copy_plan": "1"})

    assert page.context["form"].initial["section_done"] == "明天做活动页"


def test_report_pages_answer_the_author_the_manager_and_not_a_peer(store_template, client, user_as):
    author, manager, peer = user_as("operator"), user_as("manager"), user_as("operator")
    report = write(author, blockers="卡住了")
    url = report.get_absolute_url()

    client.force_login(manager)
    assert "卡住了" in client.get(url).content.decode()
    client.post(reverse("collab:report_comment", args=[report.pk]), {"body": "收到"})
    client.force_login(author)
    assert "收到" in client.get(url).content.decode()
    client.force_login(peer)
    assert client.get(url).status_code == 404


def test_api_writes_and_submits_the_callers_report(store_template, api_client_as):
    api = api_client_as("operator")

    created = api.post(
        "/api/collab/reports/",
        {"kind": "daily", "period_start": "2026-03-05", "sections": {"done": "a", "planned": "b"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    submitted = api.post(f"/api/collab/reports/{created.json()['id']}/submit/")
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["is_late"]
    bad = api.post(
        "/api/collab/reports/",
        {"kind": "daily", "sections": {"nope": "a"}, "metrics": {"orders": "x"}},
        format="json",
    )
    assert bad.status_code == 400


def test_scan_reminds_people_without_a_report_once_and_the_manager_gets_a_digest(
    store_template, user_as
):
    # given a manager, a member who submitted and one who did not (Thursday)
    manager = user_as("manager")
    done, missing = user_as("operator"), user_as("operator")
    write(done)

    first = reminders_reports.scan(today=THURSDAY, now=at(THURSDAY, 17, 10))
    again = reminders_reports.scan(today=THURSDAY, now=at(THURSDAY, 17, 40))
    digest = reminders_reports.scan(today=THURSDAY, now=at(THURSDAY, 18, 30))

    assert first >= 1
    assert again == 0
    assert digest >= 1
    assert Notification.objects.filter(recipient=missing, kind="work-report").count() == 1
    assert not Notification.objects.filter(recipient=done, title__contains="due").exists()
    assert Notification.objects.filter(recipient=manager, url__contains="digest").count() == 1


def test_scan_skips_weekends_for_daily_reports(store_template, user_as):
    user_as("operator")
    saturday = dt.date(2026, 3, 7)

    assert reminders_reports.scan(today=saturday, now=at(saturday, 17, 30)) == 0


def test_template_page_creates_a_team_template(org_tree, client_as):
    client = client_as("manager")

    response = client.post(
        reverse("collab:reporttemplate_create"),
        {
            "unit": org_tree.t1.pk,
            "kind": "daily",
            "name": "店铺日报",
            "sections": "done | 今日完成 | required\nplanned | 明日计划\nblockers | 遇到的问题",
            "metrics": "orders | 处理订单 | 单 | KPI-ORD",
            "due_time": "18:30",
            "due_weekday": "4",
        },
    )

    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert template.sections[0] == {"key": "done", "label": "今日完成", "required": True}
    assert template.metrics[0]["kpi"] == "KPI-ORD"
    assert template.due_time == dt.time(18, 30)
    bad = client.post(
        reverse("collab:reporttemplate_create"),
        {
            "unit": org_tree.t1.pk,
            "kind": "weekly",
            "name": "x",
            "sections": "Bad Key | x",
            "due_time": "18:00",
            "due_weekday": "4",
        },
    )
    assert bad.status_code == 400
    assert "sections" in bad.context["form"].errors


def test_demo_loads_bilingual_reports_and_check_ins_once(org_tree, user_as):
    # given the demo's logins and a store team (OPS-STORE) with a lead and six members
    from opsteam.accounts.tests.factories import UserFactory
    from opsteam.collab import demo_reports
    from opsteam.collab.models_reports import WellbeingCheckIn
    from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

    store = OrgUnitFactory(code="OPS-STORE", name="店铺运营组", name_en="Store Ops")
    UserFactory(username="admin", is_superuser=True)
    user_as("hr", username="hr")
    manager = user_as("manager", unit=store, username="manager")
    store.lead = manager.staff
    store.save(update_fields=["lead"])
    user_as("operator", unit=store, username="operator", manager=manager.staff)
    for _n in range(5):
        StaffFactory(unit=store, manager=manager.staff)

    first = demo_reports.load()
    counts = (WorkReport.objects.count(), WellbeingCheckIn.objects.count())
    second = demo_reports.load()

    assert first["collab.workreport"] > 50
    assert first["collab.wellbeingcheckin"] >= 42
    assert second == {}
    assert (WorkReport.objects.count(), WellbeingCheckIn.objects.count()) == counts
    assert Notification.objects.filter(recipient=manager, kind="wellbeing").exists()
    assert Notification.objects.filter(kind="work-report").exists()


def test_the_one_on_one_page_shows_the_persons_recent_reports_as_evidence(
    store_template, client, user_as
):
    from opsteam.performance import services_coaching

    manager, author = user_as("manager"), user_as("operator")
    series = services_coaching.one_on_one_create(
        actor=manager, report=author.staff, manager=manager.staff
    )
    today = timezone.localdate()
    write(author, day=today - dt.timedelta(days=1), hour=23, blockers="系统卡顿")
    client.force_login(manager)

    page = client.get(reverse("performance:oneonone_detail", args=[series.pk])).content.decode()

    assert 'id="report-evidence"' in page
    assert 'data-evidence="late">1<' in page
    assert "系统卡顿" in page


def test_home_shows_the_check_in_to_write_and_the_team_reports_to_read(
    store_template, user_as, django_assert_max_num_queries
):
    manager, author = user_as("manager"), user_as("operator")
    write(author, day=timezone.localdate() - dt.timedelta(days=1), blockers="缺货")

    with django_assert_max_num_queries(12):
        sections = {s["key"]: s for s in selectors_reports.home_sections(user=manager)}

    assert "wellbeing-checkin" in sections
    assert sections["reports-to-read"]["count"] == 1
    assert sections["reports-to-read"]["items"][0]["meta"] == "blockers"
    author_keys = {s["key"] for s in selectors_reports.home_sections(user=author)}
    assert "reports-to-read" not in author_keys
