from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qadam.assessments.engine import DefinitionError
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import instrument_import


class Command(BaseCommand):
    help = (
        "Instruments: `qadam instruments import FILE` adds an instrument pack (.yaml, .json) or an XLSForm "
        "(.xlsx); `qadam instruments list` shows every version Qadam holds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("import", help="Import an instrument pack or an XLSForm.")
        load.add_argument("file", type=Path)
        commands.add_parser("list", help="List the instrument versions.")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] == "list":
            for version in InstrumentVersion.objects.order_by("key", "imported_at"):
                offered = _("offered") if version.offered else _("kept for earlier assessments")
                self.stdout.write(f"{version.key} {version.version}\t{version.get_source_display()}\t{offered}")
            return
        path = options["file"]
        assert isinstance(path, Path)
        if not path.exists():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            version, notes = instrument_import(path=path)
        except DefinitionError as error:
            for problem in error.problems:
                self.stderr.write(f"{problem.where}: {problem.message}")
            raise CommandError(
                _("%(file)s was not imported: %(count)d problems.") % {"file": path.name, "count": len(error.problems)}
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for note in notes:
            self.stdout.write(_("Not carried: %(where)s: %(message)s") % {"where": note.where, "message": note.message})
        self.stdout.write(_("Imported %(instrument)s.") % {"instrument": version})
