"""Conditional social assistance through the services: the reference table (system administrator, no
overlapping periods), the family's incomes and income test, and the social contract's life with its
monitoring tasks; bad input refused with nothing saved; every change audited."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Task
from qadam.contracts.models import Contract, Income, IncomeTest, Measure, PovertyLineReference
from qadam.contracts.services import (
    contract_complete,
    contract_create,
    contract_extend,
    contract_sign,
    contract_terminate,
    income_add,
    income_compute,
    income_test_record,
    measure_add,
    monitoring_record,
    reference_for,
    reference_save,
    reference_seed,
)
from qadam.families.models import Membership, Person
from qadam.families.services import family_add_member, person_register
from qadam.kato.models import KatoUnit
from tests.conftest import make_user

D = Decimal


@pytest.fixture
def astana_region(db) -> KatoUnit:
    return KatoUnit.objects.get(code="710000000")


@pytest.fixture
def reference(astana_region) -> KatoUnit:
    reference_seed(regions=[astana_region])
    return astana_region


@pytest.fixture
def sysadmin(astana) -> User:
    return make_user("timur", astana, User.Role.SYSTEM_ADMIN)


@pytest.fixture
def child(worker, family) -> Person:
    """Әлихан, born 1 June 2021: aged 1 to 6 through 2027."""
    kid = person_register(by=worker, surname="Садықов", given_name="Әлихан", birth_date=date(2021, 6, 1), sex="male")
    family_add_member(by=worker, family=family, person=kid, relationship=Membership.Relationship.CHILD)
    return kid


def actions(case) -> list[str]:
    return list(AuditEntry.objects.for_record(case).order_by("seq").values_list("action", flat=True))


# The reference table ----------------------------------------------------------------------------------------


def test_seed_rows_cover_2023_to_2026_and_are_marked_illustrative(reference):
    rows = PovertyLineReference.objects.filter(region=reference)
    assert rows.count() == 10
    assert all(r.illustrative for r in rows)
    row_2024 = reference_for(reference, date(2024, 6, 1))
    assert row_2024.formula == "subsistence_share" and row_2024.subsistence_minimum == D("40567")
    row_2025 = reference_for(reference, date(2025, 2, 1))
    assert row_2025.formula == "max_median_subsistence" and row_2025.median_share == D("0.3500")
    assert reference_for(reference, date(2023, 6, 30)) is None


def test_the_system_administrator_adds_a_row_audited(sysadmin, astana_region):
    row = reference_save(
        by=sysadmin,
        region=astana_region,
        valid_from=date(2027, 1, 1),
        valid_to=date(2027, 3, 31),
        formula="max_median_subsistence",
        subsistence_minimum=D("52000"),
        subsistence_share=D("0.70"),
        median_income=D("160000"),
        median_share=D("0.35"),
        mrp=D("4500"),
    )
    entry = AuditEntry.objects.for_record(row).get()
    assert entry.action == "poverty_reference_added" and entry.actor == sysadmin
    assert entry.changes["median_income"] == [None, "160000"]


def test_overlapping_periods_of_a_region_are_refused(sysadmin, reference):
    before = PovertyLineReference.objects.count()
    with pytest.raises(ValidationError) as error:
        reference_save(
            by=sysadmin,
            region=reference,
            valid_from=date(2026, 12, 1),
            valid_to=None,
            formula="subsistence_share",
            subsistence_minimum=D("50000"),
            subsistence_share=D("0.70"),
            mrp=D("4325"),
        )
    assert "overlaps the row of the same region that applies from 2026-10-01" in str(error.value)
    assert PovertyLineReference.objects.count() == before
    # Another region has no row then: accepted.
    reference_save(
        by=sysadmin,
        region=KatoUnit.objects.get(code="750000000"),
        valid_from=date(2026, 12, 1),
        formula="subsistence_share",
        subsistence_minimum=D("50000"),
        subsistence_share=D("0.70"),
        mrp=D("4325"),
    )


def test_correcting_a_row_is_audited_with_the_change(sysadmin, reference):
    row = reference_for(reference, date(2024, 6, 1))
    reference_save(by=sysadmin, reference=row, mrp=D("3692"), subsistence_minimum=D("43407"))
    row.refresh_from_db()
    assert row.subsistence_minimum == D("43407")
    entry = AuditEntry.objects.for_record(row).get()
    assert entry.action == "poverty_reference_changed"
    assert entry.changes == {"subsistence_minimum": ["40567.00", "43407"]}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"valid_to": date(2027, 6, 30)}, "covers one calendar quarter at most"),
        ({"median_income": None}, "needs the median income"),
        ({"subsistence_share": D("70")}, "A share is a number above 0 and at most 1"),
        ({"valid_to": date(2026, 12, 1), "valid_from": date(2027, 1, 1)}, "cannot end before it starts"),
    ],
)
def test_bad_reference_rows_are_refused(sysadmin, astana_region, values, message):
    data = {
        "region": astana_region,
        "valid_from": date(2027, 1, 1),
        "valid_to": date(2027, 3, 31),
        "formula": "max_median_subsistence",
        "subsistence_minimum": D("52000"),
        "subsistence_share": D("0.70"),
        "median_income": D("160000"),
        "median_share": D("0.35"),
        "mrp": D("4500"),
        **values,
    }
    with pytest.raises(ValidationError) as error:
        reference_save(by=sysadmin, **data)
    assert message in str(error.value)
    assert not PovertyLineReference.objects.exists()


def test_only_the_system_administrator_keeps_the_table(worker, astana_region):
    with pytest.raises(ValidationError, match="Only the system administrator"):
        reference_save(
            by=worker,
            region=astana_region,
            valid_from=date(2027, 1, 1),
            formula="subsistence_share",
            subsistence_minimum=D("1"),
            subsistence_share=D("0.7"),
            mrp=D("1"),
        )


# Incomes and the income test --------------------------------------------------------------------------------


def test_income_test_of_the_sadykovs_step_by_step(worker, case, child, reference):
    """Applied 10 August 2025 (Astana since May 2025): period April-June 2025; row Q3 2025: median 125,000
    × 35% = 43,750.00 against 46,228 × 70% = 32,359.60 → line 43,750. Wages 150,000 from March:
    450,000 / 3 members / 3 = 50,000.00 > 43,750: not eligible. With the wages ending in April:
    150,000 / 9 = 16,666.67; per member 27,083.33; family 81,249.99; child 1.5 × 3,932 = 5,898.00;
    a month 87,147.99."""
    wages = income_add(
        by=worker,
        case=case,
        person=case.family.head,
        kind=Income.Kind.WAGES,
        monthly_amount=D("150000"),
        first_month=date(2025, 3, 1),
    )
    computation, row, region = income_compute(case, date(2025, 8, 10))
    assert region.code == "710000000" and row.valid_from == date(2025, 7, 1)
    assert computation.poverty_line == D("43750") and computation.branch == "median"
    assert not computation.eligible
    wages.delete()
    income_add(
        by=worker,
        case=case,
        person=case.family.head,
        kind=Income.Kind.WAGES,
        monthly_amount=D("150000"),
        first_month=date(2025, 3, 1),
        last_month=date(2025, 4, 30),
    )
    test = income_test_record(by=worker, case=case, applied_on=date(2025, 8, 10))
    assert test.eligible and test.per_capita == D("16666.67")
    assert test.monthly_total == D("87147.99")
    assert test.result["children"] == 1 and test.result["per_member"] == "27083.33"
    assert actions(case)[-3:] == ["income_added", "income_added", "income_test_recorded"]


@pytest.mark.parametrize(
    ("amount", "first", "last", "message"),
    [
        (D("-100"), date(2025, 1, 1), None, "above zero"),
        (D("0"), date(2025, 1, 1), None, "above zero"),
        (D("50000000"), date(2025, 1, 1), None, "check the amount for a typing error"),
        (D("100000"), "next_month", None, "not future ones"),
        (D("100000"), date(2025, 5, 1), date(2025, 3, 1), "cannot come before the first"),
    ],
)
def test_bad_incomes_are_refused_and_nothing_saved(worker, case, amount, first, last, message):
    if first == "next_month":
        first = timezone.localdate().replace(day=1) + timedelta(days=32)
    with pytest.raises(ValidationError) as error:
        income_add(
            by=worker,
            case=case,
            person=case.family.head,
            kind=Income.Kind.WAGES,
            monthly_amount=amount,
            first_month=first,
            last_month=last,
        )
    assert message in str(error.value)
    assert not Income.objects.exists()


def test_an_income_of_someone_outside_the_family_is_refused(worker, case, survivor_case):
    with pytest.raises(ValidationError, match="members of the family only"):
        income_add(
            by=worker,
            case=case,
            person=survivor_case.person,
            kind=Income.Kind.PENSION,
            monthly_amount=D("50000"),
            first_month=date(2025, 1, 1),
        )
    assert not Income.objects.exists()


def test_an_application_in_the_future_or_without_a_reference_row_is_refused(worker, case, reference):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        income_test_record(by=worker, case=case, applied_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError, match="has no poverty line"):
        income_test_record(by=worker, case=case, applied_on=date(2022, 1, 10))
    assert not IncomeTest.objects.exists()


# The contract -----------------------------------------------------------------------------------------------


def contract(case, worker, **kwargs) -> Contract:
    values = {"representative": case.family.head, "starts_on": date(2025, 9, 1), "language": "kk"} | kwargs
    return contract_create(by=worker, case=case, obligations="Ата-ана жұмыс іздейді.", **values)


def open_tasks(case) -> list[Task]:
    return list(Task.objects.filter(case=case, done_at__isnull=True).order_by("due_on"))


def test_contract_lifecycle_with_monitoring_tasks(worker, case, child):
    sc = contract(case, worker)
    assert sc.number == f"SC-AST-2025-{sc.pk:06d}"
    assert sc.ends_on == date(2026, 2, 28) and sc.status == Contract.Status.DRAFT
    assert not open_tasks(case)

    measure_add(by=worker, contract=sc, person=case.family.head, kind=Measure.Kind.VACANCY_REFERRAL)
    sc = contract_sign(by=worker, contract=sc, signed_on=date(2025, 9, 1))
    assert sc.status == Contract.Status.ACTIVE
    [first] = open_tasks(case)
    assert first.due_on == date(2025, 10, 1) and first.assignee == worker and sc.monitoring_task == first

    monitoring_record(by=worker, contract=sc, checked_on=date(2025, 10, 2), result="fulfilled", note="Жұмысқа барды.")
    first.refresh_from_db()
    assert first.done_at is not None
    [second] = open_tasks(case)
    assert second.due_on == date(2025, 11, 2)

    monitoring_record(by=worker, contract=sc, checked_on=date(2026, 2, 15), result="partly")
    [third] = open_tasks(case)
    assert third.due_on == date(2026, 2, 28)  # never after the end of the contract
    monitoring_record(by=worker, contract=sc, checked_on=date(2026, 2, 28), result="fulfilled")
    assert not open_tasks(case)

    sc = contract_extend(by=worker, contract=sc, new_end=date(2026, 8, 31), reason="Оқу курсы аяқталмады.")
    [after_extension] = open_tasks(case)
    assert after_extension.due_on == date(2026, 3, 28)

    sc = contract_complete(by=worker, contract=sc)
    assert sc.status == Contract.Status.COMPLETED and sc.closed_on == timezone.localdate()
    assert not open_tasks(case)
    assert actions(case) == [
        "case_opened",
        "contract_created",
        "contract_measure_added",
        "task_added",  # the first monitoring, created as the contract comes into force
        "contract_signed",
        *["task_done", "task_added", "contract_monitored"] * 2,
        "task_done",  # the check on the last day: no task after the end
        "contract_monitored",
        "contract_extended",
        "task_added",
        "task_done",
        "contract_completed",
    ]


def test_status_transitions_are_validated(worker, case):
    sc = contract(case, worker)
    with pytest.raises(ValidationError, match="Only a contract in force is monitored"):
        monitoring_record(by=worker, contract=sc, checked_on=date(2025, 9, 5), result="fulfilled")
    with pytest.raises(ValidationError, match="cannot move there"):
        contract_complete(by=worker, contract=sc)
    with pytest.raises(ValidationError, match="Only a contract in force can be extended"):
        contract_extend(by=worker, contract=sc, new_end=date(2026, 9, 1), reason="x")
    sc = contract_terminate(by=worker, contract=sc, reason="family_request")
    assert sc.status == Contract.Status.TERMINATED
    with pytest.raises(ValidationError, match="cannot move there"):
        contract_sign(by=worker, contract=sc, signed_on=date(2025, 9, 1))
    with pytest.raises(ValidationError, match="takes no new measures"):
        measure_add(by=worker, contract=sc, person=case.family.head, kind=Measure.Kind.PUBLIC_WORKS)
    entry = AuditEntry.objects.for_record(case).filter(action="contract_terminated").get()
    assert entry.changes["termination_reason"] == [None, "family_request"]


def test_termination_needs_a_reason_and_ends_the_monitoring(worker, case):
    sc = contract_sign(by=worker, contract=contract(case, worker), signed_on=date(2025, 9, 1))
    with pytest.raises(ValidationError, match="Choose the reason"):
        contract_terminate(by=worker, contract=sc, reason="")
    with pytest.raises(ValidationError, match="Describe the reason"):
        contract_terminate(by=worker, contract=sc, reason="other", text=" ")
    sc = contract_terminate(by=worker, contract=sc, reason="non_fulfilment", text="Үш ай бойы келмеді.")
    assert sc.termination_text == "Үш ай бойы келмеді."
    assert not open_tasks(case)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ends_on": date(2025, 8, 1)}, "cannot end before it starts"),
        ({"representative": "child"}, "represented by an adult member"),
        ({"representative": "stranger"}, "represented by one of its members"),
    ],
)
def test_bad_contracts_are_refused(worker, case, child, survivor_case, kwargs, message):
    if kwargs.get("representative") == "child":
        kwargs["representative"] = child
    elif kwargs.get("representative") == "stranger":
        kwargs["representative"] = survivor_case.person
    with pytest.raises(ValidationError) as error:
        contract(case, worker, **kwargs)
    assert message in str(error.value)
    assert not Contract.objects.exists()


def test_a_measure_for_someone_outside_the_family_is_refused(worker, case, survivor_case):
    sc = contract(case, worker)
    with pytest.raises(ValidationError, match="for a member of the family"):
        measure_add(by=worker, contract=sc, person=survivor_case.person, kind=Measure.Kind.SOCIAL_JOB)
    assert not Measure.objects.exists()


def test_one_open_contract_per_case_and_bad_dates(worker, case):
    sc = contract(case, worker)
    with pytest.raises(ValidationError, match="not yet completed or terminated"):
        contract(case, worker)
    with pytest.raises(ValidationError, match="signing cannot be in the future"):
        contract_sign(by=worker, contract=sc, signed_on=timezone.localdate() + timedelta(days=1))
    sc = contract_sign(by=worker, contract=sc, signed_on=date(2025, 9, 1))
    with pytest.raises(ValidationError, match="before the contract starts"):
        monitoring_record(by=worker, contract=sc, checked_on=date(2025, 8, 1), result="fulfilled")
    with pytest.raises(ValidationError, match="must come after the current one"):
        contract_extend(by=worker, contract=sc, new_end=date(2026, 1, 1), reason="x")


def test_monitoring_tasks_of_a_restricted_case_are_private(worker, survivor_case):
    sc = contract_create(
        by=worker,
        case=survivor_case,
        representative=survivor_case.person,
        starts_on=date(2025, 9, 1),
        language="ru",
    )
    contract_sign(by=worker, contract=sc, signed_on=date(2025, 9, 1))
    [task] = open_tasks(survivor_case)
    assert task.private


def test_a_contract_rests_on_an_income_test_that_found_the_family_eligible(worker, case, reference):
    income_add(
        by=worker,
        case=case,
        person=case.family.head,
        kind=Income.Kind.WAGES,
        monthly_amount=D("400000"),
        first_month=date(2025, 1, 1),
    )
    test = income_test_record(by=worker, case=case, applied_on=date(2025, 8, 10))
    assert not test.eligible
    with pytest.raises(ValidationError, match="above the poverty line"):
        contract(case, worker, income_test=test)
    assert not Contract.objects.exists()
