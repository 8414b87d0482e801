"""Referrals of a person to a directory service, followed until they end, and case transfers between agencies.

Who sees what is decided by `visible_to` on each model:
- the sending side sees a referral or a transfer when it may open its case (qadam/cases/access.py);
- a receiving agency that uses Qadam sees the referrals addressed to it once they are sent, and only
  through what was shared: the pages of the receiving side never follow the referral to its case.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User

# Roles of a receiving agency that work with referrals addressed to it.
RECEIVING_ROLES = ("social_worker", "supervisor", "agency_admin")
# Roles that decide for their agency: assign a referral to a colleague, accept or reject a transfer.
DECIDING_ROLES = ("supervisor", "agency_admin")


def _named(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.sees_named_records)  # type: ignore[union-attr]


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Referrals of the cases the user may open, and sent referrals addressed to the user's agency."""
        from qadam.cases.models import Case

        if not _named(user):
            return self.none()
        visible = Q(case__in=Case.objects.visible_to(user))
        if user.role in RECEIVING_ROLES:  # type: ignore[union-attr]
            visible |= Q(recipient_agency_id=user.agency_id) & ~Q(status=Referral.Status.DRAFT)  # type: ignore[union-attr]
        return self.filter(visible)

    def received_by(self, user: User) -> Self:
        """The referrals addressed to the user's agency (what its inbox lists); none for other roles."""
        if not _named(user) or user.role not in RECEIVING_ROLES:
            return self.none()
        return self.filter(recipient_agency_id=user.agency_id).exclude(status=Referral.Status.DRAFT)


class Referral(TimeStamped):
    """A person referred from a case to a service of another organisation, with what was shared about them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        SENT = "sent", _("sent, waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        IN_SERVICE = "in_service", _("in service")
        COMPLETED = "completed", _("completed")
        NOT_COMPLETED = "not_completed", _("not completed")

    class Item(models.TextChoices):
        """What a referral may share: a fixed set, so that the recipient's page knows every one of them."""

        NAME = "name", _("full name")
        BIRTH_DATE = "birth_date", _("date of birth")
        CONTACT = "contact", _("how to contact the person safely")
        LANGUAGE = "language", _("preferred language")
        SUMMARY = "summary", _("a summary written for the recipient")
        FAA = "faa", _("family adaptation scores (the dimensions chosen)")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("the person's consent")
        OVERRIDE = "override", _("a supervisor's decision without consent")

    # The answers of the receiving side, in the order they come; a step outside this map is refused.
    FLOW: dict[str, tuple[str, ...]] = {
        Status.SENT: (Status.ACCEPTED, Status.DECLINED),
        Status.ACCEPTED: (Status.IN_SERVICE, Status.NOT_COMPLETED),
        Status.IN_SERVICE: (Status.COMPLETED, Status.NOT_COMPLETED),
    }
    # Steps that need a reason.
    NEEDS_REASON = (Status.DECLINED, Status.NOT_COMPLETED)
    # Where a referral has its outcome and is followed no more.
    ENDED = (Status.DECLINED, Status.COMPLETED, Status.NOT_COMPLETED)

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case"))
    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person referred")
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    # The service's organisation and, if it uses Qadam, its agency, as they were when the referral was made.
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving organisation")
    )
    recipient_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving agency in Qadam"),
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    items = models.JSONField(_("what is shared"), default=list)
    faa_dimensions = models.JSONField(_("adaptation dimensions shared"), default=list, blank=True)
    summary = EncryptedTextField(_("summary for the recipient"), max_length=3000, blank=True)
    # What the recipient receives, frozen when the worker checks it and sent exactly so (JSON, encrypted).
    shared = EncryptedTextField(_("what was shared"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("sent by"),
    )  # fmt: skip
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    basis = models.CharField(_("shared on the basis of"), max_length=10, choices=Basis.choices, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("sharing without consent allowed by"),
    )  # fmt: skip
    override_reason = models.CharField(_("why it is shared without consent"), max_length=500, blank=True)
    override_at = models.DateTimeField(_("allowed"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("worker of the receiving agency"),
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    follow_up_task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("follow-up task"),
    )  # fmt: skip

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["recipient_agency", "status", "-id"], name="referral_inbox"),
            models.Index(fields=["case", "-id"], name="referral_case_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(sent_at__isnull=False) & ~Q(basis="")),
                name="referral_sent_has_time_and_basis",
            ),
            models.CheckConstraint(
                condition=(Q(override_by__isnull=True) & Q(override_reason=""))
                | (Q(override_by__isnull=False) & ~Q(override_reason="")),
                name="referral_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(basis="override") | Q(override_by__isnull=False),
                name="referral_override_basis_recorded",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Referral #%(pk)s") % {"pk": self.pk})

    @property
    def shared_content(self) -> dict[str, Any]:
        return json.loads(self.shared) if self.shared else {}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_ended(self) -> bool:
        return self.status in self.ENDED

    @property
    def answered_in_qadam(self) -> bool:
        """Whether the receiving side answers in its own inbox (otherwise the sender records its answers)."""
        return self.recipient_agency_id is not None

    def next_statuses(self) -> list[str]:
        return list(self.FLOW.get(self.status, ()))


class ReferralEvent(models.Model):
    """A step of a referral: sent, accepted, declined and so on, with who took it, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral"))
    from_status = models.CharField(_("from"), max_length=14, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=14, choices=Referral.Status.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_order")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status__in=["declined", "not_completed"]) | ~Q(reason=""),
                name="referral_event_reason_when_needed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CaseTransferQuerySet(models.QuerySet["CaseTransfer"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """Transfers of the cases the user may open, and those addressed to the agency the user decides for."""
        from qadam.cases.models import Case

        if not _named(user):
            return self.none()
        visible = Q(case__in=Case.objects.visible_to(user))
        if user.role in DECIDING_ROLES:  # type: ignore[union-attr]
            visible |= Q(to_agency_id=user.agency_id)  # type: ignore[union-attr]
        return self.filter(visible)

    def received_by(self, user: User) -> Self:
        if not _named(user) or user.role not in DECIDING_ROLES:
            return self.none()
        return self.filter(to_agency_id=user.agency_id)


class CaseTransfer(TimeStamped):
    """A case handed over to another agency: asked for by the sending side, accepted or rejected by the other."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACCEPTED = "accepted", pgettext_lazy("case transfer", "accepted")
        REJECTED = "rejected", _("rejected")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfers", verbose_name=_("case"))
    from_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("sending agency")
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving agency")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(_("why the case is transferred"), max_length=1000)
    household = models.BooleanField(
        _("the household record goes too"),
        default=True,
        help_text=_("The family and its members move to the receiving agency with the case."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    basis = models.CharField(_("shared on the basis of"), max_length=10, choices=Referral.Basis.choices)
    override_reason = models.CharField(_("why it is shared without consent"), max_length=500, blank=True)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("case worker before")
    )
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("new case worker"),
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("why it was rejected"), max_length=500, blank=True)

    objects = CaseTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        indexes = [models.Index(fields=["to_agency", "status", "-id"], name="transfer_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="transfer_one_open_per_case"
            ),
            models.CheckConstraint(condition=~Q(from_agency=models.F("to_agency")), name="transfer_to_another_agency"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="transfer_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(new_owner__isnull=False), name="transfer_accepted_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(basis="override") | ~Q(override_reason=""), name="transfer_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Transfer #%(pk)s") % {"pk": self.pk})
