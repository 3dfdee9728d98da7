import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from opsteam.accounts.models import SecurityEvent
from opsteam.accounts.tasks import prune_security_log_task

BROKER = "redis://127.0.0.1:6379/15"


def _events():
    old = SecurityEvent.objects.create(kind="login_failed", username="old")
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=400))
    SecurityEvent.objects.create(kind="login_failed", username="recent")


@pytest.mark.django_db
def test_prune_runs_in_process_when_no_broker_is_configured():
    _events()

    removed = prune_security_log_task.delay(days=365).get()

    assert removed == 1
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["recent"]


def _worker_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return f"{url}_worker" if url.startswith("postgres") else url


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_prune_runs_through_a_real_worker_on_redis():
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(
            "Redis is not running on 127.0.0.1:6379; start it (see README, operator section)"
        )
    if not settings.CELERY_BROKER_URL:
        # Celery reads its broker at start-up, as in production: rerun this test in a fresh
        # process configured with OPSTEAM_BROKER_URL.
        env = {**os.environ, "OPSTEAM_BROKER_URL": BROKER, "DATABASE_URL": _worker_database_url()}
        env = {k: v for k, v in env.items() if v != ""}
        node = f"{Path(__file__).resolve()}::test_prune_runs_through_a_real_worker_on_redis"
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--create-db", node],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=settings.BASE_DIR,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        return

    from celery.contrib.testing.worker import start_worker

    from opsteam.celery import app

    _events()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = prune_security_log_task.delay(days=365)
        assert result.get(timeout=30) == 1
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["recent"]
