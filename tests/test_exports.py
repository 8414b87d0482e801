"""The de-identified research export: who is in it, what it holds, and k-anonymity checked on the files."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_open
from qadam.consent.services import consent_record
from qadam.exports import kanon
from qadam.exports.models import ExportJob
from qadam.exports.research import FAMILY_COLUMNS
from qadam.exports.services import export_request, export_run_here
from qadam.families.models import Family, Move, Person
from qadam.families.services import family_register, move_record, person_register
from qadam.kato.models import KatoUnit
from tests.conftest import login, make_user

QIS = ("origin_oblast", "destination_oblast", "origin_area", "programme", "household_size")
FORBIDDEN_COLUMNS = {"name", "surname", "given_name", "iin", "phone", "address", "birth_date", "moved_on", "id", "pk"}
serial = iter(range(1, 10_000))


def a_family(by: User, *, origin: str, consent: str | None = "given", area: str = Move.Area.RURAL,
             programme: str = Move.Programme.SELF_MOVING, restricted: bool = False) -> Family:  # fmt: skip
    """A one-person household that moved from `origin` (a KATO region code) to Astana, built through the services."""
    n = next(serial)
    head = person_register(
        by=by, surname=f"Тестова{n}", given_name="Айгүл", birth_date=date(1980, 1, 1), sex=Person.Sex.FEMALE,
        phone=f"+7 701 000 {n:04d}",
    )  # fmt: skip
    family = family_register(by=by, head=head, address=f"Астана, көше {n}")
    move_record(
        by=by, family=family, origin_region=KatoUnit.objects.get(code=f"{origin}0000000"), origin_area=area,
        destination_region=KatoUnit.objects.get(code="710000000"), moved_on=date(2024, 3, 15), programme=programme,
        reasons=["jobs"], registration=Move.Registration.TEMPORARY, housing=Family.Housing.RENTED,
    )  # fmt: skip
    if consent is not None:
        consent_record(by=by, person=head, purpose="research", decision=consent, how="paper")
    if restricted:
        case_open(by=by, family=family, person=head, kind=Case.Kind.DOMESTIC_VIOLENCE, owner=by)
    return family


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def groups(rows: list[dict[str, str]], qis=QIS) -> Counter:
    return Counter(tuple(str(row[q]) for q in qis) for row in rows)


def parquet_rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def run(tmp_path: Path, **params) -> tuple[ExportJob, dict]:
    job = export_run_here(by=None, kind="research", params=params, out=tmp_path)
    assert job.status == ExportJob.Status.DONE, job.error
    return job, json.loads((tmp_path / "report.json").read_text())


@pytest.fixture
def cohort(worker) -> dict[str, int]:
    """30 families from Turkistan, 12 from Zhambyl, 2 from Pavlodar (urban, quota): all with research consent."""
    for _ in range(30):
        a_family(worker, origin="61")
    for _ in range(12):
        a_family(worker, origin="31")
    for _ in range(2):
        a_family(worker, origin="55", area=Move.Area.URBAN, programme=Move.Programme.QUOTA_RESETTLER)
    return {"61": 30, "31": 12, "55": 2}


def test_small_groups_are_suppressed_and_k_holds_on_both_files(cohort, tmp_path):
    _, report = run(tmp_path, k=10, format="both")
    rows = read_csv(tmp_path / "families.csv")
    # Independently: 2 of 44 rows (4.5%) fall in a group below 10, within the 5% the check may suppress.
    assert len(rows) == 42
    assert groups(rows) == {
        ("61", "71", "rural", "self_moving", "1"): 30,
        ("31", "71", "rural", "self_moving", "1"): 12,
    }
    parquet = parquet_rows(tmp_path / "families.parquet")
    assert groups(parquet) == groups(rows)
    assert min(groups(parquet).values()) >= 10
    assert report["rows_suppressed"] == 2 and report["groups_suppressed"] == 1
    assert report["min_group_size"] == 12 and report["steps"] == []
    assert all(g["level"] == 0 for g in report["generalisation"])
    assert report["rows_written"]["families"] == 42
    assert "Rows suppressed: 2" in (tmp_path / "report.txt").read_text()


def test_generalisation_until_k_holds(worker, tmp_path):
    for origin, n in (("61", 12), ("31", 6), ("79", 6)):
        for _ in range(n):
            a_family(worker, origin=origin)
    _, report = run(tmp_path, k=10, format="parquet")
    assert not (tmp_path / "families.csv").exists()
    rows = parquet_rows(tmp_path / "families.parquet")
    # Turkistan, Zhambyl and Shymkent are all in the south: one group of 24 once regions become macro-regions.
    assert {row["origin_oblast"] for row in rows} == {"south"} and len(rows) == 24
    assert min(groups(rows).values()) >= 10
    assert report["steps"][0]["quasi_identifier"] == "origin_oblast"
    assert [g["level"] for g in report["generalisation"]] == [1, 0, 0, 0, 0]
    assert report["rows_suppressed"] == 0 and report["min_group_size"] == 24


def test_non_consented_restricted_and_withdrawn_families_are_never_exported(worker, tmp_path):
    for _ in range(5):
        a_family(worker, origin="61")
    for _ in range(3):
        a_family(worker, origin="47", consent=None)  # Mangystau: no decision recorded
        a_family(worker, origin="27", consent="withdrawn")  # West Kazakhstan: withdrawn
        a_family(worker, origin="23", restricted=True)  # Atyrau: consent, but a restricted case
    withdrawn_later = a_family(worker, origin="15")
    consent_record(by=worker, person=withdrawn_later.head, purpose="research", decision="withdrawn", how="paper")
    _, report = run(tmp_path, k=2, format="both")
    rows = read_csv(tmp_path / "families.csv")
    assert len(rows) == 5 and {r["origin_oblast"] for r in rows} == {"61"}
    assert {r["origin_oblast"] for r in parquet_rows(tmp_path / "families.parquet")} == {"61"}
    everything = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.csv"))
    assert "Тестова" not in everything and "+7 701" not in everything and "Астана" not in everything
    assert report["families_left_out_without_research_consent_or_restricted"] == 10
    outcomes = read_csv(tmp_path / "outcomes.csv")
    assert all(r["case_type"] != "domestic_violence" for r in outcomes)


def test_no_identifying_columns_and_ids_are_not_primary_keys(cohort, tmp_path):
    run(tmp_path, k=10)
    for name in ("families", "assessments", "outcomes"):
        columns = set(pq.read_table(tmp_path / f"{name}.parquet").column_names)
        assert not columns & FORBIDDEN_COLUMNS, name
        assert "research_id" in columns
    rows = read_csv(tmp_path / "families.csv")
    assert list(rows[0]) == [c for c, _ in FAMILY_COLUMNS]
    pks = {str(pk) for pk in Family.objects.values_list("pk", flat=True)}
    assert not {r["research_id"] for r in rows} & pks
    assert len({r["research_id"] for r in rows}) == len(rows)
    months = {r["months_since_move_at_first_contact"] for r in rows}
    assert months and all(m.isdigit() for m in months)  # months, never a date


def test_research_ids_differ_between_exports(cohort, tmp_path):
    run(tmp_path / "a", k=10, format="csv")
    run(tmp_path / "b", k=10, format="csv")
    first = {r["research_id"] for r in read_csv(tmp_path / "a" / "families.csv")}
    second = {r["research_id"] for r in read_csv(tmp_path / "b" / "families.csv")}
    assert not first & second


def test_assessments_and_outcomes_follow_their_family(worker, tmp_path):
    from tests.test_assessment_pages import completed

    families = [a_family(worker, origin="61") for _ in range(3)]
    case = case_open(by=worker, family=families[0], person=families[0].head, kind=Case.Kind.POVERTY, owner=worker)
    assessment = completed(case, worker, on=date(2025, 3, 20))
    run(tmp_path, k=2)
    family_ids = {r["research_id"] for r in read_csv(tmp_path / "families.csv")}
    assessments = read_csv(tmp_path / "assessments.csv")
    assert len(assessments) == 1 and assessments[0]["research_id"] in family_ids
    assert assessments[0]["months_since_move"] == str(assessment.months_since_move) == "12"
    assert assessments[0]["adaptation_index"] == str(assessment.index)
    outcomes = read_csv(tmp_path / "outcomes.csv")
    assert outcomes == [
        {"research_id": assessments[0]["research_id"], "case_type": "poverty", "plan_agreed": "no",
         "referrals_completed": "0", "contract_outcome": "none"}
    ]  # fmt: skip


# The check itself, on counts -------------------------------------------------------------------------------


def test_plan_suppresses_everything_when_fewer_than_k():
    base = Counter({("61", "71", "rural", "self_moving", "1"): 3})
    plan = kanon.plan(base, QIS, k=10)
    assert plan.rows_suppressed == 3 and plan.kept_groups == []
    assert all(level == kanon.HIERARCHIES[qi].top for qi, level in plan.levels.items())


def test_size_bands():
    assert [kanon.size_band(n) for n in (1, 2, 3, 4, 5, 6, 7, 12)] == ["1", "2", "3-4", "3-4", "5-6", "5-6", "7+", "7+"]


# Bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{"k": 1}, {"k": "ten"}, {"format": "xlsx"}, {"quasi_identifiers": ["surname"]}])
def test_bad_parameters_are_refused(db, tmp_path, params):
    with pytest.raises(ValidationError):
        export_run_here(by=None, kind="research", params=params, out=tmp_path)
    assert not ExportJob.objects.exists()


def test_the_command_line(cohort, tmp_path):
    out = io.StringIO()
    call_command("export", "research", "--out", str(tmp_path), "--k", "10", "--format", "csv", stdout=out)
    text = out.getvalue()
    assert "families.csv" in text and "Rows suppressed: 2" in text and "smallest group: 12" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "assessments.csv", "families.csv", "outcomes.csv", "report.json", "report.txt"
    ]  # fmt: skip
    job = ExportJob.objects.get()
    assert AuditEntry.objects.filter(action="export_requested", target_id=job.pk, actor=None).exists()
    with pytest.raises(CommandError, match="at least 2"):
        call_command("export", "research", "--out", str(tmp_path / "x"), "--k", "1")
    with pytest.raises(CommandError):
        call_command("export", "research", "--out", str(tmp_path / "y"), "--format", "xlsx")


def test_who_may_ask(worker, supervisor, researcher, astana):
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    sysadmin = make_user("sanzhar", None, User.Role.SYSTEM_ADMIN)
    for user in (worker, supervisor):
        with pytest.raises(PermissionDenied):
            export_request(by=user, kind="research", params={})
    assert export_request(by=admin, kind="research", params={}).agency_id == astana.pk
    assert export_request(by=researcher, kind="research", params={}).agency_id is None
    assert export_request(by=sysadmin, kind="research", params={"k": 5}).parameters["k"] == 5
    with pytest.raises(ValidationError):
        export_request(by=researcher, kind="nonsense", params={})


def test_an_agency_administrator_exports_their_agency_only(worker, other_worker, astana, tmp_path):
    for _ in range(3):
        a_family(worker, origin="61")
        a_family(other_worker, origin="31")
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    job = export_run_here(by=admin, kind="research", params={"k": 2}, out=tmp_path)
    assert job.agency_id == astana.pk
    assert {r["origin_oblast"] for r in read_csv(tmp_path / "families.csv")} == {"61"}


def test_the_research_page_is_for_those_who_may_ask(worker, researcher):
    assert login(worker).get(reverse("exports:research")).status_code == 403
    assert login(worker).get(reverse("exports:list")).status_code == 200
    page = login(researcher).get(reverse("exports:research"))
    assert page.status_code == 200 and "Smallest group allowed" in page.content.decode()
    bad = login(researcher).post(reverse("exports:research"), {"k": "1", "format": "csv"})
    assert bad.status_code == 422 and not ExportJob.objects.exists()
