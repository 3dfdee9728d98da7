"""Writes of work reports (日报/周报): team templates, reports, the manager's comments and read
marks. Each service checks the policy, writes in one transaction and audits explicitly."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opsteam.collab import reminders, selectors_reports, services
from opsteam.collab.models_reports import (
    ReportComment,
    ReportKind,
    ReportStatus,
    ReportTemplate,
    WorkReport,
)
from opsteam.collab.wellbeing import week_start
from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import PolicyDenied, ValidationFailed

MAX_SECTIONS = 12
MAX_METRICS = 12
MAX_TEXT = 5000
MAX_COMMENT = 2000
MAX_NUMBER = Decimal("1e12")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TEMPLATE_FIELDS = ("unit", "kind", "name", "sections", "metrics", "due_time", "due_weekday")


def _staff_of(actor: Any) -> Any:
    staff = getattr(actor, "staff", None) if actor is not None else None
    if staff is None:
        raise ValidationFailed(_("Only staff members write work reports."))
    return staff


def _zone(user: Any) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def period_of(kind: str, day: dt.date) -> dt.date:
    """The period key of ``day``: the day itself, or the Monday of its week."""
    return week_start(day) if kind == ReportKind.WEEKLY else day


def due_at(
    template: ReportTemplate, kind: str, period_start: dt.date, zone: ZoneInfo
) -> dt.datetime:
    """When the report of ``period_start`` is due, in the author's local time."""
    day = period_start
    if kind == ReportKind.WEEKLY:
        day = period_start + dt.timedelta(days=min(template.due_weekday, 6))
    return dt.datetime.combine(day, template.due_time, tzinfo=zone)


# Templates -----------------------------------------------------------------------------------


def _clean_sections(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed(_("A template needs at least one section."), field="sections")
    if len(value) > MAX_SECTIONS:
        raise ValidationFailed(
            _("At most {count} sections.").format(count=MAX_SECTIONS), field="sections"
        )
    cleaned, seen = [], set()
    for index, row in enumerate(value, start=1):
        key = row.get("key") if isinstance(row, dict) else None
        label = row.get("label") if isinstance(row, dict) else None
        if not isinstance(key, str) or not KEY.match(key) or key in seen:
            raise ValidationFailed(
                _("Section {n}: the key must be unique, lower-case letters, digits or _.").format(
                    n=index
                ),
                field="sections",
            )
        if not isinstance(label, str) or not label.strip() or len(label) > 80:
            raise ValidationFailed(
                _("Section {n}: give it a label of up to 80 characters.").format(n=index),
                field="sections",
            )
        seen.add(key)
        cleaned.append(
            {"key": key, "label": label.strip(), "required": row.get("required") is True}
        )
    return cleaned


def _clean_metrics(value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_METRICS:
        raise ValidationFailed(
            _("At most {count} key numbers.").format(count=MAX_METRICS), field="metrics"
        )
    cleaned, seen = [], set()
    for index, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise ValidationFailed(
                _("Key number {n} is malformed.").format(n=index), field="metrics"
            )
        key, label = row.get("key"), row.get("label")
        unit, kpi = row.get("unit", ""), row.get("kpi", "")
        if not isinstance(key, str) or not KEY.match(key) or key in seen:
            raise ValidationFailed(
                _(
                    "Key number {n}: the key must be unique, lower-case letters, digits or _."
                ).format(n=index),
                field="metrics",
            )
        if not isinstance(label, str) or not label.strip() or len(label) > 80:
            raise ValidationFailed(
                _("Key number {n}: give it a label of up to 80 characters.").format(n=index),
                field="metrics",
            )
        if not isinstance(unit, str) or len(unit) > 20 or not isinstance(kpi, str) or len(kpi) > 40:
            raise ValidationFailed(
                _("Key number {n}: unit up to 20, KPI code up to 40 characters.").format(n=index),
                field="metrics",
            )
        seen.add(key)
        cleaned.append(
            {"key": key, "label": label.strip(), "unit": unit.strip(), "kpi": kpi.strip()}
        )
    return cleaned


def _clean_template(data: dict[str, Any]) -> None:
    if data.get("kind") not in ReportKind.values:
        raise ValidationFailed(_("Choose daily or weekly."), field="kind")
    name = (data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_("Give the template a name."), field="name")
    data["name"] = name
    data["sections"] = _clean_sections(data.get("sections"))
    data["metrics"] = _clean_metrics(data.get("metrics"))
    weekday = data.get("due_weekday", 4)
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValidationFailed(_("Choose a weekday."), field="due_weekday")
    if not isinstance(data.get("due_time", dt.time(18)), dt.time):
        raise ValidationFailed(_("Enter a time such as 18:00."), field="due_time")


@transaction.atomic
def report_template_create(*, actor: Any, **data: Any) -> ReportTemplate:
    """Add a team's template (or, for HR/administrators, the company default). Audit: create."""
    data = {key: value for key, value in data.items() if key in TEMPLATE_FIELDS}
    _clean_template(data)
    policy.require_for_unit(actor, "add", ReportTemplate, data.get("unit"))
    if ReportTemplate.objects.filter(unit=data.get("unit"), kind=data["kind"]).exists():
        raise ValidationFailed(
            _("This team already has a template of this kind: edit it instead."), field="kind"
        )
    template = ReportTemplate.objects.create(**data)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=template)
    return template


@transaction.atomic
def report_template_update(*, actor: Any, template: ReportTemplate, **data: Any) -> ReportTemplate:
    """Change a template; its unit and kind stay. Audit: update."""
    policy.require(actor, "change", template)
    before = audit.snapshot(template)
    values = {key: getattr(template, key) for key in TEMPLATE_FIELDS}
    values.update({k: v for k, v in data.items() if k in TEMPLATE_FIELDS[2:]})
    _clean_template(values)
    for key in TEMPLATE_FIELDS[2:]:
        setattr(template, key, values[key])
    template.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=template, before=before)
    return template


