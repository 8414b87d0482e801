from django.db import migrations, models


def drop_fts(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A database migrated with 0001 alone may have got FTS5 triggers for `search_text` (SQLite only)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in ("directory_organization", "directory_service"):
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}_fts")


class Migration(migrations.Migration):
    """`search_text` would get qadam.lib.search's FTS5 triggers, which need integer ids; directory ids are
    UUIDs, so the words live in `search_words` (see qadam/directory/searching.py)."""

    dependencies = [
        ("directory", "0001_directory"),
    ]

    operations = [
        migrations.RunPython(drop_fts, migrations.RunPython.noop),
        migrations.RenameField(model_name="organization", old_name="search_text", new_name="search_words"),
        migrations.RenameField(model_name="service", old_name="search_text", new_name="search_words"),
        migrations.AlterField(
            model_name="organization",
            name="description",
            field=models.TextField(verbose_name="description"),
        ),
    ]
