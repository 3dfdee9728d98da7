"""``opsteam rotate-field-keys``: re-encrypt every encrypted field with the current key.

Put the new key first in OPSTEAM_FIELD_KEYS (keep the old ones after it), run this, then the
old keys may be removed.
"""

from types import SimpleNamespace

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from opsteam.core import bulk
from opsteam.core.fields import EncryptedCharField


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the first key of OPSTEAM_FIELD_KEYS."

    @transaction.atomic
    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            if not fields:
                continue
            names = [f.attname for f in fields]
            rows = [
                SimpleNamespace(pk=values[0], **dict(zip(names, values[1:], strict=True)))
                for values in model._base_manager.values_list("pk", *names).iterator(
                    chunk_size=2000
                )
            ]
            bulk.update_rows(model, rows, names)
            total += len(rows)
            self.stdout.write(
                _("{model}: {count} rows re-encrypted.").format(
                    model=model._meta.label, count=len(rows)
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("{count} rows re-encrypted with the current key.").format(count=total)
            )
        )
