from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    """Families and the people in them, and how the household moved."""

    name = "qadam.families"
    verbose_name = _("Families")
