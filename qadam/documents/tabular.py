"""Tabular exports of the case list and the family list: the rows a user sees on those pages, as CSV or XLSX,
written into a file by a background export job (qadam.documents.kinds).

Constant memory: the rows come from `.iterator()` in chunks; CSV is written line by line; XLSX by openpyxl's
write-only workbook (rows go to a temporary file, never a tree in memory).
The queryset is the list page's own (`visible_to` plus its filters), and names are masked as the page masks
them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from qadam.accounts.models import User
from qadam.cases.access import team_person_ids
from qadam.cases.models import Case
from qadam.cases.templatetags.qadam_people import masked
from qadam.families.models import Family, Move, Person

CHUNK = 2000


@dataclass
class Export:
    """One list as a table: its name for the file and the log, the filters applied, the header and the rows."""

    name: str
    filters: dict[str, str]
    queryset: QuerySet[Any]
    header: list[str]
    row: Callable[[Any], list[Any]]
    team_people: set[int] = field(default_factory=set)

    def count(self) -> int:
        return self.queryset.order_by().count()

    def rows(self, advance: Callable[[int], None] = lambda done: None) -> Iterator[list[Any]]:
        for done, obj in enumerate(self.queryset.order_by("-pk").iterator(chunk_size=CHUNK), start=1):
            yield self.row(obj)
            if done % CHUNK == 0:
                advance(done)

    def file_stem(self) -> str:
        return f"qadam-{self.name}-{timezone.localdate():%Y-%m-%d}"


class _NameRule:
    """`{% person_name %}` for many rows: the team's people are read once, before the rows."""

    def __init__(self, user: User) -> None:
        self.team = team_person_ids(user)

    def shows(self, person: Person) -> bool:
        return not person.restricted or person.pk in self.team

    def name(self, person: Person) -> str:
        return person.full_name if self.shows(person) else masked(person)


# The case list ---------------------------------------------------------------------------------------------


def case_list_export(user: User, params: dict[str, str]) -> Export:
    """`cases:list` with its filters (status, mine), newest first."""
    status = params.get("status", "")
    cases = Case.objects.visible_to(user).select_related("family__head", "owner")
    filters: dict[str, str] = {}
    if status in Case.Status.values:
        cases = cases.filter(status=status)
        filters["status"] = status
    if params.get("mine"):
        cases = cases.filter(owner=user)
        filters["mine"] = "1"
    names = _NameRule(user)

    def row(case: Case) -> list[Any]:
        return [
            case.pk,
            case.number,
            names.name(case.family.head),
            case.get_kind_display(),
            case.get_status_display(),
            case.owner.get_full_name() or case.owner.username,
            case.opened_on,
            case.closed_on,
        ]

    header = [_("Id"), _("Case"), _("Family"), _("Type"), _("Status"), _("Case worker"), _("Opened"), _("Closed")]
    return Export(name="cases", filters=filters, queryset=cases, header=header, row=row)


# The family list -------------------------------------------------------------------------------------------


def family_list_export(user: User, params: dict[str, str]) -> Export:
    """`families:list` with its search (name, IIN or phone), newest first."""
    from qadam.families.views import family_search  # the list's own scoped search, so that both agree

    query = params.get("q", "")[:200].strip()
    families = (
        family_search(user, query)
        .select_related("head")
        .annotate(members=Count("memberships"))
        .prefetch_related(Prefetch("moves", queryset=Move.objects.select_related("origin_region")))
    )
    names = _NameRule(user)

    def row(family: Family) -> list[Any]:
        move = family.latest_move
        origin = ""
        if move is not None:
            origin = move.origin_region.name if move.origin_region_id else move.origin_country  # type: ignore[union-attr]
            if move.origin_place:
                origin += f", {move.origin_place}"
        shown = names.shows(family.head)
        return [
            family.pk,
            names.name(family.head),
            # The IIN travels only with a name that is shown: a masked survivor is not identified by it.
            (family.head.iin or "") if shown else "",
            family.members,  # type: ignore[attr-defined]
            origin,
            move.get_origin_area_display() if move else "",
            move.months_since() if move else None,
            timezone.localtime(family.created_at).date(),
        ]

    header = [
        _("Id"),
        _("Head of household"),
        _("IIN"),
        _("Members"),
        _("Came from"),
        _("Rural or urban origin"),
        _("Months since the move"),
        _("Registered"),
    ]
    return Export(name="families", filters={"q": query} if query else {}, queryset=families, header=header, row=row)


# Writers ---------------------------------------------------------------------------------------------------

Advance = Callable[[int], None]  # told how many rows are written, every CHUNK rows


class _Echo:
    """csv.writer writes into this and gets the line back, so that each line can be written as it is made."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write_csv(export: Export, target: IO[bytes], advance: Advance) -> None:
    """CSV with a byte-order mark, so that Excel opens Cyrillic as UTF-8."""
    writer = csv.writer(_Echo())
    target.write(("\ufeff" + writer.writerow(export.header)).encode("utf-8"))
    for values in export.rows(advance):
        target.write(writer.writerow([_cell(v) for v in values]).encode("utf-8"))


def write_xlsx(export: Export, target: IO[bytes], advance: Advance) -> None:
    """A write-only workbook: openpyxl streams the rows to a temporary file instead of keeping them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.name)
    sheet.append(export.header)
    for values in export.rows(advance):
        sheet.append(["" if v is None else v for v in values])
    workbook.save(target)  # type: ignore[arg-type]


WRITERS: dict[str, Callable[[Export, IO[bytes], Advance], None]] = {"csv": write_csv, "xlsx": write_xlsx}
