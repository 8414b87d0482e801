"""The Family Adaptation Assessment (FAA) interpreter: from scores to phase, strategy and suggested goals.

What the FAA scores mean for a migrant family's work plan, by the rules of
`/shared/domain/instruments.md` §10.4-10.8: the adaptation phase (deterministic; the worker may override
it with a recorded reason), overlays for a stalled or worsening trajectory, the acculturation strategy
(an aid, not a diagnosis), the support flags, a crosswalk to SSM-style levels and the two dimensions to
suggest as goals. The composite adaptation index (AI) is a scale in the instrument file (mean_of_scales,
min_valid 5), so the engine only reads it.

Every threshold comes from DEFAULTS, which the instrument overrides through `interpretation.params`: a
recalibration after the pilot is a new instrument version, not new code. Every decision leaves an
explanation entry (code and numbers) that `explain` renders in the reader's language.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.db.models import TextChoices
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .definition import Instrument
from .scoring import DECLINED, NA, Entry, Result, Score, exact, explains, id_list, number, round_half_up, scale_name

DEFAULTS: dict[str, Any] = {
    "composite": "AI",  # scale ids in the instrument file
    "dimensions": ["D1", "D2", "D3", "D4", "D5", "D6", "D7"],
    "heritage": "H",
    "urban": "U",
    "receiving_item": "R1",  # "People here accept families who come from villages" (0-4)
    # phase rules, §10.5
    "arrival_months": 3,  # rule 1: M < 3 ...
    "arrival_min_ai": 20,  # ... and AI >= 20
    "crisis_ai": 40,  # rule 2: AI < 40 ...
    "crisis_dimensions": ["D1", "D2"],  # ... or one of these
    "crisis_dimension": 20,  # ... below 20
    "adjustment_ai": 60,  # rule 3: 40 <= AI < 60
    "integration_ai": 80,  # rule 4: 60 <= AI < 80 or any dimension < 40; rule 5: AI >= 80, all >= 40
    "weak_dimension": 40,
    # trajectory
    "trend_min_days": 60,
    "deterioration": -10,
    "stalled_months": 12,
    "stalled_gap_months": 6,
    "stalled_trend": 5,
    "typical_months": [3, 12, 36],  # orientation < 3 <= adjustment < 12 <= stabilisation <= 36 < integration
    # acculturation, §10.6
    "midpoint": 50,
    "borderline": 10,
    "support_below": 40,
    "isolation_dimension": "D3",
    "exclusion_dimensions": ["D2", "D4"],
    "receiving_max": 1,
    # outputs, §10.7-10.8
    "band_cuts": [20, 40, 60, 80],
    "goal_count": 2,
}


# Settings that name scales of the instrument: the definition check makes sure they exist.
SCALE_PARAMS = (
    "composite",
    "dimensions",
    "heritage",
    "urban",
    "crisis_dimensions",
    "isolation_dimension",
    "exclusion_dimensions",
)


class Phase(TextChoices):
    SAFETY_FIRST = "safety_first", gettext_lazy("Safety first (phase paused)")
    ARRIVAL = "arrival", gettext_lazy("Arrival and orientation")
    CRISIS = "crisis", gettext_lazy("Crisis and disorientation")
    ACTIVE_ADJUSTMENT = "active_adjustment", gettext_lazy("Active adjustment")
    STABILISATION = "stabilisation", gettext_lazy("Stabilisation")
    INTEGRATION = "integration", gettext_lazy("Integration and rootedness")
    NOT_ENOUGH_ANSWERS = "not_enough_answers", gettext_lazy("Not enough answers to suggest a phase")


# The adaptation phases in their usual order (P0-P4); "safety first" and "not enough answers" stand outside it.
PHASE_ORDER = (Phase.ARRIVAL, Phase.CRISIS, Phase.ACTIVE_ADJUSTMENT, Phase.STABILISATION, Phase.INTEGRATION)


class TypicalPeriod(TextChoices):
    """Where families usually are after so many months in the city (for display, not a norm)."""

    ORIENTATION = "orientation", gettext_lazy("Orientation (first 3 months)")
    ADJUSTMENT = "adjustment", gettext_lazy("Adjustment (3 to 12 months)")
    STABILISATION = "stabilisation", gettext_lazy("Stabilisation (12 to 36 months)")
    INTEGRATION = "integration", gettext_lazy("Integration (more than 36 months)")


# The earliest phase usual in each period: a family in an earlier phase gets the "longer than typical" note.
_TYPICAL_FIRST_PHASE = {
    TypicalPeriod.ORIENTATION: Phase.ARRIVAL,
    TypicalPeriod.ADJUSTMENT: Phase.CRISIS,
    TypicalPeriod.STABILISATION: Phase.STABILISATION,
    TypicalPeriod.INTEGRATION: Phase.INTEGRATION,
}


class Strategy(TextChoices):
    """Berry's acculturation strategies, internal-migrant version; no strategy is "bad" in itself."""

    INTEGRATION = "integration", pgettext_lazy("acculturation strategy", "Integration")
    ASSIMILATION = "assimilation", pgettext_lazy("acculturation strategy", "Assimilation")
    SEPARATION = "separation", pgettext_lazy("acculturation strategy", "Separation")
    MARGINALISATION = "marginalisation", pgettext_lazy("acculturation strategy", "Marginalisation")
    NOT_ASSESSED = "not_assessed", pgettext_lazy("acculturation strategy", "Not assessed")


