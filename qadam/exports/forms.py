from django import forms
from django.utils.translation import gettext_lazy as _

from qadam.exports import kanon
from qadam.lib.forms import SubmitOnceMixin

QUASI_IDENTIFIER_LABELS = {
    "origin_oblast": _("region of origin"),
    "destination_oblast": _("region of destination"),
    "origin_area": _("rural or urban origin"),
    "programme": _("programme"),
    "household_size": _("household size"),
    "reasons": _("reasons for moving"),
    "months_since_move": _("months since the move"),
}


class ResearchExportForm(SubmitOnceMixin):
    """What a de-identified research export is asked with: k, the format and the quasi-identifiers."""

    k = forms.IntegerField(
        label=_("Smallest group allowed (k)"), min_value=2, max_value=1000, initial=10,
        help_text=_("Every combination of the quasi-identifiers is shared by at least this many families."),
    )  # fmt: skip
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("both", _("CSV and Parquet")), ("csv", "CSV"), ("parquet", "Parquet")],
        initial="both",
    )
    quasi_identifiers = forms.MultipleChoiceField(
        label=_("Quasi-identifiers"),
        choices=[(qi, QUASI_IDENTIFIER_LABELS[qi]) for qi in kanon.HIERARCHIES],
        initial=list(kanon.DEFAULT_QUASI_IDENTIFIERS),
        widget=forms.CheckboxSelectMultiple,
    )


PASSWORD_MIN = 12


class EncryptForm(forms.Form):
    """A password to lock the download in an encrypted ZIP: used once to encrypt, never stored, logged or shown."""

    password = forms.CharField(
        label=_("Password"),
        help_text=_("At least 12 characters. Give it to the reader apart from the file."),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if len(password) < PASSWORD_MIN:
            raise forms.ValidationError(
                _("The password needs at least %(n)s characters."), params={"n": PASSWORD_MIN}, code="short"
            )
        return password
