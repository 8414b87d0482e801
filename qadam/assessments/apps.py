from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Scored instruments kept as data, the assessments made with them, and each family's trajectory."""

    name = "qadam.assessments"
    verbose_name = _("Assessments")
