"""Writes for conditional social assistance: the poverty-line reference table (system administrator), the
family's incomes and income test, and the social contract with its measures, monthly monitoring,
extension, completion and termination; each validated, atomic and audited.

The calculation itself is the pure `qadam.contracts.poverty.compute`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.accounts.models import User
from qadam.audit.services import CHANGED, audit_record, field_changes
from qadam.cases.models import Case, Task
from qadam.cases.services import task_add, task_complete
from qadam.contracts import poverty
from qadam.contracts.models import Contract, Extension, Income, IncomeTest, Measure, Monitoring, PovertyLineReference
from qadam.families.models import Person
from qadam.kato.models import KatoUnit

# A monthly income above this is taken for a typing error (a zero too many): families tested for
# assistance live near the poverty line (about 30,000-50,000 tenge a month), and 5 million tenge is
# more than a hundred times that. Legitimate higher incomes would fail the test anyway.
INCOME_CEILING = Decimal("5000000")
ADULT_AGE = 18
TERM_MONTHS = 6
MONITORING_EVERY_MONTHS = 1


# The reference table ----------------------------------------------------------------------------------------


def _check_system_admin(by: User) -> None:
    if by.role != User.Role.SYSTEM_ADMIN:
        raise ValidationError(_("Only the system administrator maintains the poverty-line reference table."))


def _overlapping(row: PovertyLineReference) -> PovertyLineReference | None:
    others = PovertyLineReference.objects.select_for_update().filter(region=row.region).exclude(pk=row.pk)
    if row.valid_to is not None:
        others = others.filter(valid_from__lte=row.valid_to)
    return others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=row.valid_from)).order_by("valid_from").first()


@transaction.atomic
def reference_save(
    *, by: User | None, reference: PovertyLineReference | None = None, **values: Any
) -> PovertyLineReference:
    """Add a dated row of the poverty-line reference (or correct one); periods of a region never overlap."""
    if by is not None:
        _check_system_admin(by)
    before = None
    if reference is None:
        row = PovertyLineReference()
    else:
        row = PovertyLineReference.objects.select_for_update().get(pk=reference.pk)
        before = PovertyLineReference.objects.get(pk=row.pk)
    for name, value in values.items():
        if name not in PovertyLineReference.FIELDS:
            raise TypeError(name)
        setattr(row, name, value)
    if row.formula == PovertyLineReference.Formula.SUBSISTENCE_SHARE:
        row.median_income = row.median_share = None  # not used by this rule: kept empty, never misleading
    row.changed_by = by
    row.full_clean()
    clash = _overlapping(row)
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": _(
                    "This period overlaps the row of the same region that applies from %(start)s. "
                    "End that row first, or choose other dates."
                )
                % {"start": clash.valid_from.isoformat()}
            }
        )
    row.save()
    if by is not None:
        changes = field_changes(before, row, PovertyLineReference.FIELDS)
        if before is None:
            audit_record(actor=by, action="poverty_reference_added", obj=row, changes=changes)
        else:
            audit_record(actor=by, action="poverty_reference_changed", obj=row, changes=changes)
    return row


def reference_for(region: KatoUnit, on: date) -> PovertyLineReference | None:
    return (
        PovertyLineReference.objects.filter(region=region, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("region")
        .first()
    )


# Seed rows for the demonstration and tests. From the domain notes (shared/domain/kazakhstan.md §B.2):
# 70% of the subsistence minimum to the end of 2024, 40,567 tenge from 1 July 2023 (a national figure,
# used here for every region); from 2025 the larger of 35% of the median income and 70% of the
# subsistence minimum; 1.5 MRP per child aged 1 to 6. Not in the notes, hence marked illustrative:
# the MRP of each year, the subsistence minimum after 2023 and every median income.
SEED_NOTE = "shared/domain/kazakhstan.md §B.2"
SEED_ROWS: list[dict[str, Any]] = [
    {"valid_from": date(2023, 7, 1), "valid_to": date(2023, 12, 31), "sm": "40567", "mrp": "3450"},
    {"valid_from": date(2024, 1, 1), "valid_to": date(2024, 12, 31), "sm": "40567", "mrp": "3692"},
    *(
        {
            "valid_from": date(year, month, 1),
            "valid_to": poverty.add_months(date(year, month, 1), 3) - timedelta(days=1),
            "sm": sm,
            "mrp": mrp,
            "median": median,
        }
        for year, sm, mrp, medians in (
            (2025, "46228", "3932", ("120000", "80000", "125000", "130000")),
            (2026, "50851", "4325", ("135000", "140000", "145000", "150000")),
        )
        for month, median in zip((1, 4, 7, 10), medians, strict=True)
    ),
]


def reference_seed(*, regions: list[KatoUnit] | None = None) -> int:
    """Put the seed rows in for the regions (all by default) where that region has no row yet; the count."""
    regions = regions or list(KatoUnit.objects.filter(level=KatoUnit.Level.REGION))
    created = 0
    for region in regions:
        if PovertyLineReference.objects.filter(region=region).exists():
            continue
        for seed in SEED_ROWS:
            median = seed.get("median")
            reference_save(
                by=None,
                region=region,
                valid_from=seed["valid_from"],
                valid_to=seed["valid_to"],
                formula=poverty.MAX_MEDIAN_SUBSISTENCE if median else poverty.SUBSISTENCE_SHARE,
                subsistence_minimum=Decimal(seed["sm"]),
                subsistence_share=Decimal("0.70"),
                median_income=Decimal(median) if median else None,
                median_share=Decimal("0.35") if median else None,
                mrp=Decimal(seed["mrp"]),
                child_supplement_mrp=Decimal("1.5"),
                # Only the 2023 row is wholly from the notes (40,567 and 70%); its MRP is not: illustrative.
                illustrative=True,
                source=SEED_NOTE,
            )
            created += 1
    return created


# Incomes and the income test --------------------------------------------------------------------------------


def _check_case(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("The case is closed. Reopen it to change the income test or the contract."))


def _check_member(case: Case, person: Person, field: str, message: str) -> None:
    if not case.family.memberships.filter(person=person).exists():
        raise ValidationError({field: message})


@transaction.atomic
def income_add(
    *,
    by: User,
    case: Case,
    person: Person,
    kind: str,
    monthly_amount: Decimal,
    first_month: date,
    last_month: date | None = None,
) -> Income:
    _check_case(case)
    _check_member(case, person, "person", _("Incomes are recorded for members of the family only."))
    if monthly_amount is None or monthly_amount <= 0:
        raise ValidationError({"monthly_amount": _("Enter the amount received a month, above zero.")})
    if monthly_amount > INCOME_CEILING:
        raise ValidationError(
            {"monthly_amount": _("More than 5,000,000 tenge a month: check the amount for a typing error.")}
        )
    this_month = poverty.month_start(timezone.localdate())
    first_month = poverty.month_start(first_month)
    last_month = poverty.month_start(last_month) if last_month else None
    if first_month > this_month or (last_month is not None and last_month > this_month):
        raise ValidationError({"first_month": _("An income is recorded for months that have begun, not future ones.")})
    if last_month is not None and last_month < first_month:
        raise ValidationError({"last_month": _("The last month cannot come before the first.")})
    income = Income(
        case=case,
        person=person,
        kind=kind,
        monthly_amount=monthly_amount,
        first_month=first_month,
        last_month=last_month,
        recorded_by=by,
    )
    income.full_clean()
    income.save()
    audit_record(
        actor=by,
        action="income_added",
        obj=case,
        changes={"income": [None, income.pk], "kind": [None, kind], "monthly_amount": [None, str(monthly_amount)]},
    )
    return income


@transaction.atomic
def income_remove(*, by: User, income: Income) -> None:
    """Take back an income entered by mistake; recorded income tests keep the figures they used."""
    _check_case(income.case)
    audit_record(
        actor=by,
        action="income_removed",
        obj=income.case,
        changes={"income": [income.pk, None], "monthly_amount": [str(income.monthly_amount), None]},
    )
    income.delete()


def family_region(case: Case, on: date) -> KatoUnit:
    """Where the family lives for the test: the destination of its latest move up to that date, or else the
    region of the agency that works with it."""
    move = case.family.moves.filter(moved_on__lte=on).select_related("destination_region").order_by("-moved_on").first()
    return move.destination_region if move is not None else case.agency.region


def members_and_incomes(case: Case) -> tuple[list[Person], list[Income]]:
    people = [m.person for m in case.family.memberships.select_related("person").order_by("person__birth_date", "pk")]
    incomes = list(Income.objects.filter(case=case).select_related("person").order_by("person_id", "first_month", "pk"))
    return people, incomes


def income_compute(case: Case, on: date) -> tuple[poverty.Computation, PovertyLineReference, KatoUnit]:
    """The income test of the case's family as of a date of application (nothing saved)."""
    if on > timezone.localdate():
        raise ValidationError({"applied_on": _("The date of application cannot be in the future.")})
    region = family_region(case, on)
    reference = reference_for(region, on)
    if reference is None:
        raise ValidationError(
            {
                "applied_on": _(
                    "The reference table has no poverty line for %(region)s on %(date)s. "
                    "Ask the system administrator to add it."
                )
                % {"region": region.name, "date": on.isoformat()}
            }
        )
    people, incomes = members_and_incomes(case)
    computation = poverty.compute(
        applied_on=on,
        members=[poverty.Member(key=p.pk, birth_date=p.birth_date) for p in people],
        incomes=[
            poverty.Income(
                member=i.person_id,
                kind=i.kind,
                monthly_amount=i.monthly_amount,
                first_month=i.first_month,
                last_month=i.last_month,
                key=i.pk,
            )
            for i in incomes
        ],
        rule=reference.as_rule(),
    )
    return computation, reference, region


