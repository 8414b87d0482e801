from django.db import migrations

from qadam.lib.search import fts_operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_notes_tasks")]
    operations = [fts_operation("cases_note")]
