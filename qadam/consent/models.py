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
    # Sharing names one recipient: a Qadam agency, or an organisation of the service directory (which may
    # not use Qadam). An agency and its own directory organisation are one recipient (consent_allows).
    recipient_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving organisation"),
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
    FIELDS = ["purpose", "recipient", "recipient_organization", "decision", "how", "witness", "decided_at"]
    # The decision in force is the latest one the person made; the order of recording breaks ties.
    NEWEST_FIRST = ["-decided_at", "-id"]

    class Meta:
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        indexes = [
            # consent_allows(): the newest decision for one person, purpose and receiving agency.
            models.Index(fields=["person", "purpose", "recipient", "-decided_at", "-id"], name="consent_current"),
            models.Index(
                fields=["person", "purpose", "recipient_organization", "-decided_at", "-id"],
                name="consent_current_organization",
            ),
        ]
        constraints = [
            # Sharing names exactly one recipient (an agency or a directory organisation); other purposes none.
            models.CheckConstraint(
                condition=(
                    models.Q(purpose="sharing")
                    & (
                        (models.Q(recipient__isnull=False) & models.Q(recipient_organization__isnull=True))
                        | (models.Q(recipient__isnull=True) & models.Q(recipient_organization__isnull=False))
                    )
                )
                | (
                    ~models.Q(purpose="sharing")
                    & models.Q(recipient__isnull=True)
                    & models.Q(recipient_organization__isnull=True)
                ),
                name="consent_sharing_names_one_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(how="verbal") | ~models.Q(witness=""),
                name="consent_verbal_has_witness",
            ),
        ]

    def __str__(self) -> str:
        recipient = self.recipient_id or self.recipient_organization_id or ""
        return f"{self.person_id} {self.purpose} {recipient} {self.decision} {self.decided_at:%Y-%m-%d}"

    def save(self, *args: object, **kwargs: object) -> None:
        # History is evidence: a change of mind is a new decision, never an edit of an old one.
        if self.pk is not None:
            raise PermissionError("A consent decision is never edited; record a new one.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, ValidationError] = self._recipient_errors()
        if self.how == self.How.VERBAL and not self.witness.strip():
            errors["witness"] = ValidationError(_("A decision given verbally needs the name of a witness."))
        if self.decided_at and self.decided_at > timezone.now() + CLOCK_SLACK:
            errors["decided_at"] = ValidationError(_("The time of the decision cannot be in the future."))
        if errors:
            raise ValidationError(errors)

    def _recipient_errors(self) -> dict[str, ValidationError]:
        """Sharing names one recipient, not the agency that keeps the record; other purposes name none."""
        agency_id, organization_id = self.recipient_id, self.recipient_organization_id
        if self.purpose == self.Purpose.SHARING and agency_id is None and organization_id is None:
            return {"recipient": ValidationError(_("Choose the agency that may receive the information."))}
        if self.purpose and self.purpose != self.Purpose.SHARING:
            field = "recipient" if agency_id is not None else "recipient_organization"
            if agency_id is not None or organization_id is not None:
                message = _("A receiving agency is named only for sharing; leave it empty for this purpose.")
                return {field: ValidationError(message)}
            return {}
        if agency_id is not None and organization_id is not None:
            message = _("Name either an agency or a directory organisation, not both.")
            return {"recipient_organization": ValidationError(message)}
        keeper = self.person.agency_id if self.person_id else None
        if agency_id is not None and agency_id == keeper:
            return {"recipient": ValidationError(_("This agency already keeps the record; choose another agency."))}
        organization = self.recipient_organization if organization_id is not None else None
        if organization is not None and organization.agency_id == keeper:
            message = _("This organisation is the agency that keeps the record; choose another one.")
            return {"recipient_organization": ValidationError(message)}
        return {}

    @property
    def recipient_display(self) -> str:
        """The recipient's name in the reader's language, whichever kind of recipient it is."""
        if self.recipient_id is not None:
            return self.recipient.name  # type: ignore[union-attr]
        if self.recipient_organization_id is not None:
            return self.recipient_organization.display_name  # type: ignore[union-attr]
        return ""

    @property
    def is_given(self) -> bool:
        return self.decision == self.Decision.GIVEN
