"""Filters that render a referral's shared content (plain JSON data) in the reader's language."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.translation import get_language

from qadam.families.models import Person

register = template.Library()


@register.filter
def iso_date(value: str) -> date | str:
    """A date kept as ISO text, as a date for the `date` filter (left as it is when it is not one)."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def person_language(value: str) -> str:
    return str(dict(Person.Language.choices).get(value, value))


@register.filter
def in_reader_language(texts: dict[str, str], fallback: str = "") -> str:
    """A text given in several languages, in the reader's (or any language it has)."""
    if not isinstance(texts, dict):
        return fallback
    language = (get_language() or "en")[:2]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), fallback) or fallback
