"""Full-text search over a model's `search_text`, the same on SQLite (FTS5) and PostgreSQL (tsvector).

The text is kept at save time by `qadam.lib.text.search_text` (normalised words and their loose forms);
on PostgreSQL a generated `search_vector` column holds its tsvector (the ORM never names it);
a query is loosened and each word matched as a prefix, all words required. The index is built by each
app's migration with `fts_operations(table)`.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, connections, models
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


def _index_statements(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        # External-content FTS5 table kept in step by triggers; we fold text ourselves, so no diacritic removal.
        return [
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
    if vendor == "postgresql":
        # A stored vector, not an expression index: a page of newest matches then filters rows cheaply
        # instead of parsing each row's text again.
        return [
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
            f"CREATE INDEX {table}_fts ON {table} USING gin (search_vector)",
        ]
    return []


def _drop_statements(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        triggers = [f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}" for suffix in ("ai", "ad", "au")]
        return [*triggers, f"DROP TABLE IF EXISTS {table}_fts"]
    if vendor == "postgresql":
        return [f"DROP INDEX IF EXISTS {table}_fts", f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector"]
    return []


def fts_operation(table: str) -> RunPython:
    """The migration operation that builds (and on reverse drops) the full-text index of `table`."""

    def run(statements: list[str], schema_editor: Any) -> None:
        for sql in statements:
            schema_editor.execute(sql)

    return RunPython(
        lambda apps, editor: run(_index_statements(table, editor.connection.vendor), editor),
        lambda apps, editor: run(_drop_statements(table, editor.connection.vendor), editor),
    )


def searched_tables() -> list[str]:
    """The tables of the models that keep a `search_text`."""
    return [m._meta.db_table for m in apps.get_models() if any(f.name == "search_text" for f in m._meta.fields)]


def search_indexes_repair(*, using: str = "default", **kwargs: Any) -> list[str]:
    """Put back SQLite's full-text triggers where a migration lost them; returns the tables repaired.

    SQLite cannot alter a column in place, so Django rebuilds the whole table for many schema changes,
    and the triggers that keep the FTS5 index go with the old table. This runs after every `migrate`.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in searched_tables():
            if table not in existing:
                continue
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [f"{table}_fts_ai"])
            if cursor.fetchone():
                continue
            for sql in [*_drop_statements(table, "sqlite"), *_index_statements(table, "sqlite")]:
                cursor.execute(sql)
            repaired.append(table)
    return repaired
