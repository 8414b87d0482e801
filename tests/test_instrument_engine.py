"""The instrument engine: reading definitions, checking answers, scoring. Pure Python, no database.

Expected scores are worked out by hand in the comments; none is produced by the code under test.
"""

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from qadam.assessments.engine import (
    DECLINED,
    NA,
    DefinitionError,
    InvalidAnswers,
    Result,
    check_answers,
    explain,
    load_instrument,
    read_instrument_file,
    score,
)
from qadam.assessments.engine.definition import Instrument
from qadam.assessments.engine.scoring import band_for, required_answers, round_half_up

INSTRUMENTS = Path(__file__).resolve().parent.parent / "qadam" / "assessments" / "instruments"

AGREE5 = {
    "type": "scale",
    "options": [{"value": v, "label": {"en": f"level {v}"}} for v in range(5)],
    "allow_na": True,
}
FAA_BANDS = [
    {"min": 0, "max": 19, "code": "crisis"},
    {"min": 20, "max": 39, "code": "vulnerable"},
    {"min": 40, "max": 59, "code": "coping"},
    {"min": 60, "max": 79, "code": "building_capacity"},
    {"min": 80, "max": 100, "code": "thriving"},
]


def q(item_id: str, kind: str = "scale", **fields) -> dict:
    """A question; scale questions use the agree5 response set unless they bring their own options."""
    data = {"id": item_id, "type": kind, "text": {"en": f"Question {item_id}"}}
    if kind == "scale" and "options" not in fields:
        data["response_set"] = "agree5"
    return {**data, **fields}


def definition(items: list[dict], scales: list[dict] | None = None, triggers: list[dict] | None = None, **top) -> dict:
    data = {
        "schema": "qadam-instrument/1",
        "id": "test",
        "version": "1.0.0",
        "title": {"en": "Test instrument", "ru": "Тестовый инструмент"},
        "languages": ["en"],
        "status": "practice_tool",
        "licence": {"holder": "Qadam contributors", "terms": "CC BY 4.0"},
        "response_sets": {"agree5": AGREE5},
        "sections": [{"id": "main", "title": {"en": "Main"}, "items": items}],
        "scales": scales or [],
        "triggers": triggers or [],
    }
    return copy.deepcopy({**data, **top})


def build(items: list[dict], scales: list[dict] | None = None, triggers: list[dict] | None = None, **top) -> Instrument:
    return load_instrument(definition(items, scales, triggers, **top))


