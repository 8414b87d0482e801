"""Cohort figures from streamed assessment rows: a pure computation, no models and no queries.

`analyse(rows, min_cell=...)` reads one row per completed Family Adaptation Assessment, **ordered by family
and then by date**, and keeps only counters (never the rows), so its memory does not grow with the number
of assessments. It returns:

- **Trajectories**: for each dimension D1-D7 and for the phase, by months since the move in bands (0-3,
  4-6, 7-12, 13-24, 25+), the n, mean and quartiles of the score and the distribution of phases; overall
  and split by each grouping attribute. A family counts **once per band**, with its last assessment in that
  band: n is a number of families, and a family assessed twice in a band does not weigh twice.
- **Time to stabilisation**: a Kaplan-Meier curve of months from the move to the first assessment whose
  phase is stabilisation or integration; a family that has not got there yet is censored at the months of
  its last assessment. Times are the months of the assessment that saw it: the true time is at most that.
- **Transitions**: counts of phase-to-phase steps between a family's consecutive assessments.

Small cells (see `protect`): any cell whose n is below `min_cell` (zero included) is withheld, n and values.
Where withheld cells and the shown cells of a set add up to a shown total (the groups of a split add up to
"all families", the phases of a band to the band's n, a transition row to its total), a set with exactly
one withheld cell would give it away by subtraction: the smallest other cell of the set is withheld too
(the complement), and this repeats until no set has a single withheld cell. The groups of "reasons for
moving" overlap (a family gives several reasons), so there they do not add up to a total; the rule is
applied to them all the same, which withholds more than needed, never less.

Quartiles are those of the "inclusive" method (linear interpolation between order statistics, as
`statistics.quantiles(method="inclusive")` and numpy's default). Scores are kept to two decimals by the
scoring engine, so counting each distinct value gives exact quartiles in bounded memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
# (label, lowest month, highest month or None): months since the move, whole months.
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3", 0, 3),
    ("4-6", 4, 6),
    ("7-12", 7, 12),
    ("13-24", 13, 24),
    ("25+", 25, None),
)
PHASES = (
    "arrival",
    "crisis",
    "active_adjustment",
    "stabilisation",
    "integration",
    "safety_first",
    "not_enough_answers",
)
STABLE = frozenset({"stabilisation", "integration"})
# The grouping attributes a row carries; "all" is the whole cohort as one group.
ATTRIBUTES = ("origin_region", "origin_area", "programme", "household", "reason")
ALL = "all"


def band_of(months: int) -> str:
    for label, low, high in BANDS:
        if months >= low and (high is None or months <= high):
            return label
    raise ValueError(f"Negative months since the move: {months}")


def household_type(relationships: Iterable[str]) -> str:
    """The kind of household, from each member's relationship to its head (the head included):

    - "single": the head alone;
    - "couple": the head and a spouse or partner, no one else;
    - "with_children": the head, perhaps a spouse, and their children (a child by relationship, any age);
    - "extended": anyone else lives with them (parents, grandchildren, in-laws, other relatives, others).
    """
    others = [r for r in relationships if r != "head"]
    if not others:
        return "single"
    if any(r not in {"spouse", "child"} for r in others):
        return "extended"
    return "with_children" if "child" in others else "couple"


@dataclass(frozen=True)
class Row:
    """One completed FAA: its family, date, months since the move, phase, scores and the family's groups.

    `groups` maps each attribute to the family's groups in it: one, or several for reasons for moving.
    """

    family: Hashable
    assessed_on: date | None
    months: int | None
    phase: str
    scores: Mapping[str, float | None]
    groups: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Stat:
    """A score's figures in one cell; all None when withheld (fewer than min_cell families)."""

    n: int | None
    mean: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass
class Split:
    """Trajectory figures for one attribute: a cell per (group, band, measure); n None means withheld."""

    attribute: str
    groups: list[str]
    families: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (group, band)
    stats: dict[tuple[str, str, str], Stat] = field(default_factory=dict)  # (group, band, dimension)
    phases: dict[tuple[str, str, str], int | None] = field(default_factory=dict)  # (group, band, phase)


@dataclass(frozen=True)
class Step:
    """One event time of a survival curve: families at risk, stabilised then, and the survival after."""

    months: int
    at_risk: int | None
    events: int | None = None
    survival: float | None = None


@dataclass
class Curve:
    """Time to stabilisation of one group: its steps, and its totals (None when withheld)."""

    group: str
    families: int | None
    stabilised: int | None
    censored: int | None
    steps: list[Step]
    median: int | None  # months at which the curve reaches one half, when a shown step does


@dataclass
class Cohort:
    min_cell: int
    assessments: int
    families: int
    splits: dict[str, Split]
    curves: dict[str, list[Curve]]  # by attribute ("all": one curve)
    transitions: dict[tuple[str, str], int | None]
    transition_totals: dict[str, int | None]
    transitions_total: int | None


