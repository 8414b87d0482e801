"""Pages of conditional social assistance: the family's incomes, the income test step by step, the social
contract with its measures, monitoring, extension and termination, its printed copy, and the
poverty-line reference table.

Case records are fetched through `visible_to` (404 otherwise); writes and change forms need `can_change`
on the case (403). Pages that show a case record a read in the audit log. The reference table is
national data without names: everyone signed in reads it, the system administrator changes it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qadam.accounts.models import User
from qadam.audit.services import audit_read, form_result, form_submitted
from qadam.cases.access import can_change
from qadam.cases.models import Case
from qadam.contracts import services
from qadam.contracts.explain import describe
from qadam.contracts.forms import (
    ApplicationDateForm,
    ContractForm,
    ExtendForm,
    IncomeForm,
    MeasureForm,
    MonitoringForm,
    ReferenceForm,
    SignForm,
    TerminateForm,
)
from qadam.contracts.models import Contract, Income, IncomeTest, PovertyLineReference
from qadam.contracts.poverty import Computation, ComputationError, Step
from qadam.lib.htmx import is_htmx
from qadam.lib.http import AuthedRequest

# Access -----------------------------------------------------------------------------------------------------


def _case_for(request: AuthedRequest, pk: int, *, write: bool = False, read: bool = True) -> Case:
    """The case if the user may see it (404), and change it with `write` (403); `read` records the reading."""
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("family__head", "person", "owner", "agency__region"), pk=pk
    )
    if write and not can_change(request.user, case):
        raise PermissionDenied
    if read:
        audit_read(actor=request.user, obj=case)
    return case


def _contract_for(
    request: AuthedRequest, pk: int, *, write: bool = False, read: bool = True, action: str = "viewed"
) -> Contract:
    contract = get_object_or_404(
        Contract.objects.visible_to(request.user).select_related(
            "case__family__head", "case__person", "case__owner", "agency", "representative", "income_test"
        ),
        pk=pk,
    )
    if write and not can_change(request.user, contract.case):
        raise PermissionDenied
    if read:
        audit_read(actor=request.user, obj=contract.case, action=action)
    return contract


def _error(request: AuthedRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _add_errors(form: Any, error: ValidationError) -> None:
    """The service's errors on the form: on their field when the form has it, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        _add_errors(form, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _form_errors(request: AuthedRequest, form: Any) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


# The case card ----------------------------------------------------------------------------------------------


@require_GET
def case_card(request: AuthedRequest, pk: int) -> HttpResponse:
    """The income test and the contracts of a case: the card htmx loads into the case page, or a page."""
    case = _case_for(request, pk)
    test = IncomeTest.objects.filter(case=case).order_by("-applied_on", "-id").first()
    contracts = list(Contract.objects.filter(case=case).select_related("representative").order_by("-id")[:10])
    context = {
        "case": case,
        "test": test,
        "contracts": contracts,
        "can_change": can_change(request.user, case) and case.is_open,
        "has_open_contract": any(c.is_open for c in contracts),
    }
    template = "contracts/_case_contracts.html" if is_htmx(request) else "contracts/case_contracts.html"
    return render(request, template, context)


# Incomes ----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def incomes_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, write=request.method == "POST", read=request.method == "GET")
    writable = can_change(request.user, case) and case.is_open
    form = IncomeForm(request.POST or None, case=case, user=request.user) if writable else None
    if request.method == "POST":
        if done := form_result(token=request.POST.get("form_token"), user=request.user):
            return redirect(done)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.income_add(
                        by=request.user,
                        case=case,
                        person=data["person"],
                        kind=data["kind"],
                        monthly_amount=data["monthly_amount"],
                        first_month=data["first_month"],
                        last_month=data["last_month"],
                    )
                    url = reverse("contracts:incomes", kwargs={"pk": case.pk})
                    form_submitted(token=data["form_token"], user=request.user, result_url=url)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The income is recorded."))
                return redirect(url)
    people, incomes = services.members_and_incomes(case)
    context = {"case": case, "people": people, "incomes": incomes, "form": form}
    status = 422 if form is not None and form.is_bound else 200
    return render(request, "contracts/income_list.html", context, status=status)


