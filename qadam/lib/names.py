"""Validation of people's names as written in Kazakh and Russian documents."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CYRILLIC_WORD = re.compile(r"^[А-ЯЁа-яёӘәҒғҚқҢңӨөҰұҮүҺһІі]+$")
_LATIN_WORD = re.compile(r"^[A-Za-z]+$")
_SEPARATORS = re.compile(r"[\s\-'’]+")
_LATIN_I = re.compile(r"(?<=[\u0400-\u04ff])[iI]|[iI](?=[\u0400-\u04ff])")


def clean_name(value: str) -> str:
    """Tidy a name (spaces, a Latin i typed for the Kazakh і) and refuse what is not a name."""
    value = " ".join(value.split())
    value = _LATIN_I.sub(lambda m: "і" if m.group() == "i" else "І", value)
    for word in _SEPARATORS.split(value):
        if not word:
            continue
        if _CYRILLIC_WORD.match(word) or _LATIN_WORD.match(word):
            continue
        if any(c.isdigit() for c in word):
            raise ValidationError(_("A name cannot contain digits."), code="digits")
        if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04ff]", word):
            raise ValidationError(
                _("“%(word)s” mixes Cyrillic and Latin letters. Please type it again in one alphabet."),
                code="mixed_script",
                params={"word": word},
            )
        raise ValidationError(
            _("“%(word)s” has characters that are not letters. Use letters, spaces and hyphens."),
            code="not_letters",
            params={"word": word},
        )
    return value
