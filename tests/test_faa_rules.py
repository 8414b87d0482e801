"""The FAA interpreter's rules (instruments.md §10.4-10.8), each at its boundaries. No database.

Most tests give the scores directly (a Result built by hand), so each rule is seen on its own; the last
ones score a small FAA-shaped instrument end to end. Expected values are worked out by hand.
"""

import json
from datetime import date

import pytest
from django.utils import translation

from qadam.assessments.engine import (
    DECLINED,
    NA,
    Interpretation,
    Point,
    Result,
    ScaleResult,
    explain,
    interpret,
    load_instrument,
    score,
)
from qadam.assessments.engine.faa import FamilyCardLevel, months_between

DIMS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
TODAY = date(2025, 3, 15)


def scale(scale_id: str, value, item_scores=None) -> ScaleResult:
    return ScaleResult(
        scale=scale_id,
        method="percent",
        score=value,
        valid=value is not None,
        n_answered=6 if value is not None else 1,
        n_applicable=6,
        needed=4,
        item_scores=item_scores or {},
    )


def result(ai, *, h=None, u=None, r1=None, **dims) -> Result:
    """Scores as the FAA file would give them; dimensions default to 70, H/U/R1 to not assessed."""
    values = {d: 70 for d in DIMS} | dims
    scales = {d: scale(d, v) for d, v in values.items()}
    scales["AI"] = scale("AI", ai)
    scales["H"], scales["U"] = scale("H", h), scale("U", u)
    if r1 is not None:
        scales["R"] = scale("R", 25 * r1, {"R1": r1})  # as the shipped file scores R1: its own percent scale
    return Result("faa", "1.0.0", scales)


def run(ai, *, months=24, previous=(), urgent=False, on=TODAY, answers=None, params=None, **scores) -> Interpretation:
    return interpret(
        result(ai, **scores),
        months_since_move=months,
        previous=list(previous),
        safety_urgent=urgent,
        assessed_on=on,
        answers=answers,
        params=params,
    )


def codes(interpretation: Interpretation) -> list[str]:
    return [entry["code"] for entry in interpretation.explanation]


# ----------------------------------------------------------------------------------------------------------
# Phase rules, in the order of the table


@pytest.mark.parametrize(
    ("ai", "months", "dims", "phase", "rule"),
    [
        (20, 2, {}, "arrival", 1),  # M < 3 and AI >= 20
        (85, 2, {}, "arrival", 1),  # rule 1 comes first whatever the index
        (30, 1, {"D1": 10}, "arrival", 1),  # ... even before a crisis dimension
        (19, 2, {}, "crisis", 2),  # AI below 20: not arrival, and below 40
        (50, 3, {}, "active_adjustment", 3),  # M = 3 is no longer arrival
        (50, None, {}, "active_adjustment", 3),  # months unknown: rule 1 cannot hold
        (39, 24, {}, "crisis", 2),
        (39.5, 24, {}, "crisis", 2),  # a mean of dimensions can fall between whole numbers
        (40, 24, {}, "active_adjustment", 3),
        (70, 24, {"D1": 19}, "crisis", 2),
        (70, 24, {"D1": 20}, "stabilisation", 4),
        (70, 24, {"D2": 19}, "crisis", 2),
        (85, 24, {"D3": 19}, "stabilisation", 4),  # D3 is not a crisis dimension, but any Dk < 40 is rule 4
        (59, 24, {}, "active_adjustment", 3),
        (60, 24, {}, "stabilisation", 4),
        (79, 24, {}, "stabilisation", 4),
        (80, 24, {"D5": 39}, "stabilisation", 4),
        (80, 24, {"D5": 40}, "integration", 5),
        (80, 24, {"D6": None}, "integration", 5),  # a dimension without a score takes no part
    ],
)
def test_phase_rule(ai, months, dims, phase, rule):
    interpretation = run(ai, months=months, **dims)
    assert (interpretation.phase, interpretation.phase_rule) == (phase, rule)


def test_the_phase_entry_names_the_scores_and_the_conditions_that_held():
    interpretation = run(35, months=14, D1=50, D2=18)
    [entry] = [e for e in interpretation.explanation if e["code"] == "phase_rule"]
    assert entry["rule"] == 2
    assert (entry["phase"], entry["ai"], entry["d1"], entry["d2"], entry["months"]) == ("crisis", 35, 50, 18, 14)
    assert entry["conditions"] == [["AI", 35, "<", 40], ["D2", 18, "<", 20]]
    assert explain(entry) == "Phase “Crisis and disorientation” by rule 2: AI 35 < 40; D2 18 < 20."


