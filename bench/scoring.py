"""Scoring stored assessments: how long rescoring 10,000 completed FAA assessments takes.

Called by bench/run.py inside the measuring process (Django set up, DATABASE_URL on the bench database).
The first run stores the assessments (random but seeded answers, about one in ten items skipped or
declined) on the benchmark's cases; later runs reuse them. Timed: reading them back in chunks and
running the same code `qadam score` and the pages use, once the pure scoring alone and once with the FAA
interpretation (which reads each family's move and earlier assessments), plus peak Python memory.
"""

from __future__ import annotations

import random
import time
import tracemalloc

COUNT = 10_000


def _answers(rng: random.Random, instrument) -> dict:
    answers = {}
    for item in instrument.items.values():
        if not item.answerable or item.values is None:
            continue
        roll = rng.random()
        if roll < 0.07:
            continue  # skipped
        if roll < 0.10 and item.allow_declined:
            answers[item.id] = "declined"
        elif item.type == "multiple":
            answers[item.id] = [rng.choice(item.values)]
        else:
            answers[item.id] = rng.choice(item.values)
    return answers


def _ensure(count: int) -> None:
    from django.utils import timezone

    from qadam.assessments.models import Assessment, InstrumentVersion
    from qadam.cases.models import Case

    faa = InstrumentVersion.objects.get(key="faa", offered=True)
    have = Assessment.objects.filter(instrument=faa, status=Assessment.Status.COMPLETED).count()
    if have >= count:
        return
    print(f"Storing {count - have:,} completed FAA assessments for the scoring benchmark.", flush=True)
    rng = random.Random(20261127)
    cases = Case.objects.order_by("id").values_list("id", "family_id", "owner_id")[: count - have]
    today = timezone.localdate()
    rows = [
        Assessment(
            case_id=case_id,
            family_id=family_id,
            instrument=faa,
            language="kk",
            status=Assessment.Status.COMPLETED,
            started_by_id=owner_id,
            completed_by_id=owner_id,
            assessed_on=today,
            answers=_answers(rng, faa.instrument),
        )
        for case_id, family_id, owner_id in cases
    ]
    Assessment.objects.bulk_create(rows, batch_size=1000)


def time_scoring(count: int = COUNT) -> None:
    from qadam.assessments.engine import score
    from qadam.assessments.models import Assessment
    from qadam.assessments.services import assessment_score

    _ensure(count)
    # The instrument version is fetched once per chunk and shared (prefetch), not joined to every row: a
    # join would parse the whole definition JSON again for each assessment.
    stored = (
        Assessment.objects.filter(status=Assessment.Status.COMPLETED, instrument__key="faa")
        .select_related("family")
        .prefetch_related("instrument")
        .order_by("id")[:count]
    )
    started = time.perf_counter()
    instrument, scored = None, 0
    for assessment in stored.iterator(chunk_size=1000):
        instrument = instrument or assessment.instrument.instrument
        score(instrument, assessment.all_answers)
        scored += 1
    pure = time.perf_counter() - started
    tracemalloc.start()  # a second pass for the memory figure: tracing slows Python several times
    for assessment in stored.iterator(chunk_size=1000):
        score(assessment.instrument.instrument, assessment.all_answers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    for assessment in stored.iterator(chunk_size=1000):
        assessment_score(assessment, assessment.assessed_on)
    full = time.perf_counter() - started
    print(
        f"\nScoring {scored:,} stored FAA assessments: {pure:.2f} s read and scored "
        f"({1000 * pure / scored:.2f} ms each, peak Python memory {peak / 2**20:.1f} MiB); "
        f"{full:.2f} s with the phase, trajectory and strategy ({1000 * full / scored:.2f} ms each)",
        flush=True,
    )
