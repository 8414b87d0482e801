from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Consent-gated referrals to directory services, followed until they end, and case transfers between agencies."""

    name = "qadam.referrals"
    verbose_name = _("Referrals")
