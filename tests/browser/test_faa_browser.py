"""A Family Adaptation Assessment in a real Chromium: started from the case page, answered a part at a time
with some questions skipped, completed, and read on the family's adaptation profile."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.models import Assessment, InstrumentVersion
from qadam.assessments.services import shipped_instruments_sync
from qadam.cases.models import Case
from qadam.cases.services import case_open
from qadam.families.models import Family, Move
from qadam.families.services import family_register, move_record, person_register
from qadam.kato.models import KatoUnit
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def a_case(worker: User) -> Case:
    head = person_register(by=worker, surname="Садықов", given_name="Асқар", birth_date=date(1985, 3, 12), sex="male")
    family = family_register(by=worker, head=head)
    move_record(
        by=worker,
        family=family,
        origin_region=KatoUnit.objects.get(code="610000000"),
        origin_area=Move.Area.RURAL,
        destination_region=KatoUnit.objects.get(code="710000000"),
        moved_on=timezone.localdate() - timedelta(days=200),
        programme=Move.Programme.SELF_MOVING,
        reasons=["jobs"],
        registration=Move.Registration.TEMPORARY,
        housing=Family.Housing.RENTED,
    )
    return case_open(by=worker, family=family, person=head, kind=Case.Kind.MIGRATION_ADAPTATION, owner=worker)


def test_a_worker_does_an_faa_from_the_case_page_to_the_profile(page):
    shipped_instruments_sync()
    worker = make_user("aigerim", make_agency("ast", "71"), User.Role.SOCIAL_WORKER)
    case = a_case(worker)
    faa = InstrumentVersion.objects.get(key="faa", offered=True)
    log_in(page, "aigerim")

    page.goto(case.get_absolute_url())
    page.get_by_text("Start an assessment").click()  # the card came in through htmx
    page.select_option("#id_instrument", str(faa.pk))
    page.select_option("#id_language", "en")
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_url("**/section/1/")
    assessment = Assessment.objects.get()

    for section in faa.instrument.sections:
        assert page.locator("h1").inner_text().startswith(section.title["en"])
        items = [i for i in section.items if i.answerable and i.type in ("scale", "anchored", "yesno")]
        # Answer all but the last question of each part; the last is skipped, the first declined.
        for index, item in enumerate(items[:-1]):
            value = "declined" if index == 0 and section.id != "safety" else ("1" if item.type == "yesno" else "3")
            if section.id == "safety":
                value = "1" if item.id == "G1" else "0"
            page.check(f'input[name="{item.id}"][value="{value}"]')
        if section.private:
            assert page.get_by_text("Ask only in private, when it is safe.").is_visible()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()

    page.wait_for_url("**/review/")
    screenshot(page, "faa-review")
    page.get_by_role("button", name="Complete the assessment").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/")
    assessment.refresh_from_db()
    assert assessment.is_completed and assessment.phase and not assessment.safety
    assert page.get_by_role("heading", name="Strengths").is_visible()
    assert page.get_by_role("heading", name="Adaptation phase").is_visible()
    assert page.locator("svg.profile-chart").count() == 2  # the seven dimensions; H and U
    screenshot(page, "faa-result")

    page.get_by_role("link", name="The family's adaptation profile").click()
    page.wait_for_url(f"**/assessments/family/{case.family_id}/")
    assert page.locator("tr.trajectory-point").count() == 1
    assert page.locator("svg.trajectory-chart").is_visible()
    screenshot(page, "faa-profile")
