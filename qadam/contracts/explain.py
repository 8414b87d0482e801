"""The steps of the income test as sentences in the reader's language (the calculation stays data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from qadam.contracts.models import Income
from qadam.contracts.poverty import Step


def money(value: Decimal | str) -> str:
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return formats.number_format(amount, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(share: Decimal | str) -> str:
    value = (Decimal(share) * 100).normalize()
    return formats.number_format(value, use_l10n=True) + "%"


def day(value: date | str) -> str:
    return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")


def _kind(code: str) -> str:
    labels = dict(Income.Kind.choices)
    return str(labels.get(code, code))


def describe(step: Step | dict[str, Any]) -> str:
    """One step as a sentence; accepts a Step or its recorded form ({"code", "values"})."""
    code, v = (step.code, step.values) if isinstance(step, Step) else (step["code"], step["values"])
    texts = {
        "period": lambda: (
            _("Application on %(applied)s: the income is taken over the quarter before, from %(start)s to %(end)s.")
            % {"applied": day(v["applied_on"]), "start": day(v["start"]), "end": day(v["end"])}
        ),
        "members": lambda: _("Members of the family: %(n)s.") % {"n": v["members"]},
        "income": lambda: (
            _("%(kind)s: %(monthly)s tenge a month × %(months)s months in the period = %(subtotal)s tenge.")
            % {
                "kind": capfirst(_kind(v["kind"])),
                "monthly": money(v["monthly"]),
                "months": v["months"],
                "subtotal": money(v["subtotal"]),
            }
        ),
        "total": lambda: _("Income of the family over the period: %(total)s tenge.") % {"total": money(v["total"])},
        "per_capita": lambda: (
            _("Per-capita income: %(total)s ÷ %(members)s members ÷ %(months)s months = %(pci)s tenge a month.")
            % {
                "total": money(v["total"]),
                "members": v["members"],
                "months": v["months"],
                "pci": money(v["per_capita"]),
            }
        ),
        "line_subsistence": lambda: (
            _("Poverty line: %(share)s of the subsistence minimum %(sm)s = %(raw)s, rounded to %(line)s tenge.")
            % {
                "share": percent(v["share"]),
                "sm": money(v["subsistence_minimum"]),
                "raw": money(v["raw"]),
                "line": money(v["line"]),
            }
        ),
        "line_max": lambda: (
            (
                _(
                    "Poverty line: %(mshare)s of the median income %(median)s = %(by_median)s; %(share)s of the "
                    "subsistence minimum %(sm)s = %(by_sm)s. The larger, rounded: %(line)s tenge "
                    "(set by the median income)."
                )
                if v["branch"] == "median"
                else _(
                    "Poverty line: %(mshare)s of the median income %(median)s = %(by_median)s; %(share)s of the "
                    "subsistence minimum %(sm)s = %(by_sm)s. The larger, rounded: %(line)s tenge "
                    "(set by the subsistence minimum)."
                )
            )
            % {
                "mshare": percent(v["median_share"]),
                "median": money(v["median_income"]),
                "by_median": money(v["by_median"]),
                "share": percent(v["share"]),
                "sm": money(v["subsistence_minimum"]),
                "by_sm": money(v["by_subsistence"]),
                "line": money(v["line"]),
            }
        ),
        "compare": lambda: (
            (
                _("%(pci)s does not exceed the poverty line of %(line)s: the family is eligible.")
                if v["eligible"]
                else _("%(pci)s is above the poverty line of %(line)s: the family is not eligible.")
            )
            % {"pci": money(v["per_capita"]), "line": money(v["line"])}
        ),
        "per_member": lambda: (
            _("Per member: %(line)s − %(pci)s = %(amount)s tenge a month.")
            % {"line": money(v["line"]), "pci": money(v["per_capita"]), "amount": money(v["per_member"])}
        ),
        "family_amount": lambda: (
            _("For the family: %(amount)s × %(members)s members = %(total)s tenge a month.")
            % {"amount": money(v["per_member"]), "members": v["members"], "total": money(v["family_amount"])}
        ),
        "children": lambda: (
            _("Children aged 1 to 6: %(n)s × %(count)s MRP × %(mrp)s = %(supplement)s tenge a month.")
            % {
                "n": v["children"],
                "count": money(v["mrp_count"]),
                "mrp": money(v["mrp"]),
                "supplement": money(v["supplement"]),
            }
        ),
        "monthly_total": lambda: (
            (
                _("Assistance a month: %(total)s tenge.")
                if v["eligible"]
                else _("No assistance: the per-capita income is above the poverty line.")
            )
            % {"total": money(v["monthly_total"])}
        ),
    }
    text = texts.get(code)
    return text() if text is not None else code
