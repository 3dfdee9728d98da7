"""``opsteam retention``: apply the retention settings now (also a daily background job)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from opsteam.core.retention import apply_retention


class Command(BaseCommand):
    help = "Remove or blank data that is past its retention period."

    def handle(self, *args, **options):
        for kind, count in apply_retention().items():
            self.stdout.write(_("{kind}: {count}").format(kind=kind, count=count))
