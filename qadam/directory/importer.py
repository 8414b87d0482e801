"""`qadam directory import`: an HSDS 3.0 Tabular Data Package into the directory.

What is refused, and how:
- The **package as a whole** is refused, and nothing is written, when it cannot be read as HSDS: no or broken
  `datapackage.json`, a resource path outside the package, a file it lists that is missing, one of the core
  tables (organization, service, location) missing, a header that lacks a column HSDS requires or a column
  the package's own schema declares, a file that is not UTF-8 CSV or is over the size caps.
- A **row** is refused, and reported with its file, row number (the header is row 1), field and reason, when
  a value has the wrong type, a required value is missing, an id repeats, or it refers to a record that is
  neither in the package nor in the directory (or was itself refused). Every other row is imported, all in
  one transaction. Unknown tables and columns are ignored and reported.
- Records are matched by id: importing the same package again updates them (idempotent). Import adds and
  updates, never deletes. Qadam's own attributes (translations, needs, KATO places; see models.py) are
  applied to the records they point at, which must be in the same package.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from qadam.directory.models import AuditHandle, ServiceNeed, Taxonomy, TaxonomyTerm
from qadam.directory.package import (
    CORE_TABLES,
    KATO_CODE,
    TRANSLATED_TABLES,
    Table,
    qadam_taxonomy_rows,
    qadam_term_codes_by_id,
    tables,
)
from qadam.directory.reading import (
    PackageRefused,
    Problem,
    Source,
    convert,
    read_descriptor,
    read_rows,
    safe_member_path,
)
from qadam.directory.searching import organization_search_text, service_search_text
from qadam.kato.models import KatoUnit

BATCH = 500
Row = tuple[int, dict[str, Any]]  # row number, values by model attname


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    refused: list[Problem] = field(default_factory=list)
    ignored: list[Problem] = field(default_factory=list)


@dataclass
class _Resource:
    table: Table
    path: str
    declared: list[str] | None  # the column names the package's own schema declares


def import_package(path: Path, *, by: Any = None) -> ImportReport:
    """Import the package at `path` (a folder or a .zip); raises PackageRefused when it is refused whole."""
    report = ImportReport()
    source = Source(path)
    try:
        resources = _resources(source, read_descriptor(source), report)
        parsed = {name: _parse(source, resource, report) for name, resource in resources.items()}
        fatal = [p for p in report.refused if p.row is None]
        if fatal:
            raise PackageRefused(fatal)
    finally:
        source.close()
    with transaction.atomic():
        _ensure_qadam_taxonomy()
        accepted = _check_references(parsed, report)
        extras = _qadam_attributes(accepted, report)
        _write(accepted, extras, report)
        from qadam.audit.services import audit_record

        handle = AuditHandle.objects.create(record_type="import", record_id=uuid.uuid4())
        audit_record(
            actor=by,
            action="directory_imported",
            obj=handle,
            changes={"created": report.created, "updated": report.updated, "refused": len(report.refused)},
        )
    return report


def _resources(source: Source, descriptor: dict[str, Any], report: ImportReport) -> dict[str, _Resource]:
    known = tables()
    found: dict[str, _Resource] = {}
    problems: list[Problem] = []
    for index, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict):
            problems.append(Problem("datapackage.json", _("Resource %(n)s is not an object.") % {"n": index + 1}))
            continue
        name, path = resource.get("name"), safe_member_path(resource.get("path"))
        if name not in known:
            report.ignored.append(
                Problem(
                    "datapackage.json",
                    _("Resource “%(name)s” is not an HSDS table; it was ignored.") % {"name": str(name)[:60]},
                )
            )
            continue
        if path is None:
            problems.append(
                Problem("datapackage.json", _("Resource “%(name)s” has no path inside the package.") % {"name": name})
            )
            continue
        if name in found:
            problems.append(Problem("datapackage.json", _("Resource “%(name)s” is listed twice.") % {"name": name}))
            continue
        if not source.exists(path):
            problems.append(Problem(path, _("The file is listed in datapackage.json but missing.")))
            continue
        schema = resource.get("schema")
        declared = None
        if isinstance(schema, dict) and isinstance(schema.get("fields"), list):
            declared = [str(f.get("name")) for f in schema["fields"] if isinstance(f, dict)]
        found[name] = _Resource(known[name], path, declared)
    for core in CORE_TABLES:
        if core not in found and not any(p.message and core in p.message for p in problems):
            problems.append(
                Problem("datapackage.json", _("The core HSDS table “%(name)s” is missing.") % {"name": core})
            )
    if problems:
        raise PackageRefused(problems)
    return {name: found[name] for name in known if name in found}


def _parse(source: Source, resource: _Resource, report: ImportReport) -> list[Row]:
    """The rows of one file with their values converted; rows with bad values are refused and reported."""
    table, name = resource.table, resource.path
    rows = read_rows(source, name)
    header = next(rows, (1, []))[1]
    by_name = {c.name: c for c in table.columns}
    if len(set(header)) != len(header):
        report.refused.append(Problem(name, _("The header names a column twice.")))
        return []
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    if resource.declared is not None:
        missing += [d for d in resource.declared if d not in header and d not in missing]
    if missing:
        report.refused.append(
            Problem(name, _("The header lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}, row=None)
        )
        return []
    for column_name in header:
        if column_name not in by_name:
            report.ignored.append(
                Problem(
                    name, _("Column “%(column)s” is not in HSDS; it was ignored.") % {"column": column_name[:60]}, row=1
                )
            )
    positions = [(i, by_name[h]) for i, h in enumerate(header) if h in by_name]
    present = {c.name for _i, c in positions}
    absent = [c for c in table.columns if c.name not in present]
    uniques: dict[str, set[Any]] = {c.name: set() for _i, c in positions if c.unique}
    parsed: list[Row] = []
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            report.refused.append(
                Problem(
                    name,
                    _("The row has %(found)s cells, the header %(expected)s.")
                    % {"found": len(cells), "expected": len(header)},
                    row=number,
                )
            )
            continue
        values: dict[str, Any] = {}
        ok = True
        for position, column in positions:
            try:
                value = convert(column, cells[position])
            except ValueError as error:
                report.refused.append(Problem(name, str(error), row=number, field=column.name))
                ok = False
                continue
            if column.unique and value not in (None, ""):
                if value in uniques[column.name]:
                    report.refused.append(
                        Problem(name, _("The value repeats one of an earlier row."), row=number, field=column.name)
                    )
                    ok = False
                uniques[column.name].add(value)
            values[column.attname] = value
        for column in absent:
            values[column.attname] = None if column.type != "string" or column.format == "uuid" else ""
        if ok and (message := _row_rule(table.name, values)):
            report.refused.append(Problem(name, message[1], row=number, field=message[0]))
            ok = False
        if ok:
            parsed.append((number, values))
    return parsed


def _row_rule(table: str, values: dict[str, Any]) -> tuple[str, str] | None:
    """Rules of Qadam's database beyond the HSDS types (a refused row rather than a failed transaction)."""
    if table == "service":
        low, high = values.get("minimum_age"), values.get("maximum_age")
        if low is not None and high is not None and low > high:
            return "maximum_age", _("The maximum age is below the minimum age.")
    if table == "cost_option" and values.get("amount") is not None and values["amount"] < 0:
        return "amount", _("A fee cannot be negative.")
    return None