@transaction.atomic
def income_test_record(*, by: User, case: Case, applied_on: date) -> IncomeTest:
    _check_case(case)
    computation, reference, region = income_compute(case, applied_on)
    test = IncomeTest(
        case=case,
        applied_on=applied_on,
        region=region,
        reference=reference,
        result=computation.as_dict(),
        eligible=computation.eligible,
        per_capita=computation.per_capita,
        poverty_line=computation.poverty_line,
        monthly_total=computation.monthly_total,
        recorded_by=by,
    )
    test.full_clean()
    test.save()
    audit_record(
        actor=by,
        action="income_test_recorded",
        obj=case,
        changes={"income_test": [None, test.pk], "eligible": [None, test.eligible]},
    )
    return test


# The contract -----------------------------------------------------------------------------------------------


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("case__family", "case__owner").get(pk=contract.pk)


def _check_move(contract: Contract, to_status: str) -> None:
    if to_status not in Contract.FLOW[contract.status]:
        raise ValidationError(_("A contract in this status cannot move there. Reload the page to see its status."))


def _check_adult_member(case: Case, person: Person, on: date) -> None:
    _check_member(case, person, "representative", _("The family is represented by one of its members."))
    if person.age_on(on) < ADULT_AGE:
        raise ValidationError({"representative": _("The family is represented by an adult member.")})


