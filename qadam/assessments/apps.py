from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def shipped_instruments_register(sender: AppConfig, **kwargs: Any) -> None:
    """After every migrate: the instruments Qadam ships are in the database, each version once. A shipped
    file changed without a new version number stops the migrate with a message, as it must."""
    from qadam.assessments.services import shipped_instruments_sync

    shipped_instruments_sync()


class AssessmentsConfig(AppConfig):
    """Scored instruments kept as data, the assessments made with them, and each family's trajectory."""

    name = "qadam.assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        post_migrate.connect(shipped_instruments_register, sender=self, dispatch_uid="qadam_shipped_instruments")