def test_safety_comes_first():
    assert (run(85, urgent=True).phase, run(85, urgent=True).phase_rule) == ("safety_first", 0)
    assert run(None, urgent=True).phase == "safety_first"  # even without an index
    [entry] = [e for e in run(85, urgent=True).explanation if e["code"] == "phase_rule"]
    assert explain(entry) == (
        "Phase “Safety first (phase paused)”: the worker judged the danger imminent; protection comes first."
    )


def test_without_an_index_there_is_no_phase_band_or_trend():
    interpretation = run(None, previous=[Point(date(2024, 9, 15), 50, "active_adjustment")], D1=30)
    assert (interpretation.phase, interpretation.phase_rule) == ("not_enough_answers", None)
    assert (interpretation.ai_band, interpretation.ssm_level, interpretation.family_card_level) == (None, None, None)
    assert interpretation.trend is None
    assert interpretation.goal_dimensions == ("D1", "D2")  # the dimensions that were scored still suggest goals


# ----------------------------------------------------------------------------------------------------------
# Trend and overlays


def test_an_assessment_less_than_60_days_before_gives_no_trend():
    # 15 Jan -> 15 Mar 2025 is 16 + 28 + 15 = 59 days
    interpretation = run(50, previous=[Point(date(2025, 1, 15), 40, "crisis")])
    assert (interpretation.trend, interpretation.trend_from) == (None, None)
    assert "trend_none" in codes(interpretation)


def test_sixty_days_before_gives_a_trend():
    # 14 Jan -> 15 Mar 2025 is 60 days; 52 - 40 = +12
    interpretation = run(52, previous=[Point(date(2025, 1, 14), 40, "crisis")])
    assert (interpretation.trend, interpretation.trend_from) == (12, date(2025, 1, 14))


def test_a_recent_visit_is_passed_over_for_the_one_before_it():
    # 15 Feb is 28 days before: passed over. 15 Nov 2024 is 120 days before: 50 - 40 = +10
    previous = [Point(date(2024, 11, 15), 40, "crisis"), Point(date(2025, 2, 15), 70, "stabilisation")]
    assert run(50, previous=previous).trend == 10


def test_an_earlier_assessment_without_an_index_is_passed_over():
    previous = [Point(date(2024, 9, 15), 40, "crisis"), Point(date(2024, 12, 15), None, "not_enough_answers")]
    assert run(50, previous=previous).trend == 10


@pytest.mark.parametrize(("ai", "deteriorating"), [(52, True), (53, False)])
def test_deterioration_is_a_fall_of_ten_points_or_more(ai, deteriorating):
    # 15 Dec 2024 -> 15 Mar 2025 is 90 days; 52 - 62 = -10 (deteriorating), 53 - 62 = -9 (not)
    interpretation = run(ai, previous=[Point(date(2024, 12, 15), 62, "stabilisation")])
    assert interpretation.deteriorating is deteriorating
    assert ("deteriorating" in codes(interpretation)) is deteriorating


SIX_MONTHS_AGO = date(2024, 9, 15)


@pytest.mark.parametrize(
    ("ai", "months", "previous_on", "previous_ai", "stalled"),
    [
        (35, 12, SIX_MONTHS_AGO, 31, True),  # crisis, +4 in six months
        (36, 12, SIX_MONTHS_AGO, 31, False),  # +5 is progress
        (45, 12, SIX_MONTHS_AGO, 45, True),  # active adjustment, no change
        (35, 11, SIX_MONTHS_AGO, 31, False),  # less than a year in the city
        (35, 12, date(2024, 9, 16), 31, False),  # 5 months 27 days: not yet six months apart
        (62, 24, SIX_MONTHS_AGO, 62, False),  # stabilisation is not stalled
    ],
)
def test_stalled(ai, months, previous_on, previous_ai, stalled):
    interpretation = run(ai, months=months, previous=[Point(previous_on, previous_ai, "crisis")])
    assert interpretation.stalled is stalled
    assert ("stalled" in codes(interpretation)) is stalled