def problems_of(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        load_instrument(data)
    return [(p.where, p.message) for p in caught.value.problems]


def messages_at(data: dict, where: str) -> list[str]:
    return [message for place, message in problems_of(data) if place == where]


# ----------------------------------------------------------------------------------------------------------
# A golden case: six items, two reverse-worded, min_answered 0.667


def six_items() -> Instrument:
    items = [q(f"W{n}", reverse=n in (2, 5)) for n in range(1, 7)]
    scale = {"id": "W", "title": {"en": "Wellbeing"}, "items": [f"W{n}" for n in range(1, 7)]}
    return build(items, [{**scale, "method": "percent", "min_answered": 0.667, "bands": FAA_BANDS}])


def test_a_scale_just_below_its_minimum_has_no_score_and_lists_what_is_missing():
    # W3 not applicable -> 5 applicable items; 0.667 of 5 is two thirds of 5 = 3.33 -> 4 answers needed.
    # Answered: W1, W2, W5 (3) -> below the minimum. W4 declined, W6 skipped: never counted as 0.
    answers = {"W1": 4, "W2": 1, "W3": NA, "W4": DECLINED, "W5": 3}
    w = score(six_items(), answers).scales["W"]
    assert (w.score, w.valid, w.band) == (None, False, None)
    assert (w.n_answered, w.n_applicable, w.needed) == (3, 5, 4)
    assert (w.answered, w.skipped, w.declined, w.na) == (("W1", "W2", "W5"), ("W6",), ("W4",), ("W3",))
    # item scores are still shown: W2 and W5 reverse, 4 - 1 = 3 and 4 - 3 = 1
    assert w.item_scores == {"W1": 4, "W2": 3, "W5": 1}


def test_a_scale_just_at_its_minimum_is_scored_with_halves_rounded_up():
    # As above plus W6 = 2: 4 answered of 5 applicable, 4 needed.
    # Item scores 4 + (4-1) + (4-3) + 2 = 10; percent = 100 * 10 / (4 * 4) = 62.5 -> 63 (half up; round() gives 62)
    answers = {"W1": 4, "W2": 1, "W3": NA, "W4": DECLINED, "W5": 3, "W6": 2}
    result = score(six_items(), answers)
    w = result.scales["W"]
    assert (w.score, w.valid, w.n_answered, w.n_applicable, w.band) == (63, True, 4, 5, "building_capacity")
    assert {"code": "scale_scored", "scale": "W", "method": "percent", "score": 63, "answered": 4, "applicable": 5} in (
        result.explanation
    )
    assert {"code": "items_declined", "scale": "W", "items": ["W4"]} in result.explanation
    assert {"code": "items_na", "scale": "W", "items": ["W3"]} in result.explanation


def test_two_thirds_of_six_is_four_answers_not_five():
    # No item is not-applicable: 6 applicable, ceil(2/3 * 6) = 4, although ceil(0.667 * 6) = ceil(4.002) = 5.
    instrument = six_items()
    four = score(instrument, {"W1": 0, "W2": 4, "W3": 0, "W4": 0}).scales["W"]
    three = score(instrument, {"W1": 0, "W2": 4, "W3": 0}).scales["W"]
    # four answers, all scoring 0 (W2 reversed: 4 - 4 = 0): a real 0, not a missing one
    assert (four.needed, four.valid, four.score, four.band) == (4, True, 0, "crisis")
    assert (three.needed, three.valid, three.score) == (4, False, None)


@pytest.mark.parametrize(
    ("min_answered", "applicable", "needed"),
    [
        (0.667, 6, 4),  # 2/3 * 6 = 4
        (0.667, 5, 4),  # 2/3 * 5 = 3.33 -> 4
        (0.667, 4, 3),  # 2/3 * 4 = 2.67 -> 3 (the FAA's H and U: 3 of 4)
        (0.667, 3, 2),
        (0.5, 10, 5),
        (0.5, 9, 5),  # 4.5 -> 5
        (0.75, 4, 3),
        (0.8, 5, 4),
        (3, 8, 3),  # a whole number is a count
        (None, 5, 1),  # nothing said: one answer is enough
        (0.667, 0, 1),  # everything not applicable: never a score of nothing
    ],
)
def test_required_answers(min_answered, applicable, needed):
    assert required_answers(min_answered, applicable) == needed


def test_rounding_is_half_up_not_to_even():
    assert round_half_up(Fraction(125, 2)) == 63  # 62.5
    assert round_half_up(Fraction(75, 2)) == 38  # 37.5; round(37.5) would give 38 but round(62.5) gives 62
    assert round_half_up(Fraction("2.675"), 2) == 2.68  # the float 2.675 would round down
    assert round_half_up(Fraction(7, 3), 2) == 2.33


# ----------------------------------------------------------------------------------------------------------
# Each method


def test_percent_with_mixed_maxima_uses_each_answered_items_range():
    # Y1 yes/no (0..1) = 1, A1 (0..4) = 2, N1 number 0..10 = 5, A2 skipped (its 4 does not enter the denominator)
    # 100 * (1 + 2 + 5) / (1 + 4 + 10) = 800 / 15 = 53.33 -> 53
    instrument = build(
        [q("Y1", "yesno"), q("A1"), q("N1", "number", min=0, max=10), q("A2")],
        [{"id": "S", "method": "percent", "items": ["Y1", "A1", "N1", "A2"]}],
    )
    s = score(instrument, {"Y1": 1, "A1": 2, "N1": 5}).scales["S"]
    assert (s.score, s.n_answered, s.skipped) == (53, 3, ("A2",))


def test_a_scale_from_one_to_five_is_reversed_within_its_range():
    five = [{"value": v, "label": {"en": str(v)}} for v in range(1, 6)]
    instrument = build(
        [q("F1", options=five), q("F2", options=five, reverse=True)],
        [
            {"id": "T", "method": "sum", "items": ["F1", "F2"]},
            {"id": "P", "method": "percent", "items": ["F1", "F2"]},
        ],
    )
    result = score(instrument, {"F1": 5, "F2": 2})
    # F2 reversed on 1..5: (1 + 5) - 2 = 4. Sum 5 + 4 = 9.
    # Percent from the bottom of the range: 100 * ((5-1) + (4-1)) / ((5-1) + (5-1)) = 700 / 8 = 87.5 -> 88
    assert result.scales["T"].item_scores == {"F1": 5, "F2": 4}
    assert (result.scales["T"].score, result.scales["P"].score) == (9, 88)


def test_sum_mean_and_weighted():
    instrument = build(
        [q("A1"), q("A2", reverse=True), q("A3"), q("V1", weight=2), q("V2", weight=1), q("V3", weight=0.5)],
        [
            {"id": "SUM", "method": "sum", "items": ["A1", "A2", "A3"]},
            {"id": "MEAN", "method": "mean", "items": ["A1", "A2", "A3"]},
            {"id": "WEIGHTED", "method": "weighted", "items": ["V1", "V2", "V3"]},
        ],
    )
    result = score(instrument, {"A1": 3, "A2": 2, "A3": 2, "V1": 3, "V2": 4, "V3": 0})
    # A2 reversed: 4 - 2 = 2. Sum 3 + 2 + 2 = 7; mean 7 / 3 = 2.333 -> 2.33
    # weighted (2*3 + 1*4 + 0.5*0) / (2 + 1 + 0.5) = 10 / 3.5 = 2.857 -> 2.86
    assert result.scales["SUM"].score == 7
    assert result.scales["MEAN"].score == 2.33
    assert result.scales["WEIGHTED"].score == 2.86

    declined = score(instrument, {"A1": 3, "A2": 1, "A3": DECLINED, "V1": 4, "V2": 1})
    # A2 reversed 4 - 1 = 3: sum 3 + 3 = 6 (A3 declined, not 0); mean 6 / 2 = 3
    # weighted over the answered only: (2*4 + 1*1) / (2 + 1) = 9 / 3 = 3
    assert declined.scales["SUM"].score == 6
    assert declined.scales["MEAN"].score == 3
    assert declined.scales["WEIGHTED"].score == 3
    assert declined.scales["WEIGHTED"].skipped == ("V3",)


def test_count_counts_raw_answers():
    instrument = build(
        [q("C1", "yesno"), q("C2", "yesno", reverse=True), q("C3", "yesno"), q("C4", "yesno")],
        [{"id": "ACE", "method": "count", "items": ["C1", "C2", "C3", "C4"], "count_values": [1]}],
    )
    # yes answers: C1, C2 (counted on its raw answer even though reverse-worded), not C3; C4 declined
    ace = score(instrument, {"C1": 1, "C2": 1, "C3": 0, "C4": DECLINED}).scales["ACE"]
    assert (ace.score, ace.n_answered, ace.declined) == (2, 3, ("C4",))


def test_count_of_text_choices():
    options = [{"value": v, "label": {"en": v}} for v in ("often", "sometimes", "never")]
    instrument = build(
        [q(f"K{n}", "single", options=options) for n in range(1, 4)],
        [{"id": "OFTEN", "method": "count", "items": ["K1", "K2", "K3"], "count_values": ["often", "sometimes"]}],
    )
    assert score(instrument, {"K1": "often", "K2": "never", "K3": "sometimes"}).scales["OFTEN"].score == 2


def dimensions_instrument(min_valid: int) -> Instrument:
    items = [q(f"{d}_{n}") for d in ("D1", "D2", "D3") for n in (1, 2)]
    scales = [
        {"id": d, "method": "percent", "items": [f"{d}_1", f"{d}_2"], "min_answered": 2, "bands": FAA_BANDS}
        for d in ("D1", "D2", "D3")
    ]
    combined = {"id": "AI", "method": "mean_of_scales", "scales": ["D1", "D2", "D3"], "min_valid": min_valid}
    return build(items, [*scales, {**combined, "bands": FAA_BANDS}])


def test_mean_of_scales_uses_the_valid_scales_only():
    # D1: 2 + 2 = 4 of 8 -> 50. D2: 3 + 2 = 5 of 8 -> 62.5 -> 63. D3: one answer of the two needed -> no score.
    # AI with min_valid 2: (50 + 63) / 2 = 56.5 -> band coping (40-59 reaches up to the next band's 60)
    answers = {"D1_1": 2, "D1_2": 2, "D2_1": 3, "D2_2": 2, "D3_1": 4}
    result = score(dimensions_instrument(min_valid=2), answers)
    ai = result.scales["AI"]
    assert (result.scales["D1"].score, result.scales["D2"].score, result.scales["D3"].score) == (50, 63, None)
    assert (ai.score, ai.band, ai.n_answered, ai.n_applicable) == (56.5, "coping", 2, 3)
    assert (ai.answered, ai.skipped, ai.item_scores) == (("D1", "D2"), ("D3",), {"D1": 50, "D2": 63})


def test_mean_of_scales_below_min_valid_has_no_score():
    answers = {"D1_1": 2, "D1_2": 2, "D2_1": 3, "D2_2": 2, "D3_1": 4}
    result = score(dimensions_instrument(min_valid=3), answers)
    assert (result.scales["AI"].score, result.scales["AI"].valid) == (None, False)
    assert {"code": "scales_insufficient", "scale": "AI", "valid": 2, "needed": 3, "missing": ["D3"]} in (
        result.explanation
    )
    assert result.score_of("AI") is None
    assert result.score_of("D1") == 50


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "crisis"),
        (19, "crisis"),
        (19.5, "crisis"),
        (20, "vulnerable"),
        (39, "vulnerable"),
        (40, "coping"),
        (59, "coping"),
        (59.99, "coping"),
        (60, "building_capacity"),
        (79, "building_capacity"),
        (80, "thriving"),
        (100, "thriving"),
        (100.5, None),
        (-1, None),
    ],
)
def test_bands_at_their_boundaries(value, band):
    scale = dimensions_instrument(min_valid=2).scales["D1"]
    assert band_for(scale, value) == band


