"""Cases: opening, the status flow, notes and tasks on the timeline, the worker's home page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qadam.audit.models import AuditEntry
from qadam.cases.models import Case, Note, StatusChange, Task
from qadam.cases.services import case_change_status, case_close, case_reopen, note_add, task_add
from tests.conftest import login

TOKEN = "5b1f7f0e-8c1e-4a8e-9f0a-2d3c4b5a6978"


def note_data(**overrides):
    data = {
        "contact": "home_visit",
        "contact_on": timezone.localdate().isoformat(),
        "minutes": "40",
        "text": "Үйге бардық. Отбасы жаңа пәтерге көшті.",
        "form_token": TOKEN,
    }
    data.update(overrides)
    return data


class TestOpenCase:
    def test_worker_opens_a_case(self, worker, family):
        response = login(worker).post(
            reverse("cases:create", args=[family.pk]),
            {
                "kind": "poverty",
                "person": family.head.pk,
                "owner": worker.pk,
                "priority": "3",
                "grounds": ["homelessness"],
                "form_token": TOKEN,
            },
        )
        case = Case.objects.get()
        assert response["Location"] == case.get_absolute_url()
        assert case.number == f"AST-{timezone.localdate():%Y}-{case.pk:06d}"
        assert case.status == Case.Status.REGISTERED and case.grounds == ["homelessness"]
        assert AuditEntry.objects.filter(action="case_opened", target_id=case.pk).exists()

    def test_owner_must_be_a_worker_of_the_agency(self, worker, other_worker, family):
        response = login(worker).post(
            reverse("cases:create", args=[family.pk]),
            {
                "kind": "poverty",
                "person": family.head.pk,
                "owner": other_worker.pk,
                "priority": "2",
                "form_token": TOKEN,
            },
        )
        assert response.status_code == 200 and "owner" in response.context["form"].errors
        assert not Case.objects.exists()

    def test_other_agency_gets_404(self, other_worker, family):
        assert login(other_worker).get(reverse("cases:create", args=[family.pk])).status_code == 404


class TestStatusFlow:
    def test_the_whole_flow_with_close_and_reopen(self, worker, case):
        for status in ["assessment", "planning", "in_progress", "review"]:
            case = case_change_status(by=worker, case=case, to_status=status)
        case = case_close(by=worker, case=case, reason=Case.ClosingReason.GOALS_MET)
        assert case.closed_on == timezone.localdate()
        case = case_reopen(by=worker, case=case, comment="Отбасы қайта хабарласты")
        assert case.status == "assessment" and case.closed_on is None
        assert list(StatusChange.objects.filter(case=case).order_by("id").values_list("to_status", flat=True)) == [
            "registered",
            "assessment",
            "planning",
            "in_progress",
            "review",
            "closed",
            "assessment",
        ]
        assert AuditEntry.objects.filter(target_id=case.pk, action="case_status_changed").count() == 4

    def test_a_step_outside_the_flow_is_refused(self, worker, case):
        with pytest.raises(ValidationError):
            case_change_status(by=worker, case=case, to_status="review")
        assert Case.objects.get(pk=case.pk).status == "registered"

    def test_status_page_action(self, worker, case):
        client = login(worker)
        client.post(reverse("cases:status", args=[case.pk]), {"to_status": "assessment", "comment": "Бастадық"})
        assert Case.objects.get(pk=case.pk).status == "assessment"
        response = client.post(reverse("cases:status", args=[case.pk]), {"to_status": "closed"}, follow=True)
        assert Case.objects.get(pk=case.pk).status == "assessment"
        assert any(m.level_tag == "error" for m in response.context["messages"])

    def test_close_needs_a_reason_and_closes_once(self, worker, supervisor, case):
        # A supervisor closes without approval; a social worker's closing waits for it (tests/test_plans_approvals.py).
        client = login(supervisor)
        client.post(reverse("cases:close", args=[case.pk]), {"closing_reason": ""})
        assert Case.objects.get(pk=case.pk).is_open
        client.post(reverse("cases:close", args=[case.pk]), {"closing_reason": "moved_away"})
        client.post(reverse("cases:close", args=[case.pk]), {"closing_reason": "moved_away"})
        assert StatusChange.objects.filter(case=case, to_status="closed").count() == 1

    def test_other_agency_and_researcher_cannot_move_the_case(self, other_worker, researcher, case):
        for user in (other_worker, researcher):
            assert (
                login(user).post(reverse("cases:status", args=[case.pk]), {"to_status": "assessment"}).status_code
                == 404
            )
        assert Case.objects.get(pk=case.pk).status == "registered"

    def test_registrar_cannot_change_a_case(self, registrar, case):
        login(registrar).post(reverse("cases:status", args=[case.pk]), {"to_status": "assessment"})
        assert Case.objects.get(pk=case.pk).status == "registered"


class TestNotesAndTasks:
    def test_note_shows_on_the_timeline_and_is_audited(self, worker, case):
        client = login(worker)
        response = client.post(reverse("cases:note_create", args=[case.pk]), note_data(), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Отбасы жаңа пәтерге көшті" in response.content.decode()
        assert AuditEntry.objects.filter(action="note_added", target_id=case.pk).exists()
        page = client.get(case.get_absolute_url()).content.decode()
        assert "Отбасы жаңа пәтерге көшті" in page

    def test_a_second_submit_adds_no_second_note(self, worker, case):
        client = login(worker)
        client.post(reverse("cases:note_create", args=[case.pk]), note_data())
        client.post(reverse("cases:note_create", args=[case.pk]), note_data())
        assert Note.objects.count() == 1

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"text": ""}, "required"),
            ({"text": "ы" * 10001}, "at most 10000"),
            ({"contact_on": (timezone.localdate() + timedelta(days=3)).isoformat()}, "future"),
            ({"minutes": "5000"}, "1440"),
            ({"contact": "fax"}, "valid choice"),
        ],
    )
    def test_bad_notes_are_refused_whole(self, worker, case, overrides, message):
        response = login(worker).post(reverse("cases:note_create", args=[case.pk]), note_data(**overrides))
        assert response.status_code == 422
        assert message in str(response.context["note_form"].errors)
        assert not Note.objects.exists() and not AuditEntry.objects.filter(action="note_added").exists()

    def test_registrar_writes_no_notes(self, registrar, case):
        login(registrar).post(reverse("cases:note_create", args=[case.pk]), note_data())
        assert not Note.objects.exists()

    def test_other_agency_cannot_add_notes_or_tasks(self, other_worker, case):
        client = login(other_worker)
        assert client.post(reverse("cases:note_create", args=[case.pk]), note_data()).status_code == 404
        assert client.post(reverse("cases:task_create", args=[case.pk]), {}).status_code == 404
        assert not Note.objects.exists()

    def test_task_added_done_and_on_the_home_page(self, worker, supervisor, case):
        client = login(supervisor)
        client.post(
            reverse("cases:task_create", args=[case.pk]),
            {
                "title": "Мектепке құжат тапсыру",
                "due_on": timezone.localdate().isoformat(),
                "assignee": worker.pk,
                "form_token": TOKEN,
            },
        )
        task = Task.objects.get()
        home = login(worker).get(reverse("cases:home"))
        assert task in home.context["tasks"]
        login(worker).post(reverse("cases:task_done", args=[task.pk]), {"next": "home"})
        task.refresh_from_db()
        assert task.done_at is not None and task.done_by == worker
        assert task not in login(worker).get(reverse("cases:home")).context["tasks"]
        timeline = login(worker).get(case.get_absolute_url()).context["timeline"]
        assert [e["kind"] for e in timeline if e["item"] == task] == ["task_done", "task"]

    def test_task_for_another_agency_is_refused(self, worker, other_worker, case):
        with pytest.raises(ValidationError):
            task_add(by=worker, case=case, title="x", due_on=timezone.localdate(), assignee=other_worker)

    def test_other_agency_cannot_complete_a_task(self, worker, other_worker, case):
        task = task_add(by=worker, case=case, title="Қоңырау шалу", due_on=timezone.localdate(), assignee=worker)
        assert login(other_worker).post(reverse("cases:task_done", args=[task.pk])).status_code == 404

    def test_note_search_in_scope_only(self, worker, other_worker, case, other_case):
        note_add(
            by=worker, case=case, contact="call", contact_on=timezone.localdate(), text="Жұмыс іздеу туралы сөйлестік"
        )
        note_add(by=other_worker, case=other_case, contact="call", contact_on=timezone.localdate(), text="Жұмыс туралы")
        mine = login(worker).get(reverse("cases:note_search"), {"q": "жумыс"}).context["page"].items
        assert [n.case_id for n in mine] == [case.pk]


class TestHome:
    def test_home_shows_my_open_cases_tasks_and_recent(self, worker, case):
        task_add(
            by=worker, case=case, title="Үйге бару", due_on=timezone.localdate() - timedelta(days=1), assignee=worker
        )
        response = login(worker).get(reverse("cases:home"))
        assert response.context["open_cases"] == [case]
        assert response.context["recent"] == [case]
        assert response.context["overdue"] == 1

    def test_home_of_another_worker_is_empty(self, supervisor, case):
        response = login(supervisor).get(reverse("cases:home"))
        assert response.context["open_cases"] == [] and response.context["tasks"] == []

    def test_home_and_case_page_have_a_constant_number_of_queries(self, worker, case):
        client = login(worker)

        def count(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            return len(queries)

        home, page, listing = count(reverse("cases:home")), count(case.get_absolute_url()), count(reverse("cases:list"))
        for i in range(4):
            note_add(by=worker, case=case, contact="call", contact_on=timezone.localdate(), text=f"Қоңырау {i}")
            task_add(by=worker, case=case, title=f"Тапсырма {i}", due_on=timezone.localdate(), assignee=worker)
            case = case_change_status(by=worker, case=case, to_status=case.next_statuses()[0])
        assert (count(reverse("cases:home")), count(case.get_absolute_url()), count(reverse("cases:list"))) == (
            home,
            page,
            listing,
        )


def test_a_closed_case_takes_no_notes_or_tasks(worker, case):
    case = case_close(by=worker, case=case, reason=Case.ClosingReason.GOALS_MET)
    with pytest.raises(ValidationError):
        note_add(by=worker, case=case, contact="call", contact_on=timezone.localdate(), text="Кеш қалған жазба")
    with pytest.raises(ValidationError):
        task_add(by=worker, case=case, title="Кеш", due_on=timezone.localdate(), assignee=worker)
    assert not Note.objects.exists() and not Task.objects.exists()


def test_search_lists_have_a_constant_number_of_queries(worker, case):
    client = login(worker)
    urls = [reverse("cases:note_search") + "?q=қоңырау", reverse("families:people") + "?q=садық"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for i in range(4):
        note_add(by=worker, case=case, contact="call", contact_on=timezone.localdate(), text=f"Қоңырау {i}")
    assert counts() == before
