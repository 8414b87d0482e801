"""k-anonymity over quasi-identifiers: generalise step by step, then suppress the groups still too small.

Works on group counts, never on rows: the research export first counts how many families share each
combination of quasi-identifier values (a counting pass), then `plan()` chooses how far to generalise each
quasi-identifier and which generalised groups to suppress, and the writing pass applies the plan row by
row. The counts have one entry per distinct combination, bounded by the value domains, not by the rows.

Each quasi-identifier has a hierarchy: level 0 is the value as exported, each further level coarser, the
last one "*" (any). At each step the quasi-identifier whose next level leaves the fewest rows in groups
smaller than k is generalised; steps stop once at most `max_suppressed_share` of the rows would be
suppressed (or nothing more can be generalised), and the rows of groups still smaller than k are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

ANY = "*"
Key = tuple[str, ...]

# Macro-regions of Kazakhstan by KATO region code (kazakhstan.md §B.7); places abroad stay "abroad".
MACRO_REGIONS = {
    **dict.fromkeys(["11", "39", "55", "59"], "north"),
    **dict.fromkeys(["15", "23", "27", "47"], "west"),
    **dict.fromkeys(["10", "63"], "east"),
    **dict.fromkeys(["35", "62", "71"], "centre"),
    **dict.fromkeys(["19", "31", "33", "43", "61", "75", "79"], "south"),
}

# Household size bands at level 0 and what each becomes one level up.
SIZE_BANDS = ((1, "1"), (2, "2"), (4, "3-4"), (6, "5-6"))
WIDER_SIZE_BAND = {"1": "1-2", "2": "1-2", "3-4": "3-6", "5-6": "3-6", "7+": "7+", "": ""}

# Programmes grouped: the state's programmes for resettlers and kandas, or moving on one's own.
PROGRAMME_GROUP = {"quota_resettler": "state_programme", "kandas": "state_programme", "": ""}


def size_band(size: int) -> str:
    """The household size band exported at level 0."""
    if size <= 0:
        return ""
    for top, band in SIZE_BANDS:
        if size <= top:
            return band
    return "7+"


def _macro(value: str) -> str:
    return MACRO_REGIONS.get(value, value)


@dataclass(frozen=True)
class Hierarchy:
    """How one quasi-identifier is generalised: (what the level does, value at level 0 → value) per level."""

    steps: tuple[tuple[str, Callable[[str], str]], ...]

    @property
    def top(self) -> int:
        return len(self.steps)

    def apply(self, value: str, level: int) -> str:
        return value if level == 0 else self.steps[level - 1][1](value)

    def describe(self, level: int) -> str:
        return "kept as exported" if level == 0 else self.steps[level - 1][0]


def _any(_value: str) -> str:
    return ANY


REGION = Hierarchy((("oblast replaced by its macro-region (north, south, west, east, centre)", _macro),
                    ("region removed (*)", _any)))  # fmt: skip
HIERARCHIES: dict[str, Hierarchy] = {
    "origin_oblast": REGION,
    "destination_oblast": REGION,
    "origin_area": Hierarchy((("rural/urban removed (*)", _any),)),
    "programme": Hierarchy(
        (
            (
                "programme grouped (state_programme: quota resettlers and kandas; self_moving; other)",
                lambda v: PROGRAMME_GROUP.get(v, v),
            ),
            ("programme removed (*)", _any),
        )
    ),
    "household_size": Hierarchy(
        (
            ("household size in wider bands (1-2, 3-6, 7+)", lambda v: WIDER_SIZE_BAND.get(v, v)),
            ("household size removed (*)", _any),
        )
    ),
    "reasons": Hierarchy((("reasons for moving removed (*)", _any),)),
    "months_since_move": Hierarchy(
        (
            ("months since the move in years (0-11, 12-23, ...)", lambda v: _year_band(v)),
            ("months since the move removed (*)", _any),
        )
    ),
}
DEFAULT_QUASI_IDENTIFIERS = ("origin_oblast", "destination_oblast", "origin_area", "programme", "household_size")


def _year_band(value: str) -> str:
    if not value.isdigit():
        return value
    start = int(value) // 12 * 12
    return f"{start}-{start + 11}"


@dataclass
class Plan:
    """What the k-anonymity check decided: levels per quasi-identifier and the groups to leave out."""

    quasi_identifiers: tuple[str, ...]
    k: int
    levels: dict[str, int]
    steps: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[Key] = field(default_factory=Counter)
    total: int = 0

    def generalise(self, key: Key) -> Key:
        """A row's quasi-identifiers (level 0) as the plan exports them."""
        return tuple(
            HIERARCHIES[qi].apply(value, self.levels[qi]) for qi, value in zip(self.quasi_identifiers, key, strict=True)
        )

    def keeps(self, generalised: Key) -> bool:
        return self.counts[generalised] >= self.k

    @property
    def rows_suppressed(self) -> int:
        return sum(n for n in self.counts.values() if n < self.k)

    @property
    def kept_groups(self) -> list[int]:
        return [n for n in self.counts.values() if n >= self.k]

    def summary(self) -> dict[str, Any]:
        kept = self.kept_groups
        return {
            "k": self.k,
            "quasi_identifiers": list(self.quasi_identifiers),
            "generalisation": [
                {"quasi_identifier": qi, "level": self.levels[qi], "what": HIERARCHIES[qi].describe(self.levels[qi])}
                for qi in self.quasi_identifiers
            ],
            "steps": self.steps,
            "rows_considered": self.total,
            "rows_suppressed": self.rows_suppressed,
            "groups_suppressed": sum(1 for n in self.counts.values() if n < self.k),
            "groups_kept": len(kept),
            "min_group_size": min(kept) if kept else None,
        }


def regroup(base: Counter[Key], quasi_identifiers: tuple[str, ...], levels: dict[str, int]) -> Counter[Key]:
    """Group counts at the given levels, from the counts at level 0."""
    plan = Plan(quasi_identifiers, 0, levels)
    counts: Counter[Key] = Counter()
    for key, n in base.items():
        counts[plan.generalise(key)] += n
    return counts


def _suppressed(counts: Iterable[int], k: int) -> int:
    return sum(n for n in counts if n < k)


def plan(base: Counter[Key], quasi_identifiers: tuple[str, ...], *, k: int, max_suppressed_share: float = 0.05) -> Plan:
    """Choose the generalisation levels greedily, then mark the groups still smaller than k for suppression."""
    levels = dict.fromkeys(quasi_identifiers, 0)
    total = sum(base.values())
    allowed = int(max_suppressed_share * total)
    counts = regroup(base, quasi_identifiers, levels)
    steps: list[dict[str, Any]] = []
    while _suppressed(counts.values(), k) > allowed:
        best: tuple[int, str, Counter[Key]] | None = None
        for qi in quasi_identifiers:
            if levels[qi] >= HIERARCHIES[qi].top:
                continue
            trial = regroup(base, quasi_identifiers, {**levels, qi: levels[qi] + 1})
            lost = _suppressed(trial.values(), k)
            if best is None or lost < best[0]:
                best = (lost, qi, trial)
        if best is None:
            break
        lost, qi, counts = best
        levels[qi] += 1
        steps.append(
            {"quasi_identifier": qi, "level": levels[qi], "what": HIERARCHIES[qi].describe(levels[qi]),
             "rows_in_groups_below_k_after": lost}
        )  # fmt: skip
    return Plan(quasi_identifiers, k, levels, steps, counts, total)
