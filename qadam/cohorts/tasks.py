"""The background task that computes cohort figures; it knows only the run's id, the database the rest."""

from django_tasks import task

from qadam.cohorts.services import cohort_run_compute


@task()
def compute_cohort(run_id: int) -> str:
    """Compute one run's figures (run by `qadam db_worker`, or at once in tests)."""
    return cohort_run_compute(run_id=run_id).status