def default_end(starts_on: date) -> date:
    """Six months: from 1 March to 31 August."""
    return poverty.add_months(starts_on, TERM_MONTHS) - timedelta(days=1)


@transaction.atomic
def contract_create(
    *,
    by: User,
    case: Case,
    representative: Person,
    starts_on: date,
    language: str,
    ends_on: date | None = None,
    obligations: str = "",
    income_test: IncomeTest | None = None,
) -> Contract:
    _check_case(case)
    _check_adult_member(case, representative, starts_on)
    if income_test is not None and income_test.case_id != case.pk:
        raise ValidationError({"income_test": _("Choose an income test of this case.")})
    if income_test is not None and not income_test.eligible:
        raise ValidationError({"income_test": _("This income test found the family above the poverty line.")})
    if Contract.objects.filter(case=case, status__in=[Contract.Status.DRAFT, Contract.Status.ACTIVE]).exists():
        raise ValidationError(_("This case has a contract that is not yet completed or terminated."))
    contract = Contract(
        case=case,
        agency_id=case.agency_id,
        representative=representative,
        income_test=income_test,
        starts_on=starts_on,
        ends_on=ends_on or default_end(starts_on),
        language=language,
        obligations=obligations,
        created_by=by,
    )
    contract.full_clean()
    contract.save()
    contract.number = f"SC-{case.agency.code.upper()}-{starts_on:%Y}-{contract.pk:06d}"
    contract.save(update_fields=["number"])
    audit_record(
        actor=by,
        action="contract_created",
        obj=case,
        changes={"contract": [None, contract.pk], "ends_on": [None, contract.ends_on.isoformat()]},
    )
    return contract


def _monitoring_task(*, by: User, contract: Contract, due_on: date) -> Task:
    case = contract.case
    return task_add(
        by=by,
        case=case,
        title=_("Monthly monitoring of social contract %(number)s") % {"number": contract.number},
        due_on=due_on,
        assignee=case.owner,
        private=case.restricted,  # a restricted matter: only the case team and the assignee see its tasks
    )


def _next_monitoring(*, by: User, contract: Contract, after: date) -> None:
    """Complete the open monitoring task and set the next one a month on (at the latest on the end date)."""
    if contract.monitoring_task_id is not None:
        task_complete(by=by, task=contract.monitoring_task)  # type: ignore[arg-type]
    due = min(poverty.add_months(after, MONITORING_EVERY_MONTHS), contract.ends_on)
    contract.monitoring_task = (
        _monitoring_task(by=by, contract=contract, due_on=due) if after < contract.ends_on else None
    )
    contract.save(update_fields=["monitoring_task", "updated_at"])


@transaction.atomic
def contract_sign(*, by: User, contract: Contract, signed_on: date) -> Contract:
    """The contract signed by both parties comes into force; its first monitoring becomes a task."""
    contract = _lock(contract)
    _check_case(contract.case)
    _check_move(contract, Contract.Status.ACTIVE)
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("The date of signing cannot be in the future.")})
    _check_adult_member(contract.case, contract.representative, signed_on)
    contract.status = Contract.Status.ACTIVE
    contract.signed_on = signed_on
    contract.save(update_fields=["status", "signed_on", "updated_at"])
    _next_monitoring(by=by, contract=contract, after=max(contract.starts_on, signed_on))
    audit_record(
        actor=by,
        action="contract_signed",
        obj=contract.case,
        changes={"contract": contract.pk, "status": [Contract.Status.DRAFT, Contract.Status.ACTIVE]},
    )
    return contract