@transaction.atomic
def report_template_delete(*, actor: Any, template: ReportTemplate) -> None:
    """Remove a template; reports written from it keep their text. Audit: delete."""
    policy.require(actor, "delete", template)
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=template, before=audit.snapshot(template)
    )
    template.delete()


# Reports -------------------------------------------------------------------------------------


def _clean_number(key: str, label: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed(
            _("{label}: enter a number.").format(label=label), field=f"metric_{key}"
        )
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("{label}: enter a number.").format(label=label), field=f"metric_{key}"
        ) from exc
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise ValidationFailed(
            _("{label}: enter a number below a trillion.").format(label=label),
            field=f"metric_{key}",
        )
    return format(number.normalize(), "f")


def clean_content(
    template: ReportTemplate, sections: Any, metrics: Any, *, submitting: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """Check ``sections`` and ``metrics`` against the template; each problem names its field
    (``section_<key>``, ``metric_<key>``)."""
    if not isinstance(sections, dict):
        raise ValidationFailed(_("Sections must map section keys to text."), field="sections")
    if not isinstance(metrics, dict):
        raise ValidationFailed(_("Key numbers must map keys to numbers."), field="metrics")
    known = {row["key"]: row for row in template.sections}
    for key in sections:
        if key not in known:
            raise ValidationFailed(
                _("Unknown section {key}: this team's template has no such section.").format(
                    key=str(key)[:40]
                ),
                field="sections",
            )
    text: dict[str, str] = {}
    for key, row in known.items():
        value = sections.get(key, "")
        if not isinstance(value, str):
            raise ValidationFailed(
                _("{label}: enter text.").format(label=row["label"]), field=f"section_{key}"
            )
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise ValidationFailed(
                _("{label}: at most {count} characters.").format(
                    label=row["label"], count=MAX_TEXT
                ),
                field=f"section_{key}",
            )
        if submitting and row.get("required") and not value:
            raise ValidationFailed(
                _("{label}: this section is required before you submit.").format(
                    label=row["label"]
                ),
                field=f"section_{key}",
            )
        if value:
            text[key] = value
    declared = {row["key"]: row for row in template.metrics}
    for key in metrics:
        if key not in declared:
            raise ValidationFailed(
                _("Unknown key number {key}.").format(key=str(key)[:40]), field="metrics"
            )
    numbers: dict[str, str] = {}
    for key, row in declared.items():
        number = _clean_number(key, row["label"], metrics.get(key))
        if number is not None:
            numbers[key] = number
    return text, numbers


def _search_text(report: WorkReport) -> str:
    return "\n".join(str(value) for value in report.sections.values())[: MAX_TEXT * 4]


@transaction.atomic
def report_save(
    *,
    actor: Any,
    kind: str,
    period_start: dt.date,
    sections: Any,
    metrics: Any = None,
    submit: bool = False,
) -> WorkReport:
    """Write (or rewrite) the actor's own report of the period; ``submit`` also submits it.

    The period is normalised (a weekly report's is the Monday) and may not lie in the future.
    Raises ``ValidationFailed`` naming the field. Audit: create or update (and submit).
    """
    if kind not in ReportKind.values:
        raise ValidationFailed(_("Choose daily or weekly."), field="kind")
    policy.require(actor, "add", WorkReport)
    staff = _staff_of(actor)
    zone = _zone(actor)
    today = timezone.now().astimezone(zone).date()
    if not isinstance(period_start, dt.date) or period_start > today:
        raise ValidationFailed(
            _("Reports are written for today or an earlier day."), field="period_start"
        )
    period = period_of(kind, period_start)
    template = selectors_reports.template_for(staff=staff, kind=kind)
    text, numbers = clean_content(template, sections, metrics or {}, submitting=submit)
    report = (
        WorkReport.objects.select_for_update()
        .filter(staff=staff, kind=kind, period_start=period)
        .first()
    )
    if report is None:
        report = WorkReport(
            staff=staff,
            kind=kind,
            period_start=period,
            template=template if template.pk else None,
            due_at=due_at(template, kind, period, zone),
        )
        before = None
    else:
        policy.require(actor, "change", report)
        before = audit.snapshot(report)
    report.sections, report.metrics = text, numbers
    report.has_blockers = bool(text.get("blockers"))
    report.search_text = _search_text(report)
    report.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=report,
        before=before,
        after=audit.snapshot(report, exclude=["search_text"]),
    )
    if submit and report.status != ReportStatus.SUBMITTED:
        _submit(actor, report)
    return report


