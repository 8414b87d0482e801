from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qadam.lib.crypto import EncryptedTextField, iin_index, phone_index
from qadam.lib.models import TimeStamped
from qadam.lib.search import SearchableQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qadam.accounts.models import User


def identifier_lookup(query: str, *, prefix: str = "") -> dict[str, str] | None:
    """The blind-index filter for a query that is a whole IIN (12 digits) or a whole phone number
    (10 digits, or 11 after +7 or 8); None for any other query."""
    compact = re.sub(r"[\s()\-]", "", query)
    if re.fullmatch(r"\d{12}", compact):
        return {f"{prefix}iin_index": iin_index(compact) or ""}
    if re.fullmatch(r"(\+7|8|7)?\d{10}", compact):
        return {f"{prefix}phone_index": phone_index(compact) or ""}
    return None


class PersonQuerySet(SearchableQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """The people a user may open: see qadam/cases/access.py for the rules."""
        from qadam.cases.access import person_q

        return self.filter(person_q(user))


class FamilyQuerySet(SearchableQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> Self:
        """The families a user may open: see qadam/cases/access.py for the rules."""
        from qadam.cases.access import family_q

        return self.filter(family_q(user))


class Person(TimeStamped):
    """Someone a service works with: a family member, a survivor, a child."""

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")

    class Citizenship(models.TextChoices):
        CITIZEN = "citizen", _("citizen of Kazakhstan")
        KANDAS = "kandas", _("kandas")
        REFUGEE = "refugee", _("refugee")
        STATELESS = "stateless", _("stateless person")
        FOREIGN = "foreign", _("foreign citizen")

    class Language(models.TextChoices):
        KAZAKH = "kk", _("Kazakh")
        RUSSIAN = "ru", _("Russian")
        OTHER = "other", pgettext_lazy("language", "other")

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    surname = models.CharField(_("surname"), max_length=80)
    given_name = models.CharField(_("given name"), max_length=80)
    patronymic = models.CharField(_("patronymic"), max_length=80, blank=True)
    # Encrypted at rest; found by exact value through the blind indexes below (qadam/lib/crypto.py).
    iin = EncryptedTextField(_("IIN"), max_length=12, null=True, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    citizenship = models.CharField(
        _("citizenship status"), max_length=10, choices=Citizenship.choices, default=Citizenship.CITIZEN
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.KAZAKH
    )
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True)
    # NULL, not "", for no value: the unique constraint on iin_index then holds only among real IINs.
    iin_index = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    phone_index = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)  # noqa: DJ001
    search_text = models.TextField(editable=False, default="")
    # Set when the person's household has a restricted case; never cleared by Qadam on its own.
    restricted = models.BooleanField(_("restricted"), default=False, editable=False)

    objects = PersonQuerySet.as_manager()

    # What a person's record says about them: the fields forms edit and the audit log follows.
    FIELDS = [
        "surname",
        "given_name",
        "patronymic",
        "iin",
        "birth_date",
        "sex",
        "citizenship",
        "preferred_language",
        "phone",
    ]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["agency", "-id"], name="person_agency_newest"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["iin_index"],
                condition=models.Q(iin_index__isnull=False),
                name="person_iin_once",
                violation_error_message=_("A person with this IIN is already registered."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("families:person_detail", kwargs={"pk": self.pk})

    def index_identifiers(self) -> None:
        """Compute the blind indexes of the IIN and phone, the only way they are looked up."""
        self.iin_index = iin_index(self.iin)
        self.phone_index = phone_index(self.phone)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    def age_on(self, day: date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())


class Family(TimeStamped):
    """A household: the people who live and keep house together."""

    class Housing(models.TextChoices):
        OWN = "own", _("own home")
        RENTED = "rented", _("rented")
        RELATIVES = "relatives", _("with relatives")
        DORMITORY = "dormitory", _("dormitory")
        SOCIAL = "social", _("social or service housing")
        TEMPORARY = "temporary", _("temporary shelter")
        NONE = "none", _("no fixed housing")

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    head = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="headed_families", verbose_name=_("head of household")
    )
    address = EncryptedTextField(_("address"), max_length=300, blank=True)
    housing = models.CharField(_("housing"), max_length=12, choices=Housing.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    search_text = models.TextField(editable=False, default="")
    restricted = models.BooleanField(_("restricted"), default=False, editable=False)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        indexes = [models.Index(fields=["agency", "-id"], name="family_agency_newest")]

    def __str__(self) -> str:
        return self.head.full_name

    def get_absolute_url(self) -> str:
        return reverse("families:detail", kwargs={"pk": self.pk})

    @property
    def latest_move(self) -> Move | None:
        """The most recent move; uses prefetched moves when the list view prefetched them."""
        moves = list(self.moves.all())
        return max(moves, key=lambda m: (m.moved_on, m.pk)) if moves else None


class Membership(TimeStamped):
    """A person's place in a household, by relationship to its head."""

    class Relationship(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse or partner")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("brother or sister")
        GRANDCHILD = "grandchild", _("grandchild")
        GRANDPARENT = "grandparent", _("grandparent")
        CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")
        OTHER_RELATIVE = "other_relative", _("other relative")
        NOT_RELATED = "not_related", _("not related")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("family"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    relationship = models.CharField(_("relationship to the head"), max_length=16, choices=Relationship.choices)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [models.UniqueConstraint(fields=["family", "person"], name="membership_once_per_family")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relationship_display()})"


class Move(TimeStamped):
    """One move of the household: where from, where to, when, under which programme and why."""

    class Programme(models.TextChoices):
        QUOTA_RESETTLER = "quota_resettler", _("resettler under the quota")
        KANDAS = "kandas", _("kandas")
        SELF_MOVING = "self_moving", _("moved on their own")
        OTHER = "other", pgettext_lazy("programme", "other")

    class Area(models.TextChoices):
        RURAL = "rural", _("rural")
        URBAN = "urban", _("urban")

    class Reason(models.TextChoices):
        JOBS = "jobs", _("jobs")
        INCOME = "income", _("income")
        HOUSING = "housing", _("housing")
        SCHOOLS = "schools", _("schools and education")
        HEALTH_CARE = "health_care", _("health care")
        FAMILY = "family", _("family reasons")
        OTHER = "other", pgettext_lazy("reason", "other")

    class Registration(models.TextChoices):
        PERMANENT = "permanent", _("permanent registration")
        TEMPORARY = "temporary", _("temporary registration")
        NONE = "none", _("not registered")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="moves", verbose_name=_("family"))
    # A move starts in a region of Kazakhstan or, for kandas and others coming home, in another country.
    origin_region = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("region of origin"),
    )
    origin_country = models.CharField(_("country of origin, if abroad"), max_length=100, blank=True)
    origin_locality = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("district or settlement of origin (KATO)"),
    )
    origin_place = models.CharField(_("place of origin"), max_length=200, blank=True)
    origin_area = models.CharField(_("rural or urban origin"), max_length=5, choices=Area.choices)
    destination_region = models.ForeignKey(
        "kato.KatoUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("region of destination")
    )
    destination_locality = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("district or settlement of destination (KATO)"),
    )
    moved_on = models.DateField(_("date of the move"))
    programme = models.CharField(_("programme"), max_length=16, choices=Programme.choices)
    reasons = models.JSONField(_("reasons for moving"), default=list, blank=True)
    reasons_other = models.CharField(_("other reason"), max_length=200, blank=True)
    registration = models.CharField(_("residence registration"), max_length=10, choices=Registration.choices)
    housing = models.CharField(_("housing after the move"), max_length=12, choices=Family.Housing.choices)

    # What a move records: the fields its form edits and the audit log follows.
    FIELDS = [
        "origin_region",
        "origin_country",
        "origin_locality",
        "origin_place",
        "origin_area",
        "destination_region",
        "destination_locality",
        "moved_on",
        "programme",
        "reasons",
        "reasons_other",
        "registration",
        "housing",
    ]

    class Meta:
        verbose_name = _("move")
        verbose_name_plural = _("migration history")
        ordering = ["-moved_on", "-id"]
        indexes = [models.Index(fields=["family", "-moved_on"], name="move_family_latest")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(origin_region__isnull=False) & models.Q(origin_country=""))
                | (models.Q(origin_region__isnull=True) & ~models.Q(origin_country="")),
                name="move_origin_in_kazakhstan_or_abroad",
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination_region}, {self.moved_on:%Y-%m-%d}"

    @property
    def origin(self) -> str:
        """Where the household came from: a region of Kazakhstan or a country."""
        return str(self.origin_region) if self.origin_region_id else self.origin_country

    def months_since(self, day: date | None = None) -> int:
        """Whole months from the move to `day` (today by default); derived, never stored."""
        day = day or timezone.localdate()
        months = (day.year - self.moved_on.year) * 12 + day.month - self.moved_on.month
        return max(0, months - (day.day < self.moved_on.day))

    def get_reasons_display(self) -> list[str]:
        labels = dict(self.Reason.choices)
        return [str(labels[r]) for r in self.reasons if r in labels]