@require_POST
def income_remove_view(request: AuthedRequest, pk: int) -> HttpResponse:
    income = get_object_or_404(Income.objects.visible_to(request.user).select_related("case"), pk=pk)
    if not can_change(request.user, income.case):
        raise PermissionDenied
    try:
        services.income_remove(by=request.user, income=income)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The income is removed."))
    return redirect("contracts:incomes", pk=income.case_id)


# The income test --------------------------------------------------------------------------------------------


def _people_by_pk(case: Case) -> dict[int, Any]:
    people, _incomes = services.members_and_incomes(case)
    return {p.pk: p for p in people}


def _step_rows(steps: list[Step] | list[dict[str, Any]], people: dict[Any, Any]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        code, values = (step.code, step.values) if isinstance(step, Step) else (step["code"], step["values"])
        rows.append({"code": code, "text": describe(step), "person": people.get(values.get("member"))})
    return rows


def _computation_error(error: ComputationError) -> str:
    messages_by_code = {
        "no_members": _("The family has no members recorded."),
        "not_a_member": _("An income belongs to someone who is no longer in the family: remove it first."),
        "negative_income": _("An income is negative: remove it and enter it again."),
        "median_missing": _("The reference row lacks the median income. Ask the system administrator."),
        "unknown_formula": _("The reference row names an unknown rule. Ask the system administrator."),
    }
    return messages_by_code.get(error.code, error.code)


@require_http_methods(["GET", "POST"])
def computation_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The income test as of a date of application, step by step; POST records it."""
    case = _case_for(request, pk, write=request.method == "POST", read=request.method == "GET")
    form = ApplicationDateForm(request.POST if request.method == "POST" else request.GET or None)
    applied_on = form.cleaned_data["applied_on"] if form.is_valid() else timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            test = services.income_test_record(by=request.user, case=case, applied_on=applied_on)
        except (ValidationError, ComputationError) as error:
            messages.error(
                request, _computation_error(error) if isinstance(error, ComputationError) else " ".join(error.messages)
            )
        else:
            messages.success(request, _("The income test is recorded."))
            return redirect("contracts:income_test", pk=test.pk)
    computation: Computation | None = None
    problem = ""
    reference = region = None
    try:
        computation, reference, region = services.income_compute(case, applied_on)
    except ValidationError as error:
        problem = " ".join(error.messages)
    except ComputationError as error:
        problem = _computation_error(error)
    context = {
        "case": case,
        "form": ApplicationDateForm(initial={"applied_on": applied_on}),
        "applied_on": applied_on,
        "computation": computation,
        "reference": reference,
        "region": region,
        "problem": problem,
        "steps": _step_rows(computation.steps, _people_by_pk(case)) if computation else [],
        "can_record": can_change(request.user, case) and case.is_open and computation is not None,
    }
    return render(request, "contracts/computation.html", context)


@require_GET
def income_test_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """A recorded income test, as it was computed then."""
    test = get_object_or_404(IncomeTest.objects.visible_to(request.user).select_related("reference", "region"), pk=pk)
    case = _case_for(request, test.case_id)
    context = {"case": case, "test": test, "steps": _step_rows(test.result["steps"], _people_by_pk(case))}
    return render(request, "contracts/income_test.html", context)


# The contract -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def contract_create_view(request: AuthedRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, write=True, read=request.method == "GET")
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = ContractForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                contract = services.contract_create(
                    by=request.user,
                    case=case,
                    representative=data["representative"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    language=data["language"],
                    obligations=data["obligations"],
                    income_test=data["income_test"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=contract.get_absolute_url())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Contract %(number)s is prepared.") % {"number": contract.number})
            return redirect(contract)
    status = 422 if form.is_bound else 200
    return render(request, "contracts/contract_form.html", {"case": case, "form": form}, status=status)


@require_GET
def contract_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk)
    return render(request, "contracts/contract_detail.html", _contract_context(request, contract))


def _contract_context(request: AuthedRequest, contract: Contract, **forms: Any) -> dict[str, Any]:
    case = contract.case
    writable = can_change(request.user, case) and case.is_open
    return {
        "case": case,
        "contract": contract,
        "measures": contract.measures.select_related("person").order_by("person__birth_date", "pk"),
        "monitoring": contract.monitoring.select_related("recorded_by").order_by("-checked_on", "-id"),
        "extensions": contract.extensions.select_related("by").order_by("-id"),
        "can_change": writable,
        "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
        "measure_form": forms.get("measure_form") or (MeasureForm(case=case, user=request.user) if writable else None),
    }


@require_POST
def sign_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=False)
    form = SignForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(contract)
    try:
        services.contract_sign(by=request.user, contract=contract, signed_on=form.cleaned_data["signed_on"])
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The contract is in force. The first monthly monitoring is a task now."))
    return redirect(contract)


@require_POST
def measure_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=False)
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = MeasureForm(request.POST, case=contract.case, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.measure_add(
                    by=request.user,
                    contract=contract,
                    person=data["person"],
                    kind=data["kind"],
                    details=data["details"],
                    due_on=data["due_on"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=contract.get_absolute_url())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The measure is added."))
            return redirect(contract)
    context = _contract_context(request, contract, measure_form=form)
    return render(request, "contracts/contract_detail.html", context, status=422)


@require_http_methods(["GET", "POST"])
def monitoring_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=request.method == "GET")
    if done := form_result(token=request.POST.get("form_token"), user=request.user):
        return redirect(done)
    form = MonitoringForm(request.POST or None, initial={"checked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.monitoring_record(
                    by=request.user,
                    contract=contract,
                    checked_on=data["checked_on"],
                    result=data["result"],
                    note=data["note"],
                )
                form_submitted(token=data["form_token"], user=request.user, result_url=contract.get_absolute_url())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The monitoring entry is recorded."))
            return redirect(contract)
    context = {"case": contract.case, "contract": contract, "form": form}
    return render(request, "contracts/monitoring_form.html", context, status=422 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def extend_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=request.method == "GET")
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_extend(
                by=request.user,
                contract=contract,
                new_end=form.cleaned_data["new_end"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contract is extended."))
            return redirect(contract)
    context = {"case": contract.case, "contract": contract, "form": form, "kind": "extend"}
    return render(request, "contracts/contract_change.html", context, status=422 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def terminate_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=request.method == "GET")
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terminate(
                by=request.user, contract=contract, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The contract is terminated."))
            return redirect(contract)
    context = {"case": contract.case, "contract": contract, "form": form, "kind": "terminate"}
    return render(request, "contracts/contract_change.html", context, status=422 if form.is_bound else 200)


@require_POST
def complete_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = _contract_for(request, pk, write=True, read=False)
    try:
        services.contract_complete(by=request.user, contract=contract)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The contract is completed."))
    return redirect(contract)


@require_GET
def print_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The contract in the family's language (Kazakh or Russian), to sign and keep."""
    contract = _contract_for(request, pk, action="printed")
    with translation.override(contract.language):
        context = {
            "contract": contract,
            "case": contract.case,
            "measures": contract.measures.select_related("person").order_by("person__birth_date", "pk"),
            "print_language": contract.language,
            "term_months": services.TERM_MONTHS,
        }
        return render(request, "contracts/contract_print.html", context)


# The reference table ----------------------------------------------------------------------------------------


@require_GET
def reference_list(request: AuthedRequest) -> HttpResponse:
    rows = PovertyLineReference.objects.select_related("region").order_by("region__code", "-valid_from")
    region = request.GET.get("region", "")
    if region:
        rows = rows.filter(region__code=region)
    context = {
        "rows": rows[:500],
        "region": region,
        "regions": PovertyLineReference.objects.values_list(
            "region__code", "region__name_kk", "region__name_ru"
        ).distinct(),
        "can_change": request.user.role == User.Role.SYSTEM_ADMIN,
    }
    return render(request, "contracts/reference_list.html", context)


@require_http_methods(["GET", "POST"])
def reference_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    if request.user.role != User.Role.SYSTEM_ADMIN:
        raise PermissionDenied
    row = get_object_or_404(PovertyLineReference, pk=pk) if pk is not None else None
    if row is None and (done := form_result(token=request.POST.get("form_token"), user=request.user)):
        return redirect(done)
    form = ReferenceForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in PovertyLineReference.FIELDS}
        try:
            with transaction.atomic():
                saved = services.reference_save(by=request.user, reference=row, **values)
                url = reverse("contracts:reference") + f"?region={saved.region_id}"
                if row is None:
                    form_submitted(token=form.cleaned_data["form_token"], user=request.user, result_url=url)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The reference row is saved."))
            return redirect(url)
    return render(
        request, "contracts/reference_form.html", {"form": form, "row": row}, status=422 if form.is_bound else 200
    )
