"""XLSForm spreadsheets (the ODK form format) imported as Qadam instrument definitions.

pyxform, the ODK ecosystem's own reader, reads the workbook: `get_xlsform` gives the sheets as rows of
text, and `workbook_to_json` gives its JSON form (groups nested, texts keyed by language, each select
with its choices, pyxform's own checks applied). This module walks that JSON form into a
`qadam-instrument/1` definition and loads it with the engine, so a result is always an instrument Qadam
can run. It is a pure function: nothing is saved, and a form that cannot be carried whole is refused.

Refused, with every problem found and the row it is on: a file that is not a readable .xlsx workbook, no
survey sheet, a form without questions, a select whose list is not on the choices sheet, a name used
twice, a question type Qadam cannot ask (calculate, repeat, geopoint, media, range, rank, from-file
selects, ...), and a condition other than one answer equal to a value or one choice selected.
Noted and not carried: `required` (Qadam never forces an answer), a constraint other than a plain range,
columns with no Qadam equivalent (choice_filter, default, read_only, media, ...), nested groups (flattened),
texts in languages without a two-letter code, and pyxform's own warnings. `appearance` is presentation in
ODK and is ignored.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import to_snake_case
from pyxform.xls2json import RE_END_CONTROL, RE_SELECT, workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from qadam.assessments.engine.definition import SCHEMA_ID, DefinitionError, Instrument, Problem, load_instrument

Source = str | os.PathLike[str] | IO[bytes]
Value = int | float | str

ROW = "_qadam_row"  # added to each survey row so that every element of pyxform's JSON form knows its row
DEFAULT_LANGUAGE = "en"
DEFAULT_SECTION = "main"
SCALE_METHODS = ("percent", "sum", "mean", "weighted")
MIN_ANSWERED = 0.667
LANGUAGE_ORDER = ("kk", "ru", "en")
UNSTATED_LICENCE = "not stated in the XLSForm"

# pyxform's type (after its aliases) -> the Qadam item type.
KINDS = {
    "select one": "single",
    "select all that apply": "multiple",
    "integer": "number",
    "decimal": "number",
    "text": "text",
    "date": "date",
    "note": "note",
}
CONTAINERS = ("group", "repeat", "loop")
NOT_REQUIRED = ("", "no", "false", "false()", "0")
TRUE_WORDS, FALSE_WORDS = ("yes", "true", "1"), ("no", "false", "0", "")

_ITEM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INSTRUMENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?")
_MAJOR_MINOR = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_LANGUAGE_IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*\s*\)\s*$")
_BARE_LANGUAGE = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*")
_PYXFORM_ROW = re.compile(r"\[row : (\d+)\]\s*(.*)", re.DOTALL)

# The only conditions Qadam carries: ${x} = 'v', ${x} = 3, selected(${x}, 'v').
_REF = r"\$\{\s*(?P<item>[^}\s]+)\s*\}"
_QUOTED = r"(?:'(?P<single>[^']+)'|\"(?P<double>[^\"]+)\")"  # not '': "is empty" has no Qadam equivalent
_NUMBER = r"(?P<number>-?\d+(?:\.\d+)?)"
_EQUALS = re.compile(rf"\s*{_REF}\s*=\s*(?:{_QUOTED}|{_NUMBER})\s*")
_SELECTED = re.compile(rf"\s*selected\s*\(\s*{_REF}\s*,\s*{_QUOTED}\s*\)\s*")
_BOUND = re.compile(rf"\s*\.\s*(?P<op>>=|<=)\s*{_NUMBER}\s*")


@dataclass(frozen=True)
class XLSFormImport:
    """What an import gives: the definition as data, the instrument loaded from it, and what was not carried."""

    definition: dict[str, Any]
    instrument: Instrument
    notes: list[Problem]


def import_xlsform(
    path_or_file: Source, *, instrument_id: str | None = None, version: str | None = None
) -> XLSFormImport:
    """Read an XLSForm workbook and turn it into a checked instrument; DefinitionError lists every problem.

    `instrument_id` and `version` replace the settings sheet's form_id and version when given.
    """
    data, file_name = _read(path_or_file)
    _refuse(_sheet_problems(data), file_name)
    _refuse(_row_problems(data), file_name)
    warnings: list[str] = []
    form = _json_form(data, file_name, warnings)
    converter = _Converter(form, data, warnings)
    definition = converter.definition(instrument_id=instrument_id, version=version, file_name=file_name)
    _refuse(converter.problems, file_name)
    try:
        instrument = load_instrument(definition)
    except DefinitionError as error:
        raise DefinitionError([converter.locate(p, definition) for p in error.problems], source=file_name) from None
    return XLSFormImport(definition=definition, instrument=instrument, notes=converter.notes)


def _refuse(problems: list[Problem], source: str | None) -> None:
    if problems:
        raise DefinitionError(problems, source=source)


# ----------------------------------------------------------------------------------------------------------
# Reading: pyxform's reader, and the checks it would stop at, made in our words and all at once


def _read(source: Source) -> tuple[DefinitionData, str | None]:
    """The workbook's sheets as pyxform reads them, and the file's name when there is one."""
    name: str | None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = path.name
        try:
            content = path.read_bytes()
        except OSError as error:
            message = _("The file cannot be read (%(reason)s).") % {"reason": error.strerror or error}
            raise DefinitionError([Problem(name, message)], source=name) from None
    else:
        content = source.read()
        name = Path(str(getattr(source, "name", "") or "")).name or None
    try:
        return get_xlsform(BytesIO(content), file_type=".xlsx"), name
    except Exception:  # whatever the reader trips on, the bytes are not a workbook it can use
        message = _("This is not an Excel workbook (.xlsx) that can be read. Save the XLSForm as .xlsx and try again.")
        raise DefinitionError([Problem(_("workbook"), message)], source=name) from None


def _sheet_problems(data: DefinitionData) -> list[Problem]:
    if data.survey is None:
        message = _("The workbook has no sheet named “survey”; an XLSForm keeps its questions there.")
        return [Problem(_("workbook"), message)]
    if not any(data.survey):
        return [Problem(_("survey sheet"), _("The survey sheet has no questions."))]
    return []


def _row_problems(data: DefinitionData) -> list[Problem]:
    """Lists missing from the choices sheet and names used twice: pyxform would stop at the first of them."""
    lists = {v for row in data.choices or [] for k, v in row.items() if to_snake_case(k) == "list_name"}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(data.survey or [], start=2):
        kind, name = _cell(row, "type"), _cell(row, "name")
        if not kind or RE_END_CONTROL.search(kind):
            continue
        where = _row_where(number, name)
        select = RE_SELECT.search(kind)
        if select and _uses_choices_sheet(select) and select.group("list_name") not in lists:
            params = {"type": kind, "list": select.group("list_name")}
            if lists:
                message = _("The list “%(list)s” is not on the choices sheet.") % params
            else:
                message = _("“%(type)s” needs the list “%(list)s”, but the workbook has no choices sheet.") % params
            problems.append(Problem(where, message))
        if name in seen:
            message = _(
                "The name “%(name)s” is already used on survey row %(row)s; each question and group needs its own name."
            )
            problems.append(Problem(where, message % {"name": name, "row": seen[name]}))
        elif name:
            seen[name] = number
    return problems


def _uses_choices_sheet(select: re.Match[str]) -> bool:
    command = select.group("select_command")
    return command not in aliases.select_from_file and aliases.select[command] != "select one external"


def _json_form(data: DefinitionData, file_name: str | None, warnings: list[str]) -> dict[str, Any]:
    """pyxform's JSON form of the workbook, each survey element carrying its row number under ROW."""
    survey = [{**row, ROW: str(number)} if row else row for number, row in enumerate(data.survey or [], start=2)]
    header = [{**(data.survey_header or [{}])[0], ROW: None}]
    tagged = dataclasses.replace(data, survey=survey, survey_header=header)
    fallback = Path(file_name).stem if file_name else None
    try:
        form: dict[str, Any] = workbook_to_json(workbook_dict=tagged, fallback_form_name=fallback, warnings=warnings)
    except PyXFormError as error:
        raise DefinitionError([_pyxform_problem(error, data)], source=file_name) from None
    return form


