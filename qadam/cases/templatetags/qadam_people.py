"""How a person's name is shown: a survivor's name is masked for anyone outside their case team."""

from typing import Any

from django import template

from qadam.cases.access import team_person_ids
from qadam.families.models import Person

register = template.Library()


def masked(person: Person) -> str:
    """ "С*** А." for Садықова Асқар: enough to tell records apart on a list, not to identify."""
    return f"{person.surname[:1]}*** {person.given_name[:1]}."


def shows_name(request: Any, person: Person) -> bool:
    if not person.restricted:
        return True
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    # One query per request, only when a restricted person is on the page; not one per name.
    if not hasattr(request, "_qadam_team_people"):
        request._qadam_team_people = team_person_ids(user)
    return person.pk in request._qadam_team_people


@register.simple_tag(takes_context=True)
def person_name(context: dict[str, Any], person: Person | None) -> str:
    if person is None:
        return ""
    return person.full_name if shows_name(context.get("request"), person) else masked(person)


@register.simple_tag(takes_context=True)
def person_iin(context: dict[str, Any], person: Person | None) -> str:
    """The IIN only where the name is shown: beside a masked name it would identify her all the same."""
    if person is None or not person.iin:
        return ""
    return person.iin if shows_name(context.get("request"), person) else ""
