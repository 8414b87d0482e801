from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the synthetic generator used by benchmarks."""

    name = "qadam.demo"