# Small cells --------------------------------------------------------------------------------------------


def protect(cells: Mapping[Any, int], sets: Iterable[Sequence[Any]], min_cell: int) -> set[Any]:
    """The cells to withhold: those below min_cell, and complements so that no set of cells that adds up
    to a shown total has exactly one withheld cell (the smallest other cell of the set is withheld)."""
    hidden = {key for key, n in cells.items() if n < min_cell}
    sets = [list(s) for s in sets if len(s) > 1]
    changed = True
    while changed:
        changed = False
        for keys in sets:
            withheld = [k for k in keys if k in hidden]
            if len(withheld) != 1:
                continue
            shown = [k for k in keys if k not in hidden]
            hidden.add(min(shown, key=lambda k: (cells[k], keys.index(k))))
            changed = True
    return hidden


def quantile(counts: Mapping[float, int], p: float) -> float:
    """The p-quantile (inclusive method) of values given as {value: how many times}."""
    n = sum(counts.values())
    position = (n - 1) * p
    below = int(position)
    low = _order_statistic(counts, below)
    if position == below:
        return low
    high = _order_statistic(counts, below + 1)
    return low + (position - below) * (high - low)


def _order_statistic(counts: Mapping[float, int], index: int) -> float:
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if index < seen:
            return value
    raise IndexError(index)


def _stat(values: Counter[float]) -> Stat:
    n = sum(values.values())
    mean = sum(v * c for v, c in values.items()) / n
    return Stat(n, round(mean, 2), *(round(quantile(values, p), 2) for p in (0.25, 0.5, 0.75)))


# The pass over the rows ----------------------------------------------------------------------------------


class _Tally:
    """Counters for one group: values per (band, dimension), phases per band, survival times."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], Counter[float]] = defaultdict(Counter)
        self.families: Counter[str] = Counter()
        self.phases: Counter[tuple[str, str]] = Counter()
        self.events: Counter[int] = Counter()
        self.censored: Counter[int] = Counter()


def analyse(rows: Iterable[Row], *, min_cell: int = 10) -> Cohort:
    """Every cohort figure from rows ordered by family, then date; see the module's docstring."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    transitions: Counter[tuple[str, str]] = Counter()
    assessments = families = 0
    current: list[Row] = []
    for row in rows:
        assessments += 1
        if current and row.family != current[0].family:
            _family(current, tallies, transitions)
            families += 1
            current = []
        current.append(row)
    if current:
        _family(current, tallies, transitions)
        families += 1
    splits = {attribute: _split(attribute, tallies, min_cell) for attribute in (ALL, *ATTRIBUTES)}
    curves = {attribute: _curves(splits[attribute].groups, attribute, tallies, min_cell) for attribute in splits}
    cohort = Cohort(min_cell, assessments, families, splits, curves, {}, {}, None)
    _transitions(cohort, transitions)
    return cohort


def _family(rows: list[Row], tallies: dict[tuple[str, str], _Tally], transitions: Counter) -> None:
    """Add one family's assessments (in date order) to the counters of each of its groups."""
    groups = [(ALL, ALL)] + [(a, g) for a in ATTRIBUTES for g in dict.fromkeys(rows[0].groups.get(a, ()))]
    last_in_band: dict[str, Row] = {}
    for row in rows:
        if row.months is not None:
            last_in_band[band_of(row.months)] = row
    phased = [row for row in rows if row.phase]
    for before, after in pairwise(phased):
        transitions[before.phase, after.phase] += 1
    timed = [row for row in phased if row.months is not None]
    reached = next((row.months for row in timed if row.phase in STABLE), None)
    # What the family adds to a band, worked out once and added to each of its groups.
    bands = [
        (band, row.phase, [(d, s) for d in DIMENSIONS if (s := row.scores.get(d)) is not None])
        for band, row in last_in_band.items()
    ]
    for key in groups:
        tally = tallies[key]
        for band, phase, scores in bands:
            tally.families[band] += 1
            if phase:
                tally.phases[band, phase] += 1
            for dimension, score in scores:
                tally.values[band, dimension][score] += 1
        if reached is not None:
            tally.events[reached] += 1
        elif timed:
            tally.censored[timed[-1].months] += 1  # type: ignore[index]


