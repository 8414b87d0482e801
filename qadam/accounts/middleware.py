from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from qadam.accounts.logins import HAS_DEVICE_KEY, session_too_old
from qadam.accounts.twofactor import has_confirmed_device, is_verified, two_factor_required
from qadam.lib.htmx import is_htmx


class UserLanguageMiddleware:
    """Speak the language a signed-in user chose, on every device, whatever the browser says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Content-Language", user.language)
        return response


def _redirect(request: HttpRequest, url_name: str) -> HttpResponse:
    """A redirect that also takes an htmx request off its fragment to the whole page."""
    url = reverse(url_name)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url + "?" + urlencode({"next": request.get_full_path()}))


class SessionLifetimeMiddleware:
    """End a session QADAM_SESSION_LIFETIME after its login, however busy (idle ones end sooner by themselves)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_too_old(request.session):
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
            return _redirect(request, "accounts:login")
        return self.get_response(request)


class TwoFactorMiddleware:
    """After the password, a user with a device owes a code, and a role that needs one must enrol first.

    Runs after LoginRequiredMiddleware. Pages open without login (login, language, healthz) and views
    marked two_factor_exempt (logout, the 2FA pages) stay reachable; static files never get here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or is_verified(user):  # type: ignore[arg-type]
            return None
        if getattr(view_func, "login_required", True) is False or getattr(view_func, "two_factor_exempt", False):
            return None
        if HAS_DEVICE_KEY not in request.session:  # a session from before two-factor login existed
            request.session[HAS_DEVICE_KEY] = has_confirmed_device(user)  # type: ignore[arg-type]
        if request.session[HAS_DEVICE_KEY]:
            return _redirect(request, "accounts:two_factor_verify")
        if two_factor_required(user):  # type: ignore[arg-type]
            return _redirect(request, "accounts:two_factor_enrol")
        return None
