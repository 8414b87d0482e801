from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.accounts.models import User
from qadam.accounts.twofactor import totp_devices_reset


class Command(BaseCommand):
    help = "Forget a user's authenticator app (a lost phone); they set up a new one at their next login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not totp_devices_reset(user=user):
            self.stdout.write(f"{username} had no authenticator app set up.")
            return
        self.stdout.write(f"{username} will set up two-factor login again at their next login.")
