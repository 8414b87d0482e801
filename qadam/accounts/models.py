from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from qadam.lib.models import TimeStamped


def default_break_glass_roles() -> list[str]:
    return ["supervisor"]


class Agency(TimeStamped):
    """An organisation that serves families: a social-service centre, a crisis centre, an NGO."""

    class Kind(models.TextChoices):
        SOCIAL_SERVICE_CENTRE = "social_service_centre", _("state social-service centre")
        CAREER_CENTRE = "career_centre", _("career centre")
        CRISIS_CENTRE = "crisis_centre", _("crisis centre")
        NGO = "ngo", _("non-governmental organisation")
        AKIMAT_DEPARTMENT = "akimat_department", _("akimat department")

    code = models.SlugField(_("short code"), max_length=20, unique=True, help_text=_("Used in case numbers."))
    name_kk = models.CharField(_("name in Kazakh"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    region = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"level": 1},
    )
    phone = models.CharField(_("phone for other agencies"), max_length=20, blank=True)
    break_glass_roles = models.JSONField(
        _("roles that may open a restricted record in an emergency"), default=default_break_glass_roles, blank=True
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        language = (get_language() or "kk")[:2]
        return {"kk": self.name_kk, "ru": self.name_ru}.get(language, self.name_en)


class User(AbstractUser):
    """A person who works in Qadam, belonging to one agency with one role."""

    class Role(models.TextChoices):
        REGISTRAR = "registrar", _("registrar")
        SOCIAL_WORKER = "social_worker", _("social worker")
        SUPERVISOR = "supervisor", _("supervisor")
        AGENCY_ADMIN = "agency_admin", _("agency administrator")
        REGIONAL_COORDINATOR = "regional_coordinator", _("regional coordinator")
        RESEARCHER = "researcher", _("researcher")
        SYSTEM_ADMIN = "system_admin", _("system administrator")

    class Language(models.TextChoices):
        KAZAKH = "kk", "Қазақша"
        RUSSIAN = "ru", "Русский"
        ENGLISH = "en", "English"

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SOCIAL_WORKER)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
        verbose_name=_("supervisor"),
        limit_choices_to={"role": "supervisor"},
    )
    coordinated_agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="coordinators",
        verbose_name=_("agencies coordinated"),
        help_text=_("For a regional coordinator: the agencies whose records they may read."),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KAZAKH)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_named_records(self) -> bool:
        """Researchers work with aggregates and system administrators with configuration: no named records."""
        return self.agency_id is not None and self.role not in {self.Role.RESEARCHER, self.Role.SYSTEM_ADMIN}

    @property
    def writes_records(self) -> bool:
        """Regional coordinators read across agencies but change nothing."""
        return self.sees_named_records and self.role != self.Role.REGIONAL_COORDINATOR

    @property
    def writes_case_notes(self) -> bool:
        return self.role in {self.Role.SOCIAL_WORKER, self.Role.SUPERVISOR, self.Role.AGENCY_ADMIN}

    @property
    def manages_cases(self) -> bool:
        return self.role in {self.Role.SOCIAL_WORKER, self.Role.SUPERVISOR, self.Role.AGENCY_ADMIN}
