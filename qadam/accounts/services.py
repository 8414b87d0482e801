from django.db import transaction

from qadam.accounts.models import User
from qadam.audit.services import audit_record


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if user.language != language:
        audit_record(actor=user, action="language_changed", obj=user, changes={"language": [user.language, language]})
        user.language = language
        user.save(update_fields=["language"])
    return user
