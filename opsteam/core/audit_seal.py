"""Tamper evidence for the audit trail: an HMAC hash chain over every entry.

Each entry is sealed once, in order, with ``HMAC(key, previous chain hash + canonical entry)``.
The key comes from the environment (OPSTEAM_AUDIT_KEY), never from the database, so someone
who edits or deletes audit rows directly in the database cannot re-seal them; ``verify``
recomputes the chain and names every entry that no longer matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opsteam.core.models import AuditEntry, AuditSeal

GENESIS = "0" * 64
CHUNK = 2000
SEALED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "source",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "changed_fields",
    "note",
    "remote_addr",
    "import_job_id",
)


def _key() -> bytes:
    configured = getattr(settings, "OPSTEAM_AUDIT_KEY", "")
    if configured:
        return configured.encode()
    # Derived from the secret key when no dedicated key is configured (development).
    return hmac.new(settings.SECRET_KEY.encode(), b"opsteam-audit-chain", hashlib.sha256).digest()


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(entry: dict[str, Any]) -> bytes:
    """The bytes of an entry that the chain seals (stable across SQLite and PostgreSQL)."""
    data = {name: _canonical_value(entry[name]) for name in SEALED_FIELDS}
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def link(previous: str, entry: dict[str, Any], key: bytes | None = None) -> str:
    """Return the chain hash of ``entry`` following ``previous``."""
    return hmac.new(key or _key(), previous.encode() + canonical(entry), hashlib.sha256).hexdigest()


def _lock() -> None:
    """Serialise sealers: one chain, one writer (SQLite transactions are already exclusive)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('opsteam_audit_seal'))")


def _entries(queryset: Any) -> Iterator[dict[str, Any]]:
    last_id = 0
    while True:
        chunk = list(queryset.filter(id__gt=last_id).order_by("id").values(*SEALED_FIELDS)[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1]["id"]


@transaction.atomic
def seal_pending() -> int:
    """Seal every entry that has no seal yet, in id order; return how many were sealed."""
    from opsteam.core import bulk

    _lock()
    head = AuditSeal.objects.order_by("-seq").values_list("chain_hash", flat=True).first()
    previous = head or GENESIS
    key = _key()
    now = timezone.now()
    rows = []
    for entry in _entries(AuditEntry.objects.filter(seal__isnull=True)):
        previous = link(previous, entry, key)
        rows.append((entry["id"], previous, now))
    bulk.insert_rows(AuditSeal, ("entry_id", "chain_hash", "sealed_at"), rows)
    return len(rows)


def _run_seal_task() -> None:
    from opsteam.core.tasks import audit_seal_task

    audit_seal_task.delay()


def seal_after_commit() -> None:
    """Seal the entries of the current transaction once it commits (once per transaction)."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(
        func is _run_seal_task for _ids, func, *_ in conn.run_on_commit
    ):
        return
    transaction.on_commit(_run_seal_task)


@dataclass
class VerifyResult:
    checked: int = 0
    tampered: list[int] = field(default_factory=list)  # entries whose content changed
    missing: list[int] = field(default_factory=list)  # sealed entries that were deleted
    unsealed: int = 0  # entries not sealed yet (recent writes; sealed after commit)

    @property
    def ok(self) -> bool:
        return not self.tampered and not self.missing


def verify() -> VerifyResult:
    """Recompute the chain over every sealed entry and report what no longer matches."""
    result = VerifyResult()
    key = _key()
    previous = GENESIS
    last_seq = 0
    while True:
        seals = list(
            AuditSeal.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values_list("seq", "entry_id", "chain_hash")[:CHUNK]
        )
        if not seals:
            break
        entries = {
            row["id"]: row
            for row in AuditEntry.objects.filter(
                id__in=[entry_id for _seq, entry_id, _hash in seals]
            ).values(*SEALED_FIELDS)
        }
        for seq, entry_id, chain_hash in seals:
            result.checked += 1
            entry = entries.get(entry_id)
            if entry is None:
                result.missing.append(entry_id)
            elif link(previous, entry, key) != chain_hash:
                result.tampered.append(entry_id)
            # Continue from the stored link so one bad row does not flag every later row.
            previous = chain_hash
            last_seq = seq
    result.unsealed = AuditEntry.objects.filter(seal__isnull=True).count()
    return result


@transaction.atomic
def reseal_from(entry_id: int) -> int:
    """Recompute seals from ``entry_id``'s link onwards after a sanctioned rewrite (erasure).

    Only the personal-data purge calls this, inside the audit maintenance switch.
    """
    from opsteam.core import audit

    _lock()
    first = (
        AuditSeal.objects.filter(entry_id__gte=entry_id)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    if first is None:
        return seal_pending()
    with audit.maintenance(connection):
        AuditSeal.objects.filter(seq__gte=first).delete()
    return seal_pending()
