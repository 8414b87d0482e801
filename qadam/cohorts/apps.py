from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    """The research picture: how families adapt by months since the move, in groups large enough to show."""

    name = "qadam.cohorts"
    verbose_name = _("Cohorts")
