"""`qadam synth --families N`: many synthetic families, fast, for benchmarks; no audit entries."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from qadam.demo.bulk import synth


class Command(BaseCommand):
    help = "Add N synthetic families with cases, notes and tasks in bulk (for benchmarks, not for demos)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--families", type=int, required=True, help="how many families to add")
        parser.add_argument("--seed", type=int, default=1, help="the same seed makes the same families")

    def handle(self, *args: Any, families: int, seed: int, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int) -> None:
            elapsed = time.monotonic() - started
            rate = done / elapsed
            self.stdout.write(f"{done:>9,} / {families:,} families  {elapsed:7.1f} s  {rate:6.0f} families/s")

        synth(families=families, seed=seed, progress=progress)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Added {families:,} families in {elapsed:.1f} s."))
