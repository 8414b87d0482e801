"""XLSForm import: spreadsheets written here with openpyxl, read through pyxform, loaded by the engine.

No database: the import is a pure function from a workbook to a checked definition.
"""

import random
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from qadam.assessments.engine.definition import DefinitionError, Problem
from qadam.assessments.engine.scoring import score
from qadam.assessments.engine.xlsform import (
    choice_value,
    import_xlsform,
    language_code,
    parse_condition,
    parse_range,
    semantic_version,
)

EN, RU, KK = "label::English (en)", "label::Russian (ru)", "label::Kazakh (kk)"
KAZAKH_LETTERS = "әғқңөұүһі"


def label(en: str, ru: str, kk: str) -> dict[str, str]:
    return {EN: en, RU: ru, KK: kk}


def fill(sheet: Worksheet, title: str, rows: list[dict[str, Any]]) -> None:
    """A header from the rows' keys, then one line per row; an empty dict leaves a blank line."""
    sheet.title = title
    header = list(dict.fromkeys(key for row in rows for key in row))
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in header])


def xlsform(
    tmp_path: Path,
    survey: list[dict[str, Any]] | None,
    choices: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    name: str = "form.xlsx",
) -> Path:
    """Write a real .xlsx; the first survey row is spreadsheet row 2."""
    workbook = Workbook()
    if survey is None:
        workbook.active.title = "notes"  # a second sheet, so it is not taken as the survey
        workbook.create_sheet("about")
    else:
        fill(workbook.active, "survey", survey)
    if choices is not None:
        fill(workbook.create_sheet(), "choices", choices)
    if settings is not None:
        fill(workbook.create_sheet(), "settings", [settings])
    path = tmp_path / name
    workbook.save(path)
    return path


def refused(path_or_file: Any, **kwargs: Any) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        import_xlsform(path_or_file, **kwargs)
    return caught.value.problems


def problem_at(problems: list[Problem], where: str) -> Problem:
    found = [p for p in problems if p.where == where]
    assert found, f"no problem at {where!r}; problems: {[str(p) for p in problems]}"
    return found[0]


AGREE_LABELS = [
    ("Never", "Никогда", "Ешқашан"),
    ("Sometimes", "Иногда", "Кейде"),
    ("Often", "Часто", "Жиі"),
    ("Always", "Всегда", "Әрқашан"),
]
AGREE = [{"list_name": "agree", "name": str(v), **label(*texts)} for v, texts in enumerate(AGREE_LABELS)]
NEEDS = [
    {"list_name": "needs", "name": "food", **label("Food", "Еда", "Тамақ")},
    {"list_name": "needs", "name": "work", **label("Work", "Работа", "Жұмыс")},
    {"list_name": "needs", "name": "other", **label("Something else", "Другое", "Басқа")},
]
SETTINGS = {
    "form_title::English (en)": "Home check",
    "form_title::Russian (ru)": "Проверка дома",
    "form_title::Kazakh (kk)": "Үйді тексеру",
    "form_id": "home_check",
    "version": "2024010101",
    "default_language": "English (en)",
}
INTRO_KK = "Біз сізге бірнеше сұрақ қоямыз: үй, өмір, ағайын, жиһаз, әке, мың."
FORM = [
    {
        "type": "note",
        "name": "intro",
        **label("We will ask a few questions.", "Мы зададим несколько вопросов.", INTRO_KK),
    },
    {"type": "begin group", "name": "home", **label("Home", "Дом", "Үй")},
    {
        "type": "select_one agree",
        "name": "safe",
        **label("I feel safe at home", "Я чувствую себя дома в безопасности", "Мен үйде өзімді қауіпсіз сезінемін"),
        "hint::English (en)": "Think of the last month",
        "hint::Russian (ru)": "Подумайте о последнем месяце",
        "hint::Kazakh (kk)": "Соңғы айды ойлаңыз",
        "required": "yes",
        "qadam_scale": "home_score",
    },
    {
        "type": "select_one agree",
        "name": "worry",
        **label("I worry about money", "Я беспокоюсь о деньгах", "Мен ақша туралы алаңдаймын"),
        "qadam_scale": "home_score",
        "qadam_reverse": "yes",
    },
    {"type": "end group"},
    {
        "type": "integer",
        "name": "children",
        **label("How many children live with you?", "Сколько детей живёт с вами?", "Сізбен қанша бала тұрады?"),
        "constraint": ". >= 0 and . <= 20",
        "required": "true",
    },
    {
        "type": "decimal",
        "name": "income",
        **label("Monthly income", "Месячный доход", "Айлық табыс"),
        "relevant": "${safe} = 3",
    },
    {
        "type": "select_multiple needs",
        "name": "needs",
        **label("What do you need?", "Что вам нужно?", "Сізге не керек?"),
    },
    {
        "type": "text",
        "name": "needs_other",
        **label("What else?", "Что ещё?", "Тағы не?"),
        "relevant": "selected(${needs}, 'other')",
    },
    {"type": "date", "name": "arrived", **label("Date of arrival", "Дата прибытия", "Келген күні")},
]


