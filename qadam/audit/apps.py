from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only record of who did what, and when."""

    name = "qadam.audit"
    verbose_name = _("Audit")
