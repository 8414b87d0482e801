"""The service directory, modelled on Open Referral HSDS 3.0 (one model per HSDS table, same field names).

Every table of the HSDS Tabular Data Package has a model here with the HSDS column names, so import, export
and the read API are driven by the package description (`qadam/directory/hsds/datapackage.json`), not by
code per table. Ids are UUIDs, as HSDS requires.

Languages. HSDS gives a record one `name` and one `description`. Qadam keeps them as they are (`name`,
`description`: the text as published, in whatever language its source used) and adds translations in
Kazakh, Russian and English (`name_kk`, `name_ru`, `name_en`, `description_kk`, ...). A reader sees the
translation in their language, else the published text. In the HSDS package and API the translations
travel as **attributes** (the standard's extension mechanism): an `attribute` row linked to the record
(`link_entity` = table, `link_id` = record id) whose `taxonomy_term` is one of Qadam's own terms (taxonomy
"Qadam", codes `qadam:name_kk`, `qadam:description_ru`, ...) and whose `value` is the text. Those terms
are exported in `taxonomy_terms.csv`, so the package stays valid and another HSDS system keeps (and may
ignore) them. Attribute ids are derived from the record id and the term (uuid5), so exports are stable.

Needs. What a service helps with is linked to the FAA dimensions (D1–D7) and to case kinds
(`ServiceNeed`); in HSDS each is an attribute with a Qadam term `qadam:need:faa:D1`,
`qadam:need:case:poverty`, ... (the attribute id is the `ServiceNeed` id). A service area's KATO place
travels the same way (term `qadam:kato`, value = the KATO code). Attributes with any other term (another
directory's taxonomy) are kept as they came in `Attribute` and exported again unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("kk", "ru", "en")


def reader_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE or "kk")[:2]


class HsdsRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class Translated(models.Model):
    """Kazakh/Russian/English versions of `name` and `description`, beside the published HSDS text."""

    name_kk = models.TextField(_("name in Kazakh"), blank=True)
    name_ru = models.TextField(_("name in Russian"), blank=True)
    name_en = models.TextField(_("name in English"), blank=True)
    description_kk = models.TextField(_("description in Kazakh"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)

    class Meta:
        abstract = True

    def localized(self, field: str) -> str:
        language = reader_language()
        text = getattr(self, f"{field}_{language}", "") or getattr(self, field, "") or ""
        if text:
            return str(text)
        for other in LANGUAGES:
            if value := getattr(self, f"{field}_{other}", ""):
                return str(value)
        return ""

    @property
    def display_name(self) -> str:
        return self.localized("name")

    @property
    def display_description(self) -> str:
        return self.localized("description")


class Organization(HsdsRecord, Translated):
    """An organisation that delivers services; every Qadam agency is one (`agency`)."""

    name = models.TextField(_("name"))
    alternate_name = models.TextField(_("other name"), blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("email"), max_length=254, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    tax_status = models.TextField(_("tax status"), blank=True)
    tax_id = models.TextField(_("tax number"), blank=True)
    year_incorporated = models.IntegerField(_("year founded"), null=True, blank=True)
    legal_status = models.TextField(_("legal status"), blank=True)
    logo = models.TextField(_("logo"), blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    parent_organization_id = models.UUIDField(_("parent organisation"), null=True, blank=True)
    agency = models.OneToOneField(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directory_organization",
        verbose_name=_("Qadam agency"),
    )
    search_words = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("directory:organization", args=[self.pk])


class Program(HsdsRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs", verbose_name=_("organisation")
    )
    name = models.TextField(_("name"))
    alternate_name = models.TextField(_("other name"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class Service(HsdsRecord, Translated):
    """A service an organisation provides, with who may use it (eligibility) and what it costs."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        DEFUNCT = "defunct", _("defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services", verbose_name=_("organisation")
    )
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="services", verbose_name=_("programme")
    )
    name = models.TextField(_("name"))
    alternate_name = models.TextField(_("other name"), blank=True)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(_("interpretation"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("fees"), blank=True)
    wait_time = models.TextField(_("waiting time"), blank=True)
    fees = models.TextField(_("fees (old field)"), blank=True)
    accreditations = models.TextField(_("accreditations"), blank=True)
    eligibility_description = models.TextField(_("who may use it"), blank=True)
    minimum_age = models.DecimalField(_("minimum age"), max_digits=5, decimal_places=2, null=True, blank=True)
    maximum_age = models.DecimalField(_("maximum age"), max_digits=5, decimal_places=2, null=True, blank=True)
    assured_date = models.DateField(_("checked on"), null=True, blank=True)
    assurer_email = models.EmailField(_("checked by (email)"), max_length=254, blank=True)
    licenses = models.TextField(_("licences"), blank=True)
    alert = models.TextField(_("alert"), blank=True)
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)
    search_words = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="directory_service_ages_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("directory:service", args=[self.pk])


