"""Kazakh and Russian are complete and formatted the local way; the language choice is remembered.

The personas here have Cyrillic names and their agency a Cyrillic name, so that any Latin word on a
Kazakh or Russian page is Qadam's (or Django's) text left in English.
"""

import re
import uuid
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import babel.dates
import babel.numbers
import django
import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from qadam.accounts.models import Agency, User
from qadam.cases.models import BreakGlass, Case, Note, Notification, StatusChange, Task
from qadam.cases.services import case_change_status, case_open, case_team_add, note_add, task_add, task_complete
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.families.models import Family, Move, Person
from qadam.families.services import family_register, person_register
from qadam.kato.models import KatoUnit
from tests.conftest import PASSWORD, login

LANGUAGES = ["kk", "ru"]
LOCALE = Path(settings.BASE_DIR) / "locale"
DJANGO = Path(django.__file__).parent
PLURAL_FORMS = {
    "kk": "nplurals=2; plural=(n!=1);",
    "ru": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : "
    "n%10==0 || (n%10>=5 && n%10<=9) || (n%100>=11 && n%100<=14)? 2 : 3);",
}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc%]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
KAZAKH_LETTER = re.compile(r"[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
# Words that are right on every page: the product's name, the autonym in the language switch, and the
# mask of the phone field (+7 7XX XXX XX XX).
ALLOWED_LATIN = {"Qadam", "English", "XXX", "PDF", "CSV", "XLSX", "ZIP"}  # file formats


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> list[str]:
    """The interpolations of a python-format string: names for %(name)s, "%s"-style for positional ones."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        if match.group() == "%%":
            continue
        found.append(match.group(1) or match.group()[-1:])
    return sorted(found)


# --------------------------------------------------------------------------------------------- catalogues


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_with_the_same_placeholders(language):
    po = catalogue(language)
    nplurals = int(PLURAL_FORMS[language].split(";")[0].split("=")[1])
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert not po.metadata_is_fuzzy
    problems = []
    for entry in po:
        where = f"{entry.msgctxt or ''}|{entry.msgid}"
        if entry.obsolete or "fuzzy" in entry.flags:
            problems.append(f"obsolete or fuzzy: {where}")
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(i, "") for i in range(nplurals)]
            expected = placeholders(entry.msgid_plural)
            if len(entry.msgstr_plural) != nplurals:
                problems.append(f"{len(entry.msgstr_plural)} plural forms instead of {nplurals}: {where}")
        else:
            forms, expected = [entry.msgstr], placeholders(entry.msgid)
        for form in forms:
            if not form.strip():
                problems.append(f"untranslated: {where}")
            elif placeholders(form) != expected:
                problems.append(f"placeholders {placeholders(form)} instead of {expected}: {where} -> {form}")
    assert not problems, "\n".join(problems)


def _translations(entries) -> dict:
    table = {}
    for entry in entries:
        if not entry.msgid:  # the header
            continue
        text = tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        table[(entry.msgctxt, entry.msgid, entry.msgid_plural or None)] = text
    return table


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    assert _translations(mo) == _translations(po.translated_entries()), (
        f"locale/{language}/LC_MESSAGES/django.mo is stale: run `qadam compilemessages --ignore=.venv`"
    )


def _django_msgids() -> set:
    ids = set()
    for path in (DJANGO / "conf" / "locale", DJANGO / "contrib" / "auth" / "locale"):
        for entry in polib.pofile(str(path / "en" / "LC_MESSAGES" / "django.po")):
            ids.add((entry.msgctxt, entry.msgid, entry.msgid_plural or None))
    return ids


def test_django_strings_repeat_djangos_msgids_exactly():
    """An entry of qadam/lib/django_strings.py that differs from Django's msgid would override nothing."""
    ours = {
        (e.msgctxt, e.msgid, e.msgid_plural or None)
        for e in catalogue("kk")
        if any(path == "qadam/lib/django_strings.py" for path, _line in e.occurrences)
    }
    assert len(ours) > 90
    assert ours - _django_msgids() == set()


@pytest.mark.parametrize(
    ("language", "translate", "expected"),
    [
        ("kk", lambda: translation.pgettext("alt. month", "March"), "наурыз"),
        ("kk", lambda: translation.gettext("March"), "Наурыз"),
        ("kk", lambda: translation.gettext("Friday"), "Жұма"),
        ("kk", lambda: translation.gettext("This field is required."), "Бұл өрісті толтыру міндетті."),
        ("kk", lambda: translation.gettext("Enter a valid UUID."), "UUID дұрыс емес."),
        ("ru", lambda: translation.pgettext("alt. month", "March"), "марта"),
        (
            "ru",
            lambda: translation.ngettext(
                "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
                "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
                5,
            ),
            "Введите не более %(limit_value)d символов (сейчас %(show_value)d).",
        ),
        ("ru", lambda: translation.ngettext("%(counter)s year", "%(counter)s years", 22), "%(counter)s года"),
    ],
)
def test_our_catalogue_comes_before_djangos(language, translate, expected):
    with translation.override(language):
        assert translate() == expected


# --------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize("month", range(1, 13))
def test_a_kazakh_date_is_written_as_cldr_writes_it(month):
    day = date(2026, month, 8)
    with translation.override("kk"):
        assert formats.date_format(day, "DATE_FORMAT") == babel.dates.format_date(day, "long", locale="kk")


@pytest.mark.parametrize(("django_format", "skeleton"), [("YEAR_MONTH_FORMAT", "yMMMM"), ("MONTH_DAY_FORMAT", "MMMMd")])
def test_kazakh_month_formats_are_cldrs(django_format, skeleton):
    day = date(2026, 3, 8)
    with translation.override("kk"):
        assert formats.date_format(day, django_format) == babel.dates.format_skeleton(skeleton, day, locale="kk")


def test_a_kazakh_date_and_time():
    moment = datetime(2026, 3, 8, 14, 5, tzinfo=ZoneInfo("Asia/Almaty"))
    pattern = (
        babel.dates.get_datetime_format("long", locale="kk")
        .replace("{1}", babel.dates.get_date_format("long", locale="kk").pattern)
        .replace("{0}", babel.dates.get_time_format("short", locale="kk").pattern)
    )
    expected = babel.dates.format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale="kk")
    with translation.override("kk"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected == "2026\u202fж. 8 наурыз, 14:05"


def test_the_kazakh_long_date_and_number():
    with translation.override("kk"):
        assert formats.date_format(date(2026, 3, 8), "DATE_FORMAT") == "2026\u202fж. 8 наурыз"
        number = formats.number_format(1234567.89, decimal_pos=2, use_l10n=True, force_grouping=True)
    assert number == babel.numbers.format_decimal(1234567.89, locale="kk") == "1\xa0234\xa0567,89"


def test_the_russian_long_date_is_djangos_usual_one():
    with translation.override("ru"):
        assert formats.date_format(date(2026, 3, 8), "DATE_FORMAT") == "8 марта 2026 г."


# --------------------------------------------------------------------------------------------- pages


@pytest.fixture
def astana(db) -> Agency:
    """The Astana centre of the shared personas, with its names in Cyrillic (the English one is for en)."""
    return Agency.objects.create(
        code="ast",
        name_kk="Астана қаласының әлеуметтік қызмет көрсету орталығы",
        name_ru="Центр социального обслуживания города Астаны",
        name_en="Astana social service centre",
        kind=Agency.Kind.SOCIAL_SERVICE_CENTRE,
        region=KatoUnit.objects.get(code="710000000"),
    )


def _person(username: str, first: str, last: str, agency: Agency, role: str) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, first_name=first, last_name=last, agency=agency, role=role
    )


