from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """De-identified research exports with a k-anonymity check, run as background jobs with a download."""

    name = "qadam.exports"
    verbose_name = _("Exports")

    def ready(self) -> None:
        from qadam.exports.kinds import register

        register()
