"""Support plans through the services and the pages: suggestions from a completed FAA, versions, goals and
actions, the family's agreement, reviews as tasks, and the family's printed copy."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.models import InstrumentVersion
from qadam.assessments.services import assessment_answer, assessment_complete, assessment_start
from qadam.audit.models import AuditEntry
from qadam.cases.models import Task
from qadam.families.models import Person
from qadam.families.services import person_register
from qadam.plans.models import Action, Goal, PlanReview, SupportPlan
from qadam.plans.services import (
    action_add,
    action_set_status,
    goal_add,
    plan_agree,
    plan_create,
    plan_new_version,
    plan_suggestions,
    review_complete,
)
from tests.conftest import login, make_agency, make_user

pytestmark = pytest.mark.django_db

REVERSE = {"D1_5", "D2_5", "D3_2", "D3_6", "D5_6", "D6_6", "D7_6"}
PDF = b"%PDF-1.4\n% a signed plan\n"
TODAY = timezone.localdate()


def faa_answers() -> dict:
    """D1 scores 25, D2 50, the others 75: the two lowest are D1 and D2. Strengths: B1 and B3 only."""
    level = {1: 1, 2: 2}
    answers = {}
    for d in range(1, 8):
        for k in range(1, 7):
            item, value = f"D{d}_{k}", level.get(d, 3)
            answers[item] = 4 - value if item in REVERSE else value
    answers.update({"B1": 1, "B2": 0, "B3": 1})
    return answers


@pytest.fixture
def completed_faa(worker, case):
    faa = InstrumentVersion.objects.get(key="faa", version="1.0.0")
    assessment = assessment_start(by=worker, case=case, instrument=faa, language="ru")
    assessment_answer(by=worker, assessment=assessment, answers=faa_answers())
    return assessment_complete(by=worker, assessment=assessment)


def make_plan(worker, case, **kwargs) -> SupportPlan:
    values = {
        "starts_on": TODAY,
        "review_on": TODAY + timedelta(days=90),
        "language": "kk",
        "goals": [{"words": "Ағам жұмыс тапсын", "dimension": "D1"}],
        "strengths": ["Отбасы тату"],
    }
    values.update(kwargs)
    return plan_create(by=worker, case=case, **values)


class TestSuggestions:
    def test_the_weakest_dimensions_and_the_strengths_come_from_the_latest_faa(self, case, completed_faa):
        suggestions = plan_suggestions(case)
        assert completed_faa.interpretation["goal_dimensions"] == ["D1", "D2"]
        assert [g["dimension"] for g in suggestions.goals] == ["D1", "D2"]
        assert suggestions.language == "ru"  # the assessment's language
        assert suggestions.assessment == completed_faa
        assert len(suggestions.strengths) == 2 and "колледж" in suggestions.strengths[0]

    def test_without_an_assessment_nothing_is_suggested(self, case):
        suggestions = plan_suggestions(case)
        assert suggestions.goals == [] and suggestions.strengths == [] and suggestions.language == "kk"

    def test_the_page_offers_them_and_the_worker_keeps_rewrites_and_drops(self, worker, case, completed_faa):
        client = login(worker)
        page = client.get(reverse("plans:create", args=[case.pk]))
        assert page.status_code == 200
        assert [f.initial["dimension"] for f in page.context["formset"].forms[:2]] == ["D1", "D2"]
        data = {
            "form_token": "8c1f0e0a-0f0e-4c43-9d59-111111111111",
            "starts_on": TODAY.isoformat(),
            "review_on": (TODAY + timedelta(days=90)).isoformat(),
            "language": "ru",
            "strengths": "Муж водит грузовик\nДрузья в городе",
            "goals-TOTAL_FORMS": "4",
            "goals-INITIAL_FORMS": "4",
            "goals-0-words": "Найти постоянную работу мужу",
            "goals-0-dimension": "D1",
            "goals-0-origin": "suggested",
            "goals-1-words": "x",
            "goals-1-dimension": "D2",
            "goals-1-origin": "suggested",
            "goals-1-drop": "on",
            "goals-2-words": "Дети пойдут в садик",
            "goals-2-dimension": "D6",
            "goals-2-origin": "family",
            "goals-3-words": "",
            "goals-3-dimension": "",
            "goals-3-origin": "family",
        }
        response = client.post(reverse("plans:create", args=[case.pk]), data)
        plan = SupportPlan.objects.get(case=case)
        assert response.status_code == 302 and response.url == plan.get_absolute_url()
        goals = list(plan.goals.order_by("position"))
        assert [(g.words, g.dimension, g.origin) for g in goals] == [
            ("Найти постоянную работу мужу", "D1", "suggested"),
            ("Дети пойдут в садик", "D6", "family"),
        ]
        assert plan.strength_list == ["Муж водит грузовик", "Друзья в городе"]
        assert plan.assessment == completed_faa
        # A second submit of the same form makes nothing more.
        client.post(reverse("plans:create", args=[case.pk]), data)
        assert SupportPlan.objects.filter(case=case).count() == 1
        assert AuditEntry.objects.filter(action="plan_created", target_id=case.pk).count() == 1

    def test_a_kept_suggestion_without_words_is_refused_and_nothing_saved(self, worker, case, completed_faa):
        data = {
            "starts_on": TODAY.isoformat(),
            "review_on": (TODAY + timedelta(days=90)).isoformat(),
            "language": "ru",
            "goals-TOTAL_FORMS": "1",
            "goals-INITIAL_FORMS": "1",
            "goals-0-words": "  ",
            "goals-0-dimension": "D1",
            "goals-0-origin": "suggested",
        }
        response = login(worker).post(reverse("plans:create", args=[case.pk]), data)
        assert response.status_code == 422
        assert "family&#x27;s own words" in response.content.decode()
        assert not SupportPlan.objects.exists()


class TestPlan:
    def test_versions_start_from_the_previous_and_an_agreed_one_never_changes(self, worker, case, family):
        plan = make_plan(worker, case)
        goal = plan.goals.get()
        action_add(by=worker, goal=goal, who=Action.Who.FAMILY, person=family.head, what="Хабарласу", due_on=TODAY)
        plan_agree(by=worker, plan=plan, agreed_on=TODAY, how="verbal", witness="Айгүл Серікова")
        with pytest.raises(ValidationError):
            goal_add(by=worker, plan=plan, words="Жаңа мақсат")
        new = plan_new_version(by=worker, plan=plan)
        assert (new.version, new.based_on, new.status, new.is_agreed) == (2, plan, "draft", False)
        assert [g.words for g in new.goals.all()] == ["Ағам жұмыс тапсын"]
        assert Action.objects.filter(goal__plan=new).get().person == family.head
        goal_add(by=worker, plan=new, words="Балалар балабақшаға барсын", dimension="D6")
        assert plan.goals.count() == 1 and new.goals.count() == 2  # the earlier version is as it was
        with pytest.raises(ValidationError):
            goal_add(by=worker, plan=plan, words="Ескі нұсқаға")
        assert AuditEntry.objects.filter(action="plan_version_created", target_id=case.pk).exists()

    def test_one_plan_per_case(self, worker, case):
        make_plan(worker, case)
        with pytest.raises(ValidationError):
            make_plan(worker, case)

    def test_bad_input_is_refused_with_nothing_saved(self, worker, case, family):
        with pytest.raises(ValidationError, match="own words"):
            make_plan(worker, case, goals=[{"words": "   ", "dimension": "D1"}])
        assert not SupportPlan.objects.exists()
        plan = make_plan(worker, case, starts_on=TODAY)
        goal = plan.goals.get()
        with pytest.raises(ValidationError, match="before the plan starts"):
            action_add(by=worker, goal=goal, who="family", person=family.head, what="Х", due_on=TODAY - timedelta(1))
        stranger = person_register(
            by=worker, surname="Бөтен", given_name="Адам", birth_date=date(1980, 1, 1), sex=Person.Sex.MALE
        )
        with pytest.raises(ValidationError, match="member of this family"):
            action_add(by=worker, goal=goal, who="family", person=stranger, what="Х", due_on=TODAY)
        with pytest.raises(ValidationError, match="partner"):
            action_add(by=worker, goal=goal, who="partner", partner=" ", what="Х", due_on=TODAY)
        assert not Action.objects.exists()

    def test_actions_by_worker_and_partner_and_their_status(self, worker, case):
        plan = make_plan(worker, case)
        goal = plan.goals.get()
        mine = action_add(by=worker, goal=goal, who="worker", user=worker, what="ЦОН-ға бірге бару", due_on=TODAY)
        action_add(by=worker, goal=goal, who="partner", partner="Еңбек орталығы", what="Тіркеу", due_on=TODAY)
        action_set_status(by=worker, action=mine, status="done")
        assert Action.objects.get(pk=mine.pk).status == "done"
        entry = AuditEntry.objects.filter(action="plan_action_status_changed").get()
        assert entry.changes["status"] == ["planned", "done"]

    def test_pages_add_goals_and_actions(self, worker, case, family):
        plan = make_plan(worker, case)
        client = login(worker)
        assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
        client.post(reverse("plans:goal_add", args=[plan.pk]), {"words": "Үй табу", "dimension": "D1"})
        goal = Goal.objects.filter(plan=plan).order_by("-id").first()
        response = client.post(
            reverse("plans:action_add", args=[goal.pk]),
            {"who": f"person:{family.head.pk}", "what": "Хабарландыру қарау", "due_on": TODAY.isoformat()},
        )
        assert response.status_code == 302
        assert Action.objects.filter(goal=goal, person=family.head).exists()
        page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
        assert "Хабарландыру қарау" in page and reverse("plans:action_status", args=[goal.actions.get().pk]) in page
        assert client.get(reverse("plans:agreement", args=[plan.pk])).status_code == 200
        client.post(reverse("plans:goal_edit", args=[goal.pk]), {"words": "Өз үйіміз болсын", "dimension": "D1"})
        assert Goal.objects.get(pk=goal.pk).words == "Өз үйіміз болсын" and goal.actions.count() == 1
        client.post(reverse("plans:goal_edit", args=[goal.pk]), {"words": " ", "dimension": "D1"})
        assert Goal.objects.get(pk=goal.pk).words == "Өз үйіміз болсын"
        client.post(reverse("plans:goal_remove", args=[goal.pk]))
        assert not Goal.objects.filter(pk=goal.pk).exists() and plan.goals.count() == 1
        assert AuditEntry.objects.filter(action="plan_goal_removed", target_id=case.pk).exists()
        assert client.get(reverse("plans:case", args=[case.pk])).status_code == 200
        assert AuditEntry.objects.filter(action="viewed", target_id=case.pk, actor=worker).exists()


class TestAgreement:
    def test_a_paper_scan_is_kept_privately_and_served_only_in_scope(
        self, worker, other_worker, case, settings, tmp_path
    ):
        settings.MEDIA_ROOT = str(tmp_path)
        plan = make_plan(worker, case)
        client = login(worker)
        response = client.post(
            reverse("plans:agreement", args=[plan.pk]),
            {"agreed_on": TODAY.isoformat(), "how": "paper", "scan": SimpleUploadedFile("қол.pdf", PDF)},
        )
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.agreement == "paper" and plan.scan.name.endswith(".pdf") and "қол" not in plan.scan.name
        assert (tmp_path / plan.scan.name).read_bytes() == PDF
        scan = client.get(reverse("plans:scan", args=[plan.pk]))
        assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF
        assert scan["Content-Type"] == "application/pdf"
        assert login(other_worker).get(reverse("plans:scan", args=[plan.pk])).status_code == 404
        assert AuditEntry.objects.filter(action="plan_agreed", target_id=case.pk).exists()

    def test_a_wrong_type_or_too_large_scan_is_refused(self, worker, case, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        plan = make_plan(worker, case)
        client = login(worker)
        url = reverse("plans:agreement", args=[plan.pk])
        fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf")
        response = client.post(url, {"agreed_on": TODAY.isoformat(), "how": "paper", "scan": fake})
        assert response.status_code == 422 and b"PDF, JPEG or PNG" in response.content
        big = SimpleUploadedFile("plan.pdf", PDF + b"0" * (5 * 1024 * 1024))
        response = client.post(url, {"agreed_on": TODAY.isoformat(), "how": "paper", "scan": big})
        assert response.status_code == 422 and b"too large" in response.content
        plan.refresh_from_db()
        assert not plan.is_agreed and not plan.scan and not any(tmp_path.rglob("*.pdf"))

    def test_verbal_needs_a_witness(self, worker, case):
        plan = make_plan(worker, case)
        with pytest.raises(ValidationError, match="witness"):
            plan_agree(by=worker, plan=plan, agreed_on=TODAY, how="verbal", witness=" ")
        response = login(worker).post(
            reverse("plans:agreement", args=[plan.pk]), {"agreed_on": TODAY.isoformat(), "how": "verbal"}
        )
        assert response.status_code == 422
        plan.refresh_from_db()
        assert not plan.is_agreed
        plan_agree(by=worker, plan=plan, agreed_on=TODAY, how="verbal", witness="Нұрлан Әбенов")
        plan.refresh_from_db()
        assert plan.witness == "Нұрлан Әбенов" and not plan.is_editable


class TestReview:
    def test_the_review_date_makes_a_task_that_the_review_completes(self, worker, case):
        plan = make_plan(worker, case, review_on=TODAY + timedelta(days=60))
        review = PlanReview.objects.get(case=case)
        task = review.task
        assert (task.due_on, task.assignee, task.done_at, task.private) == (TODAY + timedelta(60), worker, None, False)
        client = login(worker)
        client.post(
            reverse("plans:review_done", args=[review.pk]),
            {
                "done_on": TODAY.isoformat(),
                "outcome": "Жұмыс табылды",
                "next_review_on": (TODAY + timedelta(90)).isoformat(),
            },
        )
        review.refresh_from_db()
        assert review.done_on == TODAY and review.plan == plan
        assert Task.objects.get(pk=task.pk).done_at is not None
        following = PlanReview.objects.get(case=case, done_on__isnull=True)
        assert following.due_on == TODAY + timedelta(90) and following.task.done_at is None
        assert AuditEntry.objects.filter(action="plan_reviewed", target_id=case.pk).exists()

    def test_a_review_without_outcome_is_refused(self, worker, case):
        make_plan(worker, case)
        review = PlanReview.objects.get(case=case)
        with pytest.raises(ValidationError):
            review_complete(by=worker, review=review, outcome=" ")
        assert Task.objects.get(pk=review.task_id).done_at is None

    def test_a_restricted_case_gets_a_private_review_task(self, worker, survivor_case):
        make_plan(worker, survivor_case)
        assert PlanReview.objects.get(case=survivor_case).task.private


class TestPrint:
    @pytest.mark.parametrize("language", ["kk", "ru"])
    def test_the_family_copy_in_its_language(self, worker, survivor_case, language):
        plan = make_plan(worker, survivor_case, strengths=["Бала тәрбиесінде тәжірибе"])
        response = login(worker).get(reverse("plans:print", args=[plan.pk]), {"language": language})
        html = response.content.decode()
        assert response.status_code == 200 and f'lang="{language}"' in html
        assert html.index("Бала тәрбиесінде тәжірибе") < html.index("Ағам жұмыс тапсын")  # strengths first
        assert survivor_case.number not in html
        for word in ("restricted", "violence", "насилие", "зорлық", "шектеулі", "ограничен"):
            assert word not in html.lower()
        assert AuditEntry.objects.filter(action="printed", target_id=survivor_case.pk, actor=worker).exists()


class TestWrongUser:
    def test_other_agency_gets_404_everywhere(self, worker, other_worker, case):
        plan = make_plan(worker, case)
        client = login(other_worker)
        for name in ("plans:detail", "plans:print", "plans:agreement", "plans:scan"):
            assert client.get(reverse(name, args=[plan.pk])).status_code == 404, name
        assert client.get(reverse("plans:case", args=[case.pk])).status_code == 404
        assert client.post(reverse("plans:goal_add", args=[plan.pk]), {"words": "x"}).status_code == 404

    def test_a_read_only_coordinator_sees_but_cannot_change(self, worker, astana, case):
        coordinator = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
        coordinator.coordinated_agencies.add(astana)
        plan = make_plan(worker, case)
        client = login(coordinator)
        assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
        assert client.get(reverse("plans:agreement", args=[plan.pk])).status_code == 403
        assert client.get(reverse("plans:create", args=[case.pk])).status_code == 403
        assert client.post(reverse("plans:goal_add", args=[plan.pk]), {"words": "x"}).status_code == 403
        assert client.post(reverse("plans:submit", args=[plan.pk])).status_code == 403

    def test_a_restricted_plan_is_only_for_the_team(self, worker, supervisor, survivor_case):
        plan = make_plan(worker, survivor_case)
        assert login(supervisor).get(reverse("plans:detail", args=[plan.pk])).status_code == 404
