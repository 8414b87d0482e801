"""How fast the pages people use most answer, on a database of 100,000 (or --families) synthetic families.

`make bench [BENCH_FAMILIES=1000000]`, or `.venv/bin/python bench/run.py [--families N] [--requests N]`.

For each database it first builds the data in a subprocess (`qadam migrate`, then `qadam synth`), or reuses
it when it already holds that many families: SQLite at var/bench.sqlite3 always, and PostgreSQL too when
BENCH_DATABASE_URL names one. Then, in a process of its own with DATABASE_URL set to that database, it
signs in as the social worker with the largest caseload (django.test.Client, the whole middleware stack,
no network) and times each page after a warm-up: p50 and p95 in ms, p50 as a multiple of the trivial
/healthz page, and the number of SQL queries of one request. A page that is not built yet, or does not
answer 200, is reported and skipped. Last, the cost of auditing reads: the case page's p95 with
settings.QADAM_AUDIT_READS on and off, in alternating rounds, and their ratio. Then the time to rescore
10,000 stored assessments (bench/scoring.py), the dashboards (bench/dashboards.py), the cohort figures
(bench/cohorts.py) and a research export (bench/export.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from itertools import cycle
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.test import Client

    from qadam.accounts.models import User

ROOT = Path(__file__).resolve().parent.parent
# BENCH_SQLITE_PATH measures a copy instead, e.g. one that unlanded migrations may change.
SQLITE_PATH = Path(os.environ.get("BENCH_SQLITE_PATH") or ROOT / "var" / "bench.sqlite3")
TIME_BUDGET = 60.0  # seconds per page at most, so that a slow page cannot hold the run for ever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000, help="families in the benchmark database")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        measure(requests=args.requests, warmup=args.warmup)
        return
    SQLITE_PATH.parent.mkdir(exist_ok=True)
    targets = [("SQLite", f"sqlite:///{SQLITE_PATH}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
    for name, url in targets:
        print(f"\n== {name}", flush=True)
        prepare(url, families=args.families)
        child = [sys.executable, __file__, "--measure", f"--requests={args.requests}", f"--warmup={args.warmup}"]
        subprocess.run(child, env=_env(url), check=True)  # noqa: S603 - our own script, no shell


# Building the database ------------------------------------------------------------------------------


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}


def _manage(url: str, *args: str, capture: bool = False) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    # Our own manage.py with fixed arguments, no shell.
    done = subprocess.run(  # noqa: S603
        command, env=_env(url), cwd=ROOT, check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


def prepare(url: str, *, families: int) -> None:
    """Migrate, then add synthetic families until there are `families` of them."""
    _manage(url, "migrate", "--no-input", "--verbosity", "0")
    count = int(
        _manage(
            url,
            "shell",
            "--no-imports",
            "-c",
            "from qadam.families.models import Family; print(Family.objects.count())",
            capture=True,
        ).split()[-1]
    )
    if count >= families:
        print(f"Reusing the database: it has {count:,} families.", flush=True)
        return
    print(f"Adding {families - count:,} synthetic families to the {count:,} there.", flush=True)
    _manage(url, "synth", "--families", str(families - count), "--seed", str(count + 1))


# Measuring (in the child process, with DATABASE_URL set) --------------------------------------------


def measure(*, requests: int, warmup: int) -> None:
    sys.path.insert(0, str(ROOT))
    # WhiteNoise warns that static files were never collected; pages are timed without them anyway.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.test import Client

    worker = _busiest_worker()
    client = Client()
    client.force_login(worker)
    _print_database(worker)
    print(f"{'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'× healthz':>11}{'queries':>9}{'requests':>10}")
    baseline = None
    pages = _pages(worker)
    for label, urls in pages:
        result = _time_page(client, label, urls, requests=requests, warmup=warmup)
        if result is None:
            continue
        p50, p95, queries, count = result
        baseline = p50 if label == "healthz" else baseline
        ratio = f"{p50 / baseline:.1f}" if baseline else "-"
        print(f"{label:<26}{p50:>9.2f}{p95:>9.2f}{ratio:>11}{queries:>9}{count:>10}", flush=True)
    _compare_auditing(client, dict(pages)["case page"], requests=requests, warmup=warmup)
    from bench.cohorts import time_cohorts
    from bench.dashboards import time_dashboards
    from bench.export import time_export
    from bench.scoring import time_scoring

    time_scoring()
    time_dashboards()
    time_cohorts()
    time_export()


def _busiest_worker() -> User:
    from django.db.models import Count, Q

    from qadam.accounts.models import User

    workers = User.objects.filter(role=User.Role.SOCIAL_WORKER, is_active=True)
    open_cases = Count("owned_cases", filter=~Q(owned_cases__status="closed"))
    return workers.annotate(open_cases=open_cases).order_by("-open_cases", "id").select_related("agency").first()


def _pages(worker: User) -> list[tuple[str, Callable[[], str] | None]]:
    """Each page as a label and an endless supply of its URLs; None where the URL does not exist yet."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from qadam.cases.models import Case
    from qadam.families.models import Person

    people = Person.objects.filter(agency_id=worker.agency_id).exclude(iin__isnull=True)
    common = people.values("surname").annotate(n=Count("id")).order_by("-n")[:12]
    prefixes = sorted({row["surname"][:4] for row in common})
    iins = _spread(people.order_by("id").values_list("iin", flat=True))
    cases = _spread(Case.objects.filter(owner=worker).order_by("id").values_list("pk", flat=True))

    def urls(name: str, terms: list[str] | None = None, pks: list[int] | None = None) -> Callable[[], str] | None:
        try:
            found = [reverse(name, kwargs={"pk": pk}) for pk in pks] if pks else [reverse(name)]
        except NoReverseMatch:
            return None
        each = cycle(f"{found[0]}?{urlencode({'q': term})}" for term in terms) if terms else cycle(found)
        return lambda: next(each)

    return [
        ("healthz", urls("healthz")),
        ("family search: name", urls("families:list", prefixes)),
        ("family search: IIN", urls("families:list", iins)),
        ("worker home", urls("cases:home")),
        ("case page", urls("cases:detail", pks=cases)),
    ]


