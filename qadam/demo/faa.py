"""Synthetic Family Adaptation Assessments for `qadam synth`: trajectories stored as completing stores them.

Each family gets a latent adaptation level between 0 and 1 that rises from where it starts towards its own
ceiling as the months since the move pass; about one family in eight falls back instead. Its case sees an
FAA soon after it opens and then about every three months while it is open, up to four.

The answers of an assessment are drawn around its level, and the scores are the real engine's scores of
those answers. Scoring one FAA takes about 1.3 ms, so a million would take twenty minutes: the answer sets
come from a pool made once, VARIANTS sets around each of LEVELS levels, each scored once. The
interpretation (phase, trend, stall, strategy) is computed for every assessment with its own months since
the move and its family's earlier assessments, as `assessment_complete` does. The private safety answers
are encrypted as the model field encrypts them; nearly all are "no".
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qadam.assessments.engine import score
from qadam.assessments.engine.definition import Instrument
from qadam.assessments.engine.faa import Point, interpret, months_between
from qadam.assessments.engine.scoring import DECLINED, Result
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import shipped_instruments_sync
from qadam.lib.crypto import encrypt

LEVELS = 21
VARIANTS = 40
REASSESS_DAYS = 91  # about every three months, as the reassessment reminder asks
MOST = 4  # assessments per family at most
NONE_SHARE = 0.15  # families whose case never got to an FAA
SKIPPED, DECLINED_SHARE, SAFETY_ALERT = 0.05, 0.02, 0.01


@dataclass(frozen=True)
class Scored:
    """One answer set of the pool with its engine result, the forms the row needs computed once."""

    answers: dict[str, Any]
    private: str  # the private answers as JSON, "" when there are none
    result: Result
    result_dict: dict[str, Any]
    scales: list[tuple[str, float | None, bool]]


@dataclass(frozen=True)
class Synthetic:
    """What one synthetic assessment adds to the assessment row and its scale-score rows."""

    assessed_on: date
    answers: dict[str, Any]
    private_answers: str
    result: dict[str, Any]
    interpretation: dict[str, Any]
    safety: str
    months_since_move: int | None
    index: int | None
    phase: str
    strategy: str
    scales: list[tuple[str, float | None, bool]]


class FaaSynth:
    """The offered FAA version, a pool of scored answer sets, and trajectories drawn with the caller's rng."""

    def __init__(self, rng: random.Random) -> None:
        shipped_instruments_sync()
        self.version = InstrumentVersion.objects.get(key="faa", offered=True)
        instrument = self.version.instrument
        self.instrument = instrument
        self.params = instrument.interpretation_params
        self.private_items = {item.id for s in instrument.sections if s.private for item in s.items}
        calm = _calm_answers(instrument, self.private_items)
        self.pool = [
            [self._scored(_answers(rng, instrument, level / (LEVELS - 1), calm)) for _ in range(VARIANTS)]
            for level in range(LEVELS)
        ]

    def _scored(self, answers: dict[str, Any]) -> Scored:
        result = score(self.instrument, answers)
        private = {k: v for k, v in answers.items() if k in self.private_items}
        scales = [(k, s.score if s.valid else None, s.valid) for k, s in result.scales.items()]
        return Scored(
            answers={k: v for k, v in answers.items() if k not in self.private_items},
            private=json.dumps(private, ensure_ascii=False) if private else "",
            result=result,
            result_dict=result.as_dict(),
            scales=scales,
        )

    def trajectory(self, rng: random.Random, *, moved_on: date, opened_on: date, until: date) -> list[Synthetic]:
        """The family's FAAs from soon after its case opened until `until` (its closing or today)."""
        if rng.random() < NONE_SHARE:
            return []
        start, ceiling, pace = rng.uniform(0.15, 0.55), rng.uniform(0.45, 0.95), rng.uniform(4, 30)
        if rng.random() < 0.125:
            ceiling = start - rng.uniform(0.05, 0.2)  # a family that falls back
        on = opened_on + timedelta(days=rng.randint(0, 21))
        done: list[Synthetic] = []
        earlier: list[Point] = []
        while on <= until and len(done) < MOST:
            months = months_between(moved_on, on) if moved_on <= on else None
            level = start + (ceiling - start) * (1 - math.exp(-(months or 0) / pace)) + rng.gauss(0, 0.05)
            bucket = min(LEVELS - 1, max(0, round(level * (LEVELS - 1))))
            done.append(self._assessment(rng.choice(self.pool[bucket]), on, months, earlier))
            earlier.append(Point(on, done[-1].index, done[-1].phase or None))
            on += timedelta(days=REASSESS_DAYS + rng.randint(-14, 30))
        return done

    def _assessment(self, scored: Scored, on: date, months: int | None, earlier: list[Point]) -> Synthetic:
        result = scored.result
        interpretation = interpret(
            result,
            months_since_move=months,
            previous=list(earlier),
            safety_urgent=result.flag == "urgent",
            assessed_on=on,
            answers=scored.answers,
            params=self.params,
        )
        ai = interpretation.ai
        return Synthetic(
            assessed_on=on,
            answers=scored.answers,
            private_answers=seal_private(scored.private),
            result=scored.result_dict,
            interpretation=interpretation.as_dict(),
            safety=result.flag or "",
            months_since_move=months,
            index=round(ai) if ai is not None else None,
            phase=interpretation.phase,
            strategy=interpretation.strategy,
            scales=scored.scales,
        )


def seal_private(text: str) -> str:
    """The private answers as `Assessment.private_answers` stores them (encrypted; "" stays "")."""
    return encrypt(text, context="assessments.assessment.private_answers") if text else ""


def _calm_answers(instrument: Instrument, private: set[str]) -> dict[str, tuple[Any, Any]]:
    """For each private (safety) question: (the answer that raises no alert, one that does)."""
    alarming: dict[str, set[Any]] = {}
    for trigger in instrument.triggers:
        for condition in trigger.conditions:
            alarming.setdefault(condition.item, set()).update(condition.values)
    answers = {}
    for item_id in private:
        values = instrument.items[item_id].values or ()
        quiet = [v for v in values if v not in alarming.get(item_id, set())]
        loud = [v for v in values if v in alarming.get(item_id, set())]
        if quiet and loud:
            answers[item_id] = (quiet[0], loud[0])
    return answers


def _answers(
    rng: random.Random, instrument: Instrument, level: float, calm: dict[str, tuple[Any, Any]]
) -> dict[str, Any]:
    """Answers around a level (0 struggling, 1 well adapted); some skipped or declined, as in life; the
    safety questions nearly always answered without an alert."""
    answers: dict[str, Any] = {}
    for item in instrument.items.values():
        values = item.values
        if not item.answerable or values is None:
            continue
        roll = rng.random()
        if roll < SKIPPED:
            continue
        if roll < SKIPPED + DECLINED_SHARE and item.allow_declined:
            answers[item.id] = DECLINED
        elif item.id in calm:
            quiet, loud = calm[item.id]
            answers[item.id] = loud if rng.random() < SAFETY_ALERT else quiet
        elif item.type == "multiple":
            answers[item.id] = [rng.choice(values)]
        elif all(isinstance(v, int) for v in values):
            answers[item.id] = _near(rng, values, 1 - level if item.reverse else level)
        else:
            answers[item.id] = rng.choice(values)
    return answers


def _near(rng: random.Random, values: tuple[Any, ...], level: float) -> int:
    low, high = min(values), max(values)
    wanted = low + level * (high - low) + rng.gauss(0, (high - low) / 5)
    return min(values, key=lambda v: abs(v - wanted))
