"""Background exports: asking for one, running it (in the task worker), and where its file lives.

Nothing is kept in a process: the job row holds the state, so the page that polls its progress, the
worker that runs it and the download may each be on another server. Progress is saved in short
transactions of its own, so the page sees it while the export runs.
"""

from __future__ import annotations

import logging
import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import audit_record
from qadam.exports.models import ExportJob
from qadam.exports.registry import EXPORT_KINDS

logger = logging.getLogger(__name__)


def export_dir() -> Path:
    """The private folder of export files: settings.QADAM_EXPORT_DIR, else var/exports (never served)."""
    folder = getattr(settings, "QADAM_EXPORT_DIR", None) or Path(settings.VAR_DIR) / "exports"
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_request(*, by: User, kind: str, params: dict[str, Any]) -> ExportJob:
    """Record the request and queue the task that prepares the file once the request is committed."""
    job = _export_create(by=by, kind=kind, params=params)
    from qadam.exports.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


@transaction.atomic
def _export_create(*, by: User | None, kind: str, params: dict[str, Any], agency_id: int | None = None) -> ExportJob:
    export_kind = EXPORT_KINDS.get(kind)
    if export_kind is None:
        raise ValidationError(_("Unknown kind of export."))
    if by is not None and not export_kind.allowed(by):
        raise PermissionDenied
    job = ExportJob(kind=kind, parameters=export_kind.clean_params(params), requested_by=by)
    # An agency administrator exports their own agency's records only.
    if by is not None and by.role == User.Role.AGENCY_ADMIN:
        job.agency_id = by.agency_id
    elif by is None:
        job.agency_id = agency_id
    job.full_clean()
    job.save()
    audit_record(actor=by, action="export_requested", obj=job, changes={"kind": [None, kind], **_plain(job)})
    return job


def _plain(job: ExportJob) -> dict[str, Any]:
    return {name: [None, value] for name, value in job.parameters.items()}


def export_run_here(
    *, by: User | None, kind: str, params: dict[str, Any], out: Path, agency_id: int | None = None
) -> ExportJob:
    """Run an export in this process into a folder (the command line): a job row records and audits it."""
    job = _export_create(by=by, kind=kind, params=params, agency_id=agency_id)
    out.mkdir(parents=True, exist_ok=True)
    summary = _run(job, out)
    if summary is not None:
        _update(job, status=ExportJob.Status.DONE, finished_at=timezone.now(), progress=100, message=summary)
    job.refresh_from_db()
    return job


def export_run(*, job_id: int) -> ExportJob:
    """Run a queued job (in the task worker): write its files, zip them into the private folder."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job  # a task delivered twice runs once
    folder = export_dir() / f"job-{job.pk}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    try:
        summary = _run(job, folder)
        if summary is not None:
            archive = export_dir() / f"job-{job.pk}.zip"
            _zip(folder, archive)
            _update(job, status=ExportJob.Status.DONE, finished_at=timezone.now(), progress=100, message=summary,
                    file_path=archive.name, size=archive.stat().st_size)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    job.refresh_from_db()
    return job


def _run(job: ExportJob, folder: Path) -> str | None:
    """Write the kind's files and return their summary; an error ends the job failed, never left running."""
    _update(job, status=ExportJob.Status.RUNNING, started_at=timezone.now(), progress=0, message="")

    def progress(percent: int, message: str) -> None:
        if percent != job.progress or message != job.message:
            _update(job, progress=min(max(percent, 0), 99), message=message[:200])

    try:
        summary = EXPORT_KINDS[job.kind].writer(job, folder, progress)
    except Exception as error:  # any failure is the job's outcome, kept for its requester
        logger.exception("Export %s failed", job.pk)
        _update(
            job,
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        return None
    return summary[:200]


def _update(job: ExportJob, **fields: Any) -> None:
    """Save some fields of the job in a short transaction of their own."""
    for name, value in fields.items():
        setattr(job, name, value)
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(**fields)


def _zip(folder: Path, archive: Path) -> None:
    """Zip the files one by one (zipfile copies each in blocks: constant memory)."""
    partial = archive.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, arcname=path.name)
    partial.replace(archive)


def export_file(job: ExportJob) -> Path:
    """The job's file, inside the private export folder (a path in the row cannot point elsewhere)."""
    root = export_dir().resolve()
    path = (root / job.file_path).resolve()
    if root not in path.parents:
        raise FileNotFoundError(job.file_path)
    return path
