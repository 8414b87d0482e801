from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KatoConfig(AppConfig):
    """KATO, the classifier of administrative-territorial units: regions, districts, settlements."""

    name = "qadam.kato"
    verbose_name = _("KATO places")
