"""Abstract models shared by every app (the lib app itself has no tables)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """Creation and last-change times of a record."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
