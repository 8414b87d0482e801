"""A social worker's first day, in a real Chromium: register a family, record its move, open a case,
write a note and a task, find them on the home page, then switch the interface to Kazakh."""

from datetime import date
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from qadam.accounts.models import User
from qadam.cases.models import Case, Note, Task
from qadam.families.models import Family
from qadam.lib.iin import make_iin
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def test_worker_registers_a_family_and_works_its_case(page):
    worker = make_user("aigerim", make_agency("ast", "71"), User.Role.SOCIAL_WORKER)
    log_in(page, "aigerim")

    # The head of the household: date of birth and sex are read from the IIN.
    page.get_by_role("link", name="Register a family").first.click()
    page.fill("#id_surname", "Құлмағамбетова")
    page.fill("#id_given_name", "Жанар")
    page.fill("#id_iin", make_iin(birth_date=date(1990, 2, 14), sex="female", serial=77))
    page.fill("#id_phone", "+7 701 555 12 34")
    page.select_option("#id_housing", "rented")
    page.get_by_role("button", name="Register the family").click()
    page.wait_for_url("**/families/*/")
    family = Family.objects.get()
    assert page.locator("h1").inner_text() == "Household of Құлмағамбетова Жанар"

    # A second member, typed without an IIN.
    page.get_by_role("link", name="Add a member").click()
    page.fill("#id_surname", "Құлмағамбетов")
    page.fill("#id_given_name", "Нұрлан")
    page.fill("#id_birth_date", "2014-09-01")
    page.select_option("#id_sex", "male")
    page.select_option("#id_relationship", "child")
    page.get_by_role("button", name="Add the member").click()
    page.wait_for_url(f"**/families/{family.pk}/")
    assert page.get_by_role("cell", name="Құлмағамбетов Нұрлан").is_visible()

    # How the household moved.
    page.get_by_role("link", name="Record a move").first.click()
    page.select_option("#id_origin_region", "610000000")
    page.fill("#id_origin_place", "Сарыағаш")
    page.check("input[name=origin_area][value=rural]")
    page.select_option("#id_destination_region", "710000000")
    page.fill("#id_moved_on", "2025-06-01")
    page.select_option("#id_programme", "self_moving")
    page.check("input[name=reasons][value=jobs]")
    page.check("input[name=reasons][value=schools]")
    page.select_option("#id_registration", "temporary")
    page.select_option("#id_housing", "rented")
    page.get_by_role("button", name="Record the move").click()
    page.wait_for_url(f"**/families/{family.pk}/")
    assert page.get_by_text("Turkistan Region, Сарыағаш (rural)").is_visible()
    assert family.memberships.count() == 2 and family.moves.count() == 1

    # A case, a note and a task; the forms answer through htmx without leaving the page.
    page.get_by_role("link", name="Open a case").click()
    page.select_option("#id_kind", "migration_adaptation")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get()
    page.select_option("#id_contact", "home_visit")
    page.fill("#id_minutes", "45")
    page.fill("#id_text", "Отбасымен таныстық. Балалар мектепке барады.")
    page.get_by_role("button", name="Add the note").click()
    page.locator("#timeline").get_by_text("Отбасымен таныстық").wait_for()
    page.get_by_text("Add a task").click()
    page.fill("#id_title", "Тіркеу құжаттарын тексеру")
    page.fill("#id_due_on", timezone.localdate().isoformat())
    page.get_by_role("button", name="Add the task").click()
    page.locator("#timeline").get_by_text("Тіркеу құжаттарын тексеру").wait_for()
    assert Note.objects.filter(case=case).count() == 1 and Task.objects.filter(case=case).count() == 1
    screenshot(page, "case")

    # The home page shows the case and the task due today.
    page.get_by_role("link", name="My work").click()
    assert page.get_by_role("link", name=case.number).first.is_visible()
    assert page.get_by_role("cell", name="Тіркеу құжаттарын тексеру").is_visible()

    # The language switch: remembered on the user.
    page.select_option("#language-switch", "kk")
    page.locator("form.language button").click()
    page.wait_for_function("document.documentElement.lang === 'kk'")
    assert "My open cases" not in page.content()
    worker.refresh_from_db()
    assert worker.language == "kk"
    screenshot(page, "home-kk")
