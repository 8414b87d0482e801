"""Field encryption: round trip, loud failure on a wrong key, blind-index lookups, rotation and the audit log."""

import base64
import secrets
from datetime import date

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from qadam.audit.models import AuditEntry
from qadam.families.models import Person
from qadam.families.services import family_register, person_register, person_update
from qadam.lib.crypto import DecryptionError, decrypt, encrypt, iin_index, phone_index
from tests.conftest import login

IIN = "850312300012"


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def raw_person(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT iin, phone, search_text FROM families_person WHERE id = %s", [pk])
        return cursor.fetchone()


class TestCipher:
    def test_round_trip_and_random_nonce(self):
        first, second = encrypt(IIN, context="t.x"), encrypt(IIN, context="t.x")
        assert first != second and first.startswith("qe1:")
        assert decrypt(first, context="t.x") == decrypt(second, context="t.x") == IIN
        assert iin_index(IIN) == iin_index(IIN) and iin_index(IIN) != phone_index(IIN)

    def test_wrong_key_or_column_raises_never_returns_ciphertext(self, settings):
        settings.QADAM_FIELD_KEYS = [new_key()]
        sealed = encrypt(IIN, context="t.x")
        with pytest.raises(DecryptionError):
            decrypt(sealed, context="t.y")  # copied into another column
        settings.QADAM_FIELD_KEYS = [new_key()]
        with pytest.raises(DecryptionError):
            decrypt(sealed, context="t.x")

    def test_tampered_value_raises(self):
        sealed = encrypt(IIN, context="t.x")
        body = sealed[-8:]
        with pytest.raises(DecryptionError):
            decrypt(sealed[:-8] + ("A" * 8 if body != "A" * 8 else "B" * 8), context="t.x")

    def test_deploy_check_refuses_development_keys(self, settings):
        settings.QADAM_FIELD_KEYS, settings.QADAM_BLIND_INDEX_KEY = [], ""
        ids = {m.id for m in run_checks(include_deployment_checks=True)}
        assert {"qadam.E001", "qadam.E002"} <= ids
        settings.QADAM_FIELD_KEYS, settings.QADAM_BLIND_INDEX_KEY = [new_key()], new_key()
        assert not {"qadam.E001", "qadam.E002"} & {m.id for m in run_checks(include_deployment_checks=True)}


class TestPersonFields:
    def test_columns_hold_no_plaintext_and_read_back_decrypted(self, family):
        head = family.head
        iin, phone, text = raw_person(head.pk)
        assert IIN not in iin and "234" not in phone and iin.startswith("qe1:")
        assert IIN not in text and "7012345678" not in text
        assert IIN not in family.__class__.objects.get(pk=family.pk).search_text
        fresh = Person.objects.get(pk=head.pk)
        assert fresh.iin == IIN and fresh.phone == "+7 701 234 5678"
        assert fresh.iin_index == iin_index(IIN) and fresh.phone_index == phone_index("87012345678")

    def test_a_wrong_key_fails_loudly_on_read(self, family, settings):
        settings.QADAM_FIELD_KEYS = [new_key()]
        with pytest.raises(DecryptionError):
            Person.objects.get(pk=family.head.pk)

    def test_lookups_other_than_isnull_are_refused(self, db):
        from django.core.exceptions import FieldError

        with pytest.raises(FieldError):
            list(Person.objects.filter(iin=IIN))
        assert not Person.objects.filter(iin__isnull=False).exists()

    @pytest.mark.parametrize("query", [IIN, "+7 701 234 5678", "87012345678", "7012345678"])
    def test_search_by_iin_and_phone_through_the_index(self, worker, family, query):
        client = login(worker)
        assert [f.pk for f in client.get(reverse("families:list"), {"q": query}).context["page"].items] == [family.pk]
        people = client.get(reverse("families:people"), {"q": query}).context["page"].items
        assert [p.pk for p in people] == [family.head.pk]

    def test_partial_iin_finds_nothing(self, worker, family):
        response = login(worker).get(reverse("families:list"), {"q": IIN[:6]})
        assert list(response.context["page"].items) == []

    def test_duplicate_iin_refused_through_the_index(self, worker, family):
        from tests.test_families import head_data

        response = login(worker).post(reverse("families:create"), head_data(iin=IIN))
        assert "already registered" in " ".join(response.context["form"].errors["iin"])
        assert Person.objects.filter(iin_index=iin_index(IIN)).count() == 1

    def test_the_service_refuses_a_taken_iin_too(self, worker, family):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            person_register(
                by=worker, surname="Бір", given_name="Екі", birth_date=date(1985, 3, 12), sex="male", iin=IIN
            )

    def test_audit_holds_no_iin_or_phone(self, worker, family):
        head = family.head
        person_update(by=worker, person=head, phone="+7 777 000 1122")
        entries = AuditEntry.objects.filter(target_type="families.person", target_id=head.pk)
        assert entries.count() == 2
        for entry in entries:
            dumped = str(entry.changes)
            assert IIN not in dumped and "234" not in dumped and "1122" not in dumped
        assert entries.get(action="person_changed").changes == {"phone": "changed"}


class TestRotation:
    def test_rotate_then_only_the_new_key_decrypts_everything(self, worker, settings):
        key_a, key_b = new_key(), new_key()
        settings.QADAM_FIELD_KEYS = [key_a]
        people = [
            person_register(
                by=worker,
                surname="Тестова",
                given_name=f"Ая{i}",
                birth_date=date(1990, 1, 1 + i),
                sex="female",
                iin=f"90010{i}4000{i}{i}" if i < 3 else None,
                phone=f"+7701000000{i}",
            )
            for i in range(5)
        ]
        family_register(by=worker, head=people[0])
        expected = {p.pk: (p.iin, p.phone) for p in people}

        settings.QADAM_FIELD_KEYS = [key_b, key_a]
        call_command("keys", "rotate", "--batch", "2")
        call_command("keys", "rotate", "--batch", "2")  # idempotent: nothing left to do, nothing lost

        settings.QADAM_FIELD_KEYS = [key_b]
        assert {p.pk: (p.iin, p.phone) for p in Person.objects.all()} == expected
        assert login(worker).get(reverse("families:list"), {"q": "+77010000000"}).context["page"].count == 1


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()[0]


def test_narratives_and_addresses_are_encrypted_and_restricted_ones_not_indexed(worker, case, other_case, other_worker):
    from django.utils import timezone

    from qadam.cases.models import Note
    from qadam.cases.services import case_restrict, note_add

    text = "Отбасы Сарыарқа ауданындағы баспанаға көшті"
    open_note = note_add(by=worker, case=case, contact="call", contact_on=timezone.localdate(), text=text)
    secret = note_add(by=other_worker, case=other_case, contact="call", contact_on=timezone.localdate(), text=text)
    assert "баспана" not in raw("cases_note", "text", open_note.pk)
    assert Note.objects.get(pk=open_note.pk).text == text
    assert "Сарыарқа" not in raw("families_family", "address", case.family_id)
    assert case.family.address == "Астана, Сарыарқа ауданы"
    assert list(Note.objects.search("баспана").values_list("pk", flat=True)) == [open_note.pk]
    assert secret.search_text == ""
    case_restrict(by=worker, case=case, reason="Қауіп бар")
    assert not Note.objects.search("баспана").exists()
