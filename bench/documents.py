"""Time and peak memory of the documents: the case list and family list exports (CSV, XLSX, encrypted ZIP)
of the agency administrator with the most cases, a case file PDF and the agency report for a year.

`.venv/bin/python bench/documents.py [--database var/bench-documents.sqlite3]`: run it on a copy of the
benchmark database (it writes audit entries). Each download runs in a process of its own, so that its peak
resident memory (ru_maxrss) is its own: what constant-memory streaming must keep flat as rows grow.
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
        rows = 1
    elif kind == "report.pdf":
        response = client.get(reverse("documents:agency_report"), {"start": "2025-01-01", "end": "2025-12-31"})
        rows = 0
    else:
        name, fmt = kind.split(".")
        url = reverse("documents:case_list_export" if name == "cases" else "documents:family_list_export")
        data = {
            "format": "xlsx" if fmt == "zip" else fmt,
            "password": "a long benchmark password" if fmt == "zip" else "",
        }
        response = client.post(url, data)
        rows = 0
    size = 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    if kind.endswith((".csv", ".xlsx", ".zip")):
        from qadam.audit.models import AuditEntry

        rows = AuditEntry.objects.filter(action="list_exported").order_by("-seq").first().changes["rows"]  # type: ignore[union-attr]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{kind:<16}{rows:>10,}{size:>14,}{seconds:>10.2f}{peak:>13.0f}", flush=True)


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
