"""Writes of the system review: create (on demand or at quarter start), edit, start, close
(freezing the figures), and improvement actions raised from a section (through workflow's
services, so an action has one way to be edited and moved through PDCA)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.insights import review as report
from opsteam.insights import selectors
from opsteam.insights.choices import ReviewStatus
from opsteam.insights.models import SystemReview

EDITABLE_FIELDS = ("title", "summary", "conclusions")
MAX_TEXT = 20000
MAX_PERIOD_DAYS = 366


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def previous_quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter before the one holding ``day`` (the one a review at quarter start covers)."""
    start, _end = quarter_of(day)
    return quarter_of(start - dt.timedelta(days=1))


def default_title(start: dt.date, end: dt.date) -> str:
    """ "2026 Q3 system review" for a calendar quarter, else the dates."""
    if quarter_of(start) == (start, end):
        return _("{year} Q{quarter} system review").format(
            year=start.year, quarter=(start.month - 1) // 3 + 1
        )
    return _("System review {start} – {end}").format(start=start.isoformat(), end=end.isoformat())


def _snapshot(review: SystemReview) -> dict[str, Any]:
    # The frozen figures are large and already on the row: the trail records the rest.
    return audit.snapshot(review, exclude=("snapshot",))


def _check_period(start: Any, end: Any) -> None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationFailed(
            _("Give the first and the last day of the period."), field="period_start"
        )
    if end < start:
        raise ValidationFailed(_("The end comes before the start."), field="period_end")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("A review covers at most one year."), field="period_end")


@transaction.atomic
def system_review_create(
    *,
    actor: Any,
    period_start: dt.date,
    period_end: dt.date,
    title: str = "",
    summary: str = "",
) -> SystemReview:
    """Create a draft review of a period. Raises ``PolicyDenied`` (not HR, an administrator
    or a director) and ``ValidationFailed`` (bad period, one already exists). Audit: "create"."""
    selectors.require_steer(actor)
    _check_period(period_start, period_end)
    if SystemReview.objects.filter(period_start=period_start, period_end=period_end).exists():
        raise ValidationFailed(_("A review of this period exists already."), field="period_start")
    review = SystemReview.objects.create(
        title=(title or "").strip()[:200] or default_title(period_start, period_end),
        period_start=period_start,
        period_end=period_end,
        summary=(summary or "")[:MAX_TEXT],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=review, after=_snapshot(review))
    return review


def system_review_create_for_quarter(*, today: dt.date | None = None) -> SystemReview | None:
    """At quarter start, the review of the quarter that just ended (by the system; idempotent:
    None when it exists). HR and the directors are told it is ready."""
    today = today or timezone.localdate()
    start, end = previous_quarter(today)
    with transaction.atomic():
        if SystemReview.objects.filter(period_start=start, period_end=end).exists():
            return None
        with translation.override("zh-hans"):
            title = default_title(start, end)
        try:
            with transaction.atomic():
                review = SystemReview.objects.create(
                    title=title, period_start=start, period_end=end
                )
        except IntegrityError:  # a concurrent run created it first
            return None
        with audit.context(source=AuditSource.JOB):
            audit.record(actor=None, action=AuditAction.CREATE, obj=review, after=_snapshot(review))
        transaction.on_commit(lambda: _notify_stewards(review))
    return review


def _notify_stewards(review: SystemReview) -> int:
    from opsteam.accounts.models import RoleGrant
    from opsteam.collab import services as collab_services
    from opsteam.core.choices import Role

    ids = set(
        RoleGrant.objects.filter(role__in=(Role.HR, Role.ADMIN)).values_list("user_id", flat=True)
    ) | set(
        RoleGrant.objects.filter(
            role=Role.MANAGER, unit__kind__in=("company", "department")
        ).values_list("user_id", flat=True)
    )
    return collab_services.notify(
        recipients=sorted(ids),
        kind="system-review",
        title=_("The system review of {title} is ready").format(title=review.title),
        url=review.get_absolute_url(),
    )