def _time_page(
    client: Client,
    label: str,
    urls: Callable[[], str] | None,
    *,
    requests: int,
    warmup: int,
) -> tuple[float, float, int, int] | None:
    """(p50 ms, p95 ms, queries of one request, requests timed), or None after printing why not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if urls is None:
        print(f"{label:<26}error: the URL does not exist yet")
        return None
    try:
        for _ in range(warmup):
            _get_ok(client, urls())
        with CaptureQueriesContext(connection) as captured:
            _get_ok(client, urls())
        queries = len(captured)  # now: the next request empties the log it reads
        timings: list[float] = []
        started = time.perf_counter()
        while len(timings) < requests and time.perf_counter() - started < TIME_BUDGET:
            url = urls()
            before = time.perf_counter()
            _get_ok(client, url)
            timings.append((time.perf_counter() - before) * 1000)
    except Exception as error:  # the bench reports a broken page and carries on with the next
        print(f"{label:<26}error: {error}")
        return None
    timings.sort()
    return _p50(timings), _p95(timings), queries, len(timings)


AUDIT_BLOCK = 10  # requests in a row with auditing on, then as many off: drift of the machine hits both alike


def _compare_auditing(client: Client, urls: Callable[[], str] | None, *, requests: int, warmup: int) -> None:
    """The case page's p95 with read auditing on and off (settings.QADAM_AUDIT_READS), and their ratio."""
    from django.conf import settings

    from qadam.audit.models import AuditEntry

    if urls is None:
        return
    timings: dict[bool, list[float]] = {True: [], False: []}
    audited = settings.QADAM_AUDIT_READS
    started = time.perf_counter()
    try:
        for _ in range(warmup):
            _get_ok(client, urls())
        entries = AuditEntry.objects.count()
        while len(timings[False]) < requests and time.perf_counter() - started < 2 * TIME_BUDGET:
            for on in (True, False):
                settings.QADAM_AUDIT_READS = on
                for _ in range(AUDIT_BLOCK):
                    url = urls()
                    before = time.perf_counter()
                    _get_ok(client, url)
                    timings[on].append((time.perf_counter() - before) * 1000)
        written = AuditEntry.objects.count() - entries
    except Exception as error:  # the bench reports a broken page and carries on
        print(f"case page, auditing on / off: error: {error}")
        return
    finally:
        settings.QADAM_AUDIT_READS = audited
    on_p95, off_p95 = _p95(timings[True]), _p95(timings[False])
    print(
        f"\ncase page p95 with auditing on / off = {on_p95:.2f} / {off_p95:.2f} ms = {on_p95 / off_p95:.2f} "
        f"(goal ≤ 1.2; p50 {_p50(timings[True]):.2f} / {_p50(timings[False]):.2f} ms; "
        f"{len(timings[True])} + {len(timings[False])} requests; {written} read entries written)",
        flush=True,
    )
    _time_appends()


def _time_appends(count: int = 200) -> None:
    """What one read entry costs by itself: audit_read in a loop, outside any request."""
    from django.conf import settings

    from qadam.audit.services import audit_read
    from qadam.cases.models import Case

    case = Case.objects.select_related("owner").order_by("id").first()
    if case is None:
        return
    timings = []
    audited, settings.QADAM_AUDIT_READS = settings.QADAM_AUDIT_READS, True
    try:
        for _ in range(count):
            before = time.perf_counter()
            audit_read(actor=case.owner, obj=case)
            timings.append((time.perf_counter() - before) * 1000)
    finally:
        settings.QADAM_AUDIT_READS = audited
    print(f"one read entry appended: p50 {_p50(timings):.2f} ms, p95 {_p95(timings):.2f} ms", flush=True)


def _p50(timings: list[float]) -> float:
    return sorted(timings)[len(timings) // 2]


def _p95(timings: list[float]) -> float:
    timings = sorted(timings)
    return timings[max(0, int(len(timings) * 0.95) - 1)]


def _get_ok(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")


def _spread(values: QuerySet, count: int = 50) -> list:
    """About `count` values from all over a large query: one in every n-th, without fetching them all."""
    total = values.count()
    return [values[i] for i in range(0, total, max(1, total // count))][:count]


def _print_database(worker: User) -> None:
    from django.db import connection

    from qadam.cases.models import Case
    from qadam.families.models import Family, Person

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        size = sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
        engine = f"SQLite {connection.Database.sqlite_version}, {name}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), current_setting('server_version')")
            size, version = cursor.fetchone()
        engine = f"PostgreSQL {version}, database {connection.settings_dict['NAME']}"
    print(
        f"{engine}: {size / 2**20:,.0f} MB; {Family.objects.count():,} families, "
        f"{Person.objects.count():,} people, {Case.objects.count():,} cases"
    )
    caseload = Case.objects.filter(owner=worker).exclude(status="closed").count()
    print(f"Signed in as {worker.username} ({worker.agency.code}), a social worker with {caseload:,} open cases\n")


if __name__ == "__main__":
    main()
