from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LibConfig(AppConfig):
    """Shared helpers with no models: IIN, KATO, text normalisation, formats, pagination, search."""

    name = "qadam.lib"
    label = "qadam_lib"

    def ready(self) -> None:
        from qadam.lib import crypto  # noqa: F401  (registers the key checks)
        from qadam.lib.search import search_indexes_repair

        post_migrate.connect(search_indexes_repair, dispatch_uid="qadam_search_indexes_repair")
