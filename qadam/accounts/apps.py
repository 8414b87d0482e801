from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Agencies, the people who work in them, their roles and logins."""

    name = "qadam.accounts"
    verbose_name = _("Agencies and users")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qadam.accounts.logins import session_start

        user_logged_in.connect(session_start, dispatch_uid="qadam.accounts.session_start")
