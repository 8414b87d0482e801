"""The case file as a PDF: a real PDF, by the rules of the printed case file (names masked outside the team,
emergency access included; no safety plan, no code word, no address), 404 for whoever may not open the
case, and recorded as an export.

How the PDF is read back (pypdf is not installed, fpdf2 cannot read): `pdf_text` checks the header, the
end-of-file marker and the page count (trailer /Root -> /Pages -> /Count, checked against the page objects),
inflates every FlateDecode stream, and turns the strings of the content streams back into Unicode through
the ToUnicode map of the font each string is set in (`/F1 10 Tf`). fpdf2 writes a TrueType font's text as
two-byte glyph ids, so a name never appears in the file as UTF-8 bytes, masked or not: a plain byte search
would pass vacuously. Every absence test therefore has a positive control, the same text found in the case
team's copy.
"""

import re
import zlib
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from qadam.assessments.models import Assessment, InstrumentVersion
from qadam.assessments.services import assessment_answer, assessment_complete, assessment_start
from qadam.audit.models import AuditEntry
from qadam.cases.services import note_add, task_add
from qadam.safety.services import safe_contact_set
from tests.conftest import login
from tests.records import a_draft_referral, a_plan, safety_records

pytestmark = pytest.mark.django_db


# Reading a PDF back --------------------------------------------------------------------------------------


@dataclass
class Pdf:
    pages: int
    strings: list[str]  # every shown string, in the order of the content streams

    @property
    def text(self) -> str:
        return "\n".join(self.strings)

    def has(self, needle: str) -> bool:
        return needle in self.text


def _objects(data: bytes) -> dict[bytes, tuple[bytes, bytes | None]]:
    """Every indirect object: its dictionary text and its stream, inflated when it is FlateDecode."""
    objects = {}
    for match in re.finditer(rb"(?:^|\n)(\d+) 0 obj\n(.*?)\nendobj", data, re.S):
        body = match.group(2)
        head, stream = body, None
        found = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
        if found:
            head, stream = body[: found.start()], found.group(1)
            if b"/FlateDecode" in head:
                stream = zlib.decompress(stream)
        objects[match.group(1)] = (head, stream)
    return objects


def _cmap(stream: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    return mapping


def _font_maps(objects: dict[bytes, tuple[bytes, bytes | None]]) -> dict[bytes, dict[int, str]]:
    """Resource name (F1, F2...) -> the ToUnicode map of that font."""
    maps = {}
    for head, _stream in objects.values():
        for fonts in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, number in re.findall(rb"/(\w+) (\d+) 0 R", fonts):
                unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[number][0]).group(1)  # type: ignore[union-attr]
                maps[name] = _cmap(objects[unicode_ref][1] or b"")
    return maps


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes, its backslash escapes undone."""
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C:  # backslash
            i += 1
            e = raw[i : i + 1]
            if e.isdigit():
                digits = re.match(rb"[0-7]{1,3}", raw[i : i + 3]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8))
                i += len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(e, e)
        else:
            out.append(c)
        i += 1
    return bytes(out)


def _object(data: bytes, number: bytes) -> bytes:
    return re.search(rb"(?:^|\n)" + number + rb" 0 obj(.*?)endobj", data, re.S).group(1)  # type: ignore[union-attr]


def _page_count(data: bytes) -> int:
    """The trailer's /Root, its /Pages, and their /Count; checked against the page objects themselves."""
    trailer = data[data.rindex(b"trailer") :]
    root = re.search(rb"/Root (\d+) 0 R", trailer).group(1)  # type: ignore[union-attr]
    pages_ref = re.search(rb"/Pages (\d+) 0 R", _object(data, root)).group(1)  # type: ignore[union-attr]
    count = int(re.search(rb"/Count (\d+)", _object(data, pages_ref)).group(1))  # type: ignore[union-attr]
    assert count == len(re.findall(rb"/Type /Page\b(?!s)", data))
    return count


def pdf_text(data: bytes) -> Pdf:
    assert data.startswith(b"%PDF-"), data[:20]
    assert data.rstrip().endswith(b"%%EOF")
    pages = _page_count(data)
    objects = _objects(data)
    maps = _font_maps(objects)
    strings = []
    for head, stream in objects.values():
        if stream is None or b"/Subtype" in head or b" Tj" not in stream:
            continue  # fonts and maps are streams too; only page content shows text
        font: dict[int, str] = {}
        # A font change, a string shown with Tj, or an array shown with TJ (justified lines: strings and kerning).
        for name, single, array in re.findall(rb"/(\w+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj|\[(.*?)\] TJ", stream, re.S):
            if name:
                font = maps[name]
                continue
            parts = [single] if single else re.findall(rb"\(((?:\\.|[^\\)])*)\)", array, re.S)
            codes = b"".join(_literal(part) for part in parts)
            glyphs = [int.from_bytes(codes[i : i + 2], "big") for i in range(0, len(codes) - 1, 2)]
            strings.append("".join(font.get(g, "\ufffd") for g in glyphs))
    return Pdf(pages=pages, strings=strings)


# Fixtures ---------------------------------------------------------------------------------------------------


