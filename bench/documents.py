"""Time and peak memory of the documents: the case list and family list exports (CSV, XLSX, and the XLSX
locked in an encrypted ZIP at download) of the agency administrator with the most cases, a case file PDF and
the agency report for a year.

`.venv/bin/python bench/documents.py [--database var/bench-documents.sqlite3]`: run it on a copy of the
benchmark database (it writes audit entries and export jobs). The lists and the report run as the export
job's writer runs them in the task worker (`export_run_here`, into a temporary folder); the case file
through the whole request. Each runs in a process of its own, so that its peak resident memory (ru_maxrss)
is its own: what constant-memory writing must keep flat as rows grow.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["cases.csv", "cases.xlsx", "cases.zip", "families.csv", "families.xlsx", "case.pdf", "report.pdf"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=str(ROOT / "var" / "bench-documents.sqlite3"))
    parser.add_argument("--one", choices=KINDS, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{args.database}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    if args.one:
        os.environ.update(env)
        one(args.one)
        return
    print(f"{'download':<16}{'rows':>10}{'bytes':>14}{'seconds':>10}{'peak RSS MB':>13}")
    for kind in KINDS:
        subprocess.run([sys.executable, __file__, f"--database={args.database}", f"--one={kind}"], env=env, check=True)  # noqa: S603


def one(kind: str) -> None:
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # django-axes logs every sign-in
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from qadam.accounts.models import User
    from qadam.cases.models import Case

    busiest = Case.objects.values("agency_id").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None
    admin = User.objects.filter(agency_id=busiest["agency_id"], role=User.Role.AGENCY_ADMIN).first()
    assert admin is not None, "the benchmark database has no agency administrator for its busiest agency"
    client = Client()
    client.force_login(admin)
    _pass_two_factor(client, admin)
    start = time.perf_counter()
    if kind == "case.pdf":
        case = Case.objects.filter(agency_id=admin.agency_id, restricted=False).order_by("-id").first()
        response = client.get(reverse("documents:case_pdf", args=[case.pk]))  # type: ignore[union-attr]
        assert response.status_code == 200, response.status_code
        rows, size = 1, len(response.content)
    else:
        rows, size = _job(admin, kind)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{kind:<16}{rows:>10,}{size:>14,}{seconds:>10.2f}{peak:>13.0f}", flush=True)


def _job(admin: object, kind: str) -> tuple[int, int]:
    """Run the export job's writer here into a temporary folder; (rows written, bytes)."""
    import tempfile

    from qadam.exports.models import ExportJob
    from qadam.exports.services import encrypted_copy, export_run_here

    name, fmt = kind.split(".")
    if name == "report":
        job_kind, params = "agency_report", {"start": "2025-01-01", "end": "2025-12-31"}
    else:
        job_kind = "case_list" if name == "cases" else "family_list"
        params = {"format": "xlsx" if fmt == "zip" else fmt}
    with tempfile.TemporaryDirectory() as folder:
        job = export_run_here(by=admin, kind=job_kind, params=params, out=Path(folder))  # type: ignore[arg-type]
        assert job.status == ExportJob.Status.DONE, job.error
        (path,) = Path(folder).iterdir()
        if fmt == "zip":
            with encrypted_copy(path, path.name, "a long benchmark password") as locked:
                size = locked.seek(0, 2)
        else:
            size = path.stat().st_size
    rows = int(job.message.split()[0]) if name != "report" else 0
    return rows, size


def _pass_two_factor(client: object, user: object) -> None:
    """An administrator owes a second factor: mark the session verified, as django_otp.login() does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session  # type: ignore[attr-defined]
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


if __name__ == "__main__":
    main()
