from django.db import transaction

from qadam.accounts.models import Agency, User
from qadam.audit.services import audit_record


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if user.language != language:
        audit_record(actor=user, action="language_changed", obj=user, changes={"language": [user.language, language]})
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def agency_configure(*, by: User, agency: Agency, phone: str, break_glass_roles: list[str]) -> Agency:
    """Change who may open restricted records in an emergency, and the agency's contact phone; audited."""
    changes: dict[str, list[object]] = {}
    if agency.phone != phone:
        changes["phone"] = [agency.phone, phone]
    if sorted(agency.break_glass_roles) != sorted(break_glass_roles):
        changes["break_glass_roles"] = [sorted(agency.break_glass_roles), sorted(break_glass_roles)]
    if changes:
        agency.phone = phone
        agency.break_glass_roles = sorted(break_glass_roles)
        agency.save(update_fields=["phone", "break_glass_roles", "updated_at"])
        audit_record(actor=by, action="agency_permissions_changed", obj=agency, changes=changes)
    return agency
