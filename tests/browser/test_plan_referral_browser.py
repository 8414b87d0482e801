"""From an assessment to help received, in a real Chromium: the worker opens the FAA result, makes the support
plan from the goals Qadam suggests, records the family's agreement, refers the head of the family to a
service of another agency in the directory, and that agency accepts, takes the person in and completes the
referral from its inbox; the outcome is on the sender's case."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from qadam.accounts.models import User
from qadam.assessments.services import shipped_instruments_sync
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.directory.services import agency_organization, service_create
from qadam.plans.models import SupportPlan
from qadam.referrals.models import Referral
from tests.browser.conftest import screenshot
from tests.browser.test_faa_browser import a_case, log_in
from tests.conftest import make_agency, make_user
from tests.test_assessment_pages import completed

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: urlsplit(url).path.startswith("/accounts/login/"))


def test_from_the_faa_result_to_a_completed_referral(page):
    shipped_instruments_sync()
    astana, almaty = make_agency("ast", "71"), make_agency("alm", "75")
    worker = make_user("aigerim", astana, User.Role.SOCIAL_WORKER)
    make_user("bolat", astana, User.Role.SUPERVISOR)
    partner_admin = make_user("saule", almaty, User.Role.AGENCY_ADMIN)
    make_user("dinara", almaty, User.Role.SOCIAL_WORKER)
    service = service_create(
        by=partner_admin, organization=agency_organization(almaty), name="Жұмысқа орналасу", name_en="Job placement"
    )
    case = a_case(worker)
    faa = completed(case, worker, on=timezone.localdate() - timedelta(days=1), level=1)
    consent_record(
        by=worker,
        person=case.person,
        purpose=Consent.Purpose.SHARING,
        decision=Consent.Decision.GIVEN,
        how="paper",
        recipient=almaty,
    )
    log_in(page, "aigerim")

    # The assessment's result, then the plan from its suggestions.
    page.goto(f"/assessments/{faa.pk}/")
    assert page.get_by_role("heading", name="Adaptation phase").is_visible()
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Make the plan with the family").click()  # the card came in through htmx
    page.wait_for_url("**/plans/cases/*/new/")
    suggested = page.locator("fieldset", has_text="Suggested goal")
    assert suggested.count() == len(faa.interpretation["goal_dimensions"]) >= 1
    suggested.first.locator("textarea").fill("Асқар тұрақты жұмыс табады")
    screenshot(page, "plan-create")
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_url("**/plans/*/")
    plan = SupportPlan.objects.get(case=case)
    assert page.get_by_role("heading", name="Асқар тұрақты жұмыс табады").is_visible()

    # The family agrees aloud, before a witness.
    page.get_by_role("link", name="Record the family's agreement").click()
    page.check('input[name="how"][value="verbal"]')
    page.fill("#id_witness", "Құралай Садықова")
    page.get_by_role("button", name="Record the agreement").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.is_agreed and plan.witness == "Құралай Садықова"

    # The referral: what it shares is shown before it is sent.
    page.goto(case.get_absolute_url())
    page.get_by_role("link", name="Refer to a service").click()
    page.wait_for_url("**/referrals/case/*/new/")
    page.select_option("#id_service", str(service.pk))
    page.select_option("#id_person", str(case.person.pk))
    for item in ("name", "summary"):
        page.check(f'input[name="items"][value="{item}"]')
    page.fill("#id_summary", "Жұмыс іздеп жүр; қазақша және орысша сөйлейді.")
    page.get_by_role("button", name="Check what is shared").click()
    page.wait_for_url("**/referrals/*/confirm/")
    assert page.get_by_text("Жұмыс іздеп жүр; қазақша және орысша сөйлейді.").is_visible()
    screenshot(page, "referral-confirm")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.endswith("/confirm/"))
    referral = Referral.objects.get(case=case)
    assert referral.status == Referral.Status.SENT
    log_out(page)

    # The receiving agency answers from its inbox.
    log_in(page, "dinara")
    page.goto("/referrals/inbox/")
    page.get_by_role("link", name="Job placement").first.click()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert page.get_by_text("Жұмыс іздеп жүр").is_visible()
    for button, after in (("Accept", "Mark as in service"), ("Mark as in service", "Completed"), ("Completed", None)):
        page.get_by_role("button", name=button, exact=True).click()
        if after:
            page.get_by_role("button", name=after, exact=True).wait_for()
        else:
            page.get_by_role("button", name="Completed", exact=True).wait_for(state="detached")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    log_out(page)

    # The outcome is on the sender's case.
    log_in(page, "aigerim")
    page.goto(case.get_absolute_url())
    assert page.get_by_text("The referral to “Job placement” is completed.").is_visible()
    screenshot(page, "referral-on-the-case")
