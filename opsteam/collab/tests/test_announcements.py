"""Announcements: audience, publication, read receipts, acknowledgement, statistics, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.collab import selectors_announcements as selectors
from opsteam.collab import services_announcements as services
from opsteam.collab.models import (
    Announcement,
    AnnouncementReceipt,
    Notification,
    SentReminder,
)
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import PositionFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org_tree, user_as):
    """HR, T1's manager, two operators in T1, one in T2 and one in T3, and an auditor."""
    return {
        "hr": user_as("hr", unit=org_tree.d1),
        "manager": user_as("manager", unit=org_tree.t1),
        "op1": user_as("operator", unit=org_tree.t1),
        "op2": user_as("operator", unit=org_tree.t1),
        "sibling": user_as("operator", unit=org_tree.t2),
        "other": user_as("operator", unit=org_tree.t3),
        "auditor": user_as("auditor", unit=org_tree.t3),
    }


def _publish(actor, **fields):
    fields.setdefault("title", "系统升级通知")
    announcement = services.announcement_create(actor=actor, **fields)
    return services.announcement_publish(actor=actor, announcement=announcement)


def test_publishing_to_a_team_reaches_its_people_and_notifies_them(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")

    readers = set(
        AnnouncementReceipt.objects.filter(announcement=announcement).values_list(
            "user_id", flat=True
        )
    )
    t1 = {people[name].pk for name in ("manager", "op1", "op2")}
    assert readers == t1
    assert announcement.audience_size == 3
    assert announcement.requires_acknowledgement  # important ones by default
    assert (
        set(Notification.objects.filter(kind="announcement").values_list("recipient_id", flat=True))
        == t1
    )
    assert AuditEntry.objects.filter(
        object_type="collab.announcement", action="publish", object_id=str(announcement.pk)
    ).exists()


def test_a_department_includes_its_teams_and_positions_narrow_it(org_tree, people):
    lead = PositionFactory()
    people["sibling"].staff.position = lead
    people["sibling"].staff.save()

    whole = _publish(people["hr"], units=[org_tree.d1])
    leads_only = _publish(people["hr"], title="组长会议", units=[org_tree.d1], positions=[lead])
    anywhere = _publish(people["hr"], title="组长培训", positions=[lead])

    assert whole.audience_size == 5  # HR in D1 plus T1's four and T2's one
    assert list(leads_only.receipts.values_list("user_id", flat=True)) == [people["sibling"].pk]
    assert anywhere.audience_size == 1


def test_concurrent_positions_count_and_people_who_left_do_not(org_tree, people):
    lead = PositionFactory()
    people["other"].staff.concurrent_positions.add(lead)
    StaffFactory(unit=org_tree.t3, position=lead, status="left", user=None)

    announcement = _publish(people["hr"], positions=[lead])

    assert list(announcement.receipts.values_list("user_id", flat=True)) == [people["other"].pk]


def test_everyone_reaches_all_active_people(people):
    announcement = _publish(people["hr"], everyone=True)
    assert announcement.audience_size == len(people)
    assert announcement.unit is None


def test_manager_may_address_only_their_own_subtree(org_tree, people):
    with pytest.raises(ValidationFailed) as outside:
        services.announcement_create(
            actor=people["manager"], title="越权", units=[org_tree.t1, org_tree.t3]
        )
    assert org_tree.t3.display_name in outside.value.message
    assert outside.value.field == "units"
    with pytest.raises(ValidationFailed):
        services.announcement_create(actor=people["manager"], title="全员", everyone=True)
    with pytest.raises(ValidationFailed):
        services.announcement_create(
            actor=people["manager"], title="岗位", positions=[PositionFactory()]
        )

    mine = _publish(people["manager"], units=[org_tree.t1])
    assert mine.audience_size == 3
    assert mine.unit == org_tree.t1


def test_operators_and_auditors_cannot_write(org_tree, people):
    for role in ("op1", "auditor"):
        with pytest.raises(PolicyDenied):
            services.announcement_create(actor=people[role], title="x", everyone=True)


def test_nobody_sees_an_announcement_not_addressed_to_them(org_tree, people):
    announcement = _publish(people["manager"], units=[org_tree.t1])

    assert announcement in selectors.announcement_visible(user=people["op1"])
    assert announcement not in selectors.announcement_visible(user=people["sibling"])
    assert announcement not in selectors.announcement_visible(user=people["other"])
    assert announcement in selectors.announcement_visible(user=people["auditor"])
    assert announcement in selectors.announcement_visible(user=people["hr"])


def test_drafts_are_not_visible_to_their_future_readers(org_tree, people):
    draft = services.announcement_create(actor=people["hr"], title="草稿", units=[org_tree.t1])
    assert draft not in selectors.announcement_visible(user=people["op1"])
    assert not AnnouncementReceipt.objects.exists()


def test_acknowledge_records_once_and_is_audited(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")

    receipt = services.announcement_acknowledge(actor=people["op1"], announcement=announcement)
    again = services.announcement_acknowledge(actor=people["op1"], announcement=announcement)

    assert receipt.acknowledged_at is not None
    assert receipt.read_at is not None
    assert again.acknowledged_at == receipt.acknowledged_at
    assert (
        AuditEntry.objects.filter(
            object_type="collab.announcementreceipt", object_id=str(receipt.pk)
        ).count()
        == 1
    )
    with pytest.raises(PolicyDenied):
        services.announcement_acknowledge(actor=people["hr"], announcement=announcement)


def test_acknowledging_a_normal_announcement_is_refused(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1])
    with pytest.raises(InvalidTransition):
        services.announcement_acknowledge(actor=people["op1"], announcement=announcement)


def test_editing_published_text_marks_it_updated_and_may_ask_again(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")
    services.announcement_acknowledge(actor=people["op1"], announcement=announcement)
    services.announcement_read(actor=people["op2"], announcement=announcement)

    services.announcement_update(actor=people["hr"], announcement=announcement, body="新版本")
    announcement.refresh_from_db()
    assert announcement.content_updated_at is not None
    assert AnnouncementReceipt.objects.get(user=people["op1"]).acknowledged_at is not None

    before = Notification.objects.count()
    services.announcement_update(
        actor=people["hr"], announcement=announcement, body="第三版", reacknowledge=True
    )
    assert not AnnouncementReceipt.objects.filter(acknowledged_at__isnull=False).exists()
    assert Notification.objects.count() == before + 3


def test_the_audience_of_a_published_announcement_is_fixed(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1])
    with pytest.raises(ValidationFailed):
        services.announcement_update(
            actor=people["hr"], announcement=announcement, units=[org_tree.t3]
        )


def test_scheduled_announcements_are_published_by_the_scan(org_tree, people):
    later = timezone.now() + dt.timedelta(hours=2)
    draft = services.announcement_create(actor=people["hr"], title="排班调整", units=[org_tree.t1])
    scheduled = services.announcement_publish(
        actor=people["hr"], announcement=draft, publish_at=later
    )
    assert scheduled.status == "scheduled"
    assert services.publish_due() == 0

    assert services.publish_due(now=later + dt.timedelta(minutes=1)) == 1
    scheduled.refresh_from_db()
    assert scheduled.status == "published"
    assert scheduled.audience_size == 3
    entry = AuditEntry.objects.get(object_type="collab.announcement", action="publish")
    assert entry.actor_label == "system"


def test_published_announcements_are_archived_not_deleted(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1])
    with pytest.raises(InvalidTransition):
        services.announcement_delete(actor=people["hr"], announcement=announcement)
    services.announcement_archive(actor=people["hr"], announcement=announcement)
    assert not selectors.my_receipts(user=people["op1"]).exists()
    assert selectors.my_receipts(user=people["op1"], show="all").count() == 1