@pytest.fixture
def home_check(tmp_path: Path) -> Path:
    return xlsform(tmp_path, FORM, AGREE + NEEDS, SETTINGS)


# ----------------------------------------------------------------------------------------------------------
# A translated form


def test_translated_form_becomes_an_instrument(home_check):
    imported = import_xlsform(home_check)
    definition, instrument = imported.definition, imported.instrument

    assert definition["schema"] == "qadam-instrument/1"
    assert (definition["id"], definition["version"]) == ("home_check", "0.0.2024010101")
    assert definition["title"] == {"en": "Home check", "ru": "Проверка дома", "kk": "Үйді тексеру"}
    assert definition["languages"] == ["kk", "ru", "en"]
    assert definition["licence"]["shipped"] is False
    assert instrument.id == "home_check"
    assert list(instrument.items) == ["intro", "safe", "worry", "children", "income", "needs", "needs_other", "arrived"]
    types = {item.id: item.type for item in instrument.items.values()}
    assert types == {
        "intro": "note",
        "safe": "single",
        "worry": "single",
        "children": "number",
        "income": "number",
        "needs": "multiple",
        "needs_other": "text",
        "arrived": "date",
    }


def test_groups_become_sections_and_loose_questions_keep_their_order(home_check):
    sections = import_xlsform(home_check).definition["sections"]

    assert [(s["id"], [i["id"] for i in s["items"]]) for s in sections] == [
        ("main", ["intro"]),
        ("home", ["safe", "worry"]),
        ("main_2", ["children", "income", "needs", "needs_other", "arrived"]),
    ]
    assert sections[1]["title"] == {"en": "Home", "ru": "Дом", "kk": "Үй"}
    assert sections[0]["title"] == {"en": "Home check", "ru": "Проверка дома", "kk": "Үйді тексеру"}  # the form's


def test_texts_keep_every_language_and_the_kazakh_letters(home_check):
    instrument = import_xlsform(home_check).instrument

    intro = instrument.items["intro"]
    assert intro.text["kk"] == INTRO_KK
    assert set(KAZAKH_LETTERS) <= set(intro.text["kk"].lower())
    assert instrument.items["safe"].hint == {
        "en": "Think of the last month",
        "ru": "Подумайте о последнем месяце",
        "kk": "Соңғы айды ойлаңыз",
    }
    assert instrument.items["safe"].options[3].label == {"en": "Always", "ru": "Всегда", "kk": "Әрқашан"}


