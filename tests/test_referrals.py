"""Referrals: consent-gated sending, what is shared, the receiving agency's inbox, outcomes on the case.

Aigerim (Astana centre) refers the Sadykovs' head to a service of the Almaty crisis centre, where Yerlan
works (the receiving agency uses Qadam); Gulnar supervises there. Bolat supervises Aigerim.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Case, Task
from qadam.cases.services import case_close, case_team_add, perpetrator_record
from qadam.consent.models import Consent
from qadam.consent.services import consent_record
from qadam.directory.models import Organization, Service
from qadam.directory.services import agency_organization, organization_create, service_create
from qadam.families.models import Person
from qadam.families.services import person_register
from qadam.referrals.models import Referral
from qadam.referrals.services import (
    content_digest,
    referral_answer,
    referral_override,
    referral_prepare,
    referral_preview,
    referral_send,
)
from qadam.safety.services import safe_contact_set
from tests.conftest import login, make_agency, make_user

S = Referral.Status
NAME_CONTACT_SUMMARY = [Referral.Item.NAME, Referral.Item.CONTACT, Referral.Item.SUMMARY]
SUMMARY = "Needs help finding work; speaks Kazakh and Russian."


def make_service(organization: Organization, name: str = "Psychological support", status: str = "active") -> Service:
    """A service curated through the directory's own services, by whoever curates its organisation."""
    if organization.agency_id is not None:
        curator = User.objects.filter(agency_id=organization.agency_id, role=User.Role.AGENCY_ADMIN).first()
        curator = curator or make_user(f"admin-{organization.agency.code}", organization.agency, User.Role.AGENCY_ADMIN)
    else:
        curator = system_admin()
    return service_create(by=curator, organization=organization, name=name, name_en=name, status=status)


def system_admin() -> User:
    return User.objects.filter(username="root").first() or make_user("root", None, User.Role.SYSTEM_ADMIN)


def outside_organization(name: str = "Umit") -> Organization:
    """A directory organisation that does not use Qadam."""
    return organization_create(by=system_admin(), name=name, name_en=name, description="Legal aid NGO")


def share_consent(by: User, person: Person, **recipient) -> Consent:
    return consent_record(
        by=by, person=person, purpose=Consent.Purpose.SHARING, decision=Consent.Decision.GIVEN, how="paper", **recipient
    )


def prepare(by, case, service, person=None, items=NAME_CONTACT_SUMMARY, summary=SUMMARY, **kwargs) -> Referral:
    return referral_prepare(
        by=by, case=case, person=person or case.person, service=service, items=items, summary=summary, **kwargs
    )


def send(by, referral) -> Referral:
    checked = content_digest(referral_preview(referral=referral, user=by))
    return referral_send(by=by, referral=referral, checked=checked)


@pytest.fixture
def service(almaty) -> Service:
    return make_service(agency_organization(almaty))


@pytest.fixture
def gulnar(almaty) -> User:
    """Supervisor at the Almaty crisis centre (the receiving agency)."""
    return make_user("gulnar", almaty, User.Role.SUPERVISOR)


@pytest.fixture
def shymkent_worker(db) -> User:
    return make_user("marat", make_agency("shy", "79", Agency.Kind.NGO), User.Role.SOCIAL_WORKER)


@pytest.fixture
def coordinator(almaty, astana) -> User:
    saule = make_user("saule", almaty, User.Role.REGIONAL_COORDINATOR)
    saule.coordinated_agencies.add(astana)
    return saule


@pytest.fixture
def sent(worker, case, service) -> Referral:
    share_consent(worker, case.person, recipient=service.organization.agency)
    return send(worker, prepare(worker, case, service))