class Confidence(TextChoices):
    CLEAR = "clear", gettext_lazy("Clear")
    BORDERLINE = "borderline", gettext_lazy("Borderline")


class SupportFlag(TextChoices):
    ISOLATION_RISK = "isolation_risk", gettext_lazy("Risk of isolation and distress")
    IMPOSED_SEPARATION = "imposed_separation", gettext_lazy("Separation that looks imposed by exclusion")


class Band(TextChoices):
    CRISIS = "crisis", pgettext_lazy("FAA band", "Crisis")
    VULNERABLE = "vulnerable", pgettext_lazy("FAA band", "Vulnerable")
    COPING = "coping", pgettext_lazy("FAA band", "Coping")
    BUILDING_CAPACITY = "building_capacity", pgettext_lazy("FAA band", "Building capacity")
    THRIVING = "thriving", pgettext_lazy("FAA band", "Thriving")


class FamilyCardLevel(TextChoices):
    """The Digital Family Card's A-E levels, approximated; never the official algorithm, never stored as it."""

    A = "A", gettext_lazy("A, prosperous (approximation, not the official level)")
    B = "B", gettext_lazy("B, satisfactory (approximation, not the official level)")
    C = "C", gettext_lazy("C, unsatisfactory (approximation, not the official level)")
    D = "D", gettext_lazy("D, crisis (approximation, not the official level)")
    E = "E", gettext_lazy("E, emergency (approximation, not the official level)")


_BANDS = (Band.CRISIS, Band.VULNERABLE, Band.COPING, Band.BUILDING_CAPACITY, Band.THRIVING)
_CARD_LEVELS = (FamilyCardLevel.E, FamilyCardLevel.D, FamilyCardLevel.C, FamilyCardLevel.B, FamilyCardLevel.A)


class Point(NamedTuple):
    """An earlier completed assessment of the same family: its date, AI (None if not scored) and phase."""

    on: date
    ai: Score | None
    phase: str | None


