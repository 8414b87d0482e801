from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from qadam.contracts.services import reference_seed


class Command(BaseCommand):
    help = (
        "Social contracts: `qadam contracts seed` puts illustrative poverty-line rows (July 2023 to 2026) in for "
        "every region that has none yet, for a demonstration or a test system; never for real decisions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("seed", help="Add the illustrative poverty-line reference rows.")

    def handle(self, *args: object, **options: object) -> None:
        created = reference_seed()
        self.stdout.write(_("%(count)d reference rows added (illustrative figures).") % {"count": created})