def detail(referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def answer(client, referral, to_status, **data):
    return client.post(reverse("referrals:answer", args=[referral.pk]), {"to_status": to_status, **data})


class TestSending:
    def test_send_with_consent(self, worker, case, service):
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = send(worker, prepare(worker, case, service))
        assert referral.status == S.SENT and referral.basis == Referral.Basis.CONSENT
        assert referral.recipient_agency_id == service.organization.agency_id
        assert referral.events.get().to_status == S.SENT
        actions = set(AuditEntry.objects.for_record(referral).values_list("action", flat=True))
        assert {"referral_prepared", "referral_sent"} <= actions
        entry = AuditEntry.objects.for_record(referral).get(action="referral_sent")
        assert entry.actor == worker and entry.changes["items"] == ["name", "contact", "summary"]

    def test_consent_given_to_the_directory_organisation_counts_for_its_agency(self, worker, case, service):
        share_consent(worker, case.person, recipient_organization=service.organization)
        assert send(worker, prepare(worker, case, service)).status == S.SENT

    def test_blocked_without_consent_and_nothing_sent(self, worker, case, service, almaty):
        referral = prepare(worker, case, service)
        with pytest.raises(ValidationError) as error:
            send(worker, referral)
        assert error.value.code == "no_consent"
        referral.refresh_from_db()
        assert referral.status == S.DRAFT and referral.shared == "" and referral.follow_up_task is None
        assert not Task.objects.filter(case=case).exists()
        # A withdrawal after consent blocks again.
        share_consent(worker, case.person, recipient=almaty)
        consent_record(
            by=worker, person=case.person, purpose="sharing", decision="withdrawn", how="paper", recipient=almaty
        )
        with pytest.raises(ValidationError):
            send(worker, referral)

    def test_the_confirmation_page_blocks_without_consent(self, worker, case, service):
        referral = prepare(worker, case, service)
        client = login(worker)
        page = client.get(reverse("referrals:confirm", args=[referral.pk])).content.decode()
        assert "Sending is blocked" in page and "Send the referral" not in page
        checked = content_digest(referral_preview(referral=referral, user=worker))
        response = client.post(reverse("referrals:confirm", args=[referral.pk]), {"checked": checked})
        assert response.status_code == 422 and "has not consented" in response.content.decode()
        referral.refresh_from_db()
        assert referral.status == S.DRAFT

    def test_supervisor_overrides_with_a_reason_and_the_worker_cannot(self, worker, supervisor, case, service):
        referral = prepare(worker, case, service)
        with pytest.raises(ValidationError):
            referral_override(by=worker, referral=referral, reason="She is in danger and needs the shelter now.")
        override_url = reverse("referrals:override", args=[referral.pk])
        assert login(worker).post(override_url, {"reason": "She asked us to, but could not sign."}).status_code == 403
        boss = login(supervisor)
        too_short = boss.post(override_url, {"reason": "urgent"})
        assert too_short.status_code == 422 and "in a sentence" in too_short.content.decode()
        assert boss.post(override_url, {"reason": "Immediate danger; she asked us by phone."}).status_code == 302
        referral = send(worker, Referral.objects.get(pk=referral.pk))
        assert referral.basis == Referral.Basis.OVERRIDE and referral.override_by == supervisor
        entry = AuditEntry.objects.for_record(referral).get(action="referral_consent_overridden")
        assert entry.actor == supervisor and entry.changes["reason"].startswith("Immediate danger")

    def test_an_agency_admin_may_override_too(self, worker, astana, case, service):
        admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
        referral = referral_override(
            by=admin, referral=prepare(worker, case, service), reason="Court order to share it with the centre."
        )
        assert referral.override_by == admin

    def test_sending_through_the_pages(self, worker, case, service):
        share_consent(worker, case.person, recipient=service.organization.agency)
        client = login(worker)
        create = reverse("referrals:create", args=[case.pk])
        assert client.get(create).status_code == 200
        data = {
            "person": case.person.pk,
            "service": service.pk,
            "items": ["name", "summary"],
            "summary": SUMMARY,
            "form_token": "8c1f9a50-0f3e-4a8b-9d7a-2b6e5c4d3f21",
        }
        response = client.post(create, data)
        referral = Referral.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("referrals:confirm", args=[referral.pk])
        assert client.post(create, data).status_code == 302 and Referral.objects.count() == 1  # sent twice: one
        page = client.get(response["Location"])
        assert SUMMARY in page.content.decode() and "Send the referral" in page.content.decode()
        sent = client.post(response["Location"], {"checked": page.context["send_form"].initial["checked"]})
        assert sent.status_code == 302 and sent["Location"] == detail(referral)
        referral.refresh_from_db()
        assert referral.status == S.SENT

    def test_what_changed_after_the_check_is_not_sent_unseen(self, worker, case, service):
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = prepare(worker, case, service)
        checked = content_digest(referral_preview(referral=referral, user=worker))
        safe_contact_set(by=worker, person=case.person, safe_phone="+7 777 000 1122")
        with pytest.raises(ValidationError) as error:
            referral_send(by=worker, referral=referral, checked=checked)
        assert error.value.code == "changed"
        assert Referral.objects.get(pk=referral.pk).status == S.DRAFT


class TestWhatIsShared:
    def test_exactly_the_chosen_items_with_safe_contact(self, worker, case, service, other_worker):
        safe_contact_set(
            by=worker, person=case.person, safe_phone="+7 777 000 1122", safe_hours="10:00–12:00", no_sms=True,
            code_word="алма",
        )  # fmt: skip
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = prepare(worker, case, service)
        confirm = login(worker).get(reverse("referrals:confirm", args=[referral.pk])).content.decode()
        for page in (confirm,):
            assert "+7 777 000 1122" in page and "+7 701 234 5678" not in page
            assert "Never send SMS." in page and "10:00–12:00" in page and "алма" not in page
        referral = send(worker, referral)
        content = referral.shared_content
        assert content["items"] == ["name", "contact", "summary"]
        assert set(content) == {"items", "name", "contact", "summary"}
        assert content["contact"]["phone"] == "+7 777 000 1122" and content["contact"]["no_sms"] is True
        assert "алма" not in referral.shared and "code_word" not in content["contact"]
        # The recipient sees exactly that, and nothing of the case.
        page = login(other_worker).get(detail(referral)).content.decode()
        assert "Садықов Асқар" in page and "+7 777 000 1122" in page and SUMMARY in page
        assert case.number not in page and "+7 701 234 5678" not in page and "1985" not in page
        assert "алма" not in page and "Сарыарқа" not in page

    def test_shared_content_is_frozen_and_encrypted(self, sent, worker, case):
        with connection.cursor() as cursor:
            cursor.execute("SELECT shared FROM referrals_referral WHERE id = %s", [sent.pk])
            raw = cursor.fetchone()[0]
        assert raw.startswith("qe1:") and "Садықов" not in raw
        safe_contact_set(by=worker, person=case.person, safe_phone="+7 777 999 0000")
        assert "+7 777 999 0000" not in Referral.objects.get(pk=sent.pk).shared

    def test_birth_date_and_language_only_when_chosen(self, worker, case, service):
        referral = prepare(worker, case, service, items=["birth_date", "language"], summary="")
        content = referral_preview(referral=referral, user=worker)
        assert content == {"items": ["birth_date", "language"], "birth_date": "1985-03-12", "language": "kk"}


class TestInbox:
    def test_accept_in_service_complete_shows_on_the_senders_case(self, sent, worker, other_worker, case):
        client = login(other_worker)
        inbox = client.get(reverse("referrals:inbox"))
        assert inbox.status_code == 200 and detail(sent) in inbox.content.decode()
        assert client.get(reverse("referrals:inbox"), HTTP_HX_REQUEST="true").status_code == 200
        for step in (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED):
            assert answer(client, sent, step).status_code == 302
        sent.refresh_from_db()
        assert sent.status == S.COMPLETED and sent.handled_by == other_worker and sent.answered_at is not None
        assert [e.to_status for e in sent.events.order_by("at", "id")] == [
            S.SENT,
            S.ACCEPTED,
            S.IN_SERVICE,
            S.COMPLETED,
        ]
        page = login(worker).get(case.get_absolute_url()).content.decode()
        assert "The referral to “Psychological support” is completed." in page
        assert "accepted the referral to “Psychological support”" in page
        actions = list(AuditEntry.objects.for_record(sent).values_list("action", flat=True))
        assert {"referral_accepted", "referral_in_service", "referral_completed"} <= set(actions)

    def test_declined_with_a_reason(self, sent, other_worker, worker, case):
        client = login(other_worker)
        answer(client, sent, S.DECLINED)  # no reason: refused
        sent.refresh_from_db()
        assert sent.status == S.SENT
        answer(client, sent, S.DECLINED, reason="No places until March.")
        sent.refresh_from_db()
        assert sent.status == S.DECLINED and sent.events.get(to_status=S.DECLINED).reason == "No places until March."
        page = login(worker).get(case.get_absolute_url()).content.decode()
        assert "declined the referral" in page and "No places until March." in page

    def test_not_completed_needs_a_reason(self, sent, other_worker):
        referral_answer(by=other_worker, referral=sent, to_status=S.ACCEPTED)
        with pytest.raises(ValidationError) as error:
            referral_answer(by=other_worker, referral=sent, to_status=S.NOT_COMPLETED, reason=" ")
        assert "reason" in error.value.message_dict
        referral = referral_answer(by=other_worker, referral=sent, to_status=S.NOT_COMPLETED, reason="Never came.")
        assert referral.status == S.NOT_COMPLETED

    def test_invalid_transition_is_refused(self, sent, other_worker):
        with pytest.raises(ValidationError) as error:
            referral_answer(by=other_worker, referral=sent, to_status=S.COMPLETED)
        assert "cannot move there" in error.value.messages[0]
        assert Referral.objects.get(pk=sent.pk).status == S.SENT

    def test_only_supervisors_assign_to_a_colleague(self, sent, other_worker, gulnar, almaty):
        colleague = make_user("daulet", almaty, User.Role.SOCIAL_WORKER)
        with pytest.raises(ValidationError):
            referral_answer(by=other_worker, referral=sent, to_status=S.ACCEPTED, handler=colleague)
        referral = referral_answer(by=gulnar, referral=sent, to_status=S.ACCEPTED, handler=colleague)
        assert referral.handled_by == colleague

    def test_the_sender_does_not_answer_for_a_qadam_agency(self, sent, worker):
        assert answer(login(worker), sent, S.ACCEPTED).status_code == 403

    def test_the_sender_records_answers_of_an_organisation_outside_qadam(self, worker, case, other_worker):
        ngo = outside_organization()
        service = make_service(ngo, "Legal advice")
        share_consent(worker, case.person, recipient_organization=ngo)
        referral = send(worker, prepare(worker, case, service))
        assert referral.recipient_agency is None
        client = login(worker)
        assert answer(client, referral, S.ACCEPTED).status_code == 302
        assert Referral.objects.get(pk=referral.pk).status == S.ACCEPTED
        assert login(other_worker).get(detail(referral)).status_code == 404


class TestFollowUp:
    def test_task_created_with_the_configured_days_and_completed_by_the_answer(
        self, settings, sent, worker, other_worker
    ):
        task = sent.follow_up_task
        assert task.assignee == worker and task.due_on == timezone.localdate() + timedelta(days=5)
        assert task.done_at is None and not task.private
        referral_answer(by=other_worker, referral=sent, to_status=S.ACCEPTED)
        task.refresh_from_db()
        assert task.done_at is not None

    def test_the_setting_decides_the_days(self, settings, worker, case, service):
        settings.QADAM_REFERRAL_ANSWER_DAYS = 2
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = send(worker, prepare(worker, case, service))
        assert referral.follow_up_task.due_on == timezone.localdate() + timedelta(days=2)


class TestWrongUser:
    def test_another_agency_sees_nothing(self, sent, shymkent_worker, researcher):
        for user in (shymkent_worker, researcher):
            client = login(user)
            assert client.get(detail(sent)).status_code == 404
            assert client.get(reverse("referrals:confirm", args=[sent.pk])).status_code == 404
            assert answer(client, sent, S.ACCEPTED).status_code == 404
            assert detail(sent) not in client.get(reverse("referrals:inbox")).content.decode()

    def test_the_recipient_sees_no_case_nor_draft(self, worker, case, service, other_worker):
        draft = prepare(worker, case, service)
        client = login(other_worker)
        assert client.get(detail(draft)).status_code == 404
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = send(worker, draft)
        assert client.get(detail(referral)).status_code == 200
        assert client.get(case.get_absolute_url()).status_code == 404
        assert client.get(reverse("referrals:case", args=[case.pk])).status_code == 404
        assert client.get(reverse("referrals:confirm", args=[referral.pk])).status_code == 403
        entry = AuditEntry.objects.for_record(referral).filter(action="viewed").get()
        assert entry.actor == other_worker and entry.record_agency_id == case.agency_id

    def test_read_only_roles_get_403_on_writes(self, sent, coordinator, worker, case, service):
        client = login(coordinator)
        assert client.get(detail(sent)).status_code == 200
        assert answer(client, sent, S.ACCEPTED).status_code == 403
        assert client.get(reverse("referrals:create", args=[case.pk])).status_code == 403
        draft = prepare(worker, case, service)
        assert client.get(reverse("referrals:confirm", args=[draft.pk])).status_code == 403

    def test_registrar_and_researcher_cannot_refer(self, registrar, researcher, case):
        assert login(registrar).get(reverse("referrals:create", args=[case.pk])).status_code == 404
        assert login(researcher).get(reverse("referrals:create", args=[case.pk])).status_code == 404

    def test_case_card_is_read_and_audited(self, sent, worker, case):
        response = login(worker).get(reverse("referrals:case", args=[case.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "Psychological support" in response.content.decode()
        assert AuditEntry.objects.for_record(case).filter(action="viewed", actor=worker).exists()


class TestBadInput:
    def test_inactive_service(self, worker, case, almaty):
        closed = make_service(agency_organization(almaty), "Closed shelter", status="inactive")
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, closed)
        assert "service" in error.value.message_dict
        assert not Referral.objects.exists()

    def test_own_agencys_service(self, worker, case, astana):
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, make_service(agency_organization(astana)))
        assert "own agency" in error.value.message_dict["service"][0]

    def test_nothing_chosen_or_summary_missing(self, worker, case, service):
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, service, items=[])
        assert "items" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, service, summary=" ")
        assert "summary" in error.value.message_dict

    def test_faa_needs_a_completed_assessment(self, worker, case, service):
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, service, items=["faa"], faa_dimensions=["D1"])
        assert "faa_dimensions" in error.value.message_dict

    def test_someone_outside_the_household(self, worker, case, service):
        stranger = person_register(
            by=worker, surname="Бекова", given_name="Сая", birth_date=date(1970, 1, 1), sex="female"
        )
        with pytest.raises(ValidationError) as error:
            prepare(worker, case, service, person=stranger)
        assert "person" in error.value.message_dict

    def test_a_family_member_may_be_referred(self, worker, case, service, family):
        wife = family.memberships.exclude(person=family.head).get().person
        assert prepare(worker, case, service, person=wife).person == wife

    def test_a_closed_case_does_not_refer(self, worker, case, service):
        case_close(by=worker, case=case, reason=Case.ClosingReason.GOALS_MET)
        with pytest.raises(ValidationError):
            prepare(worker, case, Service.objects.get(pk=service.pk))

    def test_the_form_shows_clear_messages(self, worker, case, almaty):
        closed = make_service(agency_organization(almaty), "Closed shelter", status="inactive")
        data = {"person": case.person.pk, "service": closed.pk, "items": ["name"]}
        response = login(worker).post(reverse("referrals:create", args=[case.pk]), data)
        assert response.status_code == 422 and "error-summary" in response.content.decode()
        assert not Referral.objects.exists()