@pytest.fixture
def worker(astana) -> User:
    return _person("aigerim", "Әйгерім", "Сәрсенова", astana, User.Role.SOCIAL_WORKER)


@pytest.fixture
def researcher(astana) -> User:
    return _person("raushan", "Раушан", "Төлеуова", astana, User.Role.RESEARCHER)


@pytest.fixture
def supervisor(astana, worker) -> User:
    """Болат supervises Әйгерім; his role may open a restricted case in an emergency."""
    bolat = _person("bolat", "Болат", "Қасымов", astana, User.Role.SUPERVISOR)
    worker.supervisor = bolat
    worker.save(update_fields=["supervisor"])
    return bolat


@pytest.fixture
def agency_admin(astana) -> User:
    return _person("gulnar", "Гүлнар", "Омарова", astana, User.Role.AGENCY_ADMIN)


@pytest.fixture
def colleague(astana) -> User:
    return _person("samal", "Самал", "Ермекова", astana, User.Role.SOCIAL_WORKER)


@pytest.fixture
def almaty(db) -> Agency:
    """The Almaty crisis centre, in Cyrillic too, with the phone that other agencies are given."""
    return Agency.objects.create(
        code="alm",
        name_kk="Алматы қаласының дағдарыс орталығы",
        name_ru="Кризисный центр города Алматы",
        name_en="Almaty crisis centre",
        kind=Agency.Kind.CRISIS_CENTRE,
        region=KatoUnit.objects.get(code="750000000"),
        phone="+7 727 250 10 10",
    )


