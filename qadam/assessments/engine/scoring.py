"""Scoring a completed (or partly completed) assessment against its instrument.

`score` is a pure function: the same instrument and answers always give the same `Result`, which can be
stored as JSON and read back. Trauma-informed rules hold throughout: a question left out ("skipped"), a
"prefer not to answer" and a "not applicable" are never counted as 0; they are left out of the score and
listed beside it, and a score is only given when enough questions were answered. Alerts ("triggers") are
kept apart from every score.

Every step leaves an explanation entry: data (a code and its numbers), rendered by `explain` in the
reader's language, so a result stored today reads correctly in Kazakh or Russian tomorrow.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import TextChoices
from django.utils import formats
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from .definition import Instrument, Item, Problem, Scale, same_value

NA = "na"  # "not applicable": the question does not concern this family
DECLINED = "declined"  # "prefer not to answer"
MARKERS = (NA, DECLINED)

# min_answered as a fraction is read to a tenth of a percentage point, so that 0.667 means two thirds:
# 0.667 of 6 items needs 4 answers (2/3 of 6), not ceil(4.002) = 5. Exact for scales under 1000 items.
FRACTION_TOLERANCE = Fraction(1, 1000)
MEAN_PLACES = 2  # mean, weighted and mean_of_scales are kept to two decimals

Score = int | float
Entry = dict[str, Any]


class InvalidAnswers(ValueError):
    """The answers do not fit the instrument (see `check_answers`); nothing was scored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ----------------------------------------------------------------------------------------------------------
# Checking answers


def check_answers(instrument: Instrument, answers: Mapping[str, Any]) -> list[Problem]:
    """Every answer that does not fit its question: unknown ids, values not offered, answers to notes.

    An answer of None counts as skipped, like a question left out.
    """
    problems = []
    for item_id, value in answers.items():
        item = instrument.items.get(item_id)
        message: str | None
        if value is None and item is not None:
            continue
        if item is None:
            message = _("There is no question “%(item)s” in this instrument.") % {"item": item_id}
        elif not item.answerable:
            message = _("“%(item)s” is a note; it takes no answer.") % {"item": item_id}
        else:
            message = _value_problem(item, value)
        if message:
            problems.append(Problem(item_id, message))
    return problems


def _value_problem(item: Item, value: Any) -> str | None:
    if value is None:
        return None
    if value == NA:
        return None if item.allow_na else _("“Not applicable” is not offered for this question.")
    if value == DECLINED:
        return None if item.allow_declined else _("“Prefer not to answer” is not offered for this question.")
    if item.type == "multiple":
        if not isinstance(value, list) or any(not _offered(item, v) for v in value):
            return _("The answer must be a list of the choices offered.")
        return _("The same choice is given twice.") if len(set(map(str, value))) < len(value) else None
    if item.type in ("scale", "single", "anchored", "yesno"):
        return None if _offered(item, value) else _offered_problem(item, value)
    if item.type == "number":
        return _number_problem(item, value)
    if item.type == "date":
        return None if _is_iso_date(value) else _("The answer must be a date written as YYYY-MM-DD.")
    return None if isinstance(value, str) else _("The answer must be text.")


def _offered(item: Item, value: Any) -> bool:
    return any(same_value(value, v) for v in item.values or ())


def _offered_problem(item: Item, value: Any) -> str:
    if item.type == "anchored":
        return _("The level must be a whole number from 0 to 4.")
    if item.type == "yesno":
        return _("The answer must be 1 (yes) or 0 (no).")
    return _("%(value)s is not one of the answers offered.") % {"value": value}


