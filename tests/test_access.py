"""Who sees what: case teams, supervision, agency and regional scopes, restricted cases, emergency access.

Personas beyond tests/conftest.py: Marat, Aigerim's colleague in Astana (not on her case team); Saule, the
Astana agency administrator; Nurlan, a supervisor who does not supervise Aigerim; Gulmira, a regional
coordinator reading Astana's records; Timur, the system administrator.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import BreakGlass, Case, Notification
from qadam.cases.services import (
    case_assign,
    case_break_glass,
    case_open,
    case_restrict,
    case_team_add,
    case_team_remove,
)
from qadam.families.models import Family, Person
from qadam.families.services import family_register, person_register
from tests.conftest import login, make_user


@pytest.fixture
def colleague(astana):
    return make_user("marat", astana, User.Role.SOCIAL_WORKER)


@pytest.fixture
def other_supervisor(astana):
    return make_user("nurlan", astana, User.Role.SUPERVISOR)


def status(user, url, method="get", data=None):
    client = login(user)
    return (client.post(url, data or {}) if method == "post" else client.get(url)).status_code


class TestCaseScope:
    def test_team_supervisor_and_agency_admin_see_the_case_others_do_not(
        self,
        case,
        worker,
        supervisor,
        colleague,
        admin,
        other_supervisor,
        registrar,
        other_worker,
        researcher,
        sysadmin,
    ):
        url = reverse("cases:detail", args=[case.pk])
        assert {u.username: status(u, url) for u in (worker, supervisor, admin)} == {
            "aigerim": 200,
            "bolat": 200,
            "saule": 200,
        }
        for user in (colleague, other_supervisor, registrar, other_worker, researcher, sysadmin):
            assert status(user, url) == 404, user.username

    def test_a_colleague_added_to_the_team_sees_it_until_removed(self, case, worker, colleague):
        url = reverse("cases:detail", args=[case.pk])
        case_team_add(by=worker, case=case, user=colleague)
        assert status(colleague, url) == 200
        assert case in login(colleague).get(reverse("cases:list")).context["page"].items
        case_team_remove(by=worker, case=case, user=colleague)
        assert status(colleague, url) == 404
        assert (
            AuditEntry.objects.filter(target_id=case.pk, action__in=["case_team_added", "case_team_removed"]).count()
            == 2
        )

    def test_team_is_made_of_the_agency_workers(self, case, worker, other_worker, registrar):
        for user in (other_worker, registrar, worker):
            with pytest.raises(ValidationError):
                case_team_add(by=worker, case=case, user=user)

    def test_transfer_moves_the_case_to_the_new_worker(self, case, worker, colleague):
        case = case_assign(by=worker, case=case, owner=colleague)
        assert status(colleague, reverse("cases:detail", args=[case.pk])) == 200
        assert status(worker, reverse("cases:detail", args=[case.pk])) == 404

    def test_regional_coordinator_reads_but_changes_nothing(self, case, coordinator, family):
        url = reverse("cases:detail", args=[case.pk])
        assert status(coordinator, url) == 200
        assert status(coordinator, reverse("families:detail", args=[family.pk])) == 200
        assert status(coordinator, reverse("cases:status", args=[case.pk]), "post", {"to_status": "assessment"}) == 403
        assert status(coordinator, reverse("families:create"), "get") == 403
        assert Case.objects.get(pk=case.pk).status == "registered"

    def test_registrar_who_opens_a_case_for_a_worker_is_taken_back_to_the_family(self, registrar, worker, family):
        response = login(registrar).post(
            reverse("cases:create", args=[family.pk]),
            {
                "kind": "poverty",
                "person": family.head.pk,
                "owner": worker.pk,
                "priority": "2",
                "form_token": "7d6f7e2a-4c1d-4f55-9d0e-1a2b3c4d5e6f",
            },
        )
        assert response["Location"] == family.get_absolute_url()
        assert Case.objects.filter(family=family, owner=worker).exists()


class TestRestricted:
    def test_domestic_violence_case_is_restricted_with_its_household(self, survivor_case):
        assert survivor_case.restricted
        assert Family.objects.get(pk=survivor_case.family_id).restricted
        assert Person.objects.get(pk=survivor_case.person_id).restricted

    def test_outside_the_team_it_is_invisible_everywhere(
        self, survivor_case, worker, supervisor, admin, colleague, coordinator
    ):
        pages = [
            reverse("cases:detail", args=[survivor_case.pk]),
            reverse("families:detail", args=[survivor_case.family_id]),
            reverse("families:person_detail", args=[survivor_case.person_id]),
        ]
        for user in (supervisor, admin, colleague, coordinator):
            assert [status(user, url) for url in pages] == [404, 404, 404], user.username
            client = login(user)
            assert list(client.get(reverse("families:list"), {"q": "Омарова"}).context["page"].items) == []
            assert list(client.get(reverse("families:people"), {"q": "Гүлнар"}).context["page"].items) == []
            assert survivor_case not in client.get(reverse("cases:list")).context["page"].items
        assert [status(worker, url) for url in pages] == [200, 200, 200]

    def test_registrar_searching_the_iin_learns_only_whom_to_contact(self, survivor_case, registrar):
        iin = survivor_case.person.iin
        response = login(registrar).get(reverse("families:list"), {"q": iin})
        page = response.content.decode()
        assert list(response.context["page"].items) == []
        assert "restricted access" in page and survivor_case.agency.name in page
        assert "Омарова" not in page and "Гүлнар" not in page

    def test_duplicate_check_does_not_reveal_the_survivor(self, survivor_case, registrar):
        data = {
            "surname": "Омарова",
            "given_name": "Гулнар",
            "birth_date": "1992-05-05",
            "sex": "female",
            "citizenship": "citizen",
            "preferred_language": "kk",
            "form_token": "0e6c7b8a-1111-4a2b-8c3d-4e5f6a7b8c9d",
        }
        response = login(registrar).post(reverse("families:create"), data)
        page = response.content.decode()
        assert response.status_code == 200 and "restricted access" in page
        assert "Омарова Гүлнар" not in page and survivor_case.person.iin not in page

    def test_a_worker_may_restrict_any_case_with_a_reason(self, case, worker, supervisor):
        with pytest.raises(ValidationError):
            case_restrict(by=worker, case=case, reason=" ")
        case_restrict(by=worker, case=case, reason="Отбасы мүшесіне қауіп бар")
        assert status(supervisor, reverse("cases:detail", args=[case.pk])) == 404
        assert status(worker, reverse("cases:detail", args=[case.pk])) == 200
        assert AuditEntry.objects.filter(action="case_restricted", target_id=case.pk).exists()


class TestBreakGlass:
    def emergency(self, user, case, reason="Полиция сообщает о новой угрозе, нужен адрес убежища"):
        return login(user).post(reverse("cases:emergency"), {"number": case.number, "reason": reason})

    def test_supervisor_opens_a_restricted_case_for_an_hour_and_the_owner_and_admin_are_told(
        self, survivor_case, supervisor, worker, admin
    ):
        response = self.emergency(supervisor, survivor_case)
        assert response["Location"] == survivor_case.get_absolute_url()
        page = login(supervisor).get(survivor_case.get_absolute_url())
        assert page.status_code == 200 and page.context["emergency"] is not None
        assert "Омарова Гүлнар" not in page.content.decode()  # the survivor's name stays masked outside the team
        families = login(supervisor).get(reverse("families:list")).content.decode()
        assert "О*** Г." in families and survivor_case.person.iin not in families  # nor her IIN beside it
        assert survivor_case.person.iin in login(worker).get(reverse("families:list")).content.decode()
        household = login(supervisor).get(reverse("families:detail", args=[survivor_case.family_id])).content.decode()
        assert "Дағдарыс орталығы" not in household  # and the shelter's address is never shown outside it
        assert survivor_case.person.iin not in household
        assert (
            "Дағдарыс орталығы"
            in login(worker).get(reverse("families:detail", args=[survivor_case.family_id])).content.decode()
        )
        assert {n.user.username for n in Notification.objects.filter(case=survivor_case)} == {"aigerim", "saule"}
        assert "Полиция сообщает" in login(worker).get(reverse("cases:home")).content.decode()
        assert AuditEntry.objects.filter(action="break_glass", actor=supervisor, target_id=survivor_case.pk).exists()
        BreakGlass.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert status(supervisor, survivor_case.get_absolute_url()) == 404

    def test_the_printed_case_file_masks_the_survivor_outside_the_team_and_is_audited(
        self, survivor_case, supervisor, worker
    ):
        url = reverse("cases:print", args=[survivor_case.pk])
        assert status(supervisor, url) == 404  # no emergency access yet: nothing to print
        self.emergency(supervisor, survivor_case)
        printed = login(supervisor).get(url).content.decode()
        assert survivor_case.number in printed and "Омарова" not in printed and "Дағдарыс" not in printed
        assert "Омарова Гүлнар" in login(worker).get(url).content.decode()
        prints = AuditEntry.objects.for_record(survivor_case).filter(action="printed")
        assert sorted(prints.values_list("actor__username", flat=True)) == ["aigerim", "bolat"]

    def test_emergency_access_reads_but_does_not_write(self, survivor_case, supervisor):
        self.emergency(supervisor, survivor_case)
        url = reverse("cases:note_create", args=[survivor_case.pk])
        assert status(supervisor, url, "post", {"text": "x"}) == 403

    def test_a_reason_is_required_and_only_allowed_roles_may(self, survivor_case, supervisor, colleague, admin):
        assert self.emergency(supervisor, survivor_case, reason="срочно").status_code == 200
        assert not BreakGlass.objects.exists()
        assert login(colleague).get(reverse("cases:emergency")).status_code == 403
        with pytest.raises(ValidationError):
            case_break_glass(by=admin, case=survivor_case, reason="Проверка доступа администратора")
        admin.agency.break_glass_roles = ["supervisor", "agency_admin"]
        admin.agency.save(update_fields=["break_glass_roles"])
        case = Case.objects.get(pk=survivor_case.pk)
        case_break_glass(by=admin, case=case, reason="Проверка доступа администратора")
        assert status(admin, survivor_case.get_absolute_url()) == 200

    def test_unknown_or_open_case_numbers_are_refused_alike(self, case, supervisor):
        response = login(supervisor).post(reverse("cases:emergency"), {"number": case.number, "reason": "x" * 20})
        assert response.status_code == 200 and "number" in response.context["form"].errors
        assert not BreakGlass.objects.exists()


def test_agency_admin_chooses_who_may_use_emergency_access(admin, supervisor, survivor_case):
    client = login(admin)
    response = client.post(
        reverse("accounts:agency"), {"phone": "+7 7172 55 00 00", "break_glass_roles": ["agency_admin"]}
    )
    assert response.status_code == 302
    admin.agency.refresh_from_db()
    assert admin.agency.break_glass_roles == ["agency_admin"] and admin.agency.phone == "+7 7172 55 00 00"
    assert AuditEntry.objects.filter(action="agency_permissions_changed", actor=admin).exists()
    assert login(supervisor).get(reverse("cases:emergency")).status_code == 403
    assert login(supervisor).get(reverse("accounts:agency")).status_code == 403


def test_a_list_of_survivors_costs_no_query_per_name(worker, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("families:list")).status_code == 200
        return len(queries)

    def survivor(day: int) -> None:
        head = person_register(
            by=worker, surname="Әлиева", given_name="Дина", birth_date=date(1991, 2, day), sex="female"
        )
        family = family_register(by=worker, head=head)
        case_open(by=worker, family=family, person=head, kind=Case.Kind.DOMESTIC_VIOLENCE, owner=worker)

    survivor(1)
    before = count()
    for day in (2, 3, 4):
        survivor(day)
    assert count() == before
    assert "Әлиева Дина" in client.get(reverse("families:list")).content.decode()
