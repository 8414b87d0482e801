"""The assessment pages: the FAA answered a section at a time by Aigerim, its result, the family's
trajectory and the printed client copy; who may see and change what; the audit entries they leave."""

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments import charts
from qadam.assessments.models import Assessment, InstrumentVersion
from qadam.assessments.services import assessment_answer, assessment_complete, assessment_start
from qadam.audit.models import AuditEntry
from qadam.cases.services import case_team_add
from tests.conftest import login, make_user

FAA_SECTIONS = 11
SAFETY_SECTION = 11


def faa() -> InstrumentVersion:
    return InstrumentVersion.objects.get(key="faa", offered=True)


def section_url(assessment: Assessment, n: int) -> str:
    return reverse("assessments:section", kwargs={"pk": assessment.pk, "n": n})


def answers_for(section, *, level: int = 3, safe: bool = True) -> dict[str, Any]:
    """What the form sends for a section: most questions answered, the first one declined, the last skipped."""
    data: dict[str, Any] = {}
    items = [i for i in section.items if i.answerable]
    for index, item in enumerate(items):
        if section.private:
            yes = {"G1"} if safe else {"G2"}  # not safe: a concern, not the worker's "imminent danger"
            data[item.id] = "1" if item.id in yes else "0"
            continue
        if index == len(items) - 1 and len(items) > 3:
            continue  # skipped
        if index == 0 and item.type in ("scale", "anchored"):
            data[item.id] = "declined"
        elif item.type in ("scale", "anchored"):
            data[item.id] = str(level)
        elif item.type == "yesno":
            data[item.id] = "1"
        elif item.type == "single":
            data[item.id] = str(item.values[0])
        elif item.type == "multiple":
            data[item.id] = [str(item.values[0])]
    return data


def fill_in(client, assessment: Assessment, *, level: int = 3, safe: bool = True) -> None:
    for n, section in enumerate(faa().instrument.sections, start=1):
        data = {**answers_for(section, level=level, safe=safe), "go": "next"}
        response = client.post(section_url(assessment, n), data)
        assert response.status_code == 302, (n, response.content[:2000])


def start(client, case, language: str = "en") -> Assessment:
    response = client.post(
        reverse("assessments:start", kwargs={"pk": case.pk}), {"instrument": faa().pk, "language": language}
    )
    assessment = Assessment.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == section_url(assessment, 1)
    return assessment


def completed(case, by: User, *, on: date, level: int = 3, safe: bool = True) -> Assessment:
    """An FAA completed through the services (for trajectories), answered like fill_in does."""
    assessment = assessment_start(by=by, case=case, instrument=faa(), language="en")
    answers: dict[str, Any] = {}
    for section in faa().instrument.sections:
        for item_id, raw in answers_for(section, level=level, safe=safe).items():
            item = faa().instrument.items[item_id]
            if isinstance(raw, list):
                answers[item_id] = [next(v for v in item.values if str(v) == r) for r in raw]
            elif raw in ("declined", "na"):
                answers[item_id] = raw
            else:
                answers[item_id] = next(v for v in item.values if str(v) == raw)
    assessment_answer(by=by, assessment=assessment, answers=answers)
    return assessment_complete(by=by, assessment=assessment, assessed_on=on)


# The whole FAA through the pages ----------------------------------------------------------------------------


def test_the_case_page_offers_the_assessments_card(worker, case):
    client = login(worker)
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("assessments:case", kwargs={"pk": case.pk}) in page
    card = client.get(reverse("assessments:case", kwargs={"pk": case.pk}), headers={"HX-Request": "true"})
    html = card.content.decode()
    assert "Start the assessment" in html and "practice tool, not a validated scale" in html
    assert 'value="kk" selected' in html  # the head of the family prefers Kazakh


def test_a_full_faa_by_the_case_worker(worker, case):
    client = login(worker)
    assessment = start(client, case)

    first = client.get(section_url(assessment, 1)).content.decode()
    assert "About your family now" in first and "Why we ask" in first
    assert "practice tool, not a validated scale" in first
    assert "Only if the answer to" in first  # A3_other asks only when another language is spoken
    assert " required" not in first
    strengths = client.get(section_url(assessment, 2)).content.decode()
    assert "Prefer not to answer" in strengths and "Save and finish later" in strengths
    footing = client.get(section_url(assessment, 3)).content.decode()
    assert "No safe place to stay for the coming nights." in footing  # anchors shown as the choices
    safety = client.get(section_url(assessment, SAFETY_SECTION)).content.decode()
    assert "Ask only in private, when it is safe." in safety

    fill_in(client, assessment)
    review = client.get(reverse("assessments:review", kwargs={"pk": assessment.pk})).content.decode()
    assert "Complete the assessment" in review
    response = client.post(reverse("assessments:complete", kwargs={"pk": assessment.pk}))
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessments:detail", kwargs={"pk": assessment.pk}
    )

    assessment.refresh_from_db()
    assert assessment.is_completed and assessment.answers["D1_1"] == "declined" and assessment.answers["D1_2"] == 3
    assert "D1_6" not in assessment.answers  # skipped
    page = client.get(reverse("assessments:detail", kwargs={"pk": assessment.pk})).content.decode()
    assert page.index("Strengths") < page.index("Adaptation profile")
    assert "Someone in our family has a college or university education." in page  # a yes of section B
    assert "4 of 6 answered (4 needed)" in page  # D1: one declined, one skipped
    assert "Housing security" in page and "prefer not to answer" in page  # the missing item is named
    assert assessment.phase and str(assessment.interpreted.phase) == assessment.phase
    assert "Adaptation phase" in page and "approximation" in page and "not a diagnosis" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart profile-chart"' in page
    assert "Set the phase yourself" in page


