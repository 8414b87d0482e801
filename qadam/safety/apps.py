from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    """Safety plans, safe contact preferences and protective measures for survivors of domestic violence."""

    name = "qadam.safety"
    verbose_name = _("Safety")