def _split(attribute: str, tallies: dict[tuple[str, str], _Tally], min_cell: int) -> Split:
    groups = sorted(g for a, g in tallies if a == attribute)
    split = Split(attribute, groups)
    bands = [b for b, _, _ in BANDS]
    # Families per band: the groups of a band add up to all families in it.
    counts = {(g, b): tallies[attribute, g].families[b] for g in groups for b in bands}
    hidden = protect(counts, [[(g, b) for g in groups] for b in bands], min_cell)
    split.families = {k: None if k in hidden else n for k, n in counts.items()}
    for dimension in DIMENSIONS:
        ns = {(g, b): sum(tallies[attribute, g].values[b, dimension].values()) for g in groups for b in bands}
        hidden = protect(ns, [[(g, b) for g in groups] for b in bands], min_cell)
        for g, b in ns:
            values = tallies[attribute, g].values[b, dimension]
            split.stats[g, b, dimension] = Stat(None) if (g, b) in hidden else _stat(values)
    phase_counts = {(g, b, p): tallies[attribute, g].phases[b, p] for g in groups for b in bands for p in PHASES}
    rows = [[(g, b, p) for p in PHASES] for g in groups for b in bands]  # add up to the band's n
    columns = [[(g, b, p) for g in groups] for b in bands for p in PHASES]  # add up to the overall cell
    hidden = protect(phase_counts, rows + columns, min_cell)
    split.phases = {k: None if k in hidden else n for k, n in phase_counts.items()}
    return split


def _curves(groups: list[str], attribute: str, tallies: dict[tuple[str, str], _Tally], min_cell: int) -> list[Curve]:
    """Kaplan-Meier curves of the groups on the event times of all of them; at-risk cells protected."""
    times = sorted({t for g in groups for t in tallies[attribute, g].events})
    at_risk: dict[tuple[str, int], int] = {}
    for g in groups:
        tally = tallies[attribute, g]
        total = sum(tally.events.values()) + sum(tally.censored.values())
        left = sorted((tally.events + tally.censored).items())
        gone = 0
        for t in times:
            while left and left[0][0] < t:
                gone += left.pop(0)[1]
            at_risk[g, t] = total - gone
    hidden = protect(at_risk, [[(g, t) for g in groups] for t in times], min_cell)
    kinds = ("families", "stabilised", "censored")
    totals: dict[tuple[str, str], int] = {}
    for g in groups:
        stabilised = sum(tallies[attribute, g].events.values())
        censored = sum(tallies[attribute, g].censored.values())
        totals[g, "families"] = stabilised + censored
        totals[g, "stabilised"], totals[g, "censored"] = stabilised, censored
    # A group's families are its stabilised and censored ones; each kind adds up over the groups.
    sets = [[(g, k) for k in kinds] for g in groups] + [[(g, k) for g in groups] for k in kinds]
    hidden_totals = protect(totals, sets, min_cell)
    return [_curve(g, tallies[attribute, g], times, at_risk, hidden, min_cell, totals, hidden_totals) for g in groups]


def _curve(
    group: str,
    tally: _Tally,
    times: list[int],
    at_risk: dict[tuple[str, int], int],
    hidden: set[tuple[str, int]],
    min_cell: int,
    totals: dict[tuple[str, str], int],
    hidden_totals: set[tuple[str, str]],
) -> Curve:
    """One group's curve: S(t) = product over event times up to t of (1 - events / at risk); at risk
    counts the families whose time (event or censoring) is t or later."""
    survival, steps, median = 1.0, [], None
    for t in times:
        n, d = at_risk[group, t], tally.events[t]
        if n == 0:
            break
        survival *= 1 - d / n
        if (group, t) in hidden:
            if n < min_cell:  # the tail, where fewer than min_cell remain: withheld as one step
                steps.append(Step(t, None))
                break
            if d:  # withheld as the complement of another group's step
                steps.append(Step(t, None))
            continue
        if d:
            steps.append(Step(t, n, d, round(survival, 4)))
            if median is None and survival <= 0.5 and all(s.at_risk is not None for s in steps):
                median = t

    def shown(kind: str) -> int | None:
        return None if (group, kind) in hidden_totals else totals[group, kind]

    return Curve(group, shown("families"), shown("stabilised"), shown("censored"), steps, median)


def _transitions(cohort: Cohort, counts: Counter[tuple[str, str]]) -> None:
    """Phase-to-phase counts, their row totals and the grand total, protected together."""
    cells: dict[Any, int] = {(a, b): counts[a, b] for a in PHASES for b in PHASES}
    cells.update({("total", a): sum(counts[a, b] for b in PHASES) for a in PHASES})
    sets = [[(a, b) for b in PHASES] + [("total", a)] for a in PHASES]  # a row and its total
    sets.append([("total", a) for a in PHASES])  # the totals add up to the grand total
    hidden = protect(cells, sets, cohort.min_cell)
    cohort.transitions = {(a, b): None if (a, b) in hidden else cells[a, b] for a in PHASES for b in PHASES}
    cohort.transition_totals = {a: None if ("total", a) in hidden else cells["total", a] for a in PHASES}
    grand = sum(counts.values())
    cohort.transitions_total = grand if grand >= cohort.min_cell else None
