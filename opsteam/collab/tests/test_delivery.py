"""Notification delivery: preferences decide e-mail (now or digest) and IM; IM messages reach a
local receiver in the providers' real formats, signed; failures are retried with backoff and
logged; quiet hours hold messages back; reminders are raised once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from opsteam.collab import kinds, services
from opsteam.collab.choices import DeliveryMedium, DeliveryStatus, EmailFrequency
from opsteam.collab.models import Delivery, ImChannel, Notification, NotificationSettings
from opsteam.collab.tests.receiver import WebhookReceiver
from opsteam.core.exceptions import PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "SEC-test-secret"


@pytest.fixture
def receiver():
    with WebhookReceiver(secrets={"t1": SECRET, "t3": SECRET}) as running:
        yield running


def _due_now(*deliveries: Delivery) -> None:
    """Time passes: the waiting deliveries are due."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


def _channel(hr, receiver, provider="dingtalk", unit=None, token="t1", **extra):  # noqa: S107
    return services.channel_create(
        actor=hr,
        name=f"{provider} {token}",
        provider=provider,
        webhook_url=receiver.url(provider, token),
        secret=SECRET if provider in ("dingtalk", "feishu") else "",
        unit=unit,
        **extra,
    )


def test_immediate_email_follows_the_kinds_default_and_is_logged(
    user_as, django_capture_on_commit_callbacks
):
    alice = user_as("operator")
    alice.email = "alice@example.com"
    alice.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[alice], kind="review-due", title="自评截止 11-30", url="/performance/"
        )

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "自评截止 11-30"
    assert mail.outbox[0].to == ["alice@example.com"]
    assert "/performance/" in mail.outbox[0].body
    delivery = Delivery.objects.get(medium=DeliveryMedium.EMAIL)
    assert (delivery.status, delivery.attempts, delivery.recipient) == (
        DeliveryStatus.SENT,
        1,
        alice,
    )
    assert Notification.objects.filter(recipient=alice, kind="review-due").count() == 1


def test_email_off_sends_no_email_but_the_inbox_still_gets_it(
    user_as, django_capture_on_commit_callbacks
):
    alice = user_as("operator")
    services.preferences_save(
        actor=alice,
        choices={"review-due": (EmailFrequency.OFF, True)},
        quiet_start=None,
        quiet_end=None,
        digest_hour=9,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="review-due", title="x")

    assert mail.outbox == []
    assert not Delivery.objects.exists()
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert AuditEntry.objects.filter(object_type="collab.notificationsettings").exists()


def test_daily_digest_gathers_items_into_one_email_at_the_persons_hour(user_as):
    alice = user_as("operator")
    alice.email = "alice@example.com"
    alice.save()
    services.notify(recipients=[alice], kind="workflow-rule", title="AS-1 等待超时")
    services.notify(recipients=[alice], kind="workflow-rule", title="AS-2 等待超时")

    waiting = list(Delivery.objects.filter(status=DeliveryStatus.DIGEST))
    assert len(waiting) == 2
    assert all(d.next_attempt_at > timezone.now() for d in waiting)
    assert services.digests_send() == 0  # not yet its hour

    assert services.digests_send(now=waiting[0].next_attempt_at) == 1
    assert len(mail.outbox) == 1
    assert "2" in mail.outbox[0].subject
    assert "AS-1 等待超时" in mail.outbox[0].body
    assert "AS-2 等待超时" in mail.outbox[0].body
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_quiet_hours_hold_an_email_until_they_end(user_as):
    alice = user_as("operator")
    alice.email = "alice@example.com"
    alice.save()
    local_now = timezone.localtime()
    start = (local_now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local_now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    NotificationSettings.objects.create(user=alice, quiet_start=start, quiet_end=end)

    services.notify(recipients=[alice], kind="review-due", title="x")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(minutes=50)
    services.dispatch_due()
    assert mail.outbox == []

    _due_now(delivery)
    services.dispatch_due()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("provider", ["dingtalk", "feishu", "wecom", "slack"])
def test_a_team_channel_gets_one_signed_message_per_notification(
    provider, user_as, org_tree, receiver, django_capture_on_commit_callbacks
):
    hr = user_as("hr")
    _channel(hr, receiver, provider=provider, unit=org_tree.d1)
    in_team = [user_as("operator", unit=org_tree.t1), user_as("operator", unit=org_tree.t2)]
    outside = user_as("operator", unit=org_tree.t3)

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[*in_team, outside],
            kind="workflow-rule",
            title="AS-9 审核等待超时",
            body="已等待 5 小时",
            url="/workflow/items/9/",
        )

    receiver.wait_for(1)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.provider == provider
    assert got.verified
    text = str(got.payload)
    assert "AS-9 审核等待超时" in text
    delivery = Delivery.objects.get(medium=DeliveryMedium.IM)
    assert delivery.status == DeliveryStatus.SENT
    assert len(delivery.mentions) == 2  # the two in D1, not the one in D2


