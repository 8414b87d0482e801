from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CohortRun(models.Model):
    """One computation of the cohort figures for a scope and filters, done by a background task.

    The row is the whole state: the task reads its scope and filters and writes the figures (already
    with small cells withheld) into `result`; the page reads them back, so any app server can show them.
    Users whose scope is the same (see rows.scope_key) share a recent run instead of computing again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being computed")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    scope = models.CharField(_("scope"), max_length=200)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    min_cell = models.PositiveSmallIntegerField(_("minimum group size"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    result = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("cohort computation")
        verbose_name_plural = _("cohort computations")
        indexes = [models.Index(fields=["scope", "-created_at"], name="cohort_run_scope_newest")]

    def __str__(self) -> str:
        return f"{self.scope} #{self.pk}"
