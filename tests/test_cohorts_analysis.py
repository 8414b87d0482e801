"""The cohort computation on hand-made rows, with every expected number worked out by hand below."""

from datetime import date

import pytest

from qadam.cohorts.analysis import (
    ALL,
    Row,
    Stat,
    analyse,
    band_of,
    household_type,
    protect,
    quantile,
)


def row(family, months, phase="", on=None, groups=None, **scores) -> Row:
    return Row(family, on or date(2026, 1, 1), months, phase, scores, groups or {})


def test_bands_of_months_since_the_move():
    assert [band_of(m) for m in (0, 3, 4, 6, 7, 12, 13, 24, 25, 120)] == [
        "0-3",
        "0-3",
        "4-6",
        "4-6",
        "7-12",
        "7-12",
        "13-24",
        "13-24",
        "25+",
        "25+",
    ]


def test_household_types_from_relationships():
    assert household_type(["head"]) == "single"
    assert household_type(["head", "spouse"]) == "couple"
    assert household_type(["head", "child", "child"]) == "with_children"  # a single parent too
    assert household_type(["head", "spouse", "child"]) == "with_children"
    assert household_type(["head", "spouse", "child", "parent"]) == "extended"
    assert household_type(["head", "not_related"]) == "extended"


def test_quartiles_by_the_inclusive_method():
    # 10, 20, 30, 40: positions (n-1)p = 0.75, 1.5, 2.25 -> 10+0.75*10, 20+0.5*10, 30+0.25*10
    counts = {10.0: 1, 20.0: 1, 30.0: 1, 40.0: 1}
    assert [quantile(counts, p) for p in (0.25, 0.5, 0.75)] == [17.5, 25.0, 32.5]
    # 5, 5, 5, 9, 100 (counted): positions 1, 2, 3 -> 5, 5, 9
    assert [quantile({5.0: 3, 9.0: 1, 100.0: 1}, p) for p in (0.25, 0.5, 0.75)] == [5.0, 5.0, 9.0]


def test_mean_and_quartiles_of_a_band_count_each_family_once_with_its_last_assessment():
    rows = [
        row(1, 1, D1=90.0),  # replaced by family 1's later assessment in the same band
        row(1, 3, D1=10.0),
        row(2, 2, D1=20.0),
        row(3, 0, D1=30.0, D2=None),
        row(4, 3, D1=40.0),
        row(4, 5, D1=99.0),  # band 4-6
    ]
    cohort = analyse(rows, min_cell=1)
    split = cohort.splits[ALL]
    # band 0-3: 10, 20, 30, 40 -> mean 25, quartiles as above
    assert split.stats[ALL, "0-3", "D1"] == Stat(4, 25.0, 17.5, 25.0, 32.5)
    assert split.stats[ALL, "4-6", "D1"] == Stat(1, 99.0, 99.0, 99.0, 99.0)
    assert split.families[ALL, "0-3"] == 4
    assert split.stats[ALL, "0-3", "D2"].n is None  # no valid D2 score: nothing to show
    assert (cohort.assessments, cohort.families) == (6, 4)


# Six families for the survival curve (months of the first stabilisation, or of the last assessment):
#   A stabilised at 2; B censored at 3; C and D stabilised at 4; E censored at 6; F integrated at 8.
# t=2: 6 at risk, 1 event -> S = 5/6 = 0.8333
# t=4: 4 at risk (C, D, E, F; B left at 3), 2 events -> S = 5/6 * 2/4 = 5/12 = 0.4167
# t=8: 1 at risk (F; E left at 6), 1 event -> S = 0
# The median: the first time S <= 1/2, month 4.
SURVIVAL_ROWS = [
    row("A", 2, "stabilisation"),
    row("B", 1, "crisis"),
    row("B", 3, "active_adjustment"),
    row("C", 1, "arrival"),
    row("C", 4, "stabilisation"),
    row("C", 6, "active_adjustment"),  # after the first stabilisation: does not move the event
    row("D", 4, "integration"),
    row("E", 6, "crisis"),
    row("F", 2, "crisis"),
    row("F", 5, "active_adjustment"),
    row("F", 8, "integration"),
]


def test_time_to_stabilisation_with_censoring_worked_out_by_hand():
    (curve,) = analyse(SURVIVAL_ROWS, min_cell=1).curves[ALL]
    assert [(s.months, s.at_risk, s.events, s.survival) for s in curve.steps] == [
        (2, 6, 1, 0.8333),
        (4, 4, 2, 0.4167),
        (8, 1, 1, 0.0),
    ]
    assert (curve.families, curve.stabilised, curve.censored, curve.median) == (6, 4, 2, 4)


