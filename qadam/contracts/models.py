from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qadam.cases.models import Case
from qadam.contracts import poverty
from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


class PovertyLineReference(TimeStamped):
    """The poverty-line rule and its inputs for a region over a period: national reference data that the
    system administrator keeps, so that a change of the rule is a new dated row, not new code."""

    class Formula(models.TextChoices):
        SUBSISTENCE_SHARE = poverty.SUBSISTENCE_SHARE, _("a share of the subsistence minimum")
        MAX_MEDIAN_SUBSISTENCE = (
            poverty.MAX_MEDIAN_SUBSISTENCE,
            _("a share of the median income, but not less than a share of the subsistence minimum"),
        )

    region = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"level": 1},
    )
    valid_from = models.DateField(_("applies from"))
    valid_to = models.DateField(_("applies to"), null=True, blank=True, help_text=_("Empty: until further notice."))
    formula = models.CharField(_("rule"), max_length=24, choices=Formula.choices)
    subsistence_minimum = models.DecimalField(_("subsistence minimum, tenge a month"), max_digits=12, decimal_places=2)
    subsistence_share = models.DecimalField(
        _("share of the subsistence minimum"), max_digits=5, decimal_places=4, help_text=_("For example 0.70 for 70%.")
    )
    median_income = models.DecimalField(
        _("median income of the quarter before, tenge a month"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    median_share = models.DecimalField(
        _("share of the median income"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For example 0.35 for 35%."),
    )
    mrp = models.DecimalField(_("monthly calculation index (MRP), tenge"), max_digits=12, decimal_places=2)
    child_supplement_mrp = models.DecimalField(
        _("supplement per child aged 1 to 6, in MRP"), max_digits=5, decimal_places=2, default=Decimal("1.5")
    )
    illustrative = models.BooleanField(
        _("illustrative figures"), default=False, help_text=_("Some figures are examples, not the published ones.")
    )
    source = models.CharField(_("source of the figures"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    FIELDS = [
        "region",
        "valid_from",
        "valid_to",
        "formula",
        "subsistence_minimum",
        "subsistence_share",
        "median_income",
        "median_share",
        "mrp",
        "child_supplement_mrp",
        "illustrative",
        "source",
    ]

    class Meta:
        verbose_name = _("poverty-line reference")
        verbose_name_plural = _("poverty-line references")
        ordering = ["region", "-valid_from"]
        indexes = [models.Index(fields=["region", "valid_from"], name="poverty_ref_region_from")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="poverty_ref_period_order",
            ),
            models.CheckConstraint(
                condition=models.Q(subsistence_minimum__gt=0) & models.Q(mrp__gt=0),
                name="poverty_ref_positive_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.valid_from:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.valid_to is not None and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The period cannot end before it starts.")
        for name in ("subsistence_share", "median_share"):
            share = getattr(self, name)
            if share is not None and not Decimal(0) < share <= Decimal(1):
                errors[name] = _("A share is a number above 0 and at most 1, such as 0.70.")
        if self.formula == self.Formula.MAX_MEDIAN_SUBSISTENCE:
            if self.median_income is None or self.median_share is None:
                errors["median_income"] = _("This rule needs the median income and its share.")
            elif self.valid_from and not self._within_a_quarter():
                errors["valid_to"] = _(
                    "A rule that uses the median income covers one calendar quarter at most: "
                    "the median of the quarter before changes every quarter."
                )
        if errors:
            raise ValidationError(errors)

    def _within_a_quarter(self) -> bool:
        if self.valid_to is None:
            return False
        start, end = poverty.assessment_period(poverty.add_months(self.valid_from, 3))
        return start <= self.valid_from and self.valid_to <= end

    def as_rule(self) -> poverty.Rule:
        return poverty.Rule(
            formula=self.formula,
            subsistence_minimum=self.subsistence_minimum,
            subsistence_share=self.subsistence_share,
            mrp=self.mrp,
            child_supplement_mrp=self.child_supplement_mrp,
            median_income=self.median_income,
            median_share=self.median_share,
        )


class CaseRecordQuerySet(models.QuerySet):
    """Records of a case are visible exactly when their case is (qadam/cases/access.py)."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        return self.filter(case__in=Case.objects.visible_to(user))


class Income(TimeStamped):
    """A regular income of a family member, as the family declares it for the income test."""

    class Kind(models.TextChoices):
        WAGES = "wages", _("wages")
        PENSION = "pension", _("pension")
        BENEFITS = "benefits", _("benefits and allowances")
        ALIMONY = "alimony", _("alimony")
        SELF_EMPLOYMENT = "self_employment", _("self-employment")
        OTHER = "other", pgettext_lazy("income", "other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("family member")
    )
    kind = models.CharField(_("kind of income"), max_length=16, choices=Kind.choices)
    monthly_amount = models.DecimalField(_("amount a month, tenge"), max_digits=12, decimal_places=2)
    first_month = models.DateField(_("received from (month)"))
    last_month = models.DateField(
        _("received until (month)"), null=True, blank=True, help_text=_("Empty: still received.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        indexes = [models.Index(fields=["case", "person"], name="income_case_person")]
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_amount__gt=0), name="income_positive"),
            models.CheckConstraint(
                condition=models.Q(last_month__isnull=True) | models.Q(last_month__gte=models.F("first_month")),
                name="income_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.monthly_amount}"


class IncomeTest(TimeStamped):
    """The income test as the worker recorded it on a date: the whole calculation kept as it was shown."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    applied_on = models.DateField(_("date of application"))
    region = models.ForeignKey("kato.KatoUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    reference = models.ForeignKey(
        PovertyLineReference, on_delete=models.PROTECT, related_name="+", verbose_name=_("reference used")
    )
    result = models.JSONField(_("calculation"))
    eligible = models.BooleanField(_("eligible"))
    per_capita = models.DecimalField(_("per-capita income"), max_digits=12, decimal_places=2)
    poverty_line = models.DecimalField(_("poverty line"), max_digits=12, decimal_places=2)
    monthly_total = models.DecimalField(_("assistance a month"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("income test")
        verbose_name_plural = _("income tests")
        indexes = [models.Index(fields=["case", "-id"], name="income_test_case_newest")]

    def __str__(self) -> str:
        return f"{self.applied_on:%Y-%m-%d}"


class Contract(TimeStamped):
    """A social contract: the agency and the family agree on measures and obligations for conditional
    assistance, monitored every month."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("prepared, not signed")
        ACTIVE = "active", _("in force")
        COMPLETED = "completed", pgettext_lazy("contract", "completed")
        TERMINATED = "terminated", pgettext_lazy("contract", "terminated")

    class TerminationReason(models.TextChoices):
        NON_FULFILMENT = "non_fulfilment", _("obligations not fulfilled without a valid reason")
        FALSE_INFORMATION = "false_information", _("false information or concealed income")
        FAMILY_REQUEST = "family_request", _("at the family's request")
        MOVED_AWAY = "moved_away", _("the family moved away")
        INCOME_ABOVE_LINE = "income_above_line", _("income rose above the poverty line")
        OTHER = "other", pgettext_lazy("termination reason", "other")

    class Language(models.TextChoices):
        """The languages a contract is printed in: the state language and Russian."""

        KAZAKH = "kk", "Қазақша"
        RUSSIAN = "ru", "Русский"

    FLOW: dict[str, tuple[str, ...]] = {
        Status.DRAFT: (Status.ACTIVE, Status.TERMINATED),
        Status.ACTIVE: (Status.COMPLETED, Status.TERMINATED),
        Status.COMPLETED: (),
        Status.TERMINATED: (),
    }

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("case"))
    # Null only between the insert and the update that numbers the contract from its id.
    number = models.CharField(_("contract number"), max_length=40, unique=True, null=True, editable=False)  # noqa: DJ001
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    representative = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("representing the family")
    )
    income_test = models.ForeignKey(
        IncomeTest, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("income test")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    language = models.CharField(_("language of the printed contract"), max_length=2, choices=Language.choices)
    obligations = EncryptedTextField(_("obligations of the family"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    closed_on = models.DateField(_("completed or terminated on"), null=True, blank=True)
    termination_reason = models.CharField(
        _("reason for termination"), max_length=20, choices=TerminationReason.choices, blank=True
    )
    termination_text = EncryptedTextField(_("termination, in words"), max_length=2000, blank=True)
    monitoring_task = models.ForeignKey(
        "cases.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next monitoring"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CaseRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("social contract")
        verbose_name_plural = _("social contracts")
        indexes = [models.Index(fields=["case", "-id"], name="contract_case_newest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_period_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="terminated") | ~models.Q(termination_reason=""),
                name="contract_terminated_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number or ""

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The contract cannot end before it starts.")})

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.ACTIVE)


class Measure(TimeStamped):
    """What one family member takes part in under the contract: a vacancy, training, a social job."""

    class Kind(models.TextChoices):
        VACANCY_REFERRAL = "vacancy_referral", _("referral to a vacancy")
        VOCATIONAL_TRAINING = "vocational_training", _("vocational training")
        YOUTH_PRACTICE = "youth_practice", _("youth practice")
        SOCIAL_JOB = "social_job", _("social job")
        PUBLIC_WORKS = "public_works", _("public works")
        GRANT_OR_MICROCREDIT = "grant_or_microcredit", _("grant or micro-credit for a business idea")
        SOCIAL_ADAPTATION = "social_adaptation", _("social adaptation")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="measures", verbose_name=_("contract")
    )
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("for"))
    kind = models.CharField(_("measure"), max_length=24, choices=Kind.choices)
    details = EncryptedTextField(_("details"), max_length=1000, blank=True)
    due_on = models.DateField(_("by"), null=True, blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Monitoring(TimeStamped):
    """A monthly check of how the family keeps the contract."""

    class Result(models.TextChoices):
        FULFILLED = "fulfilled", _("fulfilled")
        PARTLY = "partly", _("partly fulfilled")
        NOT_FULFILLED = "not_fulfilled", _("not fulfilled")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="monitoring", verbose_name=_("contract")
    )
    checked_on = models.DateField(_("date of the check"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = EncryptedTextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("monitoring entry")
        verbose_name_plural = _("monitoring entries")
        indexes = [models.Index(fields=["contract", "checked_on"], name="monitoring_contract_date")]

    def __str__(self) -> str:
        return f"{self.checked_on:%Y-%m-%d} {self.result}"


class Extension(TimeStamped):
    """A contract's term made longer: from which end date to which, and why."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("contract")
    )
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.CheckConstraint(condition=models.Q(new_end__gt=models.F("previous_end")), name="extension_later_end")
        ]

    def __str__(self) -> str:
        return f"{self.previous_end} → {self.new_end}"
