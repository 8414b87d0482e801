from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Support plans agreed with the family, and supervisors' approvals of plans and case closures."""

    name = "qadam.plans"
    verbose_name = _("Plans")
