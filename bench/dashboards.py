"""How fast the dashboard answers on the benchmark database: the agency view and the national view.

Called by bench/run.py inside its measuring process (Django set up, DATABASE_URL on the bench database):

    from bench.dashboards import time_dashboards
    time_dashboards()

or on its own, `.venv/bin/python bench/dashboards.py [--requests N]`, which uses DATABASE_URL when it is set
and var/bench.sqlite3 otherwise (BENCH_SQLITE_PATH names a copy, e.g. one migrated with unlanded apps).

For the agency administrator of the agency with the most cases, a regional coordinator of every agency and a
researcher (the national view, small cells suppressed), it times GET /insights/ through django.test.Client
(the whole middleware stack) after a warm-up: p50 and p95 in ms, the queries of one request, and the peak
Python memory of one request (tracemalloc). The coordinator is created once if the database has none.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

    from qadam.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 10
WARMUP = 2
COORDINATOR = "bench-coordinator"


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _viewers() -> list[tuple[str, User]]:
    """The agency view (administrator of the busiest agency), the region view and the national view."""
    from django.db.models import Count

    from qadam.accounts.models import Agency, User

    busiest = Agency.objects.annotate(n=Count("users__owned_cases")).order_by("-n", "id").first()
    viewers: list[tuple[str, User]] = []
    admin = User.objects.filter(role=User.Role.AGENCY_ADMIN, agency=busiest, is_active=True).first()
    if admin is not None:
        viewers.append(("agency dashboard", admin))
    coordinator = User.objects.filter(username=COORDINATOR).first()
    if coordinator is None and busiest is not None:
        coordinator = User.objects.create_user(
            username=COORDINATOR, password=None, agency=busiest, role=User.Role.REGIONAL_COORDINATOR
        )
        coordinator.coordinated_agencies.set(Agency.objects.all())
    if coordinator is not None:
        viewers.append(("region dashboard", coordinator))
    researcher = User.objects.filter(role=User.Role.RESEARCHER, is_active=True).first()
    if researcher is not None:
        viewers.append(("national dashboard", researcher))
    return viewers


def _signed_in(client: Client, user: User) -> Client:
    """Signed in and past the second step, as tests/conftest.py does (a TOTP device named "bench")."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _time(user: User, *, requests: int, warmup: int) -> tuple[float, float, int, float]:
    """(p50 ms, p95 ms, queries of one request, peak MiB of one request)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = _signed_in(Client(), user)
    url = reverse("insights:dashboard")
    for _ in range(warmup):
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return _percentile(timings, 0.5), _percentile(timings, 0.95), queries, peak


def time_dashboards(requests: int = REQUESTS, warmup: int = WARMUP) -> None:
    """Print p50/p95, queries and peak memory of each dashboard view."""
    print(f"\n{'dashboard':<22}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}{'peak MiB':>10}{'requests':>10}")
    for label, user in _viewers():
        try:
            p50, p95, queries, peak = _time(user, requests=requests, warmup=warmup)
        except Exception as error:  # the bench reports a broken page and carries on
            print(f"{label:<22}error: {error!r}")
            continue
        print(f"{label:<22}{p50:>10.1f}{p95:>10.1f}{queries:>9}{peak:>10.1f}{requests:>10}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--warmup", type=int, default=WARMUP)
    args = parser.parse_args()
    sqlite = Path(os.environ.get("BENCH_SQLITE_PATH") or ROOT / "var" / "bench.sqlite3")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    print(f"Database: {os.environ['DATABASE_URL']}", flush=True)
    time_dashboards(requests=args.requests, warmup=args.warmup)


if __name__ == "__main__":
    main()