def _number_problem(item: Item, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return _("The answer must be a number.")
    if item.min is not None and value < item.min:
        return _("The answer must be at least %(min)s.") % {"min": item.min}
    if item.max is not None and value > item.max:
        return _("The answer must be at most %(max)s.") % {"max": item.max}
    return None


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class ScaleResult:
    """One score with everything needed to read it honestly: what was answered and what was left out.

    For a mean_of_scales score the "items" are the scales it combines: `answered` lists those with a valid
    score and `skipped` those without; `item_scores` holds their scores.
    """

    scale: str
    method: str
    score: Score | None
    valid: bool
    n_answered: int
    n_applicable: int
    needed: int
    answered: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    na: tuple[str, ...] = ()
    not_relevant: tuple[str, ...] = ()
    item_scores: Mapping[str, Score] = field(default_factory=dict)
    band: str | None = None
    report: bool = True

    _LISTS = ("answered", "skipped", "declined", "na", "not_relevant")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": self.method,
            "score": self.score,
            "valid": self.valid,
            "n_answered": self.n_answered,
            "n_applicable": self.n_applicable,
            "needed": self.needed,
        }
        data.update({name: list(getattr(self, name)) for name in self._LISTS})
        data.update(item_scores=dict(self.item_scores), band=self.band, report=self.report)
        return data

    @classmethod
    def from_dict(cls, scale: str, data: Mapping[str, Any]) -> "ScaleResult":
        return cls(
            scale=scale,
            method=data["method"],
            score=data["score"],
            valid=data["valid"],
            n_answered=data["n_answered"],
            n_applicable=data["n_applicable"],
            needed=data["needed"],
            answered=tuple(data.get("answered", ())),
            skipped=tuple(data.get("skipped", ())),
            declined=tuple(data.get("declined", ())),
            na=tuple(data.get("na", ())),
            not_relevant=tuple(data.get("not_relevant", ())),
            item_scores=dict(data.get("item_scores", {})),
            band=data.get("band"),
            report=data.get("report", True),
        )


@dataclass(frozen=True)
class FiredTrigger:
    """An alert raised by the answers, e.g. a safety concern; `level` is "concern" or "urgent"."""

    id: str
    level: str


@dataclass(frozen=True)
class Result:
    """The scores of one assessment, the alerts it raised, and the trace of how they were reached."""

    instrument: str
    version: str
    scales: Mapping[str, ScaleResult]
    triggers: tuple[FiredTrigger, ...] = ()
    explanation: tuple[Entry, ...] = ()

    def score_of(self, scale: str) -> Score | None:
        """The scale's score when it is valid (enough answers); None otherwise or when there is no such scale."""
        found = self.scales.get(scale)
        return found.score if found is not None and found.valid else None

    @property
    def flag(self) -> str | None:
        """The highest alert level raised: "urgent", "concern" or None."""
        levels = {t.level for t in self.triggers}
        return next((level for level in ("urgent", "concern") if level in levels), None)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy, to store beside the assessment."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "scales": {scale_id: s.as_dict() for scale_id, s in self.scales.items()},
            "triggers": [{"id": t.id, "level": t.level} for t in self.triggers],
            "explanation": [dict(entry) for entry in self.explanation],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Result":
        return cls(
            instrument=data["instrument"],
            version=data["version"],
            scales={scale_id: ScaleResult.from_dict(scale_id, s) for scale_id, s in data["scales"].items()},
            triggers=tuple(FiredTrigger(t["id"], t["level"]) for t in data.get("triggers", [])),
            explanation=tuple(dict(entry) for entry in data.get("explanation", [])),
        )


# ----------------------------------------------------------------------------------------------------------
# Scoring


def score(instrument: Instrument, answers: Mapping[str, Any]) -> Result:
    """Score the answers (item id -> value, or NA / DECLINED; a missing item was skipped).

    Raises InvalidAnswers when `check_answers` finds a problem: a wrong number is worse than none.
    """
    problems = check_answers(instrument, answers)
    if problems:
        raise InvalidAnswers(problems)
    explanation: list[Entry] = []
    asked, not_relevant = _applicable(instrument, answers)
    for item_id in not_relevant:
        if answers.get(item_id) is not None:
            explanation.append({"code": "answer_not_relevant", "item": item_id})
    results: dict[str, ScaleResult] = {}
    for scale in instrument.scales.values():
        if scale.method == "mean_of_scales":
            results[scale.id] = _score_scales(scale, results, explanation)
        else:
            results[scale.id] = _score_items(instrument, scale, asked, not_relevant, explanation)
    fired = _triggers(instrument, asked, not_relevant, explanation)
    return Result(instrument.id, instrument.version, results, fired, tuple(explanation))


