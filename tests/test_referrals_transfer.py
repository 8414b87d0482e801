"""Case transfer between agencies: request with consent (or a supervisor's override), accept, reject.

Aigerim (Astana) asks the Almaty crisis centre to take the Sadykovs' case over; Gulnar, a supervisor
there, accepts it for Yerlan, or rejects it.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qadam.accounts.models import Agency, User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case
from qadam.cases.services import case_open, case_team_add, task_add
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.referrals.models import CaseTransfer
from qadam.referrals.transfers import case_transfer_accept, case_transfer_reject, case_transfer_request
from tests.conftest import login, make_agency, make_user

REASON = "The family moved to Almaty in October."


@pytest.fixture
def gulnar(almaty) -> User:
    return make_user("gulnar", almaty, User.Role.SUPERVISOR)


def consent_to(by: User, person, agency: Agency) -> Consent:
    return consent_record(by=by, person=person, purpose="sharing", decision="given", how="paper", recipient=agency)


def request(by, case, to_agency, **kwargs) -> CaseTransfer:
    return case_transfer_request(by=by, case=case, to_agency=to_agency, reason=REASON, **kwargs)


@pytest.fixture
def requested(worker, case, almaty) -> CaseTransfer:
    consent_to(worker, case.person, almaty)
    return request(worker, case, almaty)


class TestRequest:
    def test_request_with_consent_is_audited(self, requested, worker, case):
        assert requested.status == CaseTransfer.Status.REQUESTED and requested.basis == "consent"
        entry = AuditEntry.objects.for_record(case).get(action="case_transfer_requested")
        assert entry.actor == worker and entry.changes["transfer"] == [None, requested.pk]

    def test_without_consent_it_is_refused(self, worker, case, almaty):
        with pytest.raises(ValidationError) as error:
            request(worker, case, almaty)
        assert "not consented" in error.value.messages[0]
        assert not CaseTransfer.objects.exists()

    def test_the_worker_cannot_override_and_her_supervisor_can(self, worker, supervisor, case, almaty):
        with pytest.raises(ValidationError):
            request(worker, case, almaty, override_reason="The court ordered the transfer last week.")
        with pytest.raises(ValidationError) as error:
            request(supervisor, case, almaty, override_reason="court")
        assert "override_reason" in error.value.message_dict
        transfer = request(supervisor, case, almaty, override_reason="The court ordered the transfer last week.")
        assert transfer.basis == "override" and transfer.override_reason.startswith("The court")

    def test_bad_input(self, worker, case, astana, almaty):
        consent_to(worker, case.person, almaty)
        with pytest.raises(ValidationError):
            request(worker, case, astana)  # its own agency
        with pytest.raises(ValidationError) as error:
            case_transfer_request(by=worker, case=case, to_agency=almaty, reason="  ")
        assert "reason" in error.value.message_dict
        request(worker, case, almaty)
        with pytest.raises(ValidationError):
            request(worker, case, almaty)  # one open request at a time
        assert CaseTransfer.objects.count() == 1

    def test_the_household_stays_while_it_has_other_open_cases_here(self, worker, family, case, almaty):
        case_open(by=worker, family=family, person=family.head, kind=Case.Kind.POVERTY, owner=worker)
        consent_to(worker, case.person, almaty)
        with pytest.raises(ValidationError) as error:
            request(worker, case, almaty)
        assert "household" in error.value.message_dict
        assert not request(worker, case, almaty, household=False).household

    def test_through_the_page(self, worker, case, almaty):
        consent_to(worker, case.person, almaty)
        client = login(worker)
        url = reverse("referrals:transfer_create", args=[case.pk])
        page = client.get(url)
        assert page.status_code == 200 and "override_reason" not in page.context["form"].fields
        data = {
            "to_agency": almaty.pk,
            "reason": REASON,
            "household": "on",
            "form_token": "5b0d2a3c-1e4f-4a6b-8c7d-9e0f1a2b3c4d",
        }
        response = client.post(url, data)
        transfer = CaseTransfer.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("referrals:transfer", args=[transfer.pk])
        assert client.post(url, data).status_code == 302 and CaseTransfer.objects.count() == 1

    def test_read_only_and_other_agencies(self, case, almaty, astana, other_worker, researcher):
        coordinator = make_user("saule", almaty, User.Role.REGIONAL_COORDINATOR)
        coordinator.coordinated_agencies.add(astana)
        url = reverse("referrals:transfer_create", args=[case.pk])
        assert login(coordinator).get(url).status_code == 403
        assert login(other_worker).get(url).status_code == 404
        assert login(researcher).get(url).status_code == 404


class TestAccept:
    def test_accept_moves_the_case_and_the_old_team_loses_access(
        self, requested, worker, supervisor, case, family, gulnar, other_worker, astana
    ):
        colleague = make_user("aruzhan", astana, User.Role.SOCIAL_WORKER)
        case_team_add(by=worker, case=case, user=colleague)
        task = task_add(by=worker, case=case, title="Call the school", due_on=case.opened_on, assignee=worker)
        client = login(gulnar)
        assert (
            client.get(reverse("referrals:inbox"))
            .content.decode()
            .count(reverse("referrals:transfer", args=[requested.pk]))
        )
        response = client.post(reverse("referrals:transfer_accept", args=[requested.pk]), {"owner": other_worker.pk})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.agency_id == other_worker.agency_id and case.owner == other_worker
        assert not case.assignments.exists()
        task.refresh_from_db()
        assert task.assignee == other_worker
        family.refresh_from_db()
        assert family.agency_id == other_worker.agency_id
        assert family.head.__class__.objects.get(pk=family.head_id).agency_id == other_worker.agency_id
        for user in (worker, supervisor, colleague):
            assert login(user).get(case.get_absolute_url()).status_code == 404
        assert login(other_worker).get(case.get_absolute_url()).status_code == 200
        assert login(other_worker).get(family.get_absolute_url()).status_code == 200
        entry = AuditEntry.objects.for_record(case).get(action="case_transferred")
        assert entry.actor == gulnar and entry.changes["owner"] == [worker.pk, other_worker.pk]
        assert entry.changes["team"] == [[colleague.pk], []]
        assert AuditEntry.objects.for_record(family).filter(action="family_transferred").exists()
        # The history stays with the case.
        assert case.status_changes.exists() and AuditEntry.objects.for_record(case).filter(actor=worker).exists()

    def test_restricted_stays_restricted(self, worker, survivor_case, almaty, gulnar, other_worker):
        consent_to(worker, survivor_case.person, almaty)
        transfer = request(worker, survivor_case, almaty)
        case_transfer_accept(by=gulnar, transfer=transfer, owner=other_worker)
        survivor_case.refresh_from_db()
        assert survivor_case.restricted and survivor_case.family.restricted
        assert login(gulnar).get(survivor_case.get_absolute_url()).status_code == 404  # not on the team
        assert login(other_worker).get(survivor_case.get_absolute_url()).status_code == 200
        assert login(worker).get(survivor_case.get_absolute_url()).status_code == 404

    def test_only_a_supervisor_or_admin_of_the_receiving_agency_decides(
        self, requested, other_worker, worker, supervisor
    ):
        url = reverse("referrals:transfer_accept", args=[requested.pk])
        assert login(other_worker).post(url, {"owner": other_worker.pk}).status_code == 404
        assert login(supervisor).post(url, {"owner": supervisor.pk}).status_code == 403
        with pytest.raises(ValidationError):
            case_transfer_accept(by=worker, transfer=requested, owner=other_worker)
        assert CaseTransfer.objects.get(pk=requested.pk).status == CaseTransfer.Status.REQUESTED

    def test_the_new_case_worker_must_be_of_the_receiving_agency(self, requested, gulnar, worker):
        with pytest.raises(ValidationError) as error:
            case_transfer_accept(by=gulnar, transfer=requested, owner=worker)
        assert "owner" in error.value.message_dict

    def test_a_withdrawn_consent_stops_the_acceptance(self, requested, worker, case, almaty, gulnar, other_worker):
        consent_record(
            by=worker, person=case.person, purpose="sharing", decision="withdrawn", how="paper", recipient=almaty
        )
        with pytest.raises(ValidationError):
            case_transfer_accept(by=gulnar, transfer=requested, owner=other_worker)
        case.refresh_from_db()
        assert case.agency_id == worker.agency_id

    def test_the_receiving_agency_sees_the_request_not_the_case(self, requested, gulnar, case):
        client = login(gulnar)
        page = client.get(reverse("referrals:transfer", args=[requested.pk]))
        assert page.status_code == 200 and REASON in page.content.decode()
        assert "Садықов" not in page.content.decode()
        assert client.get(case.get_absolute_url()).status_code == 404
        assert AuditEntry.objects.for_record(requested).filter(action="viewed", actor=gulnar).exists()

    def test_a_third_agency_sees_nothing(self, requested):
        stranger = make_user("marat", make_agency("shy", "79", Agency.Kind.NGO), User.Role.SUPERVISOR)
        assert login(stranger).get(reverse("referrals:transfer", args=[requested.pk])).status_code == 404


class TestReject:
    def test_reject_with_a_reason(self, requested, gulnar, case, worker):
        client = login(gulnar)
        url = reverse("referrals:transfer_reject", args=[requested.pk])
        client.post(url, {"reason": ""})
        assert CaseTransfer.objects.get(pk=requested.pk).status == CaseTransfer.Status.REQUESTED
        assert client.post(url, {"reason": "We have no places for families."}).status_code == 302
        transfer = CaseTransfer.objects.get(pk=requested.pk)
        assert transfer.status == CaseTransfer.Status.REJECTED and transfer.decided_by == gulnar
        case.refresh_from_db()
        assert case.agency_id == worker.agency_id and case.owner == worker
        entry = AuditEntry.objects.for_record(case).get(action="case_transfer_rejected")
        assert entry.changes["reason"] == "We have no places for families."
        page = login(worker).get(reverse("referrals:transfer", args=[requested.pk])).content.decode()
        assert "We have no places for families." in page
        with pytest.raises(ValidationError):
            case_transfer_reject(by=gulnar, transfer=transfer, reason="again")
