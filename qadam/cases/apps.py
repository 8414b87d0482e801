from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Cases opened for a family: their status, worker, notes and tasks."""

    name = "qadam.cases"
    verbose_name = _("Cases")