def test_choices_become_response_sets_with_numbers_where_names_are_numbers(home_check):
    definition = import_xlsform(home_check).definition

    assert [o["value"] for o in definition["response_sets"]["agree"]["options"]] == [0, 1, 2, 3]
    assert [o["value"] for o in definition["response_sets"]["needs"]["options"]] == ["food", "work", "other"]
    items = {i["id"]: i for s in definition["sections"] for i in s["items"]}
    assert items["safe"]["response_set"] == "agree"
    assert items["needs"]["response_set"] == "needs"


def test_a_plain_range_constraint_becomes_min_and_max(home_check):
    children = import_xlsform(home_check).instrument.items["children"]

    assert (children.min, children.max) == (0, 20)


def test_relevant_expressions_that_map(home_check):
    items = import_xlsform(home_check).instrument.items

    income, other = items["income"].relevant, items["needs_other"].relevant
    assert income is not None and (income.item, income.op, income.values) == ("safe", "equals", (3,))
    assert other is not None and (other.item, other.op, other.values) == ("needs", "selected", ("other",))
    assert income.holds({"safe": 3}) and not income.holds({"safe": "declined"})


def test_required_is_carried_as_a_note_only(home_check):
    imported = import_xlsform(home_check)

    note = problem_at(imported.notes, "survey column “required”")
    assert "never forces an answer" in note.message
    assert "safe, children" in note.message
    assert all(item.allow_declined for item in imported.instrument.items.values() if item.answerable)


def test_the_date_like_version_is_noted(home_check):
    notes = import_xlsform(home_check).notes

    assert "0.0.2024010101" in problem_at(notes, "settings sheet").message


# ----------------------------------------------------------------------------------------------------------
# Scoring from Qadam's own columns


def test_qadam_scale_builds_a_percent_scale_that_scores(home_check):
    instrument = import_xlsform(home_check).instrument

    assert instrument.definition["scales"] == [
        {"id": "home_score", "items": ["safe", "worry"], "method": "percent", "min_answered": 0.667}
    ]
    assert instrument.items["worry"].reverse is True
    # By hand: safe 3; worry answered 1, reverse on 0..3 -> 3 - 1 = 2; percent = 100 * (3 + 2) / (3 + 3) = 83.3
    assert score(instrument, {"safe": 3, "worry": 1}).score_of("home_score") == 83
    # "prefer not to answer" is never a 0: one answer of two is below two thirds, so there is no score
    assert score(instrument, {"safe": 3, "worry": "declined"}).score_of("home_score") is None


def test_qadam_method_and_weights(tmp_path):
    survey = [
        {"type": "select_one agree", "name": "a", **label("A", "А", "А"), "qadam_scale": "s", "qadam_weight": "2"},
        {"type": "select_one agree", "name": "b", **label("B", "Б", "Б"), "qadam_scale": "s", "qadam_weight": 1},
    ]
    settings = {**SETTINGS, "qadam_method": "weighted"}
    instrument = import_xlsform(xlsform(tmp_path, survey, AGREE, settings)).instrument

    assert instrument.scales["s"].method == "weighted"
    assert (instrument.items["a"].weight, instrument.items["b"].weight) == (2, 1)
    assert score(instrument, {"a": 3, "b": 0}).score_of("s") == 2  # (2*3 + 1*0) / 3


def test_bad_qadam_columns_are_refused(tmp_path):
    survey = [
        {"type": "select_one agree", "name": "a", **label("A", "А", "А"), "qadam_reverse": "maybe"},
        {"type": "select_one agree", "name": "b", **label("B", "Б", "Б"), "qadam_weight": "-1"},
    ]
    problems = refused(xlsform(tmp_path, survey, AGREE, {**SETTINGS, "qadam_method": "median"}))

    assert "maybe" in problem_at(problems, "survey row 2 (name: a)").message
    assert "-1" in problem_at(problems, "survey row 3 (name: b)").message
    assert "median" in problem_at(problems, "settings sheet").message