def _pyxform_problem(error: PyXFormError, data: DefinitionData) -> Problem:
    where, detail = _pyxform_place(str(error), data)
    return Problem(where, _("The XLSForm reader refused the form: %(detail)s") % {"detail": detail})


def _pyxform_place(text: str, data: DefinitionData) -> tuple[str, str]:
    """Where a pyxform message is about (its row, when it names one) and the message; its English is kept."""
    found = _PYXFORM_ROW.match(text.strip())
    if not found:
        return _("workbook"), text.strip()
    number, detail = int(found.group(1)), found.group(2)
    if "'choices' sheet" in detail:
        return _("choices row %(row)s") % {"row": number}, detail
    rows = data.survey or []
    name = _cell(rows[number - 2], "name") if 2 <= number < len(rows) + 2 else ""
    return _row_where(number, name), detail


def _cell(row: Mapping[str, Any], column: str) -> str:
    """A raw cell's text with its spaces tidied, as pyxform compares it."""
    return " ".join(str(row.get(column) or "").split())


def _row_where(row: int, name: str | None) -> str:
    if name:
        return _("survey row %(row)s (name: %(name)s)") % {"row": row, "name": name}
    return _("survey row %(row)s") % {"row": row}


# ----------------------------------------------------------------------------------------------------------
# Values and expressions


