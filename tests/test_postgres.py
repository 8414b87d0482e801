"""What only PostgreSQL does for us: a UTF-8 database whose ctype knows Cyrillic, the full-text index the
migrations build, and an audit log that the database itself refuses to change. Skipped on SQLite."""

import pytest
from django.db import DatabaseError, connection, transaction

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.audit.services import audit_record
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (DATABASE_URL)")


def one(sql: str, params: list | None = None) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()


def test_database_is_utf8_with_a_real_ctype(db):
    encoding, _collate, ctype = one(
        "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()"
    )
    assert encoding == "UTF8"
    assert ctype not in {"C", "POSIX"}, f"ctype {ctype!r} lowercases only ASCII"
    assert one("SELECT lower(%s)", ["ҚҰЛМАҒАМБЕТОВА"]) == ("құлмағамбетова",)
    assert one("SELECT upper(%s)", ["әңғүұқөһі"]) == ("ӘҢҒҮҰҚӨҺІ",)


def test_full_text_search_folds_cyrillic(db):
    assert one(
        "SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)",
        ["ҚҰЛМАҒАМБЕТОВА Әсел", "құлмаға:* & әсел"],
    ) == (True,)


def test_migrations_built_the_gin_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%\\_fts"])
        indexes = dict(cursor.fetchall())
    for table in ("cases_note", "families_person", "families_family"):
        assert table in indexes
        assert "gin" in indexes[table] and "search_vector" in indexes[table]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generation_expression FROM information_schema.columns "
                "WHERE table_name = %s AND column_name = 'search_vector'",
                [table],
            )
            assert "to_tsvector('simple'" in cursor.fetchone()[0]


def test_audit_log_is_append_only_in_the_database(db):
    user = make_user("aigerim", make_agency("ast", "71"), User.Role.SOCIAL_WORKER)
    entry = audit_record(actor=user, action="test", obj=user)

    # Raw SQL: the model and its queryset refuse earlier; this is the database's own refusal.
    with connection.cursor() as cursor:
        for sql in (
            "UPDATE audit_auditentry SET action = 'forged' WHERE id = %s",
            "DELETE FROM audit_auditentry WHERE id = %s",
        ):
            # atomic() inside the test's transaction is a savepoint, rolled back on the error.
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql, [entry.pk])

    # Rolled back to the savepoint: the test database still works and the entry is unchanged.
    assert AuditEntry.objects.get(pk=entry.pk).action == "test"
    assert audit_record(actor=user, action="test-again", obj=user).pk > entry.pk
