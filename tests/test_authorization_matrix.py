"""Every URL × every persona × (own, same agency, other agency, restricted), with the expected answer.

The tables below are written by hand from the access rules (DEVELOPERS.md, qadam/cases/access.py), not
computed by the code under test. A URL that is added without an entry in URLS makes
`test_every_url_is_in_the_matrix` fail.

Answers: a record a persona may not open answers 404; one it may open but not change answers 403 to a
write; anonymous visitors are sent to the login page.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import assessment_start
from qadam.cases.models import Case
from qadam.cases.services import case_open, task_add
from qadam.families.services import family_register, person_register
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
# fmt: on


def table(rows: dict[str, str], persona: str, scenario: str) -> str:
    return rows[persona].split()[SCENARIOS.index(scenario)]


@dataclass(frozen=True)
class Url:
    """How to call a URL: the record it is about and what GET and POST do."""

    record: str  # case, family, person, task, case_team, history, assessment, or none
    get: bool = True  # the URL answers GET (a page or a form)
    post: bool = False  # the URL changes something on POST
    form: bool = False  # its GET is the form of a change: refused to read-only roles too


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
        "task": {"pk": case.tasks.get().pk},
        "case_team": {"pk": case.pk, "user_pk": case.owner_id},
        "history": {"target_type": "case", "target_id": case.pk},
        "assessment": {"pk": case.assessments.get().pk, **({"n": 1} if name == "assessments:section" else {})},
    }[spec.record]
    return reverse(name, kwargs=kwargs)


def expected(spec: Url, persona: str, scenario: str, method: str) -> str:
    rows = {"case": CASES, "task": CASES, "case_team": CASES, "history": HISTORY, "assessment": CASES}.get(
        spec.record, FAMILIES
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
        if spec.record == "none":
            continue
        for scenario, case in cases.items():
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
        if name in {"healthz", "accounts:login", "accounts:language", "accounts:logout"} or spec.record == "none":
            continue
        url = address(name, spec, cases["own"])
        response = client.get(url) if spec.get else client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


SIGN_IN_PAGES = {"healthz", "accounts:login", "accounts:two_factor_verify", "accounts:two_factor_enrol"}
# Pages about no single record: who gets 403 (everyone else signed in gets the page).
REFUSED = {
    "families:create": {"coordinator", "researcher", "sysadmin"},
    "cases:emergency": set(PERSONAS) - {"supervisor"},
    "audit:log": set(PERSONAS) - {"admin"},
    "accounts:agency": set(PERSONAS) - {"admin"},
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