# ----------------------------------------------------------------------------------------------------------
# Questions that apply only sometimes


def children_instrument() -> Instrument:
    return build(
        [
            q("K1", "yesno"),  # "Do you have children of school age?"
            q("K2", relevant={"item": "K1", "equals": 1}),
            q("K3", relevant={"item": "K2", "in": [3, 4]}),
            q("K4"),
        ],
        [{"id": "K", "method": "percent", "items": ["K2", "K3", "K4"]}],
    )


def test_a_question_that_does_not_apply_leaves_the_count():
    # K1 = 0: K2 does not apply, so neither does K3 (its condition looks at K2). Only K4 counts: 2 of 4 -> 50.
    # K2 was answered anyway: the answer is left out and the trace says so.
    result = score(children_instrument(), {"K1": 0, "K2": 4, "K4": 2})
    k = result.scales["K"]
    assert (k.score, k.n_applicable, k.not_relevant, k.answered) == (50, 1, ("K2", "K3"), ("K4",))
    assert {"code": "answer_not_relevant", "item": "K2"} in result.explanation


def test_a_declined_answer_makes_no_condition_true():
    k = score(children_instrument(), {"K1": DECLINED, "K4": 4}).scales["K"]
    assert (k.not_relevant, k.score) == (("K2", "K3"), 100)


def test_a_chain_of_conditions():
    # K1 yes -> K2 applies; K2 = 3 -> K3 applies. (3 + 1 + 4) / 12 = 66.67 -> 67
    k = score(children_instrument(), {"K1": 1, "K2": 3, "K3": 1, "K4": 4}).scales["K"]
    assert (k.score, k.n_applicable, k.not_relevant) == (67, 3, ())


# ----------------------------------------------------------------------------------------------------------
# Alerts


def safety_instrument() -> Instrument:
    return build(
        [
            q("G1", "yesno"),
            q("G2", "yesno"),
            q("M1", "multiple", options=[{"value": "a", "label": {"en": "A"}}, {"value": "b", "label": {"en": "B"}}]),
        ],
        triggers=[
            {
                "id": "safety",
                "level": "concern",
                "any": [{"item": "G1", "equals": 0}, {"item": "G2", "equals": 1}],
                "label": {"en": "Safety concern"},
            },
            {
                "id": "both",
                "level": "urgent",
                "all": [{"item": "G2", "equals": 1}, {"item": "M1", "selected": "b"}],
                "label": {"en": "Both"},
            },
        ],
    )


