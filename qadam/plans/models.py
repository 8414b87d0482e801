"""Support plans agreed with the family, their reviews, and supervisors' approvals of plans and closures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


class PrivateStorage(FileSystemStorage):
    """Files kept under MEDIA_ROOT (or var/media) and never served from a public URL: only a view that checks
    the case scope hands them out. The location is read from the settings when used, so tests may move it."""

    @cached_property
    def base_location(self) -> str:
        location = self._location  # type: ignore[attr-defined]
        return self._value_or_setting(location, str(settings.MEDIA_ROOT or settings.VAR_DIR / "media"))


private_storage = PrivateStorage()


class CaseRecordQuerySet(models.QuerySet):
    """Plan records are visible exactly when their case is (qadam/cases/access.py)."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        from qadam.cases.models import Case

        return self.filter(case__in=Case.objects.visible_to(user))


class Dimension(models.TextChoices):
    """The FAA dimensions a goal may serve (instruments.md §10.3)."""

    NONE = "", _("no dimension")
    D1 = "D1", _("D1 Work, income and housing")
    D2 = "D2", _("D2 Rights and access")
    D3 = "D3", _("D3 Emotional well-being and belonging")
    D4 = "D4", _("D4 Language, city ways and information")
    D5 = "D5", _("D5 Family resilience")
    D6 = "D6", _("D6 Health, children and life course")
    D7 = "D7", _("D7 Adaptive capacities")


class SupportPlan(TimeStamped):
    """One version of the plan a family makes with its worker: strengths first, goals in the family's words."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("waiting for approval")
        RETURNED = "returned", _("returned by the supervisor")
        APPROVED = "approved", _("approved")

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")

    class Agreement(models.TextChoices):
        PAPER = "paper", _("signed on paper")
        VERBAL = "verbal", _("agreed aloud, with a witness")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="support_plans", verbose_name=_("case")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("made from")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField(_("plan starts on"))
    language = models.CharField(_("the family's language"), max_length=2, choices=Language.choices)
    # The family's strengths, one a line: they open the plan (instruments.md §1.1 and §10.7).
    strengths = EncryptedTextField(_("the family's strengths"), blank=True, max_length=4000)
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessment the suggestions came from"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_on = models.DateField(_("agreed with the family on"), null=True, blank=True)
    agreement = models.CharField(_("how the family agreed"), max_length=8, choices=Agreement.choices, blank=True)
    witness = EncryptedTextField(_("witness"), blank=True, max_length=200)
    scan = models.FileField(_("scan of the signed plan"), storage=private_storage, upload_to="plans/", blank=True)
    agreement_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_once"),
            models.CheckConstraint(
                condition=models.Q(agreed_on__isnull=True, agreement="")
                | (models.Q(agreed_on__isnull=False) & ~models.Q(agreement="")),
                name="plan_agreement_has_date_and_way",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", kwargs={"pk": self.pk})

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None

    @property
    def is_editable(self) -> bool:
        """A version agreed with the family, approved, or waiting for approval is not changed in place."""
        return not self.is_agreed and self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def strength_list(self) -> list[str]:
        return [line.strip() for line in self.strengths.splitlines() if line.strip()]


class Goal(models.Model):
    """What the family wants to reach, in its own words, and the FAA dimension it serves."""

    class Origin(models.TextChoices):
        SUGGESTED = "suggested", _("suggested from the assessment")
        FAMILY = "family", _("the family's priority")

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    words = EncryptedTextField(_("the goal, in the family's words"), max_length=1000)
    dimension = models.CharField(_("FAA dimension"), max_length=2, choices=Dimension.choices, blank=True)
    origin = models.CharField(_("where it came from"), max_length=10, choices=Origin.choices, default=Origin.FAMILY)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return f"{self.plan} #{self.position}"


class Action(models.Model):
    """A step towards a goal: who does what by when, and how it went."""

    class Who(models.TextChoices):
        FAMILY = "family", _("a family member")
        WORKER = "worker", _("the worker")
        PARTNER = "partner", _("a partner organisation")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        NOT_DONE = "not_done", _("not done")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal"))
    who = models.CharField(_("who"), max_length=8, choices=Who.choices)
    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.CharField(_("partner organisation"), max_length=200, blank=True)
    what = EncryptedTextField(_("what"), max_length=1000)
    due_on = models.DateField(_("by when"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(who="family", person__isnull=False, user__isnull=True, partner="")
                | models.Q(who="worker", person__isnull=True, user__isnull=False, partner="")
                | (models.Q(who="partner", person__isnull=True, user__isnull=True) & ~models.Q(partner="")),
                name="action_who_is_one_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} · {self.due_on}"


class PlanReview(models.Model):
    """A date to go through the plan with the family again; its task is done when the review is."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="plan_reviews", verbose_name=_("case")
    )
    plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("plan version reviewed")
    )
    due_on = models.DateField(_("review date"))
    task = models.ForeignKey("cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_on = models.DateField(_("reviewed on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = EncryptedTextField(_("what the review found"), blank=True, max_length=4000)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")

    def __str__(self) -> str:
        return f"{self.case} {self.due_on}"


class Approval(TimeStamped):
    """A supervisor's decision a worker asks for: a plan version, or closing the case."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("support plan")
        CLOSURE = "closure", _("case closure")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned with a comment")
        WITHDRAWN = "withdrawn", _("no longer needed")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approvals", verbose_name=_("case"))
    kind = models.CharField(_("what is to approve"), max_length=8, choices=Kind.choices)
    plan = models.ForeignKey(
        SupportPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals", verbose_name=_("plan")
    )
    closing_reason = models.CharField(_("closing reason"), max_length=12, blank=True)
    request_comment = models.CharField(_("comment"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.CharField(_("supervisor's comment"), max_length=1000, blank=True)

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=models.Q(status="pending"), name="approval_one_pending_per_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(decision_comment=""),
                name="approval_return_has_comment",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="plan") | models.Q(plan__isnull=False), name="approval_plan_has_plan"
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="approval_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"

    def get_absolute_url(self) -> str:
        return reverse("plans:approval", kwargs={"pk": self.pk})
