"""IIN (ЖСН / ИИН), Kazakhstan's 12-digit individual identification number.

Layout: YYMMDD, a century-and-sex digit (1–6: odd male, even female; 1–2 1800s, 3–4 1900s,
5–6 2000s), a four-digit serial and a check digit (Government decree No. 565 of 11 June 2003).
"""

from dataclasses import dataclass
from datetime import date

_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class InvalidIIN(ValueError):
    """The text is not a valid IIN; `code` says why (length, digits, date, century, checksum)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IINFacts:
    birth_date: date
    sex: str  # "male" or "female", the values of Person.Sex


def check_digit(first_eleven: str) -> int | None:
    """The control digit for eleven digits, or None when no digit can be valid (such IINs are not issued)."""
    digits = [int(c) for c in first_eleven]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def parse_iin(value: str) -> IINFacts:
    """Validate an IIN and return the birth date and sex it encodes; raise InvalidIIN otherwise."""
    if len(value) != 12:
        raise InvalidIIN("length")
    if not value.isascii() or not value.isdigit():
        raise InvalidIIN("digits")
    century = _CENTURY.get(int(value[6]))
    if century is None:
        raise InvalidIIN("century")
    try:
        born = date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN("date") from None
    if check_digit(value[:11]) != int(value[11]):
        raise InvalidIIN("checksum")
    return IINFacts(birth_date=born, sex="male" if int(value[6]) % 2 else "female")


def make_iin(*, birth_date: date, sex: str, serial: int) -> str:
    """Build a valid IIN (for demo and synthetic data); skips serials that have no valid check digit."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + (0 if sex == "male" else 1)
    while True:
        head = f"{birth_date:%y%m%d}{century_digit}{serial % 10000:04d}"
        control = check_digit(head)
        if control is not None:
            return f"{head}{control}"
        serial += 1
