"""Text normalisation for search and duplicate detection in Kazakh and Russian.

`normalise` keeps what a person typed but makes it comparable: NFC, casefold, ё→е, and a Latin
look-alike i between Cyrillic letters turned into the Kazakh і. `loosen` also folds the Kazakh
letters to the Russian keyboard, so that "Кулмагамбетова" finds "Құлмағамбетова".
"""

import re
import unicodedata

_LATIN_I_IN_CYRILLIC = re.compile(
    r"(?<=[\u0400-\u04ff])[iI](?=[\u0400-\u04ff])|(?<=[\u0400-\u04ff])[iI]\b|\b[iI](?=[\u0400-\u04ff])"
)
_KAZAKH_TO_RUSSIAN = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"}
)
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _LATIN_I_IN_CYRILLIC.sub("і", text)
    return text.casefold().replace("ё", "е")


def loosen(text: str) -> str:
    return normalise(text).translate(_KAZAKH_TO_RUSSIAN)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def search_text(*parts: str | None) -> str:
    """The text kept at save time for the full-text index: normalised words and their loose forms."""
    seen: dict[str, None] = {}
    for part in parts:
        if not part:
            continue
        for word in words(normalise(part)):
            seen.setdefault(word, None)
            seen.setdefault(word.translate(_KAZAKH_TO_RUSSIAN), None)
    return " ".join(seen)


def query_terms(query: str, *, limit: int = 8) -> list[str]:
    """The loose words of a query, as prefixes to look up; at most `limit`, each at most 64 characters."""
    return [w[:64] for w in words(loosen(query))][:limit]


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def names_are_close(a: str, b: str) -> bool:
    """Whether two names are probably spellings of the same name (Жанар/Жанара, Ержан/Ержанн, і/и)."""
    a, b = loosen(a).strip(), loosen(b).strip()
    if not a or not b:
        return False
    if a == b or a.startswith(b) or b.startswith(a):
        return min(len(a), len(b)) >= 3 or a == b
    return _edit_distance_at_most(a, b, 1 if min(len(a), len(b)) < 6 else 2)


def _edit_distance_at_most(a: str, b: str, limit: int) -> bool:
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit
