"""The full-text index survives migrations: SQLite rebuilds tables on schema changes and drops their triggers."""

from datetime import date

import pytest
from django.db import connection

from qadam.families.models import Person
from qadam.families.services import person_register
from qadam.lib.search import search_indexes_repair, searched_tables


def test_every_searched_table_is_indexed(db):
    assert set(searched_tables()) == {"families_person", "families_family", "cases_note"}
    with connection.cursor() as cursor:
        for table in searched_tables():
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{table}_fts_%"]
                )
                assert cursor.fetchone()[0] == 3, table
            else:
                cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = %s", [f"{table}_fts"])
                assert cursor.fetchone()[0] == 1, table


def test_lost_triggers_are_put_back_with_the_index_rebuilt(worker):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds tables")
    person_register(by=worker, surname="Бекмұхамедова", given_name="Айым", birth_date=date(1999, 9, 9), sex="female")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER families_person_fts_ai")
    person_register(by=worker, surname="Бекмұхамедов", given_name="Ерасыл", birth_date=date(1998, 8, 8), sex="male")
    assert Person.objects.search("бекмух").count() == 1  # the second insert missed the index
    assert search_indexes_repair() == ["families_person"]
    assert Person.objects.search("бекмух").count() == 2
    assert search_indexes_repair() == []
