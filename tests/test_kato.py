"""KATO: the regions ship with Qadam; districts and settlements come from the official spreadsheet."""

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from qadam.kato.models import KatoUnit


def test_the_twenty_regions_ship_with_names_in_three_languages(db):
    regions = KatoUnit.objects.filter(level=KatoUnit.Level.REGION)
    assert regions.count() == 20
    assert {r.region_code for r in regions.filter(is_city=True)} == {"71", "75", "79"}
    assert regions.get(code="620000000").name_kk == "Ұлытау облысы"
    assert all(r.name_kk and r.name_ru and r.name_en for r in regions)


@pytest.fixture
def spreadsheet(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Классификатор административно-территориальных объектов"])
    sheet.append(["te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus", "nn"])
    rows = [
        ("611000000", "Сарыағаш ауданы", "Сарыагашский район"),
        ("611030000", "Жылға ауылдық округі", "Жилгинский сельский округ"),
        ("611030100", "Жылға ауылы", "село Жилга"),
        ("611030200", "", "село без казахского названия"),
        ("12345", "Қате", "Ошибка"),
        ("990000000", "Жоқ облыс", "Несуществующая область"),
        ("641000000", "Ескі аудан", "Старый район"),
        ("611040100", "Жетім ауыл", "Село без округа"),
    ]
    for code, kk, ru in rows:
        sheet.append([code, code[:2], code[2:4], code[4:6], code[6:], "", kk, ru, ""])
    path = tmp_path / "kato.xlsx"
    book.save(path)
    return path


def test_import_reports_refused_rows_and_loads_the_rest(spreadsheet, capsys, db):
    call_command("kato", "import", str(spreadsheet))
    out = capsys.readouterr().out
    assert KatoUnit.objects.get(code="611030100").parent_id == "611030000"
    assert KatoUnit.objects.get(code="611000000").level == KatoUnit.Level.DISTRICT
    assert KatoUnit.objects.get(code="611000000").parent_id == "610000000"
    for row in (6, 7, 8, 9, 10):  # the title and the header come first
        assert f"Row {row} refused" in out
    assert "3 places added, 0 updated, 5 rows refused." in out
    call_command("kato", "import", str(spreadsheet))
    assert "0 places added, 3 updated" in capsys.readouterr().out


def test_import_of_a_file_that_is_not_kato(tmp_path, db):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.xlsx"
    Workbook().save(bad)
    with pytest.raises(CommandError):
        call_command("kato", "import", str(bad))
    with pytest.raises(CommandError):
        call_command("kato", "import", str(tmp_path / "missing.xlsx"))
