"""Consent per person and purpose: recording, withdrawal at once, sharing per agency, scope, audit and pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import Agency, User
from qadam.audit.models import AuditEntry
from qadam.cases.services import case_break_glass
from qadam.consent.models import Consent
from qadam.consent.services import consent_allows, consent_current, consent_record
from tests.conftest import login, make_agency, make_user

TOKEN = "0e6f3b1c-2d4a-4f5e-8a9b-7c6d5e4f3a21"
SERVICE, SHARING, RESEARCH = Consent.Purpose.SERVICE, Consent.Purpose.SHARING, Consent.Purpose.RESEARCH
GIVEN, WITHDRAWN = Consent.Decision.GIVEN, Consent.Decision.WITHDRAWN


def record(by, person, **overrides) -> Consent:
    data = {"purpose": SERVICE, "decision": GIVEN, "how": Consent.How.PAPER}
    data.update(overrides)
    return consent_record(by=by, person=person, **data)


def form_data(**overrides):
    data = {
        "purpose": "service",
        "recipient": "",
        "decision": "given",
        "how": "paper",
        "witness": "",
        "decided_at": "",
        "note": "",
        "form_token": TOKEN,
    }
    data.update(overrides)
    return data


def url(person) -> str:
    return reverse("consent:person", args=[person.pk])


@pytest.fixture
def person(family):
    return family.head


@pytest.fixture
def shymkent(db) -> Agency:
    return make_agency("shy", "79", Agency.Kind.NGO)


class TestConsentAllows:
    def test_no_decision_means_no_consent(self, person):
        assert not consent_allows(person, SERVICE)
        assert not consent_allows(person, RESEARCH)

    def test_given_allows_and_a_withdrawal_takes_effect_at_once(self, worker, person):
        record(worker, person)
        assert consent_allows(person, SERVICE)
        record(worker, person, decision=WITHDRAWN)
        assert not consent_allows(person, SERVICE)
        assert Consent.objects.filter(person=person).count() == 2  # the history is kept

    def test_purposes_are_asked_separately(self, worker, person):
        record(worker, person, purpose=RESEARCH)
        assert consent_allows(person, RESEARCH)
        assert not consent_allows(person, SERVICE)

    def test_sharing_allows_only_the_named_agency(self, worker, person, almaty, shymkent):
        record(worker, person, purpose=SHARING, recipient=almaty)
        assert consent_allows(person, SHARING, almaty)
        assert not consent_allows(person, SHARING, shymkent)
        record(worker, person, purpose=SHARING, recipient=almaty, decision=WITHDRAWN)
        assert not consent_allows(person, SHARING, almaty)

    def test_a_backdated_paper_form_does_not_undo_a_later_withdrawal(self, worker, person):
        record(worker, person, decision=WITHDRAWN)
        record(worker, person, decided_at=timezone.now() - timedelta(days=30))
        assert not consent_allows(person, SERVICE)

    def test_of_two_decisions_at_the_same_moment_the_one_recorded_last_counts(self, worker, person):
        moment = timezone.now() - timedelta(hours=1)
        record(worker, person, decided_at=moment)
        record(worker, person, decided_at=moment, decision=WITHDRAWN)
        assert not consent_allows(person, SERVICE)

    def test_asking_about_sharing_needs_the_agency_and_only_sharing_takes_one(self, person, almaty):
        with pytest.raises(ValueError):
            consent_allows(person, SHARING)
        with pytest.raises(ValueError):
            consent_allows(person, RESEARCH, almaty)
        with pytest.raises(ValueError):
            consent_allows(person, "marketing")

    def test_the_question_costs_one_query(self, worker, person, almaty, django_assert_num_queries):
        for _ in range(3):
            record(worker, person, purpose=SHARING, recipient=almaty)
        with django_assert_num_queries(1):
            consent_allows(person, SHARING, almaty)

    def test_current_lists_the_decision_in_force_per_purpose_and_agency(self, worker, person, almaty, shymkent):
        record(worker, person, purpose=RESEARCH)
        record(worker, person, purpose=SHARING, recipient=shymkent)
        record(worker, person, purpose=SHARING, recipient=almaty)
        latest = record(worker, person, purpose=SHARING, recipient=almaty, decision=WITHDRAWN)
        current = consent_current(person)
        assert [(c.purpose, c.recipient_id) for c in current] == [
            (SHARING, almaty.pk),
            (SHARING, shymkent.pk),
            (RESEARCH, None),
        ]
        assert current[0] == latest


class TestRules:
    def test_sharing_needs_an_agency(self, worker, person):
        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=SHARING)
        assert "recipient" in error.value.message_dict

    def test_other_purposes_take_no_agency(self, worker, person, almaty):
        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=RESEARCH, recipient=almaty)
        assert "recipient" in error.value.message_dict

    def test_sharing_with_the_agency_that_keeps_the_record_is_refused(self, worker, person, astana):
        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=SHARING, recipient=astana)
        assert "recipient" in error.value.message_dict

    def test_a_verbal_decision_needs_a_witness(self, worker, person):
        with pytest.raises(ValidationError) as error:
            record(worker, person, how=Consent.How.VERBAL, witness="  ")
        assert "witness" in error.value.message_dict
        assert record(worker, person, how=Consent.How.VERBAL, witness="Болат Test").witness == "Болат Test"

    def test_a_decision_cannot_be_in_the_future(self, worker, person):
        with pytest.raises(ValidationError) as error:
            record(worker, person, decided_at=timezone.now() + timedelta(days=1))
        assert "decided_at" in error.value.message_dict
        assert not Consent.objects.exists() and not AuditEntry.objects.filter(action__startswith="consent").exists()

    @pytest.mark.parametrize(
        "fields",
        [
            {"purpose": "sharing", "recipient": None},
            {"purpose": "research", "recipient": "almaty"},
            {"how": "verbal", "witness": ""},
        ],
    )
    def test_the_database_refuses_what_the_model_refuses(self, worker, person, almaty, fields):
        values = {"purpose": "service", "decision": "given", "how": "paper", "recipient": None, "witness": ""}
        values.update(fields)
        values["recipient"] = almaty if values["recipient"] == "almaty" else None
        with pytest.raises(IntegrityError), transaction.atomic():
            Consent.objects.bulk_create([Consent(person=person, recorded_by=worker, **values)])

    def test_a_decision_is_never_edited(self, worker, person):
        consent = record(worker, person)
        consent.decision = WITHDRAWN
        with pytest.raises(PermissionError):
            consent.save()

    def test_each_decision_is_audited(self, worker, person, almaty):
        given = record(worker, person, purpose=SHARING, recipient=almaty)
        record(worker, person, purpose=SHARING, recipient=almaty, decision=WITHDRAWN, how="verbal", witness="Болат")
        entries = AuditEntry.objects.filter(target_type="families.person", target_id=person.pk)
        entry = entries.get(action="consent_given")
        assert entry.actor == worker and entry.agency_id == worker.agency_id
        assert entry.changes["consent"] == [None, given.pk]
        assert entry.changes["recipient"] == [None, almaty.pk] and entry.changes["decision"] == [None, "given"]
        withdrawn = entries.get(action="consent_withdrawn")
        assert withdrawn.changes["witness"] == [None, "Болат"]


class TestForm:
    def test_worker_records_consent_without_javascript(self, worker, person):
        client = login(worker)
        response = client.post(url(person), form_data())
        assert response.status_code == 302 and response["Location"] == url(person)
        consent = Consent.objects.get()
        assert consent.recorded_by == worker and consent_allows(person, SERVICE)
        assert timezone.now() - consent.decided_at < timedelta(minutes=1)  # left empty: just now
        assert AuditEntry.objects.filter(action="consent_given", target_id=person.pk).exists()
        assert "The consent is recorded." in client.get(url(person)).content.decode()

    def test_a_withdrawal_through_htmx_answers_with_the_section(self, worker, person):
        record(worker, person, purpose=RESEARCH)
        data = form_data(purpose="research", decision="withdrawn", how="verbal", witness="Болат Test")
        response = login(worker).post(url(person), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        page = response.content.decode()
        assert page.startswith('<section class="card" id="consent"') and "<html" not in page
        assert "takes effect now" in page and "Witness: Болат Test" in page
        assert not consent_allows(person, RESEARCH)

    def test_sharing_with_the_chosen_agency(self, worker, person, almaty):
        response = login(worker).post(url(person), form_data(purpose="sharing", recipient=almaty.pk))
        assert response.status_code == 302
        assert consent_allows(person, SHARING, almaty)

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"purpose": "sharing"}, "recipient", "Choose the agency"),
            ({"purpose": "research", "recipient": "{almaty}"}, "recipient", "only for sharing"),
            ({"how": "verbal"}, "witness", "needs the name of a witness"),
            ({"decided_at": "{tomorrow}"}, "decided_at", "cannot be in the future"),
            ({"decision": ""}, "decision", "required"),
            ({"note": "я" * 501}, "note", "at most 500"),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_message(self, worker, person, almaty, overrides, field, message):
        tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        data = form_data(**{k: v.format(almaty=almaty.pk, tomorrow=tomorrow) for k, v in overrides.items()})
        response = login(worker).post(url(person), data)
        assert response.status_code == 422
        assert message in " ".join(response.context["form"].errors.get(field, [])), response.context["form"].errors
        assert not Consent.objects.exists()
        htmx = login(worker).post(url(person), data, HTTP_HX_REQUEST="true")
        assert htmx.status_code == 200 and "error-summary" in htmx.content.decode()

    def test_the_agency_that_keeps_the_record_is_not_offered(self, worker, person, astana, almaty):
        form = login(worker).get(url(person)).context["form"]
        assert list(form.fields["recipient"].queryset) == [almaty]
        assert form["decided_at"].value() is None  # empty: "just now", to the second

    @pytest.mark.parametrize("htmx", [False, True])
    def test_a_second_submit_creates_nothing(self, worker, person, htmx):
        client = login(worker)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        client.post(url(person), form_data(), **headers)
        response = client.post(url(person), form_data(), **headers)
        assert response.status_code == (200 if htmx else 302)
        assert Consent.objects.count() == 1
        assert AuditEntry.objects.filter(action="consent_given").count() == 1

    def test_registrar_records_consent_at_intake(self, registrar, person):
        assert login(registrar).post(url(person), form_data()).status_code == 302
        assert Consent.objects.get().recorded_by == registrar

    @pytest.mark.parametrize("persona", ["other_worker", "researcher"])
    def test_others_get_404_and_record_nothing(self, request, persona, worker, person):
        record(worker, person)
        client = login(request.getfixturevalue(persona))
        assert client.get(url(person)).status_code == 404
        assert client.get(url(person), HTTP_HX_REQUEST="true").status_code == 404
        assert client.post(url(person), form_data(decision="withdrawn")).status_code == 404
        assert client.post(url(person), form_data(decision="withdrawn"), HTTP_HX_REQUEST="true").status_code == 404
        assert Consent.objects.count() == 1 and consent_allows(person, SERVICE)

    def test_a_regional_coordinator_reads_but_does_not_record(self, almaty, astana, person):
        coordinator = make_user("saule", almaty, User.Role.REGIONAL_COORDINATOR)
        coordinator.coordinated_agencies.add(astana)
        client = login(coordinator)
        response = client.get(url(person))
        assert response.status_code == 200 and 'name="form_token"' not in response.content.decode()
        assert client.post(url(person), form_data()).status_code == 403
        assert not Consent.objects.exists()

    def test_an_emergency_access_reads_but_does_not_record(self, almaty, other_case):
        supervisor = make_user("gulnar", almaty, User.Role.SUPERVISOR)
        case_break_glass(by=supervisor, case=other_case, reason="Police are at the door and ask for her.")
        client = login(supervisor)
        survivor = other_case.person
        assert client.get(url(survivor)).status_code == 200
        assert client.post(url(survivor), form_data()).status_code == 403
        assert not Consent.objects.exists()

    def test_the_section_costs_the_same_queries_whatever_the_history(self, worker, person, almaty):
        client = login(worker)
        client.get(url(person), HTTP_HX_REQUEST="true")  # warm the session
        record(worker, person)
        with CaptureQueriesContext(connection) as few:
            client.get(url(person), HTTP_HX_REQUEST="true")
        for _ in range(5):
            record(worker, person, purpose=SHARING, recipient=almaty)
            record(worker, person, purpose=RESEARCH, how="verbal", witness="Болат")
        with CaptureQueriesContext(connection) as many:
            client.get(url(person), HTTP_HX_REQUEST="true")
        assert len(many) == len(few)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_consent_pages_render_in_every_language(worker, person, almaty, language):
    record(worker, person, how=Consent.How.VERBAL, witness="Болат Test", note="Қағаз нұсқасы папкада.")
    record(worker, person, purpose=SHARING, recipient=almaty)
    client = login(worker, language)
    person_page = client.get(reverse("families:person_detail", args=[person.pk])).content.decode()
    assert f'hx-get="{url(person)}"' in person_page and f'lang="{language}"' in person_page
    page = client.get(url(person))
    assert page.status_code == 200 and f'lang="{language}"' in page.content.decode()
    assert almaty.name in page.content.decode()
    assert client.get(url(person), HTTP_HX_REQUEST="true").status_code == 200
    refused = client.post(url(person), form_data(purpose="sharing"))
    assert refused.status_code == 422 and f'lang="{language}"' in refused.content.decode()


class TestDirectoryOrganisation:
    """Sharing may name a directory organisation; an agency and its own organisation are one recipient."""

    @pytest.fixture
    def ngo(self, db):
        from qadam.directory.services import organization_create

        root = make_user("root", None, User.Role.SYSTEM_ADMIN)
        return organization_create(by=root, name="Umit", name_en="Umit", description="Legal aid")

    @pytest.fixture
    def almaty_organisation(self, almaty):
        from qadam.directory.services import agency_organization

        return agency_organization(almaty)

    def test_sharing_with_an_organisation_outside_qadam(self, worker, person, ngo, almaty):
        consent = record(worker, person, purpose=SHARING, recipient_organization=ngo)
        assert consent_allows(person, SHARING, ngo)
        assert not consent_allows(person, SHARING, almaty)
        entry = AuditEntry.objects.get(action="consent_given", target_id=person.pk)
        assert entry.changes["recipient_organization"] == [None, str(ngo.pk)]
        assert consent.recipient_display == "Umit"

    def test_an_agency_and_its_organisation_are_one_recipient(self, worker, person, almaty, almaty_organisation):
        record(worker, person, purpose=SHARING, recipient=almaty)
        assert consent_allows(person, SHARING, almaty_organisation)
        record(worker, person, purpose=SHARING, recipient_organization=almaty_organisation, decision=WITHDRAWN)
        assert not consent_allows(person, SHARING, almaty)
        assert not consent_allows(person, SHARING, almaty_organisation)
        assert len(consent_current(person)) == 1  # one line: the latest decision about either

    def test_the_question_about_an_organisation_costs_one_query(self, worker, person, ngo, django_assert_num_queries):
        record(worker, person, purpose=SHARING, recipient_organization=ngo)
        with django_assert_num_queries(1):
            assert consent_allows(person, SHARING, ngo)

    def test_exactly_one_recipient(self, worker, person, almaty, ngo, astana):
        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=SHARING, recipient=almaty, recipient_organization=ngo)
        assert "recipient_organization" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=RESEARCH, recipient_organization=ngo)
        assert "recipient_organization" in error.value.message_dict
        from qadam.directory.services import agency_organization

        with pytest.raises(ValidationError) as error:
            record(worker, person, purpose=SHARING, recipient_organization=agency_organization(astana))
        assert "recipient_organization" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            Consent.objects.bulk_create(
                [
                    Consent(
                        person=person,
                        recorded_by=worker,
                        purpose="sharing",
                        decision="given",
                        how="paper",
                        recipient=almaty,
                        recipient_organization=ngo,
                    )
                ]
            )
        assert not Consent.objects.exists()

    def test_the_form_records_consent_for_an_organisation(self, worker, person, ngo):
        response = login(worker).post(url(person), form_data(purpose="sharing", recipient_organization=ngo.pk))
        assert response.status_code == 302
        assert consent_allows(person, SHARING, ngo)
        assert "Umit" in login(worker).get(url(person)).content.decode()
