from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """The service directory, modelled on Open Referral HSDS 3.0: organisations, services, locations, areas;
    its import, export and read API."""

    name = "qadam.directory"
    verbose_name = _("Directory")
