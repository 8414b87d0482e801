"""The public HSDS 3.0 read API (see api.py)."""

from django.urls import path

from qadam.directory import api

app_name = "hsds"
urlpatterns = [
    path("", api.meta, name="meta"),
    path("services", api.services, name="services"),
    path("services/<uuid:pk>", api.service, name="service"),
]
