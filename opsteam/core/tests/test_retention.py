import datetime as dt

import pytest
from django.utils import timezone

from opsteam.accounts.models import SecurityEvent
from opsteam.core.models import ImportJob
from opsteam.core.retention import apply_retention


def _event(days_old):
    event = SecurityEvent.objects.create(kind="login_failed", username=f"u{days_old}")
    SecurityEvent.objects.filter(pk=event.pk).update(
        at=timezone.now() - dt.timedelta(days=days_old)
    )


@pytest.mark.django_db
def test_security_log_is_kept_at_least_six_months_whatever_the_setting(settings):
    settings.OPSTEAM_RETENTION_SECURITY_LOG_DAYS = 30
    for days in (10, 100, 200):
        _event(days)

    counts = apply_retention()

    assert counts["security_events"] == 1
    assert sorted(SecurityEvent.objects.values_list("username", flat=True)) == ["u10", "u100"]


@pytest.mark.django_db
def test_security_log_older_than_the_setting_goes(settings):
    settings.OPSTEAM_RETENTION_SECURITY_LOG_DAYS = 365
    _event(300)
    _event(400)

    apply_retention()

    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["u300"]


@pytest.mark.django_db
def test_old_import_problems_are_blanked_but_the_record_stays(settings):
    settings.OPSTEAM_RETENTION_IMPORT_ERRORS_DAYS = 90
    old = ImportJob.objects.create(
        kind="staff",
        file_name="a.csv",
        status="rejected",
        error_count=1,
        errors=[{"row": 2, "value": "王小明", "reason": "x"}],
    )
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))
    recent = ImportJob.objects.create(
        kind="staff",
        file_name="b.csv",
        status="rejected",
        errors=[{"row": 2, "value": "李雷", "reason": "x"}],
    )

    apply_retention()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.errors == []
    assert old.error_count == 1
    assert recent.errors
