"""How long `qadam directory import` takes for an HSDS package of 10,000 services.

`.venv/bin/python bench/directory.py [--services N] [--database URL]`

Against a fresh database (by default a new SQLite file in a temporary folder; `--database` or
BENCH_DATABASE_URL for PostgreSQL, which should be empty), migrated first. Generates a package with
organisations, locations and addresses, services with a Russian name (a Qadam attribute), needs, a phone,
weekly hours, a KATO service area and a language each, writes it as CSV files and datapackage.json, then
times the import into the empty directory (wall time), then a second import of the same package
(nothing changed, so nothing is written), and once more into the emptied directory under tracemalloc for
the peak Python memory (tracing every allocation makes that run slower, so its time is not the figure to
quote), then an export.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generate(folder: Path, services: int) -> dict[str, int]:
    """Write the package; returns the rows per file."""
    from qadam.directory.package import FAA_DIMENSIONS, need_code, standard_package, tables, term_id, translation_code

    rng = random.Random(20261127)
    ids = uuid.UUID(int=rng.getrandbits(128))
    counter = [ids.int]

    def new_id() -> str:
        counter[0] += 1
        return str(uuid.UUID(int=counter[0] % (1 << 128), version=4))

    regions = ["710000000", "750000000", "790000000", "110000000", "190000000", "230000000", "270000000"]
    organizations = [new_id() for _ in range(max(services // 10, 1))]
    locations = [(new_id(), org) for org in organizations for _ in range(2)]
    rows: dict[str, list[list[object]]] = {t.name: [] for t in tables().values()}
    for number, org in enumerate(organizations):
        rows["organization"].append(
            {
                "id": org,
                "name": f"Ұйым {number}",
                "description": f"Қоғамдық қор №{number}",
                "website": f"https://org{number}.example.kz",
            }
        )
    for number, (location, org) in enumerate(locations):
        rows["location"].append(
            {
                "id": location,
                "location_type": "physical",
                "organization_id": org,
                "name": f"Кеңсе {number}",
                "latitude": "51.128207",
                "longitude": "71.430411",
            }
        )
        rows["address"].append(
            {
                "id": new_id(),
                "location_id": location,
                "address_1": f"Абай даңғылы, {number}",
                "city": "Астана",
                "state_province": "Астана",
                "postal_code": "010000",
                "country": "KZ",
                "address_type": "physical",
            }
        )
    kinds = ["migration_adaptation", "poverty", "domestic_violence", "child_wellbeing"]
    for number in range(services):
        service = new_id()
        org = organizations[number % len(organizations)]
        location = locations[(number % len(organizations)) * 2][0]
        rows["service"].append(
            {
                "id": service,
                "organization_id": org,
                "name": f"Қызмет {number}",
                "status": "active",
                "description": "Отбасыларға кеңес және қолдау",
                "eligibility_description": "Қиын өмірлік жағдайдағы отбасылар",
                "minimum_age": "18",
            }
        )
        rows["service_at_location"].append({"id": new_id(), "service_id": service, "location_id": location})
        rows["phone"].append({"id": new_id(), "service_id": service, "number": f"+7 701 {number:07d}"})
        rows["schedule"].append(
            {
                "id": new_id(),
                "service_id": service,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00:00",
                "closes_at": "18:00:00",
            }
        )
        rows["language"].append({"id": new_id(), "service_id": service, "code": "kk", "name": "Kazakh"})
        area = new_id()
        rows["service_area"].append({"id": area, "service_id": service, "name": "Аймақ"})
        rows["cost_option"].append(
            {"id": new_id(), "service_id": service, "option": "Кеңес", "amount": "0", "currency": "KZT"}
        )
        attributes = [
            (area, "service_area", "qadam:kato", regions[number % len(regions)]),
            (service, "service", translation_code("name", "ru"), f"Услуга {number}"),
            (service, "service", need_code("faa", FAA_DIMENSIONS[number % 7]), ""),
            (service, "service", need_code("case", kinds[number % 4]), ""),
        ]
        for link, entity, code, value in attributes:
            rows["attribute"].append(
                {
                    "id": new_id(),
                    "link_id": link,
                    "taxonomy_term_id": str(term_id(code)),
                    "link_entity": entity,
                    "value": value,
                }
            )
    counts = {}
    for name, table in tables().items():
        with (folder / table.path).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=table.column_names)
            writer.writeheader()
            writer.writerows(rows[name])  # type: ignore[arg-type]
        counts[table.path] = len(rows[name])
    (folder / "datapackage.json").write_text(json.dumps(standard_package()), encoding="utf-8")
    # Qadam's own terms travel in the package, as in an export.
    from qadam.directory.exporter import _csv

    (folder / "taxonomy_terms.csv").write_bytes(_csv("taxonomy_term"))
    (folder / "taxonomies.csv").write_bytes(_csv("taxonomy"))
    return counts


def timed(label: str, action) -> object:
    tracemalloc.start()
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label}: {elapsed:.1f} s wall, peak Python memory {peak / 1024 / 1024:.0f} MB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qadam-directory-bench-") as temp:
        work = Path(temp)
        os.environ["DATABASE_URL"] = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print(f"Database: {connection.vendor}. Migrating…", flush=True)
        call_command("migrate", verbosity=0)
        from qadam.directory.exporter import export_package
        from qadam.directory.importer import import_package

        package = work / "package"
        package.mkdir()
        started = time.perf_counter()
        counts = generate(package, args.services)
        size = sum(p.stat().st_size for p in package.iterdir())
        print(
            f"Generated {sum(counts.values()):,} rows ({counts['services.csv']:,} services) in "
            f"{time.perf_counter() - started:.1f} s, {size / 1024 / 1024:.1f} MB of CSV.",
            flush=True,
        )
        started, cpu = time.perf_counter(), time.process_time()
        report = import_package(package)
        print(
            f"Import into the empty directory: {time.perf_counter() - started:.1f} s wall, "
            f"{time.process_time() - cpu:.1f} s CPU of this process",
            flush=True,
        )
        assert not report.refused, report.refused[:5]
        print(f"  created: {report.created}", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        report = import_package(package)
        print(
            f"Import of the same package again (nothing changed): {time.perf_counter() - started:.1f} s wall, "
            f"{time.process_time() - cpu:.1f} s CPU",
            flush=True,
        )
        empty_directory()
        report = timed("Import into the emptied directory under tracemalloc (slower)", lambda: import_package(package))
        timed("Export (zip)", lambda: export_package(work / "export.zip"))


def empty_directory() -> None:
    """Remove every directory record (children first), for a second import from scratch."""
    from qadam.directory.models import AuditHandle, ServiceNeed
    from qadam.directory.package import MODELS

    ServiceNeed.objects.all().delete()
    for model in reversed(list(MODELS.values())):
        model._default_manager.all()._raw_delete(model._default_manager.db)  # type: ignore[attr-defined]
    AuditHandle.objects.filter(record_type="import").delete()


if __name__ == "__main__":
    main()