def test_a_trajectory_of_three_assessments():
    # 10 Sep 2024: AI 42; 10 Jan 2025: AI 50; now, 15 Mar 2025: AI 44, 18 months in the city.
    # Trend: the latest assessment at least 60 days before is 10 Jan (21 + 28 + 15 = 64 days): 44 - 50 = -6,
    # not a deterioration (> -10).
    # Stalled: the latest assessment at least six months before is 10 Sep (6 months; 10 Jan is only 2):
    # 44 - 42 = +2 < 5 in active adjustment -> stalled, although the visit in between looked better.
    previous = [Point(date(2024, 9, 10), 42, "active_adjustment"), Point(date(2025, 1, 10), 50, "active_adjustment")]
    interpretation = run(44, months=18, previous=previous)
    assert (interpretation.phase, interpretation.trend, interpretation.trend_from) == (
        "active_adjustment",
        -6,
        date(2025, 1, 10),
    )
    assert (interpretation.deteriorating, interpretation.stalled) == (False, True)
    [entry] = [e for e in interpretation.explanation if e["code"] == "stalled"]
    assert (entry["previous"], entry["on"], entry["change"]) == (42, "2024-09-10", 2)


def test_a_rising_trajectory_is_not_stalled():
    # 15 Mar 2024: 30; 15 Sep 2024: 38; now 45. Compared with 15 Sep (six months): +7.
    previous = [Point(date(2024, 3, 15), 30, "crisis"), Point(date(2024, 9, 15), 38, "crisis")]
    interpretation = run(45, months=30, previous=previous)
    assert (interpretation.phase, interpretation.trend, interpretation.stalled) == ("active_adjustment", 7, False)


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (date(2024, 1, 15), date(2024, 7, 14), 5),
        (date(2024, 1, 15), date(2024, 7, 15), 6),
        (date(2024, 1, 31), date(2024, 2, 29), 0),
        (date(2023, 11, 1), date(2024, 2, 1), 3),
    ],
)
def test_months_between(earlier, later, months):
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("months", "ai", "period", "behind"),
    [
        (2, 50, "orientation", False),  # arrival
        (5, 30, "adjustment", False),  # crisis is usual in the first year
        (11, 50, "adjustment", False),
        (12, 50, "stabilisation", True),  # still adjusting after a year
        (14, 30, "stabilisation", True),
        (36, 70, "stabilisation", False),
        (37, 70, "integration", True),
        (40, 85, "integration", False),
        (None, 50, None, False),
    ],
)
def test_longer_than_typical(months, ai, period, behind):
    interpretation = run(ai, months=months)
    assert (interpretation.typical_period, interpretation.longer_than_typical) == (period, behind)


def test_safety_first_is_never_longer_than_typical():
    assert run(70, months=40, urgent=True).longer_than_typical is False


# ----------------------------------------------------------------------------------------------------------
# Acculturation strategy and support flags


@pytest.mark.parametrize(
    ("h", "u", "strategy", "confidence"),
    [
        (60, 60, "integration", "clear"),
        (59, 60, "integration", "borderline"),  # |59 - 50| = 9 < 10
        (50, 60, "integration", "borderline"),  # 50 counts as high
        (49, 60, "assimilation", "borderline"),
        (41, 60, "assimilation", "borderline"),
        (40, 60, "assimilation", "clear"),  # |40 - 50| = 10 is not < 10
        (60, 40, "separation", "clear"),
        (60, 41, "separation", "borderline"),
        (40, 40, "marginalisation", "clear"),
        (40, 50, "assimilation", "borderline"),
        (None, 60, "not_assessed", None),
        (60, None, "not_assessed", None),
    ],
)
def test_strategy_quadrants_and_borderline(h, u, strategy, confidence):
    interpretation = run(70, h=h, u=u)
    assert (interpretation.strategy, interpretation.strategy_confidence) == (strategy, confidence)
    assert (interpretation.heritage, interpretation.urban) == (h, u)


@pytest.mark.parametrize(
    ("scores", "answers", "flags"),
    [
        ({"h": 30, "u": 30, "D3": 39}, None, ("isolation_risk",)),
        ({"h": 30, "u": 30, "D3": 40}, None, ()),
        ({"h": 70, "u": 70, "D3": 10}, None, ()),  # integration: no flag whatever D3
        ({"h": 70, "u": 30, "D2": 39, "r1": 1}, None, ("imposed_separation",)),  # R1 read from the result
        ({"h": 70, "u": 30, "D2": 39, "r1": 2}, None, ()),  # the city seems accepting: separation looks chosen
        ({"h": 70, "u": 30, "D2": 40, "D4": 40, "r1": 0}, None, ()),
        ({"h": 70, "u": 30, "D4": 39}, {"R1": 0}, ("imposed_separation",)),  # R1 read from the answers
        ({"h": 30, "u": 30, "D2": 10, "D3": 50, "r1": 0}, None, ()),  # not separation
    ],
)
def test_support_flags(scores, answers, flags):
    assert run(70, answers=answers, **scores).support_flags == flags


