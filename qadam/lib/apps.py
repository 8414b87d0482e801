from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers with no models: IIN, KATO, text normalisation, formats, pagination."""

    name = "qadam.lib"
    label = "qadam_lib"
