"""Protection in session: Argon2, lockout, two-factor login, session lifetime, CSP and security headers."""

import io
import re
import runpy
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from qadam.accounts.logins import LOGIN_AT_KEY
from qadam.accounts.models import User
from qadam.accounts.twofactor import two_factor_required
from qadam.audit.models import AuditEntry
from tests.conftest import PASSWORD, login, make_user

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/accounts/login/"
HOME = "/"
ENROL = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


def log_in(client: Client, username: str, password: str = PASSWORD):
    """Through the login page, in English (before login the page speaks Kazakh unless told)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(LOGIN, {"username": username, "password": password})


def code_at(device: TOTPDevice, steps: int = 0) -> str:
    """The code an authenticator app shows now (or some steps of 30 seconds away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def code_now(device: TOTPDevice) -> str:
    return code_at(device)


def wrong_code(device: TOTPDevice) -> str:
    right = {code_at(device, steps) for steps in (-1, 0, 1)}  # django-otp accepts one step either side
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)


def actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="accounts.user", target_id=user.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


# Passwords


def test_passwords_are_hashed_with_argon2(worker):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert identify_hasher(worker.password).algorithm == "argon2"


# Lockout after repeated failures


class TestLockout:
    def test_five_failures_lock_the_username_with_a_message_on_the_login_page(self, worker, client):
        for _ in range(4):
            response = log_in(client, "aigerim", "wrong-password-123")
            assert response.status_code == 200
            assert "The username or password is not right" in response.content.decode()

        response = log_in(client, "aigerim", "wrong-password-123")
        assert response.status_code == 429
        page = response.content.decode()
        assert "Too many failed logins for this username" in page and "30 minutes" in page
        assert 'id="id_username"' in page  # still the login page, not a bare error

        # Locked: even the right password does not get in.
        response = log_in(client, "aigerim")
        assert response.status_code == 429 and "_auth_user_id" not in client.session
        assert actions(worker) == ["login_failed"] * 4 + ["login_locked_out"] * 2

    def test_the_lock_lifts_after_the_cool_off(self, worker, client):
        for _ in range(5):
            log_in(client, "aigerim", "wrong-password-123")
        assert log_in(client, "aigerim").status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))

        response = log_in(client, "aigerim")
        assert response.status_code == 302 and response["Location"] == HOME

    def test_a_successful_login_resets_the_count(self, worker, client):
        for _ in range(4):
            log_in(client, "aigerim", "wrong-password-123")
        assert log_in(client, "aigerim").status_code == 302
        client.post(reverse("accounts:logout"))
        for _ in range(4):
            assert log_in(client, "aigerim", "wrong-password-123").status_code == 200
        assert log_in(client, "aigerim").status_code == 302

    def test_the_lock_is_per_username_not_per_office(self, worker, registrar, client):
        for _ in range(5):
            log_in(client, "aigerim", "wrong-password-123")
        # Dana works behind the same address: her login is not hers to lose.
        assert log_in(Client(), "dana").status_code == 302

    def test_an_unknown_username_is_counted_but_not_audited(self, db, client):
        for _ in range(5):
            response = log_in(client, "nobody", "wrong-password-123")
        assert response.status_code == 429
        assert AccessAttempt.objects.filter(username="nobody").exists()
        assert not AuditEntry.objects.exists()


# Audit of logins


def test_logins_logouts_and_failures_are_audited(worker, client):
    log_in(client, "aigerim", "wrong-password-123")
    log_in(client, "aigerim")
    client.post(reverse("accounts:logout"))

    assert actions(worker) == ["login_failed", "login", "logout"]
    failed, logged_in, logged_out = AuditEntry.objects.filter(target_id=worker.pk).order_by("id")
    assert failed.actor is None and logged_in.actor == worker == logged_out.actor


def test_a_form_error_without_a_password_check_is_not_a_failed_login(worker, client):
    assert client.post(LOGIN, {"username": "aigerim", "password": ""}).status_code == 200
    assert actions(worker) == []


# Two-factor login


@pytest.mark.parametrize("role", ["supervisor", "agency_admin", "system_admin"])
def test_two_factor_is_required_for_supervisors_and_admins(astana, role):
    assert two_factor_required(make_user("someone", astana, role))