class TestRestricted:
    @pytest.fixture
    def perpetrator(self, worker, survivor_case) -> Person:
        person = person_register(
            by=worker, surname="Жаксылыков", given_name="Ерболат", birth_date=date(1988, 2, 2), sex="male"
        )
        perpetrator_record(by=worker, case=survivor_case, relationship="partner", person=person)
        return person

    def test_only_the_team_refers(self, worker, supervisor, survivor_case, service):
        assert login(supervisor).get(reverse("referrals:create", args=[survivor_case.pk])).status_code == 404
        referral = prepare(worker, survivor_case, service, summary="Needs a place in the shelter.")
        assert login(supervisor).get(reverse("referrals:confirm", args=[referral.pk])).status_code == 404
        colleague = make_user("aruzhan", worker.agency, User.Role.SOCIAL_WORKER)
        case_team_add(by=worker, case=survivor_case, user=colleague)
        assert login(colleague).get(reverse("referrals:confirm", args=[referral.pk])).status_code == 200

    def test_the_summary_never_names_the_alleged_perpetrator(self, worker, survivor_case, service, perpetrator):
        with pytest.raises(ValidationError) as error:
            prepare(worker, survivor_case, service, summary="Her partner ЖАКСЫЛЫКОВ threatens her.")
        assert "alleged perpetrator" in error.value.message_dict["summary"][0]
        assert prepare(worker, survivor_case, service, summary="Needs a place in the shelter.").pk

    def test_the_alleged_perpetrator_is_not_referred_from_her_case(self, worker, survivor_case, service, perpetrator):
        with pytest.raises(ValidationError):
            prepare(worker, survivor_case, service, person=perpetrator)

    def test_the_recipient_never_sees_the_case(self, worker, survivor_case, service, other_worker, gulnar):
        share_consent(worker, survivor_case.person, recipient=service.organization.agency)
        referral = send(worker, prepare(worker, survivor_case, service, summary="Needs a place in the shelter."))
        assert referral.follow_up_task.private
        for user in (other_worker, gulnar):
            client = login(user)
            page = client.get(detail(referral))
            assert page.status_code == 200 and "Needs a place in the shelter." in page.content.decode()
            assert survivor_case.number not in page.content.decode()
            assert client.get(survivor_case.get_absolute_url()).status_code == 404
            assert client.get(survivor_case.person.get_absolute_url()).status_code == 404
        referral_answer(by=other_worker, referral=referral, to_status=S.ACCEPTED)
        assert login(other_worker).get(survivor_case.get_absolute_url()).status_code == 404


