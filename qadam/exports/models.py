from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """A file someone asked Qadam to prepare in the background, such as a de-identified research export.

    The row is the whole state of the work: the task that runs it, the page that shows its progress and
    the download all read it from the database, so any app server or worker can take part."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being prepared")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind of export"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The agency whose records the export is limited to; empty for every agency (or the command line).
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("limited to agency"),
    )
    # The requester's language: the worker writes the files (headers, a report's words and dates) in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, per cent"), default=0)
    message = models.CharField(_("progress message"), max_length=200, blank=True)
    # Relative to the private export folder (services.export_dir()), never under static files or media.
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("what went wrong"), blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["requested_by", "-id"], name="export_job_requester_newest")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_job_progress_at_most_100")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file_path)

    @property
    def message_display(self) -> str:
        """The progress message in the reader's language (the writers store it in English, marked for translation)."""
        return gettext(self.message) if self.message and not self.is_finished else ""

    @property
    def kind_label(self) -> str:
        from qadam.exports.registry import EXPORT_KINDS

        kind = EXPORT_KINDS.get(self.kind)
        return str(kind.label) if kind is not None else self.kind
