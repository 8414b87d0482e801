from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """What each person agreed to, or withdrew: per purpose and, for sharing, per receiving agency."""

    name = "qadam.consent"
    verbose_name = _("Consent")
