"""The safety plan of a restricted case: written with the survivor section by section, kept in versions,
read by the case team alone, and printed as a discreet copy that tells nothing of what it is about."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Task
from qadam.cases.services import case_break_glass, case_team_add
from qadam.safety.models import SafetyPlan, SafetyPlanVersion
from qadam.safety.sections import SECTIONS
from qadam.safety.services import safety_plan_write, stay_add
from tests.conftest import login, make_user

WORDS = {
    "warning_signs": "Когда он начинает проверять мой телефон",
    "safe_places_people": "Сестра Айгуль, она знает",
    "bag_documents": "Удостоверение и свидетельства детей у сестры",
}


def plan_url(case, name: str = "plan") -> str:
    return reverse(f"safety:{name}", kwargs={"pk": case.pk})


def write(case, by, **extra):
    return safety_plan_write(by=by, case=case, sections={**WORDS, **extra.pop("sections", {})}, **extra)


def test_write_and_read_a_plan(survivor_case, worker):
    client = login(worker)
    form = client.get(plan_url(survivor_case, "plan_edit"))
    assert form.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    data = {**WORDS, "situation": "preparing", "occasion": "", "review_on": "", "form_token": token}
    response = client.post(plan_url(survivor_case, "plan_edit"), data)
    assert response.status_code == 302 and response["Location"] == plan_url(survivor_case)
    # A second submit of the same form writes nothing more.
    assert client.post(plan_url(survivor_case, "plan_edit"), data).status_code == 302
    version = SafetyPlanVersion.objects.get()
    assert version.number == 1 and version.occasion == "first" and version.written_by == worker
    assert version.texts == WORDS and version.situation == "preparing"
    page = client.get(plan_url(survivor_case)).content.decode()
    assert WORDS["warning_signs"] in page and "Warning signs" in page and "Version 1" in page
    entry = AuditEntry.objects.filter(action="safety_plan_written").get()
    assert entry.target_type == "safety.safetyplan" and entry.changes["version"] == [None, 1]
    assert WORDS["warning_signs"] not in str(entry.changes)
    assert AuditEntry.objects.for_record(version.plan).filter(action="viewed", actor=worker).exists()


def test_versions_keep_the_earlier_plan(survivor_case, worker):
    first = write(survivor_case, worker)
    second = write(survivor_case, worker, sections={"children": "Дети знают номер 102"}, occasion="incident")
    assert (first.number, second.number) == (1, 2) and second.occasion == "incident"
    assert "children" not in SafetyPlanVersion.objects.get(pk=first.pk).texts
    # The same plan again is not a new version.
    assert write(survivor_case, worker, sections={"children": "Дети знают номер 102"}, occasion="incident") == second
    client = login(worker)
    assert "Дети знают" not in client.get(plan_url(survivor_case) + "?v=1").content.decode()
    assert "earlier version" in client.get(plan_url(survivor_case) + "?v=1").content.decode()
    assert client.get(plan_url(survivor_case) + "?v=9").status_code == 404


def test_review_date_is_a_private_task_completed_by_the_next_version(survivor_case, worker):
    review_on = timezone.localdate() + timedelta(days=14)
    write(survivor_case, worker, review_on=review_on)
    task = SafetyPlan.objects.get().review_task
    assert task.private and task.due_on == review_on and task.assignee == worker and task.done_at is None
    write(survivor_case, worker, sections={"children": "Новое"})
    task.refresh_from_db()
    assert task.done_at is not None and SafetyPlan.objects.get().review_task is None


def test_bad_input(survivor_case, case, worker):
    with pytest.raises(ValidationError):
        safety_plan_write(by=worker, case=survivor_case, sections={"warning_signs": "   "})
    with pytest.raises(ValidationError) as error:
        write(survivor_case, worker, review_on=timezone.localdate() - timedelta(days=1))
    assert "review_on" in error.value.message_dict
    # Not a restricted case: no safety plan there.
    with pytest.raises(PermissionDenied):
        write(case, worker)
    assert not SafetyPlan.objects.exists() and not Task.objects.filter(private=True).exists()
    client = login(worker)
    response = client.post(plan_url(survivor_case, "plan_edit"), {"situation": "staying"})
    assert response.status_code == 200 and b"at least one section" in response.content
    assert not SafetyPlan.objects.exists()


def test_only_the_case_team_sees_the_plan(
    survivor_case, worker, supervisor, registrar, other_worker, researcher, astana
):
    write(survivor_case, worker)
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    colleague = make_user("madina", astana, User.Role.SOCIAL_WORKER)
    for name in ("plan", "plan_edit", "plan_print", "case"):
        for user in (supervisor, admin, colleague, registrar, other_worker, researcher):
            assert login(user).get(plan_url(survivor_case, name)).status_code == 404, (name, user)
    # The case page shows them no safety card: they cannot open the case at all.
    assert login(admin).get(survivor_case.get_absolute_url()).status_code == 404
    case_team_add(by=worker, case=survivor_case, user=colleague)
    assert login(colleague).get(plan_url(survivor_case)).status_code == 200


def test_no_safety_records_on_a_case_that_is_not_restricted(case, worker, supervisor):
    for user in (worker, supervisor):
        assert login(user).get(plan_url(case, "case")).status_code == 404
    assert b"case-safety" not in login(worker).get(case.get_absolute_url()).content


def test_emergency_access_reads_but_does_not_change(survivor_case, worker, supervisor):
    write(survivor_case, worker)
    case_break_glass(by=supervisor, case=survivor_case, reason="Она звонит, муж у двери, Айгерим не отвечает")
    client = login(supervisor)
    assert client.get(plan_url(survivor_case)).status_code == 200
    assert AuditEntry.objects.filter(action="viewed", actor=supervisor, target_type="safety.safetyplan").exists()
    assert client.get(plan_url(survivor_case, "plan_edit")).status_code == 403
    assert client.post(plan_url(survivor_case, "plan_edit"), {**WORDS, "situation": "left"}).status_code == 403
    with pytest.raises(PermissionDenied):
        write(survivor_case, supervisor, sections={"children": "x"})
    assert SafetyPlanVersion.objects.count() == 1


DISCREET_WORDS = [
    "violence",
    "насили",
    "зорлық",
    "crisis",
    "кризис",
    "дағдарыс",
    "shelter",
    "убежищ",
    "protective",
    "защитн",
    "safety",
    "case",
    "дело",
    "қадам",
    "ast en",
    "ast ru",
    "ast kk",
    "Дағдарыс орталығы, Астана",
]


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_discreet_print_names_no_shelter_case_or_agency(survivor_case, worker, language):
    write(survivor_case, worker, sections={"children": "Дети знают, что делать"})
    stay_add(
        by=worker,
        case=survivor_case,
        person=survivor_case.person,
        centre="Кризисный центр «Шанс», ул. Абая 1",
        from_on=timezone.localdate(),
    )
    response = login(worker).get(plan_url(survivor_case, "plan_print") + f"?lang={language}")
    assert response.status_code == 200
    html = response.content.decode()
    visible = re.sub(r"<[^>]+>", " ", html)
    assert WORDS["warning_signs"] in visible and "102" in visible
    # The whole document, links and attributes included: the page names nothing that tells what it is.
    lowered = html.casefold()
    for word in [*DISCREET_WORDS, survivor_case.number, "Шанс", "Абая", survivor_case.get_kind_display()]:
        assert word.casefold() not in lowered, word
    for section in SECTIONS:
        assert str(section.title) not in visible or str(section.title) == str(section.print_title)
    assert f'lang="{language}"' in html
    entry = AuditEntry.objects.filter(action="printed").get()
    assert entry.actor == worker and entry.target_type == "safety.safetyplan"


def test_print_needs_a_plan(survivor_case, worker):
    assert login(worker).get(plan_url(survivor_case, "plan_print")).status_code == 404


def test_card_on_the_case_page(survivor_case, worker):
    write(survivor_case, worker)
    client = login(worker)
    page = client.get(survivor_case.get_absolute_url()).content.decode()
    assert reverse("safety:case", kwargs={"pk": survivor_case.pk}) in page
    card = client.get(plan_url(survivor_case, "case"), HTTP_HX_REQUEST="true").content.decode()
    assert "version 1" in card and "None in force." in card
    full = client.get(plan_url(survivor_case, "case"))
    assert full.status_code == 200 and b"Record a measure" in full.content
    assert AuditEntry.objects.for_record(survivor_case).filter(action="viewed", actor=worker).exists()
