"""Safe contact preferences: the phone a person may be called on, shown with her safe hours and "no SMS /
no voicemail" wherever Qadam shows her phone; the code word only to her case team; changes audited
without their values."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.services import case_team_add
from qadam.families.services import person_update
from qadam.safety.models import SafeContact
from qadam.safety.services import contact_details, safe_contact_set
from tests.conftest import login, make_user


@pytest.fixture
def survivor(survivor_case, worker):
    person = survivor_case.person
    person_update(by=worker, person=person, phone="+7 701 111 2233")
    return person


def test_without_preferences_the_record_phone_is_used(survivor, worker):
    details = contact_details(survivor, user=worker)
    assert details.phone == "+7 701 111 2233"
    assert not details.safe_phone and not details.no_sms and details.code_word is None
    assert details.sms_allowed and details.voicemail_allowed


def test_safe_phone_replaces_the_record_phone_and_the_code_word_is_for_the_team(survivor, worker, astana):
    safe_contact_set(
        by=worker,
        person=survivor,
        safe_phone="+7 777 000 1122",
        safe_hours="10–12",
        code_word="абрикос",
        no_sms=True,
        no_voicemail=True,
    )
    details = contact_details(survivor, user=worker)
    assert details.phone == "+7 777 000 1122" and details.safe_phone
    assert details.code_word == "абрикос"
    assert not details.sms_allowed and not details.voicemail_allowed
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    assert contact_details(survivor, user=admin).code_word is None
    assert contact_details(survivor, user=admin).phone == "+7 777 000 1122"


def test_the_person_page_honours_the_preferences(survivor, worker, survivor_case, astana):
    safe_contact_set(
        by=worker, person=survivor, safe_phone="+7 777 000 1122", safe_hours="10–12", code_word="абрикос", no_sms=True
    )
    page = login(worker).get(survivor.get_absolute_url()).content.decode()
    assert "+7 777 000 1122" in page and "+7 701 111 2233" not in page
    assert "safe hours 10–12" in page and "no SMS" in page and "no voicemail" not in page
    assert "абрикос" in page


def test_code_word_not_shown_outside_the_team_on_the_person_page(family, worker, case, registrar):
    head = family.head
    safe_contact_set(by=worker, person=head, code_word="жасыл", no_voicemail=True)
    page = login(registrar).get(head.get_absolute_url()).content.decode()
    assert "+7 701 234 5678" in page and "no voicemail" in page
    assert "жасыл" not in page
    assert "жасыл" in login(worker).get(head.get_absolute_url()).content.decode()


def test_colleague_added_to_the_team_sees_the_code_word(survivor, worker, survivor_case, astana):
    colleague = make_user("madina", astana, User.Role.SOCIAL_WORKER)
    safe_contact_set(by=worker, person=survivor, code_word="абрикос")
    assert contact_details(survivor, user=colleague).code_word is None
    case_team_add(by=worker, case=survivor_case, user=colleague)
    assert contact_details(survivor, user=colleague).code_word == "абрикос"


def test_changes_are_audited_without_values(survivor, worker):
    safe_contact_set(by=worker, person=survivor, safe_phone="+7 777 000 1122", code_word="абрикос", safe_hours="9–10")
    entry = AuditEntry.objects.for_record(survivor).filter(action="safe_contact_changed").get()
    assert entry.changes == {"safe_phone": "changed", "safe_hours": "changed", "code_word": "changed"}
    assert "абрикос" not in str(entry.changes) and "1122" not in str(entry.changes)
    # Saving the same values again changes nothing and writes nothing.
    safe_contact_set(by=worker, person=survivor, safe_phone="+7 777 000 1122", code_word="абрикос", safe_hours="9–10")
    assert AuditEntry.objects.for_record(survivor).filter(action="safe_contact_changed").count() == 1


def test_stored_encrypted(survivor, worker):
    from django.db import connection

    safe_contact_set(by=worker, person=survivor, safe_phone="+7 777 000 1122", code_word="абрикос")
    with connection.cursor() as cursor:
        cursor.execute("SELECT safe_phone, code_word FROM safety_safecontact")
        row = cursor.fetchone()
    assert all(value.startswith("qe1:") for value in row)


def test_bad_phone_is_refused_and_nothing_saved(survivor, worker):
    with pytest.raises(ValidationError) as error:
        safe_contact_set(by=worker, person=survivor, safe_phone="call my sister", code_word="x")
    assert "safe_phone" in error.value.message_dict
    assert not SafeContact.objects.exists()
    assert not AuditEntry.objects.filter(action="safe_contact_changed").exists()


def test_edit_page(survivor, worker):
    client = login(worker)
    url = reverse("safety:contact_edit", kwargs={"pk": survivor.pk})
    assert client.get(url).status_code == 200
    assert AuditEntry.objects.for_record(survivor).filter(action="viewed", actor=worker).exists()
    response = client.post(url, {"safe_phone": "+7 777 000 1122", "safe_hours": "10–12", "no_sms": "on"})
    assert response.status_code == 302 and response["Location"] == survivor.get_absolute_url()
    prefs = SafeContact.objects.get(person=survivor)
    assert prefs.no_sms and not prefs.no_voicemail and prefs.updated_by == worker
    bad = client.post(url, {"safe_phone": "x" * 30})
    assert bad.status_code == 200 and SafeContact.objects.get(person=survivor).safe_phone == "+7 777 000 1122"


def test_who_may_edit(survivor, family, case, worker, supervisor, registrar, other_worker, researcher, astana):
    survivor_url = reverse("safety:contact_edit", kwargs={"pk": survivor.pk})
    head_url = reverse("safety:contact_edit", kwargs={"pk": family.head.pk})
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    # A restricted person: only her case team; everyone else does not know she exists.
    for user in (supervisor, registrar, admin, other_worker, researcher):
        assert login(user).get(survivor_url).status_code == 404, user
    # An ordinary family: whoever may change the person's record.
    assert login(registrar).get(head_url).status_code == 200
    assert login(other_worker).get(head_url).status_code == 404
    coordinator = make_user("nurlan", astana, User.Role.REGIONAL_COORDINATOR)
    assert login(coordinator).get(head_url).status_code == 403
    with pytest.raises(PermissionDenied):
        safe_contact_set(by=coordinator, person=family.head, no_sms=True)
    assert login(coordinator).post(head_url, {"no_sms": "on"}).status_code == 403
    assert not SafeContact.objects.exists()


def test_the_family_page_and_the_case_print_honour_the_preferences(survivor, survivor_case, worker):
    safe_contact_set(
        by=worker, person=survivor, safe_phone="+7 777 000 1122", safe_hours="10–12", code_word="абрикос", no_sms=True
    )
    client = login(worker)
    family_page = client.get(survivor_case.family.get_absolute_url()).content.decode()
    assert "+7 777 000 1122" in family_page and "+7 701 111 2233" not in family_page
    assert "safe hours 10–12" in family_page and "no SMS" in family_page and "абрикос" in family_page
    printed = client.get(reverse("cases:print", kwargs={"pk": survivor_case.pk})).content.decode()
    assert "+7 777 000 1122" in printed and "+7 701 111 2233" not in printed and "no SMS" in printed
    assert "абрикос" not in printed  # never on paper, even for the team


def test_no_phone_at_all(family, worker):
    wife = family.memberships.exclude(person=family.head).get().person
    assert contact_details(wife, user=worker).phone == ""
    page = login(worker).get(wife.get_absolute_url()).content.decode()
    assert "Safe contact" in page
