from django.db import migrations

from qadam.kato.regions import REGIONS, region_kato_code


def load_regions(apps, schema_editor):
    KatoUnit = apps.get_model("kato", "KatoUnit")
    for code, kk, ru, en, is_city in REGIONS:
        KatoUnit.objects.update_or_create(
            code=region_kato_code(code),
            defaults={"level": 1, "name_kk": kk, "name_ru": ru, "name_en": en, "is_city": is_city},
        )


class Migration(migrations.Migration):
    dependencies = [("kato", "0001_kato_units")]
    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
