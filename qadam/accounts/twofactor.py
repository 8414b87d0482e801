"""Two-factor login with a time-based code (TOTP, django-otp): who needs it, enrolment, verification."""

from base64 import b32encode
from collections.abc import Callable
from typing import Any, TypeVar

import segno
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qadam.accounts.models import User
from qadam.audit.services import audit_record

# Compared as strings: these roles see (or administer) the records of many families.
TWO_FACTOR_ROLES = frozenset({"supervisor", "agency_admin", "system_admin"})

View = TypeVar("View", bound=Callable[..., Any])


def two_factor_required(user: User) -> bool:
    """Whether this user may not work in Qadam without a second factor."""
    return user.is_authenticated and (user.role in TWO_FACTOR_ROLES or user.is_superuser)


def two_factor_exempt(view: View) -> View:
    """Mark a view that a signed-in user reaches before the second step (logout, the 2FA pages)."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


def is_verified(user: User) -> bool:
    """Whether this session passed the second step (django-otp's OTPMiddleware sets otp_device)."""
    return getattr(user, "otp_device", None) is not None


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being enrolled: the same secret however often the enrolment page is opened."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with the first code the app shows; the session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(token):
        audit_record(actor=user, action="two_factor_failed", obj=user, changes={"step": "enrolment"})
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit_record(actor=user, action="two_factor_enrolled", obj=user)
    otp_login(request, device)
    return True


@transaction.atomic
def totp_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """The second step of a login: a code from one of the user's confirmed devices."""
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            return True
    audit_record(actor=user, action="two_factor_failed", obj=user, changes={"step": "login"})
    return False


@transaction.atomic
def totp_devices_reset(*, user: User) -> int:
    """Forget a user's authenticator (a lost phone): they enrol again at their next login."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=None, action="two_factor_reset", obj=user)
    return deleted


def totp_throttled(user: User) -> bool:
    """Whether a recent wrong code makes the user wait before the next try (django-otp's throttling)."""
    devices = TOTPDevice.objects.filter(user=user)
    return any(not device.verify_is_allowed()[0] for device in devices)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// address as an inline SVG QR code: no script, no inline style, no image request."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2433", light="#fff")
    return mark_safe(svg)  # segno's own markup: paths drawn from the code, no user text
