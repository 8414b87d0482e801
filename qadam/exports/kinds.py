"""The kinds of export Qadam ships, registered in apps.ready(): the de-identified research export."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from qadam.accounts.models import User
from qadam.exports import kanon, research
from qadam.exports.models import ExportJob
from qadam.exports.registry import ExportKind, Progress, register_kind
from qadam.exports.tables import FORMATS

DEFAULT_K = 10
FORMAT_CHOICES = {"csv": ("csv",), "parquet": ("parquet",), "both": FORMATS}
# The share of rows the check may suppress before it generalises one more step.
MAX_SUPPRESSED_SHARE = 0.05
ATTEMPTS = 2  # the data may change between the two passes; then the export starts again once


def research_allowed(user: User) -> bool:
    """Researchers and system administrators for every agency, agency administrators for their own."""
    if user.role in (User.Role.RESEARCHER, User.Role.SYSTEM_ADMIN):
        return True
    return user.role == User.Role.AGENCY_ADMIN and user.agency_id is not None


def research_params(raw: dict[str, Any]) -> dict[str, Any]:
    """k (at least 2), the format (csv, parquet or both) and the quasi-identifiers, checked."""
    try:
        k = int(raw.get("k", DEFAULT_K))
    except (TypeError, ValueError):
        raise ValidationError({"k": _("Enter a whole number.")}) from None
    if k < 2:
        raise ValidationError({"k": _("k must be at least 2: a group of one is a person.")})
    fmt = raw.get("format") or "both"
    if fmt not in FORMAT_CHOICES:
        raise ValidationError({"format": _("Choose CSV, Parquet or both.")})
    qis = raw.get("quasi_identifiers") or list(kanon.DEFAULT_QUASI_IDENTIFIERS)
    if isinstance(qis, str):
        qis = [q.strip() for q in qis.split(",") if q.strip()]
    unknown = [q for q in qis if q not in kanon.HIERARCHIES]
    if unknown or not qis:
        raise ValidationError({"quasi_identifiers": _("Unknown quasi-identifier: {names}.").format(names=unknown)})
    return {"k": k, "format": fmt, "quasi_identifiers": list(dict.fromkeys(qis))}


def research_write(job: ExportJob, folder: Path, progress: Progress) -> str:
    """Write families, assessments and outcomes and the report of the k-anonymity check into the folder."""
    params = research_params(job.parameters)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            report = _research_once(job, params, folder, progress)
        except research.DataChanged:
            if attempt == ATTEMPTS:
                raise
            for path in folder.iterdir():
                path.unlink()
            continue
        break
    (folder / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "report.txt").write_text(report_text(report), encoding="utf-8")
    return "{families} families, {suppressed} suppressed, smallest group {min}".format(
        families=report["rows_written"]["families"], suppressed=report["rows_suppressed"], min=report["min_group_size"]
    )


def _research_once(job: ExportJob, params: dict[str, Any], folder: Path, progress: Progress) -> dict[str, Any]:
    qis = tuple(params["quasi_identifiers"])
    formats = FORMAT_CHOICES[params["format"]]
    progress(1, gettext_noop("Choosing the families"))
    scope = research.families_in_scope(job.agency_id)
    # Families registered after this are left for the next export: both passes see the same ones.
    last = scope.aggregate(last=Max("pk"))["last"] or 0
    families = research.eligible_families(job.agency_id).filter(pk__lte=last)
    total = families.count()
    in_scope = scope.filter(pk__lte=last).count()
    base = research.count_groups(families, qis, progress, total)
    plan = kanon.plan(base, qis, k=params["k"], max_suppressed_share=MAX_SUPPRESSED_SHARE)
    counts = research.write_tables(families, plan, folder, formats, progress, total)
    return {
        "export": "research",
        "families_in_scope": in_scope,
        "families_left_out_without_research_consent_or_restricted": in_scope - total,
        **plan.summary(),
        "max_suppressed_share": MAX_SUPPRESSED_SHARE,
        "rows_written": {"families": counts.families, "assessments": counts.assessments, "outcomes": counts.outcomes},
        "files": [*sorted(p.name for p in folder.iterdir()), "report.json", "report.txt"],
        "notes": NOTES,
    }


NOTES = [
    "Research ids are drawn afresh for each export; they link the files of this export only.",
    "No dates are exported: times are whole months since the family's latest move.",
    "Regions are KATO region codes (two digits) at oblast level; 'abroad' for a move from another country.",
    "Rows of suppressed families are left out of every file (their assessments and outcomes too).",
    "The phase 'safety first' is exported empty: it would reveal the private safety check.",
    "Only families whose head has research consent in force, and no restricted household, are included.",
]


def report_text(report: dict[str, Any]) -> str:
    """The report in plain words, for the person who receives the files."""
    lines = [
        "Qadam research export: what the k-anonymity check did",
        "",
        f"k = {report['k']}; quasi-identifiers: {', '.join(report['quasi_identifiers'])}",
        f"Families in scope: {report['families_in_scope']}; left out (no research consent, or restricted): "
        f"{report['families_left_out_without_research_consent_or_restricted']}",
        f"Families considered: {report['rows_considered']}",
        "",
        "Generalisation:",
        *_bullets(f"{g['quasi_identifier']}: {g['what']} (level {g['level']})" for g in report["generalisation"]),
        "",
        f"Rows suppressed: {report['rows_suppressed']} in {report['groups_suppressed']} groups smaller than k",
        f"Groups kept: {report['groups_kept']}; smallest group: {report['min_group_size']}",
        "Rows written: " + ", ".join(f"{name} {n}" for name, n in report["rows_written"].items()),
        "",
        "Notes:",
        *_bullets(report["notes"]),
    ]
    return "\n".join(lines) + "\n"


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {item}" for item in items]


def register() -> None:
    register_kind(
        "research",
        ExportKind(
            label=gettext_lazy("De-identified research export"),
            allowed=research_allowed,
            clean_params=research_params,
            writer=research_write,
            command_line=True,
        ),
    )
