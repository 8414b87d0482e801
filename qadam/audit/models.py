from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "The audit log is append-only."


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)

    def bulk_create(self, *args: object, **kwargs: object) -> list["AuditEntry"]:  # type: ignore[override]
        # Each entry is linked to the one before it; only qadam.audit.chain.append knows how.
        raise PermissionError("Audit entries are appended one by one, through audit_record.")

    def for_record(self, obj: models.Model) -> "AuditEntryQuerySet":
        return self.filter(target_type=obj._meta.label_lower, target_id=obj.pk)


class AuditEntry(models.Model):
    """One thing someone did in Qadam: a record viewed, created or changed, a status moved. Never edited.

    Entries form a hash chain: each carries the hash of the one before it (`prev_hash`) and its own
    (`hash`, over its content and `prev_hash`), numbered without gaps by `seq`. `qadam audit verify`
    recomputes the chain, so an entry changed or removed behind the application's back is found.
    """

    seq = models.PositiveBigIntegerField(_("number in the chain"), unique=True, editable=False)
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("who")
    )
    # The (agency, -id) index below serves the agency's log; a second index of its own would only cost writes.
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("agency"),
        db_index=False,
    )
    # The agency whose record this is, when it is not the actor's own: its administrator's log then shows
    # who from elsewhere (a regional coordinator, a partner) opened or changed it. Null when it is the same.
    record_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency of the record"),
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=40)
    target_type = models.CharField(_("record type"), max_length=40)
    target_id = models.BigIntegerField(_("record"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("hash of the previous entry"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id", "-id"], name="audit_target_newest"),
            models.Index(fields=["agency", "-id"], name="audit_agency_newest"),
            models.Index(fields=["record_agency", "-id"], name="audit_record_agency_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError(APPEND_ONLY)
        if not self.hash:
            raise PermissionError("Audit entries are appended through qadam.audit.services.audit_record.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError(APPEND_ONLY)


class FormSubmission(models.Model):
    """A form that was already submitted once, so that a second submit does not create twice."""

    token = models.UUIDField(_("form token"), primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(_("result"), max_length=300)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted form")
        verbose_name_plural = _("submitted forms")

    def __str__(self) -> str:
        return str(self.token)
