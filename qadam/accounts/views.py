from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.forms import AgencySettingsForm, LanguageForm, LoginForm, TOTPCodeForm
from qadam.accounts.logins import HAS_DEVICE_KEY, login_failure_record, login_record, logout_record
from qadam.accounts.services import agency_configure, user_set_language
from qadam.accounts.twofactor import (
    has_confirmed_device,
    is_verified,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret,
    totp_throttled,
    totp_verify,
    two_factor_exempt,
    two_factor_required,
)
from qadam.lib.http import AuthedRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        login_record(user=form.get_user())  # type: ignore[arg-type]
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.has_error("__all__", "invalid_login"):  # a password was checked (or refused by the lockout)
            locked_out = bool(getattr(self.request, "axes_locked_out", False))
            login_failure_record(username=form.data.get("username", ""), locked_out=locked_out)
        return super().form_invalid(form)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page, saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed logins for this username. Logging in with it is paused for %(minutes)d minute; "
        "try again later or ask your agency administrator.",
        "Too many failed logins for this username. Logging in with it is paused for %(minutes)d minutes; "
        "try again later or ask your agency administrator.",
        minutes,
    ) % {"minutes": minutes}
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked_out_message": message, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)


@method_decorator(two_factor_exempt, name="dispatch")
class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            logout_record(user=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@two_factor_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    """The second step of a login: the code from the user's authenticator app."""
    next_url = _next_url(request)
    if is_verified(request.user):
        return redirect(next_url)
    if not has_confirmed_device(request.user):
        request.session[HAS_DEVICE_KEY] = False  # the device was removed: enrol again if the role needs it
        return redirect(next_url)
    form = TOTPCodeForm(request.POST or None)
    if form.is_valid():
        if totp_throttled(request.user):
            form.add_error("code", _("Too many wrong codes in a row. Wait a minute, then try again."))
        elif totp_verify(request=request, user=request.user, token=form.cleaned_data["code"]):
            request.session.cycle_key()  # a new session id for the session that now counts as verified
            return redirect(next_url)
        else:
            form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@two_factor_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the secret), then confirm with a first code."""
    next_url = _next_url(request)
    if has_confirmed_device(request.user):
        return redirect("accounts:security" if is_verified(request.user) else "accounts:two_factor_verify")
    device = totp_device_pending(user=request.user)
    form = TOTPCodeForm(request.POST or None)
    if form.is_valid():
        if totp_throttled(request.user):
            form.add_error("code", _("Too many wrong codes in a row. Wait a minute, then try again."))
        elif totp_device_confirm(request=request, user=request.user, device=device, token=form.cleaned_data["code"]):
            request.session.cycle_key()
            messages.success(request, _("Two-factor login is on. Each time you log in, Qadam will ask for a code."))
            return redirect(next_url)
        else:
            form.add_error("code", _("That code is not right. Enter the code your app shows now."))
    context = {
        "form": form,
        "next": next_url,
        "qr": totp_qr_svg(device),
        "secret": totp_secret(device),
        "required": two_factor_required(request.user),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@require_GET
def security(request: AuthedRequest) -> HttpResponse:
    """The user's own security settings: whether two-factor login is on, and a way to turn it on."""
    context = {
        "enrolled": has_confirmed_device(request.user),
        "required": two_factor_required(request.user),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "lifetime_hours": settings.QADAM_SESSION_LIFETIME // 3600,
    }
    return render(request, "accounts/security.html", context)


@require_http_methods(["GET", "POST"])
def agency_settings(request: AuthedRequest) -> HttpResponse:
    """The agency administrator's settings: the agency's contact phone and who may use emergency access."""
    agency = request.user.agency
    if agency is None or request.user.role != request.user.Role.AGENCY_ADMIN:
        raise PermissionDenied
    initial = {"phone": agency.phone, "break_glass_roles": agency.break_glass_roles}
    form = AgencySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        agency_configure(by=request.user, agency=agency, **form.cleaned_data)
        messages.success(request, _("The agency's settings are saved."))
        return redirect("accounts:agency")
    return render(request, "accounts/agency_settings.html", {"form": form, "agency": agency})


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user, and in a cookie before login."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    response = HttpResponseRedirect(target or resolve_url(settings.LOGIN_REDIRECT_URL))
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)  # type: ignore[arg-type]
    translation.activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial page for load balancers and for the benchmarks' baseline."""
    return HttpResponse("ok", content_type="text/plain")