@pytest.fixture
def other_worker(almaty) -> User:
    return _person("yerlan", "Ерлан", "Жақыпов", almaty, User.Role.SOCIAL_WORKER)


@pytest.fixture
def restricted_case(worker, colleague) -> Case:
    """A domestic-violence case of another household: restricted from the start, with a colleague on its team."""
    head = person_register(
        by=worker, surname="Нұрланова", given_name="Меруерт", birth_date=date(1992, 4, 17), sex=Person.Sex.FEMALE
    )
    family = family_register(by=worker, head=head)
    case = case_open(by=worker, family=family, person=head, kind=Case.Kind.DOMESTIC_VIOLENCE, owner=worker)
    case_team_add(by=worker, case=case, user=colleague)
    return case


@pytest.fixture
def consents(worker, family, almaty) -> None:
    """The head of the Sadykovs agreed to services and to sharing with the crisis centre, and declined research."""
    head = family.head
    consent_record(
        by=worker, person=head, purpose=Consent.Purpose.SERVICE, decision=Consent.Decision.GIVEN, how=Consent.How.PAPER
    )
    consent_record(
        by=worker,
        person=head,
        purpose=Consent.Purpose.SHARING,
        recipient=almaty,
        decision=Consent.Decision.GIVEN,
        how=Consent.How.VERBAL,
        witness="Дана Ахметова",
        note="Құжаттардың көшірмесін беруге келісті",
    )
    consent_record(
        by=worker,
        person=head,
        purpose=Consent.Purpose.RESEARCH,
        decision=Consent.Decision.WITHDRAWN,
        how=Consent.How.VERBAL,
        witness="Дана Ахметова",
    )


@pytest.fixture
def elsewhere(other_worker) -> dict[str, str]:
    """IINs of two people the Astana centre may not open: one in a restricted household, one not."""
    hidden = person_register(
        by=other_worker,
        surname="Жұмабаева",
        given_name="Жанар",
        iin="900105422224",
        birth_date=date(1990, 1, 5),
        sex=Person.Sex.FEMALE,
    )
    family = family_register(by=other_worker, head=hidden)
    case_open(by=other_worker, family=family, person=hidden, kind=Case.Kind.DOMESTIC_VIOLENCE, owner=other_worker)
    plain = person_register(
        by=other_worker,
        surname="Оспанов",
        given_name="Дәурен",
        iin="791102343211",
        birth_date=date(1979, 11, 2),
        sex=Person.Sex.MALE,
    )
    family_register(by=other_worker, head=plain)
    return {"restricted": "900105422224", "plain": "791102343211"}


