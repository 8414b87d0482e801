"""Shared personas, built through the real services.

Aigerim is a social worker in the Astana centre and owns the Sadykov family's case; Bolat supervises
her; Dana is the registrar there; Yerlan is a social worker of the Almaty crisis centre (another
agency: he must get 404); Raushan is a researcher (aggregates only, never a named record).
"""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from qadam.accounts.models import Agency, User
from qadam.accounts.twofactor import has_confirmed_device, two_factor_required
from qadam.cases.models import Case
from qadam.cases.services import case_open
from qadam.families.models import Family, Membership, Move, Person
from qadam.families.services import family_add_member, family_register, move_record, person_register
from qadam.kato.models import KatoUnit
from qadam.lib.iin import make_iin

PASSWORD = "correct-horse-battery-1"


@pytest.fixture(autouse=True)
def _english_by_default():
    translation.activate("en")
    yield
    translation.deactivate()


def make_agency(code: str, region: str, kind: str = Agency.Kind.SOCIAL_SERVICE_CENTRE) -> Agency:
    return Agency.objects.create(
        code=code,
        name_kk=f"{code} kk",
        name_ru=f"{code} ru",
        name_en=f"{code} en",
        kind=kind,
        region=KatoUnit.objects.get(code=f"{region}0000000"),
    )


def make_user(username: str, agency: Agency | None, role: str, language: str = "en") -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.capitalize(),
        last_name="Test",
        agency=agency,
        role=role,
        language=language,
    )


@pytest.fixture
def astana(db) -> Agency:
    return make_agency("ast", "71")


@pytest.fixture
def almaty(db) -> Agency:
    return make_agency("alm", "75", Agency.Kind.CRISIS_CENTRE)


@pytest.fixture
def worker(astana) -> User:
    return make_user("aigerim", astana, User.Role.SOCIAL_WORKER)


@pytest.fixture
def supervisor(astana, worker) -> User:
    """Bolat supervises Aigerim."""
    bolat = make_user("bolat", astana, User.Role.SUPERVISOR)
    worker.supervisor = bolat
    worker.save(update_fields=["supervisor"])
    return bolat


@pytest.fixture
def registrar(astana) -> User:
    return make_user("dana", astana, User.Role.REGISTRAR)


@pytest.fixture
def other_worker(almaty) -> User:
    return make_user("yerlan", almaty, User.Role.SOCIAL_WORKER)


@pytest.fixture
def researcher(astana) -> User:
    return make_user("raushan", astana, User.Role.RESEARCHER)


@pytest.fixture
def admin(astana) -> User:
    return make_user("saule", astana, User.Role.AGENCY_ADMIN)


@pytest.fixture
def sysadmin(astana) -> User:
    return make_user("timur", astana, User.Role.SYSTEM_ADMIN)


@pytest.fixture
def coordinator(astana) -> User:
    """Gulmira coordinates Astana's agency from a regional office of her own."""
    gulmira = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
    gulmira.coordinated_agencies.add(astana)
    return gulmira


@pytest.fixture
def tasks_at_once(settings, tmp_path) -> None:
    """Background tasks run at once, inside the request (ImmediateBackend); export files go to tmp_path."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.QADAM_EXPORT_DIR = tmp_path / "exports"


def login(user: User, language: str | None = None, *, second_step: bool = True) -> Client:
    """A client logged in as the user; past the two-factor step too, unless second_step=False."""
    if language:
        user.language = language
        user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    if second_step and (two_factor_required(user) or has_confirmed_device(user)):
        pass_second_step(client, user)
    return client


def pass_second_step(client: Client, user: User) -> TOTPDevice:
    """Mark the client's session as verified by the user's TOTP device, as django_otp.login() does."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def family(worker) -> Family:
    """The Sadykovs: Асқар (head) and his wife Құралай, moved from Turkistan region to Astana."""
    head = person_register(
        by=worker,
        surname="Садықов",
        given_name="Асқар",
        patronymic="Серікұлы",
        iin="850312300012",
        birth_date=date(1985, 3, 12),
        sex=Person.Sex.MALE,
        phone="+7 701 234 5678",
    )
    family = family_register(by=worker, head=head, address="Астана, Сарыарқа ауданы")
    wife = person_register(
        by=worker,
        surname="Садықова",
        given_name="Құралай",
        birth_date=date(1988, 7, 1),
        sex=Person.Sex.FEMALE,
    )
    family_add_member(by=worker, family=family, person=wife, relationship=Membership.Relationship.SPOUSE)
    move_record(
        by=worker,
        family=family,
        origin_region=KatoUnit.objects.get(code="610000000"),
        origin_area=Move.Area.RURAL,
        origin_place="Сарыағаш",
        destination_region=KatoUnit.objects.get(code="710000000"),
        moved_on=date(2025, 5, 20),
        programme=Move.Programme.SELF_MOVING,
        reasons=["jobs", "schools"],
        registration=Move.Registration.TEMPORARY,
        housing=Family.Housing.RENTED,
    )
    return family


@pytest.fixture
def case(family, worker) -> Case:
    return case_open(by=worker, family=family, person=family.head, kind=Case.Kind.MIGRATION_ADAPTATION, owner=worker)


@pytest.fixture
def other_family(other_worker) -> Family:
    head = person_register(
        by=other_worker,
        surname="Жұмабаева",
        given_name="Жанар",
        birth_date=date(1990, 1, 5),
        sex=Person.Sex.FEMALE,
    )
    return family_register(by=other_worker, head=head)


@pytest.fixture
def other_case(other_family, other_worker) -> Case:
    return case_open(
        by=other_worker,
        family=other_family,
        person=other_family.head,
        kind=Case.Kind.DOMESTIC_VIOLENCE,
        owner=other_worker,
    )


@pytest.fixture
def survivor_case(worker) -> Case:
    """Гүлнар, a survivor of violence, registered on her own in a crisis centre: a restricted case."""
    survivor = person_register(
        by=worker,
        surname="Омарова",
        given_name="Гүлнар",
        iin=make_iin(birth_date=date(1992, 5, 5), sex="female", serial=9),
        birth_date=date(1992, 5, 5),
        sex="female",
    )
    family = family_register(by=worker, head=survivor, address="Дағдарыс орталығы, Астана")
    return case_open(by=worker, family=family, person=survivor, kind=Case.Kind.DOMESTIC_VIOLENCE, owner=worker)
