from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qadam.lib.crypto import EncryptedTextField
from qadam.lib.models import TimeStamped
from qadam.lib.search import SearchableQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


class CaseQuerySet(SearchableQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """The cases a user may open: see qadam/cases/access.py for the rules."""
        from qadam.cases.access import case_q

        return self.filter(case_q(user))


class Case(TimeStamped):
    """A piece of work with a family, from registration to closing."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        ASSESSMENT = "assessment", _("assessment")
        PLANNING = "planning", _("planning")
        IN_PROGRESS = "in_progress", _("in progress")
        REVIEW = "review", _("review")
        CLOSED = "closed", _("closed")

    class Kind(models.TextChoices):
        MIGRATION_ADAPTATION = "migration_adaptation", _("migration adaptation")
        POVERTY = "poverty", _("poverty and social assistance")
        DOMESTIC_VIOLENCE = "domestic_violence", _("domestic violence")
        CHILD_WELLBEING = "child_wellbeing", _("child wellbeing")
        OTHER = "other", pgettext_lazy("case type", "other")

    class Ground(models.TextChoices):
        """Grounds of a difficult life situation under the Social Code (Art. 133), as listed in its predecessors."""

        ORPHANHOOD = "orphanhood", _("orphanhood")
        NO_PARENTAL_CARE = "no_parental_care", _("absence of parental care")
        NEGLECT = "neglect", _("neglect of a minor, including deviant behaviour")
        SPECIAL_INSTITUTION = "special_institution", _("a minor in a special educational institution")
        EARLY_DEVELOPMENT = "early_development", _("limited early development of a child under three")
        DISABILITY = "disability", _("persistent disorders of body functions (disability)")
        SOCIAL_DISEASE = "social_disease", _("a socially significant disease")
        NO_SELF_CARE = "no_self_care", _("unable to care for oneself because of age, illness or disability")
        ILL_TREATMENT = "ill_treatment", _("ill-treatment leading to social maladaptation")
        HOMELESSNESS = "homelessness", _("homelessness")
        RELEASED_FROM_PRISON = "released_from_prison", _("release from a place of deprivation of liberty")
        PROBATION = "probation", _("registered with the probation service")
        TRAFFICKING = "trafficking", _("a victim of human trafficking")

    class Priority(models.IntegerChoices):
        LOW = 1, _("low")
        NORMAL = 2, _("normal")
        HIGH = 3, _("high")
        URGENT = 4, _("urgent")

    class ClosingReason(models.TextChoices):
        GOALS_MET = "goals_met", _("goals achieved")
        MOVED_AWAY = "moved_away", _("the family moved away")
        DECLINED = "declined", _("the family declined further help")
        TRANSFERRED = "transferred", _("transferred to another service")
        NO_CONTACT = "no_contact", _("no contact with the family")
        OTHER = "other", pgettext_lazy("closing reason", "other")

    # Allowed moves of the status flow; closing and reopening are actions of their own.
    FLOW: dict[str, tuple[str, ...]] = {
        Status.REGISTERED: (Status.ASSESSMENT,),
        Status.ASSESSMENT: (Status.PLANNING,),
        Status.PLANNING: (Status.IN_PROGRESS, Status.ASSESSMENT),
        Status.IN_PROGRESS: (Status.REVIEW,),
        Status.REVIEW: (Status.IN_PROGRESS, Status.PLANNING),
        Status.CLOSED: (),
    }

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    # Null only between the insert and the update that numbers the case from its id.
    number = models.CharField(_("case number"), max_length=32, unique=True, null=True, editable=False)  # noqa: DJ001
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="cases", verbose_name=_("family")
    )
    person = models.ForeignKey(
        "families.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("index person")
    )
    kind = models.CharField(_("case type"), max_length=24, choices=Kind.choices)
    grounds = models.JSONField(_("grounds of a difficult life situation"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("case worker")
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(_("closing reason"), max_length=12, choices=ClosingReason.choices, blank=True)
    restricted = models.BooleanField(
        _("restricted"), default=False, help_text=_("Only the case team sees a restricted case.")
    )
    restricted_reason = models.CharField(_("why the case is restricted"), max_length=300, blank=True)

    # Survivors of violence and children at risk: their cases are restricted from the start.
    RESTRICTED_KINDS = (Kind.DOMESTIC_VIOLENCE, Kind.CHILD_WELLBEING)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["agency", "-id"], name="case_agency_newest"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            # The dashboards and the agency report count cases opened or closed in a period.
            models.Index(fields=["agency", "opened_on"], name="case_agency_opened"),
            models.Index(fields=["agency", "closed_on"], name="case_agency_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="case_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.number or ""

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def next_statuses(self) -> list[str]:
        return list(self.FLOW[self.status])

    def get_grounds_display(self) -> list[str]:
        labels = dict(self.Ground.choices)
        return [str(labels[g]) for g in self.grounds if g in labels]


class CaseAssignment(models.Model):
    """A colleague who works on a case beside its case worker, and so is on its team."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("case"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments", verbose_name=_("colleague")
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="assignment_once_per_case")]
        indexes = [models.Index(fields=["user", "case"], name="assignment_user_case")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.case}"