def test_kind_filter_and_personal_im_switch_keep_messages_out_of_the_channel(
    user_as, org_tree, receiver, django_capture_on_commit_callbacks
):
    hr = user_as("hr")
    _channel(hr, receiver, unit=org_tree.t1, kinds=["review-due"])
    alice = user_as("operator")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="workflow-rule", title="not this kind")
    services.preferences_save(
        actor=alice,
        choices={"review-due": (EmailFrequency.OFF, False)},
        quiet_start=None,
        quiet_end=None,
        digest_hour=9,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="review-due", title="switched off")
    assert receiver.received == []
    assert not Delivery.objects.filter(medium=DeliveryMedium.IM).exists()


def test_a_failed_post_is_retried_with_backoff_and_logged(user_as, org_tree, receiver):
    hr = user_as("hr")
    channel = _channel(hr, receiver, unit=org_tree.t1)
    alice = user_as("operator")
    receiver.fail_next(1, status=500)

    services.notify(recipients=[alice], kind="workflow-rule", title="重试")
    services.dispatch_due()
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.attempts == 1
    assert delivery.status_code == 500
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < wait <= dt.timedelta(seconds=60)

    services.dispatch_due()  # not due yet: nothing happens
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1
    _due_now(delivery)
    services.dispatch_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len([r for r in receiver.received if r.verified]) == 1


def test_a_wrong_secret_fails_at_once_with_the_providers_reason(user_as, org_tree, receiver):
    hr = user_as("hr")
    channel = _channel(hr, receiver, unit=org_tree.t1)
    ImChannel.objects.filter(pk=channel.pk).update(secret="")  # stored value unreadable: plain
    channel.refresh_from_db()
    services.channel_update(actor=hr, channel=channel, secret="wrong-secret")
    services.notify(recipients=[user_as("operator")], kind="workflow-rule", title="x")
    services.dispatch_due()

    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "310000" in delivery.last_error


def test_retries_stop_after_the_last_attempt(user_as, org_tree, receiver):
    hr = user_as("hr")
    channel = _channel(hr, receiver, unit=org_tree.t1)
    receiver.fail_next(services.MAX_ATTEMPTS + 2, status=503)
    services.notify(recipients=[user_as("operator")], kind="workflow-rule", title="x")
    delivery = Delivery.objects.get(channel=channel)
    for _attempt in range(services.MAX_ATTEMPTS + 1):
        _due_now(delivery)
        services.dispatch_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS

    services.delivery_retry(actor=hr, delivery=delivery)  # a person may ask once more
    assert Delivery.objects.get(pk=delivery.pk).status in (
        DeliveryStatus.RETRYING,
        DeliveryStatus.FAILED,
    )


def test_a_delivery_is_never_sent_twice(user_as, org_tree, receiver):
    hr = user_as("hr")
    channel = _channel(hr, receiver, unit=org_tree.t1)
    services.notify(recipients=[user_as("operator")], kind="workflow-rule", title="once")
    delivery = Delivery.objects.get(channel=channel)
    services.deliveries_send([delivery.pk])
    services.deliveries_send([delivery.pk])
    services.dispatch_due()
    assert len(receiver.received) == 1


def test_reminders_are_raised_once_per_key(user_as):
    alice = user_as("operator")
    assert services.remind_once(key="k:1", recipients=[alice], kind="review-due", title="t") == 1
    assert services.remind_once(key="k:1", recipients=[alice], kind="review-due", title="t") == 0
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_channel_scope_managers_own_subtree_only(user_as, org_tree, receiver):
    manager = user_as("manager", unit=org_tree.d1)
    assert _channel(manager, receiver, unit=org_tree.t2).unit == org_tree.t2
    with pytest.raises(PolicyDenied):
        _channel(manager, receiver, unit=org_tree.t3)
    with pytest.raises(PolicyDenied):
        _channel(manager, receiver, unit=None)
    with pytest.raises(PolicyDenied):
        _channel(user_as("operator"), receiver, unit=org_tree.t1)


