"""Announcement fan-out: one important announcement to 10,000 staff, with delivery.

Data: 10,000 staff with logins in 50 teams under 4 departments (the bench's org generator);
10 team IM channels (DingTalk, signed) posting to a local receiver that verifies each
signature; e-mail through Django's in-memory backend. The announcement addresses the four
departments (their teams included), so the audience is resolved through the org tree.

Figures (medians of RUNS runs; each run inside a transaction rolled back afterwards):
- ``announcement_publish``: the audience resolved set-based into 10,000 receipts (bulk
  inserts) and ``collab.services.notify`` to all of them (inbox rows, an e-mail each by the
  kind's default, one IM message per covering channel); baseline: the same work one person at
  a time (a receipt row and a notify() call each), on a SAMPLE extrapolated to the population;
- the delivery of everything it queued by ``collab.deliveries_send`` batches (the worker's
  task body, run in-process here): 10,000 e-mails and 10 signed posts, with the delivery log;
- the statistics page's numbers (totals and per-team breakdown of 10,000 receipts).

``OPSTEAM_BENCH_STAFF=500`` gives a quick smoke run.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

STAFF = int(os.environ.get("OPSTEAM_BENCH_STAFF", "10000"))
TEAMS = 50
DEPARTMENTS = 4
CHANNELS = 10
SAMPLE = 200
RUNS = int(os.environ.get("OPSTEAM_BENCH_RUNS", "3"))
SECRET = "SEC-bench"  # noqa: S105 - the local receiver's signing secret


class _Rollback(Exception):
    pass


def _setup(receiver: Any) -> tuple[Any, list[Any], list[int]]:
    import datetime as dt

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.accounts.models import User
    from opsteam.collab.models import ImChannel
    from opsteam.org.models import Staff

    _root, departments, teams = org_units(DEPARTMENTS, TEAMS)
    position = org_positions(1)[0]
    users = User.objects.bulk_create(
        [User(username=f"u{i:05d}", email=f"u{i:05d}@example.com") for i in range(STAFF)],
        batch_size=2000,
    )
    Staff.objects.bulk_create(
        [
            Staff(
                employee_no=f"E{i:06d}",
                name=f"员工{i}",
                hire_date=dt.date(2024, 1, 1),
                unit=teams[i % TEAMS],
                position=position,
                user=user,
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    ImChannel.objects.bulk_create(
        ImChannel(
            name=f"群 {n}",
            provider="dingtalk",
            webhook_url=receiver.url("dingtalk", f"t{n}"),
            secret=SECRET,
            unit=teams[n],
        )
        for n in range(CHANNELS)
    )
    author = User.objects.create(username="bench-hr", is_superuser=True)
    from django.urls import reverse

    reverse("collab:inbox")  # load the URLconf (and every view module) before timing
    return author, list(departments), [user.pk for user in users]


def _once(author: Any, departments: list[Any], user_ids: list[int], receiver: Any) -> dict:
    from django.core import mail
    from django.db import transaction

    from opsteam.collab import selectors_announcements as selectors
    from opsteam.collab import services, services_announcements
    from opsteam.collab.models import Announcement, AnnouncementReceipt, Delivery

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            mail.outbox = []
            received_before = len(receiver.received)
            announcement = services_announcements.announcement_create(
                actor=author,
                title="双十一大促值班安排",
                body="请于 11 月 8 日前确认班次。",
                importance="important",
                units=departments,
            )
            started = time.perf_counter()
            services_announcements.announcement_publish(actor=author, announcement=announcement)
            outcome["publish"] = time.perf_counter() - started
            receipts = AnnouncementReceipt.objects.filter(announcement=announcement).count()
            if receipts != len(user_ids):
                raise AssertionError(f"{receipts} receipts for {len(user_ids)} staff")
            ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
            started = time.perf_counter()
            for start in range(0, len(ids), services.DISPATCH_BATCH):
                services.deliveries_send(ids[start : start + services.DISPATCH_BATCH])
            outcome["deliver"] = time.perf_counter() - started
            sent = Delivery.objects.filter(status="sent").count()
            if len(mail.outbox) != len(user_ids) or sent != len(ids):
                raise AssertionError(f"{len(mail.outbox)} e-mails, {sent}/{len(ids)} sent")
            if len(receiver.received) - received_before != CHANNELS:
                raise AssertionError("each channel must receive exactly one message")
            outcome["deliveries"] = len(ids)
            started = time.perf_counter()
            stats = selectors.announcement_stats(user=author, announcement=announcement)
            outcome["stats"] = time.perf_counter() - started
            if stats["total"] != len(user_ids) or len(stats["teams"]) != TEAMS:
                raise AssertionError("statistics do not add up")
            loop_item = Announcement.objects.create(title="逐人发送", author=author)
            started = time.perf_counter()
            for pk in user_ids[:SAMPLE]:
                AnnouncementReceipt.objects.create(announcement=loop_item, user_id=pk)
                services.notify(recipients=[pk], kind="announcement", title="逐人发送", url="/a/")
            outcome["loop"] = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return outcome


def run(backend: str) -> list[dict[str, Any]]:
    from django.conf import settings

    from opsteam.collab.tests.receiver import WebhookReceiver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with WebhookReceiver(secrets={f"t{n}": SECRET for n in range(CHANNELS)}) as receiver:
        author, departments, user_ids = _setup(receiver)
        results = [_once(author, departments, user_ids, receiver) for _run in range(RUNS)]
    publish = statistics.median(r["publish"] for r in results)
    deliver = statistics.median(r["deliver"] for r in results)
    stats = statistics.median(r["stats"] for r in results)
    loop = statistics.median(r["loop"] for r in results) * len(user_ids) / SAMPLE
    size = f"{len(user_ids) / 1000:g}k"
    return [
        {
            "name": f"publish one announcement to {size} staff (receipts, inbox, e-mail, IM)",
            "value": publish,
            "unit": "s",
            "baseline": loop,
            "baseline_name": f"a receipt and a notify per person on {SAMPLE}, extrapolated",
            "runs": RUNS,
        },
        {
            "name": f"delivery of {results[0]['deliveries']} e-mails and signed IM posts "
            "by the worker task",
            "value": deliver,
            "unit": "s",
            "runs": RUNS,
        },
        {
            "name": f"statistics of {size} receipts (totals and {TEAMS} teams)",
            "value": stats,
            "unit": "s",
            "runs": RUNS,
        },
    ]
