"""What a referral shares: built from the chosen items, shown to the worker, frozen and sent exactly so.

The content is plain data (JSON) so that the recipient's page renders it in the reader's language and
never needs the case: names of FAA dimensions travel in the three languages of the instrument.
Contact details come from `qadam.safety.services.contact_details` (the safe phone when one is set, the
"no SMS / no voicemail" instructions with it); the code word never leaves the case team.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qadam.assessments.models import Assessment
from qadam.lib.text import normalise
from qadam.referrals.models import Referral
from qadam.safety.services import contact_details

if TYPE_CHECKING:
    from qadam.accounts.models import User
    from qadam.cases.models import Case
    from qadam.families.models import Person

FAA_KEY = "faa"
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7")
# A name shorter than this matches too much ordinary text to be looked for in a summary.
SHORTEST_NAME = 3


def latest_faa(case: Case) -> Assessment | None:
    """The case's latest completed family adaptation assessment: the scores a referral may share."""
    return (
        Assessment.objects.filter(case_id=case.pk, instrument__key=FAA_KEY, status=Assessment.Status.COMPLETED)
        .select_related("instrument")
        .order_by("-assessed_on", "-id")
        .first()
    )


def faa_scores(assessment: Assessment | None) -> list[dict[str, Any]]:
    """The dimension scores of an assessment with their titles in every language of the instrument."""
    if assessment is None:
        return []
    titles = {s["id"]: s.get("title", {}) for s in assessment.instrument.definition.get("scales", [])}
    scores = {
        s.scale: round(s.score)
        for s in assessment.scale_scores.filter(scale__in=DIMENSIONS, valid=True)
        if s.score is not None
    }
    assessed_on = str(assessment.assessed_on)
    return [
        {"dimension": d, "title": titles.get(d, {}), "score": scores[d], "assessed_on": assessed_on}
        for d in DIMENSIONS
        if d in scores
    ]


def build_content(*, referral: Referral, user: User) -> dict[str, Any]:
    """What the recipient will receive, item by item, in the order of `Referral.Item`."""
    person: Person = referral.person
    chosen = [item for item in Referral.Item.values if item in referral.items]
    content: dict[str, Any] = {"items": chosen}
    if Referral.Item.NAME in chosen:
        content["name"] = person.full_name
    if Referral.Item.BIRTH_DATE in chosen:
        content["birth_date"] = person.birth_date.isoformat()
    if Referral.Item.CONTACT in chosen:
        details = contact_details(person, user=user)
        content["contact"] = {
            "phone": details.phone,
            "safe_phone": details.safe_phone,
            "safe_hours": details.safe_hours,
            "no_sms": details.no_sms,
            "no_voicemail": details.no_voicemail,
            "instructions": details.instructions,
        }
    if Referral.Item.LANGUAGE in chosen:
        content["language"] = person.preferred_language
    if Referral.Item.SUMMARY in chosen:
        content["summary"] = referral.summary
    if Referral.Item.FAA in chosen:
        wanted = set(referral.faa_dimensions)
        content["faa"] = [s for s in faa_scores(latest_faa(referral.case)) if s["dimension"] in wanted]
    return content


def perpetrator_person_ids(case: Case) -> set[int]:
    """People named on this (restricted) case as the alleged perpetrator."""
    if not case.restricted:
        return set()
    return {p for p in case.alleged_perpetrators.values_list("person_id", flat=True) if p is not None}


def names_perpetrator(case: Case, text: str) -> bool:
    """Whether a text written for a recipient names someone recorded as the alleged perpetrator on a
    restricted case (surname or given name, however it is spelt in Kazakh or Russian letters)."""
    if not case.restricted or not text.strip():
        return False
    written = normalise(text)
    for perpetrator in case.alleged_perpetrators.select_related("person"):
        if perpetrator.person is None:
            continue
        for name in (perpetrator.person.surname, perpetrator.person.given_name):
            if len(name.strip()) >= SHORTEST_NAME and normalise(name) in written:
                return True
    return False
