"""Export jobs: queued, run by the task, progress polled, downloaded only by whoever asked, audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.exports.models import ExportJob
from qadam.exports.registry import EXPORT_KINDS, ExportKind
from tests.conftest import login, make_user
from tests.test_exports import a_family

TOKEN = "4c1d1c4e-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def _tasks_at_once(tasks_at_once):
    """Every test here runs its background tasks at once."""


@pytest.fixture
def asked(researcher, worker, django_capture_on_commit_callbacks) -> ExportJob:
    for _ in range(3):
        a_family(worker, origin="61")
    client = login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:research"), {"k": "2", "format": "both", "form_token": TOKEN,
                                "quasi_identifiers": ["origin_oblast", "programme"]})  # fmt: skip
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])
    return job


def test_the_task_runs_the_job_and_the_requester_downloads_it(asked, researcher, settings):
    asked.refresh_from_db()
    assert asked.status == ExportJob.Status.DONE and asked.progress == 100
    assert asked.file_path == f"job-{asked.pk}.zip" and asked.size > 0
    assert asked.requested_by == researcher and asked.started_at <= asked.finished_at
    assert (settings.QADAM_EXPORT_DIR / asked.file_path).exists()
    assert not (settings.QADAM_EXPORT_DIR / f"job-{asked.pk}").exists()  # the working folder is gone
    assert AuditEntry.objects.filter(action="export_requested", actor=researcher, target_id=asked.pk).count() == 1
    client = login(researcher)
    response = client.get(reverse("exports:download", args=[asked.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) >= {"families.csv", "families.parquet", "report.json", "report.txt"}
    assert archive.read("families.csv").decode().count("\n") == 4  # header and three families
    exported = AuditEntry.objects.filter(action="exported", actor=researcher, target_type="exports.exportjob")
    assert exported.count() == 1 and exported.get().target_id == asked.pk


def test_a_second_submit_of_the_form_makes_no_second_job(asked, researcher):
    client = login(researcher)
    again = client.post(reverse("exports:research"), {"k": "2", "form_token": TOKEN})
    assert again.status_code == 302 and ExportJob.objects.count() == 1


def test_others_get_404(asked, worker, supervisor, other_worker, astana):
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    other_researcher = make_user("timur", astana, User.Role.RESEARCHER)
    for user in (worker, supervisor, other_worker, admin, other_researcher):
        client = login(user)
        assert client.get(reverse("exports:download", args=[asked.pk])).status_code == 404
        assert client.get(reverse("exports:detail", args=[asked.pk])).status_code == 404
        assert f"#{asked.pk}<" not in client.get(reverse("exports:list")).content.decode()
    assert not AuditEntry.objects.filter(action="exported").exists()


def test_progress_polls_while_running_and_stops_when_done(researcher, settings):
    job = ExportJob.objects.create(kind="research", requested_by=researcher, status="running", progress=40,
                                   message="Writing the files")  # fmt: skip
    client = login(researcher)
    fragment = client.get(reverse("exports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="40"' in fragment and "Writing the files" in fragment
    assert "<html" not in fragment
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404  # not ready
    ExportJob.objects.filter(pk=job.pk).update(status="done", progress=100, file_path="missing.zip", size=10)
    fragment = client.get(reverse("exports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "every 2s" not in fragment and reverse("exports:download", args=[job.pk]) in fragment
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404  # the file is gone
    page = client.get(reverse("exports:list")).content.decode()
    assert reverse("exports:detail", args=[job.pk]) in page


def test_a_failing_writer_ends_the_job_failed(researcher, django_capture_on_commit_callbacks, monkeypatch):
    def broken(job, folder, progress):
        progress(10, "Counting the groups")
        raise RuntimeError("disk full")

    kind = EXPORT_KINDS["research"]
    monkeypatch.setitem(EXPORT_KINDS, "research", ExportKind(kind.label, kind.allowed, kind.clean_params, broken))
    from qadam.exports.services import export_request

    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(by=researcher, kind="research", params={})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "disk full" in job.error and not job.file_path
    page = login(researcher).get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "could not be prepared" in page and "disk full" not in page


def test_a_job_runs_once(asked):
    from qadam.exports.tasks import run_export

    before = asked.size
    run_export.call(asked.pk)
    asked.refresh_from_db()
    assert asked.size == before and asked.status == ExportJob.Status.DONE


def test_files_are_deleted_some_days_after_they_are_ready(asked, researcher, settings):
    from datetime import timedelta

    from django.utils import timezone

    from qadam.exports.services import exports_prune

    path = settings.QADAM_EXPORT_DIR / asked.file_path
    assert exports_prune() == 0 and path.exists()  # ready today: kept
    later = timezone.now() + timedelta(days=settings.QADAM_EXPORT_KEEP_DAYS, minutes=1)
    assert exports_prune(now=later) == 1 and not path.exists()
    asked.refresh_from_db()
    assert asked.file_path == "" and asked.status == ExportJob.Status.DONE  # the record of the export stays
    client = login(researcher)
    assert client.get(reverse("exports:download", args=[asked.pk])).status_code == 404
    page = client.get(reverse("exports:detail", args=[asked.pk])).content.decode()
    assert "has been deleted" in page and reverse("exports:download", args=[asked.pk]) not in page


def test_the_next_export_deletes_the_old_files(asked, researcher, settings, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from qadam.exports.services import export_request

    ExportJob.objects.filter(pk=asked.pk).update(finished_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        newer = export_request(by=researcher, kind="research", params={"k": 2})
    asked.refresh_from_db()
    newer.refresh_from_db()
    assert asked.file_path == "" and not (settings.QADAM_EXPORT_DIR / f"job-{asked.pk}.zip").exists()
    assert newer.is_downloadable


def test_the_command_line_offers_only_kinds_that_need_no_user(tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="invalid choice: 'case_list' \\(choose from 'research'\\)"):
        call_command("export", "case_list", "--out", str(tmp_path))
