from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qadam.lib.crypto import fields_rotate


class Command(BaseCommand):
    help = "Field encryption keys. `keys rotate` re-encrypts every encrypted value with the first QADAM_FIELD_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate"])
        parser.add_argument("--batch", type=int, default=1000, help="Rows per transaction.")

    def handle(self, *args: Any, action: str, batch: int, **options: Any) -> None:
        count = fields_rotate(batch=batch)
        self.stdout.write(f"{count} values re-encrypted with the first key.")
