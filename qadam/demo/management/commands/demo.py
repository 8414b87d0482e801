"""`qadam demo`: three agencies, their staff and about 300 families with cases; does nothing if loaded."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from qadam.demo.load import DEMO_FAMILIES, demo_load
from qadam.demo.staff import URL, demo_loaded, logins_table


class Command(BaseCommand):
    help = "Load the demo agencies, staff and families through the services, then print the logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--families", type=int, default=DEMO_FAMILIES, help="how many families, shared by the 3 agencies"
        )

    def handle(self, *args: Any, families: int, **options: Any) -> None:
        if demo_loaded():
            self.stdout.write("Demo data is already loaded; nothing to do.")
        else:
            started = time.monotonic()
            demo_load(families=families)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded the demo: 3 agencies, {families} families, in {time.monotonic() - started:.1f} s."
                )
            )
        self.stdout.write("\nDemo logins:\n" + logins_table())
        self.stdout.write(f"\nOpen {URL} and sign in with one of them.")
        self.stdout.write(
            "Supervisors, agency and system administrators set up two-factor login (a TOTP app) at their first login."
        )
