"""Safe contact preferences, safety plans and protective measures of survivors of violence.

Everything here hangs off a restricted case (or, for contact preferences, off a person) and is read only
through `visible_to`, which asks `qadam/safety/access.py`: a safety plan and protective measures are for
the case team (and, read-only, for an active emergency access), never for a supervisor or an agency
administrator outside the team.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


class SafeContactQuerySet(models.QuerySet["SafeContact"]):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """As the person they belong to."""
        from qadam.families.models import Person

        return self.filter(person__in=Person.objects.visible_to(user))


class SafeContact(TimeStamped):
    """How a person may be contacted without putting them at risk; every place that contacts them asks
    `qadam.safety.services.contact_details`, never `Person.phone` directly."""

    person = models.OneToOneField(
        "families.Person", on_delete=models.CASCADE, related_name="safe_contact", verbose_name=_("person")
    )
    safe_phone = EncryptedTextField(
        _("safe phone"), max_length=20, blank=True, help_text=_("A number that only the person answers.")
    )
    safe_hours = models.CharField(
        _("safe hours"), max_length=100, blank=True, help_text=_("When a call is safe, for example 10:00–12:00.")
    )
    code_word = EncryptedTextField(
        _("code word"),
        max_length=100,
        blank=True,
        help_text=_("A word that means “I cannot talk now” or “I am in danger”. Shown only to the case team."),
    )
    no_sms = models.BooleanField(_("never send SMS"), default=False)
    no_voicemail = models.BooleanField(_("never leave a voicemail"), default=False)
    instructions = EncryptedTextField(_("other instructions"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("last changed by")
    )

    objects = SafeContactQuerySet.as_manager()

    FIELDS = ["safe_phone", "safe_hours", "code_word", "no_sms", "no_voicemail", "instructions"]

    class Meta:
        verbose_name = _("safe contact preferences")
        verbose_name_plural = _("safe contact preferences")

    def __str__(self) -> str:
        return str(_("Safe contact preferences of person #%(pk)s") % {"pk": self.person_id})


class SafetyQuerySet(models.QuerySet[Any]):
    """Safety records of a case: read by the case team and an active emergency access (see access.py)."""

    case_field = "case"

    def visible_to(self, user: User | AnonymousUser) -> Self:
        from qadam.safety.access import safety_cases

        return self.filter(**{f"{self.case_field}__in": safety_cases(user)})


class MeasureChildQuerySet(SafetyQuerySet):
    case_field = "measure__case"


class PlanChildQuerySet(SafetyQuerySet):
    case_field = "plan__case"


class SafetyPlan(TimeStamped):
    """The safety plan of a restricted case. Its content lives in versions: every change is a new one, so
    the plan a survivor left with on a given day can always be read back."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="safety_plan", verbose_name=_("case")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    # A private task to look at the plan again, completed when a new version is written.
    review_task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("review task")
    )

    objects = SafetyQuerySet.as_manager()

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")

    def __str__(self) -> str:
        return str(_("Safety plan #%(pk)s") % {"pk": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("safety:plan", kwargs={"pk": self.case_id})

    @property
    def current(self) -> SafetyPlanVersion | None:
        return self.versions.order_by("-number").first()


class SafetyPlanVersion(models.Model):
    """One version of a safety plan, in the survivor's own words, section by section (`sections.py`)."""

    class Situation(models.TextChoices):
        STAYING = "staying", _("staying for now")
        PREPARING = "preparing", _("getting ready to leave")
        LEFT = "left", _("has left")
        NOT_SAID = "not_said", _("not said")

    class Occasion(models.TextChoices):
        FIRST = "first", _("first plan")
        INCIDENT = "incident", _("after an incident")
        SEPARATION = "separation", _("after separation")
        COURT = "court", _("before or after a court date")
        RELEASE = "release", _("the other person released or returning")
        MOVE = "move", _("after a move")
        REVIEW = "review", _("regular review")

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveIntegerField(_("version"))
    situation = models.CharField(
        _("her situation"), max_length=12, choices=Situation.choices, default=Situation.NOT_SAID
    )
    occasion = models.CharField(_("why it was written"), max_length=12, choices=Occasion.choices)
    # The sections as JSON {key: text}, encrypted whole: a plan tells where she would go and when.
    sections = EncryptedTextField(_("sections"))
    review_on = models.DateField(_("look at it again on"), null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("safety plan version")
        verbose_name_plural = _("safety plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_once"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="safety_plan_version_from_1"),
        ]

    def __str__(self) -> str:
        return str(_("Safety plan #%(plan)s, version %(n)s") % {"plan": self.plan_id, "n": self.number})

    @property
    def texts(self) -> dict[str, str]:
        try:
            value = json.loads(self.sections or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class ProtectiveMeasure(TimeStamped):
    """A police protective order or court special requirements protecting a person of the case's family."""

    class Kind(models.TextChoices):
        POLICE_ORDER = "police_order", _("police protective order")
        COURT_REQUIREMENTS = "court_requirements", _("special requirements set by a court")

    class Ending(models.TextChoices):
        EXTENDED = "extended", _("extended")
        REPLACED = "replaced", _("replaced by another measure")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="protective_measures", verbose_name=_("case")
    )
    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("protected person")
    )
    kind = models.CharField(_("measure"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.CharField(_("issued by"), max_length=200, help_text=_("The police unit or the court."))
    reference = models.CharField(_("document number"), max_length=60, blank=True)
    ends_on = models.DateField(_("in force until"))
    # Set when the measure stops before its end date, or is replaced by another.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    ending = models.CharField(_("how it ended"), max_length=10, choices=Ending.choices, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )
    reminder_task = models.ForeignKey(
        "cases.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reminder")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    objects = SafetyQuerySet.as_manager()

    class Meta:
        verbose_name = _("protective measure")
        verbose_name_plural = _("protective measures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("issued_on")), name="measure_ends_after_issue"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("issued_on")),
                name="measure_ended_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def is_active_on(self, day: date) -> bool:
        return self.issued_on <= day <= self.ends_on and (self.ended_on is None or day < self.ended_on)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())

    @property
    def days_left(self) -> int:
        return (self.ends_on - timezone.localdate()).days


class Violation(models.Model):
    """A breach of a protective measure, as the survivor or the police told it."""

    measure = models.ForeignKey(
        ProtectiveMeasure, on_delete=models.CASCADE, related_name="violations", verbose_name=_("measure")
    )
    occurred_on = models.DateField(_("when"))
    what = EncryptedTextField(_("what happened"), max_length=2000)
    reported_to_police = models.BooleanField(_("reported to the police"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = MeasureChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation of a protective measure")
        verbose_name_plural = _("violations of protective measures")

    def __str__(self) -> str:
        return f"{self.measure} · {self.occurred_on:%Y-%m-%d}"


class CrisisStay(TimeStamped):
    """A stay in a crisis centre. The centre is named for the team only and never printed with its address."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="crisis_stays", verbose_name=_("case")
    )
    person = models.ForeignKey("families.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    centre = EncryptedTextField(_("crisis centre"), max_length=200)
    from_on = models.DateField(_("from"))
    to_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty while she is there."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    objects = SafetyQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis-centre stay")
        verbose_name_plural = _("crisis-centre stays")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_on__isnull=True) | models.Q(to_on__gte=models.F("from_on")),
                name="crisis_stay_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(_("Crisis-centre stay from %(day)s") % {"day": f"{self.from_on:%Y-%m-%d}"})

    @property
    def is_current(self) -> bool:
        return self.to_on is None or self.to_on >= timezone.localdate()
