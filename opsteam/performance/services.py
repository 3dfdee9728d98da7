"""Writes of the appraisal domain: one transaction each, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.models import JobLevel, Position, Staff
from opsteam.performance.choices import MeasurementSource, TemplateStatus
from opsteam.performance.models import Kpi, KpiTemplate, KpiTemplateItem, Measurement

KPI_FIELDS = (
    "code",
    "name",
    "name_en",
    "definition",
    "definition_en",
    "category",
    "unit",
    "direction",
    "aggregation",
    "rule",
    "threshold",
    "target",
    "stretch",
    "stretch_score",
    "cap",
    "per_unit",
    "bands",
    "missing_rule",
    "is_veto",
    "is_active",
)


def _full_clean(obj: Any) -> None:
    full_clean(obj)


@transaction.atomic
def kpi_create(*, actor: Any, **fields: Any) -> Kpi:
    """Add a KPI to the library; its scoring rule is checked by the engine. Audit: create."""
    policy.require(actor, "add", Kpi)
    unknown = set(fields) - set(KPI_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field {name}.").format(name=sorted(unknown)[0]))
    kpi = Kpi(**fields)
    _full_clean(kpi)
    kpi.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=kpi)
    return kpi


@transaction.atomic
def kpi_update(*, actor: Any, kpi: Kpi, **fields: Any) -> Kpi:
    """Change a KPI. Cycles keep the rule version they scored with. Audit: update."""
    policy.require(actor, "change", kpi)
    before = audit.snapshot(kpi)
    for name, value in fields.items():
        if name not in KPI_FIELDS:
            raise ValidationFailed(_("Unknown field {name}.").format(name=name), field=name)
        setattr(kpi, name, value)
    _full_clean(kpi)
    kpi.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=kpi, before=before)
    return kpi


def _template_snapshot(template: KpiTemplate) -> dict[str, Any]:
    data = audit.snapshot(template)
    data["items"] = [
        {
            "kpi": item.kpi_id,
            "weight": str(item.weight),
            "target": None if item.target is None else str(item.target),
        }
        for item in template.items.all()
    ]
    return data


@transaction.atomic
def kpi_template_save(
    *,
    actor: Any,
    position: Position,
    items: list[dict[str, Any]],
    level: JobLevel | None = None,
    note: str = "",
) -> KpiTemplate:
    """Replace the draft template of a position (and level) with ``items``, creating the next
    version as a draft if none is open. Audit: create/update."""
    policy.require(actor, "change", KpiTemplate)
    template = (
        KpiTemplate.objects.select_for_update(of=("self",))
        .order_by("pk")  # the default ordering joins the nullable level: FOR UPDATE refuses
        .filter(position=position, level=level, status=TemplateStatus.DRAFT)
        .first()
    )
    before = _template_snapshot(template) if template else None
    if template is None:
        latest = (
            KpiTemplate.objects.filter(position=position, level=level).aggregate(v=Max("version"))[
                "v"
            ]
            or 0
        )
        template = KpiTemplate.objects.create(position=position, level=level, version=latest + 1)
    template.note = note
    template.save(update_fields=["note", "updated_at"])
    seen = set()
    for item in items:
        if item["kpi"].pk in seen:
            raise ValidationFailed(
                _("{kpi} is listed twice.").format(kpi=item["kpi"]), field="items"
            )
        seen.add(item["kpi"].pk)
    template.items.all().delete()
    KpiTemplateItem.objects.bulk_create(
        KpiTemplateItem(
            template=template,
            kpi=item["kpi"],
            weight=item["weight"],
            target=item.get("target"),
            order=index,
        )
        for index, item in enumerate(items)
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=template,
        before=before,
        after=_template_snapshot(template),
    )
    return template


@transaction.atomic
def kpi_template_activate(*, actor: Any, template: KpiTemplate) -> KpiTemplate:
    """Make a draft the active template; the previous one is retired (cycles keep theirs).

    Raises ValidationFailed unless the weights sum to exactly 100. Audit: update.
    """
    policy.require(actor, "change", template)
    if template.status != TemplateStatus.DRAFT:
        raise InvalidTransition(_("Only a draft template can be activated."))
    total = template.items.aggregate(total=Sum("weight"))["total"] or Decimal("0")
    if total != Decimal("100"):
        raise ValidationFailed(
            _("The weights add up to {total}%; they must add up to exactly 100%.").format(
                total=format(total.normalize(), "f")
            ),
            field="items",
        )
    before = audit.snapshot(template)
    for previous in (
        KpiTemplate.objects.select_for_update(of=("self",))
        .order_by()
        .filter(position=template.position, level=template.level, status=TemplateStatus.ACTIVE)
    ):
        previous_before = audit.snapshot(previous)
        previous.status = TemplateStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=previous, before=previous_before)
    template.status = TemplateStatus.ACTIVE
    template.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=template, before=before)
    return template


@transaction.atomic
def measurement_enter(
    *,
    actor: Any,
    staff: Staff,
    kpi: Kpi,
    date: dt.date,
    value: Decimal,
    denominator: Decimal | None = None,
) -> Measurement:
    """Enter (or correct) a value by hand; imports will not overwrite it. Audit: create/update."""
    policy.require(actor, "add", Measurement)
    policy.require(actor, "view", staff)
    from opsteam.performance import selectors

    for lock in selectors.period_locked([kpi.pk], [date]):
        if lock.covers(kpi.pk, date):
            raise ValidationFailed(
                _("the period is closed for data changes: {reason}").format(reason=lock.reason),
                field="date",
            )
    measurement = Measurement.objects.filter(staff=staff, kpi=kpi, date=date).first()
    before = audit.snapshot(measurement) if measurement else None
    if measurement is None:
        measurement = Measurement(staff=staff, kpi=kpi, date=date)
    measurement.value, measurement.denominator = value, denominator
    measurement.source = MeasurementSource.MANUAL
    measurement.entered_by = actor
    measurement.batch = ""
    _full_clean(measurement)
    measurement.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=measurement,
        before=before,
    )
    return measurement
