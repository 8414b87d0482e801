"""The safety pages for tests/test_audit.py's AUDITED registry (every page a team member opens by GET writes a
read entry for the record it shows), starting from the `family` and `case` fixtures: the case is restricted
first, since safety records exist only on restricted cases."""

from django.utils import timezone

from qadam.cases.services import case_restrict
from qadam.safety.models import CrisisStay, ProtectiveMeasure, SafetyPlan
from qadam.safety.services import measure_add, safety_plan_write, stay_add


def _safety(case, kind: str = "case"):
    """The case, restricted, with a safety plan, a police order and a crisis-centre stay; returns the record
    a page is about."""
    case_restrict(by=case.owner, case=case, reason="She told of violence at home")
    case.refresh_from_db()
    if not SafetyPlan.objects.filter(case=case).exists():
        safety_plan_write(by=case.owner, case=case, sections={"warning_signs": "Когда он пьёт"})
        today = timezone.localdate()
        measure_add(
            by=case.owner, case=case, kind="police_order", person=case.person, issued_on=today, issued_by="Полиция"
        )
        stay_add(by=case.owner, case=case, person=case.person, centre="Центр", from_on=today)
    return {
        "case": case,
        "plan": SafetyPlan.objects.get(case=case),
        "measure": ProtectiveMeasure.objects.get(case=case),
        "stay": CrisisStay.objects.get(case=case),
    }[kind]


AUDITED = {
    "safety:contact_edit": lambda family, case: ({"pk": family.head.pk}, family.head),
    "safety:case": lambda family, case: ({"pk": _safety(case).pk}, case),
    "safety:plan": lambda family, case: ({"pk": case.pk}, _safety(case, "plan")),
    "safety:plan_edit": lambda family, case: ({"pk": case.pk}, _safety(case, "plan")),
    "safety:plan_print": lambda family, case: ({"pk": case.pk}, _safety(case, "plan")),
    "safety:measure_add": lambda family, case: ({"pk": _safety(case).pk}, case),
    "safety:measure_extend": lambda family, case: ({"pk": _safety(case, "measure").pk}, case),
    "safety:measure_end": lambda family, case: ({"pk": _safety(case, "measure").pk}, case),
    "safety:violation_add": lambda family, case: ({"pk": _safety(case, "measure").pk}, case),
    "safety:stay_add": lambda family, case: ({"pk": _safety(case).pk}, case),
    "safety:stay_end": lambda family, case: ({"pk": _safety(case, "stay").pk}, case),
}
PRINTED = {"safety:plan_print"}