def test_a_scale_on_text_answers_is_refused_at_its_row(tmp_path):
    survey = [{"type": "select_multiple needs", "name": "n", **label("N", "Н", "Н"), "qadam_scale": "s"}]
    problems = refused(xlsform(tmp_path, survey, NEEDS, SETTINGS))

    assert "cannot be scored" in problem_at(problems, "survey row 2 (name: n)").message


# ----------------------------------------------------------------------------------------------------------
# Settings and languages


def test_plain_label_goes_to_the_default_language(tmp_path):
    survey = [{"type": "text", "name": "q", "label": "Как вас зовут?", "label::kk": "Атыңыз кім?"}]
    settings = {"form_title": "Анкета", "form_id": "anketa", "version": "1.2.0", "default_language": "Russian (ru)"}
    imported = import_xlsform(xlsform(tmp_path, survey, settings=settings))

    assert imported.instrument.items["q"].text == {"ru": "Как вас зовут?", "kk": "Атыңыз кім?"}
    assert imported.definition["version"] == "1.2.0"
    assert imported.definition["languages"] == ["ru"]  # the title is only in Russian
    assert any("“kk”" in note.message for note in imported.notes)


def test_without_settings_english_is_the_default_and_the_file_name_the_id(tmp_path):
    path = xlsform(tmp_path, [{"type": "text", "name": "q", "label": "Name?"}], name="intake_form.xlsx")
    imported = import_xlsform(path)

    assert imported.definition["id"] == "intake_form"
    assert imported.definition["version"] == "1.0.0"
    assert imported.definition["title"] == {"en": "intake_form"}
    assert imported.instrument.items["q"].text == {"en": "Name?"}
    assert len(imported.notes) >= 3  # no form_id, no version, no title


def test_id_and_version_given_replace_the_settings(home_check):
    definition = import_xlsform(home_check, instrument_id="home-check-kz", version="2.1.0").definition

    assert (definition["id"], definition["version"]) == ("home-check-kz", "2.1.0")


def test_a_version_that_is_no_version_is_refused(tmp_path):
    path = xlsform(tmp_path, [{"type": "text", "name": "q", "label": "Q"}], settings={"version": "spring edition"})

    assert "spring edition" in problem_at(refused(path), "settings sheet").message
    assert refused(xlsform(tmp_path, [{"type": "text", "name": "q", "label": "Q"}]), version="2024.1")


def test_a_language_without_a_code_is_noted_and_left_out(tmp_path):
    survey = [{"type": "text", "name": "q", EN: "Name?", "label::Deutsch": "Name?"}]
    imported = import_xlsform(xlsform(tmp_path, survey))

    assert imported.instrument.items["q"].text == {"en": "Name?"}
    assert any("Deutsch" in note.message for note in imported.notes)


# ----------------------------------------------------------------------------------------------------------
# Groups


def test_nested_groups_are_flattened_with_a_note(tmp_path):
    survey = [
        {"type": "begin group", "name": "outer", "label": "Outer"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "begin group", "name": "inner", "label": "Inner"},
        {"type": "text", "name": "b", "label": "B"},
        {"type": "end group"},
        {"type": "end group"},
    ]
    imported = import_xlsform(xlsform(tmp_path, survey))

    assert [(s["id"], [i["id"] for i in s["items"]]) for s in imported.definition["sections"]] == [
        ("outer", ["a", "b"])
    ]
    assert "outer" in problem_at(imported.notes, "survey row 4 (name: inner)").message


def test_a_group_condition_is_given_to_each_of_its_questions(tmp_path):
    survey = [
        {"type": "select_one agree", "name": "q", "label": "Q"},
        {"type": "begin group", "name": "more", "label": "More", "relevant": "${q} = '0'"},
        {"type": "text", "name": "a", "label": "A"},
        {"type": "text", "name": "b", "label": "B", "relevant": "${a} = 'x'"},
        {"type": "end group"},
    ]
    choices = [{"list_name": "agree", "name": "0", "label": "No"}, {"list_name": "agree", "name": "1", "label": "Yes"}]
    problems = refused(xlsform(tmp_path, survey, choices))

    assert "takes one" in problem_at(problems, "survey row 5 (name: b)").message
    del survey[3]
    items = import_xlsform(xlsform(tmp_path, survey, choices)).definition["sections"][1]["items"]
    assert items[0]["relevant"] == {"item": "q", "equals": 0}


