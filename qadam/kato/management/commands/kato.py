from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qadam.kato.importer import import_kato, read_xlsx


class Command(BaseCommand):
    help = "KATO places: `qadam kato import FILE.xlsx` loads districts and settlements from the official table."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("import", help="Import the official KATO spreadsheet (.xlsx).")
        load.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.exists():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            report = import_kato(read_xlsx(path))
        except (ValueError, OSError, KeyError) as error:
            raise CommandError(_("The file could not be read: %(error)s") % {"error": error}) from error
        for number, reason in report.refused:
            self.stdout.write(_("Row %(row)d refused: %(reason)s") % {"row": number, "reason": reason})
        self.stdout.write(
            _("%(created)d places added, %(updated)d updated, %(refused)d rows refused.")
            % {"created": report.created, "updated": report.updated, "refused": len(report.refused)}
        )
