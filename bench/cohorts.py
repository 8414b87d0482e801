"""Cohort analytics: how long the cohort figures take over the completed FAAs of the benchmark database.

Called by bench/run.py inside the measuring process (Django set up, DATABASE_URL on the bench database),
as `bench.cohorts.time_cohorts()`, after bench/scoring.py has stored its completed assessments. Those are
stored with their answers only; the first run fills in what completing stores for the cohort figures
(months since the move, phase, a ScaleScore row per scale) with the same scoring code, in batches;
later runs reuse them. Timed: streaming the rows and computing every figure (trajectories for every
split, survival curves, transitions) for a system administrator (every family) and for a researcher
(families with research consent: one correlated subquery), then peak Python memory of a second pass.
Runs by itself too: `DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/cohorts.py`.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

BATCH = 1000


def _fill_scores() -> int:
    """Give stored completed FAAs without scale scores what assessment_complete would have stored."""
    from django.db import transaction

    from qadam.assessments.models import Assessment, ScaleScore
    from qadam.assessments.services import assessment_score, months_since_move

    missing = (
        Assessment.objects.filter(status=Assessment.Status.COMPLETED, instrument__key="faa", scale_scores__isnull=True)
        .select_related("family")
        .prefetch_related("instrument")
        .order_by("id")
    )
    filled = 0
    while batch := list(missing[:BATCH]):
        with transaction.atomic():
            for assessment in batch:
                on = assessment.assessed_on
                result, interpretation = assessment_score(assessment, on)  # type: ignore[arg-type]
                assessment.months_since_move = months_since_move(assessment.family, on)  # type: ignore[arg-type]
                ai = interpretation.ai if interpretation else None
                assessment.phase = interpretation.phase if interpretation else ""
                assessment.index = round(ai) if ai is not None else None
                assessment.save(update_fields=["months_since_move", "phase", "index"])
                ScaleScore.objects.bulk_create(
                    ScaleScore(assessment=assessment, scale=k, score=s.score if s.valid else None, valid=s.valid)
                    for k, s in result.scales.items()
                )
        filled += len(batch)
    return filled


def _user(role: str):
    from qadam.accounts.models import User

    user = User.objects.filter(role=role, is_active=True).first()
    return user or User(username=f"bench-{role}", role=role)  # unsaved: the scope needs only the role


def _run(user) -> tuple[float, int, int]:
    from qadam.cohorts.analysis import analyse
    from qadam.cohorts.rows import cohort_rows

    started = time.perf_counter()
    cohort = analyse(cohort_rows(user))
    return time.perf_counter() - started, cohort.assessments, cohort.families


def time_cohorts() -> None:
    """Print the time and peak Python memory of the cohort figures over the benchmark's FAAs."""
    from qadam.accounts.models import User
    from qadam.cohorts.analysis import analyse
    from qadam.cohorts.rows import cohort_rows

    started = time.perf_counter()
    filled = _fill_scores()
    if filled:
        print(f"\nStored the cohort columns of {filled:,} FAAs in {time.perf_counter() - started:.1f} s", flush=True)
    admin, researcher = _user(User.Role.SYSTEM_ADMIN), _user(User.Role.RESEARCHER)
    _run(admin)  # warm-up
    seconds, assessments, families = _run(admin)
    consented, r_assessments, r_families = _run(researcher)
    tracemalloc.start()  # a second pass for the memory figure: tracing slows Python several times
    analyse(cohort_rows(admin))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    each = 1000 * seconds / max(assessments, 1)
    print(
        f"\nCohort analytics over {assessments:,} completed FAAs of {families:,} families (system "
        f"administrator): {seconds:.2f} s ({each:.3f} ms per assessment), peak Python memory "
        f"{peak / 2**20:.1f} MiB; researcher (research consent only): {consented:.2f} s for "
        f"{r_assessments:,} assessments of {r_families:,} families",
        flush=True,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    time_cohorts()
