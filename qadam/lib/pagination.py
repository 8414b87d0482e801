"""Keyset pagination, newest first, and counts that stop at a cap: lists never scan an unbounded match set."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet


@dataclass
class Page:
    items: list[Any]
    next_after: int | None
    count: int
    count_capped: bool


def keyset_page(queryset: QuerySet, *, after: str | None, size: int | None = None, count: bool = True) -> Page:
    """One page of `queryset` ordered by descending id, starting below `after` (an id from the URL)."""
    size = size or settings.QADAM_PAGE_SIZE
    if after and after.isdigit():
        queryset = queryset.filter(pk__lt=int(after))
    rows = list(queryset.order_by("-pk")[: size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    total, capped = capped_count(queryset) if count and not after else (0, False)
    return Page(items=rows[:size], next_after=next_after, count=total, count_capped=capped)


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    cap = cap or settings.QADAM_COUNT_CAP
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return min(found, cap), found > cap