class TestAdaptationScores:
    def test_only_the_chosen_dimensions_of_the_latest_faa(self, worker, case, service, other_worker):
        from tests.test_assessment_pages import completed

        completed(case, worker, on=date(2026, 10, 1), level=4)
        referral = prepare(worker, case, service, items=["faa"], summary="", faa_dimensions=["D1", "D3"])
        share_consent(worker, case.person, recipient=service.organization.agency)
        referral = send(worker, referral)
        scores = referral.shared_content["faa"]
        assert [s["dimension"] for s in scores] == ["D1", "D3"]
        assert scores[0]["title"]["en"] == "Socio-economic footing" and isinstance(scores[0]["score"], int)
        page = login(other_worker, "ru").get(detail(referral)).content.decode()
        assert "Социально-экономическое положение" in page and "D2" not in page

    def test_the_form_offers_the_dimensions_scored(self, worker, case):
        from tests.test_assessment_pages import completed

        completed(case, worker, on=date(2026, 10, 1))
        form = login(worker).get(reverse("referrals:create", args=[case.pk])).context["form"]
        assert [value for value, _label in form.fields["faa_dimensions"].choices][:1] == ["D1"]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_referral_pages_render_in_every_language(sent, worker, other_worker, case, language):
    assert login(worker, language).get(detail(sent)).status_code == 200
    assert login(worker, language).get(reverse("referrals:create", args=[case.pk])).status_code == 200
    assert login(other_worker, language).get(reverse("referrals:inbox")).status_code == 200
    assert login(other_worker, language).get(detail(sent)).status_code == 200


def test_the_inbox_costs_the_same_queries_however_many_referrals(worker, case, service, other_worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    share_consent(worker, case.person, recipient=service.organization.agency)
    send(worker, prepare(worker, case, service))
    client = login(other_worker)
    client.get(reverse("referrals:inbox"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("referrals:inbox"))
    for _ in range(4):
        referral = send(worker, prepare(worker, case, service))
    referral_answer(by=other_worker, referral=referral, to_status=S.ACCEPTED)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("referrals:inbox"))
    assert len(many) == len(few)


def test_a_draft_is_discarded_and_a_sent_referral_is_not(worker, case, service, sent):
    draft = prepare(worker, case, service)
    client = login(worker)
    assert client.post(reverse("referrals:discard", args=[draft.pk])).status_code == 302
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(action="referral_discarded", target_id=draft.pk).exists()
    client.post(reverse("referrals:discard", args=[sent.pk]))
    assert Referral.objects.filter(pk=sent.pk, status=S.SENT).exists()
