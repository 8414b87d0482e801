"""A small fixed dataset for the dashboard tests, built through the services, with its figures counted by
hand in the comments beside each record (tests/test_insights.py states them again).

Astana centre (region 71): Aigerim and Daulet, both supervised by Bolat; Aisha is the administrator.
Almaty crisis centre (region 75): Yerlan. Dates are relative to today (T) and to P, the first day of the
previous month, so that months since the move come out whole.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.assessments.models import Assessment, InstrumentVersion
from qadam.assessments.services import (
    assessment_answer,
    assessment_complete,
    assessment_phase_override,
    assessment_start,
)
from qadam.cases.models import Case
from qadam.cases.services import case_close, case_open, note_add, task_add, task_complete
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.contracts.services import contract_create, contract_sign
from qadam.directory.services import organization_create, service_create
from qadam.families.models import Family, Move, Person
from qadam.families.services import family_register, move_record, person_register
from qadam.kato.models import KatoUnit
from qadam.plans.approvals import closure_request
from qadam.referrals.models import Referral
from qadam.referrals.services import content_digest, referral_answer, referral_prepare, referral_preview, referral_send
from qadam.safety.services import measure_add
from tests.conftest import make_user

T = timezone.localdate()
P = (T.replace(day=1) - timedelta(days=1)).replace(day=1)
REVERSE = {"D1_5", "D2_5", "D3_2", "D3_6", "D5_6", "D6_6", "D7_6"}


def months_before(day: date, months: int) -> date:
    """The same day of the month, `months` earlier (day is always the 1st here)."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, day.day)