# ----------------------------------------------------------------------------------------------------------
# Refused


@pytest.mark.parametrize(
    "expression",
    [
        "${q} = '1' and ${q} = '2'",
        "${q} = '1' or ${t} = 'x'",
        "string-length(${t}) > 3",
        "${n} + 1 > 3",
        "${t} != ''",
        "${t} = ''",
        "${n} > 3",
        "not(selected(${m}, 'food'))",
    ],
)
def test_relevant_expressions_that_do_not_map_are_refused_naming_row_and_expression(tmp_path, expression):
    survey = [
        {"type": "select_one agree", "name": "q", "label": "Q"},
        {"type": "text", "name": "t", "label": "T"},
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "select_multiple needs", "name": "m", "label": "M"},
        {},
        {"type": "note", "name": "late", "label": "Late", "relevant": expression},
    ]
    choices = [{"list_name": "agree", "name": "1", "label": "Yes"}, {"list_name": "agree", "name": "2", "label": "No"}]
    choices += [{"list_name": "needs", "name": "food", "label": "Food"}]
    problems = refused(xlsform(tmp_path, survey, choices))

    assert len(problems) == 1
    assert problems[0].where == "survey row 7 (name: late)"
    assert expression in problems[0].message


def test_relevant_mapped_by_the_question_it_names(tmp_path):
    survey = [
        {"type": "select_one yn", "name": "q", "label": "Q"},
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "text", "name": "t", "label": "T"},
        {"type": "note", "name": "a", "label": "A", "relevant": "selected(${q}, '1')"},
        {"type": "note", "name": "b", "label": "B", "relevant": "${n} = '4'"},
        {"type": "note", "name": "c", "label": "C", "relevant": '${t} = "5"'},
    ]
    choices = [{"list_name": "yn", "name": "1", "label": "Yes"}, {"list_name": "yn", "name": "0", "label": "No"}]
    items = import_xlsform(xlsform(tmp_path, survey, choices)).definition["sections"][0]["items"]

    assert [i.get("relevant") for i in items[3:]] == [
        {"item": "q", "equals": 1},  # selected() on a single choice is the same as equals
        {"item": "n", "equals": 4},
        {"item": "t", "equals": "5"},
    ]


def test_equals_on_a_multiple_choice_is_refused(tmp_path):
    survey = [
        {"type": "select_multiple needs", "name": "m", "label": "M"},
        {"type": "note", "name": "a", "label": "A", "relevant": "${m} = 'food'"},
    ]
    problems = refused(xlsform(tmp_path, survey, NEEDS))

    assert "selected(${m}, 'food')" in problem_at(problems, "survey row 3 (name: a)").message


def test_a_condition_on_a_later_question_is_refused_at_its_row(tmp_path):
    survey = [
        {"type": "note", "name": "a", "label": "A", "relevant": "${t} = 'x'"},
        {"type": "text", "name": "t", "label": "T"},
    ]
    problems = refused(xlsform(tmp_path, survey))

    assert "earlier answer" in problem_at(problems, "survey row 2 (name: a)").message


def test_a_constraint_that_is_not_a_plain_range_is_noted(tmp_path):
    survey = [
        {"type": "integer", "name": "n", "label": "N", "constraint": ". >= 0 and . != 7"},
        {"type": "text", "name": "t", "label": "T", "constraint": "regex(., '^[0-9]+$')"},
    ]
    imported = import_xlsform(xlsform(tmp_path, survey))

    assert ". != 7" in problem_at(imported.notes, "survey row 2 (name: n)").message
    assert "regex" in problem_at(imported.notes, "survey row 3 (name: t)").message
    assert imported.instrument.items["n"].min is None