def _applicable(instrument: Instrument, answers: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The answers to questions that apply, and the ids of questions whose `relevant` condition is false.

    A condition refers to an earlier question, so one pass in questionnaire order settles chains: a question
    that did not apply leaves no answer for a later condition to see.
    """
    asked: dict[str, Any] = {}
    not_relevant: set[str] = set()
    for item in instrument.items.values():
        if item.relevant is not None and not item.relevant.holds(asked):
            not_relevant.add(item.id)
        elif answers.get(item.id) is not None:
            asked[item.id] = answers[item.id]
    return asked, not_relevant


def required_answers(min_answered: float | None, n_applicable: int) -> int:
    """How many answers a score needs: `min_answered` of the applicable items, and never fewer than one.

    A fraction f (< 1) means "at least f of them", read with FRACTION_TOLERANCE (0.667 of 6 is 4); a whole
    number is a count. Without min_answered one answer is enough.
    """
    if min_answered is None:
        return 1
    if min_answered >= 1:
        return int(min_answered)
    fraction = Fraction(str(min_answered)) - FRACTION_TOLERANCE
    return max(1, math.ceil(fraction * n_applicable))


def _score_items(
    instrument: Instrument, scale: Scale, asked: Mapping[str, Any], not_relevant: set[str], explanation: list[Entry]
) -> ScaleResult:
    groups: dict[str, list[str]] = {"answered": [], "skipped": [], "declined": [], "na": [], "not_relevant": []}
    for item_id in scale.items:
        groups[_group(item_id, asked.get(item_id), not_relevant)].append(item_id)
    # text choices (only a count scale takes them) have no item score; the count is the score
    item_scores = {
        i: item_score(instrument.items[i], asked[i]) for i in groups["answered"] if instrument.items[i].numeric
    }
    n_answered = len(groups["answered"])
    n_applicable = len(scale.items) - len(groups["na"]) - len(groups["not_relevant"])
    needed = required_answers(scale.min_answered, n_applicable)
    for group in ("skipped", "declined", "na", "not_relevant"):
        if groups[group]:
            explanation.append({"code": f"items_{group}", "scale": scale.id, "items": list(groups[group])})
    value = None
    if n_answered >= needed:
        value = _compute(scale, [(instrument.items[i], asked[i], item_scores.get(i, 0)) for i in groups["answered"]])
    else:
        explanation.append({"code": "scale_insufficient", "scale": scale.id, "answered": n_answered, "needed": needed})
    return ScaleResult(
        scale=scale.id,
        method=scale.method,
        score=value,
        valid=value is not None,
        n_answered=n_answered,
        n_applicable=n_applicable,
        needed=needed,
        item_scores=item_scores,
        band=_band(scale, value, n_answered, n_applicable, explanation),
        report=scale.report,
        **{name: tuple(ids) for name, ids in groups.items()},
    )


def _group(item_id: str, value: Any, not_relevant: set[str]) -> str:
    if item_id in not_relevant:
        return "not_relevant"
    if value is None:
        return "skipped"
    if isinstance(value, str) and value in MARKERS:
        return {NA: "na", DECLINED: "declined"}[value]
    return "answered"


def item_score(item: Item, raw: Any) -> Score:
    """The raw answer, or for a reverse-worded question the answer turned around: max - raw on a scale from 0.

    In general (min + max) - raw, so that a 1..5 scale stays 1..5.
    """
    if not item.reverse:
        return _plain(exact(raw))
    low, high = item.min_value, item.max_value
    assert low is not None and high is not None  # the definition checks that scored items have a range
    return _plain(exact(low) + exact(high) - exact(raw))


def _compute(scale: Scale, answered: list[tuple[Item, Any, Score]]) -> Score:
    """The score of one scale from its answered items (item, raw answer, item score); at least one."""
    if scale.method == "count":
        return sum(1 for _item, raw, _s in answered if any(same_value(raw, v) for v in scale.count_values))
    scores = [exact(s) for _item, _raw, s in answered]
    total = sum(scores, Fraction(0))
    if scale.method == "sum":
        return _plain(total)
    if scale.method == "mean":
        return round_half_up(total / len(scores), MEAN_PLACES)
    if scale.method == "weighted":
        weights = [exact(item.weight) for item, _raw, _s in answered]
        weighted = sum((w * s for w, s in zip(weights, scores, strict=True)), Fraction(0))
        return round_half_up(weighted / sum(weights, Fraction(0)), MEAN_PLACES)
    # percent: round(100 * sum / (max * n)); when items have different ranges, each answered item's own
    # range adds to the denominator (and a scale from 1 is measured from 1)
    lows = sum((exact(item.min_value or 0) for item, _raw, _s in answered), Fraction(0))
    highs = sum((exact(item.max_value or 0) for item, _raw, _s in answered), Fraction(0))
    return round_half_up(100 * (total - lows) / (highs - lows))


def _score_scales(scale: Scale, results: Mapping[str, ScaleResult], explanation: list[Entry]) -> ScaleResult:
    """The mean of the listed scales that have a valid score, when at least `min_valid` of them do."""
    valid = [s for s in scale.scales if results[s].valid]
    missing = [s for s in scale.scales if not results[s].valid]
    scores = {s: results[s].score for s in valid}
    needed = scale.min_valid or len(scale.scales)
    value = None
    if len(valid) >= needed:
        value = round_half_up(sum((exact(v) for v in scores.values()), Fraction(0)) / len(valid), MEAN_PLACES)
    else:
        entry = {"code": "scales_insufficient", "scale": scale.id, "valid": len(valid), "needed": needed}
        explanation.append({**entry, "missing": missing})
    return ScaleResult(
        scale=scale.id,
        method=scale.method,
        score=value,
        valid=value is not None,
        n_answered=len(valid),
        n_applicable=len(scale.scales),
        needed=needed,
        answered=tuple(valid),
        skipped=tuple(missing),
        item_scores={k: v for k, v in scores.items() if v is not None},
        band=_band(scale, value, len(valid), len(scale.scales), explanation),
        report=scale.report,
    )


def _band(scale: Scale, value: Score | None, answered: int, applicable: int, explanation: list[Entry]) -> str | None:
    """Record the score in the trace and return its band, if the scale has bands."""
    if value is None:
        return None
    entry = {"code": "scale_scored", "scale": scale.id, "method": scale.method, "score": value}
    explanation.append({**entry, "answered": answered, "applicable": applicable})
    if not scale.bands:
        return None
    band = band_for(scale, value)
    if band is None:
        explanation.append({"code": "score_outside_bands", "scale": scale.id, "score": value})
    else:
        explanation.append({"code": "band", "scale": scale.id, "score": value, "band": band})
    return band


def band_for(scale: Scale, value: Score) -> str | None:
    """The band a score falls in, or None below the first band or above the last.

    Bands are read as "from min up to the next band's min", so a mean of 59.5 falls in 40-59 rather than in
    a gap between 59 and 60.
    """
    bands = scale.bands
    if not bands or value < bands[0].min or value > bands[-1].max:
        return None
    return next(band.code for band in reversed(bands) if band.min <= value)


def _triggers(
    instrument: Instrument, asked: Mapping[str, Any], not_relevant: set[str], explanation: list[Entry]
) -> tuple[FiredTrigger, ...]:
    """Alerts, on raw answers: a declined, not-applicable or skipped answer never meets a condition.

    When an alert did not fire but some of its questions were not answered, the trace says so: "no concern
    raised" must not read as "no concern".
    """
    fired = []
    for trigger in instrument.triggers:
        items = list(dict.fromkeys(c.item for c in trigger.conditions))
        if trigger.fires(asked):
            met = [c.item for c in trigger.conditions if c.holds(asked)]
            fired.append(FiredTrigger(trigger.id, trigger.level))
            explanation.append({"code": "trigger_fired", "trigger": trigger.id, "level": trigger.level, "items": met})
            continue
        unanswered = [i for i in items if i not in not_relevant and (asked.get(i) is None or asked.get(i) in MARKERS)]
        if unanswered:
            explanation.append({"code": "trigger_unanswered", "trigger": trigger.id, "items": unanswered})
    return tuple(fired)


# ----------------------------------------------------------------------------------------------------------
# Numbers


def round_half_up(value: Fraction, places: int = 0) -> Score:
    """Round halves up (toward +infinity), as people do by hand: 62.5 -> 63, 37.5 -> 38.

    Python's round() rounds halves to even (62.5 -> 62), which would surprise a worker checking a score on
    paper. Exact fractions avoid binary float error (2.675 stays 2.675).
    """
    scale = Fraction(10) ** places
    return _plain(Fraction(math.floor(value * scale + Fraction(1, 2))) / scale)


def exact(value: Any) -> Fraction:
    """A number as an exact fraction; a float by its decimal text, so 0.1 is one tenth."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _plain(value: Fraction) -> Score:
    """A whole number as int, anything else as float (JSON-friendly)."""
    return int(value) if value.denominator == 1 else float(value)


# ----------------------------------------------------------------------------------------------------------
# Explanations: data in the result, sentences in the reader's language


class TriggerLevel(TextChoices):
    CONCERN = "concern", gettext_lazy("Concern")
    URGENT = "urgent", gettext_lazy("Urgent")


Renderer = Callable[[Mapping[str, Any], Instrument | None], str]
_RENDERERS: dict[str, Renderer] = {}


def explains(code: str) -> Callable[[Renderer], Renderer]:
    """Register the sentence for an explanation code (used here and by interpreters such as faa)."""

    def register(render: Renderer) -> Renderer:
        _RENDERERS[code] = render
        return render

    return register


def explain(entry: Mapping[str, Any], instrument: Instrument | None = None) -> str:
    """One explanation entry as a sentence in the active language; with the instrument, scales go by title."""
    render = _RENDERERS.get(str(entry.get("code")))
    try:
        if render is not None:
            return render(entry, instrument)
    except (KeyError, TypeError, ValueError):
        pass  # an entry written by another version of the engine: say so rather than break the page
    return _("A step of the calculation that this version cannot describe (%(code)s).") % {"code": entry.get("code")}


def number(value: Any) -> str:
    """A score as the reader's locale writes it (47,33 in Russian and Kazakh)."""
    return str(formats.localize(value)) if isinstance(value, float) else str(value)


def id_list(values: Any) -> str:
    return ", ".join(str(v) for v in values)


def scale_name(scale_id: str, instrument: Instrument | None) -> str:
    """A scale's title in the active language when the instrument is at hand, else its id."""
    scale = instrument.scales.get(scale_id) if instrument else None
    if scale is None or not scale.title:
        return scale_id
    return Instrument.text(scale.title, get_language() or "en")[0]


def _band_name(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    scale = instrument.scales.get(entry["scale"]) if instrument else None
    band = next((b for b in scale.bands if b.code == entry["band"]), None) if scale else None
    return Instrument.text(band.label, get_language() or "en")[0] if band and band.label else str(entry["band"])


@explains("answer_not_relevant")
def _answer_not_relevant(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    message = _("“%(item)s” was answered but did not apply (its condition was not met), so it was left out.")
    return message % {"item": entry["item"]}


def _items_params(entry: Mapping[str, Any], instrument: Instrument | None) -> dict[str, Any]:
    items = entry["items"]
    return {"scale": scale_name(entry["scale"], instrument), "items": id_list(items), "count": len(items)}


@explains("items_skipped")
def _items_skipped(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = _items_params(entry, instrument)
    return (
        ngettext(
            "%(scale)s: %(count)d question was skipped; it is left out, not counted as 0 (%(items)s).",
            "%(scale)s: %(count)d questions were skipped; they are left out, not counted as 0 (%(items)s).",
            params["count"],
        )
        % params
    )


@explains("items_declined")
def _items_declined(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = _items_params(entry, instrument)
    return (
        ngettext(
            "%(scale)s: the family preferred not to answer %(count)d question; it is left out, not counted as 0 "
            "(%(items)s).",
            "%(scale)s: the family preferred not to answer %(count)d questions; they are left out, not counted as 0 "
            "(%(items)s).",
            params["count"],
        )
        % params
    )


@explains("items_na")
def _items_na(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = _items_params(entry, instrument)
    return (
        ngettext(
            "%(scale)s: %(count)d question does not apply to this family and is left out (%(items)s).",
            "%(scale)s: %(count)d questions do not apply to this family and are left out (%(items)s).",
            params["count"],
        )
        % params
    )


@explains("items_not_relevant")
def _items_not_relevant(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = _items_params(entry, instrument)
    return (
        ngettext(
            "%(scale)s: %(count)d question was not asked because an earlier answer made it unnecessary (%(items)s).",
            "%(scale)s: %(count)d questions were not asked because an earlier answer made them unnecessary "
            "(%(items)s).",
            params["count"],
        )
        % params
    )


@explains("scale_insufficient")
def _scale_insufficient(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"scale": scale_name(entry["scale"], instrument), "answered": entry["answered"], "needed": entry["needed"]}
    return (
        ngettext(
            "%(scale)s: not enough answers for a score (%(answered)d given, %(needed)d needed).",
            "%(scale)s: not enough answers for a score (%(answered)d given, %(needed)d needed).",
            entry["needed"],
        )
        % params
    )


@explains("scales_insufficient")
def _scales_insufficient(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "scale": scale_name(entry["scale"], instrument),
        "valid": entry["valid"],
        "needed": entry["needed"],
        "missing": id_list(scale_name(s, instrument) for s in entry["missing"]),
    }
    return (
        ngettext(
            "%(scale)s: not enough scores to combine (%(valid)d has a score, %(needed)d needed; without a score: "
            "%(missing)s).",
            "%(scale)s: not enough scores to combine (%(valid)d have a score, %(needed)d needed; without a score: "
            "%(missing)s).",
            entry["valid"],
        )
        % params
    )


@explains("scale_scored")
def _scale_scored(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "scale": scale_name(entry["scale"], instrument),
        "score": number(entry["score"]),
        "answered": entry["answered"],
        "applicable": entry["applicable"],
    }
    if entry["method"] == "mean_of_scales":
        return (
            ngettext(
                "%(scale)s = %(score)s, the average of %(answered)d of %(applicable)d score.",
                "%(scale)s = %(score)s, the average of %(answered)d of %(applicable)d scores.",
                entry["applicable"],
            )
            % params
        )
    return (
        ngettext(
            "%(scale)s = %(score)s, from %(answered)d of %(applicable)d applicable question.",
            "%(scale)s = %(score)s, from %(answered)d of %(applicable)d applicable questions.",
            entry["applicable"],
        )
        % params
    )


@explains("score_outside_bands")
def _score_outside_bands(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"scale": scale_name(entry["scale"], instrument), "score": number(entry["score"])}
    return _("%(scale)s: the score %(score)s is outside every band of the instrument.") % params


@explains("band")
def _band_entry(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "scale": scale_name(entry["scale"], instrument),
        "score": number(entry["score"]),
        "band": _band_name(entry, instrument),
    }
    return _("%(scale)s: %(score)s falls in the band “%(band)s”.") % params


@explains("trigger_fired")
def _trigger_fired(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "trigger": _trigger_name(entry["trigger"], instrument),
        "level": TriggerLevel(entry["level"]).label,
        "items": id_list(entry["items"]),
    }
    return _("Alert “%(trigger)s” (%(level)s), raised by the answers to %(items)s.") % params


@explains("trigger_unanswered")
def _trigger_unanswered(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"trigger": _trigger_name(entry["trigger"], instrument), "items": id_list(entry["items"])}
    return (
        _("Alert “%(trigger)s” was not raised, but %(items)s went unanswered: that is not the same as no concern.")
        % params
    )


def _trigger_name(trigger_id: str, instrument: Instrument | None) -> str:
    trigger = next((t for t in instrument.triggers if t.id == trigger_id), None) if instrument else None
    return Instrument.text(trigger.label, get_language() or "en")[0] if trigger else trigger_id
