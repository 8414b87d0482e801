from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Agencies, the people who work in them, their roles and logins."""

    name = "qadam.accounts"
    verbose_name = _("Agencies and users")
