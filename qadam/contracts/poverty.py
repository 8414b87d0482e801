"""The income test of targeted social assistance (ASP), as a pure function: no models, no database.

`compute()` takes the family (members with birth dates), their incomes and the poverty-line rule that
applies (a row of the reference table turned into a `Rule`), and returns every step with its inputs and
figures, so that a page can show the calculation line by line in the reader's language (`describe`).

The rules it follows (shared/domain/kazakhstan.md §B.2; where the notes say [verify], so does this):

- Assessment period: the calendar quarter before the quarter of application; the per-capita income is
  the family's total income over those three months divided by the number of members and by three
  (the wording of the ASP rules: income "for the quarter preceding the quarter of application").
- Poverty line, by the formula the rule names: a share (70 %) of the regional subsistence minimum
  (to the end of 2024), or from 1 January 2025 the larger of a share (35 %) of the median income of
  the quarter before application and a share (70 %) of the regional subsistence minimum.
- A family is eligible when its per-capita income does not exceed the poverty line; each member is
  then entitled to the poverty line minus the per-capita income, and each child aged 1 to 6 (full
  years, on the date of application) to a further 1.5 MRP a month.

Rounding: Decimal arithmetic throughout, ROUND_HALF_UP. The poverty line is rounded to whole tenge, as
it is published (70 % of 40,567 = 28,396.90 → 28,397); the per-capita income and the child
supplement to the tiyn (0.01). Differences and products of rounded figures need no further rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TENGE = Decimal("1")
TIYN = Decimal("0.01")
MONTHS_IN_PERIOD = 3
CHILD_MIN_AGE, CHILD_MAX_AGE = 1, 6

SUBSISTENCE_SHARE = "subsistence_share"
MAX_MEDIAN_SUBSISTENCE = "max_median_subsistence"
FORMULAS = (SUBSISTENCE_SHARE, MAX_MEDIAN_SUBSISTENCE)


class ComputationError(ValueError):
    """Input the income test cannot take: it names what is wrong (codes, translated by the caller)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Rule:
    """The poverty-line rule in force on the date of application, with its inputs for the region."""

    formula: str
    subsistence_minimum: Decimal
    subsistence_share: Decimal
    mrp: Decimal
    child_supplement_mrp: Decimal
    median_income: Decimal | None = None
    median_share: Decimal | None = None


@dataclass(frozen=True)
class Member:
    key: int
    birth_date: date


@dataclass(frozen=True)
class Income:
    """An income of one member: the same amount every month from `first_month` to `last_month` (inclusive;
    None: still received). Months are given by any day in them."""

    member: int
    kind: str
    monthly_amount: Decimal
    first_month: date
    last_month: date | None = None
    key: int | None = None