@pytest.mark.parametrize("role", ["social_worker", "registrar", "researcher"])
def test_two_factor_is_optional_for_other_roles(astana, role):
    assert not two_factor_required(make_user("someone", astana, role))


class TestEnrolment:
    def test_a_supervisor_without_a_device_must_enrol_before_anything_else(self, supervisor, family, client):
        response = log_in(client, "bolat")
        assert response.status_code == 302 and response["Location"] == HOME
        for url in [HOME, reverse("families:list"), family.get_absolute_url(), reverse("accounts:security")]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(ENROL + "?next="), url

        response = client.get(ENROL)
        assert "no-store" in response["Cache-Control"]  # the secret stays out of every cache
        page = response.content.decode()
        device = TOTPDevice.objects.get(user=supervisor)
        assert not device.confirmed
        assert "<svg" in page and "script" not in page.split("<main", 1)[1]
        assert device.config_url.startswith("otpauth://totp/Qadam%3Abolat?")
        # The page shows the same secret however often it is opened.
        assert client.get(ENROL).context["secret"] == page.split('class="secret">')[1].split("<")[0]
        assert TOTPDevice.objects.filter(user=supervisor).count() == 1

    def test_a_correct_code_turns_it_on_and_opens_the_home_page(self, supervisor, client):
        log_in(client, "bolat")
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=supervisor)

        response = client.post(ENROL, {"code": code_now(device), "next": "/families/"})

        assert response.status_code == 302 and response["Location"] == "/families/"
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(HOME).status_code == 200
        assert "two_factor_enrolled" in actions(supervisor)

    def test_a_wrong_code_is_refused(self, supervisor, client):
        log_in(client, "bolat")
        client.get(ENROL)
        device = TOTPDevice.objects.get(user=supervisor)

        response = client.post(ENROL, {"code": wrong_code(device)})

        assert response.status_code == 200
        assert "That code is not right" in response.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        assert client.get(HOME).status_code == 302
        assert actions(supervisor)[-1] == "two_factor_failed"

    def test_letters_are_a_form_error(self, supervisor, client):
        log_in(client, "bolat")
        response = client.post(ENROL, {"code": "12ab56"})
        assert "Enter the six digits your app shows" in response.content.decode()

    def test_a_social_worker_may_enrol_from_the_security_page(self, worker, client):
        log_in(client, "aigerim")
        page = client.get(reverse("accounts:security")).content.decode()
        assert "Two-factor login is off" in page and ENROL in page

        client.get(ENROL)
        device = TOTPDevice.objects.get(user=worker)
        assert client.post(ENROL, {"code": code_now(device)}).status_code == 302
        assert "Two-factor login is on" in client.get(reverse("accounts:security")).content.decode()