@contextmanager
def at(moment: datetime):
    """Services run as if it were `moment` (referrals sent and answered days ago)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def days_ago(days: int) -> datetime:
    return timezone.make_aware(datetime.combine(T - timedelta(days=days), time(10, 0)))


def faa_answers() -> dict:
    answers = {}
    for d in range(1, 8):
        for k in range(1, 7):
            item = f"D{d}_{k}"
            answers[item] = 1 if item in REVERSE else 3
    answers.update({"B1": 1, "B2": 0, "B3": 1})
    return answers


_serial = iter(range(1, 10_000))


def household(by: User, surname: str, *, moved_on: date | None = None, region: str = "71") -> Family:
    head = person_register(
        by=by, surname=surname, given_name=f"Name{next(_serial)}", birth_date=date(1980, 1, 1), sex=Person.Sex.MALE
    )
    family = family_register(by=by, head=head)
    if moved_on is not None:
        move_record(
            by=by,
            family=family,
            origin_region=KatoUnit.objects.get(code="610000000"),
            origin_area=Move.Area.RURAL,
            destination_region=KatoUnit.objects.get(code=f"{region}0000000"),
            moved_on=moved_on,
            programme=Move.Programme.SELF_MOVING,
            registration=Move.Registration.TEMPORARY,
            housing=Family.Housing.RENTED,
        )
    return family


def open_case(by: User, family: Family, kind: str = Case.Kind.MIGRATION_ADAPTATION, **extra) -> Case:
    return case_open(by=by, family=family, person=family.head, kind=kind, owner=by, **extra)


def faa(by: User, case: Case, on: date, phase: str) -> Assessment:
    version = InstrumentVersion.objects.get(key="faa", version="1.0.0")
    assessment = assessment_start(by=by, case=case, instrument=version, language="ru")
    assessment_answer(by=by, assessment=assessment, answers=faa_answers())
    assessment = assessment_complete(by=by, assessment=assessment, assessed_on=on)
    return assessment_phase_override(by=by, assessment=assessment, phase=phase, reason="Seen at the visit")


def refer(by: User, case: Case, service, *, sent: datetime) -> Referral:
    with at(sent):
        referral = referral_prepare(
            by=by, case=case, person=case.person, service=service, items=[Referral.Item.NAME], summary=""
        )
        checked = content_digest(referral_preview(referral=referral, user=by))
        return referral_send(by=by, referral=referral, checked=checked)


def answer(by: User, referral: Referral, steps: list[tuple[str, datetime]]) -> None:
    for status, moment in steps:
        with at(moment):
            reason = "No places" if status in Referral.NEEDS_REASON else ""
            referral = referral_answer(by=by, referral=referral, to_status=status, reason=reason)


@dataclass
class Data:
    astana: Agency
    almaty: Agency
    aigerim: User
    daulet: User
    bolat: User
    aisha: User
    yerlan: User
    survivor_case: Case
    cases: dict[str, Case]


def build(astana: Agency, almaty: Agency) -> Data:
    """The dataset; each comment says what it adds to the figures."""
    bolat = make_user("bolat", astana, User.Role.SUPERVISOR)
    aigerim = make_user("aigerim", astana, User.Role.SOCIAL_WORKER)
    daulet = make_user("daulet", astana, User.Role.SOCIAL_WORKER)
    for user in (aigerim, daulet):
        user.supervisor = bolat
        user.save(update_fields=["supervisor"])
    aisha = make_user("aisha", astana, User.Role.AGENCY_ADMIN)
    yerlan = make_user("yerlan", almaty, User.Role.SOCIAL_WORKER)
    cases: dict[str, Case] = {}

    # c1: Aigerim, high priority, opened T-60, no note (no contact). FAA crisis at 6 months, then
    # stabilisation at 14 months (P): 14 months to stabilisation; latest phase stabilisation.
    f1 = household(aigerim, "Абенов", moved_on=months_before(P, 14))
    cases["c1"] = open_case(aigerim, f1, priority=Case.Priority.HIGH, opened_on=T - timedelta(days=60))
    faa(aigerim, cases["c1"], months_before(P, 8), "crisis")
    faa(aigerim, cases["c1"], P, "stabilisation")
    # c2: Aigerim, opened T-60, a note today (in contact). Integration at 8 months: 8 months.
    f2 = household(aigerim, "Бекова", moved_on=months_before(P, 8))
    cases["c2"] = open_case(aigerim, f2, opened_on=T - timedelta(days=60))
    note_add(by=aigerim, case=cases["c2"], contact="call", contact_on=T, text="Spoke on the phone")
    faa(aigerim, cases["c2"], P, "integration")
    # c3: Aigerim, opened T-120, no note. Crisis at T-100: a reassessment is due. Closure asked (1 approval).
    f3 = household(aigerim, "Ветров")
    cases["c3"] = open_case(aigerim, f3, opened_on=T - timedelta(days=120))
    faa(aigerim, cases["c3"], T - timedelta(days=100), "crisis")
    closure_request(by=aigerim, case=cases["c3"], reason=Case.ClosingReason.GOALS_MET)
    # c4: Aigerim, domestic violence (restricted), urgent, opened T-45, no note. Two police orders: issued
    # T-40 (ended T-10: expired) and T-5 (in force).
    survivor = household(aigerim, "Жанова")
    survivor_case = open_case(
        aigerim,
        survivor,
        kind=Case.Kind.DOMESTIC_VIOLENCE,
        priority=Case.Priority.URGENT,
        opened_on=T - timedelta(days=45),
    )
    for issued in (T - timedelta(days=40), T - timedelta(days=5)):
        measure_add(
            by=aigerim,
            case=survivor_case,
            kind="police_order",
            person=survivor.head,
            issued_on=issued,
            issued_by="Police",
        )
    # c5: Aigerim, poverty, opened T-30 and closed today.
    cases["c5"] = open_case(aigerim, household(aigerim, "Гаева"), kind=Case.Kind.POVERTY, opened_on=T - timedelta(30))
    case_close(by=aigerim, case=cases["c5"], reason=Case.ClosingReason.GOALS_MET)
    # Aigerim's tasks: one overdue (T-3), one this week (T+2), one later (T+20), one done.
    for due in (T - timedelta(days=3), T + timedelta(days=2), T + timedelta(days=20)):
        task_add(by=aigerim, case=cases["c1"], title="Visit", due_on=due, assignee=aigerim)
    done = task_add(by=aigerim, case=cases["c1"], title="Call", due_on=T + timedelta(days=1), assignee=aigerim)
    task_complete(by=aigerim, task=done)

    # c6, c7: Daulet, poverty, opened T-10. c6: stabilisation at 20 months (P): 20 months. A draft contract
    # on c7 and a signed one (active) on c6.
    f6 = household(daulet, "Дауров", moved_on=months_before(P, 20))
    cases["c6"] = open_case(daulet, f6, kind=Case.Kind.POVERTY, opened_on=T - timedelta(days=10))
    faa(daulet, cases["c6"], P, "stabilisation")
    cases["c7"] = open_case(daulet, household(daulet, "Ерова"), kind=Case.Kind.POVERTY, opened_on=T - timedelta(10))
    signed = contract_create(
        by=daulet, case=cases["c6"], representative=f6.head, starts_on=T - timedelta(days=7), language="kk"
    )
    contract_sign(by=daulet, contract=signed, signed_on=T - timedelta(days=7))
    contract_create(
        by=daulet, case=cases["c7"], representative=cases["c7"].person, starts_on=T - timedelta(days=7), language="kk"
    )
    # Referrals to an organisation outside Qadam (the sender records the answers): from c6, completed
    # after 6 days and after 12 days, and declined; from c2 (Aigerim), one waiting (its follow-up task
    # is due in 5 days: this week).
    root = make_user("root", None, User.Role.SYSTEM_ADMIN)
    ngo = organization_create(by=root, name="Umit", name_en="Umit", description="Legal aid")
    service = service_create(by=root, organization=ngo, name="Legal aid", name_en="Legal aid")
    for person, by in ((f6.head, daulet), (f2.head, aigerim)):
        consent_record(
            by=by,
            person=person,
            purpose=Consent.Purpose.SHARING,
            decision=Consent.Decision.GIVEN,
            how="paper",
            recipient_organization=ngo,
        )
    S = Referral.Status
    r1 = refer(daulet, cases["c6"], service, sent=days_ago(10))
    answer(daulet, r1, [(S.ACCEPTED, days_ago(9)), (S.IN_SERVICE, days_ago(8)), (S.COMPLETED, days_ago(4))])
    r2 = refer(daulet, cases["c6"], service, sent=days_ago(20))
    answer(daulet, r2, [(S.ACCEPTED, days_ago(19)), (S.IN_SERVICE, days_ago(18)), (S.COMPLETED, days_ago(8))])
    r3 = refer(daulet, cases["c6"], service, sent=days_ago(5))
    answer(daulet, r3, [(S.DECLINED, days_ago(4))])
    refer(aigerim, cases["c2"], service, sent=timezone.now())

    # Almaty: Yerlan's c8 (integration at P, 10 months) and c9 (closed today), both migration.
    f8 = household(yerlan, "Жумаев", moved_on=months_before(P, 10), region="75")
    cases["c8"] = open_case(yerlan, f8, opened_on=T - timedelta(days=20))
    faa(yerlan, cases["c8"], P, "integration")
    cases["c9"] = open_case(yerlan, household(yerlan, "Зейнов", region="75"), opened_on=T - timedelta(days=20))
    case_close(by=yerlan, case=cases["c9"], reason=Case.ClosingReason.MOVED_AWAY)
    return Data(astana, almaty, aigerim, daulet, bolat, aisha, yerlan, survivor_case, cases)
