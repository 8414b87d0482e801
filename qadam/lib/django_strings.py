"""Django's own strings that Qadam shows, listed so that `makemessages` copies them into our catalogue.

Django's bundled Kazakh catalogue is only about half translated, with mistakes (a misspelt "Жума",
"Сб" for Tuesday, capitalised month names where a date needs "8 наурыз"); our catalogue in
locale/ comes first (LOCALE_PATHS), so translating these entries there fixes what Qadam shows.

Each entry repeats Django's msgid exactly, with its context and plural form: a msgid that differs by
one character makes a new entry that overrides nothing. tests/test_i18n.py checks every entry
extracted from this file against Django's own catalogues.

Nothing imports this module; it exists to be read by `makemessages`. When Qadam starts to use
another kind of field, validator or date format, add the strings Django shows for it here.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# django/forms/fields.py, forms/models.py, forms/forms.py, forms/boundfield.py: the errors of the fields
# Qadam's forms use (text, number, date, choice, model choice, the hidden UUID of the submit-once token).
FORM_ERRORS = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Enter a valid UUID."),
    gettext_noop("(Hidden field %(name)s) %(error)s"),
]

# The label suffix and the characters after which it is left out (forms/forms.py, forms/boundfield.py).
FORM_PUNCTUATION = [
    gettext_noop(":"),
    gettext_noop(":?.!"),
]

# django/core/validators.py: what model and form fields check on every value.
VALIDATOR_ERRORS = [
    gettext_noop("Enter a valid value."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
]

# django/db/models/fields/__init__.py, db/models/base.py, db/models/constraints.py: errors of
# Model.full_clean(), which ModelForms and Qadam's services run.
MODEL_ERRORS = [
    gettext_noop("Value %(value)r is not a valid choice."),
    gettext_noop("This field cannot be null."),
    gettext_noop("This field cannot be blank."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("and"),
    gettext_noop("Constraint “%(name)s” is violated."),
]

# django/contrib/auth: the login form (AuthenticationForm labels its first field with capfirst("username")).
LOGIN = [
    gettext_noop("username"),
    gettext_noop("Password"),
]

# django/templatetags/i18n.py: {% get_available_languages %} passes the names in settings.LANGUAGES through
# gettext, and Django's catalogues turn "English" into "Ағылшын" and "Английский". A language switch names
# each language in that language, so our catalogues keep "English" as it is ("Қазақша" and "Русский" are
# not Django msgids and pass unchanged).
LANGUAGE_NAMES = [
    gettext_noop("English"),
]

# django/utils/text.py: what `truncatewords` appends.
TRUNCATION = [
    pgettext_lazy("String to return when truncating text", "%(truncated_text)s…"),
]

# django/utils/dates.py, used by the `date` filter and formats. F: stand-alone month name, capitalised in
# Kazakh and Russian ("Наурыз", "Март"); E: the month inside a date, lower case in Kazakh and genitive in
# Russian ("8 наурыз", "8 марта"); b and M: three letters; N: the abbreviation of the Associated Press style.
MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
MONTHS_ALT = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
MONTHS_3 = [
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
]
MONTHS_AP = [
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
]

# django/utils/dates.py: l (full name) and D (abbreviation) in date formats.
WEEKDAYS = [
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
]
WEEKDAYS_ABBR = [
    gettext_noop("Mon"),
    gettext_noop("Tue"),
    gettext_noop("Wed"),
    gettext_noop("Thu"),
    gettext_noop("Fri"),
    gettext_noop("Sat"),
    gettext_noop("Sun"),
]
