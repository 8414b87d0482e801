# Kazakh formats, which Django does not ship. CLDR (via Babel) is the reference:
# long date "2026 ж. 8 наурыз" (a narrow no-break space, U+202F, keeps the year with "ж."),
# numbers "1 234 567,89" with a no-break space.
# The format-context month names (E) are lower case, the stand-alone ones (F) capitalised,
# both translated in locale/kk.
DATE_FORMAT = "Y\u202fж. j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y\u202fж. j E, H:i"
YEAR_MONTH_FORMAT = "Y\u202fж. E"
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
