"""The pages of conditional social assistance: Aigerim records the Sadykovs' incomes, the income test step by
step, a social contract from preparation to termination, its printed copy; who may see and change what;
the reference table kept by the system administrator; the audit entries the pages leave."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Task
from qadam.contracts.models import Contract, Income, IncomeTest, Measure, Monitoring, PovertyLineReference
from qadam.contracts.services import contract_create, contract_sign, income_add, reference_seed
from qadam.kato.models import KatoUnit
from tests.conftest import login, make_user

D = Decimal


@pytest.fixture
def reference(db) -> None:
    reference_seed(regions=[KatoUnit.objects.get(code="710000000")])


@pytest.fixture
def contract(case, worker) -> Contract:
    return contract_create(
        by=worker, case=case, representative=case.family.head, starts_on=date(2025, 9, 1), language="kk"
    )


def url(name: str, pk: int) -> str:
    return reverse(f"contracts:{name}", kwargs={"pk": pk})


def read_entries(user: User, case, action: str = "viewed") -> int:
    return AuditEntry.objects.for_record(case).filter(actor=user, action=action).count()


def test_the_case_page_loads_the_card_and_the_card_answers_htmx(worker, case):
    client = login(worker)
    page = client.get(case.get_absolute_url())
    assert url("case", case.pk).encode() in page.content
    fragment = client.get(url("case", case.pk), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b"No income test recorded yet." in fragment.content
    assert b"Prepare a social contract" in fragment.content
    assert read_entries(worker, case) == 2  # the case page and the card


def test_recording_an_income_once_even_if_sent_twice(worker, case):
    client = login(worker)
    page = client.get(url("incomes", case.pk))
    token = page.context["form"].initial["form_token"]
    data = {
        "person": case.family.head.pk,
        "kind": "wages",
        "monthly_amount": "150000",
        "first_month": "2025-03-01",
        "last_month": "2025-04-30",
        "form_token": token,
    }
    first = client.post(url("incomes", case.pk), data)
    second = client.post(url("incomes", case.pk), data)
    assert first.status_code == second.status_code == 302
    assert Income.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.for_record(case).filter(action="income_added").count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", b"above zero"), ("9000000", b"check the amount for a typing error")],
)
def test_bad_income_input_shows_a_message_and_saves_nothing(worker, case, amount, message):
    client = login(worker)
    data = {"person": case.family.head.pk, "kind": "wages", "monthly_amount": amount, "first_month": "2025-03-01"}
    response = client.post(url("incomes", case.pk), data)
    assert response.status_code == 422 and message in response.content
    assert not Income.objects.exists()


def test_an_income_for_someone_outside_the_family_is_refused_on_the_page(worker, case, survivor_case):
    client = login(worker)
    data = {"person": survivor_case.person.pk, "kind": "pension", "monthly_amount": "1000", "first_month": "2025-03-01"}
    response = client.post(url("incomes", case.pk), data)
    assert response.status_code == 422 and b"members of the family only" in response.content
    assert not Income.objects.exists()


def test_the_computation_page_shows_every_step_and_records_the_test(worker, case, reference):
    income_add(
        by=worker,
        case=case,
        person=case.family.head,
        kind="wages",
        monthly_amount=D("60000"),
        first_month=date(2024, 1, 1),
    )
    client = login(worker)
    page = client.get(url("computation", case.pk), {"applied_on": "2024-05-15"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "from Jan. 1, 2024 to March 31, 2024" in text
    assert "Wages: 60,000 tenge a month × 3 months in the period = 180,000 tenge" in text
    assert "Per-capita income: 180,000 ÷ 2 members ÷ 3 months = 30,000 tenge a month." in text
    assert "Poverty line: 70% of the subsistence minimum 40,567 = 28,396.90, rounded to 28,397 tenge." in text
    assert "30,000 is above the poverty line of 28,397: the family is not eligible." in text
    assert "Садықов Асқар" in text  # who receives the income
    assert read_entries(worker, case) == 1
    response = client.post(url("computation", case.pk), {"applied_on": "2024-05-15"})
    test = IncomeTest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("income_test", test.pk)
    assert not test.eligible
    recorded = client.get(url("income_test", test.pk))
    assert b"28,397" in recorded.content


def test_the_computation_page_says_when_the_reference_is_missing(worker, case):
    response = login(worker).get(url("computation", case.pk), {"applied_on": "2024-05-15"})
    assert b"has no poverty line" in response.content
    assert b"Record this income test" not in response.content


def test_contract_from_preparation_to_termination_through_the_pages(worker, case):
    client = login(worker)
    form = client.get(url("create", case.pk))
    assert form.status_code == 200
    data = {
        "representative": case.family.head.pk,
        "starts_on": "2025-09-01",
        "language": "ru",
        "obligations": "Искать работу.",
        "form_token": form.context["form"].initial["form_token"],
    }
    response = client.post(url("create", case.pk), data)
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert client.post(url("create", case.pk), data).status_code == 302  # sent twice: one contract
    assert Contract.objects.count() == 1
    assert contract.ends_on == date(2026, 2, 28)

    client.post(url("measure_add", contract.pk), {"person": case.family.head.pk, "kind": "vocational_training"})
    assert Measure.objects.get().kind == "vocational_training"
    client.post(url("sign", contract.pk), {"signed_on": "2025-09-01"})
    contract.refresh_from_db()
    assert contract.status == "active" and contract.monitoring_task.due_on == date(2025, 10, 1)

    assert client.get(url("monitoring", contract.pk)).status_code == 200
    client.post(url("monitoring", contract.pk), {"checked_on": "2025-10-01", "result": "partly", "note": "Болды."})
    assert Monitoring.objects.get().result == "partly"
    assert Task.objects.filter(case=case, done_at__isnull=True).get().due_on == date(2025, 11, 1)

    assert client.get(url("extend", contract.pk)).status_code == 200
    client.post(url("extend", contract.pk), {"new_end": "2026-05-31", "reason": "Курсы идут."})
    contract.refresh_from_db()
    assert contract.ends_on == date(2026, 5, 31)

    detail = client.get(contract.get_absolute_url())
    assert b"Monthly monitoring" in detail.content and b"Terminate" in detail.content
    assert client.get(url("terminate", contract.pk)).status_code == 200
    refused = client.post(url("terminate", contract.pk), {"reason": "other", "text": ""})
    assert refused.status_code == 422 and b"Describe the reason" in refused.content
    client.post(url("terminate", contract.pk), {"reason": "non_fulfilment", "text": ""})
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert not Task.objects.filter(case=case, done_at__isnull=True).exists()


def test_a_contract_ending_before_it_starts_is_refused_on_the_page(worker, case):
    client = login(worker)
    data = {"representative": case.family.head.pk, "starts_on": "2025-09-01", "ends_on": "2025-08-01", "language": "kk"}
    response = client.post(url("create", case.pk), data)
    assert response.status_code == 422 and b"cannot end before it starts" in response.content
    assert not Contract.objects.exists()


def test_a_measure_for_someone_outside_the_family_is_refused_on_the_page(worker, case, contract, survivor_case):
    response = login(worker).post(
        url("measure_add", contract.pk), {"person": survivor_case.person.pk, "kind": "social_job"}
    )
    assert response.status_code == 422 and b"for a member of the family" in response.content
    assert not Measure.objects.exists()


def test_the_printed_contract_is_in_the_family_language_and_audited(worker, case, contract):
    response = login(worker).get(url("print", contract.pk))
    assert response.status_code == 200
    assert b'lang="kk"' in response.content and contract.number.encode() in response.content
    assert read_entries(worker, case, "printed") == 1


def test_complete_through_the_page(worker, case, contract):
    contract_sign(by=worker, contract=contract, signed_on=date(2025, 9, 1))
    response = login(worker).post(url("complete", contract.pk))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "completed"


# Who may see and change -------------------------------------------------------------------------------------


GET_ONLY = {"case", "detail", "print"}
POST_ONLY = {"income_remove", "sign", "measure_add", "complete"}


def all_urls(case, contract) -> dict[str, str]:
    income = income_add(
        by=case.owner,
        case=case,
        person=case.family.head,
        kind="wages",
        monthly_amount=D("1"),
        first_month=date(2025, 1, 1),
    )
    return {
        "case": url("case", case.pk),
        "incomes": url("incomes", case.pk),
        "computation": url("computation", case.pk),
        "create": url("create", case.pk),
        "income_remove": url("income_remove", income.pk),
        "detail": url("detail", contract.pk),
        "sign": url("sign", contract.pk),
        "measure_add": url("measure_add", contract.pk),
        "monitoring": url("monitoring", contract.pk),
        "extend": url("extend", contract.pk),
        "terminate": url("terminate", contract.pk),
        "complete": url("complete", contract.pk),
        "print": url("print", contract.pk),
    }


@pytest.mark.parametrize("persona", ["other_worker", "registrar", "researcher", "sysadmin"])
def test_no_access_to_case_records_is_404(request, persona, case, contract):
    user = request.getfixturevalue(persona)
    client = login(user)
    for name, address in all_urls(case, contract).items():
        if name not in POST_ONLY:
            assert client.get(address).status_code == 404, name
        if name not in GET_ONLY:
            assert client.post(address).status_code == 404, name


def test_the_regional_coordinator_reads_but_gets_403_on_forms_and_writes(coordinator, case, contract):
    client = login(coordinator)
    urls = all_urls(case, contract)
    for name in ("case", "incomes", "computation", "detail", "print"):
        assert client.get(urls[name]).status_code == 200, name
    for name in ("create", "monitoring", "extend", "terminate"):
        assert client.get(urls[name]).status_code == 403, name
    for name in set(urls) - GET_ONLY:
        assert client.post(urls[name]).status_code == 403, name
    assert b"Record an income" not in client.get(urls["incomes"]).content


def test_the_supervisor_may_change(supervisor, case, contract):
    client = login(supervisor)
    assert client.get(url("create", case.pk)).status_code == 200
    assert client.get(url("extend", contract.pk)).status_code == 200


def test_a_restricted_case_is_for_its_team_only(worker, astana, survivor_case):
    colleague = make_user("marat", astana, User.Role.SOCIAL_WORKER)
    assert login(colleague).get(url("case", survivor_case.pk)).status_code == 404
    assert login(worker).get(url("case", survivor_case.pk)).status_code == 200


# The reference table ----------------------------------------------------------------------------------------


def reference_data(**values: str) -> dict[str, str]:
    return {
        "region": "710000000",
        "valid_from": "2027-01-01",
        "valid_to": "2027-03-31",
        "formula": "max_median_subsistence",
        "subsistence_minimum": "52000",
        "subsistence_share": "0.70",
        "median_income": "160000",
        "median_share": "0.35",
        "mrp": "4500",
        "child_supplement_mrp": "1.5",
        "source": "Order of the Minister",
        **values,
    }


def test_the_system_administrator_keeps_the_reference_table(sysadmin, reference):
    client = login(sysadmin)
    assert reverse("contracts:reference").encode() in client.get(reverse("cases:home")).content
    assert client.get(reverse("contracts:reference_add")).status_code == 200
    response = client.post(reverse("contracts:reference_add"), reference_data())
    assert response.status_code == 302
    row = PovertyLineReference.objects.get(valid_from=date(2027, 1, 1))
    assert AuditEntry.objects.for_record(row).get().action == "poverty_reference_added"
    overlap = client.post(
        reverse("contracts:reference_add"),
        reference_data(valid_from="2026-12-01", formula="subsistence_share", valid_to=""),
    )
    assert overlap.status_code == 422 and b"overlaps the row of the same region" in overlap.content
    edit = client.post(reverse("contracts:reference_edit", kwargs={"pk": row.pk}), reference_data(mrp="4600"))
    assert edit.status_code == 302
    row.refresh_from_db()
    assert row.mrp == D("4600")
    listing = client.get(reverse("contracts:reference"), {"region": "710000000"})
    assert listing.status_code == 200 and b"illustrative" in listing.content


@pytest.mark.parametrize("persona", ["worker", "supervisor", "registrar", "researcher", "other_worker"])
def test_others_read_the_reference_table_and_may_not_change_it(request, persona, reference):
    client = login(request.getfixturevalue(persona))
    row = PovertyLineReference.objects.first()
    assert client.get(reverse("contracts:reference")).status_code == 200
    assert client.get(reverse("contracts:reference_add")).status_code == 403
    assert client.post(reverse("contracts:reference_add"), reference_data()).status_code == 403
    assert client.get(reverse("contracts:reference_edit", kwargs={"pk": row.pk})).status_code == 403
    assert not PovertyLineReference.objects.filter(valid_from=date(2027, 1, 1)).exists()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_page_renders_in_each_language(worker, sysadmin, case, contract, reference, language):
    income_add(
        by=worker,
        case=case,
        person=case.family.head,
        kind="pension",
        monthly_amount=D("30000"),
        first_month=date(2025, 1, 1),
    )
    from qadam.contracts.services import income_test_record, measure_add, monitoring_record

    test = income_test_record(by=worker, case=case, applied_on=date(2025, 8, 10))
    measure_add(by=worker, contract=contract, person=case.family.head, kind="public_works", details="Көгалдандыру")
    contract_sign(by=worker, contract=contract, signed_on=date(2025, 9, 1))
    monitoring_record(by=worker, contract=contract, checked_on=date(2025, 10, 1), result="fulfilled")
    client = login(worker, language)
    pages = [
        url("case", case.pk),
        url("incomes", case.pk),
        url("computation", case.pk) + "?applied_on=2025-08-10",
        url("create", case.pk),
        url("income_test", test.pk),
        url("detail", contract.pk),
        url("monitoring", contract.pk),
        url("extend", contract.pk),
        url("terminate", contract.pk),
        url("print", contract.pk),
        reverse("contracts:reference"),
    ]
    for address in pages:
        assert client.get(address).status_code == 200, address
    admin = login(sysadmin, language)
    assert admin.get(reverse("contracts:reference_add")).status_code == 200
    row = PovertyLineReference.objects.first()
    assert admin.get(reverse("contracts:reference_edit", kwargs={"pk": row.pk})).status_code == 200


def test_the_seed_command_adds_rows_once(db):
    from django.core.management import call_command

    call_command("contracts", "seed")
    count = PovertyLineReference.objects.count()
    assert count == 20 * 10
    call_command("contracts", "seed")
    assert PovertyLineReference.objects.count() == count


def test_the_card_and_the_reference_list_ask_a_fixed_number_of_queries(
    worker, case, contract, reference, django_assert_max_num_queries
):
    from qadam.contracts.services import contract_terminate

    client = login(worker)
    client.get(url("case", case.pk), headers={"HX-Request": "true"})  # warm the session and caches
    with django_assert_max_num_queries(14):
        client.get(url("case", case.pk), headers={"HX-Request": "true"})
    contract_terminate(by=worker, contract=contract, reason="family_request")
    for day in (2, 3, 4):
        later = contract_create(
            by=worker, case=case, representative=case.family.head, starts_on=date(2025, 9, day), language="kk"
        )
        contract_terminate(by=worker, contract=later, reason="family_request")
    with django_assert_max_num_queries(14):
        client.get(url("case", case.pk), headers={"HX-Request": "true"})
    with django_assert_max_num_queries(8):
        client.get(reverse("contracts:reference"))