@pytest.fixture
def busy_case(case, worker) -> Case:
    """The Sadykovs' case with something on every part of the page: a status change, a note, tasks."""
    today = timezone.localdate()
    case_change_status(by=worker, case=case, to_status=Case.Status.ASSESSMENT, comment="Отбасымен танысу")
    note_add(
        by=worker,
        case=case,
        contact=Note.Contact.HOME_VISIT,
        contact_on=today - timedelta(days=2),
        minutes=45,
        text="Үйге бардық: отбасы жаңа пәтерге орналасып жатыр, балалар мектепке барады. " * 8,
    )
    task_add(by=worker, case=case, title="Мектепке құжаттар жинау", due_on=today + timedelta(days=2), assignee=worker)
    task_add(by=worker, case=case, title="Емханаға тіркеу", due_on=today - timedelta(days=1), assignee=worker)
    done = task_add(by=worker, case=case, title="Жәрдемақыға өтініш", due_on=today, assignee=worker)
    task_complete(by=worker, task=done)
    case.refresh_from_db()
    return case


class VisibleText(HTMLParser):
    """The text a person sees or hears: element text outside script and style, and the attributes read out."""

    READ_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in self.READ_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def data_words() -> set[str]:
    """Words of the records and places (names, addresses, notes): they stay as typed, whatever the language."""
    texts = ["Қазақша"]
    for person in Person.objects.all():
        texts.append(person.full_name)
    texts += [f.address for f in Family.objects.all()] + [m.origin_place for m in Move.objects.all()]
    texts += [u.get_full_name() for u in User.objects.all()]
    texts += [n.text for n in Note.objects.all()] + [t.title for t in Task.objects.all()]
    texts += [s.comment for s in StatusChange.objects.all()]
    texts += [c.restricted_reason for c in Case.objects.all()]
    texts += [f"{c.witness} {c.note}" for c in Consent.objects.all()]
    texts += [b.reason for b in BreakGlass.objects.all()] + [n.text for n in Notification.objects.all()]
    texts += list(KatoUnit.objects.values_list("name_ru", flat=True))  # "область Ұлытау" is its Russian name
    return {word for text in texts for word in re.findall(r"\w+", text)}


def foreign_words(html: str, language: str, typed: dict | None = None) -> set[str]:
    """English words on a Kazakh or Russian page; on a Russian page also Kazakh words that are not data.

    `typed` is what the form sent: a form with mistakes shows it back, in whatever language it was typed.
    """
    text = visible_text(html)
    allowed = ALLOWED_LATIN | {code.upper() for code in Agency.objects.values_list("code", flat=True)}
    allowed |= set(User.objects.values_list("username", flat=True))  # the audit log names who by their login
    found = {word for word in LATIN_WORD.findall(text) if word not in allowed}
    if language == "ru":
        values = [v for value in (typed or {}).values() for v in (value if isinstance(value, list) else [value])]
        data = data_words() | {word for value in values for word in re.findall(r"\w+", value)}
        found |= {w for w in re.findall(r"\w+", text) if KAZAKH_LETTER.search(w) and w not in data}
    return found


def check(report: dict, label: str, response, language: str, status: int = 200, typed: dict | None = None) -> None:
    assert response.status_code == status, (label, response.status_code)
    html = response.content.decode()
    if "<html" in html:
        assert f'<html lang="{language}">' in html, label
    words = foreign_words(html, language, typed)
    if words:
        report[label] = sorted(words)


def assert_clean(report: dict, language: str) -> None:
    lines = [f"  {label}: {' '.join(words)}" for label, words in report.items()]
    assert not report, f"Words not in {language} on these pages:\n" + "\n".join(lines)