def test_a_trigger_fires_on_any_condition():
    result = score(safety_instrument(), {"G1": 0, "G2": 0})
    assert [(t.id, t.level) for t in result.triggers] == [("safety", "concern")]
    assert result.flag == "concern"
    assert {"code": "trigger_fired", "trigger": "safety", "level": "concern", "items": ["G1"]} in result.explanation


def test_an_all_trigger_needs_every_condition():
    fired = score(safety_instrument(), {"G1": 1, "G2": 1, "M1": ["a", "b"]})
    assert [t.id for t in fired.triggers] == ["safety", "both"]
    assert fired.flag == "urgent"
    not_fired = score(safety_instrument(), {"G1": 1, "G2": 1, "M1": ["a"]})
    assert [t.id for t in not_fired.triggers] == ["safety"]


def test_declined_never_fires_and_the_trace_says_the_questions_went_unanswered():
    result = score(safety_instrument(), {"G1": DECLINED, "G2": DECLINED})
    assert result.triggers == ()
    assert result.flag is None
    assert {"code": "trigger_unanswered", "trigger": "safety", "items": ["G1", "G2"]} in result.explanation


def test_answered_safety_questions_with_no_concern():
    result = score(safety_instrument(), {"G1": 1, "G2": 0, "M1": []})
    assert result.triggers == ()
    assert not [e for e in result.explanation if e["code"] == "trigger_unanswered" and e["trigger"] == "safety"]


# ----------------------------------------------------------------------------------------------------------
# Checking answers


def answers_instrument() -> Instrument:
    return build(
        [
            q("A1"),
            q("Y1", "yesno"),
            q("N1", "number", min=0, max=10),
            q("T1", "text"),
            q("DT", "date"),
            q("NOTE", "note"),
            q("AN", "anchored", anchors={str(n): {"en": f"level {n}"} for n in range(5)}),
            q("M1", "multiple", options=[{"value": "a", "label": {"en": "A"}}]),
            q("S1", "single", options=[{"value": "x", "label": {"en": "X"}}], allow_declined=False),
        ]
    )


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("ZZ", 1, "There is no question “ZZ” in this instrument."),
        ("A1", 7, "7 is not one of the answers offered."),
        ("A1", "3", "3 is not one of the answers offered."),
        ("A1", True, "True is not one of the answers offered."),
        ("Y1", 2, "The answer must be 1 (yes) or 0 (no)."),
        ("Y1", NA, "“Not applicable” is not offered for this question."),
        ("S1", DECLINED, "“Prefer not to answer” is not offered for this question."),
        ("S1", "y", "y is not one of the answers offered."),
        ("N1", 11, "The answer must be at most 10."),
        ("N1", -1, "The answer must be at least 0."),
        ("N1", "5", "The answer must be a number."),
        ("T1", 5, "The answer must be text."),
        ("DT", "2024-02-30", "The answer must be a date written as YYYY-MM-DD."),
        ("DT", "01.02.2024", "The answer must be a date written as YYYY-MM-DD."),
        ("NOTE", "seen", "“NOTE” is a note; it takes no answer."),
        ("AN", 5, "The level must be a whole number from 0 to 4."),
        ("M1", "a", "The answer must be a list of the choices offered."),
        ("M1", ["a", "a"], "The same choice is given twice."),
    ],
)
def test_check_answers_finds(item, value, message):
    problems = check_answers(answers_instrument(), {item: value})
    assert [(p.where, p.message) for p in problems] == [(item, message)]


def test_good_answers_pass_and_every_problem_is_listed():
    instrument = answers_instrument()
    good = {"A1": NA, "Y1": 1, "N1": 2.5, "T1": "ok", "DT": "2024-02-29", "AN": 4, "M1": ["a"], "S1": "x"}
    assert check_answers(instrument, good) == []
    assert check_answers(instrument, {"A1": DECLINED, "Y1": None}) == []  # None is the same as skipped
    problems = check_answers(instrument, {"A1": 9, "Y1": 3, "ZZ": 1})
    assert [p.where for p in problems] == ["A1", "Y1", "ZZ"]


def test_score_refuses_answers_that_do_not_fit():
    with pytest.raises(InvalidAnswers) as caught:
        score(answers_instrument(), {"A1": 9})
    assert [p.where for p in caught.value.problems] == ["A1"]


# ----------------------------------------------------------------------------------------------------------
# The stored result


def test_a_result_survives_json_and_reads_back_equal():
    result = score(six_items(), {"W1": 4, "W2": 1, "W3": NA, "W4": DECLINED, "W5": 3, "W6": 2})
    stored = json.loads(json.dumps(result.as_dict()))
    assert stored["instrument"] == "test"
    assert stored["version"] == "1.0.0"
    assert stored["scales"]["W"]["score"] == 63
    assert stored["scales"]["W"]["declined"] == ["W4"]
    assert Result.from_dict(stored) == result


def test_explanations_render_in_the_readers_language_with_scale_titles():
    instrument = six_items()
    result = score(instrument, {"W1": 4, "W2": 1, "W3": NA, "W4": DECLINED, "W5": 3})
    sentences = [explain(entry, instrument) for entry in result.explanation]
    assert "Wellbeing: not enough answers for a score (3 given, 4 needed)." in sentences
    assert "Wellbeing: 1 question was skipped; it is left out, not counted as 0 (W6)." in sentences
    assert explain({"code": "scale_insufficient", "scale": "W", "answered": 3, "needed": 4}) == (
        "W: not enough answers for a score (3 given, 4 needed)."
    )