@pytest.mark.parametrize("answers", [{"R1": DECLINED}, {"R1": NA}, {}, None])
def test_imposed_separation_cannot_be_told_without_the_receiving_answer(answers):
    interpretation = run(70, h=70, u=30, D2=39, answers=answers)
    assert interpretation.support_flags == ()
    assert "receiving_unknown" in codes(interpretation)


# ----------------------------------------------------------------------------------------------------------
# Crosswalk and goals


@pytest.mark.parametrize(
    ("ai", "band", "ssm", "card"),
    [
        (0, "crisis", 1, "E"),
        (19, "crisis", 1, "E"),
        (19.5, "crisis", 1, "E"),
        (20, "vulnerable", 2, "D"),
        (39, "vulnerable", 2, "D"),
        (40, "coping", 3, "C"),
        (59, "coping", 3, "C"),
        (60, "building_capacity", 4, "B"),
        (79, "building_capacity", 4, "B"),
        (80, "thriving", 5, "A"),
        (100, "thriving", 5, "A"),
    ],
)
def test_crosswalk(ai, band, ssm, card):
    interpretation = run(ai)
    assert (interpretation.ai_band, interpretation.ssm_level, interpretation.family_card_level) == (band, ssm, card)


def test_the_family_card_level_is_always_labelled_an_approximation():
    assert all("approximation" in str(level.label) for level in FamilyCardLevel)


def test_goals_are_the_two_lowest_scored_dimensions():
    # D2 and D3 tie at 30: both lower than D1 (50); D5 has no score
    interpretation = run(60, D1=50, D2=30, D3=30, D4=90, D5=None, D6=80, D7=70)
    assert interpretation.goal_dimensions == ("D2", "D3")
    assert {"code": "goal_dimensions", "dimensions": ["D2", "D3"], "scores": [30, 30]} in interpretation.explanation
    assert run(60, D1=20, D2=30, D3=30).goal_dimensions == ("D1", "D2")


# ----------------------------------------------------------------------------------------------------------
# Thresholds from the instrument


def test_params_override_the_thresholds():
    assert run(44).phase == "active_adjustment"
    assert run(44, params={"crisis_ai": 45}).phase == "crisis"
    assert run(60, params={"goal_count": 3}, D1=50, D2=30, D3=40).goal_dimensions == ("D2", "D3", "D1")


def test_an_unknown_param_is_refused():
    with pytest.raises(ValueError, match="crisis_aI"):
        run(44, params={"crisis_aI": 45})


def test_an_interpretation_survives_json():
    previous = [Point(date(2024, 9, 10), 42, "active_adjustment"), Point(date(2025, 1, 10), 50, "active_adjustment")]
    interpretation = run(44, months=18, previous=previous, h=70, u=30, D2=39, r1=1)
    stored = json.loads(json.dumps(interpretation.as_dict()))
    assert stored["phase"] == "active_adjustment"
    assert stored["trend_from"] == "2025-01-10"
    assert Interpretation.from_dict(stored) == interpretation


# ----------------------------------------------------------------------------------------------------------
# End to end: a small FAA-shaped instrument, scored and interpreted

AGREE5 = {"type": "scale", "options": [{"value": v, "label": {"en": str(v)}} for v in range(5)], "allow_na": True}
BANDS = [
    {"min": 0, "max": 19, "code": "crisis"},
    {"min": 20, "max": 39, "code": "vulnerable"},
    {"min": 40, "max": 59, "code": "coping"},
    {"min": 60, "max": 79, "code": "building_capacity"},
    {"min": 80, "max": 100, "code": "thriving"},
]


def mini_faa():
    ids = [f"{d}_{n}" for d in DIMS for n in (1, 2, 3)] + ["H1", "H2", "U1", "U2", "R1"]
    items = [{"id": i, "type": "scale", "text": {"en": i}, "response_set": "agree5"} for i in ids]
    dims = [
        {"id": d, "title": {"en": f"Dimension {d[1]}"}, "method": "percent", "items": [f"{d}_{n}" for n in (1, 2, 3)]}
        for d in DIMS
    ]
    return load_instrument(
        {
            "schema": "qadam-instrument/1",
            "id": "faa-mini",
            "version": "1.0.0",
            "title": {"en": "FAA (test)"},
            "languages": ["en"],
            "status": "practice_tool",
            "licence": {"holder": "Qadam contributors", "terms": "CC BY 4.0"},
            "interpretation": "faa",
            "response_sets": {"agree5": AGREE5},
            "sections": [{"id": "all", "title": {"en": "All"}, "items": items}],
            "scales": [
                *({**d, "min_answered": 0.667, "bands": BANDS} for d in dims),
                {"id": "AI", "method": "mean_of_scales", "scales": list(DIMS), "min_valid": 5, "bands": BANDS},
                {"id": "H", "method": "percent", "items": ["H1", "H2"], "min_answered": 2},
                {"id": "U", "method": "percent", "items": ["U1", "U2"], "min_answered": 2},
            ],
        }
    )