def page_urls(family: Family, case: Case, restricted: Case) -> dict[str, str]:
    person = family.head
    spouse = family.memberships.exclude(person=person).get().person
    return {
        "home": reverse("cases:home"),
        "cases": reverse("cases:list"),
        "cases, filtered": reverse("cases:list") + "?status=assessment&mine=1",
        "cases, none": reverse("cases:list") + "?status=closed",
        "notes search": reverse("cases:note_search") + "?q=пәтер",
        "notes search, none": reverse("cases:note_search") + "?q=жоқсөз",
        "families": reverse("families:list"),
        "families search": reverse("families:list") + "?q=Садық",
        "families search, none": reverse("families:list") + "?q=Жоқтаев",
        "family create": reverse("families:create"),
        "family detail": reverse("families:detail", args=[family.pk]),
        "member add": reverse("families:member_add", args=[family.pk]),
        "move add": reverse("families:move_add", args=[family.pk]),
        "people": reverse("families:people") + "?q=асқар",
        "people, none": reverse("families:people") + "?q=Жоқтаев",
        "person detail": reverse("families:person_detail", args=[person.pk]),
        "person edit": reverse("families:person_edit", args=[person.pk]),
        "case create": reverse("cases:create", args=[family.pk]),
        "case detail": reverse("cases:detail", args=[case.pk]),
        "task form": reverse("cases:task_create", args=[case.pk]),
        "assign form": reverse("cases:assign", args=[case.pk]),
        "team form": reverse("cases:team_add", args=[case.pk]),
        "restricted case": reverse("cases:detail", args=[restricted.pk]),
        "consent": reverse("consent:person", args=[person.pk]),
        "person history": reverse("audit:history", args=["person", spouse.pk]),
        "security": reverse("accounts:security"),
    }


