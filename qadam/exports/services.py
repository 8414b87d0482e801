"""Background exports: asking for one, running it (in the task worker), and where its file lives.

Nothing is kept in a process: the job row holds the state, so the page that polls its progress, the
worker that runs it and the download may each be on another server. Progress is saved in short
transactions of its own, so the page sees it while the export runs.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pyzipper
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
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
    job = ExportJob(
        kind=kind,
        parameters=export_kind.clean_params(params),
        requested_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
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
    """Run a queued job (in the task worker): write its files, zip them into the private folder. Files of
    jobs finished more than QADAM_EXPORT_KEEP_DAYS ago are deleted first."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job  # a task delivered twice runs once
    exports_prune()
    folder = export_dir() / f"job-{job.pk}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    try:
        summary = _run(job, folder)
        if summary is not None:
            kept = _keep(job, folder)
            _update(job, status=ExportJob.Status.DONE, finished_at=timezone.now(), progress=100, message=summary,
                    file_path=kept.name, size=kept.stat().st_size)  # fmt: skip
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
        with translation.override(job.language):
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


def _keep(job: ExportJob, folder: Path) -> Path:
    """The job's file in the private folder: the one file the kind wrote as it is, or several zipped."""
    files = sorted(folder.iterdir())
    if len(files) == 1:
        kept = export_dir() / f"job-{job.pk}{files[0].suffix}"
        files[0].replace(kept)
        return kept
    archive = export_dir() / f"job-{job.pk}.zip"
    _zip(folder, archive)
    return archive


def _zip(folder: Path, archive: Path) -> None:
    """Zip the files one by one (zipfile copies each in blocks: constant memory)."""
    partial = archive.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, arcname=path.name)
    partial.replace(archive)


def keep_days() -> int:
    return int(getattr(settings, "QADAM_EXPORT_KEEP_DAYS", 7))


def exports_prune(*, now: Any = None) -> int:
    """Delete the files of exports finished more than keep_days() ago; the job rows stay, as the record of
    what was exported, without a file to download. Returns how many files were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days())
    old = ExportJob.objects.filter(finished_at__lt=cutoff).exclude(file_path="")
    deleted = 0
    for job in old.only("pk", "file_path"):
        with contextlib.suppress(FileNotFoundError):  # a path outside the folder was never ours to delete
            export_file(job).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file_path="", size=None)
        deleted += 1
    return deleted


def encrypted_copy(path: Path, name: str, password: str) -> IO[bytes]:
    """The file inside a ZIP encrypted with AES-256 (WinZip AE-2: 7-Zip, WinZip and macOS open it), in a
    temporary file that is deleted when closed; copied in blocks, so memory stays small."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    with (
        path.open("rb") as data,
        pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf,
    ):
        zf.setpassword(password.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        with zf.open(name, "w") as member:
            for chunk in iter(lambda: data.read(1 << 20), b""):
                member.write(chunk)
    target.seek(0)
    return target


def export_file(job: ExportJob) -> Path:
    """The job's file, inside the private export folder (a path in the row cannot point elsewhere)."""
    root = export_dir().resolve()
    path = (root / job.file_path).resolve()
    if root not in path.parents:
        raise FileNotFoundError(job.file_path)
    return path
