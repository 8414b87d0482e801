"""Searching the directory by words, the same on SQLite and PostgreSQL.

`qadam.lib.search` needs an integer rowid for its FTS5 table, and directory ids are UUIDs (HSDS), so the
directory keeps its own simpler index: `search_words` holds the normalised and loosened words of a record
(`qadam.lib.text.search_text`) between spaces, and each loosened query word must start a word there
(`LIKE '% word%'`). Both text columns are lower-case already, so SQLite's and PostgreSQL's LIKE agree. A
directory of some ten thousand services is scanned in milliseconds.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from qadam.lib.text import query_terms, search_text


def _indexed(*parts: Any) -> str:
    words = search_text(*[str(p) for p in parts if p])
    return f" {words} " if words else ""


def organization_search_text(organization: Any) -> str:
    return _indexed(
        organization.name,
        organization.alternate_name,
        organization.name_kk,
        organization.name_ru,
        organization.name_en,
    )


def service_search_text(service: Any) -> str:
    return _indexed(
        service.name,
        service.alternate_name,
        service.name_kk,
        service.name_ru,
        service.name_en,
        service.description,
        service.description_kk,
        service.description_ru,
        service.description_en,
        service.eligibility_description,
    )


def search_services(queryset: QuerySet, query: str) -> QuerySet:
    """Services whose own words, or their organisation's name, start with every word of `query`."""
    for term in query_terms(query):
        queryset = queryset.filter(
            Q(search_words__contains=f" {term}") | Q(organization__search_words__contains=f" {term}")
        )
    return queryset


def area_places(place: Any) -> tuple[list[str], str]:
    """The KATO codes whose services cover `place` (the place and the places it lies in), and the code
    prefix of the places inside it."""
    chain, unit = [], place
    while unit is not None:
        chain.append(unit.code)
        unit = unit.parent
    inside = {1: 2, 2: 4, 3: 6}.get(place.level, 9)
    return chain, place.code[:inside]


def find_services(
    queryset: QuerySet,
    *,
    query: str = "",
    need: str = "",
    area: Any = None,
    language: str = "",
    inactive: bool = False,
) -> QuerySet:
    """Services by words, need (`faa:D3`, `case:poverty`), area (a KATO place: services whose area covers it
    or lies inside it) and language; active ones only unless `inactive`."""
    if not inactive:
        queryset = queryset.filter(status="active")
    if query:
        queryset = search_services(queryset, query)
    if need and ":" in need:
        kind, code = need.split(":", 1)
        queryset = queryset.filter(needs__kind=kind, needs__code=code)
    if area is not None:
        chain, prefix = area_places(area)
        queryset = queryset.filter(
            Q(service_areas__kato_id__in=chain) | Q(service_areas__kato__code__startswith=prefix)
        )
    if language:
        queryset = queryset.filter(languages__code=language)
    return queryset.distinct()
