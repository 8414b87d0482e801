"""Every URL × every persona × (own, same agency, other agency, restricted), with the expected answer.

The tables below are written by hand from the access rules (DEVELOPERS.md, qadam/cases/access.py), not
computed by the code under test. A URL that is added without an entry in URLS makes
`test_every_url_is_in_the_matrix` fail.

Answers: a record a persona may not open answers 404; one it may open but not change answers 403 to a
write; anonymous visitors are sent to the login page.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import assessment_start
from qadam.cases.models import Case
from qadam.cases.services import case_open, task_add
from qadam.contracts.models import Income
from qadam.families.services import family_register, person_register
from qadam.plans.models import Action, PlanReview
from tests import records
from tests.conftest import login, make_agency, make_user

SCENARIOS = ["own", "same_agency", "other_agency", "restricted"]
PERSONAS = [
    "worker",
    "colleague",
    "supervisor",
    "admin",
    "registrar",
    "coordinator",
    "researcher",
    "sysadmin",
    "other_worker",
]

# W: opens and changes; R: opens, changes nothing; -: does not know it exists.
# "own" is Aigerim's case; "same_agency" Marat's (her colleague); "restricted" Marat's survivor case;
# "other_agency" Yerlan's in Almaty. Bolat supervises Aigerim only; Gulmira coordinates Astana.
# fmt: off
#                own same other restricted
CASES = {
    "worker":       "W - - -",
    "colleague":    "- W - W",
    "supervisor":   "W - - -",
    "admin":        "W W - -",
    "registrar":    "- - - -",
    "coordinator":  "R R - -",
    "researcher":   "- - - -",
    "sysadmin":     "- - - -",
    "other_worker": "- - W -",
}
# Households and people: open within the agency, except restricted ones (only to their case team).
FAMILIES = {
    "worker":       "W W - -",
    "colleague":    "W W - W",
    "supervisor":   "W W - -",
    "admin":        "W W - -",
    "registrar":    "W W - -",
    "coordinator":  "R R - -",
    "researcher":   "- - - -",
    "sysadmin":     "- - - -",
    "other_worker": "- - W -",
}
# Who viewed or changed a case: shown to its team, supervisors and agency administrators
# (x: the case is open to them, its history is not).
HISTORY = {
    "worker":       "R - - -",
    "colleague":    "- R - R",
    "supervisor":   "R - - -",
    "admin":        "R R - -",
    "registrar":    "- - - -",
    "coordinator":  "x x - -",
    "researcher":   "- - - -",
    "sysadmin":     "- - - -",
    "other_worker": "- - R -",
}
# Safety plans, protective measures, crisis stays: the case team of a restricted case alone (supervisors and
# administrators outside the team included); no safety records on other cases.
SAFETY = {
    "worker":       "- - - -",
    "colleague":    "- - - W",
    "supervisor":   "- - - -",
    "admin":        "- - - -",
    "registrar":    "- - - -",
    "coordinator":  "- - - -",
    "researcher":   "- - - -",
    "sysadmin":     "- - - -",
    "other_worker": "- - - -",
}
# fmt: on
# Records that exist only on some cases: these scenarios are skipped for them.
ONLY_ON = {"measure": {"restricted"}, "stay": {"restricted"}}


def table(rows: dict[str, str], persona: str, scenario: str) -> str:
    return rows[persona].split()[SCENARIOS.index(scenario)]


@dataclass(frozen=True)
class Url:
    """How to call a URL: the record it is about and what GET and POST do."""

    # case, family, person, task, case_team, history, assessment, plan, goal, action, contract, income,
    # income_test, safety, measure, stay, or none; "apart" for URLs whose answers depend on more than the
    # case (who decides an approval, which side of a referral or transfer): `apart` names the tests.
    record: str
    get: bool = True  # the URL answers GET (a page or a form)
    post: bool = False  # the URL changes something on POST
    form: bool = False  # its GET is the form of a change: refused to read-only roles too
    apart: str = ""


URLS = {
    "healthz": Url("none"),
    "accounts:login": Url("none"),
    "accounts:logout": Url("none", get=False, post=True),
    "accounts:language": Url("none", get=False, post=True),
    "accounts:security": Url("none"),
    "accounts:agency": Url("none"),
    "accounts:two_factor_verify": Url("none"),
    "accounts:two_factor_enrol": Url("none"),
    "cases:home": Url("none"),
    "cases:list": Url("none"),
    "cases:note_search": Url("none"),
    "cases:emergency": Url("none"),
    "cases:notification_read": Url("none", get=False, post=True),
    "families:list": Url("none"),
    "families:people": Url("none"),
    "families:create": Url("none"),
    "audit:log": Url("none"),
    "cases:create": Url("family", post=True, form=True),
    "cases:detail": Url("case"),
    "cases:print": Url("case"),
    "cases:perpetrator_add": Url("case", get=False, post=True),
    "cases:note_create": Url("case", get=False, post=True),
    "cases:task_create": Url("case", post=True, form=True),
    "cases:status": Url("case", get=False, post=True),
    "cases:close": Url("case", get=False, post=True),
    "cases:reopen": Url("case", get=False, post=True),
    "cases:assign": Url("case", post=True, form=True),
    "cases:team_add": Url("case", post=True, form=True),
    "cases:team_remove": Url("case_team", get=False, post=True),
    "cases:restrict": Url("case", get=False, post=True),
    "cases:task_done": Url("task", get=False, post=True),
    "families:detail": Url("family"),
    "families:member_add": Url("family", post=True, form=True),
    "families:move_add": Url("family", post=True, form=True),
    "families:person_detail": Url("person"),
    "families:person_edit": Url("person", post=True, form=True),
    "consent:person": Url("person", post=True),
    "audit:history": Url("history"),
    "assessments:case": Url("case"),
    "assessments:start": Url("case", get=False, post=True),
    "assessments:detail": Url("assessment"),
    "assessments:section": Url("assessment", post=True, form=True),
    "assessments:review": Url("assessment", form=True),
    "assessments:complete": Url("assessment", get=False, post=True),
    "assessments:phase": Url("assessment", get=False, post=True),
    "assessments:print": Url("assessment"),
    "assessments:family": Url("family"),
    "plans:case": Url("case"),
    "plans:create": Url("case", post=True, form=True),
    "plans:detail": Url("plan"),
    "plans:update": Url("plan", get=False, post=True),
    "plans:new_version": Url("plan", get=False, post=True),
    "plans:goal_add": Url("plan", get=False, post=True),
    "plans:goal_edit": Url("goal", get=False, post=True),
    "plans:action_add": Url("goal", get=False, post=True),
    "plans:action_status": Url("action", get=False, post=True),
    "plans:agreement": Url("plan", post=True, form=True),
    "plans:print": Url("plan"),
    "plans:review_done": Url("review", get=False, post=True),
    "plans:submit": Url("plan", get=False, post=True),
    "plans:goal_remove": Url("goal", get=False, post=True),  # after the other goal URLs: it removes the goal
    "plans:scan": Url("apart", apart="tests/test_plans.py (the scan of a paper agreement)"),
    "plans:approvals": Url("none"),
    "plans:approval": Url("apart", apart="tests/test_plans_approvals.py (only the deciding supervisor)"),
    "plans:approve": Url("apart", get=False, post=True, apart="tests/test_plans_approvals.py"),
    "plans:return": Url("apart", get=False, post=True, apart="tests/test_plans_approvals.py"),
    "contracts:case": Url("case"),
    "contracts:incomes": Url("case", post=True),
    "contracts:computation": Url("case", post=True),
    "contracts:create": Url("case", post=True, form=True),
    "contracts:income_test": Url("income_test"),
    "contracts:detail": Url("contract"),
    "contracts:sign": Url("contract", get=False, post=True),
    "contracts:measure_add": Url("contract", get=False, post=True),
    "contracts:monitoring": Url("contract", post=True, form=True),
    "contracts:extend": Url("contract", post=True, form=True),
    "contracts:print": Url("contract"),
    "contracts:terminate": Url("contract", post=True, form=True),
    "contracts:complete": Url("contract", get=False, post=True),
    "contracts:income_remove": Url("income", get=False, post=True),
    "contracts:reference": Url("none"),
    "contracts:reference_add": Url("none", post=True, form=True),
    "contracts:reference_edit": Url("apart", post=True, form=True, apart="tests/test_contracts_pages.py"),
    "safety:contact_edit": Url("person", post=True, form=True),
    "safety:case": Url("safety"),
    "safety:plan": Url("safety"),
    "safety:plan_edit": Url("safety", post=True, form=True),
    "safety:plan_print": Url("safety"),
    "safety:measure_add": Url("safety", post=True, form=True),
    "safety:stay_add": Url("safety", post=True, form=True),
    "safety:measure_extend": Url("measure", post=True, form=True),
    "safety:violation_add": Url("measure", post=True, form=True),
    "safety:measure_end": Url("measure", post=True, form=True),
    "safety:stay_end": Url("stay", post=True, form=True),
    "referrals:case": Url("case"),
    "referrals:create": Url("case", post=True, form=True),
    "referrals:transfer_create": Url("case", post=True, form=True),
    "referrals:inbox": Url("none"),
    "referrals:detail": Url("apart", apart="tests/test_referrals.py (sender and recipient see different things)"),
    "referrals:confirm": Url("apart", post=True, form=True, apart="tests/test_referrals.py"),
    "referrals:override": Url("apart", get=False, post=True, apart="tests/test_referrals.py (supervisors only)"),
    "referrals:discard": Url("apart", get=False, post=True, apart="tests/test_referrals.py"),
    "referrals:answer": Url("apart", get=False, post=True, apart="tests/test_referrals.py (the receiving side)"),
    "referrals:transfer": Url("apart", apart="tests/test_referrals_transfer.py (both agencies)"),
    "referrals:transfer_accept": Url("apart", get=False, post=True, apart="tests/test_referrals_transfer.py"),
    "referrals:transfer_reject": Url("apart", get=False, post=True, apart="tests/test_referrals_transfer.py"),
    "directory:search": Url("none"),
    "directory:organization_create": Url("none", post=True, form=True),
    "directory:organization": Url("directory"),
    "directory:service": Url("directory"),
    "directory:organization_edit": Url("curation", post=True, form=True),
    "directory:service_create": Url("curation", post=True, form=True),
    "directory:location_create": Url("curation", post=True, form=True),
    "directory:service_edit": Url("curation", post=True, form=True),
    "directory:location_edit": Url("curation", post=True, form=True),
    "directory:service_add": Url("curation", post=True, form=True),
    "directory:service_remove": Url("curation", get=False, post=True),
    "hsds:meta": Url("none"),
    "hsds:services": Url("none"),
    "hsds:service": Url("public"),
    "documents:index": Url("none"),
    "documents:case_pdf": Url("case"),
    "documents:case_list_export": Url("apart", apart="tests/test_documents_exports.py (asks for an export job)"),
    "documents:family_list_export": Url("apart", apart="tests/test_documents_exports.py"),
    "documents:agency_report": Url("apart", apart="tests/test_documents_report.py (roles with the area figures)"),
    "insights:dashboard": Url("none"),
    "insights:card": Url("none"),
    "cohorts:overview": Url("none"),
    "exports:list": Url("none"),
    "exports:research": Url("none", post=True, form=True),
    "exports:detail": Url("apart", apart="tests/test_exports_jobs.py (only the person who asked for the job)"),
    "exports:download": Url("apart", apart="tests/test_exports_jobs.py (only the person who asked, audited)"),
    "assessments:instruments": Url("none"),
    "assessments:instrument_import": Url("none", post=True, form=True),
    "assessments:instrument_offer": Url("none", get=False, post=True),
}


def url_names() -> set[str]:
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(), "")
    return names


def test_every_url_is_in_the_matrix():
    assert url_names() == set(URLS), "add the new URL to URLS with its expected answers"


@pytest.fixture
def world(astana, almaty, worker, supervisor, registrar, researcher, other_worker):
    colleague = make_user("marat", astana, User.Role.SOCIAL_WORKER)
    admin = make_user("saule", astana, User.Role.AGENCY_ADMIN)
    coordinator = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
    coordinator.coordinated_agencies.add(astana)
    sysadmin = make_user("timur", astana, User.Role.SYSTEM_ADMIN)

    def new_case(owner: User, surname: str, kind: str, day: int) -> Case:
        head = person_register(
            by=owner, surname=surname, given_name="Айгүл", birth_date=date(1990, 1, day), sex="female"
        )
        family = family_register(by=owner, head=head)
        case = case_open(by=owner, family=family, person=head, kind=kind, owner=owner)
        task_add(by=owner, case=case, title="Қоңырау шалу", due_on=timezone.localdate(), assignee=owner)
        faa = InstrumentVersion.objects.get(key="faa", offered=True)
        assessment_start(by=owner, case=case, instrument=faa, language="kk")
        records.a_plan(case)
        records.an_income_test(case)
        records.a_contract(case)
        if case.restricted:
            records.safety_records(case)
        return case

    cases = {
        "own": new_case(worker, "Сейітова", Case.Kind.MIGRATION_ADAPTATION, 1),
        "same_agency": new_case(colleague, "Байжанова", Case.Kind.POVERTY, 2),
        "other_agency": new_case(other_worker, "Омарова", Case.Kind.MIGRATION_ADAPTATION, 3),
        "restricted": new_case(colleague, "Тұрсынова", Case.Kind.DOMESTIC_VIOLENCE, 4),
    }
    users = {
        "worker": worker,
        "colleague": colleague,
        "supervisor": supervisor,
        "admin": admin,
        "registrar": registrar,
        "coordinator": coordinator,
        "researcher": researcher,
        "sysadmin": sysadmin,
        "other_worker": other_worker,
    }
    return users, cases


def address(name: str, spec: Url, case: Case) -> str:
    kwargs = {
        "case": {"pk": case.pk},
        "family": {"family_pk": case.family_id} if name == "cases:create" else {"pk": case.family_id},
        "person": {"pk": case.person_id},
        "task": {"pk": case.tasks.order_by("id").first().pk},
        "case_team": {"pk": case.pk, "user_pk": case.owner_id},
        "history": {"target_type": "case", "target_id": case.pk},
        "assessment": {"pk": case.assessments.get().pk, **({"n": 1} if name == "assessments:section" else {})},
        "plan": {"pk": lambda: records.a_plan(case).pk},
        "goal": {"pk": lambda: records.a_goal(case).pk},
        "action": {"pk": lambda: Action.objects.get(goal__plan__case=case).pk},
        "review": {"pk": lambda: PlanReview.objects.get(case=case).pk},
        "contract": {"pk": lambda: records.a_contract(case).pk},
        "income": {"pk": lambda: Income.objects.get(case=case).pk},
        "income_test": {"pk": lambda: records.an_income_test(case).pk},
        "safety": {"pk": case.pk},
        "measure": {"pk": lambda: records.a_measure(case).pk},
        "stay": {"pk": lambda: records.a_stay(case).pk},
    }[spec.record]
    return reverse(name, kwargs={key: value() if callable(value) else value for key, value in kwargs.items()})


def expected(spec: Url, persona: str, scenario: str, method: str) -> str:
    by_case = {"case", "task", "case_team", "assessment", "plan", "goal", "action", "review", "contract", "income"}
    by_case |= {"income_test"}
    rows = {"history": HISTORY, "safety": SAFETY, "measure": SAFETY, "stay": SAFETY}.get(
        spec.record, CASES if spec.record in by_case else FAMILIES
    )
    right = table(rows, persona, scenario)
    if right == "-":
        return "404"
    if right == "x" or (right == "R" and (method == "post" or spec.form)):
        return "403"
    return "ok"


def answer(status: int) -> str:
    if status in (403, 404):
        return str(status)
    assert status < 500, status
    return "ok"


@pytest.mark.parametrize("persona", PERSONAS)
def test_record_urls(world, persona):
    users, cases = world
    client = login(users[persona])
    wrong = []
    for name, spec in URLS.items():
        if spec.record in NOT_BY_CASE:
            continue
        for scenario, case in cases.items():
            if scenario not in ONLY_ON.get(spec.record, set(SCENARIOS)):
                continue
            url = address(name, spec, case)
            for method in [m for m, on in (("get", spec.get), ("post", spec.post)) if on]:
                want = expected(spec, persona, scenario, method)
                got = answer(getattr(client, method)(url).status_code)
                if got != want:
                    wrong.append(f"{method.upper()} {name} [{scenario}]: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_visitors_are_sent_to_login(world):
    _users, cases = world
    client = pytest.importorskip("django.test").Client()
    for name, spec in URLS.items():
        if name in {"healthz", "accounts:login", "accounts:language", "accounts:logout"} or spec.record in NOT_BY_CASE:
            continue
        url = address(name, spec, cases["restricted" if spec.record in ONLY_ON else "own"])
        response = client.get(url) if spec.get else client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


# Records the tests above do not reach through a case: pages about no record, the directory (its own test
# below), and URLs tested apart (Url.apart names where).
NOT_BY_CASE = {"none", "apart", "directory", "curation", "public"}


def test_urls_tested_apart_name_their_tests():
    for name, spec in URLS.items():
        if spec.record == "apart":
            path = spec.apart.split()[0]
            assert (Path(__file__).parent.parent / path).exists(), f"{name}: {path}"


SIGN_IN_PAGES = {"healthz", "accounts:login", "accounts:two_factor_verify", "accounts:two_factor_enrol"}
# Pages about no single record: who gets 403 (everyone else signed in gets the page).
REFUSED = {
    "families:create": {"coordinator", "researcher", "sysadmin"},
    "cases:emergency": set(PERSONAS) - {"supervisor"},
    "audit:log": set(PERSONAS) - {"admin"},
    "accounts:agency": set(PERSONAS) - {"admin"},
    "contracts:reference_add": set(PERSONAS) - {"sysadmin"},
    "directory:search": {"researcher"},
    "directory:organization_create": set(PERSONAS) - {"sysadmin"},
    "insights:dashboard": {"registrar"},
    "insights:card": {"admin", "registrar", "coordinator", "researcher", "sysadmin"},
    "cohorts:overview": {"worker", "colleague", "registrar", "other_worker"},
    "exports:research": set(PERSONAS) - {"admin", "researcher", "sysadmin"},
    "assessments:instruments": set(PERSONAS) - {"admin", "sysadmin"},
    "assessments:instrument_import": set(PERSONAS) - {"sysadmin"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_about_no_single_record(world, persona):
    users, _cases = world
    client = login(users[persona])
    for name, spec in URLS.items():
        if spec.record != "none" or not spec.get or name in SIGN_IN_PAGES:
            continue
        want = 403 if persona in REFUSED.get(name, set()) else 200
        assert client.get(reverse(name)).status_code == want, name


# The service directory: no personal data, read by everyone who works with named records and by system
# administrators; an agency's own organisation is curated by its administrator and by system administrators.
# R: reads, changes nothing (403); W: reads and curates; x: neither (403).
DIRECTORY = {
    "worker": "R",
    "colleague": "R",
    "supervisor": "R",
    "admin": "W",
    "registrar": "R",
    "coordinator": "R",
    "researcher": "x",
    "sysadmin": "W",
    "other_worker": "R",
}


@pytest.fixture
def directory(world):
    from qadam.directory.services import agency_organization, location_create, phone_add, service_create

    users, _cases = world
    organization = agency_organization(users["admin"].agency)
    service = service_create(by=users["admin"], organization=organization, name="Кеңес", name_en="Advice")
    location = location_create(by=users["admin"], organization=organization, name="Кеңсе")
    phone = phone_add(by=users["admin"], service=service, number="+7 7172 00 00 00")
    return {"organization": organization, "service": service, "location": location, "phone": phone}


def directory_address(name: str, records: dict) -> str:
    kwargs = {
        "directory:organization": {"pk": records["organization"].pk},
        "directory:organization_edit": {"pk": records["organization"].pk},
        "directory:service_create": {"pk": records["organization"].pk},
        "directory:location_create": {"pk": records["organization"].pk},
        "directory:location_edit": {"pk": records["location"].pk},
        "directory:service": {"pk": records["service"].pk},
        "directory:service_edit": {"pk": records["service"].pk},
        "directory:service_add": {"pk": records["service"].pk, "kind": "phone"},
        "directory:service_remove": {"pk": records["service"].pk, "kind": "phone", "part_pk": records["phone"].pk},
        "hsds:service": {"pk": records["service"].pk},
    }[name]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
def test_directory_urls(world, directory, persona):
    users, _cases = world
    client = login(users[persona])
    right = DIRECTORY[persona]
    wrong = []
    for name, spec in URLS.items():
        if spec.record not in {"directory", "curation", "public"}:
            continue
        url = directory_address(name, directory)
        for method in [m for m, on in (("get", spec.get), ("post", spec.post)) if on]:
            if spec.record == "public":
                want = "ok"
            elif right == "x" or (spec.record == "curation" and right == "R"):
                want = "403"
            else:
                want = "ok"
            got = answer(getattr(client, method)(url).status_code)
            if got != want:
                wrong.append(f"{method.upper()} {name}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_hsds_api_is_public_and_the_directory_pages_are_not(world, directory):
    from django.test import Client

    anonymous = Client()
    for name, spec in URLS.items():
        if spec.record in {"directory", "curation"} and spec.get:
            response = anonymous.get(directory_address(name, directory))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert anonymous.get(directory_address("hsds:service", directory)).status_code == 200
    assert anonymous.get(reverse("hsds:services")).status_code == 200
