"""The workflow demo: two processes with published maps, six months of events in which the
analysis finds the planted bottleneck first and the rework loop, open items on the boards, one
improvement action, and loading it again changes nothing.

The organisation demo and the workflow demo are loaded once for the module inside a
transaction that is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from opsteam.core.models import AuditEntry
from opsteam.org.demo import build_demo
from opsteam.workflow import demo, selectors_analytics
from opsteam.workflow.choices import OPEN_STATUSES, ActionStatus, MapStatus
from opsteam.workflow.models import (
    ImprovementAction,
    ProcessEvent,
    ProcessMap,
    Step,
    Transition,
    WorkItem,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The org demo and the workflow demo, loaded once and rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo()
        created = demo.load()
        yield created
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _window(days: int) -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=days), now + dt.timedelta(minutes=1)


def _process(code: str):
    return ProcessMap.objects.get(process__code=code, status=MapStatus.PUBLISHED).process


def test_two_processes_have_published_bilingual_maps_with_owners_and_targets(loaded):
    for code, steps in (("PR-LISTING", 5), ("PR-AFTERSALES", 5)):
        process_map = ProcessMap.objects.get(process__code=code, status=MapStatus.PUBLISHED)
        rows = Step.objects.filter(map=process_map)
        assert rows.count() == steps
        assert not rows.filter(name_en="").exists()
        assert not rows.filter(position__isnull=True).exists()
        assert not rows.filter(target_minutes__isnull=True).exists()
        assert not rows.filter(sop="").exists()
        assert Transition.objects.filter(map=process_map, handoff_target_minutes__gt=0).count() >= 5
    assert loaded["workflow.processevent"] > 10_000


def test_listing_analysis_finds_the_publishing_handoff_first_and_the_review_loop(loaded):
    process = _process("PR-LISTING")

    for days in (90, demo.HISTORY_DAYS):
        found = selectors_analytics.analysis(process, *_window(days))
        top = found.bottlenecks[0]
        assert top.key == "handoff:审核→上架", days
        assert top.breach_rate > 0.5
        loops = found.result.rework_loops.filter(
            (pl.col("source") == "修改") & (pl.col("target") == "审核")
        )
        assert loops["count"][0] > 50
        assert found.result.rework.filter(pl.col("step") == "审核")["cases"][0] > 50


def test_aftersales_analysis_finds_the_refund_wait_first_and_the_reopened_tickets(loaded):
    found = selectors_analytics.analysis(_process("PR-AFTERSALES"), *_window(90))

    assert found.bottlenecks[0].key == "handoff:问题处理→退款审核"
    loops = found.result.rework_loops.filter(pl.col("target") == "问题处理")
    assert loops["count"].sum() > 20


def test_the_improvement_shows_in_the_before_and_after_review(loaded):
    action = ImprovementAction.objects.get(title=demo.ACTION_TITLE)
    assert action.status == ActionStatus.CHECK
    assert action.bottleneck_key == "handoff:审核→上架"
    assert action.evidence["evidence"]
    assert action.owner.position.code == "STORE-LEAD"
    effective = dt.datetime.combine(
        action.effective_date, dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    before = selectors_analytics.analysis(
        action.process, effective - dt.timedelta(days=30), effective
    )
    after = selectors_analytics.analysis(
        action.process, effective, effective + dt.timedelta(days=30)
    )

    rows = selectors_analytics.review_comparison(before, after)["sections"]
    handoff = {row["label"]: row for row in rows[2]["rows"]}["审核 → 上架"]
    assert handoff["better"]
    assert handoff["after"] < handoff["before"] / 2


def test_boards_hold_open_items_some_waiting_past_their_target(loaded):
    for code in ("PR-LISTING", "PR-AFTERSALES"):
        items = WorkItem.objects.filter(process__code=code, status__in=OPEN_STATUSES)
        assert 20 <= items.count() <= 40
        assert not items.filter(step__isnull=True).exists()
        assert items.filter(assignee__isnull=False).count() == items.count()
        history = ProcessEvent.objects.filter(work_item__in=items)
        assert history.exists()
    listing = WorkItem.objects.filter(process__code="PR-LISTING", step__code="publish")
    assert listing.count() >= 5


def test_loading_again_changes_nothing(loaded):
    counts = (ProcessEvent.objects.count(), WorkItem.objects.count(), AuditEntry.objects.count())

    again = demo.load()

    assert again == {}
    assert (ProcessEvent.objects.count(), WorkItem.objects.count(), AuditEntry.objects.count()) == (
        counts
    )