def test_my_list_puts_pinned_then_waiting_for_acknowledgement_first(org_tree, people):
    plain = _publish(people["hr"], title="普通", units=[org_tree.t1])
    important = _publish(people["hr"], title="重要", units=[org_tree.t1], importance="important")
    pinned = _publish(people["hr"], title="置顶", units=[org_tree.t1], pinned=True)

    order = [r.announcement for r in selectors.my_receipts(user=people["op1"])]
    assert order == [pinned, important, plain]


def test_expired_announcements_leave_the_list(org_tree, people):
    announcement = _publish(
        people["hr"], units=[org_tree.t1], expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    Announcement.objects.filter(pk=announcement.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert not selectors.my_receipts(user=people["op1"]).exists()


def test_statistics_count_and_name_only_within_scope(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.d1], importance="important")
    services.announcement_acknowledge(actor=people["op1"], announcement=announcement)

    stats = selectors.announcement_stats(user=people["hr"], announcement=announcement)
    assert (stats["total"], stats["acked"]) == (5, 1)
    assert stats["ack_rate"] == 20.0
    names = {receipt.user_id for receipt in stats["pending"]}
    assert people["op1"].pk not in names
    assert people["sibling"].pk in names
    assert {team["name"] for team in stats["teams"]} == {
        org_tree.d1.display_name,
        org_tree.t1.display_name,
        org_tree.t2.display_name,
    }

    auditor = selectors.announcement_stats(user=people["auditor"], announcement=announcement)
    assert auditor["total"] == 5
    assert not auditor["can_name"]
    assert auditor["pending"] == []

    with pytest.raises(NotVisible):  # the department is outside T1's manager's subtree
        selectors.announcement_stats(user=people["manager"], announcement=announcement)


def test_manager_names_only_their_subtree(org_tree, people):
    announcement = _publish(people["manager"], units=[org_tree.t1], importance="important")
    stats = selectors.announcement_stats(user=people["manager"], announcement=announcement)
    assert stats["can_name"]
    assert stats["pending_count"] == 3


def test_remind_once_a_day_only_those_who_have_not_acknowledged(org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")
    services.announcement_acknowledge(actor=people["op1"], announcement=announcement)

    assert services.announcement_remind(actor=people["hr"], announcement=announcement) == 2
    assert services.announcement_remind(actor=people["hr"], announcement=announcement) == 0
    reminded = set(
        Notification.objects.filter(title__contains=": 系统升级通知")
        .exclude(title__startswith="Important")
        .values_list("recipient_id", flat=True)
    )
    assert reminded == {people["manager"].pk, people["op2"].pk}
    assert SentReminder.objects.filter(key__startswith="announcement-ack:").count() == 1


def test_home_sections_show_what_waits_for_me(org_tree, people):
    assert selectors.home_sections(user=people["op1"]) == []
    _publish(people["hr"], units=[org_tree.t1], importance="important")
    _publish(
        people["hr"],
        title="重要提醒",
        units=[org_tree.t1],
        importance="important",
        requires_acknowledgement=False,
    )

    sections = {s["key"]: s for s in selectors.home_sections(user=people["op1"])}
    assert sections["announcements-to-ack"]["count"] == 1
    assert sections["announcements-important"]["items"][0]["title"] == "重要提醒"


def test_notifications_are_written_in_each_readers_language(org_tree, people):
    people["op2"].language = "en"
    people["op2"].save()
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")
    english = Notification.objects.get(recipient=people["op2"])
    chinese = Notification.objects.get(recipient=people["op1"])
    assert english.title == f"Important: {announcement.title}"
    assert chinese.title.endswith(announcement.title)  # "重要：…" once the catalogue is compiled


def _named(user, text: str) -> bool:
    staff = user.staff
    return any(name and name in text for name in (staff.name, staff.name_en))


# Pages -------------------------------------------------------------------------------------


def test_opening_marks_read_and_the_button_acknowledges(client, org_tree, people):
    announcement = _publish(
        people["hr"], units=[org_tree.t1], importance="important", body="**请**按时打卡"
    )
    client.force_login(people["op1"])

    page = client.get(announcement.get_absolute_url())
    assert page.status_code == 200
    assert "<strong>请</strong>" in page.content.decode()
    assert 'id="acknowledge"' in page.content.decode()
    receipt = AnnouncementReceipt.objects.get(user=people["op1"])
    assert receipt.read_at is not None
    assert not Notification.objects.filter(recipient=people["op1"], read_at__isnull=True).exists()

    done = client.post(reverse("collab:announcement_acknowledge", args=[announcement.pk]))
    assert done.status_code == 302
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None


def test_htmx_acknowledge_answers_the_box(client, org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")
    client.force_login(people["op1"])
    response = client.post(
        reverse("collab:announcement_acknowledge", args=[announcement.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="ack-done"' in response.content.decode()


def test_someone_outside_the_audience_gets_404(client, org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1])
    client.force_login(people["other"])
    assert client.get(announcement.get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("collab:announcement_acknowledge", args=[announcement.pk])).status_code
        == 404
    )


def test_my_list_page_and_empty_state(client, org_tree, people):
    client.force_login(people["op1"])
    empty = client.get(reverse("collab:announcement_list"))
    assert "No announcements" in empty.content.decode() or "没有公告" in empty.content.decode()
    _publish(people["hr"], title="值班表更新", units=[org_tree.t1])
    page = client.get(reverse("collab:announcement_list"))
    assert "值班表更新" in page.content.decode()


def test_create_page_publishes_and_reports_the_audience(client, org_tree, people):
    client.force_login(people["manager"])
    response = client.post(
        reverse("collab:announcement_create"),
        {
            "title": "周会改到周四",
            "body": "地点不变",
            "importance": "important",
            "requires_acknowledgement": "",
            "units": [org_tree.t1.pk],
            "intent": "publish",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get(title="周会改到周四")
    assert announcement.status == "published"
    assert announcement.requires_acknowledgement
    assert announcement.audience_size == 3


def test_create_page_names_a_unit_outside_the_managers_teams(client, org_tree, people):
    client.force_login(people["manager"])
    response = client.post(
        reverse("collab:announcement_create"),
        {"title": "越权", "importance": "normal", "units": [org_tree.t3.pk], "intent": "draft"},
    )
    assert response.status_code == 400
    assert org_tree.t3.display_name in response.content.decode()
    assert not Announcement.objects.exists()


def test_stats_page_and_receipts_export(client, org_tree, people):
    announcement = _publish(people["hr"], units=[org_tree.t1], importance="important")
    services.announcement_acknowledge(actor=people["op1"], announcement=announcement)
    client.force_login(people["hr"])
    page = client.get(reverse("collab:announcement_stats", args=[announcement.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="teams-chart"' in body
    pending = body.split('id="pending"')[1]
    assert _named(people["op2"], pending)
    assert not _named(people["op1"], pending)

    export = client.get(
        reverse("collab:announcement_stats", args=[announcement.pk]), {"export": "csv"}
    )
    text = b"".join(export.streaming_content).decode()
    assert _named(people["op1"], text)
    assert _named(people["op2"], text)


def test_audience_preview_counts_people(client, org_tree, people):
    client.force_login(people["hr"])
    response = client.get(reverse("collab:announcement_audience"), {"units": [org_tree.t1.pk]})
    assert 'data-count="3"' in response.content.decode()


# API --------------------------------------------------------------------------------------


def test_api_create_publish_read_acknowledge(org_tree, people):
    from rest_framework.test import APIClient

    hr, reader = APIClient(), APIClient()
    hr.force_authenticate(people["hr"])
    reader.force_authenticate(people["op1"])

    created = hr.post(
        "/api/collab/announcements/",
        {"title": "安全培训", "importance": "important", "units": [org_tree.t1.pk]},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["requires_acknowledgement"] is True
    assert hr.post(f"/api/collab/announcements/{pk}/publish/", {}, format="json").status_code == 200

    listed = reader.get("/api/collab/announcements/").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    assert listed["results"][0]["addressed_to_me"] is True
    assert reader.post(f"/api/collab/announcements/{pk}/read/").json()["read_at"]
    acked = reader.post(f"/api/collab/announcements/{pk}/acknowledge/")
    assert acked.status_code == 200
    assert acked.json()["acknowledged_at"]

    receipts = hr.get(f"/api/collab/announcements/{pk}/receipts/")
    assert receipts.status_code == 200
    assert reader.get(f"/api/collab/announcements/{pk}/receipts/").status_code == 403
    assert reader.patch(
        f"/api/collab/announcements/{pk}/", {"title": "改"}, format="json"
    ).status_code in (403, 404)


def test_api_rejects_bad_input_without_writing(org_tree, people):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(people["manager"])
    for payload in (
        {"title": "x", "units": [2**63]},
        {"title": "x", "units": ["a"]},
        {"title": "x", "units": [999999]},
        {"title": "x", "units": [org_tree.t3.pk]},
        {"title": "", "units": [org_tree.t1.pk]},
        {"title": "x", "everyone": True},
        {"title": "x", "units": {"a": 1}},
    ):
        response = api.post("/api/collab/announcements/", payload, format="json")
        assert response.status_code == 400, (payload, response.content)
    assert not Announcement.objects.exists()
    assert api.get("/api/collab/announcements/99999999999999999999/").status_code == 404


def test_demo_loads_once(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    count = Announcement.objects.count()
    receipts = AnnouncementReceipt.objects.count()
    assert count == 5
    assert receipts > 0
    assert AnnouncementReceipt.objects.filter(acknowledged_at__isnull=False).exists()
    from opsteam.collab import demo_announcements

    assert demo_announcements.load() == {}
    assert Announcement.objects.count() == count
    assert AnnouncementReceipt.objects.count() == receipts
