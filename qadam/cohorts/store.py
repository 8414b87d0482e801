"""The computed figures as JSON and back, so that a background task can hand them to the page.

Only what `analysis.analyse` returns is stored: figures with small cells already withheld, never rows."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from qadam.cohorts.analysis import Cohort, Curve, Split, Stat, Step


def _pairs(cells: dict[tuple, Any], value: Any = lambda v: v) -> list[list[Any]]:
    return [[list(key), value(v)] for key, v in cells.items()]


def _cells(pairs: list[list[Any]], value: Any = lambda v: v) -> dict[tuple, Any]:
    return {tuple(key): value(v) for key, v in pairs}


def dump(cohort: Cohort) -> dict[str, Any]:
    return {
        "min_cell": cohort.min_cell,
        "assessments": cohort.assessments,
        "families": cohort.families,
        "splits": {
            name: {
                "groups": split.groups,
                "families": _pairs(split.families),
                "stats": _pairs(split.stats, astuple),
                "phases": _pairs(split.phases),
            }
            for name, split in cohort.splits.items()
        },
        "curves": {
            name: [
                {
                    **{k: getattr(c, k) for k in ("group", "families", "stabilised", "censored", "median")},
                    "steps": [astuple(s) for s in c.steps],
                }
                for c in curves
            ]
            for name, curves in cohort.curves.items()
        },
        "transitions": _pairs(cohort.transitions),
        "transition_totals": cohort.transition_totals,
        "transitions_total": cohort.transitions_total,
    }


def _curve(c: dict[str, Any]) -> Curve:
    steps = [Step(*s) for s in c["steps"]]
    return Curve(c["group"], c["families"], c["stabilised"], c["censored"], steps, c["median"])


def load(data: dict[str, Any]) -> Cohort:
    splits = {
        name: Split(
            name,
            s["groups"],
            _cells(s["families"]),
            _cells(s["stats"], lambda v: Stat(*v)),
            _cells(s["phases"]),
        )
        for name, s in data["splits"].items()
    }
    curves = {
        name: [
            Curve(
                c["group"], c["families"], c["stabilised"], c["censored"], [Step(*s) for s in c["steps"]], c["median"]
            )
            for c in items
        ]
        for name, items in data["curves"].items()
    }
    return Cohort(
        data["min_cell"],
        data["assessments"],
        data["families"],
        splits,
        curves,
        _cells(data["transitions"]),
        data["transition_totals"],
        data["transitions_total"],
    )
