from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A watch a few minutes ahead of the server should not turn "just now" into "in the future".
CLOCK_SLACK = timedelta(minutes=5)


class Consent(models.Model):
    """A person's decision to give or withdraw consent to one use of their information; never edited."""

    class Purpose(models.TextChoices):
        SERVICE = "service", _("service provision")
        SHARING = "sharing", _("sharing with a named agency")
        RESEARCH = "research", _("de-identified research use")

    class Decision(models.TextChoices):
        GIVEN = "given", pgettext_lazy("consent", "given")
        WITHDRAWN = "withdrawn", pgettext_lazy("consent", "withdrawn")

    class How(models.TextChoices):
        PAPER = "paper", _("signed on paper")
        VERBAL = "verbal", _("verbally, before a witness")

    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    recipient = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving agency"),
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    how = models.CharField(_("how the decision was given"), max_length=10, choices=How.choices)
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("when the person decided"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    # What a decision says: the fields the audit log follows (the free-text note stays out of it).
    FIELDS = ["purpose", "recipient", "decision", "how", "witness", "decided_at"]
    # The decision in force is the latest one the person made; the order of recording breaks ties.
    NEWEST_FIRST = ["-decided_at", "-id"]

    class Meta:
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        indexes = [
            # consent_allows(): the newest decision for one person, purpose and receiving agency.
            models.Index(fields=["person", "purpose", "recipient", "-decided_at", "-id"], name="consent_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(purpose="sharing") & models.Q(recipient__isnull=False))
                | (~models.Q(purpose="sharing") & models.Q(recipient__isnull=True)),
                name="consent_recipient_only_for_sharing",
            ),
            models.CheckConstraint(
                condition=~models.Q(how="verbal") | ~models.Q(witness=""),
                name="consent_verbal_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose} {self.recipient_id or ''} {self.decision} {self.decided_at:%Y-%m-%d}"

    def save(self, *args: object, **kwargs: object) -> None:
        # History is evidence: a change of mind is a new decision, never an edit of an old one.
        if self.pk is not None:
            raise PermissionError("A consent decision is never edited; record a new one.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.purpose == self.Purpose.SHARING and self.recipient_id is None:
            errors["recipient"] = ValidationError(_("Choose the agency that may receive the information."))
        elif self.purpose and self.purpose != self.Purpose.SHARING and self.recipient_id is not None:
            errors["recipient"] = ValidationError(
                _("A receiving agency is named only for sharing; leave it empty for this purpose.")
            )
        elif self.recipient_id is not None and self.person_id and self.recipient_id == self.person.agency_id:
            errors["recipient"] = ValidationError(_("This agency already keeps the record; choose another agency."))
        if self.how == self.How.VERBAL and not self.witness.strip():
            errors["witness"] = ValidationError(_("A decision given verbally needs the name of a witness."))
        if self.decided_at and self.decided_at > timezone.now() + CLOCK_SLACK:
            errors["decided_at"] = ValidationError(_("The time of the decision cannot be in the future."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_given(self) -> bool:
        return self.decision == self.Decision.GIVEN
