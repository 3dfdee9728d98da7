"""A person's rights over their data (PIPL and common HR practice): export and erasure.

``personal_data_export`` gathers every row that references a person into one archive (JSON and
Excel). ``staff_purge`` erases a former employee: their name, employee number, email, phone,
identity numbers and login identifiers are replaced by a pseudonym in every text and JSON
column of every table (the audit trail included, which is then re-sealed), while the
pseudonymous rows that aggregates need stay. The purge itself is audited, pseudonymously.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, bulk, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition
from opsteam.core.fields import EncryptedCharField
from opsteam.org.choices import StaffStatus
from opsteam.org.models import PurgeRecord, Staff

SKIPPED_TABLES = {"django_migrations", "django_content_type", "auth_permission", "core_auditseal"}
TEXT_FIELDS = (models.CharField, models.TextField)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    fields = [f.attname for f in queryset.model._meta.concrete_fields]
    return [{k: _plain(v) for k, v in row.items()} for row in queryset.values(*fields)]


def _references(staff: Staff) -> Iterator[tuple[str, models.QuerySet]]:
    """Every queryset of rows that point at the person (their staff record or login)."""
    user = staff.user
    yield "org.staff", Staff.objects.filter(pk=staff.pk)
    if user is not None:
        yield user._meta.label_lower, type(user).objects.filter(pk=user.pk)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            target = None
            if issubclass(field.related_model, Staff):
                target = staff
            elif user is not None and field.related_model is type(user):
                target = user
            if target is None or (model is Staff and field.name == "user"):
                continue
            queryset = model._base_manager.filter(**{field.name: target})
            if model is Staff and field.name == "manager":
                continue  # their reports' records are the reports' data, not theirs
            yield f"{model._meta.label_lower}.{field.name}", queryset
    from opsteam.core.models import AuditEntry

    yield (
        "core.auditentry.subject",
        AuditEntry.objects.filter(object_type="org.staff", object_id=str(staff.pk)),
    )


def personal_data_export(*, actor: Any, staff: Staff) -> bytes:
    """Return a zip (data.json and data.xlsx) of everything that references ``staff``.

    HR and administrators may export anyone; everyone may export themself. Audit: export.
    """
    policy.require(actor, "export_personal", staff)
    collected: dict[str, list[dict[str, Any]]] = {}
    for label, queryset in _references(staff):
        if label in policy.PERSONAL_EXPORT_SKIPPED:
            continue
        if queryset.model._meta.label_lower in policy.PERSONAL_EXPORT_SCOPED:
            queryset = policy.restrict(queryset, actor, "view")
        rows = _rows(queryset)
        redact = policy.PERSONAL_EXPORT_REDACTIONS.get(label)
        if redact is not None and rows:
            rows = redact(rows)
        if rows:
            collected.setdefault(label, []).extend(rows)
    for label, rows in collected.items():
        if label.startswith("accounts.user"):
            for row in rows:
                row.pop("password", None)
    payload = {
        "person": {"employee_no": staff.employee_no, "name": staff.name},
        "exported_at": timezone.now().isoformat(),
        "data": collected,
    }
    from opsteam.core.exports import write_xlsx

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("data.json", json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        workbook = _workbook(collected, write_xlsx)
        bundle.writestr("data.xlsx", workbook)
    audit.record(
        actor=actor, action=AuditAction.EXPORT, obj=staff, after={"tables": sorted(collected)}
    )
    return archive.getvalue()


def _workbook(collected: dict[str, list[dict[str, Any]]], write_xlsx: Any) -> bytes:
    from openpyxl import Workbook

    from opsteam.core.exports import escape_cell

    workbook = Workbook(write_only=True)
    for label, rows in sorted(collected.items()):
        sheet = workbook.create_sheet(title=label[-31:])
        header = sorted({key for row in rows for key in row})
        sheet.append(header)
        for row in rows:
            sheet.append([escape_cell(_cell(row.get(key))) for key in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _pseudonym(staff: Staff) -> tuple[str, str, str]:
    token = hashlib.sha256(
        f"{settings.SECRET_KEY}:{staff.pk}:{staff.employee_no}".encode()
    ).hexdigest()[:10]
    return f"已删除员工-{token}", f"Former employee {token}", f"PURGED-{token}"


def _patterns(identifiers: dict[str, str], replacement: str) -> list[tuple[re.Pattern[str], str]]:
    """Compile replacements; codes and numbers only match as whole tokens (E1 never hits E10)."""
    patterns = []
    for kind, value in identifiers.items():
        if not value or len(value) < 2:
            continue
        escaped = re.escape(value)
        if kind in {"employee_no", "phone", "username", "email"}:
            pattern = re.compile(rf"(?<![\w.@-]){escaped}(?![\w.@-])", re.IGNORECASE)
        else:
            pattern = re.compile(escaped)
        patterns.append((pattern, replacement))
    return patterns


def _scrub(value: Any, patterns: list[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_scrub(item, patterns) for item in value]
    if isinstance(value, dict):
        return {_scrub(key, patterns): _scrub(item, patterns) for key, item in value.items()}
    return value


def _text_columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (*TEXT_FIELDS, models.JSONField))
        and not isinstance(f, EncryptedCharField)
        and not f.primary_key
    ]


def scrub_everywhere(identifiers: dict[str, str], replacement: str) -> dict[str, int]:
    """Replace the identifiers in every text and JSON column of every table.

    Returns rows changed per table. Audit rows are rewritten under the maintenance switch and
    the hash chain re-sealed from the first one changed.
    """
    from opsteam.core.models import AuditEntry

    patterns = _patterns(identifiers, replacement)
    changed: dict[str, int] = {}
    first_audit_id: int | None = None
    for model in apps.get_models():
        table = model._meta.db_table
        if table in SKIPPED_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        names = [f.attname for f in columns]
        updates = []
        for row in model._base_manager.values_list("pk", *names).iterator(chunk_size=2000):
            values = list(row[1:])
            scrubbed = [_scrub(v, patterns) if v not in (None, "") else v for v in values]
            if scrubbed != values:
                updates.append(dict(zip(names, scrubbed, strict=True)) | {"pk": row[0]})
        if not updates:
            continue
        from types import SimpleNamespace

        objects = [SimpleNamespace(**update) for update in updates]
        if model is AuditEntry:
            first_audit_id = min(update["pk"] for update in updates)
            with audit.maintenance(connection):
                bulk.update_rows(model, objects, names)
        else:
            bulk.update_rows(model, objects, names)
        changed[model._meta.label_lower] = len(updates)
    if first_audit_id is not None:
        from opsteam.core.audit_seal import reseal_from

        reseal_from(first_audit_id)
    return changed


@transaction.atomic
def staff_purge(*, actor: Any, staff: Staff) -> PurgeRecord:
    """Erase a former employee's identifying data everywhere; keep pseudonymous rows.

    Raises InvalidTransition unless the person has left. Audit: purge (pseudonymous).
    """
    policy.require(actor, "purge", staff)
    if staff.status != StaffStatus.LEFT:
        raise InvalidTransition(_("Only the data of a former employee can be erased."))
    name_zh, name_en, number = _pseudonym(staff)
    user = staff.user
    identifiers = {
        "name": staff.name,
        "name_en": staff.name_en,
        "employee_no": staff.employee_no,
        "email": staff.email,
        "phone": staff.phone,
    }
    if user is not None:
        identifiers |= {
            "username": user.username,
            "user_email": user.email,
            "display_name": user.display_name,
            "full_name": f"{user.first_name} {user.last_name}".strip(),
        }
    Staff.objects.filter(pk=staff.pk).update(
        name=name_zh,
        name_en=name_en,
        employee_no=number,
        email="",
        phone="",
        id_number="",
        bank_account="",
        updated_at=timezone.now(),
    )
    if user is not None:
        from opsteam.accounts import services as account_services

        account_services.sessions_end_for_user(user=user)
        type(user).objects.filter(pk=user.pk).update(
            username=f"purged-{number.lower()}",
            email="",
            first_name="",
            last_name="",
            display_name=name_zh,
            is_active=False,
            password=make_password(None),  # unusable
        )
    changed = scrub_everywhere(identifiers, name_zh)
    record = PurgeRecord.objects.create(
        staff=staff,
        pseudonym=name_zh,
        purged_by=actor if getattr(actor, "is_authenticated", False) else None,
        rows_changed=changed,
    )
    staff.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.PURGE,
        obj=staff,
        after={"pseudonym": name_zh, "tables": sorted(changed)},
    )
    return record
