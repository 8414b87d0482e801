"""Logins, logouts and failed logins: what a session remembers of its login, and the audit entries."""

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest

from qadam.accounts.models import User
from qadam.accounts.twofactor import has_confirmed_device
from qadam.audit.services import audit_record

LOGIN_AT_KEY = "qadam_login_at"
HAS_DEVICE_KEY = "qadam_has_otp_device"


def session_start(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """On every login (the form, or force_login in tests): when it began and whether a code is owed.

    Connected to user_logged_in in AccountsConfig.ready(); knowing this from the login on spares a
    device lookup on every request of a user who has no device.
    """
    if request is None:
        return
    request.session[LOGIN_AT_KEY] = time.time()
    request.session[HAS_DEVICE_KEY] = has_confirmed_device(user)


def session_too_old(session: SessionBase) -> bool:
    """Whether the session outlived QADAM_SESSION_LIFETIME since its login, however busy it was."""
    login_at = session.get(LOGIN_AT_KEY)
    if login_at is None:
        session[LOGIN_AT_KEY] = time.time()  # a session from before this rule: its lifetime starts now
        return False
    return time.time() - float(login_at) > settings.QADAM_SESSION_LIFETIME


@transaction.atomic
def login_record(*, user: User) -> None:
    audit_record(actor=user, action="login", obj=user)


@transaction.atomic
def logout_record(*, user: User) -> None:
    audit_record(actor=user, action="logout", obj=user)


@transaction.atomic
def login_failure_record(*, username: str, locked_out: bool) -> None:
    """A failed login of an existing username; an unknown one is left to django-axes' own record."""
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        return
    audit_record(actor=None, action="login_locked_out" if locked_out else "login_failed", obj=user)