@dataclass(frozen=True)
class Interpretation:
    """What the FAA scores suggest for the family's plan; each part explained in `explanation`."""

    ai: Score | None
    phase: str
    phase_rule: int | None
    trend: Score | None
    trend_from: date | None
    deteriorating: bool
    stalled: bool
    typical_period: str | None
    longer_than_typical: bool
    heritage: Score | None
    urban: Score | None
    strategy: str
    strategy_confidence: str | None
    support_flags: tuple[str, ...]
    ai_band: str | None
    ssm_level: int | None
    family_card_level: str | None  # always an approximation (FamilyCardLevel labels say so)
    goal_dimensions: tuple[str, ...]
    explanation: tuple[Entry, ...]

    def as_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["trend_from"] = self.trend_from.isoformat() if self.trend_from else None
        data["support_flags"] = list(self.support_flags)
        data["goal_dimensions"] = list(self.goal_dimensions)
        data["explanation"] = [dict(entry) for entry in self.explanation]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Interpretation":
        values = dict(data)
        values["trend_from"] = date.fromisoformat(data["trend_from"]) if data.get("trend_from") else None
        values["support_flags"] = tuple(data["support_flags"])
        values["goal_dimensions"] = tuple(data["goal_dimensions"])
        values["explanation"] = tuple(dict(entry) for entry in data["explanation"])
        return cls(**values)