class BreakGlassQuerySet(models.QuerySet["BreakGlass"]):
    def active(self) -> BreakGlassQuerySet:
        return self.filter(expires_at__gt=timezone.now())


class BreakGlass(models.Model):
    """Emergency access to a restricted case outside its team: given a reason, for a short time, announced."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emergency_accesses", verbose_name=_("case"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses", verbose_name=_("who")
    )
    reason = models.CharField(_("reason"), max_length=500)
    granted_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "expires_at"], name="break_glass_user_active")]

    def __str__(self) -> str:
        return f"{self.user} → {self.case} ({self.granted_at:%Y-%m-%d %H:%M})"


class Notification(models.Model):
    """Something Qadam tells a worker inside Qadam, such as an emergency access to their case."""

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", _("emergency access to a restricted case")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("for")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    text = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user}"


class StatusChange(models.Model):
    """A step of a case through its status flow: who moved it, when, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("case"))
    from_status = models.CharField(_("from"), max_length=12, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Case.Status.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["case", "-at"], name="status_change_case")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class CaseChildQuerySet(SearchableQuerySet):
    """Rows that belong to a case are visible exactly when their case is."""

    def visible_to(self, user: User | AnonymousUser) -> Self:
        return self.filter(case__in=Case.objects.visible_to(user))


class Note(TimeStamped):
    """A contact with the family and what came of it: a home visit, a call, a meeting."""

    class Contact(models.TextChoices):
        HOME_VISIT = "home_visit", _("home visit")
        OFFICE_VISIT = "office_visit", _("office visit")
        CALL = "call", _("phone call")
        ONLINE = "online", _("online")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    contact = models.CharField(_("type of contact"), max_length=12, choices=Contact.choices)
    contact_on = models.DateField(_("date of contact"))
    minutes = models.PositiveSmallIntegerField(_("duration, minutes"), null=True, blank=True)
    # Encrypted at rest; a restricted case's notes are also kept out of the full-text index.
    text = EncryptedTextField(_("note"), max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    search_text = models.TextField(editable=False, default="")

    objects = CaseChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [models.Index(fields=["case", "-id"], name="note_case_newest")]

    def __str__(self) -> str:
        return f"{self.get_contact_display()} {self.contact_on}"


class TaskQuerySet(CaseChildQuerySet):
    def open(self) -> TaskQuerySet:
        return self.filter(done_at__isnull=True)

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """As their case, except a private task (a safety concern): only for the case team and its assignee."""
        from qadam.cases.access import team_q

        visible = super().visible_to(user)
        if not user.is_authenticated:
            return visible
        team_cases = Case.objects.filter(team_q(user))
        return visible.filter(models.Q(private=False) | models.Q(assignee_id=user.pk) | models.Q(case__in=team_cases))


class Task(TimeStamped):
    """Something to do for a case by a date, by someone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case"))
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("assigned to")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # A task raised by a safety concern: seen by the case team and whom it is for, not by all who see the case.
    private = models.BooleanField(_("only for the case team"), default=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"], name="task_assignee_due")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class AllegedPerpetrator(TimeStamped):
    """The person a survivor names as the one who harmed them, kept on the survivor's restricted case.

    The link lives only here, on a case only its team sees: the person's own record, pages, search entries
    and history never point back to it (no reverse relation from Person), and no worker may be on the team
    of both the survivor's case and a case of the person named (`qadam.cases.access.separation_conflict`).
    """

    class Relationship(models.TextChoices):
        PARTNER = "partner", _("husband, wife or partner")
        FORMER_PARTNER = "former_partner", _("former husband, wife or partner")
        PARENT = "parent", pgettext_lazy("alleged perpetrator", "parent")
        CHILD = "child", pgettext_lazy("alleged perpetrator", "adult son or daughter")
        RELATIVE = "relative", _("other relative, in-law")
        OTHER = "other", _("someone else")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="alleged_perpetrators", verbose_name=_("survivor's case")
    )
    # related_name "+": nothing on a person's side can reach the survivor's case.
    person = models.ForeignKey(
        "families.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person in the registry"),
    )
    relationship = models.CharField(_("relationship to the survivor"), max_length=16, choices=Relationship.choices)
    description = EncryptedTextField(
        _("what is known of them"),
        blank=True,
        help_text=_("Name, where they may be, anything the team needs to keep the survivor safe."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("alleged perpetrator")
        verbose_name_plural = _("alleged perpetrators")
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="perpetrator_once_per_case"),
        ]

    def __str__(self) -> str:
        return str(self.get_relationship_display())

    def clean(self) -> None:
        if self.case_id and not self.case.restricted:
            raise ValidationError(_("An alleged perpetrator is recorded only on a restricted case."))
        if self.person_id is None and not self.description.strip():
            raise ValidationError(_("Find the person in the registry by IIN, or describe them."))
        if self.case_id and self.person_id is not None and self.person_id == self.case.person_id:
            raise ValidationError({"person": _("This is the survivor's own record.")})
