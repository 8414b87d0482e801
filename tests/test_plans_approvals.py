"""Supervisors' approvals of support plans and case closures: who asks, who decides, what follows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_open, case_team_add
from qadam.plans.approvals import (
    approval_approve,
    approval_return,
    case_close_or_request,
    closure_request,
    pending_for,
    plan_submit,
)
from qadam.plans.models import Approval, SupportPlan
from qadam.plans.services import goal_add, plan_create
from tests.conftest import login, make_agency, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def make_plan(worker, case) -> SupportPlan:
    return plan_create(
        by=worker,
        case=case,
        starts_on=TODAY,
        review_on=TODAY + timedelta(days=90),
        language="ru",
        goals=[{"words": "Оформить прописку", "dimension": "D2"}],
    )


class TestPlanApproval:
    def test_happy_path_through_the_pages(self, worker, supervisor, case):
        plan = make_plan(worker, case)
        login(worker).post(reverse("plans:submit", args=[plan.pk]), {"comment": "Семья согласна"})
        approval = Approval.objects.get(case=case)
        assert (approval.kind, approval.status, approval.plan) == ("plan", "pending", plan)
        assert SupportPlan.objects.get(pk=plan.pk).status == "submitted"
        client = login(supervisor)
        card = client.get(reverse("plans:approvals"), headers={"HX-Request": "true"})
        assert card.status_code == 200 and case.number in card.content.decode()
        assert client.get(reverse("plans:approval", args=[approval.pk])).status_code == 200
        response = client.post(reverse("plans:approve", args=[approval.pk]), {"comment": ""})
        assert response.status_code == 302
        approval.refresh_from_db()
        assert (approval.status, approval.decided_by) == ("approved", supervisor)
        plan.refresh_from_db()
        assert plan.status == "approved" and not plan.is_editable
        assert list(pending_for(supervisor)) == []
        actions = set(AuditEntry.objects.filter(target_id=case.pk).values_list("action", flat=True))
        assert {"plan_submitted", "approval_given"} <= actions

    def test_returned_with_a_comment_that_the_worker_sees(self, worker, supervisor, case):
        plan = make_plan(worker, case)
        approval = plan_submit(by=worker, plan=plan)
        with pytest.raises(ValidationError, match="comment"):
            approval_return(by=supervisor, approval=approval, comment="  ")
        assert Approval.objects.get(pk=approval.pk).status == "pending"
        response = login(supervisor).post(reverse("plans:return", args=[approval.pk]), {"comment": ""}, follow=True)
        assert Approval.objects.get(pk=approval.pk).status == "pending"
        approval_return(by=supervisor, approval=approval, comment="Добавьте, кто поможет с документами")
        plan.refresh_from_db()
        assert plan.status == "returned" and plan.is_editable
        card = login(worker).get(reverse("plans:case", args=[case.pk]), headers={"HX-Request": "true"})
        assert "Добавьте, кто поможет с документами" in card.content.decode()
        goal_add(by=worker, plan=plan, words="Записать детей в школу")  # a returned draft changes in place
        assert plan_submit(by=worker, plan=plan).status == "pending"
        assert AuditEntry.objects.filter(action="approval_returned", target_id=case.pk).exists()
        assert response.status_code == 200

    def test_the_worker_cannot_approve_her_own_plan(self, worker, supervisor, case):
        approval = plan_submit(by=worker, plan=make_plan(worker, case))
        with pytest.raises(ValidationError):
            approval_approve(by=worker, approval=approval)
        assert login(worker).get(reverse("plans:approval", args=[approval.pk])).status_code == 403
        assert login(worker).post(reverse("plans:approve", args=[approval.pk])).status_code == 403
        assert Approval.objects.get(pk=approval.pk).status == "pending"

    def test_other_agency_404_and_coordinator_403(self, worker, supervisor, other_worker, astana, case):
        approval = plan_submit(by=worker, plan=make_plan(worker, case))
        assert login(other_worker).get(reverse("plans:approval", args=[approval.pk])).status_code == 404
        assert login(other_worker).post(reverse("plans:approve", args=[approval.pk])).status_code == 404
        coordinator = make_user("gulmira", make_agency("akm", "11"), User.Role.REGIONAL_COORDINATOR)
        coordinator.coordinated_agencies.add(astana)
        assert login(coordinator).get(reverse("plans:approval", args=[approval.pk])).status_code == 403
        assert login(coordinator).post(reverse("plans:approve", args=[approval.pk])).status_code == 403

    def test_without_a_supervisor_an_agency_administrator_decides(self, worker, astana, case):
        admin = make_user("saule", astana, User.Role.AGENCY_ADMIN)
        approval = plan_submit(by=worker, plan=make_plan(worker, case))
        assert list(pending_for(admin)) == [approval]
        approval_approve(by=admin, approval=approval)
        assert SupportPlan.objects.get(case=case).status == "approved"

    def test_a_supervisor_not_on_a_restricted_case_team_is_asked_for_first(self, worker, supervisor, survivor_case):
        plan = make_plan(worker, survivor_case)
        with pytest.raises(ValidationError, match="case team"):
            plan_submit(by=worker, plan=plan)
        case_team_add(by=worker, case=survivor_case, user=supervisor)
        approval = plan_submit(by=worker, plan=plan)
        assert list(pending_for(supervisor)) == [approval]

    def test_nobody_to_approve_is_said(self, worker, case):
        with pytest.raises(ValidationError, match="Nobody can approve"):
            plan_submit(by=worker, plan=make_plan(worker, case))
        assert not Approval.objects.exists()


class TestClosure:
    def test_a_social_workers_closing_waits_for_approval(self, worker, supervisor, case):
        client = login(worker)
        client.post(reverse("cases:close", args=[case.pk]), {"closing_reason": "goals_met", "comment": "Всё сделано"})
        case.refresh_from_db()
        assert case.is_open
        approval = Approval.objects.get(case=case, kind="closure", status="pending")
        response = client.post(reverse("cases:close", args=[case.pk]), {"closing_reason": "goals_met"}, follow=True)
        assert any(m.level_tag == "error" for m in response.context["messages"])
        assert Approval.objects.filter(case=case).count() == 1
        home = login(supervisor).get(reverse("plans:approvals"))
        assert case.number in home.content.decode()
        page = login(supervisor).get(reverse("plans:approval", args=[approval.pk]))
        assert page.status_code == 200 and "Всё сделано" in page.content.decode()
        login(supervisor).post(reverse("plans:approve", args=[approval.pk]), {"comment": "Согласен"})
        case.refresh_from_db()
        assert not case.is_open and case.closing_reason == "goals_met"
        entries = AuditEntry.objects.filter(target_id=case.pk)
        assert entries.filter(action="closure_requested", actor=worker).exists()
        assert entries.filter(action="case_closed", actor=supervisor).exists()

    def test_a_returned_closing_leaves_the_case_open(self, worker, supervisor, case):
        approval = closure_request(by=worker, case=case, reason=Case.ClosingReason.NO_CONTACT)
        approval_return(by=supervisor, approval=approval, comment="Сначала ещё один визит")
        case.refresh_from_db()
        assert case.is_open
        card = login(worker).get(reverse("plans:case", args=[case.pk]), headers={"HX-Request": "true"})
        assert "Сначала ещё один визит" in card.content.decode()

    def test_a_supervisor_closes_without_approval_settling_a_waiting_request(self, worker, supervisor, case):
        approval = closure_request(by=worker, case=case, reason=Case.ClosingReason.MOVED_AWAY)
        result = case_close_or_request(by=supervisor, case=case, reason=Case.ClosingReason.MOVED_AWAY)
        assert isinstance(result, Case) and not result.is_open
        assert Approval.objects.get(pk=approval.pk).status == "withdrawn"

    def test_a_bad_reason_is_refused(self, worker, supervisor, case):
        with pytest.raises(ValidationError):
            closure_request(by=worker, case=case, reason="bored")
        assert not Approval.objects.exists()


def test_the_home_page_card_loads_its_own_url(supervisor, worker):
    client = login(supervisor)
    home = client.get(reverse("cases:home"))
    assert reverse("plans:approvals") in home.content.decode()
    assert reverse("plans:approvals") not in login(worker).get(reverse("cases:home")).content.decode()


def test_the_approvals_list_costs_the_same_however_many_wait(worker, supervisor, family, case):
    closure_request(by=worker, case=case, reason=Case.ClosingReason.GOALS_MET)
    client = login(supervisor)
    url = reverse("plans:approvals")
    with CaptureQueriesContext(connection) as one:
        client.get(url, headers={"HX-Request": "true"})
    for _ in range(3):
        more = case_open(by=worker, family=family, person=family.head, kind=Case.Kind.POVERTY, owner=worker)
        plan_submit(by=worker, plan=make_plan(worker, more))
    with CaptureQueriesContext(connection) as four:
        response = client.get(url, headers={"HX-Request": "true"})
    assert len(response.context["pending"]) == 4
    assert len(four.captured_queries) == len(one.captured_queries)
