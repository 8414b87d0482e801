"""`qadam export research --out DIR [--k 10] [--format csv|parquet|both]`: write an export into a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.exports.models import ExportJob
from qadam.exports.registry import EXPORT_KINDS
from qadam.exports.services import export_run_here


class Command(BaseCommand):
    help = "Write an export (such as the de-identified research export) and its report into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = sorted(name for name, kind in EXPORT_KINDS.items() if kind.command_line)
        parser.add_argument("kind", choices=kinds, help="the kind of export")
        parser.add_argument("--out", required=True, type=Path, help="the folder to write the files into")
        parser.add_argument("--k", type=int, default=10, help="the smallest group allowed (default 10)")
        parser.add_argument("--format", default="both", help="csv, parquet or both (default both)")
        parser.add_argument(
            "--quasi-identifiers", default="", help="comma-separated; default: the research export's own list"
        )
        parser.add_argument("--agency", type=int, default=None, help="limit to one agency (its id)")

    def handle(self, *args: Any, **options: Any) -> None:
        params: dict[str, Any] = {"k": options["k"], "format": options["format"]}
        if options["quasi_identifiers"]:
            params["quasi_identifiers"] = options["quasi_identifiers"]
        try:
            job = export_run_here(
                by=None, kind=options["kind"], params=params, out=options["out"], agency_id=options["agency"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if job.status != ExportJob.Status.DONE:
            raise CommandError(f"The export failed: {job.error}")
        out: Path = options["out"]
        for path in sorted(out.iterdir()):
            self.stdout.write(f"{path}  {path.stat().st_size:,} bytes")
        report = out / "report.txt"
        if report.exists():
            self.stdout.write("")
            self.stdout.write(report.read_text(encoding="utf-8"))
        elif (out / "report.json").exists():
            self.stdout.write(json.dumps(json.loads((out / "report.json").read_text()), indent=2))
