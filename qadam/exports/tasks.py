"""The background task that runs an export; it knows only the job's id, the database knows the rest."""

from django_tasks import task

from qadam.exports.services import export_run


@task()
def run_export(job_id: int) -> str:
    """Prepare the file of one export job (run by `qadam db_worker`, or at once in tests)."""
    return export_run(job_id=job_id).status
