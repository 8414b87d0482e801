from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from qadam.assessments.engine import Instrument, Interpretation, Result, load_instrument
from qadam.assessments.engine.faa import Phase
from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


# Checked instruments by stored version: a version's row never changes once written (instrument_register
# refuses other content), so each process checks a definition once; nothing here needs sharing between
# app servers. Keyed by id and import time, so a test database that reuses ids never finds a stale one.
_CHECKED: dict[tuple[int, str], Instrument] = {}


class InstrumentVersion(models.Model):
    """One version of an instrument, its definition kept whole: an assessment made with it is always read
    with the questions and scoring rules it was made with, whatever later versions change."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("shipped with Qadam")
        PACK = "pack", _("instrument pack imported by the organisation")
        XLSFORM = "xlsform", _("XLSForm imported by the organisation")

    key = models.CharField(_("instrument"), max_length=64)
    version = models.CharField(_("version"), max_length=32)
    title = models.JSONField(_("title"))
    definition = models.JSONField(_("definition"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    # Offered for new assessments; an older version stays for the assessments made with it.
    offered = models.BooleanField(_("offered for new assessments"), default=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="instrument_version_once")]

    def __str__(self) -> str:
        return f"{self.key} {self.version}"

    @cached_property
    def instrument(self) -> Instrument:
        """The definition checked and ready to present and score."""
        key = (self.pk, self.imported_at.isoformat())
        if key not in _CHECKED:
            _CHECKED[key] = load_instrument(self.definition)
        return _CHECKED[key]


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """The assessments of cases the user may open (qadam/cases/access.py)."""
        from qadam.cases.access import case_q
        from qadam.cases.models import Case

        return self.filter(case__in=Case.objects.filter(case_q(user)))

    def completed(self) -> Self:
        return self.filter(status=Assessment.Status.COMPLETED)


class Assessment(TimeStamped):
    """One assessment of a family with one instrument version, in the language the family chose; it may be
    saved partway and resumed, and once completed it keeps the scores and their explanation."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")

    class Safety(models.TextChoices):
        NONE = "", _("no concern raised")
        CONCERN = "concern", _("safety concern")
        URGENT = "urgent", _("imminent danger")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("case"))
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("family")
    )
    informant = models.ForeignKey(
        "families.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who answered"),
    )
    instrument = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("instrument")
    )
    language = models.CharField(_("language of the questions"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_on = models.DateField(_("date of the assessment"), null=True, blank=True)
    # Answers of the ordinary sections; those of private sections (the safety check) are encrypted apart.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    private_answers = EncryptedTextField(_("answers to private questions"), blank=True)
    result = models.JSONField(_("scores"), default=dict, blank=True)
    interpretation = models.JSONField(_("interpretation"), default=dict, blank=True)
    # Copied out of the result for the trajectory and the cohort figures.
    months_since_move = models.PositiveSmallIntegerField(_("months since the move"), null=True, blank=True)
    index = models.PositiveSmallIntegerField(_("adaptation index"), null=True, blank=True)
    phase = models.CharField(_("adaptation phase"), max_length=20, blank=True)
    phase_override = models.CharField(_("phase set by the worker"), max_length=20, choices=Phase.choices, blank=True)
    phase_override_reason = models.CharField(_("why the worker set the phase"), max_length=500, blank=True)
    phase_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    strategy = models.CharField(_("acculturation strategy"), max_length=20, blank=True)
    safety = models.CharField(_("safety check"), max_length=8, choices=Safety.choices, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["family", "status", "assessed_on"], name="assessment_family_trajectory")]

    def __str__(self) -> str:
        return f"{self.instrument} #{self.pk}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def all_answers(self) -> dict[str, Any]:
        """Every answer, private ones included: only for the case team (the views decide)."""
        private = json.loads(self.private_answers) if self.private_answers else {}
        return {**self.answers, **private}

    @property
    def scored(self) -> Result | None:
        return Result.from_dict(self.result) if self.result else None

    @property
    def interpreted(self) -> Interpretation | None:
        return Interpretation.from_dict(self.interpretation) if self.interpretation else None

    @property
    def current_phase(self) -> str:
        """The phase the worker set, with a reason, or else the one the rules gave."""
        return self.phase_override or self.phase


class ScaleScore(models.Model):
    """One score of a completed assessment, a row per scale: what the trajectory and cohort figures read."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scale_scores")
    scale = models.CharField(_("scale"), max_length=64)
    score = models.FloatField(_("score"), null=True)
    valid = models.BooleanField(_("enough answers"))

    class Meta:
        verbose_name = _("scale score")
        verbose_name_plural = _("scale scores")
        constraints = [models.UniqueConstraint(fields=["assessment", "scale"], name="scale_score_once")]

    def __str__(self) -> str:
        return f"{self.scale}={self.score}"
