"""``opsteam audit verify`` checks the audit trail's hash chain; ``opsteam audit seal`` seals
entries written since the last seal (normally done after each commit)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opsteam.core import audit_seal


class Command(BaseCommand):
    help = "Verify or seal the audit trail's tamper-evidence hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args, action: str, **options):
        if action == "seal":
            sealed = audit_seal.seal_pending()
            self.stdout.write(_("{count} audit entries sealed.").format(count=sealed))
            return
        result = audit_seal.verify()
        self.stdout.write(_("{count} sealed audit entries checked.").format(count=result.checked))
        if result.unsealed:
            self.stdout.write(
                _("{count} recent entries are not sealed yet (run `opsteam audit seal`).").format(
                    count=result.unsealed
                )
            )
        if result.ok:
            self.stdout.write(self.style.SUCCESS(_("The audit trail is intact.")))
            return
        for entry_id in result.tampered:
            self.stderr.write(
                _("Audit entry {id} was changed after it was sealed.").format(id=entry_id)
            )
        for entry_id in result.missing:
            self.stderr.write(
                _("Audit entry {id} was deleted after it was sealed.").format(id=entry_id)
            )
        raise CommandError(_("The audit trail has been tampered with."))
