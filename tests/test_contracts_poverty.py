"""Golden income tests, worked out by hand (the arithmetic is in each docstring), against the pure
`qadam.contracts.poverty.compute`: no database."""

from datetime import date
from decimal import Decimal

import pytest

from qadam.contracts.poverty import (
    MAX_MEDIAN_SUBSISTENCE,
    SUBSISTENCE_SHARE,
    ComputationError,
    Income,
    Member,
    Rule,
    add_months,
    assessment_period,
    compute,
)

D = Decimal

RULE_2024 = Rule(
    formula=SUBSISTENCE_SHARE,
    subsistence_minimum=D("40567"),
    subsistence_share=D("0.70"),
    mrp=D("3692"),
    child_supplement_mrp=D("1.5"),
)


def rule_2025(median: str) -> Rule:
    return Rule(
        formula=MAX_MEDIAN_SUBSISTENCE,
        subsistence_minimum=D("46228"),
        subsistence_share=D("0.70"),
        median_income=D(median),
        median_share=D("0.35"),
        mrp=D("3932"),
        child_supplement_mrp=D("1.5"),
    )


def test_the_assessment_period_is_the_quarter_before_the_quarter_of_application():
    assert assessment_period(date(2024, 5, 15)) == (date(2024, 1, 1), date(2024, 3, 31))
    assert assessment_period(date(2025, 2, 10)) == (date(2024, 10, 1), date(2024, 12, 31))
    assert assessment_period(date(2025, 1, 1)) == (date(2024, 10, 1), date(2024, 12, 31))
    assert assessment_period(date(2025, 12, 31)) == (date(2025, 7, 1), date(2025, 9, 30))


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 1), 6) == date(2025, 9, 1)


def test_2024_family_of_four_under_the_line_with_a_child_of_three():
    """Applied 15 May 2024, period January-March 2024. Line: 70% × 40,567 = 28,396.90 → 28,397 (the published
    figure). Income: wages 60,000 × 3 = 180,000 plus a benefit 10,000 × 3 = 30,000 = 210,000.
    Per capita 210,000 / 4 / 3 = 17,500.00. Per member 28,397 − 17,500 = 10,897.00; family 43,588.00.
    One child aged 3: 1.5 × 3,692 = 5,538.00. A month: 49,126.00."""
    members = [
        Member(1, date(1985, 3, 12)),
        Member(2, date(1988, 7, 1)),
        Member(3, date(2021, 1, 10)),  # 3 on the date of application
        Member(4, date(2012, 9, 1)),  # 11
    ]
    incomes = [
        Income(1, "wages", D("60000"), date(2023, 6, 1)),
        Income(2, "benefits", D("10000"), date(2023, 1, 1), date(2024, 3, 1)),
    ]
    result = compute(applied_on=date(2024, 5, 15), members=members, incomes=incomes, rule=RULE_2024)
    assert result.total_income == D("210000")
    assert result.per_capita == D("17500.00")
    assert result.poverty_line == D("28397")
    assert result.branch == "subsistence"
    assert result.eligible
    assert result.per_member == D("10897.00")
    assert result.family_amount == D("43588.00")
    assert result.children == 1
    assert result.child_supplement == D("5538.00")
    assert result.monthly_total == D("49126.00")
    assert [s.code for s in result.steps] == [
        "period",
        "members",
        "income",
        "income",
        "total",
        "per_capita",
        "line_subsistence",
        "compare",
        "per_member",
        "family_amount",
        "children",
        "monthly_total",
    ]
    line = next(s for s in result.steps if s.code == "line_subsistence")
    assert line.values["raw"] == D("28396.90")


def test_2024_one_person_over_the_line_gets_nothing():
    """A pensioner alone, 40,000 a month: per capita 120,000 / 1 / 3 = 40,000.00 > 28,397: not eligible."""
    result = compute(
        applied_on=date(2024, 8, 1),
        members=[Member(1, date(1950, 1, 1))],
        incomes=[Income(1, "pension", D("40000"), date(2020, 1, 1))],
        rule=RULE_2024,
    )
    assert result.per_capita == D("40000.00")
    assert not result.eligible
    assert result.per_member == D("0.00")
    assert result.monthly_total == D("0.00")
    assert "per_member" not in [s.code for s in result.steps]


def test_one_person_with_no_income():
    """Alone, no income: per capita 0.00; per member 28,397; a month 28,397.00."""
    result = compute(applied_on=date(2024, 2, 1), members=[Member(1, date(1970, 1, 1))], incomes=[], rule=RULE_2024)
    assert result.per_capita == D("0.00")
    assert result.monthly_total == D("28397.00")


def test_per_capita_income_is_rounded_to_the_tiyn():
    """Three members, 100,000 in the quarter: 100,000 / 9 = 11,111.111… → 11,111.11.
    Per member 28,397 − 11,111.11 = 17,285.89; family × 3 = 51,857.67."""
    members = [Member(1, date(1980, 1, 1)), Member(2, date(1982, 1, 1)), Member(3, date(2000, 1, 1))]
    incomes = [Income(1, "self_employment", D("50000"), date(2024, 1, 1), date(2024, 2, 1))]
    result = compute(applied_on=date(2024, 4, 2), members=members, incomes=incomes, rule=RULE_2024)
    assert result.total_income == D("100000")
    assert result.per_capita == D("11111.11")
    assert result.per_member == D("17285.89")
    assert result.family_amount == D("51857.67")


