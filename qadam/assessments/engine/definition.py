"""Instrument definitions: reading one version of an assessment tool and checking that it makes sense.

An instrument (the project's FAA, a licensed DV screen, a user's own pack) is data in the format of
`qadam/assessments/instruments/README.md`. `load_instrument` checks its structure against
`instrument.schema.json`, then what a schema cannot say (ids unique, every reference resolves, bands
without gaps), and reports every problem at once, each with the place a person can find in the file
and a sentence they can act on. The result, `Instrument`, is read-only and holds the canonical
definition that an assessment stores beside its answers.
"""

import difflib
import importlib
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator, ValidationError

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "instruments" / "instrument.schema.json"
SCHEMA_ID = "qadam-instrument/1"
# Interpreters the engine knows: each module has DEFAULTS (its params) and SCALE_PARAMS (params naming scales).
INTERPRETERS = {"faa": "qadam.assessments.engine.faa"}

Texts = Mapping[str, str]
Value = int | float | str
PathPart = str | int

ANCHOR_LEVELS = (0, 1, 2, 3, 4)
YES, NO = 1, 0
CHOICE_TYPES = ("scale", "single", "multiple")  # answered by picking from options
UNSCORABLE_TYPES = ("note", "text", "date", "multiple")
FALLBACK_LANGUAGES = ("ru", "en")

