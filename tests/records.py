"""Records of the plans, contracts, safety and referrals apps on a case, built through their services, for
the registries that visit every URL (tests/test_audit.py, tests/test_authorization_matrix.py)."""

from datetime import date, timedelta

from django.utils import timezone

from qadam.accounts.models import User
from qadam.cases.models import Case
from qadam.contracts.models import Contract, IncomeTest
from qadam.contracts.services import contract_create, income_add, income_test_record, reference_seed
from qadam.directory.models import Organization, Service
from qadam.directory.services import organization_create, service_create
from qadam.kato.models import KatoUnit
from qadam.plans.models import Goal, SupportPlan
from qadam.plans.services import action_add, plan_create
from qadam.referrals.models import Referral
from qadam.referrals.services import referral_prepare
from qadam.safety.models import CrisisStay, ProtectiveMeasure
from qadam.safety.services import measure_add, safety_plan_write, stay_add


def a_plan(case: Case) -> SupportPlan:
    """The case's support plan: one goal with one action by the worker, a review in a month."""
    plan = SupportPlan.objects.filter(case=case).first()
    if plan is None:
        today = timezone.localdate()
        plan = plan_create(
            by=case.owner,
            case=case,
            starts_on=today,
            review_on=today + timedelta(days=30),
            language="kk",
            goals=[{"words": "Тұрақты жұмыс табу", "dimension": "D1"}],
            strengths=["Отбасы тату"],
        )
        action_add(
            by=case.owner,
            goal=plan.goals.get(),
            who="worker",
            user=case.owner,
            what="Еңбек орталығына бару",
            due_on=today,
        )
    return plan


def a_goal(case: Case) -> Goal:
    return a_plan(case).goals.get()


def a_contract(case: Case) -> Contract:
    """A draft social contract with the head of the family as its party, and an income test."""
    contract = Contract.objects.filter(case=case).first()
    if contract is None:
        contract = contract_create(
            by=case.owner, case=case, representative=case.family.head, starts_on=date(2025, 9, 1), language="kk"
        )
    return contract


def an_income_test(case: Case) -> IncomeTest:
    test = IncomeTest.objects.filter(case=case).first()
    if test is None:
        reference_seed(regions=list(KatoUnit.objects.filter(code__in=["710000000", "750000000"])))
        income_add(
            by=case.owner,
            case=case,
            person=case.family.head,
            kind="wages",
            monthly_amount=40_000,
            first_month=date(2025, 1, 1),
        )
        test = income_test_record(by=case.owner, case=case, applied_on=date(2025, 8, 10))
    return test


def an_outside_service() -> Service:
    """A service of an organisation that does not use Qadam."""
    service = Service.objects.filter(organization__agency__isnull=True).first()
    if service is None:
        root = User.objects.filter(role=User.Role.SYSTEM_ADMIN).first() or User.objects.create_user(
            username="root", password="-", role=User.Role.SYSTEM_ADMIN
        )
        organization: Organization = organization_create(
            by=root, name="Үміт", name_en="Umit", description="Legal aid for families"
        )
        service = service_create(by=root, organization=organization, name="Заң көмегі", name_en="Legal aid")
    return service


def a_draft_referral(case: Case) -> Referral:
    """A referral of the case's person to an outside service, prepared but not sent."""
    referral = Referral.objects.filter(case=case).first()
    if referral is None:
        referral = referral_prepare(
            by=case.owner,
            case=case,
            person=case.person,
            service=an_outside_service(),
            items=[Referral.Item.NAME, Referral.Item.SUMMARY],
            summary="Жұмыс іздеуге көмек керек.",
        )
    return referral


def safety_records(case: Case) -> None:
    """On a restricted case: a safety plan, a police protective order and a crisis-centre stay."""
    if ProtectiveMeasure.objects.filter(case=case).exists():
        return
    today = timezone.localdate()
    safety_plan_write(by=case.owner, case=case, sections={"warning_signs": "Ол ішкенде"})
    measure_add(by=case.owner, case=case, kind="police_order", person=case.person, issued_on=today, issued_by="Полиция")
    stay_add(by=case.owner, case=case, person=case.person, centre="Дағдарыс орталығы", from_on=today)


def a_measure(case: Case) -> ProtectiveMeasure:
    return ProtectiveMeasure.objects.get(case=case)


def a_stay(case: Case) -> CrisisStay:
    return CrisisStay.objects.get(case=case)