def language_code(column_language: str) -> str | None:
    """The two-letter code of a column's language: `English (en)` and `en` give "en"; `English` gives None."""
    found = _LANGUAGE_IN_BRACKETS.search(column_language) or _BARE_LANGUAGE.fullmatch(column_language.strip())
    return found.group(1).lower() if found else None


def choice_value(name: str) -> Value:
    """A choice's stored value: a number when its name is one written plainly ("2", "-1", "0.5"), else the text."""
    for convert in (int, float):
        try:
            number = convert(name)
        except ValueError:
            continue
        if str(number) == name:
            return number
    return name


def parse_condition(expression: str) -> tuple[str, str, str] | None:
    """(item, "equals" or "selected", value) for the few shapes Qadam carries; None for anything else."""
    for op, pattern in (("equals", _EQUALS), ("selected", _SELECTED)):
        found = pattern.fullmatch(expression)
        if found:
            groups = found.groupdict()
            value = next(groups[g] for g in ("single", "double", "number") if groups.get(g) is not None)
            return found.group("item"), op, value
    return None


def parse_range(expression: str) -> dict[str, int | float] | None:
    """{min, max} from `. >= 0 and . <= 120` (either bound alone also); None for any other constraint."""
    bounds: dict[str, int | float] = {}
    for part in re.split(r"\s+and\s+", expression.strip()):
        found = _BOUND.fullmatch(part)
        key = "min" if found and found.group("op") == ">=" else "max"
        if not found or key in bounds:
            return None
        value = choice_value(found.group("number"))
        bounds[key] = value if isinstance(value, int | float) else float(value)
    return bounds


def semantic_version(value: str) -> tuple[str, bool] | None:
    """(a version of the form 1.0.0, whether it was changed to get there); None when there is no sensible one.

    XLSForm versions are often a date and a counter (2024010101): that becomes 0.0.2024010101, which still
    sorts in the same order. "1.2" becomes "1.2.0".
    """
    value = value.strip()
    if _SEMVER.fullmatch(value):
        return value, False
    if value.isdigit():
        return f"0.0.{int(value)}", True
    if _MAJOR_MINOR.fullmatch(value):
        return f"{value}.0", True
    return None


def _flag(value: str) -> bool | None:
    word = value.strip().lower()
    return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None


# ----------------------------------------------------------------------------------------------------------
# The walk over pyxform's JSON form


