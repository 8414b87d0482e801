"""The de-identified research export over the benchmark database: time, rows per second and peak memory.

Called by bench/run.py inside the measuring process (Django set up, DATABASE_URL on the bench database) as
`from bench.export import time_export; time_export()`, or on its own:
`.venv/bin/python bench/export.py` (SQLite at var/bench.sqlite3 unless DATABASE_URL says otherwise).

Setup (once, writes to the benchmark database): `qadam synth` records no consent, so nine heads of household
in ten (every family whose id is not a multiple of ten) get a research consent, bulk-inserted as "given on
paper" by the first user; the tenth stays without, so the consent filter has something to leave out.
Later runs find the consents and add none.

Timed: the whole export as the background task runs it (both passes: counting the quasi-identifier groups,
then writing families, assessments and outcomes to CSV and Parquet), into a temporary folder that is
deleted afterwards, with the growth of the process's peak resident size during it. Then, up to TRACED
families, a second run under tracemalloc for the peak Python memory (tracing slows Python several times, so
it is not timed; over a million families it would take most of an hour, and the resident size says enough).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BATCH = 5000
TRACED = 200_000


def _ensure_consents() -> int:
    """Give the research consent to nine heads in ten that have no research decision yet; returns how many."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from qadam.accounts.models import User
    from qadam.consent.models import Consent
    from qadam.families.models import Family

    decided = Consent.objects.filter(person_id=OuterRef("head_id"), purpose=Consent.Purpose.RESEARCH)
    heads = Family.objects.exclude(Exists(decided)).order_by("pk").values_list("pk", "head_id")
    recorder = User.objects.order_by("pk").values_list("pk", flat=True).first()
    now = timezone.now()
    added, batch = 0, []
    for pk, head_id in heads.iterator(chunk_size=BATCH):
        if pk % 10 == 0:
            continue
        batch.append(Consent(person_id=head_id, purpose="research", decision="given", how="paper",
                             recorded_by_id=recorder, decided_at=now))  # fmt: skip
        if len(batch) >= BATCH:
            with transaction.atomic():
                Consent.objects.bulk_create(batch)
            added, batch = added + len(batch), []
    if batch:
        with transaction.atomic():
            Consent.objects.bulk_create(batch)
        added += len(batch)
    return added


def _export(folder: Path, params: dict) -> dict:
    import json

    from qadam.exports.kinds import research_write
    from qadam.exports.models import ExportJob

    # An unsaved job: the bench database need not have the exports table, and nothing is audited.
    job = ExportJob(kind="research", parameters=params)
    research_write(job, folder, lambda percent, message: None)
    return json.loads((folder / "report.json").read_text())


def time_export(k: int = 10, fmt: str = "both") -> dict:
    from qadam.families.models import Family

    added = _ensure_consents()
    if added:
        print(f"\nGave the research consent to {added:,} heads of household for the export benchmark.", flush=True)
    params = {"k": k, "format": fmt}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = _export(Path(tmp), params)
        seconds = time.perf_counter() - started
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak = None
    if report["rows_considered"] <= TRACED:
        with tempfile.TemporaryDirectory() as tmp:
            tracemalloc.start()
            _export(Path(tmp), params)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    traced = "not traced" if peak is None else f"{peak / 2**20:.1f} MiB"
    rows = report["rows_written"]
    total_rows = sum(rows.values())
    considered = report["rows_considered"]
    print(
        f"\nResearch export of {Family.objects.count():,} families ({considered:,} with research consent, "
        f"k={k}, {fmt}): {seconds:.1f} s, {considered / seconds:,.0f} families/s read and checked, "
        f"{total_rows / seconds:,.0f} rows/s written ({rows['families']:,} families, {rows['assessments']:,} "
        f"assessments, {rows['outcomes']:,} outcomes; {report['rows_suppressed']:,} suppressed, smallest group "
        f"{report['min_group_size']}); {sum(sizes.values()) / 2**20:.1f} MiB of files; "
        f"peak Python memory {traced}, peak resident size {rss:.0f} MiB ({rss_before:.0f} MiB before the export)",
        flush=True,
    )
    return {"seconds": seconds, "peak": peak, "rss_mib": rss, "rows": rows, "report": report, "sizes": sizes}


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{root / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    time_export()
