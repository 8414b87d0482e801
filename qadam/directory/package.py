"""The HSDS 3.0 Tabular Data Package as Qadam reads and writes it: tables, fields, types, Qadam's own terms.

Everything here comes from the copy of the standard's `datapackage.json` in `hsds/`; a table's model is the
one with the same HSDS name, its columns the model fields with the same name (or db column). Qadam's own
taxonomy (translations, needs, KATO) has fixed ids derived with uuid5, so every export names the same terms.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models

from qadam.directory import models as m

HSDS_DIR = Path(__file__).resolve().parent / "hsds"
HSDS_VERSION = "3.0.0"

# HSDS table -> model. Order is the order of import: every table after the tables it refers to.
MODELS: dict[str, type[models.Model]] = {
    "taxonomy": m.Taxonomy,
    "taxonomy_term": m.TaxonomyTerm,
    "organization": m.Organization,
    "organization_identifier": m.OrganizationIdentifier,
    "program": m.Program,
    "service": m.Service,
    "location": m.Location,
    "service_at_location": m.ServiceAtLocation,
    "contact": m.Contact,
    "phone": m.Phone,
    "language": m.Language,
    "address": m.Address,
    "schedule": m.Schedule,
    "funding": m.Funding,
    "service_area": m.ServiceArea,
    "required_document": m.RequiredDocument,
    "accessibility": m.Accessibility,
    "cost_option": m.CostOption,
    "metadata": m.Metadata,
    "meta_table_description": m.MetaTableDescription,
    "attribute": m.Attribute,
}
# The HSDS core tables (core_tables.csv): a package without them is not a directory.
CORE_TABLES = ("organization", "service", "location")
# Records that carry kk/ru/en translations as attributes.
TRANSLATED_TABLES = ("organization", "service", "location")
TRANSLATED_FIELDS = ("name", "description")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, number, date, time, datetime
    format: str  # uuid, email, uri or ""
    required: bool
    unique: bool
    enum: tuple[str, ...]
    attname: str  # model attribute
    integer: bool
    max_length: int | None
    decimals: tuple[int, int] | None  # max_digits, decimal_places of a DecimalField


@dataclass
class Table:
    name: str
    path: str
    model: type[models.Model]
    columns: list[Column]
    references: dict[str, str] = field(default_factory=dict)  # column -> referenced table

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@cache
def standard_package() -> dict[str, Any]:
    with (HSDS_DIR / "datapackage.json").open(encoding="utf-8") as f:
        result: dict[str, Any] = json.load(f)
    return result


def _model_field(model: type[models.Model], column: str) -> models.Field:
    for f in model._meta.concrete_fields:
        if f.attname == column or f.column == column or f.name == column:
            return f
    raise LookupError(f"{model.__name__} has no field for HSDS column {column}")


@cache
def tables() -> dict[str, Table]:
    """The HSDS tables in import order."""
    resources = {r["name"]: r for r in standard_package()["resources"]}
    result: dict[str, Table] = {}
    for name, model in MODELS.items():
        resource = resources[name]
        columns = []
        for spec in resource["schema"]["fields"]:
            constraints = spec.get("constraints", {})
            model_field = _model_field(model, spec["name"])
            columns.append(
                Column(
                    name=spec["name"],
                    type=spec.get("type", "string"),
                    format=spec.get("format", ""),
                    required=bool(constraints.get("required")),
                    unique=bool(constraints.get("unique")),
                    enum=tuple(constraints.get("enum", ())),
                    attname=model_field.attname,
                    integer=isinstance(model_field, models.IntegerField),
                    max_length=getattr(model_field, "max_length", None)
                    if isinstance(model_field, models.CharField)
                    else None,
                    decimals=(model_field.max_digits, model_field.decimal_places)
                    if isinstance(model_field, models.DecimalField)
                    else None,
                )
            )
        references = {fk["fields"]: fk["reference"]["resource"] for fk in resource["schema"].get("foreignKeys", [])}
        result[name] = Table(name=name, path=resource["path"], model=model, columns=columns, references=references)
    return result


# --- Qadam's own taxonomy ------------------------------------------------------------------------------------

QADAM_NAMESPACE = uuid.UUID("6f1d7a52-8c1e-4b0e-9d36-2a5b7f0c4e11")
QADAM_TAXONOMY_ID = uuid.uuid5(QADAM_NAMESPACE, "taxonomy")
FAA_DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
KATO_CODE = "qadam:kato"


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(QADAM_NAMESPACE, f"term:{code}")


def translation_code(field_name: str, language: str) -> str:
    return f"qadam:{field_name}_{language}"


def need_code(kind: str, code: str) -> str:
    return f"qadam:need:{kind}:{code}"


def attribute_id(link_id: uuid.UUID, code: str) -> uuid.UUID:
    """A stable id for an attribute Qadam derives from a record (a translation, a KATO code)."""
    return uuid.uuid5(QADAM_NAMESPACE, f"attribute:{link_id}:{code}")


@cache
def qadam_terms() -> dict[str, dict[str, str]]:
    """Qadam's taxonomy terms by code: {code: {name, description}} (English: they are data, not interface)."""
    from qadam.cases.models import Case

    terms: dict[str, dict[str, str]] = {}
    language_names = {"kk": "Kazakh", "ru": "Russian", "en": "English"}
    for field_name in TRANSLATED_FIELDS:
        for language, language_name in language_names.items():
            terms[translation_code(field_name, language)] = {
                "name": f"{field_name} in {language_name}",
                "description": f"The record's {field_name} in {language_name}; the attribute's value is the text.",
            }
    for dimension in FAA_DIMENSIONS:
        terms[need_code("faa", dimension)] = {
            "name": f"FAA dimension {dimension}",
            "description": f"The service helps with dimension {dimension} of Qadam's family adaptation assessment.",
        }
    for kind in Case.Kind.values:
        terms[need_code("case", kind)] = {
            "name": f"case kind {kind}",
            "description": f"The service helps families whose Qadam case is of the kind '{kind}'.",
        }
    terms[KATO_CODE] = {
        "name": "KATO code",
        "description": "The service area is this KATO place (Kazakhstan's classifier of administrative units); "
        "the attribute's value is the 9-digit code.",
    }
    return terms


def qadam_taxonomy_rows() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Qadam's taxonomy and its terms as model field values."""
    taxonomy = {
        "id": QADAM_TAXONOMY_ID,
        "name": "Qadam",
        "description": "Qadam's own terms: translations of names and descriptions, needs a service meets "
        "(FAA dimensions, case kinds) and KATO places of service areas.",
        "uri": "",
        "version": "1",
    }
    terms = [
        {
            "id": term_id(code),
            "code": code,
            "name": text["name"],
            "description": text["description"],
            "parent_id": None,
            "taxonomy": "Qadam",
            "language": "en",
            "taxonomy_detail_id": QADAM_TAXONOMY_ID,
            "term_uri": "",
        }
        for code, text in qadam_terms().items()
    ]
    return taxonomy, terms


def qadam_term_codes_by_id() -> dict[uuid.UUID, str]:
    return {term_id(code): code for code in qadam_terms()}


# --- values ----------------------------------------------------------------------------------------------------


def format_value(value: Any) -> str:
    """A model value as HSDS CSV text: empty for none, numbers without trailing zeros, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def json_value(value: Any) -> Any:
    """A model value as HSDS JSON: numbers as numbers, ids and dates as strings, empty text as null."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool | int | float):
        return value
    return format_value(value)
