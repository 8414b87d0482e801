"""Full-text search over a model's `search_text`, the same on SQLite (FTS5) and PostgreSQL (tsvector).

The text is kept at save time by `qadam.lib.text.search_text` (normalised words and their loose forms);
on PostgreSQL a generated `search_vector` column holds its tsvector (the ORM never names it);
a query is loosened and each word matched as a prefix, all words required. The index is built by each
app's migration with `fts_operations(table)`.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.migrations.operations.special import RunPython
from django.db.models.expressions import RawSQL

from qadam.lib.text import query_terms


class SearchableQuerySet(models.QuerySet):
    def search(self, query: str) -> SearchableQuerySet:
        terms = query_terms(query)
        if not terms:
            return self
        table = self.model._meta.db_table
        if connection.vendor == "postgresql":
            condition = RawSQL(
                f"{connection.ops.quote_name(table)}.search_vector @@ to_tsquery('simple', %s)",
                [" & ".join(f"{t}:*" for t in terms)],
                output_field=models.BooleanField(),
            )
            return self.alias(_text_match=condition).filter(_text_match=True)
        match = " ".join(f'"{t}"*' for t in terms)
        return self.filter(pk__in=RawSQL(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s", [match]))


def _create_index(table: str, schema_editor: object) -> None:
    vendor = schema_editor.connection.vendor  # type: ignore[attr-defined]
    statements: list[str] = []
    if vendor == "sqlite":
        # External-content FTS5 table kept in step by triggers; we fold text ourselves, so no diacritic removal.
        statements = [
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5(search_text, content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0')",
            f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
            f"CREATE TRIGGER {table}_fts_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')",
        ]
    elif vendor == "postgresql":
        # A stored vector, not an expression index: a page of newest matches then filters rows cheaply
        # instead of parsing each row's text again.
        statements = [
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
            f"CREATE INDEX {table}_fts ON {table} USING gin (search_vector)",
        ]
    for sql in statements:
        schema_editor.execute(sql)  # type: ignore[attr-defined]


def _drop_index(table: str, schema_editor: object) -> None:
    vendor = schema_editor.connection.vendor  # type: ignore[attr-defined]
    if vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")  # type: ignore[attr-defined]
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")  # type: ignore[attr-defined]
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_fts")  # type: ignore[attr-defined]
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")  # type: ignore[attr-defined]


def fts_operation(table: str) -> RunPython:
    """The migration operation that builds (and on reverse drops) the full-text index of `table`."""
    return RunPython(
        lambda apps, schema_editor: _create_index(table, schema_editor),
        lambda apps, schema_editor: _drop_index(table, schema_editor),
    )
