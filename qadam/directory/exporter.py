"""`qadam directory export`: the whole directory as an HSDS 3.0 Tabular Data Package (folder or .zip).

Every HSDS table is written, with the standard's columns in the standard's order and rows ordered by id,
next to the standard's own `datapackage.json`; so the same directory always exports byte for byte the same
package, and export → import → export is identical. Qadam's translations, needs and KATO places become
attribute rows with Qadam's taxonomy terms (see models.py).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qadam.directory.models import ServiceArea, ServiceNeed
from qadam.directory.package import (
    KATO_CODE,
    TRANSLATED_FIELDS,
    TRANSLATED_TABLES,
    attribute_id,
    format_value,
    need_code,
    qadam_taxonomy_rows,
    standard_package,
    tables,
    term_id,
    translation_code,
)

LANGUAGES = ("kk", "ru", "en")
CHUNK = 2000


def _records(model: Any, attnames: list[str]) -> Iterator[dict[str, Any]]:
    yield from model._default_manager.order_by("pk").values(*attnames).iterator(chunk_size=CHUNK)


def qadam_attributes() -> list[dict[str, Any]]:
    """Attribute rows for Qadam's translations, needs and KATO places (model attnames as keys)."""
    rows: list[dict[str, Any]] = []
    for table_name in TRANSLATED_TABLES:
        model = tables()[table_name].model
        names = [f"{f}_{lang}" for f in TRANSLATED_FIELDS for lang in LANGUAGES]
        for record in model._default_manager.values("pk", *names).iterator(chunk_size=CHUNK):
            for name in names:
                if text := record[name]:
                    code = translation_code(*name.rsplit("_", 1))
                    rows.append(_attribute(attribute_id(record["pk"], code), record["pk"], table_name, code, text))
    for need in ServiceNeed.objects.values("pk", "service_id", "kind", "code").iterator(chunk_size=CHUNK):
        code = need_code(need["kind"], need["code"])
        rows.append(_attribute(need["pk"], need["service_id"], "service", code, ""))
    areas = ServiceArea.objects.exclude(kato=None).values("pk", "kato_id")
    for area in areas.iterator(chunk_size=CHUNK):
        rows.append(
            _attribute(attribute_id(area["pk"], KATO_CODE), area["pk"], "service_area", KATO_CODE, area["kato_id"])
        )
    return rows


def _attribute(pk: Any, link_id: Any, entity: str, code: str, value: str) -> dict[str, Any]:
    return {
        "id": pk,
        "link_id": link_id,
        "taxonomy_term_id": term_id(code),
        "link_type": "",
        "link_entity": entity,
        "value": value,
    }


def table_rows(name: str) -> list[dict[str, Any]]:
    """The rows of one HSDS table, as model values by attname, ordered by id."""
    table = tables()[name]
    attnames = [c.attname for c in table.columns]
    rows = list(_records(table.model, attnames))
    if name == "attribute":
        rows += qadam_attributes()
    elif name in ("taxonomy", "taxonomy_term"):
        taxonomy, terms = qadam_taxonomy_rows()
        own = [taxonomy] if name == "taxonomy" else terms
        stored = {row["id"] for row in rows}
        rows += [{a: row[a] for a in attnames} for row in own if row["id"] not in stored]
    rows.sort(key=lambda row: str(row["id"]))
    return rows


def _csv(name: str) -> bytes:
    table = tables()[name]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    attnames = [c.attname for c in table.columns]
    for row in table_rows(name):
        writer.writerow([format_value(row[a]) for a in attnames])
    return buffer.getvalue().encode("utf-8")


def export_files() -> dict[str, bytes]:
    """Every file of the package by its path."""
    files = {"datapackage.json": json.dumps(standard_package(), indent=2, ensure_ascii=False).encode("utf-8")}
    for name, table in tables().items():
        files[table.path] = _csv(name)
    return dict(sorted(files.items()))


def export_package(path: Path) -> dict[str, int]:
    """Write the package to `path`: a .zip when the name ends so, else a folder. Returns rows per file."""
    files = export_files()
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                # A fixed date makes the same directory give the same zip.
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (path / name).write_bytes(data)
    return {name: max(data.count(b"\r\n") - 1, 0) for name, data in files.items() if name.endswith(".csv")}
