"""The 17 oblasts and 3 cities of republican significance (since 8 June 2022), with KATO region codes.

Source: shared/domain/kazakhstan.md §B.7 (Bureau of National Statistics KATO; ISO 3166-2:KZ numeric).
Each row: two-digit region code, Kazakh, Russian and English names, whether it is a city.
"""

REGIONS: list[tuple[str, str, str, str, bool]] = [
    ("10", "Абай облысы", "Абайская область", "Abai Region", False),
    ("11", "Ақмола облысы", "Акмолинская область", "Akmola Region", False),
    ("15", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region", False),
    ("19", "Алматы облысы", "Алматинская область", "Almaty Region", False),
    ("23", "Атырау облысы", "Атырауская область", "Atyrau Region", False),
    ("27", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region", False),
    ("31", "Жамбыл облысы", "Жамбылская область", "Zhambyl Region", False),
    ("33", "Жетісу облысы", "Область Жетісу", "Zhetisu Region", False),
    ("35", "Қарағанды облысы", "Карагандинская область", "Karaganda Region", False),
    ("39", "Қостанай облысы", "Костанайская область", "Kostanay Region", False),
    ("43", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region", False),
    ("47", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region", False),
    ("55", "Павлодар облысы", "Павлодарская область", "Pavlodar Region", False),
    ("59", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region", False),
    ("61", "Түркістан облысы", "Туркестанская область", "Turkistan Region", False),
    ("62", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region", False),
    ("63", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region", False),
    ("71", "Астана қаласы", "город Астана", "Astana", True),
    ("75", "Алматы қаласы", "город Алматы", "Almaty", True),
    ("79", "Шымкент қаласы", "город Шымкент", "Shymkent", True),
]


def region_kato_code(region: str) -> str:
    """The nine-digit KATO code of a region: its two digits followed by zeros (e.g. 710000000)."""
    return f"{region}0000000"
