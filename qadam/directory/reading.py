"""Reading an HSDS package safely: a folder or a .zip, with caps on sizes so that a zip bomb or a huge
file is refused with a message instead of filling memory, and each value checked against its HSDS type."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import posixpath
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from qadam.directory.package import Column

MAX_DESCRIPTOR_BYTES = 2 * 1024 * 1024  # datapackage.json
MAX_FILE_BYTES = 200 * 1024 * 1024  # one CSV file, uncompressed
MAX_PACKAGE_BYTES = 1024 * 1024 * 1024  # all files read, uncompressed
MAX_ZIP_RATIO = 100  # uncompressed / compressed size of a zip member
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 1_000_000  # rows of one CSV file
MAX_FIELD_CHARS = 131_072  # one CSV cell (the csv module's own default, so setting it changes nothing else)


@dataclass
class Problem:
    """Something refused or ignored: where (file, row, field) and why. Row 1 is the header line."""

    file: str
    message: str
    row: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += " " + _("row %(row)s") % {"row": self.row}
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.message}"


@dataclass
class PackageRefused(Exception):
    """The package as a whole cannot be imported (missing files, broken datapackage.json, wrong headers)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class _Capped(io.RawIOBase):
    """A reader that stops with PackageRefused past `limit` bytes, whatever the file claims about itself."""

    def __init__(self, raw: IO[bytes], limit: int, name: str, budget: list[int]) -> None:
        self.raw, self.limit, self.name, self.budget, self.read_so_far = raw, limit, name, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.read_so_far += len(data)
        self.budget[0] -= len(data)
        if self.read_so_far > self.limit:
            raise PackageRefused(
                [
                    Problem(
                        self.name,
                        _("The file is larger than the limit of %(mb)s MB.") % {"mb": self.limit // (1024 * 1024)},
                    )
                ]
            )
        if self.budget[0] < 0:
            raise PackageRefused(
                [
                    Problem(
                        self.name,
                        _("The package is larger than the limit of %(mb)s MB.")
                        % {"mb": MAX_PACKAGE_BYTES // (1024 * 1024)},
                    )
                ]
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


class Source:
    """The files of a package, in a folder or a zip (at its root or in one folder inside it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        self.budget = [MAX_PACKAGE_BYTES]
        if not path.exists():
            raise PackageRefused([Problem(str(path), _("There is no such file or folder."))])
        if path.is_file():
            try:
                self.zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError):
                raise PackageRefused([Problem(path.name, _("This is neither a folder nor a zip file."))]) from None
            self._check_zip()

    def _check_zip(self) -> None:
        assert self.zip is not None
        infos = self.zip.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise PackageRefused([Problem(self.path.name, _("The zip file holds too many files."))])
        for info in infos:
            if info.file_size > MAX_FILE_BYTES:
                raise PackageRefused(
                    [
                        Problem(
                            info.filename,
                            _("The file is larger than the limit of %(mb)s MB.")
                            % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
                        )
                    ]
                )
            if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
                raise PackageRefused(
                    [
                        Problem(
                            info.filename, _("The file is compressed suspiciously well (a zip bomb?); it was not read.")
                        )
                    ]
                )
        names = [i.filename for i in infos]
        if "datapackage.json" not in names:
            nested = [n for n in names if posixpath.basename(n) == "datapackage.json" and n.count("/") == 1]
            if len(nested) == 1:
                self.prefix = nested[0].rsplit("/", 1)[0] + "/"

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            try:
                self.zip.getinfo(self.prefix + name)
            except KeyError:
                return False
            return True
        return (self.path / name).is_file()

    def open(self, name: str, limit: int | None = None) -> IO[bytes]:
        limit = limit or MAX_FILE_BYTES
        if self.zip is not None:
            raw: IO[bytes] = self.zip.open(self.prefix + name)
        else:
            raw = (self.path / name).open("rb")
        return io.BufferedReader(_Capped(raw, limit, name, self.budget))

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def safe_member_path(path: Any) -> str | None:
    """A resource path that stays inside the package (no absolute path, no .., no URL), else None."""
    if not isinstance(path, str) or not path or "\\" in path or ":" in path or path.startswith("/"):
        return None
    normal = posixpath.normpath(path)
    if normal == "." or normal == ".." or normal.startswith("../"):
        return None
    return normal


def read_descriptor(source: Source) -> dict[str, Any]:
    if not source.exists("datapackage.json"):
        raise PackageRefused([Problem("datapackage.json", _("The package has no datapackage.json."))])
    try:
        with source.open("datapackage.json", MAX_DESCRIPTOR_BYTES) as f:
            descriptor = json.loads(f.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageRefused(
            [Problem("datapackage.json", _("It is not valid JSON: %(error)s") % {"error": error})]
        ) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageRefused([Problem("datapackage.json", _("It has no list of resources."))])
    return descriptor


def read_rows(source: Source, name: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a CSV file; the header is row 1 and comes first."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    with source.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            for number, cells in enumerate(reader, start=1):
                if number > MAX_ROWS + 1:
                    raise PackageRefused([Problem(name, _("The file has more than %(max)s rows.") % {"max": MAX_ROWS})])
                yield number, cells
        except UnicodeDecodeError:
            raise PackageRefused([Problem(name, _("The file is not UTF-8 text."))]) from None
        except csv.Error as error:
            raise PackageRefused(
                [Problem(name, _("The file is not valid CSV: %(error)s") % {"error": error}, row=reader.line_num)]
            ) from None


_url = URLValidator()


def convert(column: Column, raw: str) -> Any:
    """The value of one cell, or ValueError with a message for the user. Empty cells are None/""."""
    text = raw.strip()
    if not text:
        if column.required:
            raise ValueError(_("A value is required."))
        return "" if column.type == "string" and column.format != "uuid" and not column.integer else None
    if column.type == "string":
        if column.format == "uuid":
            try:
                return uuid.UUID(text)
            except ValueError:
                raise ValueError(_("“%(value)s” is not a UUID.") % {"value": text[:60]}) from None
        if column.format == "email":
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(_("“%(value)s” is not an email address.") % {"value": text[:60]}) from None
        if column.format == "uri":
            try:
                _url(text)
            except ValidationError:
                raise ValueError(_("“%(value)s” is not a full web address.") % {"value": text[:60]}) from None
        if column.enum and text not in column.enum:
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text[:60], "allowed": ", ".join(column.enum)}
            )
        if column.max_length is not None and len(text) > column.max_length:
            raise ValueError(_("Longer than %(max)s characters.") % {"max": column.max_length})
        return raw if column.format not in ("email", "uri") else text
    if column.type == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text[:60]}) from None
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text[:60]})
        if column.integer:
            if number != number.to_integral_value() or abs(number) > 2**31 - 1:
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text[:60]})
            return int(number)
        if column.decimals is not None:
            digits, places = column.decimals
            if abs(number) >= Decimal(10) ** (digits - places):
                raise ValueError(_("The number is too large."))
            if number.quantize(Decimal(1).scaleb(-places)) != number:
                raise ValueError(_("At most %(places)s digits after the decimal point.") % {"places": places})
        return number
    try:
        if column.type == "date":
            return dt.date.fromisoformat(text)
        if column.type == "time":
            value = dt.time.fromisoformat(text)
            return value.replace(tzinfo=None)
        if column.type == "datetime":
            moment = dt.datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a valid %(type)s (ISO 8601).") % {"value": text[:60], "type": column.type}
        ) from None
    return raw
