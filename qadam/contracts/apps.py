from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Conditional targeted social assistance: per-capita income against the poverty line, and the social contract."""

    name = "qadam.contracts"
    verbose_name = _("Contracts")
