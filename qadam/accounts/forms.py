from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from qadam.accounts.models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The username or password is not right. Both are case-sensitive."),
        "inactive": _("This account is switched off. Ask your agency administrator."),
    }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class TOTPCodeForm(forms.Form):
    """The six-digit code an authenticator app shows now."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the six digits your app shows, without letters."))
        return code


class AgencySettingsForm(forms.Form):
    """What an agency administrator decides for the agency: who may open restricted records in an emergency."""

    phone = forms.CharField(
        label=_("Phone for other agencies"),
        max_length=20,
        required=False,
        help_text=_("Shown to workers of other agencies who find that your agency keeps a record."),
    )
    break_glass_roles = forms.MultipleChoiceField(
        label=_("Roles that may open a restricted record in an emergency"),
        choices=[
            (role, label)
            for role, label in User.Role.choices
            if role in {User.Role.SUPERVISOR, User.Role.AGENCY_ADMIN, User.Role.SOCIAL_WORKER}
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every emergency access needs a reason, lasts one hour and is told to the case worker."),
    )