class _Converter:
    """Builds the definition from pyxform's JSON form, collecting every problem and note on the way."""

    def __init__(self, form: dict[str, Any], data: DefinitionData, warnings: list[str]) -> None:
        self.form = form
        self.raw_rows = list(data.survey or [])
        self.raw_settings = dict((data.settings or [{}])[0])
        self.problems: list[Problem] = []
        self.notes = [self._warning(warning, data) for warning in warnings]
        elements = list(_elements(form["children"]))
        self.names = {e["name"] for e in elements}
        self.questions = {e["name"]: e for e in elements if e["type"] not in CONTAINERS}
        self.languages: dict[str, str | None] = {}  # column language -> code, as met
        self.texts: list[tuple[str, dict[str, str]]] = []  # (where, texts) of every text made, for completeness
        self.response_sets: dict[str, dict[str, Any]] = {}
        self.scales: dict[str, list[str]] = {}
        self.sections: list[dict[str, Any]] = []
        self.open_default: dict[str, Any] | None = None  # the section ungrouped questions are added to now
        self.places: dict[tuple[str, str], str] = {}  # ("items", id) and the like -> where in the workbook
        self.required: list[str] = []
        self.integers: list[str] = []
        self.default_language = self._default_language()
        self.title = self._title()

    @staticmethod
    def _warning(warning: str, data: DefinitionData) -> Problem:
        where, detail = _pyxform_place(warning, data)
        return Problem(where, _("The XLSForm reader warns: %(detail)s") % {"detail": detail})

    # -- the whole definition

    def definition(self, *, instrument_id: str | None, version: str | None, file_name: str | None) -> dict[str, Any]:
        """The definition dict; self.problems says whether it may be used."""
        method = self._scale_method()
        definition: dict[str, Any] = {
            "schema": SCHEMA_ID,
            "id": self._instrument_id(instrument_id, file_name),
            "version": self._version(version),
            "title": self.title,
            "languages": [],
            "status": "practice_tool",
            "licence": self._licence(),
        }
        self._walk(self.form["children"], section=None, condition=None)
        if not any(section["items"] for section in self.sections):
            self.problems.append(Problem(_("survey sheet"), _("The form has no questions Qadam can ask.")))
        if self.response_sets:
            definition["response_sets"] = self.response_sets
        definition["sections"] = [s for s in self.sections if s["items"]]
        if self.scales:
            definition["scales"] = self._scales(method)
        definition["languages"] = self._complete_languages()
        self._summary_notes()
        return definition

    def _default_language(self) -> str:
        value = str(self.form.get("default_language") or "default")
        if value == "default":
            return DEFAULT_LANGUAGE
        code = language_code(value)
        if code is None:
            message = _("The default_language “%(language)s” has no two-letter code; write it like “English (en)”.")
            self.problems.append(Problem(_("settings sheet"), message % {"language": value}))
            return DEFAULT_LANGUAGE
        return code

    def _setting_given(self, *names: str) -> bool:
        return any(to_snake_case(key.split("::")[0]) in names for key in self.raw_settings)

    def _title(self) -> dict[str, str]:
        where = _("settings sheet (form_title)")
        if self._setting_given("form_title", "set_form_title"):
            title = self._texts(self.form.get("title"), where)
            if title:
                return title
        name = str(self.form.get("id_string") or DEFAULT_SECTION)
        self.notes.append(
            Problem(where, _("The form has no form_title; “%(name)s” is used as its title.") % {"name": name})
        )
        return self._texts(name, where)

    def _instrument_id(self, given: str | None, file_name: str | None) -> str:
        where = _("settings sheet")
        if given:
            return given
        if self._setting_given("form_id", "set_form_id", "id_string"):
            value = str(self.form["id_string"]).strip()
        elif file_name:
            value = Path(file_name).stem
            self.notes.append(Problem(where, _("The form has no form_id; the file name is used as its id.")))
        else:
            self.problems.append(Problem(where, _("The form has no form_id; give the instrument an id.")))
            return ""
        normal = value.lower()
        if not _INSTRUMENT_ID.fullmatch(normal):
            message = _(
                "“%(value)s” cannot be an instrument id: use lower-case letters, digits, “-” and “_” "
                "in form_id, or give an id when importing."
            )
            self.problems.append(Problem(where, message % {"value": value}))
        elif normal != value:
            self.notes.append(Problem(where, _("The id “%(value)s” is written in lower case.") % {"value": value}))
        return normal

    def _version(self, given: str | None) -> str:
        where = _("settings sheet")
        value = given if given is not None else self.form.get("version")
        if value is None or not str(value).strip():
            self.notes.append(Problem(where, _("The form has no version; it is imported as 1.0.0.")))
            return "1.0.0"
        converted = semantic_version(str(value))
        if converted is None or (given is not None and converted[1]):
            message = _("“%(value)s” is not a version number of the form 1.0.0.") % {"value": value}
            self.problems.append(Problem(where, message))
            return str(value)
        if converted[1]:
            message = _("The version “%(value)s” is not of the form 1.0.0; it is imported as %(version)s.")
            self.notes.append(Problem(where, message % {"value": value, "version": converted[0]}))
        return converted[0]

    def _licence(self) -> dict[str, Any]:
        holder = str(self.form.get("qadam_licence_holder") or "").strip()
        terms = str(self.form.get("qadam_licence_terms") or "").strip()
        if not holder or not terms:
            message = _(
                "The workbook does not say who holds the rights to this instrument and on what terms "
                "(settings columns qadam_licence_holder and qadam_licence_terms); confirm the licence before use."
            )
            self.notes.append(Problem(_("settings sheet"), message))
        return {
            "holder": holder or UNSTATED_LICENCE,
            "terms": terms or UNSTATED_LICENCE,
            "shipped": False,
            "acknowledged_by": "",
            "acknowledged_at": "",
        }

    # -- texts and languages

    def _texts(self, value: Any, where: str) -> dict[str, str]:
        """Texts by two-letter code from a pyxform text: one text (the default language's) or one per language."""
        if value is None or value == "":
            return {}
        by_language = value if isinstance(value, dict) else {"default": value}
        texts: dict[str, str] = {}
        for language, text in by_language.items():
            code = self._code(str(language))
            if code and str(text).strip():
                texts[code] = str(text)
        self.texts.append((where, texts))
        return texts

    def _code(self, language: str) -> str | None:
        if language == "default":
            return self.default_language
        if language not in self.languages:
            code = self.languages[language] = language_code(language)
            if code is None:
                message = _(
                    "The language “%(language)s” has no two-letter code, so its texts are not carried; "
                    "name the columns like “label::Kazakh (kk)”."
                )
                self.notes.append(Problem(_("survey sheet"), message % {"language": language}))
        return self.languages[language]

    def _complete_languages(self) -> list[str]:
        """The languages every text is written in; the others are noted and shown as "translation needed"."""
        seen = {code for _where, texts in self.texts for code in texts}
        ordered = [c for c in LANGUAGE_ORDER if c in seen] + sorted(seen - set(LANGUAGE_ORDER))
        complete = [c for c in ordered if all(c in texts for _where, texts in self.texts)]
        for code in ordered:
            if code not in complete:
                where = next(w for w, texts in self.texts if code not in texts)
                message = _(
                    "Some texts are missing in “%(language)s” (the first one at %(where)s); in that language the "
                    "instrument is shown with a “translation needed” mark."
                )
                self.notes.append(Problem(_("survey sheet"), message % {"language": code, "where": where}))
        return complete or [self.default_language]

    # -- sections

    def _walk(self, children: list[dict[str, Any]], *, section: dict[str, Any] | None, condition: Any) -> None:
        for element in children:
            if ROW not in element:
                continue  # pyxform's own additions: the meta group, generated labels
            if element["type"] == "group":
                self._group(element, section, condition)
            elif element["type"] in CONTAINERS:
                self._refuse_repeat(element)
            else:
                item = self._item(element, condition)
                if item is not None:
                    (section or self._default_section())["items"].append(item)

    def _group(self, element: dict[str, Any], outer: dict[str, Any] | None, condition: Any) -> None:
        where = self._where(element)
        own = self._condition(element, where)
        if own and condition:
            self.problems.append(
                Problem(where, _("This group and the group around it both have a condition; Qadam takes one."))
            )
        if outer is not None:
            message = _("Groups inside groups are flattened: its questions are carried in the section “%(section)s”.")
            self.notes.append(Problem(where, message % {"section": outer["id"]}))
            self._walk(element.get("children", []), section=outer, condition=own or condition)
            return
        title = self._texts(element.get("label"), where) or self.title
        section = {"id": element["name"], "title": title, "items": []}
        self.sections.append(section)
        self.places[("sections", element["name"])] = where
        self.open_default = None
        self._walk(element.get("children", []), section=section, condition=own)
        if not section["items"]:
            self.notes.append(Problem(where, _("The group has no questions and is left out.")))

    def _default_section(self) -> dict[str, Any]:
        """The section for questions outside any group; a new one after each group, so the order is kept."""
        if self.open_default is None:
            taken = {s["id"] for s in self.sections} | self.names
            section_id, counter = DEFAULT_SECTION, 1
            while section_id in taken:
                counter += 1
                section_id = f"{DEFAULT_SECTION}_{counter}"
            self.open_default = {"id": section_id, "title": self.title, "items": []}
            self.sections.append(self.open_default)
        return self.open_default

    def _refuse_repeat(self, element: dict[str, Any]) -> None:
        where = self._where(element)
        message = _("Repeats (“%(type)s”) cannot be carried: a Qadam instrument asks each question once.")
        self.problems.append(Problem(where, message % {"type": self._raw_type(element)}))
        self._walk(element.get("children", []), section={"id": "", "items": []}, condition=None)

    # -- items

    def _item(self, element: dict[str, Any], condition: Any) -> dict[str, Any] | None:
        where = self._where(element)
        kind = self._kind(element, where)
        if kind is None:
            return None
        item: dict[str, Any] = {"id": element["name"], "type": kind, "text": self._texts(element.get("label"), where)}
        self.places[("items", element["name"])] = where
        if not item["text"]:
            self.problems.append(Problem(where, _("The question has no label in a language with a two-letter code.")))
        hint = self._texts(element.get("hint"), where) if element.get("hint") else {}
        if hint:
            item["hint"] = hint
        if kind in ("single", "multiple"):
            item["response_set"] = self._response_set(element, where)
        self._constraint(element, item, where)
        own = self._condition(element, where)
        if own and condition:
            self.problems.append(
                Problem(where, _("Both this question and its group have a condition; Qadam takes one."))
            )
        if own or condition:
            item["relevant"] = own or condition
        self._scoring(element, item, where)
        self._not_carried(element, where)
        return item

    def _kind(self, element: dict[str, Any], where: str) -> str | None:
        raw = self._raw_type(element)
        kind = KINDS.get(element["type"])
        select = RE_SELECT.search(raw)
        if select and (select.group("specify_other") or select.group("select_command") in aliases.select_from_file):
            kind = None
        if kind is None:
            message = _(
                "The question type “%(type)s” cannot be carried: Qadam takes select_one, select_multiple, "
                "integer, decimal, text, date, note, and groups."
            )
            self.problems.append(Problem(where, message % {"type": raw}))
        elif element["type"] == "integer":
            self.integers.append(element["name"])
        return kind

    def _response_set(self, element: dict[str, Any], where: str) -> str:
        list_name = str(element["list_name"])
        if list_name not in self.response_sets:
            list_where = _("choices list %(list)s") % {"list": list_name}
            options = [
                {"value": choice_value(str(c["name"])), "label": self._option_label(c, list_name)}
                for c in element.get("choices", [])
            ]
            self.response_sets[list_name] = {"type": "choice", "options": options}
            self.places[("response_sets", list_name)] = list_where
        return list_name

    def _option_label(self, choice: dict[str, Any], list_name: str) -> dict[str, str]:
        where = _("choices list %(list)s (name: %(name)s)") % {"list": list_name, "name": choice["name"]}
        label = self._texts(choice.get("label"), where)
        if not label:
            self.problems.append(Problem(where, _("The choice has no label in a language with a two-letter code.")))
        return label

    def _constraint(self, element: dict[str, Any], item: dict[str, Any], where: str) -> None:
        expression = str(element.get("bind", {}).get("constraint") or "").strip()
        if not expression:
            return
        bounds = parse_range(expression) if item["type"] == "number" else None
        if bounds is None:
            message = _(
                "The constraint “%(expression)s” is not carried: Qadam keeps only a range on a number, "
                "such as “. >= 0 and . <= 120”."
            )
            self.notes.append(Problem(where, message % {"expression": expression}))
        else:
            item.update(bounds)

    def _condition(self, element: dict[str, Any], where: str) -> dict[str, Value] | None:
        """The `relevant` expression as a Qadam condition; None when there is none or it cannot be carried."""
        expression = str(element.get("bind", {}).get("relevant") or "").strip()
        if not expression:
            return None
        parsed = parse_condition(expression)
        params = {"expression": expression}
        if parsed is None:
            message = _(
                "The condition “%(expression)s” cannot be carried: Qadam asks a question only when one answer "
                "equals a value (${x} = 'v' or ${x} = 3) or includes a choice (selected(${x}, 'v')); and, or, "
                "functions and arithmetic are not supported."
            )
            self.problems.append(Problem(where, message % params))
            return None
        name, op, value = parsed
        target = self.questions.get(name)
        kind = KINDS.get(target["type"]) if target else None
        if kind is None or kind == "note":
            message = _("The condition “%(expression)s” refers to “%(name)s”, which is not a question Qadam carries.")
            self.problems.append(Problem(where, message % {**params, "name": name}))
            return None
        return self._typed_condition(name, kind, op, value, where, expression)

    def _typed_condition(
        self, name: str, kind: str, op: str, value: str, where: str, expression: str
    ) -> dict[str, Value] | None:
        """The condition, its value typed like the answer it is compared with: a choice's value, a number, text."""
        if kind in ("single", "multiple"):
            typed: Value = choice_value(value)
            if kind == "multiple" and op == "equals":
                message = _(
                    "The condition “%(expression)s” compares a question with several answers to one value; "
                    "write selected(${%(name)s}, '%(value)s')."
                )
                self.problems.append(Problem(where, message % {"expression": expression, "name": name, "value": value}))
                return None
            return {"item": name, "selected" if kind == "multiple" else "equals": typed}
        typed = choice_value(value) if kind == "number" else value
        if op == "selected" or (kind == "number" and isinstance(typed, str)):
            message = _("The condition “%(expression)s” does not fit the question “%(name)s”.")
            self.problems.append(Problem(where, message % {"expression": expression, "name": name}))
            return None
        return {"item": name, "equals": typed}

    def _scoring(self, element: dict[str, Any], item: dict[str, Any], where: str) -> None:
        """Qadam's own columns: qadam_scale (the scale an item counts in), qadam_reverse, qadam_weight."""
        scale = str(element.get("qadam_scale") or "").strip()
        if scale:
            if not _ITEM_ID.fullmatch(scale):
                message = _("“%(value)s” is not a valid scale id: start with a letter and use letters, digits and “_”.")
                self.problems.append(Problem(where, message % {"value": scale}))
            self.scales.setdefault(scale, []).append(item["id"])
        reverse = element.get("qadam_reverse")
        if reverse is not None:
            flag = _flag(str(reverse))
            if flag is None:
                message = _("qadam_reverse is yes or no, not “%(value)s”.") % {"value": reverse}
                self.problems.append(Problem(where, message))
            elif flag:
                item["reverse"] = True
        weight = element.get("qadam_weight")
        if weight is not None:
            number = choice_value(str(weight).strip())
            if isinstance(number, str) or number <= 0:
                message = _("qadam_weight is a number above 0, not “%(value)s”.") % {"value": weight}
                self.problems.append(Problem(where, message))
            else:
                item["weight"] = number

    def _not_carried(self, element: dict[str, Any], where: str) -> None:
        """Columns with no Qadam equivalent are noted; `required` is gathered into one note for the form."""
        bind = element.get("bind", {})
        if str(bind.get("required") or "").strip().lower() not in NOT_REQUIRED:
            self.required.append(element["name"])
        present = [
            column
            for column in ("choice_filter", "default", "media", "guidance_hint", "trigger")
            if element.get(column)
        ]
        present += [
            column for column, key in (("read_only", "readonly"), ("calculation", "calculate")) if bind.get(key)
        ]
        if element.get("parameters"):
            present.append("parameters")
        for column in present:
            self.notes.append(
                Problem(
                    where, _("The column “%(column)s” is not carried: Qadam has no equivalent.") % {"column": column}
                )
            )

    # -- scales, summary notes, places

    def _scale_method(self) -> str:
        method = str(self.form.get("qadam_method") or "percent").strip()
        if method not in SCALE_METHODS:
            message = _("qadam_method “%(method)s” is not one of: %(methods)s.")
            params = {"method": method, "methods": ", ".join(SCALE_METHODS)}
            self.problems.append(Problem(_("settings sheet"), message % params))
        return method

    def _scales(self, method: str) -> list[dict[str, Any]]:
        for scale_id in self.scales:
            self.places[("scales", scale_id)] = _("scale %(scale)s (column qadam_scale)") % {"scale": scale_id}
        return [
            {"id": scale_id, "items": items, "method": method, "min_answered": MIN_ANSWERED}
            for scale_id, items in self.scales.items()
        ]

    def _summary_notes(self) -> None:
        if self.required:
            message = ngettext(
                "Qadam never forces an answer: a family may always skip a question or prefer not to answer. "
                "“required” is set on %(count)d question (%(names)s) and is not carried.",
                "Qadam never forces an answer: a family may always skip a question or prefer not to answer. "
                "“required” is set on %(count)d questions (%(names)s) and is not carried.",
                len(self.required),
            )
            params = {"count": len(self.required), "names": ", ".join(self.required)}
            self.notes.append(Problem(_("survey column “required”"), message % params))
        if self.integers:
            message = _(
                "Qadam keeps integer questions as numbers; it does not limit them to whole numbers (%(names)s)."
            )
            self.notes.append(Problem(_("survey sheet"), message % {"names": ", ".join(self.integers)}))

    def locate(self, problem: Problem, definition: dict[str, Any]) -> Problem:
        """An engine problem moved to the row, list or scale of the workbook it comes from, when that is known."""
        if problem.path[:1] in (("id",), ("version",), ("title",), ("languages",), ("licence",)):
            return dataclasses.replace(problem, where=_("settings sheet"))
        place = self.places.get(_owner(definition, problem.path))
        return dataclasses.replace(problem, where=place) if place else problem

    def _where(self, element: dict[str, Any]) -> str:
        return _row_where(int(element[ROW]), element.get("name"))

    def _raw_type(self, element: dict[str, Any]) -> str:
        return _cell(self.raw_rows[int(element[ROW]) - 2], "type")


def _elements(children: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every element of the JSON form from the workbook's rows, depth first, in row order."""
    for element in children:
        if ROW in element:
            yield element
            yield from _elements(element.get("children", []))


def _owner(definition: dict[str, Any], path: tuple[Any, ...]) -> tuple[str, str]:
    """The item, section, list or scale a definition path is about, as a key of `places`."""
    kind = str(path[0]) if path else ""
    if kind in ("sections", "scales") and path[2:3] == ("items",) and len(path) > 3:
        node = _follow(definition, path[:4])  # an item of a section, or an item id listed by a scale
        return "items", str(node.get("id") if isinstance(node, dict) else node)
    if kind in ("sections", "scales") and len(path) > 1:
        node = _follow(definition, path[:2])
        return kind, str(node.get("id") if isinstance(node, dict) else "")
    return kind, str(path[1]) if len(path) > 1 else ""


def _follow(node: Any, path: tuple[Any, ...]) -> Any:
    """The part of a definition a path leads to, or None."""
    for part in path:
        try:
            node = node[part]
        except (IndexError, KeyError, TypeError):
            return None
    return node