def test_an_unknown_explanation_is_described_as_such():
    assert explain({"code": "from_the_future"}) == (
        "A step of the calculation that this version cannot describe (from_the_future)."
    )
    assert explain({"code": "scale_scored"}).startswith("A step of the calculation")  # its numbers are missing


# ----------------------------------------------------------------------------------------------------------
# The Instrument


def test_text_falls_back_to_russian_then_english_then_any_and_says_so():
    texts = {"kk": "", "ru": "Здравствуйте", "en": "Hello"}
    assert Instrument.text(texts, "en") == ("Hello", False)
    assert Instrument.text(texts, "kk") == ("Здравствуйте", True)
    assert Instrument.text({"en": "Hello"}, "kk") == ("Hello", True)
    assert Instrument.text({"de": "Hallo"}, "kk") == ("Hallo", True)
    assert Instrument.text({}, "kk") == ("", True)


def test_items_know_their_answers():
    instrument = answers_instrument()
    a1, y1, n1, an, s1, note = (instrument.items[i] for i in ("A1", "Y1", "N1", "AN", "S1", "NOTE"))
    assert (a1.values, a1.min_value, a1.max_value, a1.allow_na, a1.allow_declined) == (
        (0, 1, 2, 3, 4),
        0,
        4,
        True,
        True,
    )
    assert (y1.values, y1.max_value, y1.allow_na, y1.allow_declined) == ((0, 1), 1, False, True)
    assert (n1.values, n1.min_value, n1.max_value) == (None, 0, 10)
    assert (an.values, an.rater, an.anchors[4]) == ((0, 1, 2, 3, 4), "worker", {"en": "level 4"})
    assert (s1.allow_declined, s1.rater, s1.numeric) == (False, "family", False)
    assert (note.answerable, note.allow_declined) == (False, False)
    assert instrument.needs_translation("kk") and not instrument.needs_translation("en")


def test_the_definition_is_stored_as_plain_json_and_loads_again():
    instrument = children_instrument()
    stored = json.loads(json.dumps(instrument.definition))
    again = load_instrument(stored)
    assert list(again.items) == ["K1", "K2", "K3", "K4"]
    assert again.definition == instrument.definition


# ----------------------------------------------------------------------------------------------------------
# Definition problems: structure (the schema, in our words)


def test_an_unknown_field_is_named_with_a_suggestion():
    data = definition([q("A1", revers=True)])
    assert messages_at(data, 'sections[0] "main" > items[0] "A1" > revers') == [
        "“revers” is not a field here; did you mean “reverse”?"
    ]


def test_structure_problems_are_all_reported_with_their_place():
    data = definition(
        [
            q("A1", reverse="yes"),
            q("1bad"),
            q("A3", weight=0),
            q("A4", relevant={"item": "A1", "equals": 1, "in": [2]}),
        ],
        status="draft",
        schema="qadam-instrument/2",
        colour="blue",
    )
    data["title"] = {"english": "Test"}
    del data["sections"][0]["title"]
    found = problems_of(data)
    assert found == [
        (
            "colour",
            "“colour” is not a field here. The fields are: description, id, interpretation, languages, licence, "
            "response_sets, scales, schema, sections, status, title, triggers, version.",
        ),
        ("schema", "“qadam-instrument/2” is not allowed here; use one of: qadam-instrument/1."),
        ('sections[0] "main" > items[0] "A1" > reverse', "This should be true or false."),
        (
            'sections[0] "main" > items[1] "1bad" > id',
            "“1bad” is not a valid id: start with a letter and use only letters, digits and “_”.",
        ),
        ('sections[0] "main" > items[2] "A3" > weight', "This must be more than 0."),
        ('sections[0] "main" > items[3] "A4" > relevant', "Give exactly one of: equals, in, selected."),
        ('sections[0] "main" > title', "This field is required."),
        ("status", "“draft” is not allowed here; use one of: practice_tool, validated, screen."),
        ("title", "“english” is not a two-letter language code such as kk, ru or en."),
    ]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda d: d.update(sections=[]), "sections", "This cannot be empty."),
        (lambda d: d.update(version="1.0"), "version", "“1.0” is not a version number of the form 1.0.0."),
        (
            lambda d: d.update(id="Test"),
            "id",
            "“Test” is not a valid instrument id: use lower-case letters, digits, “-” and “_”.",
        ),
        (lambda d: d["licence"].pop("terms"), "licence > terms", "This field is required."),
        (lambda d: d.update(languages=["en", "en"]), "languages", "This list has the same entry twice."),
        (lambda d: d.update(languages="en"), "languages", "This should be a list."),
        (lambda d: d.update(interpretation=5), "interpretation", "This should be a name, or a name with params."),
        (
            lambda d: d["response_sets"]["agree5"]["options"][0].update(value=True),
            "response_sets > agree5 > options[0] > value",
            "YAML reads yes, no, on and off as true or false; put the value in quotes.",
        ),
        (
            lambda d: d["sections"][0]["items"].append(q("AN", "anchored", anchors={"5": {"en": "x"}})),
            'sections[0] "main" > items[1] "AN" > anchors',
            "“5” is not an anchor level; the levels are 0, 1, 2, 3 and 4.",
        ),
    ],
)
def test_structure_problem(change, where, message):
    data = definition([q("A1")])
    change(data)
    assert (where, message) in problems_of(data)


# ----------------------------------------------------------------------------------------------------------
# Definition problems: meaning


ITEM = 'sections[0] "main" > items[%d] "%s"'