def test_webhook_addresses_are_checked_and_never_answered(user_as, org_tree, api_client_as):
    api = api_client_as("hr")
    bad = api.post(
        "/api/collab/channels/",
        {
            "name": "外网",
            "provider": "dingtalk",
            "webhook_url": "http://example.com/robot/send?access_token=x",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "webhook_url" in str(bad.json())

    made = api.post(
        "/api/collab/channels/",
        {
            "name": "店铺群",
            "provider": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY",
            "unit": org_tree.t1.pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    listed = api.get("/api/collab/channels/")
    assert "SECRET-KEY" not in listed.content.decode()
    stored = ImChannel.objects.get()
    assert stored.webhook_url.endswith("SECRET-KEY")
    audit_text = str(list(AuditEntry.objects.filter(object_type="collab.imchannel").values()))
    assert "SECRET-KEY" not in audit_text


def test_preferences_reject_unknown_kinds_and_half_quiet_hours(user_as):
    alice = user_as("operator")
    with pytest.raises(ValidationFailed):
        services.preferences_save(
            actor=alice,
            choices={"nope": ("off", True)},
            quiet_start=None,
            quiet_end=None,
            digest_hour=9,
        )
    with pytest.raises(ValidationFailed) as problem:
        services.preferences_save(
            actor=alice, choices={}, quiet_start=dt.time(22), quiet_end=None, digest_hour=9
        )
    assert problem.value.field == "quiet_end"


def test_preferences_page_saves_and_shows_the_choice(client_as):
    client = client_as("operator")
    page = client.get("/collab/preferences/")
    assert page.status_code == 200
    assert "Appraisal steps due" in page.content.decode()
    form = {f"email_{slug}": "off" for slug in kinds.KIND_SLUGS}
    form.update(
        {
            "email_review-due": "weekly",
            "im_review-due": "on",
            "quiet_start": "22:00",
            "quiet_end": "08:00",
            "digest_hour": "8",
        }
    )
    saved = client.post("/collab/preferences/", form)
    assert saved.status_code == 302
    again = client.get("/collab/preferences/").content.decode()
    assert 'value="weekly" selected' in again
    assert NotificationSettings.objects.get(user=client.user).digest_hour == 8

    half = dict(form, quiet_end="")
    refused = client.post("/collab/preferences/", half)
    assert refused.status_code == 400
    assert "Give both ends of the quiet hours" in refused.content.decode()


def test_preferences_api_round_trip_in_local_clock_time(api_client_as):
    api = api_client_as("operator")
    answer = api.put(
        "/api/collab/preferences/",
        {
            "kinds": [{"kind": "workflow-rule", "email": "weekly", "im": False}],
            "quiet_start": "22:00",
            "quiet_end": "08:00",
            "digest_hour": 7,
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["quiet_start"], body["quiet_end"], body["digest_hour"]) == ("22:00", "08:00", 7)
    rule = next(row for row in body["kinds"] if row["kind"] == "workflow-rule")
    assert (rule["email"], rule["im"]) == ("weekly", False)
    untouched = next(row for row in body["kinds"] if row["kind"] == "review-due")
    assert untouched["email"] == "immediate"  # the kind's default, kept


def test_a_request_sends_its_own_messages_and_leaves_a_backlog_to_the_sweep(
    user_as, django_capture_on_commit_callbacks
):
    alice, bob = user_as("operator"), user_as("operator")
    alice.email, bob.email = "alice@example.com", "bob@example.com"
    alice.save()
    bob.save()
    backlog = Delivery.objects.create(
        medium=DeliveryMedium.EMAIL,
        recipient=bob,
        kind="review-due",
        title="积压",
        next_attempt_at=timezone.now() - dt.timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[alice], kind="review-due", title="新的")

    assert [message.subject for message in mail.outbox] == ["新的"]
    assert Delivery.objects.get(pk=backlog.pk).status == DeliveryStatus.PENDING
    services.dispatch_due()
    assert Delivery.objects.get(pk=backlog.pk).status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    "value", ["-442336758271702967760338875842560", "99999999999999999999", "x"]
)
def test_a_bad_channel_filter_is_a_400_not_a_crash(api_client_as, value):
    answer = api_client_as("manager").get("/api/collab/deliveries/", {"channel": value})
    assert answer.status_code == 400


def test_the_delivery_log_page_ignores_a_bad_channel_filter(client_as):
    page = client_as("hr").get("/collab/deliveries/", {"channel": "99999999999999999999999"})
    assert page.status_code == 200