class TestSecondStep:
    def test_a_social_worker_without_a_device_logs_in_without_a_second_step(self, worker, client):
        response = log_in(client, "aigerim")
        assert response.status_code == 302 and response["Location"] == HOME
        assert client.get(HOME).status_code == 200

    def test_a_user_with_a_device_must_enter_a_code(self, worker, client, settings):
        settings.OTP_TOTP_THROTTLE_FACTOR = 0
        device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
        log_in(client, "aigerim")

        response = client.get(reverse("cases:list"))
        assert response.status_code == 302 and response["Location"] == VERIFY + "?next=%2Fcases%2F"

        response = client.post(VERIFY, {"code": wrong_code(device), "next": "/cases/"})
        assert response.status_code == 200 and "That code is not right" in response.content.decode()
        assert client.get(HOME).status_code == 302

        before = client.cookies[settings.SESSION_COOKIE_NAME].value
        response = client.post(VERIFY, {"code": code_now(device), "next": "/cases/"})
        assert response.status_code == 302 and response["Location"] == "/cases/"
        assert client.cookies[settings.SESSION_COOKIE_NAME].value != before  # no fixation across the step
        assert client.get(HOME).status_code == 200
        assert actions(worker) == ["login", "two_factor_failed"]

    def test_wrong_codes_in_a_row_make_the_user_wait(self, worker, client):
        device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
        log_in(client, "aigerim")
        client.post(VERIFY, {"code": wrong_code(device)})

        response = client.post(VERIFY, {"code": code_now(device)})

        assert "Too many wrong codes in a row" in response.content.decode()
        assert client.get(HOME).status_code == 302

    def test_a_supervisor_with_a_device_is_asked_for_a_code_not_to_enrol(self, supervisor, client):
        TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
        log_in(client, "bolat")
        assert client.get(HOME)["Location"].startswith(VERIFY)
        assert client.get(ENROL)["Location"] == VERIFY

    def test_the_next_address_stays_on_this_site(self, worker, client, settings):
        settings.OTP_TOTP_THROTTLE_FACTOR = 0
        device = TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
        log_in(client, "aigerim")
        response = client.post(VERIFY, {"code": code_now(device), "next": "https://evil.example/"})
        assert response["Location"] == HOME

    def test_logging_out_needs_no_code(self, worker, client):
        TOTPDevice.objects.create(user=worker, name="phone", confirmed=True)
        log_in(client, "aigerim")
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
        assert "_auth_user_id" not in client.session

    def test_an_htmx_request_is_sent_to_the_whole_page(self, supervisor, case, client):
        log_in(client, "bolat")
        response = client.get(reverse("cases:task_create", args=[case.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response["HX-Redirect"] == ENROL

    def test_the_test_helper_passes_the_second_step(self, supervisor):
        assert login(supervisor).get(HOME).status_code == 200
        assert login(supervisor, second_step=False).get(HOME)["Location"].startswith(VERIFY)


def test_a_lost_phone_is_reset_by_command_and_the_supervisor_enrols_again(supervisor):
    client = login(supervisor)
    assert client.get(HOME).status_code == 200

    out = io.StringIO()
    call_command("two_factor_reset", "bolat", stdout=out)

    assert "set up two-factor login again" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert client.get(HOME)["Location"].startswith(ENROL)  # at once, in the session already open
    assert actions(supervisor)[-1] == "two_factor_reset"
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "nobody")


# Sessions


def test_idle_timeout_and_cookie_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry on: an idle timeout
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" == settings.CSRF_COOKIE_SAMESITE
    assert settings.QADAM_SESSION_LIFETIME == 12 * 60 * 60


def test_an_idle_session_ends(worker, client):
    log_in(client, "aigerim")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    session = Session.objects.get(session_key=cookie.value)
    assert timezone.now() + timedelta(minutes=29) < session.expire_date <= timezone.now() + timedelta(minutes=30)

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_ends_twelve_hours_after_its_login_however_busy(worker, client):
    log_in(client, "aigerim")
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - 12 * 60 * 60 - 1
    session.save()

    response = client.get(HOME)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert "Your session has ended" in client.get(LOGIN).content.decode()


@pytest.mark.parametrize("secure", ["true", "false"])
def test_cookies_and_hsts_follow_qadam_secure_cookies(monkeypatch, secure):
    monkeypatch.setenv("QADAM_SECURE_COOKIES", secure)
    production = runpy.run_path(str(ROOT / "config" / "settings.py"))
    on = secure == "true"
    assert production["SESSION_COOKIE_SECURE"] is on and production["CSRF_COOKIE_SECURE"] is on
    assert (production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60) is on
    assert production["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# Content-Security-Policy and the usual headers


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


@pytest.mark.parametrize("who", ["anonymous", "worker"])
def test_pages_carry_the_csp_and_the_security_headers(who, worker, case):
    client = Client() if who == "anonymous" else login(worker)
    url = LOGIN if who == "anonymous" else case.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200

    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert set(response["Permissions-Policy"].split(", ")) == {"camera=()", "microphone=()", "geolocation=()"}
    assert "Strict-Transport-Security" not in response  # plain HTTP in tests: HSTS only behind HTTPS


def test_htmx_is_configured_to_need_no_inline_style_or_eval(worker):
    page = login(worker).get(HOME).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)
    assert config and '"includeIndicatorStyles": false' in config[1] and '"allowEval": false' in config[1]


INLINE = re.compile(
    r"""\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=|\shx-on|javascript:|\sjs:""", re.IGNORECASE
)


def test_templates_have_no_inline_script_or_style():
    """The CSP would block them: every style lives in qadam.css, every script in a static file."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "qadam").rglob("templates/**/*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert offenders == []