@pytest.mark.parametrize(
    ("row", "written"),
    [
        ({"type": "calculate", "name": "x", "calculation": "1 + 1"}, "calculate"),
        ({"type": "geopoint", "name": "x", "label": "Where?"}, "geopoint"),
        ({"type": "image", "name": "x", "label": "Photo"}, "image"),
        ({"type": "audio", "name": "x", "label": "Voice"}, "audio"),
        ({"type": "file", "name": "x", "label": "File"}, "file"),
        ({"type": "barcode", "name": "x", "label": "Code"}, "barcode"),
        ({"type": "range", "name": "x", "label": "How much?"}, "range"),
        ({"type": "rank needs", "name": "x", "label": "Order"}, "rank needs"),
        ({"type": "select_one_from_file places.csv", "name": "x", "label": "Place"}, "select_one_from_file places.csv"),
        ({"type": "select_one needs or_other", "name": "x", "label": "Need"}, "select_one needs or_other"),
        ({"type": "datetime", "name": "x", "label": "When?"}, "datetime"),
    ],
)
def test_unsupported_types_are_refused_naming_row_and_type(tmp_path, row, written):
    survey = [{"type": "text", "name": "first", "label": "First"}, row]
    problems = refused(xlsform(tmp_path, survey, NEEDS))

    assert [p.where for p in problems] == ["survey row 3 (name: x)"]
    assert f"“{written}”" in problems[0].message


def test_a_repeat_is_refused_and_every_problem_is_listed(tmp_path):
    survey = [
        {"type": "begin repeat", "name": "children", "label": "Each child"},
        {"type": "text", "name": "child_name", "label": "Name"},
        {"type": "end repeat"},
        {"type": "calculate", "name": "total", "calculation": "count(${children})"},
        {"type": "text", "name": "t", "label": "T", "relevant": "${child_name} = 'a' or ${total} > 1"},
    ]
    problems = refused(xlsform(tmp_path, survey))

    assert [p.where for p in problems] == [
        "survey row 2 (name: children)",
        "survey row 5 (name: total)",
        "survey row 6 (name: t)",
    ]
    assert "begin repeat" in problems[0].message


def test_missing_survey_sheet(tmp_path):
    problems = refused(xlsform(tmp_path, None))

    assert problems[0].where == "workbook"
    assert "survey" in problems[0].message


def test_missing_choices_sheet_names_the_row(tmp_path):
    survey = [{"type": "text", "name": "t", "label": "T"}, {"type": "select_one agree", "name": "q", "label": "Q"}]
    problems = refused(xlsform(tmp_path, survey))

    assert "no choices sheet" in problem_at(problems, "survey row 3 (name: q)").message


def test_a_list_not_on_the_choices_sheet_names_the_row_and_every_other_one(tmp_path):
    survey = [
        {"type": "select_one agree", "name": "q", "label": "Q"},
        {"type": "select_multiple colours", "name": "c", "label": "C"},
        {"type": "select_one sizes", "name": "s", "label": "S"},
    ]
    problems = refused(xlsform(tmp_path, survey, AGREE))

    assert [p.where for p in problems] == ["survey row 3 (name: c)", "survey row 4 (name: s)"]
    assert "“colours”" in problems[0].message


def test_duplicate_names_name_both_rows(tmp_path):
    survey = [
        {"type": "text", "name": "age", "label": "Age"},
        {"type": "begin group", "name": "more", "label": "More"},
        {"type": "integer", "name": "age", "label": "Age again"},
        {"type": "end group"},
        {"type": "text", "name": "age", "label": "And again"},
    ]
    problems = refused(xlsform(tmp_path, survey))

    assert [p.where for p in problems] == ["survey row 4 (name: age)", "survey row 6 (name: age)"]
    assert "survey row 2" in problems[0].message