class ServiceNeed(HsdsRecord):
    """What a service helps with: an FAA dimension (D1–D7) or a kind of case; workers search by it."""

    class Kind(models.TextChoices):
        FAA = "faa", _("FAA dimension")
        CASE_KIND = "case", _("kind of case")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="needs", verbose_name=_("service"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=40)

    class Meta:
        verbose_name = _("need served")
        verbose_name_plural = _("needs served")
        constraints = [
            models.UniqueConstraint(fields=["service", "kind", "code"], name="directory_need_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class Location(HsdsRecord, Translated):
    class Type(models.TextChoices):
        PHYSICAL = "physical", _("physical")
        POSTAL = "postal", _("postal")
        VIRTUAL = "virtual", _("virtual")

    location_type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.PHYSICAL)
    url = models.URLField(_("web page"), max_length=500, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("organisation"),
    )
    name = models.TextField(_("name"), blank=True)
    alternate_name = models.TextField(_("other name"), blank=True)
    description = models.TextField(_("description"), blank=True)
    transportation = models.TextField(_("how to get there"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    external_identifier = models.TextField(_("external identifier"), blank=True)
    external_identifier_type = models.TextField(_("external identifier type"), blank=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.display_name or str(self.id)


class ServiceAtLocation(HsdsRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations", verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations", verbose_name=_("location")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


def _fk(model: str, related_name: str, label: Any) -> models.ForeignKey:
    return models.ForeignKey(
        model, on_delete=models.CASCADE, null=True, blank=True, related_name=related_name, verbose_name=label
    )


class Contact(HsdsRecord):
    organization = _fk("Organization", "contacts", _("organisation"))
    service = _fk("Service", "contacts", _("service"))
    service_at_location = _fk("ServiceAtLocation", "contacts", _("service at a location"))
    location = _fk("Location", "contacts", _("location"))
    name = models.TextField(_("name"), blank=True)
    title = models.TextField(_("title"), blank=True)
    department = models.TextField(_("department"), blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(HsdsRecord):
    location = _fk("Location", "phones", _("location"))
    service = _fk("Service", "phones", _("service"))
    organization = _fk("Organization", "phones", _("organisation"))
    contact = _fk("Contact", "phones", _("contact"))
    service_at_location = _fk("ServiceAtLocation", "phones", _("service at a location"))
    number = models.CharField(_("number"), max_length=100)
    extension = models.IntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=50, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Address(HsdsRecord):
    class Type(models.TextChoices):
        PHYSICAL = "physical", _("physical")
        POSTAL = "postal", _("postal")
        VIRTUAL = "virtual", _("virtual")

    location = _fk("Location", "addresses", _("location"))
    attention = models.TextField(_("for the attention of"), blank=True)
    address_1 = models.TextField(_("address"))
    address_2 = models.TextField(_("address, second line"), blank=True)
    city = models.TextField(_("city"))
    region = models.TextField(_("district"), blank=True)
    state_province = models.TextField(_("region"))
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2)
    address_type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.PHYSICAL)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city) if p)


class Schedule(HsdsRecord):
    """Opening hours as HSDS has them (RFC 5545 recurrence parts: freq, byday, opens_at, closes_at...)."""

    class Weekday(models.TextChoices):
        MO = "MO", _("Monday")
        TU = "TU", _("Tuesday")
        WE = "WE", _("Wednesday")
        TH = "TH", _("Thursday")
        FR = "FR", _("Friday")
        SA = "SA", _("Saturday")
        SU = "SU", _("Sunday")

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", _("weekly")
        MONTHLY = "MONTHLY", _("monthly")

    service = _fk("Service", "schedules", _("service"))
    location = _fk("Location", "schedules", _("location"))
    service_at_location = _fk("ServiceAtLocation", "schedules", _("service at a location"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    dtstart = models.DateField(_("first day"), null=True, blank=True)
    timezone = models.DecimalField(_("UTC offset"), max_digits=4, decimal_places=2, null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.IntegerField(_("number of times"), null=True, blank=True)
    wkst = models.CharField(_("week starts on"), max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(_("frequency"), max_length=7, choices=Freq.choices, blank=True)
    interval = models.IntegerField(_("interval"), null=True, blank=True)
    byday = models.CharField(_("days"), max_length=100, blank=True)
    byweekno = models.CharField(_("weeks"), max_length=100, blank=True)
    bymonthday = models.CharField(_("days of the month"), max_length=100, blank=True)
    byyearday = models.CharField(_("days of the year"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = models.URLField(_("link"), max_length=500, blank=True)
    attending_type = models.TextField(_("attending"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class Funding(HsdsRecord):
    organization = _fk("Organization", "funding", _("organisation"))
    service = _fk("Service", "funding", _("service"))
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self) -> str:
        return self.source


class ServiceArea(HsdsRecord):
    """Where a service is available; `kato` ties it to a KATO place (a region covers its districts)."""

    service = _fk("Service", "service_areas", _("service"))
    name = models.TextField(_("name"), blank=True)
    description = models.TextField(_("description"), blank=True)
    extent = models.TextField(_("extent"), blank=True)
    extent_type = models.CharField(_("extent type"), max_length=50, blank=True)
    uri = models.TextField(_("URI"), blank=True)
    kato = models.ForeignKey(
        "kato.KatoUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KATO place"),
    )

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name or (str(self.kato) if self.kato_id else str(self.id))


class RequiredDocument(HsdsRecord):
    service = _fk("Service", "required_documents", _("service"))
    document = models.TextField(_("document"), blank=True)
    uri = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.document


class Language(HsdsRecord):
    """A language spoken at a service, location or phone (`code`: ISO 639, e.g. kk, ru, en)."""

    service = _fk("Service", "languages", _("service"))
    location = _fk("Location", "languages", _("location"))
    phone = _fk("Phone", "languages", _("phone"))
    name = models.TextField(_("name"), blank=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name or self.code


class Accessibility(HsdsRecord):
    location = _fk("Location", "accessibility", _("location"))
    description = models.TextField(_("description"), blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description


class CostOption(HsdsRecord):
    """A fee (in tenge unless `currency` says otherwise)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="cost_options", verbose_name=_("service")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    option = models.TextField(_("option"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = models.TextField(_("about the amount"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="directory_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.option or str(self.amount or "")


class OrganizationIdentifier(HsdsRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers", verbose_name=_("organisation")
    )
    identifier_scheme = models.TextField(_("scheme"), blank=True)
    identifier_type = models.TextField(_("type"))
    identifier = models.TextField(_("identifier"))

    class Meta:
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")

    def __str__(self) -> str:
        return self.identifier


class Taxonomy(HsdsRecord):
    name = models.TextField(_("name"))
    description = models.TextField(_("description"))
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsRecord):
    code = models.TextField(_("code"), blank=True)
    name = models.TextField(_("name"))
    description = models.TextField(_("description"))
    parent_id = models.UUIDField(_("parent term"), null=True, blank=True)
    taxonomy = models.TextField(_("taxonomy name"), blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    taxonomy_detail = models.ForeignKey(
        Taxonomy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_column="taxonomy_id",
        related_name="terms",
        verbose_name=_("taxonomy"),
    )
    term_uri = models.URLField(_("URI"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self) -> str:
        return self.name


class Attribute(HsdsRecord):
    """An HSDS attribute Qadam does not interpret itself (another directory's taxonomy), kept for export."""

    link_id = models.UUIDField(_("linked record"))
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes", verbose_name=_("taxonomy term")
    )
    link_type = models.TextField(_("link type"), blank=True)
    link_entity = models.CharField(_("linked table"), max_length=50)
    value = models.TextField(_("value"), blank=True)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        indexes = [models.Index(fields=["link_entity", "link_id"], name="directory_attribute_link")]

    def __str__(self) -> str:
        return f"{self.link_entity}:{self.link_id}"


class Metadata(HsdsRecord):
    resource_id = models.UUIDField(_("record"))
    resource_type = models.CharField(_("record type"), max_length=50)
    last_action_date = models.DateField(_("date"))
    last_action_type = models.TextField(_("action"))
    field_name = models.TextField(_("field"))
    previous_value = models.TextField(_("previous value"))
    replacement_value = models.TextField(_("new value"))
    updated_by = models.TextField(_("by"))

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.resource_id}"


class MetaTableDescription(HsdsRecord):
    name = models.TextField(_("name"), blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    character_set = models.CharField(_("character set"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("table description")
        verbose_name_plural = _("table descriptions")

    def __str__(self) -> str:
        return self.name


class AuditHandle(models.Model):
    """An integer handle for a directory record in the audit log, whose `target_id` is an integer while
    HSDS ids are UUIDs. Curation audits against the handle; `record_type`/`record_id` say what changed, and
    `agency` makes the entry show in the log of the agency the organisation belongs to."""

    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.UUIDField(_("record"))
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )

    class Meta:
        verbose_name = _("directory record in the audit log")
        verbose_name_plural = _("directory records in the audit log")
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="directory_audit_handle_once"),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"
