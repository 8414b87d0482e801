from django.db import migrations

from qadam.lib.search import fts_operation


class Migration(migrations.Migration):
    dependencies = [("families", "0001_families_people_moves")]
    operations = [fts_operation("families_person"), fts_operation("families_family")]