def _ensure_qadam_taxonomy() -> None:
    taxonomy, terms = qadam_taxonomy_rows()
    Taxonomy.objects.update_or_create(id=taxonomy["id"], defaults=taxonomy)
    existing = set(TaxonomyTerm.objects.filter(id__in=[t["id"] for t in terms]).values_list("id", flat=True))
    TaxonomyTerm.objects.bulk_create([TaxonomyTerm(**t) for t in terms if t["id"] not in existing])


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(model: type[models.Model], ids: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    for chunk in _chunks(list(ids)):
        found.update(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _check_references(parsed: dict[str, list[Row]], report: ImportReport) -> dict[str, list[Row]]:
    """The rows whose references resolve, in import order; the others refused with the field and reason."""
    known = tables()
    accepted: dict[str, list[Row]] = {}
    accepted_ids: dict[str, set[Any]] = defaultdict(set)
    refused_ids: dict[str, set[Any]] = defaultdict(set)
    for name, rows in parsed.items():
        table = known[name]
        columns = {c.name: c for c in table.columns}
        wanted: dict[str, set[Any]] = defaultdict(set)
        for _number, values in rows:
            for column_name, target in table.references.items():
                value = values.get(columns[column_name].attname)
                if value is not None and value not in accepted_ids[target]:
                    wanted[target].add(value)
        in_database = {target: _existing(known[target].model, ids) for target, ids in wanted.items()}
        file = table.path
        good: list[Row] = []
        for number, values in rows:
            ok = True
            for column_name, target in table.references.items():
                value = values.get(columns[column_name].attname)
                if value is None or value in accepted_ids[target] or value in in_database.get(target, ()):
                    continue
                ok = False
                if value in refused_ids[target]:
                    message = _("It refers to %(table)s %(id)s, whose row was refused.")
                else:
                    message = _("It refers to %(table)s %(id)s, which is neither in the package nor in the directory.")
                report.refused.append(Problem(file, message % {"table": target, "id": value}, number, column_name))
            if ok:
                good.append((number, values))
                accepted_ids[name].add(values["id"])
            else:
                refused_ids[name].add(values["id"])
        accepted[name] = good
    return accepted


@dataclass
class _Extras:
    translations: dict[tuple[str, Any], dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    needs: list[dict[str, Any]] = field(default_factory=list)
    kato: dict[Any, str] = field(default_factory=dict)


def _qadam_attributes(accepted: dict[str, list[Row]], report: ImportReport) -> _Extras:
    """Take Qadam's own attributes out of the attribute rows and apply them; the others stay attributes."""
    extras = _Extras()
    rows = accepted.get("attribute", [])
    if not rows:
        return extras
    codes = qadam_term_codes_by_id()
    file = tables()["attribute"].path
    ids = {
        name: {values["id"] for _n, values in accepted.get(name, [])} for name in (*TRANSLATED_TABLES, "service_area")
    }
    kato_codes = {values["value"] for _n, values in rows if codes.get(values["taxonomy_term_id"]) == KATO_CODE}
    known_kato = set(KatoUnit.objects.filter(code__in=kato_codes).values_list("code", flat=True))
    seen_needs: set[tuple[Any, str, str]] = set()
    plain: list[Row] = []
    for number, values in rows:
        code = codes.get(values["taxonomy_term_id"])
        if code is None:
            plain.append((number, values))
            continue
        entity, link = values["link_entity"], values["link_id"]
        parts = code.split(":")
        if code == KATO_CODE:
            if entity != "service_area" or link not in ids["service_area"]:
                message = _("A KATO attribute must point at a service area in the same package.")
            elif values["value"] not in known_kato:
                message = _("“%(code)s” is not a KATO code.") % {"code": values["value"][:20]}
            else:
                extras.kato[link] = values["value"]
                continue
        elif parts[1] == "need":
            if entity != "service" or link not in ids["service"]:
                message = _("A need must point at a service in the same package.")
            elif (link, parts[2], parts[3]) in seen_needs:
                report.ignored.append(Problem(file, _("The need repeats an earlier row."), number, "value"))
                continue
            else:
                seen_needs.add((link, parts[2], parts[3]))
                extras.needs.append({"id": values["id"], "service_id": link, "kind": parts[2], "code": parts[3]})
                continue
        elif entity not in TRANSLATED_TABLES or link not in ids[entity]:
            message = _("A translation must point at an organization, service or location in the same package.")
        else:
            extras.translations[(entity, link)][parts[1]] = values["value"]
            continue
        report.refused.append(Problem(file, message, number, "link_id"))
    accepted["attribute"] = plain
    return extras


def _write(accepted: dict[str, list[Row]], extras: _Extras, report: ImportReport) -> None:
    """Write the accepted rows as plain dicts (model instances would cost more than the writing)."""
    known = tables()
    for name, rows in accepted.items():
        table = known[name]
        fields = [c.attname for c in table.columns if c.attname != "id"]
        records = [values for _n, values in rows]
        if name in TRANSLATED_TABLES:
            translated = [f"{f}_{lang}" for f in ("name", "description") for lang in ("kk", "ru", "en")]
            fields += translated
            for record in records:
                given = extras.translations.get((name, record["id"]), {})
                for attname in translated:
                    record[attname] = given.get(attname, "")
        if name in ("organization", "service"):
            fields.append("search_words")
            text = organization_search_text if name == "organization" else service_search_text
            for record in records:
                record["search_words"] = text(SimpleNamespace(**record))
        if name == "service_area":
            fields.append("kato_id")
            for record in records:
                record["kato_id"] = extras.kato.get(record["id"])
        created, updated = _upsert(table.model, records, fields)
        report.created[name], report.updated[name] = created, updated
    services = [values["id"] for _n, values in accepted.get("service", [])]
    for chunk in _chunks(services):
        ServiceNeed.objects.filter(service_id__in=chunk).delete()
    _insert(ServiceNeed, extras.needs)
    if extras.needs:
        report.created["need"] = len(extras.needs)


def _upsert(model: type[models.Model], records: list[dict[str, Any]], fields: list[str]) -> tuple[int, int]:
    """Insert the new records and update the changed ones; returns (created, updated).

    New rows go in with one prepared INSERT per batch (executemany), without the ORM's per-object SQL
    building, which is most of the time of a large import. Existing rows are compared with the database
    and only changed ones are written, so importing the same package again writes nothing.
    """
    existing: dict[Any, tuple[Any, ...]] = {}
    for chunk in _chunks([r["id"] for r in records]):
        for row in model._default_manager.filter(pk__in=chunk).values_list("pk", *fields):
            existing[row[0]] = tuple(row[1:])
    _insert(model, [r for r in records if r["id"] not in existing])
    updated = 0
    for record in records:
        if record["id"] not in existing:
            continue
        values = tuple(record[f] for f in fields)
        if values != existing[record["id"]]:
            model._default_manager.filter(pk=record["id"]).update(**dict(zip(fields, values, strict=True)))
            updated += 1
    return len(records) - len(existing), updated


def _converter(field: Any, vendor_uuid: bool) -> Any:
    """How a value of `field` goes to the database: as it is for text and numbers, hex for a UUID where the
    database has no UUID type, else the field's own preparation."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind == "UUIDField":
        return (lambda v: v) if vendor_uuid else (lambda v: None if v is None else v.hex)
    if kind in {"TextField", "CharField", "IntegerField", "BigAutoField", "BigIntegerField", "BooleanField"}:
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)


def _insert(model: type[models.Model], records: Sequence[dict[str, Any]]) -> None:
    if not records:
        return
    concrete = list(model._meta.concrete_fields)
    native_uuid = connection.features.has_native_uuid_field
    plan = [(f.attname, f.get_default(), _converter(f, native_uuid)) for f in concrete]
    quote = connection.ops.quote_name
    # Table and column names come from the model; the values travel as parameters.
    columns = ", ".join(quote(str(f.column)) for f in concrete)
    placeholders = ", ".join(["%s"] * len(concrete))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for chunk in _chunks(records, 2000):
            cursor.executemany(sql, [[prepare(r.get(name, default)) for name, default, prepare in plan] for r in chunk])