def settings(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """DEFAULTS overridden by the instrument's params; an unknown name is an error, not silently ignored."""
    unknown = sorted(set(params or {}) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown FAA params: {', '.join(unknown)}")
    return {**DEFAULTS, **(params or {})}


def interpret(
    result: Result,
    *,
    months_since_move: int | None,
    previous: Sequence[Point],
    safety_urgent: bool,
    assessed_on: date,
    answers: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
) -> Interpretation:
    """Interpret one scored FAA assessment.

    `previous` lists the family's earlier completed assessments, oldest first; `assessed_on` is the date of
    this one; `answers`, if given, are its raw answers (only the receiving-society item is read, otherwise
    taken from the result); `params` are the instrument's `interpretation.params`.
    """
    p = settings(params)
    explanation: list[Entry] = []
    ai = result.score_of(p["composite"])
    dims = {d: result.score_of(d) for d in p["dimensions"]}
    phase, rule = phase_for(ai, dims, months_since_move, safety_urgent, p, explanation)
    trend, trend_from = _trend(ai, previous, assessed_on, p, explanation)
    deteriorating = trend is not None and trend <= p["deterioration"]
    if deteriorating:
        explanation.append({"code": "deteriorating", "trend": trend, "limit": p["deterioration"]})
    stalled = _stalled(ai, phase, months_since_move, previous, assessed_on, p, explanation)
    typical, behind = _typical(months_since_move, phase, p, explanation)
    heritage, urban = result.score_of(p["heritage"]), result.score_of(p["urban"])
    strategy, confidence = strategy_for(heritage, urban, p, explanation)
    receiving = receiving_answer(result, answers, p["receiving_item"])
    flags = _support_flags(strategy, dims, receiving, p, explanation)
    band, ssm, card = crosswalk(ai, p, explanation)
    return Interpretation(
        ai=ai,
        phase=phase,
        phase_rule=rule,
        trend=trend,
        trend_from=trend_from,
        deteriorating=deteriorating,
        stalled=stalled,
        typical_period=typical,
        longer_than_typical=behind,
        heritage=heritage,
        urban=urban,
        strategy=strategy,
        strategy_confidence=confidence,
        support_flags=flags,
        ai_band=band,
        ssm_level=ssm,
        family_card_level=card,
        goal_dimensions=_goals(dims, p, explanation),
        explanation=tuple(explanation),
    )


def phase_for(
    ai: Score | None,
    dims: Mapping[str, Score | None],
    months: int | None,
    safety_urgent: bool,
    p: Mapping[str, Any],
    explanation: list[Entry],
) -> tuple[str, int | None]:
    """The adaptation phase by the first rule that holds, in the order of the table in §10.5.

    Dimensions without a valid score take no part ("all dimensions >= 40" means all that were scored).
    Without months in the city, rule 1 (arrival) cannot hold.
    """
    if safety_urgent:
        explanation.append({"code": "phase_rule", "rule": 0, "phase": Phase.SAFETY_FIRST.value, "conditions": []})
        return Phase.SAFETY_FIRST.value, 0
    if ai is None:
        explanation.append({"code": "phase_no_ai", "phase": Phase.NOT_ENOUGH_ANSWERS.value})
        return Phase.NOT_ENOUGH_ANSWERS.value, None
    scored = {d: v for d, v in dims.items() if v is not None}
    crisis_dims = [[d, scored[d], "<", p["crisis_dimension"]] for d in p["crisis_dimensions"] if d in scored]
    weak = [[d, v, "<", p["weak_dimension"]] for d, v in scored.items() if v < p["weak_dimension"]]
    rules: list[tuple[Phase, list[list[Any]]]] = [
        (Phase.ARRIVAL, _all([["M", months, "<", p["arrival_months"]], ["AI", ai, ">=", p["arrival_min_ai"]]])),
        (Phase.CRISIS, _any([["AI", ai, "<", p["crisis_ai"]], *crisis_dims])),
        (Phase.ACTIVE_ADJUSTMENT, _all([["AI", ai, ">=", p["crisis_ai"]], ["AI", ai, "<", p["adjustment_ai"]]])),
        (Phase.STABILISATION, _any([["AI", ai, "<", p["integration_ai"]], *weak])),
        (Phase.INTEGRATION, [["AI", ai, ">=", p["integration_ai"]]]),
    ]
    for rule, (phase, held) in enumerate(rules, start=1):
        if held:
            entry = {"code": "phase_rule", "rule": rule, "phase": phase.value, "ai": ai, "months": months}
            explanation.append({**entry, **{d.lower(): v for d, v in scored.items()}, "conditions": held})
            return phase.value, rule
    raise AssertionError("rule 5 holds whenever rules 1-4 do not")  # pragma: no cover


def _holds(condition: list[Any]) -> bool:
    _name, value, op, limit = condition
    if value is None:
        return False
    return bool(value < limit) if op == "<" else bool(value >= limit)


def _all(conditions: list[list[Any]]) -> list[list[Any]]:
    """The conditions when every one holds, else none."""
    return conditions if all(_holds(c) for c in conditions) else []


def _any(conditions: list[list[Any]]) -> list[list[Any]]:
    """The conditions that hold (at least one makes the rule fire)."""
    return [c for c in conditions if _holds(c)]


def _trend(
    ai: Score | None, previous: Sequence[Point], on: date, p: Mapping[str, Any], explanation: list[Entry]
) -> tuple[Score | None, date | None]:
    """AI now minus AI at the latest earlier assessment at least `trend_min_days` (60) days before.

    Assessments closer than that are passed over (a difference over a few weeks is mostly noise), so an
    extra visit does not hide the change since the one before it. No earlier AI: no trend.
    """
    if ai is None:
        return None, None
    earlier = [pt for pt in previous if pt.ai is not None and (on - pt.on).days >= p["trend_min_days"]]
    if not earlier:
        if previous:
            explanation.append({"code": "trend_none", "days": p["trend_min_days"]})
        return None, None
    point = max(earlier, key=lambda pt: pt.on)
    trend = round_half_up(exact(ai) - exact(point.ai), 2)
    explanation.append({"code": "trend", "trend": trend, "ai": ai, "previous": point.ai, "on": point.on.isoformat()})
    return trend, point.on


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from one date to another (15 Jan -> 14 Jul is 5, -> 15 Jul is 6)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def _stalled(
    ai: Score | None,
    phase: str,
    months: int | None,
    previous: Sequence[Point],
    on: date,
    p: Mapping[str, Any],
    explanation: list[Entry],
) -> bool:
    """A stalled trajectory ("затяжная дезадаптация"): a case review and a multi-agency plan are due.

    Holds when the family has been in the city at least 12 months, the phase now is crisis or active
    adjustment, and AI has risen by less than 5 points since the *latest earlier assessment at least six
    calendar months before this one* (the two points compared). Visits in between are passed over, so a
    family seen every two months is still compared across half a year. No such earlier AI: not stalled.
    """
    if ai is None or months is None or months < p["stalled_months"]:
        return False
    if phase not in (Phase.CRISIS, Phase.ACTIVE_ADJUSTMENT):
        return False
    gap = p["stalled_gap_months"]
    earlier = [pt for pt in previous if pt.ai is not None and months_between(pt.on, on) >= gap]
    if not earlier:
        return False
    point = max(earlier, key=lambda pt: pt.on)
    change = round_half_up(exact(ai) - exact(point.ai), 2)
    if change >= p["stalled_trend"]:
        return False
    entry = {"code": "stalled", "months": months, "phase": phase, "ai": ai, "previous": point.ai}
    explanation.append({**entry, "on": point.on.isoformat(), "change": change, "limit": p["stalled_trend"]})
    return True


def typical_period(months: int, p: Mapping[str, Any]) -> str:
    """The usual period for this many months in the city (0-3 orientation, 3-12, 12-36, more than 36)."""
    orientation, adjustment, stabilisation = p["typical_months"]
    if months < orientation:
        return TypicalPeriod.ORIENTATION.value
    if months < adjustment:
        return TypicalPeriod.ADJUSTMENT.value
    if months <= stabilisation:
        return TypicalPeriod.STABILISATION.value
    return TypicalPeriod.INTEGRATION.value


def _typical(months: int | None, phase: str, p: Mapping[str, Any], explanation: list[Entry]) -> tuple[str | None, bool]:
    """The typical period, and whether the family is in an earlier phase than usual: a gentle note only."""
    if months is None:
        return None, False
    period = typical_period(months, p)
    if phase not in PHASE_ORDER:
        return period, False
    behind = PHASE_ORDER.index(Phase(phase)) < PHASE_ORDER.index(_TYPICAL_FIRST_PHASE[TypicalPeriod(period)])
    if behind:
        explanation.append({"code": "longer_than_typical", "months": months, "phase": phase, "typical": period})
    return period, behind


def strategy_for(
    heritage: Score | None, urban: Score | None, p: Mapping[str, Any], explanation: list[Entry]
) -> tuple[str, str | None]:
    """Berry's quadrant from heritage (H) and urban-participation (U) orientation, split at the scale
    midpoint 50 (not a sample median); "borderline" when either is within 10 points of it (|x - 50| < 10).
    """
    if heritage is None or urban is None:
        explanation.append({"code": "strategy_not_assessed", "heritage": heritage, "urban": urban})
        return Strategy.NOT_ASSESSED.value, None
    midpoint, margin = p["midpoint"], p["borderline"]
    quadrants = {
        (True, True): Strategy.INTEGRATION,
        (False, True): Strategy.ASSIMILATION,
        (True, False): Strategy.SEPARATION,
        (False, False): Strategy.MARGINALISATION,
    }
    strategy = quadrants[(heritage >= midpoint, urban >= midpoint)]
    near = abs(heritage - midpoint) < margin or abs(urban - midpoint) < margin
    confidence = Confidence.BORDERLINE if near else Confidence.CLEAR
    entry = {"code": "strategy", "strategy": strategy.value, "confidence": confidence.value}
    explanation.append({**entry, "heritage": heritage, "urban": urban, "midpoint": midpoint, "margin": margin})
    return strategy.value, confidence.value


def _support_flags(
    strategy: str,
    dims: Mapping[str, Score | None],
    receiving: Any,
    p: Mapping[str, Any],
    explanation: list[Entry],
) -> tuple[str, ...]:
    """Flags for support (§10.6): marginalisation with low well-being; separation that looks imposed.

    `receiving` is the raw answer to the receiving-society item (0-4), or None when it was not answered.
    """
    below = p["support_below"]
    flags = []
    if strategy == Strategy.MARGINALISATION:
        d3 = dims.get(p["isolation_dimension"])
        if d3 is not None and d3 < below:
            flags.append(SupportFlag.ISOLATION_RISK.value)
            explanation.append({"code": "support_isolation", "dimension": p["isolation_dimension"], "score": d3})
    low = {d: v for d in p["exclusion_dimensions"] if (v := dims.get(d)) is not None and v < below}
    if strategy == Strategy.SEPARATION and low:
        if not isinstance(receiving, int | float) or isinstance(receiving, bool):
            explanation.append({"code": "receiving_unknown", "item": p["receiving_item"]})
        elif receiving <= p["receiving_max"]:
            flags.append(SupportFlag.IMPOSED_SEPARATION.value)
            entry = {"code": "support_imposed_separation", "dimensions": low, "item": p["receiving_item"]}
            explanation.append({**entry, "answer": receiving})
    return tuple(flags)


def receiving_answer(result: Result, answers: Mapping[str, Any] | None, item: str) -> Any:
    """The raw answer to the receiving-society item: from `answers` when given, else from the item's score in
    the result (the shipped FAA scores R1 as its own scale R; the item is not reverse-worded, so score = raw).
    Declined, not applicable or skipped: None.
    """
    if answers is not None:
        value = answers.get(item)
        return None if value in (NA, DECLINED) else value
    return next((s.item_scores[item] for s in result.scales.values() if item in s.item_scores), None)


def crosswalk(
    ai: Score | None, p: Mapping[str, Any], explanation: list[Entry]
) -> tuple[str | None, int | None, str | None]:
    """AI band, SSM-style level 1-5 and the informal A-E level (§10.8); heuristic, for reporting only."""
    if ai is None:
        return None, None, None
    level = 1 + sum(1 for cut in p["band_cuts"] if ai >= cut)
    band, card = _BANDS[level - 1].value, _CARD_LEVELS[level - 1].value
    explanation.append({"code": "crosswalk", "ai": ai, "band": band, "ssm": level, "card": card})
    return band, level, card


def _goals(dims: Mapping[str, Score | None], p: Mapping[str, Any], explanation: list[Entry]) -> tuple[str, ...]:
    """The lowest-scoring dimensions (two by default) to suggest as goals; ties go to the earlier dimension."""
    scored = [(v, index, d) for index, (d, v) in enumerate(dims.items()) if v is not None]
    lowest = [d for _v, _index, d in sorted(scored)[: p["goal_count"]]]
    if lowest:
        explanation.append({"code": "goal_dimensions", "dimensions": lowest, "scores": [dims[d] for d in lowest]})
    return tuple(lowest)


# ----------------------------------------------------------------------------------------------------------
# Sentences for the explanation entries


def _date(iso: str) -> str:
    return str(formats.localize(date.fromisoformat(iso)))


def _score_name(name: str, instrument: Instrument | None) -> str:
    return _("months in the city") if name == "M" else scale_name(name, instrument)


def _conditions(conditions: list[list[Any]], instrument: Instrument | None) -> str:
    return "; ".join(
        f"{_score_name(n, instrument)} {number(v)} {'≥' if op == '>=' else op} {lim}" for n, v, op, lim in conditions
    )


@explains("phase_rule")
def _phase_rule(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    phase = Phase(entry["phase"]).label
    if entry["rule"] == 0:
        return _("Phase “%(phase)s”: the worker judged the danger imminent; protection comes first.") % {"phase": phase}
    params = {"phase": phase, "rule": entry["rule"], "conditions": _conditions(entry["conditions"], instrument)}
    return _("Phase “%(phase)s” by rule %(rule)s: %(conditions)s.") % params


@explains("phase_no_ai")
def _phase_no_ai(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    return _("No phase is suggested: the adaptation index needs scores in at least five dimensions.")


@explains("trend")
def _trend_entry(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "trend": number(entry["trend"]),
        "ai": number(entry["ai"]),
        "previous": number(entry["previous"]),
        "on": _date(entry["on"]),
    }
    return _("Change in the adaptation index: %(trend)s (from %(previous)s on %(on)s to %(ai)s).") % params


@explains("trend_none")
def _trend_none(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    return _("No change is shown: no earlier assessment with an index is at least %(days)s days old.") % {
        "days": entry["days"]
    }


@explains("deteriorating")
def _deteriorating(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"trend": number(entry["trend"]), "limit": entry["limit"]}
    return (
        _("Deterioration: the index changed by %(trend)s (%(limit)s or worse). Re-check the safety questions.") % params
    )


@explains("stalled")
def _stalled_entry(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "months": entry["months"],
        "phase": Phase(entry["phase"]).label,
        "change": number(entry["change"]),
        "previous": number(entry["previous"]),
        "on": _date(entry["on"]),
        "ai": number(entry["ai"]),
        "limit": entry["limit"],
    }
    return (
        _(
            "Stalled: after %(months)s months in the city the family is in “%(phase)s”, and the index changed by "
            "%(change)s since %(on)s (from %(previous)s to %(ai)s; less than +%(limit)s). Consider a case review and "
            "a multi-agency plan."
        )
        % params
    )


@explains("longer_than_typical")
def _longer_than_typical(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"months": entry["months"], "typical": TypicalPeriod(entry["typical"]).label}
    return (
        _(
            "Taking longer than typical: after %(months)s months families are often in “%(typical)s”. "
            "This is a note, not a judgement."
        )
        % params
    )


@explains("strategy")
def _strategy(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "strategy": Strategy(entry["strategy"]).label,
        "confidence": Confidence(entry["confidence"]).label,
        "heritage": number(entry["heritage"]),
        "urban": number(entry["urban"]),
    }
    return (
        _(
            "Acculturation: %(strategy)s (%(confidence)s), from heritage orientation %(heritage)s and urban "
            "participation %(urban)s. An aid to the conversation, not a diagnosis."
        )
        % params
    )


@explains("strategy_not_assessed")
def _strategy_not_assessed(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    return _("Acculturation strategy not assessed: heritage and urban orientation both need a score.")


@explains("support_isolation")
def _support_isolation(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {"dimension": scale_name(entry["dimension"], instrument), "score": number(entry["score"])}
    return (
        _("Support suggested: marginalisation with %(dimension)s at %(score)s (below 40), a risk of isolation.")
        % params
    )


@explains("support_imposed_separation")
def _support_imposed_separation(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    low = "; ".join(f"{scale_name(d, instrument)} {number(v)}" for d, v in entry["dimensions"].items())
    params = {"low": low, "item": entry["item"], "answer": entry["answer"]}
    return (
        _(
            "Support suggested: separation that looks imposed rather than chosen (%(low)s; acceptance by the "
            "receiving society, %(item)s = %(answer)s). Link to community activities and rights advice."
        )
        % params
    )


@explains("receiving_unknown")
def _receiving_unknown(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    return _(
        "Whether separation is chosen or imposed cannot be told: %(item)s (acceptance by the receiving society) "
        "was not answered."
    ) % {"item": entry["item"]}


@explains("crosswalk")
def _crosswalk(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    params = {
        "ai": number(entry["ai"]),
        "band": Band(entry["band"]).label,
        "ssm": entry["ssm"],
        "card": FamilyCardLevel(entry["card"]).label,
    }
    return _("Adaptation index %(ai)s: band “%(band)s”, SSM-style level %(ssm)s, family card level %(card)s.") % params


@explains("goal_dimensions")
def _goal_dimensions(entry: Mapping[str, Any], instrument: Instrument | None) -> str:
    names = id_list(
        f"{scale_name(d, instrument)} ({number(s)})" for d, s in zip(entry["dimensions"], entry["scores"], strict=True)
    )
    return _("Suggested goals, the lowest dimensions: %(names)s.") % {"names": names}