def test_meaning_problems_are_all_reported_together_naming_item_and_field():
    data = definition(
        [
            q("A1", relevant={"item": "A2", "equals": 1}),  # a later question
            q("A2", response_set="agree7"),
            q("A2", "yesno"),
            q("N1", "number", min=5, max=3),
        ]
    )
    assert problems_of(data) == [
        (
            ITEM % (0, "A1") + " > relevant > item",
            "“A2” is not asked before this question; a question can only depend on an earlier answer.",
        ),
        (ITEM % (1, "A2") + " > response_set", "There is no response set “agree7”."),
        (ITEM % (2, "A2") + " > id", "The id “A2” is used twice; each id must be unique."),
        (ITEM % (3, "N1") + " > min", "The minimum (5) is larger than the maximum (3)."),
    ]


FIVE = [{"value": v, "label": {"en": str(v)}} for v in range(5)]
TEXT_CHOICES = [{"value": "x", "label": {"en": "X"}}, {"value": "y", "label": {"en": "Y"}}]


@pytest.mark.parametrize(
    ("items", "where", "message"),
    [
        (
            [q("A1", options=FIVE, response_set="agree5")],
            ITEM % (0, "A1") + " > options",
            "Give either a response_set or options, not both.",
        ),
        (
            [{"id": "S1", "type": "single", "text": {"en": "?"}}],
            ITEM % (0, "S1"),
            "This question needs a response_set or its own options.",
        ),
        (
            [q("AN", "anchored", anchors={"0": {"en": "x"}, "4": {"en": "y"}})],
            ITEM % (0, "AN") + " > anchors",
            "An anchored item needs a level text for each of 0 to 4; missing: 1, 2, 3.",
        ),
        (
            [q("A1", anchors={"0": {"en": "x"}})],
            ITEM % (0, "A1") + " > anchors",
            "An item of type “scale” does not use “anchors”.",
        ),
        (
            [q("A1", relevant={"item": "A1", "equals": 1})],
            ITEM % (0, "A1") + " > relevant > item",
            "“A1” is not asked before this question; a question can only depend on an earlier answer.",
        ),
        (
            [q("A1", relevant={"item": "X9", "equals": 1})],
            ITEM % (0, "A1") + " > relevant > item",
            "There is no item “X9”.",
        ),
        (
            [q("A0"), q("A1", relevant={"item": "A0", "in": [1, 7]})],
            ITEM % (1, "A1") + " > relevant > in[1]",
            "7 is not a possible answer to “A0”.",
        ),
        (
            [q("Y0", "yesno"), q("A1", relevant={"item": "Y0", "equals": "yes"})],
            ITEM % (1, "A1") + " > relevant > equals",
            "yes is not a possible answer to “Y0”.",
        ),
        (
            [q("NT", "note"), q("A1", relevant={"item": "NT", "equals": 1})],
            ITEM % (1, "A1") + " > relevant > item",
            "“NT” is a note and has no answer.",
        ),
        (
            [q("M0", "multiple", options=TEXT_CHOICES), q("A1", relevant={"item": "M0", "equals": "x"})],
            ITEM % (1, "A1") + " > relevant > equals",
            "“M0” takes several answers: use “selected”.",
        ),
        (
            [q("A0"), q("A1", relevant={"item": "A0", "selected": 1})],
            ITEM % (1, "A1") + " > relevant > selected",
            "“selected” is only for items with several answers; use “equals” or “in”.",
        ),
        (
            [q("A1", options=[{"value": 0, "label": {"en": "a"}}, {"value": 0, "label": {"en": "b"}}])],
            ITEM % (0, "A1") + " > options[1] > value",
            "The answer value 0 appears twice.",
        ),
        (
            [q("A1", options=TEXT_CHOICES)],
            ITEM % (0, "A1") + " > options[0] > value",
            "Answers on a scale are numbers; “x” is not a number.",
        ),
    ],
)
def test_item_problem(items, where, message):
    assert (where, message) in problems_of(definition(items))


SCALE_ITEMS = [
    q("A1"),
    q("A2"),
    q("TX", "text"),
    q("DT", "date"),
    q("NT", "note"),
    q("S1", "single", options=TEXT_CHOICES),
    q("N1", "number", min=0),
    q("ONE", options=[{"value": 1, "label": {"en": "only"}}]),
]


