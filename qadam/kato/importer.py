"""Import of districts, rural districts and settlements from the official KATO spreadsheet.

The Bureau of National Statistics publishes KATO as .xlsx with the columns
`te, ab, cd, ef, hij, k, name_kaz, name_rus, nn`; `te` is the nine-digit code AB CD EF HIJ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from qadam.kato.models import KatoUnit

REQUIRED_COLUMNS = ("te", "name_kaz", "name_rus")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def level_of(code: str) -> int:
    if code[2:] == "0000000":
        return KatoUnit.Level.REGION
    if code[4:] == "00000":
        return KatoUnit.Level.DISTRICT
    if code[6:] == "000":
        return KatoUnit.Level.RURAL_DISTRICT
    return KatoUnit.Level.SETTLEMENT


def parent_of(code: str) -> str:
    level = level_of(code)
    keep = {2: 2, 3: 4, 4: 6}[int(level)]  # digits kept from the parent's level
    return code[:keep].ljust(9, "0")


def read_xlsx(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, the row by column name) for each row after the header."""
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        cells = ["" if c is None else str(c).strip() for c in row]
        if header is None:
            if "te" in [c.lower() for c in cells]:
                header = [c.lower() for c in cells]
            continue
        yield number, dict(zip(header, cells, strict=False))
    if header is None:
        raise ValueError(_("The spreadsheet has no header row with the column “te”."))


def _check(row: dict[str, str], known: set[str]) -> str | None:
    """Why a row cannot be imported, or None."""
    code = _code(row)
    if not _valid(row):
        return _("the code “%(code)s” is not nine digits") % {"code": row.get("te", "")}
    if not row.get("name_kaz") or not row.get("name_rus"):
        return _("a name in Kazakh or Russian is missing")
    if max(len(row["name_kaz"]), len(row["name_rus"])) > 200:
        return _("a name is longer than 200 characters")
    if level_of(code) == KatoUnit.Level.REGION:
        return None if code in known else _("region %(code)s is not one of the 20 current regions") % {"code": code}
    if parent_of(code) not in known:
        return _("its parent %(parent)s is not in the classifier") % {"parent": parent_of(code)}
    return None


@transaction.atomic
def import_kato(rows: Iterable[tuple[int, dict[str, str]]]) -> ImportReport:
    """Create or update places, parents before children; report every row that was refused and why."""
    report = ImportReport()
    known = set(KatoUnit.objects.values_list("code", flat=True))
    ordered = sorted(rows, key=lambda item: level_of(_code(item[1])) if _valid(item[1]) else 0)
    for number, row in ordered:
        reason = _check(row, known)
        if reason:
            report.refused.append((number, reason))
            continue
        code = _code(row)
        if level_of(code) == KatoUnit.Level.REGION:
            continue  # regions ship with Qadam, named in three languages
        _, created = KatoUnit.objects.update_or_create(
            code=code,
            defaults={
                "level": level_of(code),
                "parent_id": parent_of(code),
                "name_kk": row["name_kaz"],
                "name_ru": row["name_rus"],
            },
        )
        known.add(code)
        report.created += created
        report.updated += not created
    report.refused.sort()
    return report


def _code(row: dict[str, str]) -> str:
    value = row.get("te", "")
    return value[:-2] if value.endswith(".0") else value


def _valid(row: dict[str, str]) -> bool:
    code = _code(row)
    return len(code) == 9 and code.isdigit()
