"""Notification fan-out: one message to 10,000 staff, delivered by e-mail and team IM robots.

Data: 10,000 staff with logins in 50 teams under 4 departments; 10 team IM channels (DingTalk,
signed) posting to a local receiver that verifies each signature, as a real robot would;
e-mail through Django's in-memory backend (the SMTP hand-off is not what is measured).

Figures (medians of RUNS runs; each run inside a transaction rolled back afterwards):
- ``collab.services.notify`` to everyone (kind ``review-due``: inbox, an e-mail each by the
  kind's default, one IM message per covering channel): the fan-out itself, bulk inserts;
  baseline: the same notify called once per person (what a module looping over its people
  would do), on a SAMPLE extrapolated to the population;
- the delivery of everything it queued by ``collab.deliveries_send`` batches (the worker's
  task body, run in-process here): 10,000 e-mails and 10 signed posts, with the delivery log.

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
RUNS = 3
SECRET = "SEC-bench"  # noqa: S105 - the local receiver's signing secret


class _Rollback(Exception):
    pass


def _setup(receiver: Any) -> list[int]:
    import datetime as dt

    from bench.orgdata import org_units
    from bench.orgdata import positions as org_positions
    from opsteam.accounts.models import User
    from opsteam.collab.models import ImChannel
    from opsteam.org.models import Staff

    _root, _departments, teams = org_units(DEPARTMENTS, TEAMS)
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
    return [user.pk for user in users]


def _once(user_ids: list[int], receiver: Any) -> tuple[float, float, float, int]:
    from django.core import mail
    from django.db import transaction

    from opsteam.collab import services
    from opsteam.collab.models import Delivery

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            mail.outbox = []
            received_before = len(receiver.received)
            started = time.perf_counter()
            services.notify(
                recipients=user_ids, kind="review-due", title="自评将于 11-30 截止", url="/p/"
            )
            outcome["fanout"] = time.perf_counter() - started
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
            started = time.perf_counter()
            for pk in user_ids[:SAMPLE]:
                services.notify(recipients=[pk], kind="review-due", title="逐人发送", url="/p/")
            outcome["loop"] = time.perf_counter() - started
            outcome["deliveries"] = len(ids)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["fanout"], outcome["deliver"], outcome["loop"], outcome["deliveries"]


def run(backend: str) -> list[dict[str, Any]]:
    from django.conf import settings

    from opsteam.collab.tests.receiver import WebhookReceiver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with WebhookReceiver(secrets={f"t{n}": SECRET for n in range(CHANNELS)}) as receiver:
        user_ids = _setup(receiver)
        results = [_once(user_ids, receiver) for _run in range(RUNS)]
    fanout = statistics.median(r[0] for r in results)
    deliver = statistics.median(r[1] for r in results)
    loop = statistics.median(r[2] for r in results) * len(user_ids) / SAMPLE
    size = f"{len(user_ids) / 1000:g}k"
    return [
        {
            "name": f"notify fan-out to {size} staff (inbox, e-mail and team IM planned)",
            "value": fanout,
            "unit": "s",
            "baseline": loop,
            "baseline_name": f"notify once per person on {SAMPLE}, extrapolated",
            "runs": RUNS,
        },
        {
            "name": f"delivery of {results[0][3]} e-mails and signed IM posts by the worker task",
            "value": deliver,
            "unit": "s",
            "runs": RUNS,
        },
    ]