@transaction.atomic
def system_review_update(*, actor: Any, review: SystemReview, **fields: Any) -> SystemReview:
    """Change the title, summary or conclusions (markdown) of an open review. Raises
    ``PolicyDenied``/``NotVisible``, ``InvalidTransition`` (closed) and ``ValidationFailed``.
    Audit: "update" (nothing when nothing changed)."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(unknown)),
            field=unknown[0],
        )
    review = SystemReview.objects.select_for_update().get(pk=review.pk)
    selectors.require_steer(actor, review)
    if review.is_closed:
        raise InvalidTransition(_("A closed review does not change."))
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationFailed(_("Give the review a title."), field="title")
    before = _snapshot(review)
    for name, value in fields.items():
        value = (value or "").strip() if name == "title" else (value or "")
        setattr(review, name, value[:200] if name == "title" else value[:MAX_TEXT])
    review.save(update_fields=[*fields, "updated_at"])
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=review, before=before, after=_snapshot(review)
    )
    return review


@transaction.atomic
def system_review_start(*, actor: Any, review: SystemReview) -> SystemReview:
    """Move a draft review into review (the figures are discussed). Audit: "update"."""
    review = SystemReview.objects.select_for_update().get(pk=review.pk)
    selectors.require_steer(actor, review)
    if review.status != ReviewStatus.DRAFT:
        raise InvalidTransition()
    before = _snapshot(review)
    review.status = ReviewStatus.IN_REVIEW
    review.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action=AuditAction.UPDATE, obj=review, before=before, after=_snapshot(review)
    )
    return review


@transaction.atomic
def system_review_close(*, actor: Any, review: SystemReview) -> SystemReview:
    """Close a review: its figures are computed one last time and frozen, so the report never
    changes afterwards (its actions stay open until they are done). Requires conclusions.
    Raises ``InvalidTransition`` (already closed) and ``ValidationFailed``. Audit: "update"."""
    review = SystemReview.objects.select_for_update().get(pk=review.pk)
    selectors.require_steer(actor, review)
    if review.is_closed:
        raise InvalidTransition()
    if not review.conclusions.strip():
        raise ValidationFailed(
            _("Write the conclusions before closing the review."), field="conclusions"
        )
    before = _snapshot(review)
    review.snapshot = report.assemble(start=review.period_start, end=review.period_end)
    review.status = ReviewStatus.CLOSED
    review.closed_at = timezone.now()
    review.save(update_fields=["snapshot", "status", "closed_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=review,
        before=before,
        after=_snapshot(review),
        note=_("Figures frozen"),
    )
    return review


def review_action_create(
    *,
    actor: Any,
    review: SystemReview,
    section: str,
    title: str,
    description: str = "",
    owner: Any | None = None,
    due_date: dt.date | None = None,
) -> Any:
    """Raise an improvement action (PDCA, "plan") from a section of the review, keeping the
    section's figures as its evidence; the owner is told. Raises ``ValidationFailed`` (unknown
    section, closed review, empty title) and ``PolicyDenied``/``NotVisible``. Audit: "create"
    (workflow's service)."""
    from opsteam.workflow import services_actions

    review = SystemReview.objects.get(pk=review.pk)
    selectors.require_steer(actor, review)
    if report.source_of(section) is None:
        raise ValidationFailed(_("Choose a section of the report."), field="section")
    if section == "fairness" and not selectors.can_read_fairness(actor):
        raise ValidationFailed(_("Choose a section of the report."), field="section")
    evidence = selectors.section_evidence(selectors.report_for(review), section)
    with transaction.atomic():
        action = services_actions.improvement_action_create(
            actor=actor,
            process=None,
            review=review,
            section=section,
            title=title,
            description=description,
            evidence=evidence,
            owner=owner,
            due_date=due_date,
        )
        if owner is not None and owner.user_id and owner.user_id != getattr(actor, "pk", None):
            from opsteam.collab import services as collab_services

            collab_services.notify(
                recipients=[owner.user_id],
                kind="system-review",
                title=_("You own an improvement action: {title}").format(title=action.title),
                url=action.get_absolute_url(),
                actor=actor,
            )
    return action


__all__ = [
    "default_title",
    "previous_quarter",
    "quarter_of",
    "review_action_create",
    "system_review_close",
    "system_review_create",
    "system_review_create_for_quarter",
    "system_review_start",
    "system_review_update",
]
