"""The three demo agencies and their named staff, shared by `qadam demo` and `qadam synth`."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from qadam.accounts.models import Agency, User
from qadam.kato.models import KatoUnit
from qadam.kato.regions import region_kato_code

DEMO_PASSWORD = "qadam-demo-2026"  # noqa: S105 - printed on screen for people trying the demo
URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class AgencyProfile:
    """What a demo agency is and does: its names, region and the kinds of case it mostly opens."""

    code: str
    region: str
    kind: str
    name_kk: str
    name_ru: str
    name_en: str
    case_kinds: dict[str, int]  # Case.Kind value -> weight
    share_russian: float  # share of families who name themselves the Russian way


AGENCIES = [
    AgencyProfile(
        "ast",
        "71",
        Agency.Kind.SOCIAL_SERVICE_CENTRE,
        "Астана қаласының әлеуметтік қызметтер көрсету орталығы",
        "Центр оказания социальных услуг города Астаны",
        "Astana Social Services Centre",
        {"migration_adaptation": 5, "poverty": 3, "child_wellbeing": 2},
        0.25,
    ),
    AgencyProfile(
        "alm",
        "75",
        Agency.Kind.CRISIS_CENTRE,
        "«Шаңырақ» дағдарыс орталығы",
        "Кризисный центр «Шанырак»",
        "Shanyrak Crisis Centre",
        {"domestic_violence": 7, "child_wellbeing": 2, "other": 1},
        0.3,
    ),
    AgencyProfile(
        "shy",
        "79",
        Agency.Kind.CAREER_CENTRE,
        "Шымкент қаласының мансап орталығы",
        "Центр карьеры города Шымкент",
        "Shymkent Career Centre",
        {"migration_adaptation": 6, "poverty": 4},
        0.1,
    ),
]

R = User.Role
# Agency code -> (username, first name, last name, role, interface language). Astana's people are the
# personas of the tests: Aigerim the worker, Bolat her supervisor, Dana the registrar, Raushan the researcher.
STAFF: dict[str, list[tuple[str, str, str, str, str]]] = {
    "ast": [
        ("dana", "Дана", "Ермекова", R.REGISTRAR, "kk"),
        ("aigerim", "Айгерім", "Сәрсенова", R.SOCIAL_WORKER, "kk"),
        ("marat", "Марат", "Оспанов", R.SOCIAL_WORKER, "kk"),
        ("olga", "Ольга", "Кузнецова", R.SOCIAL_WORKER, "ru"),
        ("bolat", "Болат", "Жақыпов", R.SUPERVISOR, "kk"),
        ("saule", "Сәуле", "Әбенова", R.AGENCY_ADMIN, "kk"),
        ("raushan", "Раушан", "Төлеуова", R.RESEARCHER, "en"),
        ("gulmira", "Гүлмира", "Сейітова", R.REGIONAL_COORDINATOR, "kk"),
        ("kairat", "Қайрат", "Бекенов", R.SYSTEM_ADMIN, "ru"),
    ],
    "alm": [
        ("aliya", "Әлия", "Құлмағамбетова", R.REGISTRAR, "kk"),
        ("yerlan", "Ерлан", "Нұрғалиев", R.SOCIAL_WORKER, "kk"),
        ("zhanar", "Жанар", "Ибраева", R.SOCIAL_WORKER, "kk"),
        ("svetlana", "Светлана", "Ким", R.SOCIAL_WORKER, "ru"),
        ("gulnara", "Гүлнара", "Исаева", R.SUPERVISOR, "ru"),
        ("timur", "Тимур", "Ахметов", R.AGENCY_ADMIN, "ru"),
        ("irina", "Ирина", "Павлова", R.RESEARCHER, "ru"),
    ],
    "shy": [
        ("madina", "Мәдина", "Тұрсынова", R.REGISTRAR, "kk"),
        ("nurlan", "Нұрлан", "Байжанов", R.SOCIAL_WORKER, "kk"),
        ("daulet", "Дәулет", "Серікбаев", R.SOCIAL_WORKER, "kk"),
        ("akbota", "Ақбота", "Үсенова", R.SOCIAL_WORKER, "kk"),
        ("serik", "Серік", "Әлімжанов", R.SUPERVISOR, "kk"),
        ("gaukhar", "Гауһар", "Смағұлова", R.AGENCY_ADMIN, "kk"),
        ("askar", "Асқар", "Молдағалиев", R.RESEARCHER, "en"),
    ],
}


def demo_loaded() -> bool:
    return Agency.objects.filter(code__in=[a.code for a in AGENCIES]).exists()


# Made-up numbers in the agencies' city codes (Astana 7172, Almaty 727, Shymkent 7252).
PHONES = {"ast": "+7 7172 55 01 01", "alm": "+7 727 355 02 02", "shy": "+7 7252 55 03 03"}


def agencies_ensure() -> dict[str, Agency]:
    """The demo agencies by code, created where missing."""
    codes = [region_kato_code(a.region) for a in AGENCIES]
    regions = {unit.code: unit for unit in KatoUnit.objects.filter(code__in=codes)}
    found = {}
    for p in AGENCIES:
        found[p.code], _created = Agency.objects.get_or_create(
            code=p.code,
            defaults={
                "name_kk": p.name_kk,
                "name_ru": p.name_ru,
                "name_en": p.name_en,
                "kind": p.kind,
                "region": regions[region_kato_code(p.region)],
                "phone": PHONES[p.code],
            },
        )
    return found


def staff_ensure(agencies: dict[str, Agency]) -> dict[str, list[User]]:
    """The named demo users by agency code, created where missing; an existing user is left as it is."""
    # One hash for all: hashing is slow on purpose, and the demo password is public anyway.
    password = make_password(DEMO_PASSWORD)
    staff: dict[str, list[User]] = {}
    for code, people in STAFF.items():
        staff[code] = []
        for username, first, last, role, language in people:
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "role": role,
                    "language": language,
                    "agency": agencies[code],
                    "password": password,
                },
            )
            staff[code].append(user)
        for coordinator in (u for u in staff[code] if u.role == User.Role.REGIONAL_COORDINATOR):
            coordinator.coordinated_agencies.add(*agencies.values())
        # Every social worker of a demo agency is supervised by its supervisor (see qadam/cases/access.py).
        supervisor = next(u for u in staff[code] if u.role == User.Role.SUPERVISOR)
        User.objects.filter(pk__in=[u.pk for u in staff[code] if u.role == User.Role.SOCIAL_WORKER]).filter(
            supervisor__isnull=True
        ).update(supervisor=supervisor)
    return staff


def logins_table() -> str:
    """The demo logins as a plain-text table, for the terminal."""
    rows = [("username", "role", "agency", "password")]
    names = {p.code: p.name_en for p in AGENCIES}
    for code, people in STAFF.items():
        rows += [(username, role, names[code], DEMO_PASSWORD) for username, _f, _l, role, _lang in people]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
