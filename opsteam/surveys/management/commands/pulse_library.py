"""``manage.py pulse_library``: add the standard pulse questions (eNPS included; idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opsteam.core import audit
from opsteam.core.choices import AuditSource
from opsteam.surveys import services_pulse


class Command(BaseCommand):
    help = "Add the standard pulse survey questions that are missing (zh + en)."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit.context(source=AuditSource.CLI):
            added = services_pulse.library_seed(actor=None)
        self.stdout.write(f"{added} question(s) added.")