# Which optional fields each item type uses; anything else is a mistake worth reporting.
_COMMON_FIELDS = {"id", "type", "text", "hint", "relevant", "rater", "allow_na", "allow_declined"}
_TYPE_FIELDS: dict[str, set[str]] = {
    "scale": _COMMON_FIELDS | {"response_set", "options", "reverse", "weight"},
    "single": _COMMON_FIELDS | {"response_set", "options", "reverse", "weight"},
    "multiple": _COMMON_FIELDS | {"response_set", "options"},
    "anchored": _COMMON_FIELDS | {"anchors", "reverse", "weight"},
    "yesno": _COMMON_FIELDS | {"reverse", "weight"},
    "number": _COMMON_FIELDS | {"min", "max", "reverse", "weight"},
    "date": _COMMON_FIELDS,
    "text": _COMMON_FIELDS,
    "note": {"id", "type", "text", "hint", "relevant"},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition or in a set of answers: where to look, and what to do about it."""

    where: str
    message: str
    line: int | None = None
    path: tuple[PathPart, ...] = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        where = _("%(where)s (line %(line)s)") % {"where": self.where, "line": self.line} if self.line else self.where
        return f"{where}: {self.message}" if where else self.message


class DefinitionError(ValueError):
    """The definition cannot be used; `problems` lists everything found, not only the first."""

    def __init__(self, problems: list[Problem], *, source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        lines = [str(p) for p in problems]
        super().__init__("\n".join([source, *lines] if source else lines))


@dataclass(frozen=True)
class Option:
    """One answer a person can pick, with the number or code stored for it."""

    value: Value
    label: Texts


@dataclass(frozen=True)
class ResponseSet:
    """A reusable answer scale, such as "agree strongly … disagree strongly"."""

    id: str
    type: str
    options: tuple[Option, ...]
    allow_na: bool | None
    allow_declined: bool | None


@dataclass(frozen=True)
class Condition:
    """ "Ask only when …" or "alert when …": one answer compared with a value (`equals`, `in`, `selected`)."""

    item: str
    op: str
    values: tuple[Value, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """True when the answer meets the condition. A skipped, declined or not-applicable answer never does."""
        answer = answers.get(self.item)
        if answer is None or answer in ("na", "declined"):
            return False
        if self.op == "selected":
            return isinstance(answer, list) and any(same_value(a, self.values[0]) for a in answer)
        return any(same_value(answer, v) for v in self.values)


@dataclass(frozen=True)
class Item:
    """One question, or a note shown to the person answering, or a level the worker rates."""

    id: str
    type: str
    section: str
    text: Texts
    hint: Texts
    options: tuple[Option, ...]
    anchors: Mapping[int, Texts]
    reverse: bool
    weight: float
    min: float | None
    max: float | None
    allow_na: bool
    allow_declined: bool
    relevant: Condition | None
    rater: str
    response_set: str | None = None

    @property
    def answerable(self) -> bool:
        return self.type != "note"

    @property
    def values(self) -> tuple[Value, ...] | None:
        """The allowed answers when they form a list (options, anchor levels, yes/no); None otherwise."""
        if self.type in CHOICE_TYPES:
            return tuple(o.value for o in self.options)
        if self.type == "anchored":
            return ANCHOR_LEVELS
        if self.type == "yesno":
            return (NO, YES)
        return None

    @property
    def numeric(self) -> bool:
        """Whether every answer is a number, so the item can enter a sum or a mean."""
        if self.type in ("anchored", "yesno", "number"):
            return True
        values = self.values
        return bool(values) and all(_is_number(v) for v in values or ())

    @property
    def min_value(self) -> float | None:
        """The lowest raw answer; with `max_value`, the range a reverse item is turned around in."""
        if self.type == "number":
            return self.min
        numbers = self._numbers()
        return min(numbers) if numbers else None

    @property
    def max_value(self) -> float | None:
        """The highest raw answer: what a percent score is measured against."""
        if self.type == "number":
            return self.max
        numbers = self._numbers()
        return max(numbers) if numbers else None

    def _numbers(self) -> list[float]:
        return [v for v in self.values or () if not isinstance(v, str)] if self.numeric else []

    def label_of(self, value: Value) -> Texts:
        """The texts of an option, or {} when the value has none (numbers, dates, anchors)."""
        return next((o.label for o in self.options if o.value == value), {})


@dataclass(frozen=True)
class Section:
    """A group of questions asked together, with why we ask them; `private` ones only in private."""

    id: str
    title: Texts
    why: Texts
    private: bool
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Band:
    """A named range of a score, such as 0-19 "crisis"; both ends included."""

    min: float
    max: float
    code: str
    label: Texts


@dataclass(frozen=True)
class Scale:
    """A score computed from items (or from earlier scales), such as one FAA dimension."""

    id: str
    title: Texts
    method: str
    items: tuple[str, ...]
    scales: tuple[str, ...]
    count_values: tuple[Value, ...]
    min_answered: float | None
    min_valid: int | None
    bands: tuple[Band, ...]
    report: bool


@dataclass(frozen=True)
class Trigger:
    """An alert raised by particular answers (a safety concern); never part of any score."""

    id: str
    level: str
    mode: str  # "any" or "all"
    conditions: tuple[Condition, ...]
    label: Texts

    def fires(self, answers: Mapping[str, Any]) -> bool:
        test = any if self.mode == "any" else all
        return test(c.holds(answers) for c in self.conditions)


@dataclass(frozen=True)
class Instrument:
    """One version of an assessment tool, checked and ready to present and score."""

    id: str
    version: str
    title: Texts
    description: Texts
    languages: tuple[str, ...]
    status: str
    licence: Mapping[str, Any]
    interpretation: str | None
    interpretation_params: Mapping[str, Any]
    response_sets: Mapping[str, ResponseSet]
    sections: tuple[Section, ...]
    items: Mapping[str, Item]
    scales: Mapping[str, Scale]
    triggers: tuple[Trigger, ...]
    definition: Mapping[str, Any]

    @staticmethod
    def text(texts: Texts | None, language: str) -> tuple[str, bool]:
        """The text in `language`, else in Russian, English or any language there is.

        The flag is True when the text is not in the language asked for: the page then shows it with a
        "translation needed" mark rather than hiding the question.
        """
        texts = texts or {}
        if texts.get(language):
            return texts[language], False
        for fallback in (*FALLBACK_LANGUAGES, *texts):
            if texts.get(fallback):
                return texts[fallback], True
        return "", True

    def needs_translation(self, language: str) -> bool:
        """Whether the instrument's text is incomplete in `language` (not listed in `languages`)."""
        return language not in self.languages


# ----------------------------------------------------------------------------------------------------------
# Reading


def read_instrument_file(path: str | Path) -> Instrument:
    """Read a .yaml, .yml or .json definition; problems name the file and, where known, the line."""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problem = _("The file cannot be read (%(reason)s).") % {"reason": getattr(error, "strerror", None) or error}
        raise DefinitionError([Problem(name, problem)], source=name) from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data, locate = _parse_yaml(text, name)
    elif suffix == ".json":
        data, locate = _parse_json(text, name), None
    else:
        message = _("An instrument file ends in .yaml, .yml or .json.")
        raise DefinitionError([Problem(name, message)], source=name)
    if not isinstance(data, dict):
        raise DefinitionError(
            [Problem(name, _("The file should hold one instrument (a mapping of fields)."))], source=name
        )
    try:
        return load_instrument(data)
    except DefinitionError as error:
        problems = [replace(p, line=locate(p.path)) if locate else p for p in error.problems]
        raise DefinitionError(problems, source=name) from None


def _parse_yaml(text: str, name: str) -> tuple[Any, Callable[[tuple[PathPart, ...]], int | None]]:
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        detail = getattr(error, "problem", None) or str(error)
        message = _("This is not valid YAML (%(detail)s).") % {"detail": detail}
        raise DefinitionError([Problem(name, message, line=line)], source=name) from None
    return data, lambda path: _yaml_line(root, path)


def _yaml_line(root: yaml.Node | None, path: tuple[PathPart, ...]) -> int | None:
    """The line of the deepest part of the path found in the file, so a missing field points at its parent."""
    if root is None:
        return None
    node: yaml.Node | None = root
    line = root.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        message = _("This is not valid JSON (%(detail)s).") % {"detail": error.msg}
        raise DefinitionError([Problem(name, message, line=error.lineno)], source=name) from None


def load_instrument(data: Mapping[str, Any]) -> Instrument:
    """Check a definition (already parsed from YAML or JSON) and build the Instrument; DefinitionError if wrong.

    Structure is checked first; the meaning (references, ranges, bands) only once the structure is sound,
    because half-formed parts cannot be compared.
    """
    definition = _normalise(data)
    problems = _schema_problems(definition) or _Checker(definition).run()
    if problems:
        raise DefinitionError(problems)
    return _build(definition)


def _normalise(value: Any) -> Any:
    """A JSON-shaped copy: YAML's number keys (anchors 0..4) become text, its dates ISO text."""
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# ----------------------------------------------------------------------------------------------------------
# Structure: the schema, its errors told in our words


@cache
def instrument_schema() -> dict[str, Any]:
    """The published JSON Schema of the format (README.md beside it explains each field)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _schema_problems(definition: dict[str, Any]) -> list[Problem]:
    validator = Draft202012Validator(instrument_schema())
    problems: dict[tuple[tuple[PathPart, ...], str], Problem] = {}
    for error in validator.iter_errors(definition):
        for path, message in _describe(error):
            problems.setdefault((path, message), Problem(where(definition, path), message, path=path))
    # in the order of their place: fields by name, list entries by position
    return sorted(problems.values(), key=lambda p: [(isinstance(part, str), part) for part in p.path])


def _describe(error: ValidationError) -> Iterator[tuple[tuple[PathPart, ...], str]]:
    """Our sentences for jsonschema's error kinds, each with the path it is about."""
    path = tuple(error.absolute_path)
    kind, limit, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        for name in limit:
            if isinstance(instance, dict) and name not in instance:
                yield (*path, name), _("This field is required.")
    elif kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for name in sorted(set(instance) - set(known)):
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                message = _("“%(name)s” is not a field here; did you mean “%(suggestion)s”?")
            else:
                message = _("“%(name)s” is not a field here. The fields are: %(fields)s.")
            yield (*path, name), message % {"name": name, "suggestion": "".join(close[:1]), "fields": ", ".join(known)}
    elif kind == "type":
        yield path, _type_message(limit, instance)
    elif kind == "pattern":
        yield path, _pattern_message(limit, instance)
    else:
        yield path, _other_message(kind, limit, instance)


def _type_message(expected: str | list[str], instance: Any) -> str:
    if isinstance(instance, bool):
        return _("YAML reads yes, no, on and off as true or false; put the value in quotes.")
    messages = {
        "string": _("This should be text."),
        "integer": _("This should be a whole number."),
        "number": _("This should be a number."),
        "boolean": _("This should be true or false."),
        "object": _("This should be a set of named fields."),
        "array": _("This should be a list."),
    }
    if isinstance(expected, str):
        return messages.get(expected, _("This is the wrong kind of value."))
    if set(expected) == {"number", "string"}:
        return _("This should be a number or text.")
    if set(expected) == {"string", "object"}:
        return _("This should be a name, or a name with params.")
    return _("This is the wrong kind of value.")


def _pattern_message(pattern: str, value: Any) -> str:
    schema = instrument_schema()
    defs = schema["$defs"]
    messages = {
        schema["properties"]["id"]["pattern"]: _(
            "“%(value)s” is not a valid instrument id: use lower-case letters, digits, “-” and “_”."
        ),
        schema["properties"]["version"]["pattern"]: _("“%(value)s” is not a version number of the form 1.0.0."),
        defs["language"]["pattern"]: _("“%(value)s” is not a two-letter language code such as kk, ru or en."),
        defs["item_id"]["pattern"]: _(
            "“%(value)s” is not a valid id: start with a letter and use only letters, digits and “_”."
        ),
        defs["key"]["pattern"]: _(
            "“%(value)s” is not a valid name: start with a letter and use only letters, digits, “-” and “_”."
        ),
        defs["item"]["properties"]["anchors"]["propertyNames"]["pattern"]: _(
            "“%(value)s” is not an anchor level; the levels are 0, 1, 2, 3 and 4."
        ),
        schema["properties"]["interpretation"]["pattern"]: _("“%(value)s” is not a valid interpreter name."),
    }
    return messages.get(pattern, _("“%(value)s” is not in the expected form.")) % {"value": value}


def _other_message(kind: str, limit: Any, instance: Any) -> str:
    if kind in ("enum", "const"):
        allowed = ", ".join(str(a) for a in (limit if kind == "enum" else [limit]))
        return _("“%(value)s” is not allowed here; use one of: %(allowed)s.") % {"value": instance, "allowed": allowed}
    limits = {
        "minimum": _("This must be at least %(limit)s."),
        "maximum": _("This must be at most %(limit)s."),
        "exclusiveMinimum": _("This must be more than %(limit)s."),
        "exclusiveMaximum": _("This must be less than %(limit)s."),
    }
    if kind in limits:
        return limits[kind] % {"limit": limit}
    if kind in ("minItems", "minProperties", "minLength"):
        if limit <= 1:
            return _("This cannot be empty.")
        message = ngettext("This needs at least %(count)d entry.", "This needs at least %(count)d entries.", limit)
        return message % {"count": limit}
    if kind == "uniqueItems":
        return _("This list has the same entry twice.")
    if kind == "oneOf" and all(set(s) == {"required"} for s in limit):
        return _("Give exactly one of: %(names)s.") % {"names": ", ".join(s["required"][0] for s in limit)}
    return _("This is not valid here (rule “%(rule)s”).") % {"rule": kind}


def where(definition: Mapping[str, Any], path: tuple[PathPart, ...]) -> str:
    """A place a person can find, e.g. `sections[2] "d1" > items[3] "D1_4" > reverse` (counting from 0)."""
    parts: list[str] = []
    node: Any = definition
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            name = (node.get("id") or node.get("code")) if isinstance(node, dict) else node
            label = f'[{part}] "{name}"' if isinstance(name, str) and name else f"[{part}]"
            parts[-1:] = [(parts[-1] if parts else "") + label]
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return " > ".join(parts)


# ----------------------------------------------------------------------------------------------------------
# Meaning: what the schema cannot check


class _Checker:
    """Collects every problem of meaning in a definition whose structure is sound."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.doc = definition
        self.problems: list[Problem] = []
        self.items: dict[str, dict[str, Any]] = {}  # filled in the order of the questionnaire
        self.response_sets: dict[str, Any] = definition.get("response_sets", {})

    def add(self, path: tuple[PathPart, ...], message: str, **params: Any) -> None:
        text = message % params if params else message
        self.problems.append(Problem(where(self.doc, path), text, path=path))

    def run(self) -> list[Problem]:
        self.check_interpretation()
        for name, response_set in self.response_sets.items():
            self.check_options(
                ("response_sets", name), response_set["options"], numeric=response_set["type"] == "scale"
            )
        section_ids: set[str] = set()
        for s_index, section in enumerate(self.doc["sections"]):
            self.unique(section_ids, section["id"], ("sections", s_index, "id"))
            for i_index, item in enumerate(section["items"]):
                self.check_item(("sections", s_index, "items", i_index), item)
        self.check_scales()
        self.check_triggers()
        self.check_languages()
        return self.problems

    def unique(self, seen: set[str], value: str, path: tuple[PathPart, ...]) -> None:
        if value in seen:
            self.add(path, _("The id “%(id)s” is used twice; each id must be unique."), id=value)
        seen.add(value)

    def check_interpretation(self) -> None:
        """The interpreter exists, its params are ones it knows, and the scales it reads are defined."""
        value = self.doc.get("interpretation")
        name = value.get("name") if isinstance(value, dict) else value
        if name is None:
            return
        path: tuple[PathPart, ...] = ("interpretation", "name") if isinstance(value, dict) else ("interpretation",)
        if name not in INTERPRETERS:
            message = _("There is no interpreter “%(name)s”; the engine knows: %(known)s.")
            self.add(path, message, name=name, known=", ".join(INTERPRETERS))
            return
        module = importlib.import_module(INTERPRETERS[name])
        params = value.get("params", {}) if isinstance(value, dict) else {}
        for key in sorted(set(params) - set(module.DEFAULTS)):
            close = difflib.get_close_matches(key, list(module.DEFAULTS), n=1)
            message = _("“%(name)s” is not a setting of this interpreter; did you mean “%(suggestion)s”?")
            if not close:
                message = _("“%(name)s” is not a setting of this interpreter.")
            self.add(("interpretation", "params", key), message, name=key, suggestion="".join(close))
        settings = {**module.DEFAULTS, **params}
        scales = {scale["id"] for scale in self.doc.get("scales", [])}
        for param in module.SCALE_PARAMS:
            wanted = settings[param] if isinstance(settings[param], list) else [settings[param]]
            for scale_id in wanted:
                if scale_id not in scales:
                    message = _(
                        "The interpreter reads scale “%(scale)s” (setting %(param)s), but there is no such scale."
                    )
                    self.add(path, message, scale=scale_id, param=param)

    def check_options(self, path: tuple[PathPart, ...], options: list[dict[str, Any]], *, numeric: bool) -> None:
        seen: list[Any] = []
        for index, option in enumerate(options):
            value = option["value"]
            if any(same_value(value, v) for v in seen):
                self.add(
                    (*path, "options", index, "value"), _("The answer value %(value)s appears twice."), value=value
                )
            seen.append(value)
            if numeric and not _is_number(value):
                message = _("Answers on a scale are numbers; “%(value)s” is not a number.")
                self.add((*path, "options", index, "value"), message, value=value)

    def check_item(self, path: tuple[PathPart, ...], item: dict[str, Any]) -> None:
        item_id, kind = item["id"], item["type"]
        self.unique(set(self.items), item_id, (*path, "id"))
        self.items.setdefault(item_id, item)
        for name in sorted(set(item) - _TYPE_FIELDS[kind]):
            self.add((*path, name), _("An item of type “%(type)s” does not use “%(field)s”."), type=kind, field=name)
        if kind in CHOICE_TYPES:
            self.check_item_options(path, item)
        missing = [str(n) for n in ANCHOR_LEVELS if str(n) not in item.get("anchors", {})]
        if kind == "anchored" and missing:
            message = _("An anchored item needs a level text for each of 0 to 4; missing: %(levels)s.")
            self.add((*path, "anchors"), message, levels=", ".join(missing))
        if kind == "number" and item.get("min", -math.inf) > item.get("max", math.inf):
            message = _("The minimum (%(min)s) is larger than the maximum (%(max)s).")
            self.add((*path, "min"), message, min=item["min"], max=item["max"])
        if "relevant" in item:
            self.check_condition((*path, "relevant"), item["relevant"], asked_before=item_id)

    def check_item_options(self, path: tuple[PathPart, ...], item: dict[str, Any]) -> None:
        has_set, has_options = "response_set" in item, "options" in item
        if has_set and has_options:
            self.add((*path, "options"), _("Give either a response_set or options, not both."))
        elif not has_set and not has_options:
            self.add(path, _("This question needs a response_set or its own options."))
        elif has_set and item["response_set"] not in self.response_sets:
            self.add((*path, "response_set"), _("There is no response set “%(name)s”."), name=item["response_set"])
        elif has_options:
            self.check_options(path, item["options"], numeric=item["type"] == "scale")
        elif item["type"] == "scale" and any(not _is_number(o["value"]) for o in self.options_of(item)):
            message = _("Answers on a scale are numbers; response set “%(name)s” has text values.")
            self.add((*path, "response_set"), message, name=item["response_set"])

    def options_of(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        if "options" in item:
            return list(item["options"])
        response_set = self.response_sets.get(item.get("response_set", ""))
        return list(response_set["options"]) if response_set else []

    def possible(self, item: dict[str, Any], value: Any) -> bool:
        """Whether `value` can be an answer to the item (for conditions and count_values)."""
        kind = item["type"]
        if kind in CHOICE_TYPES:
            return any(same_value(o["value"], value) for o in self.options_of(item))
        if kind in ("anchored", "yesno", "number"):
            low, high = _item_range(item, [])
            in_range = _is_number(value) and (low is None or low <= value) and (high is None or value <= high)
            return in_range and (kind == "number" or value == int(value))
        return kind != "note" and isinstance(value, str)

    def check_condition(
        self, path: tuple[PathPart, ...], condition: dict[str, Any], *, asked_before: str | None
    ) -> None:
        """A condition names an answerable item (for `relevant`, one asked earlier) and an answer it can have."""
        ref = condition["item"]
        item = self.items.get(ref)
        if asked_before is not None and (ref == asked_before or (item is None and self.declared(ref))):
            message = _(
                "“%(item)s” is not asked before this question; a question can only depend on an earlier answer."
            )
            self.add((*path, "item"), message, item=ref)
        elif item is None:
            self.add((*path, "item"), _("There is no item “%(item)s”."), item=ref)
        elif item["type"] == "note":
            self.add((*path, "item"), _("“%(item)s” is a note and has no answer."), item=ref)
        else:
            self.check_condition_values(path, condition, item)

    def check_condition_values(
        self, path: tuple[PathPart, ...], condition: dict[str, Any], item: dict[str, Any]
    ) -> None:
        op = next(k for k in ("equals", "in", "selected") if k in condition)
        if op != "selected" and item["type"] == "multiple":
            self.add((*path, op), _("“%(item)s” takes several answers: use “selected”."), item=item["id"])
        elif op == "selected" and item["type"] != "multiple":
            self.add((*path, op), _("“selected” is only for items with several answers; use “equals” or “in”."))
        else:
            values = condition[op] if op == "in" else [condition[op]]
            for index, value in enumerate(values):
                if not self.possible(item, value):
                    message = _("%(value)s is not a possible answer to “%(item)s”.")
                    self.add((*path, op, index) if op == "in" else (*path, op), message, value=value, item=item["id"])

    def declared(self, item_id: str) -> bool:
        return any(item["id"] == item_id for section in self.doc["sections"] for item in section["items"])

    def check_scales(self) -> None:
        scales = self.doc.get("scales", [])
        defined: set[str] = set()
        for index, scale in enumerate(scales):
            path: tuple[PathPart, ...] = ("scales", index)
            if scale["id"] in defined:
                self.add((*path, "id"), _("The id “%(id)s” is used twice; each id must be unique."), id=scale["id"])
            self.check_method_fields(path, scale)
            if scale["method"] == "mean_of_scales":
                self.check_scale_refs(path, scale, defined, {s["id"] for s in scales})
            else:
                self.check_scale_items(path, scale)
            if "bands" in scale:
                self.check_bands(path, scale)
            defined.add(scale["id"])

    def check_method_fields(self, path: tuple[PathPart, ...], scale: dict[str, Any]) -> None:
        method = scale["method"]
        combining = method == "mean_of_scales"
        required = {"scales", "min_valid"} if combining else {"items"}
        unused = {"items", "min_answered", "count_values"} if combining else {"scales", "min_valid"}
        if method == "count":
            required.add("count_values")
        elif not combining:
            unused.add("count_values")
        for name in sorted(required - set(scale)):
            self.add((*path, name), _("A %(method)s scale needs “%(field)s”."), method=method, field=name)
        for name in sorted(unused & set(scale)):
            self.add((*path, name), _("A %(method)s scale does not use “%(field)s”."), method=method, field=name)
        if combining and scale.get("min_valid", 0) > len(scale.get("scales", [])):
            message = _("min_valid asks for %(needed)s scales, but only %(count)s are listed.")
            self.add((*path, "min_valid"), message, needed=scale["min_valid"], count=len(scale["scales"]))

    def check_scale_refs(
        self, path: tuple[PathPart, ...], scale: dict[str, Any], defined: set[str], all_ids: set[str]
    ) -> None:
        for index, ref in enumerate(scale.get("scales", [])):
            if ref in scale["scales"][:index]:
                self.add((*path, "scales", index), _("“%(name)s” is listed twice."), name=ref)
            elif ref in all_ids and ref not in defined:
                message = _("Scale “%(name)s” comes later; scales are computed in order, so list it before this one.")
                self.add((*path, "scales", index), message, name=ref)
            elif ref not in defined:
                self.add((*path, "scales", index), _("There is no scale “%(name)s”."), name=ref)

    def check_scale_items(self, path: tuple[PathPart, ...], scale: dict[str, Any]) -> None:
        refs: list[str] = scale.get("items", [])
        for index, ref in enumerate(refs):
            item = self.items.get(ref)
            message = self.unscorable(item, scale["method"]) if item else _("There is no item “%(item)s”.")
            if ref in refs[:index]:
                message = _("“%(item)s” is listed twice.")
            if message:
                self.add((*path, "items", index), message, item=ref, type=item["type"] if item else "")
        items = [self.items[ref] for ref in refs if ref in self.items]
        if scale["method"] == "weighted" and items and not any("weight" in item for item in items):
            self.add((*path, "method"), _("A weighted scale needs weights on its items; none of them has one."))
        for index, value in enumerate(scale.get("count_values", [])):
            if items and not any(self.possible(item, value) for item in items):
                message = _("%(value)s is not a possible answer to any item of this scale.")
                self.add((*path, "count_values", index), message, value=value)
        value = scale.get("min_answered")
        if value is not None and value >= 1 and value != int(value):
            message = _("min_answered is a fraction below 1 (such as 0.667) or a whole number.")
            self.add((*path, "min_answered"), message)
        elif value is not None and value > len(set(refs)):
            message = _("min_answered asks for %(needed)s answers, but the scale has only %(count)s items.")
            self.add((*path, "min_answered"), message, needed=int(value), count=len(set(refs)))

    def unscorable(self, item: dict[str, Any], method: str) -> str | None:
        if item["type"] in UNSCORABLE_TYPES:
            return _("“%(item)s” is a %(type)s item and cannot be scored.")
        if method == "count":
            return None
        if item["type"] == "number" and ("min" not in item or "max" not in item):
            return _("“%(item)s” needs a min and a max to be scored.")
        if item["type"] in CHOICE_TYPES and not all(_is_number(o["value"]) for o in self.options_of(item)):
            return _("“%(item)s” has answers that are not numbers; only a count scale can use it.")
        low, high = _item_range(item, self.options_of(item))
        if method == "percent" and low == high:
            return _("“%(item)s” has only one possible answer, so it cannot be scored as a percentage.")
        return None

    def check_bands(self, path: tuple[PathPart, ...], scale: dict[str, Any]) -> None:
        """Bands go up in order; each starts at most one after the last ended (no whole score is left out)."""
        bands = scale["bands"]
        for index, band in enumerate(bands):
            here = (*path, "bands", index)
            if band["code"] in [b["code"] for b in bands[:index]]:
                self.add((*here, "code"), _("The band “%(code)s” appears twice."), code=band["code"])
            if band["min"] > band["max"]:
                self.add((*here, "max"), _("Band “%(code)s” ends before it starts."), code=band["code"])
            if index == 0:
                continue
            previous = bands[index - 1]
            params = {"code": band["code"], "previous": previous["code"], "start": band["min"], "end": previous["max"]}
            if band["min"] <= previous["max"]:
                message = _(
                    "Band “%(code)s” starts at %(start)s, inside band “%(previous)s” (up to %(end)s): "
                    "bands must go up in order without overlaps."
                )
                self.add((*here, "min"), message, **params)
            elif band["min"] > previous["max"] + 1:
                message = _(
                    "There is a gap between band “%(previous)s” (up to %(end)s) and “%(code)s” (from %(start)s)."
                )
                self.add((*here, "min"), message, **params)
        low, high = self.score_range(scale)
        if low is not None and bands[0]["min"] > low:
            message = _("The bands start at %(start)s, but the score can be as low as %(low)s.")
            self.add((*path, "bands", 0, "min"), message, start=bands[0]["min"], low=low)
        if high is not None and bands[-1]["max"] < high:
            message = _("The bands end at %(end)s, but the score can be as high as %(high)s.")
            self.add((*path, "bands", len(bands) - 1, "max"), message, end=bands[-1]["max"], high=high)

    def score_range(self, scale: dict[str, Any]) -> tuple[float | None, float | None]:
        """The lowest and highest score of a scale where the method fixes them; None where it does not."""
        method = scale["method"]
        if method == "percent":
            return 0, 100
        if method == "count":
            return 0, len(set(scale.get("items", [])))
        items = [self.items[i] for i in scale.get("items", []) if i in self.items]
        ranges = [_item_range(item, self.options_of(item)) for item in items]
        if method not in ("mean", "weighted") or not ranges or any(None in r for r in ranges):
            return None, None
        return min(r[0] for r in ranges if r[0] is not None), max(r[1] for r in ranges if r[1] is not None)

    def check_triggers(self) -> None:
        ids: set[str] = set()
        for index, trigger in enumerate(self.doc.get("triggers", [])):
            self.unique(ids, trigger["id"], ("triggers", index, "id"))
            mode = "any" if "any" in trigger else "all"
            for c_index, condition in enumerate(trigger[mode]):
                self.check_condition(("triggers", index, mode, c_index), condition, asked_before=None)

    def check_languages(self) -> None:
        """Every text exists in each language the definition calls complete."""
        languages = self.doc["languages"]
        for path, texts in _texts_in(self.doc, ()):
            missing = [lang for lang in languages if not texts.get(lang)]
            if missing:
                message = _("The text is missing in %(languages)s, which the instrument lists as complete.")
                self.add(path, message, languages=", ".join(missing))


def _texts_in(node: Any, path: tuple[PathPart, ...]) -> Iterator[tuple[tuple[PathPart, ...], Mapping[str, str]]]:
    """Every translated text in a definition, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "description", "text", "hint", "why", "label") and _is_texts(value):
                yield (*path, key), value
            elif key == "anchors" and isinstance(value, dict):
                yield from (((*path, key, level), texts) for level, texts in value.items())
            elif key != "interpretation":
                yield from _texts_in(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts_in(value, (*path, index))


def _is_texts(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _item_range(item: dict[str, Any], options: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    kind = item["type"]
    if kind == "anchored":
        return ANCHOR_LEVELS[0], ANCHOR_LEVELS[-1]
    if kind == "yesno":
        return NO, YES
    if kind == "number":
        return item.get("min"), item.get("max")
    values = [o["value"] for o in options if _is_number(o["value"])]
    return (min(values), max(values)) if values else (None, None)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same kind: the number 1 is not the choice "1", and true is not 1."""
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and a == b


# ----------------------------------------------------------------------------------------------------------
# Building


def _build(doc: dict[str, Any]) -> Instrument:
    response_sets = {
        name: ResponseSet(
            id=name,
            type=rs["type"],
            options=_options(rs["options"]),
            allow_na=rs.get("allow_na"),
            allow_declined=rs.get("allow_declined"),
        )
        for name, rs in doc.get("response_sets", {}).items()
    }
    sections = tuple(_section(s, response_sets) for s in doc["sections"])
    interpretation = doc.get("interpretation")
    if isinstance(interpretation, dict):
        name, params = interpretation["name"], interpretation.get("params", {})
    else:
        name, params = interpretation, {}
    return Instrument(
        id=doc["id"],
        version=doc["version"],
        title=doc["title"],
        description=doc.get("description", {}),
        languages=tuple(doc["languages"]),
        status=doc["status"],
        licence=doc["licence"],
        interpretation=name,
        interpretation_params=params,
        response_sets=response_sets,
        sections=sections,
        items={item.id: item for section in sections for item in section.items},
        scales={s["id"]: _scale(s) for s in doc.get("scales", [])},
        triggers=tuple(_trigger(t) for t in doc.get("triggers", [])),
        definition=doc,
    )


def _options(options: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(value=o["value"], label=o["label"]) for o in options)


def _condition(data: dict[str, Any]) -> Condition:
    op = next(k for k in ("equals", "in", "selected") if k in data)
    values = tuple(data[op]) if op == "in" else (data[op],)
    return Condition(item=data["item"], op=op, values=values)


def _section(data: dict[str, Any], response_sets: Mapping[str, ResponseSet]) -> Section:
    items = tuple(_item(i, data["id"], response_sets) for i in data["items"])
    return Section(
        id=data["id"], title=data["title"], why=data.get("why", {}), private=data.get("private", False), items=items
    )


def _item(data: dict[str, Any], section: str, response_sets: Mapping[str, ResponseSet]) -> Item:
    """Defaults: "prefer not to answer" is offered on every question, "not applicable" only when asked for."""
    response_set = response_sets.get(data.get("response_set", ""))
    options = response_set.options if response_set else _options(data.get("options", []))
    answerable = data["type"] != "note"

    def allowed(name: str, default: bool) -> bool:
        if name in data:
            return bool(data[name])
        inherited = getattr(response_set, name, None)
        return answerable and (default if inherited is None else inherited)

    return Item(
        id=data["id"],
        type=data["type"],
        section=section,
        text=data["text"],
        hint=data.get("hint", {}),
        options=options,
        anchors={int(level): texts for level, texts in data.get("anchors", {}).items()},
        reverse=data.get("reverse", False),
        weight=data.get("weight", 1),
        min=data.get("min"),
        max=data.get("max"),
        allow_na=allowed("allow_na", False),
        allow_declined=allowed("allow_declined", True),
        relevant=_condition(data["relevant"]) if "relevant" in data else None,
        rater=data.get("rater", "worker" if data["type"] == "anchored" else "family"),
        response_set=data.get("response_set"),
    )


def _scale(data: dict[str, Any]) -> Scale:
    return Scale(
        id=data["id"],
        title=data.get("title", {}),
        method=data["method"],
        items=tuple(data.get("items", [])),
        scales=tuple(data.get("scales", [])),
        count_values=tuple(data.get("count_values", [])),
        min_answered=data.get("min_answered"),
        min_valid=int(data["min_valid"]) if "min_valid" in data else None,
        bands=tuple(Band(b["min"], b["max"], b["code"], b.get("label", {})) for b in data.get("bands", [])),
        report=data.get("report", True),
    )


def _trigger(data: dict[str, Any]) -> Trigger:
    mode = "any" if "any" in data else "all"
    return Trigger(
        id=data["id"],
        level=data["level"],
        mode=mode,
        conditions=tuple(_condition(c) for c in data[mode]),
        label=data["label"],
    )