def test_a_name_qadam_cannot_use_as_an_id_is_refused_at_its_row(tmp_path):
    survey = [{"type": "text", "name": "q.1", "label": "Q"}]  # a valid XML name, not a Qadam id
    problems = refused(xlsform(tmp_path, survey))

    assert "q.1" in problem_at(problems, "survey row 2 (name: q.1)").message


def test_a_choice_without_a_label_is_refused_at_its_list(tmp_path):
    survey = [{"type": "select_one yn", "name": "q", "label": "Q"}]
    choices = [{"list_name": "yn", "name": "1", "label": "Yes"}, {"list_name": "yn", "name": "0"}]
    problems = refused(xlsform(tmp_path, survey, choices))

    assert "no label" in problem_at(problems, "choices list yn (name: 0)").message


def test_pyxform_refusals_are_told_at_their_row(tmp_path):
    survey = [{"type": "begin group", "name": "g", "label": "G"}, {"type": "text", "name": "t", "label": "T"}]
    problems = refused(xlsform(tmp_path, survey))

    assert problems[0].where == "survey row 2 (name: g)"
    assert "XLSForm reader" in problems[0].message


def test_random_bytes_named_xlsx_are_refused_clearly(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(random.Random(7).randbytes(4096))
    problems = refused(path)

    assert [p.where for p in problems] == ["workbook"]
    assert ".xlsx" in problems[0].message


def test_a_zip_that_is_not_a_workbook_is_refused_clearly(tmp_path):
    path = tmp_path / "form.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")

    assert "Excel workbook" in refused(path)[0].message


def test_a_missing_file_is_refused_clearly(tmp_path):
    problems = refused(tmp_path / "nowhere.xlsx")

    assert "cannot be read" in problems[0].message


def test_an_empty_survey_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.title = "survey"
    workbook.active.append(["type", "name", "label"])
    workbook.save(tmp_path / "empty.xlsx")

    assert "no questions" in refused(tmp_path / "empty.xlsx")[0].message
    groups_only = [{"type": "begin group", "name": "g", "label": "G"}, {"type": "end group"}]
    assert "no questions" in refused(xlsform(tmp_path, groups_only))[0].message


def test_an_open_file_is_read_too(home_check):
    upload = BytesIO(home_check.read_bytes())
    upload.name = "home.xlsx"

    assert import_xlsform(upload).instrument.id == "home_check"


def test_nothing_is_returned_half_imported(tmp_path):
    survey = [{"type": "text", "name": "ok", "label": "Fine"}, {"type": "geopoint", "name": "where", "label": "Where"}]

    with pytest.raises(DefinitionError) as caught:
        import_xlsform(xlsform(tmp_path, survey))
    assert caught.value.source == "form.xlsx"


# ----------------------------------------------------------------------------------------------------------
# The small parsers


def test_language_codes():
    assert [language_code(c) for c in ("English (en)", "Kazakh (kk)", "ru", "Русский (RU)", "English")] == [
        "en",
        "kk",
        "ru",
        "ru",
        None,
    ]


def test_choice_values():
    assert [choice_value(n) for n in ("0", "-1", "2.5", "01", "yes", "1.0")] == [0, -1, 2.5, "01", "yes", 1.0]


def test_condition_and_range_shapes():
    assert parse_condition("${a}='x'") == ("a", "equals", "x")
    assert parse_condition(' selected( ${a} , "x" ) ') == ("a", "selected", "x")
    assert parse_condition("${a} = 'x' and ${b} = 'y'") is None
    assert parse_range(". <= 10") == {"max": 10}
    assert parse_range(". >= 1 and . >= 2") is None


def test_versions():
    assert semantic_version("2024010101") == ("0.0.2024010101", True)
    assert semantic_version("1.2") == ("1.2.0", True)
    assert semantic_version("1.2.3-beta") == ("1.2.3-beta", False)
    assert semantic_version("v1") is None