@pytest.mark.parametrize(
    ("scale", "where", "message"),
    [
        ({"method": "percent", "items": ["A1", "X9"]}, 'scales[0] "S" > items[1] "X9"', "There is no item “X9”."),
        ({"method": "percent", "items": ["A1", "A1"]}, 'scales[0] "S" > items[1] "A1"', "“A1” is listed twice."),
        (
            {"method": "sum", "items": ["TX"]},
            'scales[0] "S" > items[0] "TX"',
            "“TX” is a text item and cannot be scored.",
        ),
        (
            {"method": "sum", "items": ["DT"]},
            'scales[0] "S" > items[0] "DT"',
            "“DT” is a date item and cannot be scored.",
        ),
        (
            {"method": "sum", "items": ["NT"]},
            'scales[0] "S" > items[0] "NT"',
            "“NT” is a note item and cannot be scored.",
        ),
        (
            {"method": "percent", "items": ["S1"]},
            'scales[0] "S" > items[0] "S1"',
            "“S1” has answers that are not numbers; only a count scale can use it.",
        ),
        (
            {"method": "percent", "items": ["N1"]},
            'scales[0] "S" > items[0] "N1"',
            "“N1” needs a min and a max to be scored.",
        ),
        (
            {"method": "percent", "items": ["ONE"]},
            'scales[0] "S" > items[0] "ONE"',
            "“ONE” has only one possible answer, so it cannot be scored as a percentage.",
        ),
        ({"method": "count", "items": ["A1"]}, 'scales[0] "S" > count_values', "A count scale needs “count_values”."),
        (
            {"method": "count", "items": ["A1"], "count_values": [9]},
            'scales[0] "S" > count_values[0]',
            "9 is not a possible answer to any item of this scale.",
        ),
        (
            {"method": "percent", "items": ["A1"], "count_values": [1]},
            'scales[0] "S" > count_values',
            "A percent scale does not use “count_values”.",
        ),
        (
            {"method": "percent", "items": ["A1"], "min_valid": 1},
            'scales[0] "S" > min_valid',
            "A percent scale does not use “min_valid”.",
        ),
        (
            {"method": "weighted", "items": ["A1", "A2"]},
            'scales[0] "S" > method',
            "A weighted scale needs weights on its items; none of them has one.",
        ),
        (
            {"method": "percent", "items": ["A1", "A2"], "min_answered": 1.5},
            'scales[0] "S" > min_answered',
            "min_answered is a fraction below 1 (such as 0.667) or a whole number.",
        ),
        (
            {"method": "percent", "items": ["A1", "A2"], "min_answered": 3},
            'scales[0] "S" > min_answered',
            "min_answered asks for 3 answers, but the scale has only 2 items.",
        ),
        (
            {"method": "percent", "items": ["A1"], "min_answered": 0},
            'scales[0] "S" > min_answered',
            "This must be more than 0.",
        ),
        (
            {"method": "mean_of_scales", "scales": ["S"]},
            'scales[0] "S" > min_valid',
            "A mean_of_scales scale needs “min_valid”.",
        ),
        (
            {"method": "mean_of_scales", "items": ["A1"], "scales": ["S"], "min_valid": 1},
            'scales[0] "S" > items',
            "A mean_of_scales scale does not use “items”.",
        ),
        (
            {"method": "mean_of_scales", "scales": ["X9"], "min_valid": 1},
            'scales[0] "S" > scales[0] "X9"',
            "There is no scale “X9”.",
        ),
        (
            {"method": "mean_of_scales", "scales": ["LATER"], "min_valid": 2},
            'scales[0] "S" > min_valid',
            "min_valid asks for 2 scales, but only 1 are listed.",
        ),
        (
            {"method": "mean_of_scales", "scales": ["LATER"], "min_valid": 1},
            'scales[0] "S" > scales[0] "LATER"',
            "Scale “LATER” comes later; scales are computed in order, so list it before this one.",
        ),
    ],
)
def test_scale_problem(scale, where, message):
    later = {"id": "LATER", "method": "sum", "items": ["A2"]}
    data = definition(SCALE_ITEMS, [{"id": "S", **scale}, later])
    assert (where, message) in problems_of(data)


@pytest.mark.parametrize(
    ("bands", "where", "message"),
    [
        (
            [{"min": 0, "max": 40, "code": "low"}, {"min": 42, "max": 100, "code": "high"}],
            'scales[0] "P" > bands[1] "high" > min',
            "There is a gap between band “low” (up to 40) and “high” (from 42).",
        ),
        (
            [{"min": 0, "max": 40, "code": "low"}, {"min": 40, "max": 100, "code": "high"}],
            'scales[0] "P" > bands[1] "high" > min',
            "Band “high” starts at 40, inside band “low” (up to 40): bands must go up in order without overlaps.",
        ),
        (
            [{"min": 0, "max": 49, "code": "low"}, {"min": 50, "max": 90, "code": "high"}],
            'scales[0] "P" > bands[1] "high" > max',
            "The bands end at 90, but the score can be as high as 100.",
        ),
        (
            [{"min": 10, "max": 100, "code": "all"}],
            'scales[0] "P" > bands[0] "all" > min',
            "The bands start at 10, but the score can be as low as 0.",
        ),
        (
            [
                {"min": 0, "max": 60, "code": "low"},
                {"min": 61, "max": 50, "code": "odd"},
                {"min": 51, "max": 100, "code": "low"},
            ],
            'scales[0] "P" > bands[1] "odd" > max',
            "Band “odd” ends before it starts.",
        ),
        (
            [{"min": 0, "max": 49, "code": "low"}, {"min": 50, "max": 100, "code": "low"}],
            'scales[0] "P" > bands[1] "low" > code',
            "The band “low” appears twice.",
        ),
    ],
)
def test_band_problem(bands, where, message):
    data = definition([q("A1")], [{"id": "P", "method": "percent", "items": ["A1"], "bands": bands}])
    assert (where, message) in problems_of(data)


def test_bands_of_a_mean_must_cover_the_answer_range():
    data = definition(
        [q("A1")], [{"id": "M", "method": "mean", "items": ["A1"], "bands": [{"min": 0, "max": 3, "code": "x"}]}]
    )
    assert ('scales[0] "M" > bands[0] "x" > max', "The bands end at 3, but the score can be as high as 4.") in (
        problems_of(data)
    )


def test_trigger_problems():
    trigger = {"level": "concern", "label": {"en": "Alert"}}
    data = definition(
        [q("G1", "yesno")],
        triggers=[
            {"id": "t", "any": [{"item": "G9", "equals": 1}], **trigger},
            {"id": "t", "all": [{"item": "G1", "equals": 2}], **trigger},
            {"id": "u", "any": [{"item": "G1", "equals": 1}], "all": [{"item": "G1", "equals": 1}], **trigger},
        ],
    )
    assert problems_of(data) == [
        ('triggers[2] "u"', "Give exactly one of: any, all."),
    ]  # the structure first: meaning is checked once the structure is sound
    data["triggers"].pop()
    assert problems_of(data) == [
        ('triggers[0] "t" > any[0] > item', "There is no item “G9”."),
        ('triggers[1] "t" > id', "The id “t” is used twice; each id must be unique."),
        ('triggers[1] "t" > all[0] > equals', "2 is not a possible answer to “G1”."),
    ]