@transaction.atomic
def measure_add(
    *, by: User, contract: Contract, person: Person, kind: str, details: str = "", due_on: date | None = None
) -> Measure:
    contract = _lock(contract)
    _check_case(contract.case)
    if not contract.is_open:
        raise ValidationError(_("The contract is completed or terminated: it takes no new measures."))
    _check_member(contract.case, person, "person", _("A measure is for a member of the family."))
    measure = Measure(contract=contract, person=person, kind=kind, details=details, due_on=due_on)
    measure.full_clean()
    measure.save()
    audit_record(
        actor=by,
        action="contract_measure_added",
        obj=contract.case,
        changes={"contract": contract.pk, "measure": [None, kind], "details": CHANGED if details else [None, None]},
    )
    return measure


@transaction.atomic
def monitoring_record(*, by: User, contract: Contract, checked_on: date, result: str, note: str = "") -> Monitoring:
    """A monthly check; it completes the monitoring task and sets the next one."""
    contract = _lock(contract)
    _check_case(contract.case)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only a contract in force is monitored."))
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The date of the check cannot be in the future.")})
    if checked_on < contract.starts_on:
        raise ValidationError({"checked_on": _("The check cannot come before the contract starts.")})
    entry = Monitoring(contract=contract, checked_on=checked_on, result=result, note=note, recorded_by=by)
    entry.full_clean()
    entry.save()
    _next_monitoring(by=by, contract=contract, after=checked_on)
    audit_record(
        actor=by,
        action="contract_monitored",
        obj=contract.case,
        changes={"contract": contract.pk, "result": [None, result], "note": CHANGED if note else [None, None]},
    )
    return entry


@transaction.atomic
def contract_extend(*, by: User, contract: Contract, new_end: date, reason: str) -> Contract:
    contract = _lock(contract)
    _check_case(contract.case)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError(_("Only a contract in force can be extended."))
    if new_end <= contract.ends_on:
        raise ValidationError({"new_end": _("The new end date must come after the current one.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the contract is extended.")})
    extension = Extension(
        contract=contract, previous_end=contract.ends_on, new_end=new_end, reason=reason.strip(), by=by
    )
    extension.full_clean()
    extension.save()
    audit_record(
        actor=by,
        action="contract_extended",
        obj=contract.case,
        changes={"contract": contract.pk, "ends_on": [contract.ends_on.isoformat(), new_end.isoformat()]},
    )
    contract.ends_on = new_end
    contract.save(update_fields=["ends_on", "updated_at"])
    if contract.monitoring_task_id is None:  # the last check was on the old end date: monitoring goes on
        last = contract.monitoring.order_by("-checked_on").values_list("checked_on", flat=True).first()
        _next_monitoring(by=by, contract=contract, after=last or contract.starts_on)
    return contract


def _close(*, by: User, contract: Contract, to_status: str, action: str, changes: dict[str, Any]) -> Contract:
    _check_move(contract, to_status)
    before = contract.status
    contract.status = to_status
    contract.closed_on = timezone.localdate()
    contract.save(update_fields=["status", "closed_on", "termination_reason", "termination_text", "updated_at"])
    if contract.monitoring_task_id is not None:
        task_complete(by=by, task=contract.monitoring_task)  # type: ignore[arg-type]
    audit_record(
        actor=by,
        action=action,
        obj=contract.case,
        changes={"contract": contract.pk, "status": [before, to_status], **changes},
    )
    return contract


@transaction.atomic
def contract_complete(*, by: User, contract: Contract) -> Contract:
    contract = _lock(contract)
    _check_case(contract.case)
    return _close(
        by=by, contract=contract, to_status=Contract.Status.COMPLETED, action="contract_completed", changes={}
    )


@transaction.atomic
def contract_terminate(*, by: User, contract: Contract, reason: str, text: str = "") -> Contract:
    contract = _lock(contract)
    _check_case(contract.case)
    if reason not in Contract.TerminationReason.values:
        raise ValidationError({"reason": _("Choose the reason for terminating the contract.")})
    if reason == Contract.TerminationReason.OTHER and not text.strip():
        raise ValidationError({"text": _("Describe the reason in a sentence.")})
    contract.termination_reason = reason
    contract.termination_text = text.strip()
    return _close(
        by=by,
        contract=contract,
        to_status=Contract.Status.TERMINATED,
        action="contract_terminated",
        changes={"termination_reason": [None, reason], "termination_text": CHANGED if text.strip() else [None, None]},
    )