def test_save_and_finish_later_goes_back_to_the_case(worker, case):
    client = login(worker)
    assessment = start(client, case)
    response = client.post(section_url(assessment, 2), {"B1": "1", "go": "later"})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assessment.refresh_from_db()
    assert assessment.answers == {"B1": 1}
    back = client.post(section_url(assessment, 2), {"B1": "skip", "go": "back"})
    assert back["Location"] == section_url(assessment, 1)
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_an_invalid_answer_is_shown_and_nothing_is_lost(worker, case):
    client = login(worker)
    assessment = start(client, case)
    response = client.post(section_url(assessment, 3), {"D1_1": "9", "D1_2": "2", "go": "next"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "errorlist" in html
    assert 'value="2" id="id_D1_2_2" checked' in html or ('name="D1_2" value="2"' in html and "checked" in html)
    assessment.refresh_from_db()
    assert assessment.answers == {}


def test_answers_are_prefilled_from_the_last_assessment_but_never_the_private_ones(worker, case):
    completed(case, worker, on=timezone.localdate() - timedelta(days=90), safe=False)
    client = login(worker)
    assessment = start(client, case)
    strengths = client.get(section_url(assessment, 2)).content.decode()
    assert "We have this from the last assessment — still true?" in strengths
    assert 'name="B1" value="1" required' not in strengths
    safety = client.get(section_url(assessment, SAFETY_SECTION)).content.decode()
    assert "We have this from the last assessment" not in safety and "checked" not in safety


# Who sees what ----------------------------------------------------------------------------------------------


def test_the_safety_flag_is_for_the_case_team_only(worker, supervisor, case):
    assessment = completed(case, worker, on=timezone.localdate(), safe=False)
    assert assessment.safety == "concern"
    url = reverse("assessments:detail", kwargs={"pk": assessment.pk})
    assert "Safety check" in login(worker).get(url).content.decode()
    seen_by_supervisor = login(supervisor).get(url)
    assert seen_by_supervisor.status_code == 200 and "Safety check" not in seen_by_supervisor.content.decode()
    assert "Safety concern" not in seen_by_supervisor.content.decode()


def test_a_private_section_is_closed_to_whoever_is_not_on_the_team(worker, supervisor, case):
    assessment = assessment_start(by=worker, case=case, instrument=faa(), language="en")
    assessment_answer(by=worker, assessment=assessment, answers={"G2": 1})
    client = login(supervisor)
    page = client.get(section_url(assessment, SAFETY_SECTION)).content.decode()
    assert "Only the case team asks and reads these questions." in page and 'name="G2"' not in page
    client.post(section_url(assessment, SAFETY_SECTION), {"go": "next"})
    assessment.refresh_from_db()
    assert assessment.all_answers == {"G2": 1}  # not wiped by the supervisor's page


def test_another_agency_gets_404_and_a_read_only_viewer_403(worker, other_worker, astana, case):
    assessment = completed(case, worker, on=timezone.localdate())
    other = login(other_worker)
    for url in (
        reverse("assessments:detail", kwargs={"pk": assessment.pk}),
        section_url(assessment, 1),
        reverse("assessments:print", kwargs={"pk": assessment.pk}),
        reverse("assessments:family", kwargs={"pk": case.family_id}),
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("assessments:start", kwargs={"pk": case.pk})).status_code == 404

    coordinator = make_user("gulmira", astana, User.Role.REGIONAL_COORDINATOR)
    viewer = login(coordinator)
    assert viewer.get(reverse("assessments:detail", kwargs={"pk": assessment.pk})).status_code == 200
    posts = [
        reverse("assessments:start", kwargs={"pk": case.pk}),
        reverse("assessments:phase", kwargs={"pk": assessment.pk}),
        reverse("assessments:complete", kwargs={"pk": assessment.pk}),
        section_url(assessment, 1),
    ]
    for url in posts:
        assert viewer.post(url, {"phase": "crisis", "reason": "x"}).status_code == 403, url


def test_the_phase_override_needs_a_reason_and_is_shown(worker, case):
    assessment = completed(case, worker, on=timezone.localdate())
    client = login(worker)
    url = reverse("assessments:phase", kwargs={"pk": assessment.pk})
    client.post(url, {"phase": "crisis", "reason": ""})
    assessment.refresh_from_db()
    assert assessment.phase_override == ""
    client.post(url, {"phase": "crisis", "reason": "Lost the job last week"})
    assessment.refresh_from_db()
    assert assessment.current_phase == "crisis"
    page = client.get(reverse("assessments:detail", kwargs={"pk": assessment.pk})).content.decode()
    assert "Lost the job last week" in page


# Audit ------------------------------------------------------------------------------------------------------


def test_pages_write_read_entries(settings, worker, case):
    settings.QADAM_AUDIT_READS = True
    assessment = completed(case, worker, on=timezone.localdate())
    client = login(worker)
    reads = AuditEntry.objects.for_record(case)
    before = reads.filter(action="viewed").count()
    client.get(reverse("assessments:detail", kwargs={"pk": assessment.pk}))
    assert reads.filter(action="viewed").count() == before + 1
    printed = reads.filter(action="printed").count()
    response = client.get(reverse("assessments:print", kwargs={"pk": assessment.pk}))
    assert response.status_code == 200
    assert reads.filter(action="printed").count() == printed + 1
    family_reads = AuditEntry.objects.for_record(case.family).filter(action="viewed").count()
    client.get(reverse("assessments:family", kwargs={"pk": case.family_id}))
    assert AuditEntry.objects.for_record(case.family).filter(action="viewed").count() == family_reads + 1


# The family's trajectory and the client copy ------------------------------------------------------------------


def test_the_trajectory_shows_three_assessments_in_order(worker, family, case):
    today = timezone.localdate()
    dates = [today - timedelta(days=300), today - timedelta(days=150), today - timedelta(days=10)]
    for on, level in zip(dates, (1, 2, 3), strict=True):
        completed(case, worker, on=on, level=level)
    page = login(worker).get(reverse("assessments:family", kwargs={"pk": family.pk})).content.decode()
    assert page.count('class="trajectory-point"') == 3
    shown = [page.index(on.strftime("%m/%d/%Y")) for on in dates if on.strftime("%m/%d/%Y") in page]
    rows = Assessment.objects.filter(family=family).order_by("assessed_on")
    months = [a.months_since_move for a in rows]
    assert months == sorted(months) and len(set(months)) == 3
    assert shown == sorted(shown)
    assert 'class="chart trajectory-chart"' in page and page.count('class="series series-ai point"') == 3
    assert page.index("Strengths") < page.index("Over time")


def test_the_trajectory_lists_only_assessments_of_cases_the_user_sees(worker, astana, family, case):
    completed(case, worker, on=timezone.localdate())
    colleague = make_user("marat", astana, User.Role.SOCIAL_WORKER)
    page = login(colleague).get(reverse("assessments:family", kwargs={"pk": family.pk}))
    assert page.status_code == 200 and "trajectory-point" not in page.content.decode()
    case_team_add(by=worker, case=case, user=colleague)
    page = login(colleague).get(reverse("assessments:family", kwargs={"pk": family.pk}))
    assert page.content.decode().count('class="trajectory-point"') == 1


def test_the_client_copy_is_in_the_family_language_without_safety_or_case(worker, case):
    assessment = completed(case, worker, on=timezone.localdate(), safe=False)
    assessment.language = "ru"
    assessment.save(update_fields=["language"])
    page = login(worker).get(reverse("assessments:print", kwargs={"pk": assessment.pk})).content.decode()
    assert "Оценка адаптации семьи" in page and 'lang="ru"' in page
    assert "У кого-то в нашей семье есть среднее специальное (колледж) или высшее образование." in page
    # The safety question itself, not its id "G2", which a random CSRF token on the page may contain.
    assert "причиняет вред" not in page and "Safety" not in page and case.get_kind_display() not in page
    assert case.number not in page


# Charts -----------------------------------------------------------------------------------------------------


def test_the_profile_chart_escapes_text_and_draws_a_bar_per_score():
    svg = charts.profile_chart(
        [charts.Bar("D1 <b>", 45, "coping"), charts.Bar("D2", None, note="not enough answers")], title="A & B"
    )
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "viewBox" in svg
    assert "A &amp; B" in svg and "D1 &lt;b&gt;" in svg and "<b>" not in svg
    assert svg.count('class="bar bar-coping"') == 1 and "not enough answers" in svg
    assert "style=" not in svg


def test_the_trajectory_chart_places_points_left_to_right():
    svg = charts.trajectory_chart(
        [charts.Series("AI", "Index", [(2, 30), (8, 50), (14, None)])], title="t", x_label="months", y_label="score"
    )
    assert svg.count("<circle") == 1 + 1  # two points with a score
    assert "<polyline" in svg and "style=" not in svg


def test_a_family_without_assessments_has_an_empty_profile(worker, family):
    page = login(worker).get(reverse("assessments:family", kwargs={"pk": family.pk}))
    assert page.status_code == 200 and "No completed Family Adaptation Assessment" in page.content.decode()