# Pages that htmx also loads as a fragment into another page.
FRAGMENTS = ["assign form", "team form", "consent", "person history"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_on_any_page(worker, researcher, family, busy_case, restricted_case, consents, language):
    client = login(worker, language)
    report: dict[str, list[str]] = {}
    urls = page_urls(family, busy_case, restricted_case)
    for label, url in urls.items():
        check(report, label, client.get(url), language)
    for label in FRAGMENTS:
        check(report, f"{label} (htmx)", client.get(urls[label], headers={"HX-Request": "true"}), language)
    check(report, "404", client.get(reverse("families:detail", args=[10**9])), language, status=404)
    check(report, "403", login(researcher, language).get(reverse("families:create")), language, status=403)
    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    check(report, "login", anonymous.get(reverse("accounts:login")), language)
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_on_the_pages_of_confidentiality(
    worker, supervisor, agency_admin, busy_case, restricted_case, elsewhere, language
):
    """Emergency access and its notice, the audit log, two-factor login, and records kept by another agency."""
    report: dict[str, list[str]] = {}
    boss = login(supervisor, language)
    emergency = reverse("cases:emergency")
    check(report, "emergency access", boss.get(emergency), language)
    mistakes = {
        "no such case": {"number": "АСТ-2026-999999", "reason": "Балаға қауіп төніп тұр, полиция хабарласты."},
        "no reason": {"number": "", "reason": ""},
        "a reason too short": {"number": restricted_case.number, "reason": "Шұғыл"},
    }
    for label, data in mistakes.items():
        response = boss.post(emergency, data)
        check(report, f"emergency access, {label}", response, language, typed=data)
        assert b"errorlist" in response.content, label
    reason = {"number": restricted_case.number, "reason": "Балаға қауіп төніп тұр, полиция хабарласты."}
    opened = boss.post(emergency, reason, follow=True)
    check(report, "restricted case, opened in an emergency", opened, language)
    assert opened.redirect_chain[-1][0] == restricted_case.get_absolute_url()
    check(report, "security, two-factor on", boss.get(reverse("accounts:security")), language)
    client = login(worker, language)
    check(report, "home, told of an emergency access", client.get(reverse("cases:home")), language)
    families = reverse("families:list")
    for label, iin in elsewhere.items():
        check(report, f"families, IIN kept elsewhere ({label})", client.get(f"{families}?q={iin}"), language)
        fragment = client.get(f"{families}?q={iin}", headers={"HX-Request": "true"})
        check(report, f"families, IIN kept elsewhere ({label}, htmx)", fragment, language)
    admin = login(agency_admin, language)
    log = reverse("audit:log")
    pages = {
        "audit log, filtered": f"{log}?action=viewed&record_type=case",
        "audit log, none": f"{log}?actor=жоқ",
        "audit log, bad filters": f"{log}?since=2026-03-10&until=2026-03-01&record_id=5",
        "agency settings": reverse("accounts:agency"),
    }
    for label, url in pages.items():
        check(report, label, admin.get(url), language)
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_in_the_history_of_a_case_and_the_audit_log(
    worker, supervisor, agency_admin, family, busy_case, restricted_case, consents, language
):
    report: dict[str, list[str]] = {}
    reason = {"number": restricted_case.number, "reason": "Балаға қауіп төніп тұр, полиция хабарласты."}
    login(supervisor, language).post(reverse("cases:emergency"), reason)
    client = login(worker, language)
    for label, case in {"case history": busy_case, "restricted case history": restricted_case}.items():
        url = reverse("audit:history", args=["case", case.pk])
        check(report, label, client.get(url), language)
        check(report, f"{label} (htmx)", client.get(url, headers={"HX-Request": "true"}), language)
    admin = login(agency_admin, language)
    check(report, "audit log", admin.get(reverse("audit:log")), language)
    check(report, "family history", admin.get(reverse("audit:history", args=["family", family.pk])), language)
    assert_clean(report, language)


def person_data(**overrides: str) -> dict[str, str]:
    data = {
        "surname": "Нұрланова",
        "given_name": "Меруерт",
        "patronymic": "",
        "iin": "",
        "birth_date": "1995-06-01",
        "sex": "female",
        "citizenship": "citizen",
        "preferred_language": "kk",
        "phone": "",
        "address": "",
        "housing": "",
        "relationship": "child",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def move_data(**overrides: str) -> dict[str, str]:
    data = {
        "origin_region": "610000000",
        "origin_locality": "",
        "origin_place": "Сарыағаш",
        "origin_area": "rural",
        "destination_region": "710000000",
        "destination_locality": "",
        "moved_on": "2025-05-20",
        "programme": "self_moving",
        "reasons": ["jobs"],
        "reasons_other": "",
        "registration": "temporary",
        "housing": "rented",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def invalid_family_forms(family: Family) -> dict[str, dict[str, str]]:
    """Family registration, member and person forms with each kind of mistake a worker can make."""
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    return {
        "empty": person_data(surname="", given_name="", birth_date="", sex="", citizenship=""),
        "bad values": person_data(
            surname="Нұрланова1",
            given_name="Мер@уерт",
            patronymic="Ж" * 81,
            birth_date="2026-13-45",
            sex="нет",
            citizenship="нет",
            phone="12345",
            housing="сарай",
        ),
        "IIN too short": person_data(iin="123"),
        "IIN not digits": person_data(iin="85031230001Ж"),
        "IIN century": person_data(iin="850312700013"),
        "IIN date": person_data(iin="851332300012"),
        "IIN checksum": person_data(iin="850312300013"),
        "IIN taken": person_data(iin=family.head.iin),
        "IIN and date disagree": person_data(surname="Садықов", given_name="Асқар", iin="850312300012", sex="female"),
        "future birth": person_data(birth_date=future),
        "old birth": person_data(birth_date="1850-01-01"),
        "no date or sex": person_data(birth_date="", sex=""),
        "a likely duplicate": person_data(surname="Садықова", given_name="Құралай", birth_date="1988-07-01"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_in_the_errors_of_family_forms(worker, family, language):
    client = login(worker, language)
    report: dict[str, list[str]] = {}
    pages = {
        "family create": reverse("families:create"),
        "member add": reverse("families:member_add", args=[family.pk]),
        "person edit": reverse("families:person_edit", args=[family.head.pk]),
    }
    for label, data in invalid_family_forms(family).items():
        for page, url in pages.items():
            if page == "person edit" and label in {"IIN taken", "a likely duplicate"}:
                continue  # not mistakes when the head edits their own record
            response = client.post(url, data)
            check(report, f"{page}, {label}", response, language, typed=data)
            assert b"errorlist" in response.content or b"duplicates" in response.content, (page, label)
    assert Family.objects.count() == 1
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_in_the_errors_of_the_move_form(worker, family, language):
    client = login(worker, language)
    url = reverse("families:move_add", args=[family.pk])
    future = (timezone.localdate() + timedelta(days=10)).isoformat()
    cases = {
        "future date": move_data(moved_on=future),
        "before the head was born": move_data(moved_on="1980-01-01"),
        "empty": move_data(
            origin_region="",
            origin_area="",
            destination_region="",
            moved_on="",
            programme="",
            registration="",
            housing="",
        ),
        "bad values": move_data(
            origin_region="999",
            origin_locality="12345",
            destination_locality="710000001",
            moved_on="кеше",
            reasons=["other", "нет"],
            origin_area="тау",
        ),
        "locality of another region": move_data(origin_locality="710000000"),
        "other reason unsaid": move_data(reasons=["other"]),
    }
    report: dict[str, list[str]] = {}
    for label, data in cases.items():
        response = client.post(url, data)
        check(report, f"move add, {label}", response, language, typed=data)
        assert b"errorlist" in response.content, label
    assert family.moves.count() == 1
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_in_the_errors_of_case_forms(worker, family, busy_case, language):
    client = login(worker, language)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    detail = reverse("cases:detail", args=[busy_case.pk])
    posts = {
        "case create, empty": (reverse("cases:create", args=[family.pk]), {"kind": "", "person": "", "owner": ""}),
        "case create, bad values": (
            reverse("cases:create", args=[family.pk]),
            {"kind": "нет", "person": "999999", "owner": "999999", "priority": "9", "grounds": ["нет"]},
        ),
        "note, empty": (
            reverse("cases:note_create", args=[busy_case.pk]),
            {"contact": "", "contact_on": "", "text": ""},
        ),
        "note, bad values": (
            reverse("cases:note_create", args=[busy_case.pk]),
            {"contact": "call", "contact_on": "ертең", "minutes": "бес", "text": "Қоңырау шалдық."},
        ),
        "note, too long": (
            reverse("cases:note_create", args=[busy_case.pk]),
            {"contact": "call", "contact_on": "2026-01-01", "minutes": "5000", "text": "ж" * 10001},
        ),
        "note, future date": (
            reverse("cases:note_create", args=[busy_case.pk]),
            {"contact": "call", "contact_on": future, "minutes": "10", "text": "Қоңырау шалдық."},
        ),
        "task, empty": (reverse("cases:task_create", args=[busy_case.pk]), {"title": "", "due_on": "", "assignee": ""}),
        "task, bad values": (
            reverse("cases:task_create", args=[busy_case.pk]),
            {"title": "ж" * 201, "due_on": "ертең", "assignee": "999999"},
        ),
    }
    report: dict[str, list[str]] = {}
    for label, (url, data) in posts.items():
        data = {**data, "form_token": str(uuid.uuid4())}
        status = 200 if "case create" in label else 422
        response = client.post(url, data)
        check(report, label, response, language, status=status, typed=data)
        assert b"errorlist" in response.content, label
        if "case create" not in label:
            fragment = client.post(url, {**data, "form_token": str(uuid.uuid4())}, headers={"HX-Request": "true"})
            check(report, f"{label} (htmx)", fragment, language, typed=data)
    actions = {
        "close without a reason": (reverse("cases:close", args=[busy_case.pk]), {"closing_reason": ""}),
        "reopen an open case": (reverse("cases:reopen", args=[busy_case.pk]), {"comment": "Қайта ашу"}),
        "a status out of the flow": (reverse("cases:status", args=[busy_case.pk]), {"to_status": "review"}),
        "a status that does not exist": (reverse("cases:status", args=[busy_case.pk]), {"to_status": "нет"}),
        "assign to nobody": (reverse("cases:assign", args=[busy_case.pk]), {"owner": "999999"}),
    }
    for label, (url, data) in actions.items():
        response = client.post(url, data, follow=True)
        check(report, label, response, language)
        assert response.redirect_chain[-1][0] == detail and b'class="error"' in response.content, label
    assert_clean(report, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_on_the_login_page_after_a_mistake(worker, language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    report: dict[str, list[str]] = {}
    url = reverse("accounts:login")
    check(report, "login, empty", client.post(url, {"username": "", "password": ""}), language)
    check(report, "login, wrong password", client.post(url, {"username": "aigerim", "password": "жоқ"}), language)
    check(report, "login, too long", client.post(url, {"username": "ж" * 151, "password": "жоқ"}), language)
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    check(report, "login, switched off", client.post(url, {"username": "aigerim", "password": PASSWORD}), language)
    assert_clean(report, language)


# --------------------------------------------------------------------------------------------- the switch


def test_the_language_switch_is_remembered_on_the_user(worker):
    client = login(worker, "kk")
    home = reverse("cases:home")
    assert 'lang="kk"' in client.get(home).content.decode()
    response = client.post(reverse("accounts:language"), {"language": "ru", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    worker.refresh_from_db()
    assert worker.language == "ru"
    page = client.get(home).content.decode()
    assert 'lang="ru"' in page and "Моя работа" in page
    # Another device, with no cookie: the user's choice still holds.
    elsewhere = Client()
    elsewhere.force_login(worker)
    page = elsewhere.get(home).content.decode()
    assert 'lang="ru"' in page and "Моя работа" in page


@pytest.mark.parametrize("language", [*LANGUAGES, "en"])
def test_the_switch_names_each_language_in_itself(worker, language):
    page = login(worker, language).get(reverse("cases:home")).content.decode()
    assert "Қазақша Русский English" in visible_text(page)


def test_the_users_language_wins_over_an_old_cookie(worker):
    client = login(worker, "ru")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "kk"
    assert 'lang="ru"' in client.get(reverse("cases:home")).content.decode()


def test_a_language_that_qadam_does_not_speak_is_ignored(worker):
    client = login(worker, "kk")
    client.post(reverse("accounts:language"), {"language": "fr", "next": reverse("cases:home")})
    worker.refresh_from_db()
    assert worker.language == "kk"


@pytest.mark.parametrize(("language", "title"), [("kk", "Qadam жүйесіне кіру"), ("ru", "Вход в Qadam")])
def test_before_login_the_choice_lives_in_a_cookie(db, language, title):
    client = Client()
    login_url = reverse("accounts:login")
    response = client.post(reverse("accounts:language"), {"language": language, "next": login_url})
    assert response.status_code == 302 and response["Location"] == login_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get(login_url).content.decode()
    assert f'lang="{language}"' in page and title in page


def test_the_switch_does_not_redirect_to_another_site(worker):
    client = login(worker, "kk")
    response = client.post(reverse("accounts:language"), {"language": "ru", "next": "https://example.com/"})
    assert response["Location"] == reverse("cases:home")


def test_every_source_string_is_in_the_catalogues(tmp_path, settings):
    """makemessages over the code finds no string that the committed catalogues lack."""
    import os
    import shutil as sh

    import polib
    from django.core.management import call_command

    if not sh.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("gettext is not installed (apt-get install gettext)")
        pytest.skip("gettext is not installed")
    # makemessages writes into ./locale beside the sources it scans: work on a copy of both.
    root = Path(settings.BASE_DIR)
    for part in ("qadam", "config", "locale"):
        sh.copytree(root / part, tmp_path / part, ignore=sh.ignore_patterns("__pycache__"))
    copy = tmp_path / "locale"
    settings.LOCALE_PATHS = [copy]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["kk", "ru"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    for language in ("kk", "ru"):
        catalogue = polib.pofile(str(copy / language / "LC_MESSAGES" / "django.po"))
        missing = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
        assert missing == [], f"{language}: run makemessages and translate {missing}"
