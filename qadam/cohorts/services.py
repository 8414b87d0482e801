"""Asking for cohort figures and computing them in the background.

`cohort_run_request` finds a recent run of the same scope and filters or records a new one and queues
the task; `cohort_run_compute` (the task) streams the rows, computes the figures and stores them, after
deleting the runs of earlier days.
A run is reused for QADAM_COHORT_MAX_AGE seconds (default 600): figures a little older than a consent
withdrawn meanwhile are aggregates with small cells withheld, and a new run leaves the family out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.services import audit_record
from qadam.cohorts.analysis import analyse
from qadam.cohorts.models import CohortRun
from qadam.cohorts.rows import Filters, cohort_rows, may_see_cohorts, scope_key
from qadam.cohorts.store import dump

logger = logging.getLogger(__name__)


def min_cell() -> int:
    return int(getattr(settings, "QADAM_MIN_CELL", 10))


def _max_age() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "QADAM_COHORT_MAX_AGE", 600)))


def cohort_run_request(*, by: User, filters: Filters) -> CohortRun:
    """A recent run for the user's scope and these filters, or a new one queued once it is committed."""
    if not may_see_cohorts(by):
        raise PermissionDenied
    recent = CohortRun.objects.filter(
        scope=scope_key(by),
        filters=filters.as_json(),
        min_cell=min_cell(),
        created_at__gte=timezone.now() - _max_age(),
    ).exclude(status=CohortRun.Status.FAILED)
    run = recent.order_by("-id").first()
    if run is not None:
        return run
    run = _run_create(by=by, filters=filters)
    from qadam.cohorts.tasks import compute_cohort

    transaction.on_commit(lambda: compute_cohort.enqueue(run.pk))
    return run


@transaction.atomic
def _run_create(*, by: User, filters: Filters) -> CohortRun:
    run = CohortRun(scope=scope_key(by), filters=filters.as_json(), min_cell=min_cell(), requested_by=by)
    run.full_clean()
    run.save()
    audit_record(actor=by, action="cohort_requested", obj=run, changes={"filters": [None, run.filters]})
    return run


KEEP = timedelta(days=1)  # a run is reused for minutes; a day later nobody reads it


def cohort_runs_prune(*, now: datetime | None = None) -> int:
    """Delete finished runs older than a day (the audit log keeps who asked for what); returns how many."""
    finished = (CohortRun.Status.DONE, CohortRun.Status.FAILED)
    old = CohortRun.objects.filter(created_at__lt=(now or timezone.now()) - KEEP, status__in=finished)
    return old.delete()[0]


def cohort_run_compute(*, run_id: int) -> CohortRun:
    """Compute and store the figures of a queued run; a failure is kept on the run, not raised again."""
    run = CohortRun.objects.select_related("requested_by").get(pk=run_id)
    if run.status != CohortRun.Status.QUEUED:
        return run
    cohort_runs_prune()
    run.status = CohortRun.Status.RUNNING
    run.save(update_fields=["status"])
    try:
        cohort = analyse(cohort_rows(run.requested_by, Filters.from_json(run.filters)), min_cell=run.min_cell)
        run.result, run.status = dump(cohort), CohortRun.Status.DONE
    except Exception:  # the page says it failed; the log has why
        logger.exception("cohort run %s failed", run.pk)
        run.status = CohortRun.Status.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["result", "status", "finished_at"])
    return run