def test_duplicate_section_and_scale_ids():
    data = definition([q("A1")], [{"id": "S", "method": "sum", "items": ["A1"]}] * 2)
    data["sections"].append({"id": "main", "title": {"en": "Again"}, "items": [q("A2")]})
    found = problems_of(data)
    assert ('sections[1] "main" > id', "The id “main” is used twice; each id must be unique.") in found
    assert ('scales[1] "S" > id', "The id “S” is used twice; each id must be unique.") in found


def test_a_language_called_complete_must_have_every_text():
    data = definition([q("A1", text={"en": "Question", "ru": ""})], languages=["en", "ru"])
    found = problems_of(data)
    assert ('sections[0] "main" > title', "The text is missing in ru, which the instrument lists as complete.") in found
    assert (ITEM % (0, "A1") + " > text", "The text is missing in ru, which the instrument lists as complete.") in found
    assert ("title", "The text is missing in ru, which the instrument lists as complete.") not in found


def test_interpretation_problems():
    unknown = definition([q("A1")], interpretation="magic")
    assert problems_of(unknown) == [("interpretation", "There is no interpreter “magic”; the engine knows: faa.")]
    faa = definition([q("A1")], [{"id": "AI", "method": "sum", "items": ["A1"]}])
    faa["interpretation"] = {
        "name": "faa",
        "params": {
            "crisis_aI": 45,
            "dimensions": ["AI"],
            "heritage": "AI",
            "urban": "AI",
            "crisis_dimensions": ["AI"],
            "isolation_dimension": "AI",
            "exclusion_dimensions": ["AI"],
        },
    }
    assert problems_of(faa) == [
        (
            "interpretation > params > crisis_aI",
            "“crisis_aI” is not a setting of this interpreter; did you mean “crisis_ai”?",
        )
    ]
    faa["interpretation"] = "faa"
    assert ("interpretation", "The interpreter reads scale “D7” (setting dimensions), but there is no such scale.") in (
        problems_of(faa)
    )


# ----------------------------------------------------------------------------------------------------------
# Files


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_YAML = """\
schema: qadam-instrument/1
id: mini
version: 1.0.0
title: {en: Mini}
languages: [en]
status: screen
licence:
  holder: Qadam contributors
  terms: CC BY 4.0
  acknowledged_at: 2024-05-01
sections:
  - id: main
    title: {en: Main}
    items:
      - id: W1
        type: anchored
        text: {en: Housing}
        anchors:
          0: {en: no safe place}
          1: {en: temporary}
          2: {en: secure for 3 months}
          3: {en: stable}
          4: {en: stable and affordable}
"""


def test_a_yaml_file_loads_with_its_numbers_and_dates_made_json(tmp_path):
    instrument = read_instrument_file(write(tmp_path, "mini.yaml", GOOD_YAML))
    assert instrument.items["W1"].anchors[0] == {"en": "no safe place"}
    assert instrument.definition["licence"]["acknowledged_at"] == "2024-05-01"
    assert json.loads(json.dumps(instrument.definition)) == instrument.definition


def test_bad_yaml_names_the_file_and_line(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        read_instrument_file(write(tmp_path, "broken.yaml", "schema: qadam-instrument/1\nid: [mini\nversion: 1.0.0\n"))
    [problem] = caught.value.problems
    assert (problem.where, problem.line) == ("broken.yaml", 3)
    assert problem.message.startswith("This is not valid YAML")
    assert caught.value.source == "broken.yaml"
    assert str(caught.value).startswith("broken.yaml\nbroken.yaml (line 3): This is not valid YAML")


def test_an_unknown_top_level_key_in_a_file_is_found_by_line(tmp_path):
    path = write(tmp_path, "typo.yml", GOOD_YAML.replace("status: screen", "status: screen\nstatuss: screen"))
    with pytest.raises(DefinitionError) as caught:
        read_instrument_file(path)
    [problem] = caught.value.problems
    assert (problem.where, problem.line) == ("statuss", 7)
    assert problem.message == "“statuss” is not a field here; did you mean “status”?"


def test_a_problem_deep_in_a_file_is_found_by_line(tmp_path):
    path = write(tmp_path, "mini.yaml", GOOD_YAML.replace("          4: {en: stable and affordable}\n", ""))
    with pytest.raises(DefinitionError) as caught:
        read_instrument_file(path)
    [problem] = caught.value.problems
    assert (problem.where, problem.line) == ('sections[0] "main" > items[0] "W1" > anchors', 18)


def test_other_file_problems(tmp_path):
    cases = [
        (write(tmp_path, "a.json", '{"schema": '), "This is not valid JSON (Expecting value)."),
        (write(tmp_path, "a.txt", "schema: x"), "An instrument file ends in .yaml, .yml or .json."),
        (write(tmp_path, "list.yaml", "- 1\n- 2\n"), "The file should hold one instrument (a mapping of fields)."),
        (tmp_path / "missing.yaml", "The file cannot be read (No such file or directory)."),
    ]
    for path, message in cases:
        with pytest.raises(DefinitionError) as caught:
            read_instrument_file(path)
        assert [p.message for p in caught.value.problems] == [message]


@pytest.mark.parametrize("path", sorted(INSTRUMENTS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_instrument_passes_the_engines_checks(path):
    instrument = read_instrument_file(path)
    assert instrument.licence.get("shipped") is True
