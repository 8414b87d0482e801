from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Dashboards for workers, supervisors, agencies and regions: caseload, overdue work, outcomes."""

    name = "qadam.insights"
    verbose_name = _("Insights")