def _submit(actor: Any, report: WorkReport) -> None:
    before = audit.snapshot(report, exclude=["search_text"])
    now = timezone.now()
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.is_late = now > report.due_at
    report.save(update_fields=["status", "submitted_at", "is_late", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        before=before,
        after=audit.snapshot(report, exclude=["search_text"]),
        note="submit",
    )


@transaction.atomic
def report_submit(*, actor: Any, report: WorkReport) -> WorkReport:
    """Submit a draft (late when after its due time); required sections must be filled."""
    policy.require(actor, "submit", report)
    if report.status == ReportStatus.SUBMITTED:
        return report
    template = report.template or selectors_reports.template_for(
        staff=report.staff, kind=report.kind
    )
    clean_content(template, report.sections, report.metrics, submitting=True)
    _submit(actor, report)
    return report


@transaction.atomic
def report_mark_read(*, actor: Any, report: WorkReport) -> WorkReport:
    """The manager's "read" mark on someone else's submitted report. Audit: update."""
    policy.require(actor, "mark_read", report)
    if report.staff.user_id == actor.pk:
        raise PolicyDenied(_("You cannot mark your own report as read."))
    if report.read_at is not None:
        return report
    before = audit.snapshot(report, exclude=["search_text"])
    report.read_by, report.read_at = actor, timezone.now()
    report.save(update_fields=["read_by", "read_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=report,
        before=before,
        after=audit.snapshot(report, exclude=["search_text"]),
    )
    return report


@transaction.atomic
def report_comment_add(
    *, actor: Any, report: WorkReport, body: str, parent: ReportComment | None = None
) -> ReportComment:
    """Comment on a report (or reply in its thread); the report's author is told, and when the
    author replies, the people who commented before. Audit: create."""
    policy.require(actor, "comment", report)
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise ValidationFailed(_("Write a comment first."), field="body")
    if len(body) > MAX_COMMENT:
        raise ValidationFailed(
            _("At most {count} characters.").format(count=MAX_COMMENT), field="body"
        )
    if parent is not None and parent.report_id != report.pk:
        raise ValidationFailed(_("Reply to a comment of this report."), field="parent")
    comment = ReportComment.objects.create(report=report, parent=parent, author=actor, body=body)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=comment)
    author_id = report.staff.user_id
    if author_id and author_id != actor.pk:
        recipients = [author_id]
    else:
        recipients = list(
            report.comments.exclude(author=actor)
            .exclude(author__isnull=True)
            .values_list("author_id", flat=True)
            .distinct()
        )
    _notify_comment(actor, report, recipients)
    return comment


def _notify_comment(actor: Any, report: WorkReport, recipients: list[int]) -> None:
    from django.contrib.auth import get_user_model

    name = getattr(getattr(actor, "staff", None), "display_name", "") or actor.get_username()
    for user in get_user_model().objects.filter(pk__in=recipients):
        with translation.override(reminders.language_of(user.language)):
            title = _("{name} commented on your {kind} of {period}").format(
                name=name, kind=report.get_kind_display(), period=report.period_label
            )
        services.notify(
            recipients=[user],
            kind="work-report",
            title=title,
            url=report.get_absolute_url(),
            actor=actor,
        )


def number_or_none(value: Any) -> float | None:
    """A stored key number as a float (for sums and charts); None when unusable."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
