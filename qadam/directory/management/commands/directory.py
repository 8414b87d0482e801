from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qadam.directory.exporter import export_package
from qadam.directory.importer import import_package
from qadam.directory.reading import PackageRefused


class Command(BaseCommand):
    help = (
        "The service directory as an Open Referral HSDS 3.0 Tabular Data Package (CSV files and datapackage.json, "
        "in a folder or a .zip): `qadam directory import PATH`, `qadam directory export PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("import", help="Import an HSDS package; rows that are refused are listed.")
        load.add_argument("path", type=Path)
        save = commands.add_parser("export", help="Export the directory as an HSDS package (a folder, or PATH.zip).")
        save.add_argument("path", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        if options["action"] == "export":
            counts = export_package(path)
            self.stdout.write(
                _("Exported %(rows)d rows in %(files)d files to %(path)s.")
                % {"rows": sum(counts.values()), "files": len(counts) + 1, "path": path}
            )
            return
        try:
            report = import_package(path)
        except PackageRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(_("The package was refused; nothing was imported.")) from None
        for problem in report.ignored:
            self.stdout.write(_("Ignored: %(problem)s") % {"problem": problem})
        for problem in report.refused:
            self.stdout.write(_("Refused: %(problem)s") % {"problem": problem})
        for table, created in report.created.items():
            self.stdout.write(
                _("%(table)s: %(created)d added, %(updated)d updated.")
                % {"table": table, "created": created, "updated": report.updated.get(table, 0)}
            )
        self.stdout.write(_("%(refused)d rows refused.") % {"refused": len(report.refused)})
