"""The notification inbox: sending (bulk, de-duplicated, inactive users skipped), reading one
or all (only one's own), the inbox page and the header badge's count."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from opsteam.collab import context_processors, selectors, services
from opsteam.collab.models import Notification
from opsteam.core.exceptions import NotVisible

pytestmark = pytest.mark.django_db


def test_notify_deduplicates_and_skips_inactive_users(user_as):
    alice, bob, gone = user_as("operator"), user_as("operator"), user_as("operator")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    sent = services.notify(
        recipients=[alice, alice.pk, bob, gone, None],
        kind="workflow-rule",
        title="AS-1 超时",
        body="已等待 3 小时",
        url="/workflow/items/1/",
        actor=bob,
    )

    assert sent == 2
    assert Notification.objects.filter(recipient=alice).count() == 1
    note = Notification.objects.get(recipient=bob)
    assert (note.kind, note.title, note.actor, note.read_at) == (
        "workflow-rule",
        "AS-1 超时",
        bob,
        None,
    )
    assert not Notification.objects.filter(recipient=gone).exists()


def test_notify_nobody_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.notify(recipients=[], kind="x", title="t") == 0


def test_mark_one_or_all_read_only_ones_own(user_as):
    alice, bob = user_as("operator"), user_as("hr")
    services.notify(recipients=[alice, bob], kind="x", title="一")
    services.notify(recipients=[alice], kind="x", title="二")
    first = Notification.objects.filter(recipient=alice).first()
    bobs = Notification.objects.get(recipient=bob)

    assert services.notification_mark_read(actor=alice, notification=first) == 1
    assert services.notification_mark_read(actor=alice, notification=first) == 0
    assert selectors.unread_count(user=alice) == 1
    with pytest.raises(NotVisible):  # not even HR reads someone else's inbox
        services.notification_mark_read(actor=alice, notification=bobs)
    assert services.notification_mark_read(actor=alice) == 1
    assert selectors.unread_count(user=alice) == 0
    assert selectors.unread_count(user=bob) == 1


def test_inbox_lists_only_ones_own_newest_first(user_as):
    alice, bob = user_as("operator"), user_as("operator")
    services.notify(recipients=[alice], kind="x", title="旧")
    services.notify(recipients=[alice, bob], kind="x", title="新")

    assert [n.title for n in selectors.inbox(user=alice)] == ["新", "旧"]
    assert [n.title for n in selectors.inbox(user=bob)] == ["新"]


def test_context_processor_counts_unread_in_one_query(user_as, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    alice = user_as("operator")
    services.notify(recipients=[alice], kind="x", title="t")
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(1):
        assert context_processors.unread_notifications(request) == {"unread_notifications": 1}
    request.user = AnonymousUser()
    assert context_processors.unread_notifications(request) == {"unread_notifications": 0}


def test_inbox_page_open_and_mark_all(client_as):
    client = client_as("operator")
    services.notify(recipients=[client.user], kind="x", title="工单超时", url="/workflow/items/7/")
    services.notify(
        recipients=[client.user], kind="x", title="外部链接", url="https://evil.example/"
    )
    [external, internal] = Notification.objects.order_by("-pk")

    page = client.get(reverse("collab:inbox"))
    assert page.status_code == 200
    assert "工单超时" in page.content.decode()
    assert page.context["unread_total"] == 2
    opened = client.post(reverse("collab:notification_read", args=[internal.pk]), {"open": "1"})
    assert opened.url == "/workflow/items/7/"
    elsewhere = client.post(reverse("collab:notification_read", args=[external.pk]), {"open": "1"})
    assert elsewhere.url == reverse("collab:inbox")  # never an open redirect
    unread = client.get(reverse("collab:inbox"), {"unread": "1"})
    assert list(unread.context["object_list"]) == []
    assert client.post(reverse("collab:notification_read_all")).status_code == 302


def test_someone_elses_notification_is_not_found(client_as, user_as):
    other = user_as("operator")
    services.notify(recipients=[other], kind="x", title="别人的")
    note = Notification.objects.get()
    client = client_as("hr")

    response = client.post(reverse("collab:notification_read", args=[note.pk]))

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