@dataclass(frozen=True)
class Step:
    """One line of the calculation: a code saying what was done and the figures it used and produced."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Computation:
    applied_on: date
    period_start: date
    period_end: date
    members: int
    total_income: Decimal
    per_capita: Decimal
    poverty_line: Decimal
    branch: str  # "subsistence" or "median": which figure set the line
    eligible: bool
    per_member: Decimal
    family_amount: Decimal
    children: int
    child_supplement: Decimal
    monthly_total: Decimal
    steps: list[Step]

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: Decimals and dates as strings, for keeping a recorded result."""

        def plain(value: Any) -> Any:
            if isinstance(value, Decimal | date):
                return str(value)
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        data = {k: plain(getattr(self, k)) for k in self.__dataclass_fields__ if k != "steps"}
        data["steps"] = [{"code": s.code, "values": plain(s.values)} for s in self.steps]
        return data


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), on the month's last day when it has fewer days."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def assessment_period(applied_on: date) -> tuple[date, date]:
    """(first day, last day) of the calendar quarter before the quarter of application."""
    quarter_start = date(applied_on.year, 3 * ((applied_on.month - 1) // 3) + 1, 1)
    start = add_months(quarter_start, -3)
    return start, quarter_start - timedelta(days=1)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _months_counted(income: Income, start: date) -> int:
    months = [add_months(start, n) for n in range(MONTHS_IN_PERIOD)]
    first = month_start(income.first_month)
    last = month_start(income.last_month) if income.last_month else None
    return sum(1 for m in months if first <= m and (last is None or m <= last))


def _check(members: list[Member], incomes: list[Income], rule: Rule) -> None:
    if not members:
        raise ComputationError("no_members")
    keys = {m.key for m in members}
    for income in incomes:
        if income.member not in keys:
            raise ComputationError("not_a_member", member=income.member)
        if income.monthly_amount < 0:
            raise ComputationError("negative_income", member=income.member)
    if rule.formula not in FORMULAS:
        raise ComputationError("unknown_formula", formula=rule.formula)
    if rule.formula == MAX_MEDIAN_SUBSISTENCE and (rule.median_income is None or rule.median_share is None):
        raise ComputationError("median_missing")


def poverty_line(rule: Rule, steps: list[Step]) -> tuple[Decimal, str]:
    """The line in whole tenge and which figure set it, appending its steps."""
    by_subsistence = rule.subsistence_minimum * rule.subsistence_share
    if rule.formula == SUBSISTENCE_SHARE:
        line = by_subsistence.quantize(TENGE, ROUND_HALF_UP)
        steps.append(
            Step(
                "line_subsistence",
                {
                    "share": rule.subsistence_share,
                    "subsistence_minimum": rule.subsistence_minimum,
                    "raw": by_subsistence.quantize(TIYN, ROUND_HALF_UP),
                    "line": line,
                },
            )
        )
        return line, "subsistence"
    assert rule.median_income is not None and rule.median_share is not None
    by_median = rule.median_income * rule.median_share
    branch = "median" if by_median >= by_subsistence else "subsistence"
    line = max(by_median, by_subsistence).quantize(TENGE, ROUND_HALF_UP)
    steps.append(
        Step(
            "line_max",
            {
                "median_share": rule.median_share,
                "median_income": rule.median_income,
                "by_median": by_median.quantize(TIYN, ROUND_HALF_UP),
                "share": rule.subsistence_share,
                "subsistence_minimum": rule.subsistence_minimum,
                "by_subsistence": by_subsistence.quantize(TIYN, ROUND_HALF_UP),
                "branch": branch,
                "line": line,
            },
        )
    )
    return line, branch


def compute(*, applied_on: date, members: list[Member], incomes: list[Income], rule: Rule) -> Computation:
    """The income test of a family on the date of application, step by step."""
    _check(members, incomes, rule)
    start, end = assessment_period(applied_on)
    steps = [Step("period", {"applied_on": applied_on, "start": start, "end": end})]
    n = len(members)
    steps.append(Step("members", {"members": n}))
    total = Decimal(0)
    for income in incomes:
        months = _months_counted(income, start)
        subtotal = income.monthly_amount * months
        total += subtotal
        steps.append(
            Step(
                "income",
                {
                    "member": income.member,
                    "kind": income.kind,
                    "income": income.key,
                    "monthly": income.monthly_amount,
                    "months": months,
                    "subtotal": subtotal,
                },
            )
        )
    steps.append(Step("total", {"total": total}))
    per_capita = (total / (n * MONTHS_IN_PERIOD)).quantize(TIYN, ROUND_HALF_UP)
    steps.append(
        Step("per_capita", {"total": total, "members": n, "months": MONTHS_IN_PERIOD, "per_capita": per_capita})
    )
    line, branch = poverty_line(rule, steps)
    eligible = per_capita <= line
    steps.append(Step("compare", {"per_capita": per_capita, "line": line, "eligible": eligible}))
    per_member = line - per_capita if eligible else Decimal("0.00")
    family_amount = per_member * n
    children = sum(1 for m in members if CHILD_MIN_AGE <= age_on(m.birth_date, applied_on) <= CHILD_MAX_AGE)
    supplement = (
        (children * rule.child_supplement_mrp * rule.mrp).quantize(TIYN, ROUND_HALF_UP) if eligible else Decimal("0.00")
    )
    if eligible:
        steps.append(Step("per_member", {"line": line, "per_capita": per_capita, "per_member": per_member}))
        steps.append(Step("family_amount", {"per_member": per_member, "members": n, "family_amount": family_amount}))
        steps.append(
            Step(
                "children",
                {
                    "children": children,
                    "mrp_count": rule.child_supplement_mrp,
                    "mrp": rule.mrp,
                    "supplement": supplement,
                },
            )
        )
    monthly_total = family_amount + supplement
    steps.append(Step("monthly_total", {"monthly_total": monthly_total, "eligible": eligible}))
    return Computation(
        applied_on=applied_on,
        period_start=start,
        period_end=end,
        members=n,
        total_income=total,
        per_capita=per_capita,
        poverty_line=line,
        branch=branch,
        eligible=eligible,
        per_member=per_member,
        family_amount=family_amount,
        children=children,
        child_supplement=supplement,
        monthly_total=monthly_total,
        steps=steps,
    )
