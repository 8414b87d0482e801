"""The Content-Security-Policy holds in a real Chromium: the main pages, htmx included, break none of it."""

import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qadam.accounts.models import User
from qadam.cases.models import Case
from qadam.cases.services import case_open
from qadam.families.models import Person
from qadam.families.services import family_register, person_register
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = event.documentURI;
  window.qadamCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


def watch(page) -> list[str]:
    """Every CSP violation (the DOM event) and every console error or page error, as text."""
    problems: list[str] = []
    page.expose_function("qadamCspViolation", lambda text: problems.append(text))
    page.add_init_script(REPORT_VIOLATIONS)  # injected by the browser itself, so the CSP does not stop it
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/accounts/login"))


def test_no_csp_violation_on_the_main_pages(page):
    agency = make_agency("ast", "71")
    worker = make_user("aigerim", agency, User.Role.SOCIAL_WORKER)
    head = person_register(
        by=worker, surname="Құлмағамбетова", given_name="Жанар", birth_date=date(1990, 2, 14), sex=Person.Sex.FEMALE
    )
    family = family_register(by=worker, head=head)
    case = case_open(by=worker, family=family, person=head, kind=Case.Kind.MIGRATION_ADAPTATION, owner=worker)
    problems = watch(page)

    log_in(page, "aigerim")
    assert urlsplit(page.url).path == "/"

    # The families list and its live search (htmx swaps the results in).
    page.get_by_role("link", name="Families").first.click()
    page.wait_for_url("**/families/")
    with page.expect_response(lambda response: "q=" in response.url):
        page.fill("#family-q", "Құлмағ")
    page.locator("#results").get_by_role("link", name="Құлмағамбетова Жанар").first.wait_for()

    # The family page, then the case page with a note added through htmx.
    page.locator("#results").get_by_role("link", name="Құлмағамбетова Жанар").first.click()
    page.wait_for_url(f"**/families/{family.pk}/")
    page.goto(case.get_absolute_url())
    page.select_option("#id_contact", "home_visit")
    page.fill("#id_text", "Үйге бардық, бәрі жақсы.")
    page.get_by_role("button", name="Add the note").click()
    page.locator("#timeline").get_by_text("Үйге бардық").wait_for()
    screenshot(page, "csp-case")

    assert problems == []

    # The watch itself works: an inline <style> added now is refused and reported.
    page.evaluate("document.head.appendChild(document.createElement('style')).textContent = 'body { color: red }'")
    page.wait_for_function("true")
    time.sleep(0.2)
    assert any("style-src" in problem for problem in problems)


def test_no_csp_violation_while_a_supervisor_enrols(page):
    make_user("bolat", make_agency("ast", "71"), User.Role.SUPERVISOR)
    problems = watch(page)

    log_in(page, "bolat")
    page.wait_for_url("**/accounts/two-factor/setup/**")
    assert page.locator(".qr svg").is_visible()
    screenshot(page, "two-factor-enrol")
    device = TOTPDevice.objects.get(user__username="bolat")
    page.fill("#id_code", f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}")
    page.get_by_role("button", name="Turn on two-factor login").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")

    assert page.get_by_text("Two-factor login is on").is_visible()
    assert problems == []
