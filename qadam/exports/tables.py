"""Writing a table row by row to CSV and/or Parquet in constant memory.

CSV goes through the `csv` module line by line; Parquet through `pyarrow.parquet.ParquetWriter`, one row
group each `ROW_GROUP` rows, so no more than one row group is held at a time.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 10_000
FORMATS = ("csv", "parquet")
# Column types: what Parquet stores; CSV writes the same values as text (empty for none).
TYPES = {"str": pa.string(), "int": pa.int32(), "float": pa.float64(), "bool": pa.bool_()}


class TableWriter:
    """One table of an export, written to every chosen format at once."""

    def __init__(self, folder: Path, name: str, columns: list[tuple[str, str]], formats: tuple[str, ...]) -> None:
        self.columns = [column for column, _ in columns]
        self.rows = 0
        self._csv_file = None
        self._csv: Any = None
        self._parquet: pq.ParquetWriter | None = None
        self._buffer: list[dict[str, Any]] = []
        if "csv" in formats:
            self._csv_file = (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
            self._csv = csv.writer(self._csv_file)
            self._csv.writerow(self.columns)
        if "parquet" in formats:
            self._schema = pa.schema([pa.field(column, TYPES[kind]) for column, kind in columns])
            self._parquet = pq.ParquetWriter(folder / f"{name}.parquet", self._schema)

    def write(self, row: dict[str, Any]) -> None:
        self.rows += 1
        if self._csv is not None:
            self._csv.writerow([_text(row[column]) for column in self.columns])
        if self._parquet is not None:
            self._buffer.append(row)
            if len(self._buffer) >= ROW_GROUP:
                self._flush()

    def _flush(self) -> None:
        if self._parquet is not None and self._buffer:
            self._parquet.write_table(pa.Table.from_pylist(self._buffer, schema=self._schema))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        if self._parquet is not None:
            self._parquet.close()
        if self._csv_file is not None:
            self._csv_file.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
