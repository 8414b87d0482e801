"""The demo's service directory and poverty-line figures: each demo agency's own services, a few partner
organisations that do not use Qadam, and the (illustrative) reference rows, so that referrals, the income
test and the HSDS API have something to show. Written through the services, once: a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from qadam.accounts.models import Agency, User
from qadam.contracts.services import reference_seed
from qadam.directory.models import Organization
from qadam.directory.services import (
    agency_organization,
    organization_create,
    service_area_add,
    service_create,
    service_languages_set,
    service_needs_set,
)
from qadam.kato.models import KatoUnit


@dataclass(frozen=True)
class DemoService:
    kk: str
    ru: str
    en: str
    faa: tuple[str, ...]
    case_kinds: tuple[str, ...] = ()


AGENCY_SERVICES = {
    "ast": [
        DemoService(
            "Көшіп келген отбасыларға алғашқы көмек",
            "Первичная помощь переехавшим семьям",
            "First help for families who moved",
            ("D2", "D4"),
            ("migration_adaptation",),
        ),
        DemoService(
            "Әлеуметтік келісімшарт бойынша кеңес",
            "Консультации по социальному контракту",
            "Advice on the social contract",
            ("D1",),
            ("poverty",),
        ),
    ],
    "alm": [
        DemoService(
            "Дағдарыс орталығында уақытша тұру",
            "Временное проживание в кризисном центре",
            "Temporary stay in the crisis centre",
            ("D3", "D5"),
            ("domestic_violence",),
        ),
        DemoService(
            "Психологиялық қолдау",
            "Психологическая поддержка",
            "Psychological support",
            ("D3",),
            ("domestic_violence", "child_wellbeing"),
        ),
    ],
    "shy": [
        DemoService(
            "Бос жұмыс орындарына жолдама",
            "Направление на вакансии",
            "Referral to vacancies",
            ("D1",),
            ("poverty", "migration_adaptation"),
        ),
        DemoService("Кәсіптік оқыту", "Профессиональное обучение", "Vocational training", ("D1", "D7"), ("poverty",)),
    ],
}
PARTNERS = [
    (
        "«Үміт» заң көмегі",
        "Юридическая помощь «Умит»",
        "Umit legal aid",
        "71",
        DemoService(
            "Құжаттарды қалпына келтіру",
            "Восстановление документов",
            "Restoring documents",
            ("D2",),
            ("migration_adaptation",),
        ),
    ),
    (
        "«Бала әлемі» қоғамдық қоры",
        "Общественный фонд «Бала әлемі»",
        "Bala Alemi foundation",
        "75",
        DemoService(
            "Балаларға арналған үйірмелер", "Кружки для детей", "Clubs for children", ("D6",), ("child_wellbeing",)
        ),
    ),
]


def demo_directory(agencies: dict[str, Agency]) -> None:
    """The directory and the poverty-line rows, unless the directory already holds the demo's services."""
    reference_seed()
    curator = User.objects.filter(role=User.Role.SYSTEM_ADMIN, is_active=True).order_by("id").first()
    if curator is None or Organization.objects.filter(services__isnull=False).exists():
        return
    for code, services in AGENCY_SERVICES.items():
        agency = agencies[code]
        organization = agency_organization(agency)
        for service in services:
            _service(curator, organization, service, agency.region)
    for kk, ru, en, region, service in PARTNERS:
        organization = organization_create(
            by=curator, name=kk, name_kk=kk, name_ru=ru, name_en=en, description=en, description_en=en
        )
        _service(curator, organization, service, KatoUnit.objects.get(code=f"{region}0000000"))


def _service(curator: User, organization: Organization, demo: DemoService, region: KatoUnit) -> None:
    service = service_create(
        by=curator,
        organization=organization,
        name=demo.kk,
        name_kk=demo.kk,
        name_ru=demo.ru,
        name_en=demo.en,
        description=demo.en,
        description_en=demo.en,
        faa=demo.faa,
        case_kinds=demo.case_kinds,
    )
    service_needs_set(by=curator, service=service, faa=demo.faa, case_kinds=demo.case_kinds)
    service_languages_set(by=curator, service=service, codes=["kk", "ru"])
    service_area_add(by=curator, service=service, kato=region)