ANSWERS = {
    "D1_1": 1, "D1_2": 1, "D1_3": 1,  # 3 of 12 -> 25
    "D2_1": 1, "D2_2": 1, "D2_3": 2,  # 4 of 12 -> 33.33 -> 33
    "D3_1": 3, "D3_2": 3, "D3_3": 3,  # 9 of 12 -> 75
    "D4_1": 4, "D4_2": 4, "D4_3": 4,  # 100
    "D5_1": 2, "D5_2": 2, "D5_3": DECLINED,  # 2 of 3 applicable answered (2 needed): 4 of 8 -> 50
    "D6_1": NA, "D6_2": NA, "D6_3": NA,  # nothing applies: no score
    "D7_1": 1,  # 1 of 3 answered, 2 needed: no score
    "H1": 4, "H2": 3,  # 7 of 8 -> 87.5 -> 88
    "U1": 1, "U2": 1,  # 2 of 8 -> 25
    "R1": 1,
}  # fmt: skip


def test_scored_and_interpreted_end_to_end():
    instrument = mini_faa()
    scored = score(instrument, ANSWERS)
    # AI: 5 valid dimensions (D6, D7 without a score), min_valid 5: (25 + 33 + 75 + 100 + 50) / 5 = 283 / 5 = 56.6
    assert [scored.score_of(d) for d in DIMS] == [25, 33, 75, 100, 50, None, None]
    assert (scored.score_of("AI"), scored.scales["AI"].band) == (56.6, "coping")
    # A year ago the index was 52: trend 56.6 - 52 = +4.6 (365 days >= 60)
    interpretation = interpret(
        scored,
        months_since_move=20,
        previous=[Point(date(2024, 3, 15), 52, "active_adjustment")],
        safety_urgent=False,
        assessed_on=TODAY,
        answers=ANSWERS,
        params=instrument.interpretation_params,
    )
    # Rule 1 no (20 months); rule 2 no (56.6 >= 40, D1 25 and D2 33 >= 20); rule 3: 40 <= 56.6 < 60
    assert (interpretation.phase, interpretation.phase_rule) == ("active_adjustment", 3)
    assert (interpretation.trend, interpretation.deteriorating) == (4.6, False)
    # 20 months >= 12, active adjustment, +4.6 < 5 over the year -> stalled; usual at 20 months: stabilisation
    assert (interpretation.stalled, interpretation.typical_period, interpretation.longer_than_typical) == (
        True,
        "stabilisation",
        True,
    )
    # H 88 high, U 25 low -> separation, clear; D2 33 < 40 and R1 = 1 <= 1 -> looks imposed
    assert (interpretation.strategy, interpretation.strategy_confidence) == ("separation", "clear")
    assert interpretation.support_flags == ("imposed_separation",)
    assert (interpretation.ai_band, interpretation.ssm_level, interpretation.family_card_level) == ("coping", 3, "C")
    assert interpretation.goal_dimensions == ("D1", "D2")


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_entry_of_the_trace_renders_as_a_sentence(language):
    instrument = mini_faa()
    scored = score(instrument, ANSWERS)
    interpretation = interpret(
        scored,
        months_since_move=20,
        previous=[Point(date(2024, 3, 15), 52, "active_adjustment")],
        safety_urgent=False,
        assessed_on=TODAY,
        answers=ANSWERS,
    )
    with translation.override(language):
        sentences = [explain(e, instrument) for e in (*scored.explanation, *interpretation.explanation)]
    assert all(s and "%(" not in s and "cannot describe" not in s for s in sentences)
    if language == "en":
        assert "Suggested goals, the lowest dimensions: Dimension 1 (25), Dimension 2 (33)." in sentences
        assert "Change in the adaptation index: 4.6 (from 52 on March 15, 2024 to 56.6)." in sentences