def test_the_curve_stops_where_fewer_than_the_minimum_are_at_risk():
    (curve,) = analyse(SURVIVAL_ROWS, min_cell=4).curves[ALL]
    # at month 8 only F is at risk: withheld, and the curve ends there
    assert [(s.months, s.at_risk) for s in curve.steps] == [(2, 6), (4, 4), (8, None)]
    # 2 censored: withheld; 6 families shown, so the smaller other figure (4 stabilised) goes with it
    assert (curve.families, curve.stabilised, curve.censored) == (6, None, None)


def test_transitions_between_consecutive_assessments():
    cohort = analyse(SURVIVAL_ROWS, min_cell=1)
    # B: crisis -> adjustment; C: arrival -> stabilisation -> adjustment; F: crisis -> adjustment -> integration
    found = {k: v for k, v in cohort.transitions.items() if v}
    assert found == {
        ("crisis", "active_adjustment"): 2,
        ("arrival", "stabilisation"): 1,
        ("stabilisation", "active_adjustment"): 1,
        ("active_adjustment", "integration"): 1,
    }
    assert cohort.transition_totals["crisis"] == 2 and cohort.transitions_total == 5


def test_protect_withholds_small_cells_and_one_complement():
    assert protect({"a": 15, "b": 12, "c": 3}, [["a", "b", "c"]], 10) == {"b", "c"}
    # two small cells already hide each other: no complement needed
    assert protect({"a": 15, "b": 4, "c": 3}, [["a", "b", "c"]], 10) == {"b", "c"}
    # a zero is below the minimum too
    assert protect({"a": 15, "b": 12, "c": 0}, [["a", "b", "c"]], 10) == {"b", "c"}
    # complements chain through overlapping sets: c hides b in the row, b hides e in its column
    cells = {"a": 20, "b": 11, "c": 2, "d": 30, "e": 14, "f": 40}
    assert protect(cells, [["a", "b", "c"], ["b", "e"], ["c", "f"]], 10) == {"b", "c", "e", "f"}


def programme_rows(sizes: dict[str, int]) -> list[Row]:
    """Families in band 0-3, per programme; family k of a programme scores D1 = 50 + k."""
    return [
        row(f"{p}{k}", 1, "crisis", groups={"programme": [p]}, D1=50.0 + k)
        for p, size in sizes.items()
        for k in range(size)
    ]


def test_a_suppressed_cell_and_its_complement_in_a_split():
    cohort = analyse(programme_rows({"quota_resettler": 15, "kandas": 12, "self_moving": 3}), min_cell=10)
    split = cohort.splits["programme"]
    assert split.families["self_moving", "0-3"] is None  # 3 families: withheld
    assert split.families["kandas", "0-3"] is None  # the complement: 30 - 15 would give 3 away otherwise
    assert split.families["quota_resettler", "0-3"] == 15
    assert split.stats["kandas", "0-3", "D1"] == Stat(None)  # n, mean and quartiles all withheld
    # quota: 50..64 -> mean 57, quartiles at positions 3.5, 7, 10.5 -> 53.5, 57, 60.5
    assert split.stats["quota_resettler", "0-3", "D1"] == Stat(15, 57.0, 53.5, 57.0, 60.5)
    assert cohort.splits[ALL].families[ALL, "0-3"] == 30
    # the phases: every family in crisis; the other phases are zeros, withheld like any small cell
    assert split.phases["quota_resettler", "0-3", "crisis"] == 15
    assert split.phases["kandas", "0-3", "crisis"] is None


def test_no_complement_when_two_cells_are_small_already():
    split = analyse(programme_rows({"quota_resettler": 15, "kandas": 4, "self_moving": 3}), min_cell=10).splits[
        "programme"
    ]
    assert [split.families[p, "0-3"] for p in ("kandas", "quota_resettler", "self_moving")] == [None, 15, None]


@pytest.mark.parametrize("min_cell", [1, 10])
def test_rows_without_months_count_for_transitions_only(min_cell):
    rows = [row("X", None, "crisis"), row("X", None, "stabilisation")]
    cohort = analyse(rows, min_cell=min_cell)
    assert cohort.splits[ALL].families[ALL, "0-3"] is None
    assert cohort.curves[ALL][0].steps == []
    expected = 1 if min_cell == 1 else None
    assert cohort.transitions["crisis", "stabilisation"] == expected
