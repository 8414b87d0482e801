import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from qadam.assessments.engine import (
    DefinitionError,
    InvalidAnswers,
    check_answers,
    explain,
    read_instrument_file,
    score,
)
from qadam.assessments.engine.definition import Instrument
from qadam.assessments.models import InstrumentVersion


class Command(BaseCommand):
    help = (
        "Score answers with an instrument and print the result as JSON: `qadam score faa ANSWERS.json` "
        "(an instrument in Qadam, its newest version unless --instrument-version) "
        "or `qadam score FILE.yaml ANSWERS.json`. "
        "The same code the pages use, so a researcher can rescore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help="An instrument id in Qadam (e.g. faa) or a definition file.")
        parser.add_argument("answers", type=Path, help="A JSON object: item id -> answer, or 'na' / 'declined'.")
        parser.add_argument("--instrument-version", dest="instrument_version", help="Which version of it in Qadam.")

    def handle(self, *args: object, **options: Any) -> None:
        instrument = self._instrument(options["instrument"], options["instrument_version"])
        try:
            answers = json.loads(Path(options["answers"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(_("The answers could not be read: %(error)s") % {"error": error}) from error
        if not isinstance(answers, dict):
            raise CommandError(_("The answers must be a JSON object of item ids and answers."))
        problems = check_answers(instrument, answers)
        if problems:
            for problem in problems:
                self.stderr.write(f"{problem.where}: {problem.message}")
            raise CommandError(
                _("The answers do not fit the instrument: %(count)d problems.") % {"count": len(problems)}
            )
        try:
            result = score(instrument, answers)
        except InvalidAnswers as error:
            raise CommandError(str(error)) from error
        data = result.as_dict()
        data["explained"] = [explain(entry, instrument) for entry in result.explanation]
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def _instrument(self, name: str, version: str | None) -> Instrument:
        path = Path(name)
        if path.suffix.lower() in {".yaml", ".yml", ".json"}:
            try:
                return read_instrument_file(path)
            except DefinitionError as error:
                raise CommandError(str(error)) from error
        versions = InstrumentVersion.objects.filter(key=name)
        if version:
            versions = versions.filter(version=version)
        found = versions.order_by("-offered", "-imported_at").first()
        if found is None:
            raise CommandError(_("No instrument %(name)s in Qadam.") % {"name": name})
        return found.instrument
