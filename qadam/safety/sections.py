"""The sections of a Qadam safety plan, in Qadam's own wording (after the common components of safety
planning: instruments.md §4). Each is written in the survivor's own words; none is required, since a
plan is hers and need not cover everything. `print_title` is what the discreet printed copy says: plain
words that would not tell someone picking up the paper what it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class Section:
    key: str
    title: StrPromise
    prompt: StrPromise
    print_title: StrPromise


SECTIONS: tuple[Section, ...] = (
    Section(
        "priorities",
        _("What matters to her now"),
        _("What she wants now, and what has already helped her keep safe."),
        _("What matters to me now"),
    ),
    Section(
        "warning_signs",
        _("Warning signs"),
        _("What she notices before things become dangerous, and what she can do at that moment."),
        _("When I notice it getting worse"),
    ),
    Section(
        "during_incident",
        _("If it happens again"),
        _(
            "A room with a way out and nothing that can hurt her; how to get out; "
            "a signal or word for people she trusts."
        ),
        _("If I need to get out fast"),
    ),
    Section(
        "safe_places_people",
        _("Safe places and people"),
        _("Where she can go at any hour, and whom she trusts to help or to keep copies of her papers."),
        _("Places and people I can turn to"),
    ),
    Section(
        "bag_documents",
        _("Bag and documents"),
        _(
            "What to have ready and where it is kept: identity card, the children's birth certificates, "
            "medicines, money and cards, keys, phone and charger, things for the children."
        ),
        _("Things to have ready"),
    ),
    Section(
        "leaving",
        _("Leaving: how, and whom to call"),
        _("Transport, the time of day, whom to call and in what order."),
        _("How I would go, and whom I call"),
    ),
    Section(
        "children",
        _("Children's safety"),
        _("What the children know to do and whom to call, who collects them, what the school or kindergarten knows."),
        _("The children"),
    ),
    Section(
        "work_school_online",
        _("Work, school, phone and internet"),
        _("Routes and routines; who at work or school knows; location sharing, shared accounts, passwords, a new SIM."),
        _("Work, routes and my phone"),
    ),
    Section(
        "after_separation",
        _("After separation"),
        _("Locks, new routes, contact visits for the children, what the protective measures allow."),
        _("Living apart"),
    ),
    Section(
        "wellbeing_support",
        _("Health, feelings and support"),
        _("Medical follow-up, someone to talk to, what helps her feel steadier, her own money and income."),
        _("Looking after myself"),
    ),
    Section(
        "who_does_what",
        _("Who does what"),
        _("Next steps for her, for the worker and for others, most urgent first."),
        _("Next steps"),
    ),
)

KEYS = tuple(section.key for section in SECTIONS)
