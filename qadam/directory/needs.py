"""The needs a service can meet, as people read them: the FAA dimensions' titles and the kinds of case."""

from __future__ import annotations

from functools import cache

from django.utils.translation import get_language

from qadam.cases.models import Case
from qadam.directory.package import FAA_DIMENSIONS


@cache
def _faa_titles() -> dict[str, dict[str, str]]:
    from qadam.assessments.engine.definition import read_instrument_file
    from qadam.assessments.services import SHIPPED_DIR

    instrument = read_instrument_file(SHIPPED_DIR / "faa-1.0.0.yaml")
    titles = {}
    for dimension in FAA_DIMENSIONS:
        scale = instrument.scales.get(dimension)
        title = dict(scale.title or {}) if scale is not None else {}
        titles[dimension] = {lang: str(text) for lang, text in title.items()}
    return titles


def faa_title(dimension: str) -> str:
    titles = _faa_titles().get(dimension, {})
    language = (get_language() or "kk")[:2]
    return titles.get(language) or titles.get("en") or dimension


def need_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a search form: `faa:D1`… and `case:poverty`…"""
    from django.utils.translation import gettext as _

    return [
        (_("Adaptation dimension (FAA)"), [(f"faa:{d}", f"{d} · {faa_title(d)}") for d in FAA_DIMENSIONS]),
        (_("Kind of case"), [(f"case:{value}", str(label)) for value, label in Case.Kind.choices]),
    ]


def need_label(kind: str, code: str) -> str:
    if kind == "faa":
        return f"{code} · {faa_title(code)}"
    return str(dict(Case.Kind.choices).get(code, code))