def faa_completed(case, on=date(2025, 11, 20)):
    faa = InstrumentVersion.objects.get(key="faa", version="1.0.0")
    assessment = assessment_start(by=case.owner, case=case, instrument=faa, language="kk")
    answers = {f"D{d}_{k}": 3 for d in range(1, 8) for k in range(1, 7)}
    assessment_answer(by=case.owner, assessment=assessment, answers=answers)
    return assessment_complete(by=case.owner, assessment=assessment, assessed_on=on)


def url(case) -> str:
    return reverse("documents:case_pdf", args=[case.pk])


def emergency(user, case) -> None:
    login(user).post(
        reverse("cases:emergency"),
        {"number": case.number, "reason": "Полиция сообщает о новой угрозе, нужен адрес убежища"},
    )


# Tests ------------------------------------------------------------------------------------------------------


def test_the_case_file_is_a_pdf_with_every_section_for_the_case_worker(case, worker):
    note_add(
        by=worker, case=case, contact="home_visit", contact_on=date(2025, 11, 3), text="Отбасы жаңа пәтерге көшті."
    )
    task_add(by=worker, case=case, title="Тіркеуді тексеру", assignee=worker, due_on=date(2025, 12, 1))
    faa_completed(case)
    a_plan(case)
    a_draft_referral(case)
    response = login(worker).get(url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert f'filename="case-{case.number}.pdf"' in response["Content-Disposition"]
    pdf = pdf_text(response.content)
    assert pdf.pages >= 1
    for expected in (
        f"Case file {case.number}",
        "Садықов Асқар Серікұлы",  # the head, shown in full to the case team
        "Садықова Құралай",
        "+7 701 234 5678",
        "Отбасы жаңа пәтерге көшті.",  # a note
        "Тіркеуді тексеру",  # a task
        "Тұрақты жұмыс табу",  # a goal of the plan, in the family's words
        "Legal aid",  # the referral's service (its English name on an English page)
        "Latest family adaptation assessment",
        "Adaptation phase",
    ):
        assert pdf.has(expected), expected
    assert "Сарыарқа" not in pdf.text  # the address is not in the case file
    entry = AuditEntry.objects.for_record(case).get(action="exported")
    assert entry.actor == worker


def test_under_emergency_access_the_survivor_is_masked_and_safety_records_stay_out(survivor_case, worker, supervisor):
    safety_records(survivor_case)  # a safety plan saying "Ол ішкенде", a police order, a crisis-centre stay
    safe_contact_set(
        by=worker,
        person=survivor_case.person,
        safe_phone="+7 777 000 1122",
        no_sms=True,
        code_word="Қызғалдақ",
        instructions="Тек түстен кейін",
    )
    assert login(supervisor).get(url(survivor_case)).status_code == 404  # no emergency access yet
    emergency(supervisor, survivor_case)
    outside = pdf_text(login(supervisor).get(url(survivor_case)).content)
    team = pdf_text(login(worker).get(url(survivor_case)).content)
    # Positive control: the team's copy has what the reader must find absent from the other.
    assert team.has("Омарова Гүлнар") and team.has("+7 777 000 1122")
    assert not outside.has("Омарова") and not outside.has("Гүлнар")
    assert outside.has("О*** Г.") and outside.has(survivor_case.number)
    # The contact honours the safe preferences for both; the code word is on no paper, the team's neither.
    assert outside.has("+7 777 000 1122") and outside.has("no SMS")
    for pdf in (outside, team):
        assert not pdf.has("Қызғалдақ")
        assert not pdf.has("Ол ішкенде")  # the safety plan's contents
        assert not pdf.has("Дағдарыс")  # neither the shelter's address nor the crisis-centre stay
    exports = AuditEntry.objects.for_record(survivor_case).filter(action="exported")
    assert sorted(exports.values_list("actor__username", flat=True)) == ["aigerim", "bolat"]


def test_a_safety_first_phase_is_shown_to_the_team_alone(survivor_case, worker, supervisor):
    assessment = faa_completed(survivor_case)
    Assessment.objects.filter(pk=assessment.pk).update(phase="safety_first")  # as a safety concern sets it
    emergency(supervisor, survivor_case)
    assert pdf_text(login(worker).get(url(survivor_case)).content).has("Safety first")
    outside = pdf_text(login(supervisor).get(url(survivor_case)).content)
    assert not outside.has("Safety first") and outside.has("shown only to the case team")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("worker", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("coordinator", 200),
        ("registrar", 404),
        ("other_worker", 404),
        ("researcher", 404),
        ("sysadmin", 404),
    ],
)
def test_who_may_download_the_case_file(request, case, persona, expected):
    user = request.getfixturevalue(persona)
    assert login(user).get(url(case)).status_code == expected
    assert AuditEntry.objects.for_record(case).filter(action="exported", actor=user).exists() == (expected == 200)


def test_the_case_page_links_to_the_case_file(case, worker):
    page = login(worker).get(case.get_absolute_url()).content.decode()
    assert url(case) in page


def test_post_is_refused(case, worker):
    assert login(worker).post(url(case)).status_code == 405


def test_the_case_file_in_kazakh_and_russian(case, worker):
    for language in ("kk", "ru"):
        pdf = pdf_text(login(worker, language).get(url(case)).content)
        assert pdf.has("Садықов Асқар Серікұлы") and pdf.has(case.number)
