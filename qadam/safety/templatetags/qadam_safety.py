"""`{% contact_line person %}`: a person's phone as it may be used, with her safe contact preferences.

Every template that shows a phone to contact a person uses it instead of `person.phone`, so that a safe
phone replaces the one on the record and "never SMS / never voicemail" and the safe hours travel with it.
"""

from typing import Any

from django import template

from qadam.families.models import Person
from qadam.safety.services import contact_details

register = template.Library()


@register.inclusion_tag("safety/_contact_line.html", takes_context=True)
def contact_line(context: dict[str, Any], person: Person | None, code_word: bool = True) -> dict[str, Any]:
    """`code_word=False` leaves the code word out even for the team: on paper, say (a printed case file)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if person is None or user is None:
        return {"contact": None}
    return {"contact": contact_details(person, user=user), "show_code_word": code_word}
