from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Case files and agency reports as PDF, and tabular exports of what a user may see."""

    name = "qadam.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from qadam.documents.kinds import register

        register()
