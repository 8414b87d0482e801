"""Registering families and people: happy path, bad input, duplicates, scope, audit and query counts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qadam.audit.models import AuditEntry
from qadam.families.models import Family, Membership, Move, Person
from qadam.families.services import family_register, person_register
from qadam.lib.iin import make_iin
from tests.conftest import login


def head_data(**overrides):
    data = {
        "surname": "Құлмағамбетова",
        "given_name": "Жанар",
        "patronymic": "Серікқызы",
        "iin": make_iin(birth_date=date(1991, 4, 2), sex="female", serial=42),
        "birth_date": "",
        "sex": "",
        "citizenship": "citizen",
        "preferred_language": "kk",
        "phone": "8 (701) 555-12-34",
        "address": "Астана, Алматы ауданы",
        "housing": "rented",
        "form_token": "a4d7c8f0-3c5e-4d8e-9d2a-1b2c3d4e5f60",
    }
    data.update(overrides)
    return data


class TestRegisterFamily:
    def test_worker_registers_a_family_and_it_is_audited(self, worker):
        client = login(worker)
        response = client.post(reverse("families:create"), head_data())
        family = Family.objects.get()
        assert response.status_code == 302 and response["Location"] == family.get_absolute_url()
        head = family.head
        assert head.birth_date == date(1991, 4, 2) and head.sex == "female"  # read from the IIN
        assert head.phone == "+77015551234"
        assert family.memberships.get().relationship == Membership.Relationship.HEAD
        actions = set(AuditEntry.objects.filter(actor=worker).values_list("action", flat=True))
        assert {"person_registered", "family_registered"} <= actions
        entry = AuditEntry.objects.get(action="person_registered")
        assert entry.changes["surname"] == [None, "Құлмағамбетова"]

    def test_second_submit_of_the_same_form_creates_nothing_more(self, worker):
        client = login(worker)
        client.post(reverse("families:create"), head_data())
        response = client.post(reverse("families:create"), head_data(), follow=True)
        assert Family.objects.count() == 1 and Person.objects.count() == 1
        assert response.redirect_chain[-1][0] == Family.objects.get().get_absolute_url()

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"iin": "123"}, "iin", "exactly 12 digits"),
            ({"iin": "910402400425"}, "iin", "control"),
            ({"birth_date": "1991-04-03"}, "birth_date", "does not match the IIN"),
            ({"sex": "male"}, "sex", "does not match the IIN"),
            ({"iin": "", "birth_date": ""}, "birth_date", "Enter the date of birth"),
            (
                {"iin": "", "birth_date": (timezone.localdate() + timedelta(days=2)).isoformat(), "sex": "female"},
                "birth_date",
                "cannot be in the future",
            ),
            ({"surname": "Иванов2"}, "surname", "digits"),
            ({"surname": "Я" * 81}, "surname", "at most 80"),
            ({"phone": "12345"}, "phone", "10 digits"),
            ({"surname": ""}, "surname", "required"),
        ],
    )
    def test_bad_input_gets_a_clear_message_and_saves_nothing(self, worker, overrides, field, message):
        response = login(worker).post(reverse("families:create"), head_data(**overrides))
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors.get(field, []))
        assert message in errors, response.context["form"].errors
        assert not Person.objects.exists() and not Family.objects.exists() and not AuditEntry.objects.exists()

    def test_duplicate_iin_points_to_the_existing_person(self, worker, family):
        response = login(worker).post(reverse("families:create"), head_data(iin=family.head.iin))
        assert "already registered" in " ".join(response.context["form"].errors["iin"])
        assert response.context["duplicates"] == [(family.head, True)]
        assert family.head.get_absolute_url() in response.content.decode()
        assert 'name="confirm_new"' not in response.content.decode()  # an IIN conflict cannot be waved through
        assert Family.objects.count() == 1

    def test_close_name_and_same_birth_date_is_shown_before_creating(self, worker, family):
        wife = Person.objects.get(given_name="Құралай")
        data = head_data(
            iin="", surname="Садыкова", given_name="Куралай", birth_date=wife.birth_date.isoformat(), sex="female"
        )
        response = login(worker).post(reverse("families:create"), data)
        assert response.status_code == 200
        assert [p.pk for p, visible in response.context["duplicates"]] == [wife.pk]
        assert not Family.objects.filter(head__surname="Садыкова").exists()
        response = login(worker).post(reverse("families:create"), {**data, "confirm_new": "on"})
        assert response.status_code == 302
        assert Family.objects.filter(head__surname="Садыкова").exists()

    def test_duplicates_of_another_agency_are_named_but_not_linked(self, other_worker, family):
        head = family.head
        data = head_data(
            iin="", surname="Садыков", given_name="Аскар", birth_date=head.birth_date.isoformat(), sex="male"
        )
        response = login(other_worker).post(reverse("families:create"), data)
        assert response.context["duplicates"] == [(head, False)]
        assert head.get_absolute_url() not in response.content.decode()

    def test_registrar_registers_but_researcher_may_not(self, registrar, researcher):
        assert login(registrar).post(reverse("families:create"), head_data()).status_code == 302
        assert login(researcher).post(reverse("families:create"), head_data(iin="")).status_code == 403


class TestMembersAndMoves:
    def test_add_member(self, worker, family):
        data = head_data(
            relationship="child",
            iin=make_iin(birth_date=date(2015, 9, 1), sex="male", serial=3),
            surname="Садықов",
            given_name="Нұрлан",
            patronymic="Асқарұлы",
        )
        response = login(worker).post(reverse("families:member_add", args=[family.pk]), data)
        assert response.status_code == 302
        assert family.memberships.filter(relationship="child", person__given_name="Нұрлан").exists()
        assert family.__class__.objects.search("нурлан").filter(pk=family.pk).exists()

    def test_other_agency_cannot_add_members(self, other_worker, family):
        data = head_data(relationship="child")
        assert login(other_worker).post(reverse("families:member_add", args=[family.pk]), data).status_code == 404
        assert family.memberships.count() == 2

    def move_data(self, **overrides):
        data = {
            "origin_region": "610000000",
            "origin_locality": "",
            "origin_place": "Сарыағаш",
            "origin_area": "rural",
            "destination_region": "710000000",
            "destination_locality": "",
            "moved_on": "2024-03-01",
            "programme": "quota_resettler",
            "reasons": ["jobs", "housing"],
            "reasons_other": "",
            "registration": "permanent",
            "housing": "rented",
            "form_token": "0c4f2ad4-1a1b-4c33-8d4e-5f6a7b8c9d0e",
        }
        data.update(overrides)
        return data

    def test_a_kandas_family_moves_from_abroad(self, worker, family):
        data = self.move_data(origin_region="", origin_country="Монголия", programme="kandas")
        response = login(worker).post(reverse("families:move_add", args=[family.pk]), data)
        assert response.status_code == 302
        move = family.moves.get(origin_country="Монголия")
        assert move.origin_region is None and move.origin == "Монголия"
        assert "Монголия" in login(worker).get(family.get_absolute_url()).content.decode()

    def test_record_a_move(self, worker, family):
        response = login(worker).post(reverse("families:move_add", args=[family.pk]), self.move_data())
        assert response.status_code == 302
        move = family.moves.get(moved_on=date(2024, 3, 1))
        assert move.reasons == ["jobs", "housing"]
        assert move.months_since(date(2025, 3, 1)) == 12 and move.months_since(date(2025, 2, 28)) == 11

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"moved_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "moved_on", "future"),
            ({"moved_on": "1980-01-01"}, "moved_on", "born after"),
            ({"origin_locality": "999999999"}, "origin_locality", "no place with KATO code"),
            ({"origin_locality": "12ab"}, "origin_locality", "9 digits"),
            ({"origin_region": "990000000"}, "origin_region", "Choose a region"),
            ({"origin_region": ""}, "origin_region", "name the country"),
            ({"origin_country": "Монголия"}, "origin_country", "not both"),
            ({"reasons": ["other"]}, "reasons_other", "other reason"),
        ],
    )
    def test_bad_moves(self, worker, family, overrides, field, message):
        response = login(worker).post(reverse("families:move_add", args=[family.pk]), self.move_data(**overrides))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert message in " ".join(errors.get(field, []) + errors.get("__all__", [])), errors
        assert family.moves.count() == 1


class TestSearch:
    @pytest.fixture
    def people(self, worker):
        names = [
            ("Құлмағамбетова", "Әлия"),
            ("Кулмагамбетов", "Ерлан"),
            ("Иванова", "Алёна"),
            ("Сейітқали", "Нұрсұлтан"),
        ]
        found = []
        for i, (surname, given) in enumerate(names):
            person = person_register(
                by=worker,
                surname=surname,
                given_name=given,
                birth_date=date(1990, 1, 1 + i),
                sex="female",
                phone=f"+7701000000{i}",
            )
            found.append(family_register(by=worker, head=person))
        return found

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("Кулмаг", [0, 1]),
            ("құлмағ", [0, 1]),
            ("КУЛМАГАМБЕТОВА", [0]),
            ("алена", [2]),
            ("алёна ивано", [2]),
            ("сейиткали нурс", [3]),
            ("7010000003", [3]),
            ("ерлан", [1]),
            ("нет-такого", []),
        ],
    )
    def test_family_search_tolerates_keyboards_and_spelling(self, worker, people, query, expected):
        response = login(worker).get(reverse("families:list"), {"q": query})
        assert {f.pk for f in response.context["page"].items} == {people[i].pk for i in expected}

    @pytest.mark.parametrize("query", ["a_b", "ⅷ½²", "'", "\\", "ß", "🙂 Жанар", "+7 (701)", "a:*", "!(|&)", "ё" * 300])
    def test_odd_queries_never_fail(self, worker, people, query):
        response = login(worker).get(reverse("families:list"), {"q": query})
        assert response.status_code == 200

    def test_search_by_iin(self, worker, family):
        response = login(worker).get(reverse("families:list"), {"q": family.head.iin})
        assert [f.pk for f in response.context["page"].items] == [family.pk]

    def test_search_never_shows_another_agency(self, other_worker, family, people):
        client = login(other_worker)
        assert list(client.get(reverse("families:list"), {"q": "Садықов"}).context["page"].items) == []
        assert list(client.get(reverse("families:list"), {"q": family.head.iin}).context["page"].items) == []
        assert list(client.get(reverse("families:people"), {"q": "Кулмаг"}).context["page"].items) == []

    def test_researcher_finds_nothing(self, researcher, people):
        assert list(login(researcher).get(reverse("families:list"), {"q": "Кулмаг"}).context["page"].items) == []

    def test_keyset_pages_and_capped_count(self, worker, people, settings):
        settings.QADAM_PAGE_SIZE = 2
        settings.QADAM_COUNT_CAP = 3
        client = login(worker)
        first = client.get(reverse("families:list")).context["page"]
        assert first.count == 3 and first.count_capped  # four families, counting stops at three: "3+"
        second = client.get(reverse("families:list"), {"after": first.next_after}).context["page"]
        assert [f.pk for f in first.items + second.items] == sorted((f.pk for f in people), reverse=True)
        assert second.next_after is None

    def test_search_is_updated_when_a_name_changes(self, worker, people):
        from qadam.families.services import person_update

        person_update(by=worker, person=people[2].head, surname="Петрова")
        assert not Family.objects.search("иванова").exists()
        assert Family.objects.search("петрова").get() == people[2]


def test_family_list_has_a_constant_number_of_queries(worker, family):
    client = login(worker)
    url = reverse("families:list")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for i in range(5):
        head = person_register(
            by=worker, surname="Тестов", given_name=f"Бек{'а' * i}", birth_date=date(1980, 1, 1 + i), sex="male"
        )
        family_register(by=worker, head=head)
        Move.objects.create(
            family=Family.objects.get(head=head),
            origin_region_id="610000000",
            origin_area="rural",
            destination_region_id="710000000",
            moved_on=date(2024, 1, 1),
            programme="other",
            registration="none",
            housing="rented",
        )
    assert count() == before