def test_2025_median_branch_counts_only_the_months_received():
    """Applied 10 February 2025, period October-December 2024. Line: 35% × 120,000 = 42,000.00 against
    70% × 46,228 = 32,359.60: the median sets it, 42,000. Wages 90,000 in October and November only:
    180,000. Three members: 180,000 / 3 / 3 = 20,000.00. Per member 22,000.00; family 66,000.00; the child
    is 7: no supplement. A month: 66,000.00."""
    members = [Member(1, date(1985, 1, 1)), Member(2, date(1987, 1, 1)), Member(3, date(2017, 12, 1))]
    incomes = [Income(1, "wages", D("90000"), date(2024, 5, 1), date(2024, 11, 1))]
    result = compute(applied_on=date(2025, 2, 10), members=members, incomes=incomes, rule=rule_2025("120000"))
    assert result.total_income == D("180000")
    assert result.poverty_line == D("42000")
    assert result.branch == "median"
    assert result.per_capita == D("20000.00")
    assert result.family_amount == D("66000.00")
    assert result.children == 0
    assert result.monthly_total == D("66000.00")


def test_2025_subsistence_floor_with_a_child_who_just_turned_one():
    """Median 80,000: 35% = 28,000.00 < 70% × 46,228 = 32,359.60 → 32,360 (the floor). Mother and a child
    one year old on the day, no income: per member 32,360; family 64,720.00; 1.5 × 3,932 = 5,898.00;
    a month 70,618.00."""
    members = [Member(1, date(1995, 4, 4)), Member(2, date(2024, 3, 3))]
    result = compute(applied_on=date(2025, 3, 3), members=members, incomes=[], rule=rule_2025("80000"))
    assert result.poverty_line == D("32360")
    assert result.branch == "subsistence"
    assert result.children == 1
    assert result.child_supplement == D("5898.00")
    assert result.monthly_total == D("70618.00")


def test_children_under_one_and_over_six_get_no_supplement():
    """Born 2024-03-04: not yet one on 2025-03-03. Born 2018-03-03: seven that day. Born 2018-03-04: still six."""
    members = [
        Member(1, date(1990, 1, 1)),
        Member(2, date(2024, 3, 4)),
        Member(3, date(2018, 3, 3)),
        Member(4, date(2018, 3, 4)),
    ]
    result = compute(applied_on=date(2025, 3, 3), members=members, incomes=[], rule=rule_2025("80000"))
    assert result.children == 1


def test_the_same_family_under_the_2024_and_the_2025_rule():
    """Two members, pension 45,000 all year: per capita 45,000 × 3 / 2 / 3 = 22,500.00.
    2024: 28,397 − 22,500 = 5,897 per member, 11,794.00. 2025 (median 130,000: 45,500): 23,000 per member, 46,000.00."""
    members = [Member(1, date(1955, 1, 1)), Member(2, date(1958, 1, 1))]
    incomes = [Income(1, "pension", D("45000"), date(2020, 1, 1))]
    before = compute(applied_on=date(2024, 11, 20), members=members, incomes=incomes, rule=RULE_2024)
    after = compute(applied_on=date(2025, 11, 20), members=members, incomes=incomes, rule=rule_2025("130000"))
    assert before.per_capita == after.per_capita == D("22500.00")
    assert before.monthly_total == D("11794.00")
    assert after.poverty_line == D("45500")
    assert after.monthly_total == D("46000.00")


def test_at_the_line_exactly_the_family_is_eligible_for_the_child_supplement_only():
    """Per capita equal to the line: it does not exceed it, so eligible; 0 per member, the supplement is paid."""
    members = [Member(1, date(1990, 1, 1)), Member(2, date(2021, 6, 1))]
    incomes = [Income(1, "wages", D("56794"), date(2023, 1, 1))]  # 56,794 × 3 / 2 / 3 = 28,397
    result = compute(applied_on=date(2024, 7, 1), members=members, incomes=incomes, rule=RULE_2024)
    assert result.eligible and result.per_member == D("0.00")
    assert result.monthly_total == D("5538.00")


@pytest.mark.parametrize(
    ("members", "incomes", "code"),
    [
        ([], [], "no_members"),
        ([Member(1, date(1990, 1, 1))], [Income(2, "wages", D("1"), date(2024, 1, 1))], "not_a_member"),
        ([Member(1, date(1990, 1, 1))], [Income(1, "wages", D("-1"), date(2024, 1, 1))], "negative_income"),
    ],
)
def test_bad_input_is_refused_with_a_reason(members, incomes, code):
    with pytest.raises(ComputationError) as error:
        compute(applied_on=date(2024, 5, 1), members=members, incomes=incomes, rule=RULE_2024)
    assert error.value.code == code


def test_a_median_rule_without_the_median_is_refused():
    rule = Rule(MAX_MEDIAN_SUBSISTENCE, D("46228"), D("0.7"), D("3932"), D("1.5"))
    with pytest.raises(ComputationError):
        compute(applied_on=date(2025, 5, 1), members=[Member(1, date(1990, 1, 1))], incomes=[], rule=rule)
