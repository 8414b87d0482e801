"""The audit log: a hash chain that `qadam audit verify` checks, a read entry for every page that shows a
record, each record's history for its team, and the log search of an agency's administrator."""

import importlib
import re
import threading
import time
from datetime import date, timedelta
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit import chain
from qadam.audit.display import ACTION_LABELS
from qadam.audit.models import AuditEntry
from qadam.audit.services import audit_read, audit_record
from qadam.families.services import family_register, person_register, person_update
from tests import records
from tests.conftest import login, make_agency, make_user
from tests.test_safety_audit import AUDITED as SAFETY_AUDITED
from tests.test_safety_audit import PRINTED as SAFETY_PRINTED

POSTGRES = connection.vendor == "postgresql"


def entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("seq"))


def tamper(sql: str, params: list) -> None:
    """Change the log behind the application's back, as someone with database access could.

    On PostgreSQL the append-only trigger is switched off first; ALTER TABLE is transactional, so the
    test's rollback switches it on again. A table owner may do this without being a superuser (CI's role).
    """
    with connection.cursor() as cursor:
        if POSTGRES:
            # Run the deferred foreign-key checks of the test's inserts now: ALTER TABLE refuses to run
            # while they are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if POSTGRES:
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


class TestChain:
    def test_entries_link_each_to_the_one_before(self, family, case):
        log = entries()
        assert len(log) >= 5
        assert [e.seq for e in log] == list(range(1, len(log) + 1))
        assert log[0].prev_hash == ""
        for before, entry in pairwise(log):
            assert entry.prev_hash == before.hash
        for entry in log:
            assert len(entry.hash) == 64 and entry.hash == chain._hash_of(entry)

    def test_a_stored_entry_hashes_the_same_after_the_round_trip(self, worker, family):
        entry = audit_record(
            actor=worker,
            action="person_changed",
            obj=family.head,
            changes={"surname": ("Садықов", "Садыков"), 7: [1.5, None], "reasons": [None, ["jobs"]]},
        )
        stored = AuditEntry.objects.get(pk=entry.pk)
        assert stored.changes == {"surname": ["Садықов", "Садыков"], "7": [1.5, None], "reasons": [None, ["jobs"]]}
        assert stored.at == entry.at and chain._hash_of(stored) == stored.hash == entry.hash

    def test_the_model_refuses_entries_outside_the_chain_and_any_change(self, worker):
        with pytest.raises(PermissionError):
            AuditEntry.objects.create(actor=worker, action="viewed", target_type="cases.case", target_id=1)
        with pytest.raises(PermissionError):
            AuditEntry.objects.bulk_create([AuditEntry(action="viewed", target_type="cases.case", target_id=1)])
        entry = audit_record(actor=worker, action="test", obj=worker)
        entry.action = "other"
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="other")

    def test_the_migration_hashes_as_the_chain_does(self, family):
        migration = importlib.import_module("qadam.audit.migrations.0003_tamper_evident_chain")
        for entry in entries():
            assert migration.entry_hash(entry, entry.prev_hash) == entry.hash


class TestVerify:
    def test_an_intact_log(self, family, case):
        output, error = verify()
        assert error is None
        count = AuditEntry.objects.count()
        assert f"{count} entries verified in" in output and "The audit log is intact." in output
        assert entries()[-1].hash in output

    def test_an_empty_log(self, db):
        output, error = verify()
        assert error is None and "0 entries verified" in output

    def test_an_edited_entry_is_named(self, family, case):
        log = entries()
        edited = log[3]
        tamper("UPDATE audit_auditentry SET target_id = target_id + 1 WHERE id = %s", [edited.pk])

        output, error = verify()

        assert error is not None and error.returncode == 1
        assert f"broken at entry {edited.pk} (number {edited.seq}," in str(error)
        assert "was changed" in str(error)
        assert "3 entries verified" in output

    def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(self, family, case):
        log = entries()
        edited, following = log[2], log[3]
        forged = chain.entry_hash(
            seq=edited.seq,
            at=edited.at,
            actor_id=edited.actor_id,
            agency_id=edited.agency_id,
            action="case_closed",
            target_type=edited.target_type,
            target_id=edited.target_id,
            changes=edited.changes,
            prev_hash=edited.prev_hash,
        )
        tamper("UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s", ["case_closed", forged, edited.pk])

        _output, error = verify()

        assert error is not None
        assert f"broken at entry {following.pk} (number {following.seq}," in str(error)
        assert "does not link to the entry before it" in str(error)

    def test_a_deleted_entry_is_found_missing(self, family, case):
        log = entries()
        deleted, following = log[2], log[3]
        tamper("DELETE FROM audit_auditentry WHERE id = %s", [deleted.pk])

        _output, error = verify()

        assert error is not None
        assert f"broken at entry {following.pk} (number {following.seq}," in str(error)
        assert f"entry number {deleted.seq} is missing before it" in str(error)

    def test_deleted_first_entries_are_found_missing(self, family, case):
        log = entries()
        tamper("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [log[0].pk, log[1].pk])

        _output, error = verify()

        assert error is not None
        assert f"broken at entry {log[2].pk}" in str(error) and "entries number 1 to 2 are missing" in str(error)


class TestConcurrentAppends:
    """Several app servers append at once: each takes the advisory lock before reading the newest entry.

    PostgreSQL only. On SQLite the database has a single writer and settings open every transaction with
    BEGIN IMMEDIATE, so reading the newest entry and appending after it cannot interleave with another
    process; threads on the in-memory test database would only test SQLite's shared-cache locking.
    """

    pytestmark = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only (DATABASE_URL)")

    def _in_thread(self, work, errors: list) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except Exception as error:  # reported by the test, not lost in the thread
                errors.append(error)
            finally:
                connection.close()  # the thread's own connection; the test database is dropped later

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def _someone_waits_for_a_lock(self) -> bool:
        for _ in range(100):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                if cursor.fetchone()[0]:
                    return True
            time.sleep(0.05)
        return False

    def test_an_append_waits_for_the_lock_and_links_to_the_entry_it_waited_for(
        self, transactional_db, django_db_serialized_rollback
    ):
        target = User(pk=1)  # only its label and pk are recorded (an agency would be recorded as the agency)
        holding, release, errors = threading.Event(), threading.Event(), []

        def first() -> None:
            with transaction.atomic():
                audit_record(actor=None, action="first", obj=target)
                holding.set()
                release.wait(10)

        def second() -> None:
            holding.wait(10)
            audit_record(actor=None, action="second", obj=target)

        threads = [self._in_thread(first, errors), self._in_thread(second, errors)]
        try:
            assert self._someone_waits_for_a_lock(), "the second append did not wait for the first transaction"
        finally:
            release.set()
            for thread in threads:
                thread.join(10)

        # Without the lock the second would read no entry, take number 1 too and fail on the unique seq.
        assert errors == []
        assert [(e.seq, e.action) for e in entries()] == [(1, "first"), (2, "second")]
        assert chain.verify().broken is None

    def test_many_appends_from_many_threads_make_one_chain(self, transactional_db, django_db_serialized_rollback):
        target, errors = User(pk=1), []
        start = threading.Barrier(4)

        def append_many() -> None:
            start.wait(10)
            for _ in range(25):
                audit_record(actor=None, action="viewed", obj=target)

        for thread in [self._in_thread(append_many, errors) for _ in range(4)]:
            thread.join(30)

        assert errors == []
        result = chain.verify()
        assert result.broken is None and result.verified == 100 == result.head_seq


class TestReads:
    def test_a_read_is_an_entry_without_changes(self, worker, case):
        entry = audit_read(actor=worker, obj=case)
        assert entry is not None
        assert (entry.action, entry.target_type, entry.target_id, entry.changes) == (
            "viewed",
            "cases.case",
            case.pk,
            {},
        )
        assert entry.agency_id == worker.agency_id and entry.prev_hash == entries()[-2].hash

    def test_reads_can_be_left_out_but_changes_cannot(self, settings, worker, case):
        settings.QADAM_AUDIT_READS = False
        before = AuditEntry.objects.count()
        assert audit_read(actor=worker, obj=case, action="printed") is None
        assert AuditEntry.objects.count() == before
        audit_record(actor=worker, action="case_assigned", obj=case)
        assert AuditEntry.objects.count() == before + 1

    def test_only_read_actions(self, worker, case):
        with pytest.raises(ValueError):
            audit_read(actor=worker, obj=case, action="case_closed")


# Audit completeness ------------------------------------------------------------------------------
# Every URL that takes a record's id, and every URL of the apps that show people, families and cases, is
# listed here: either a GET by the case owner writes a "viewed" entry for the record it shows, or it is
# exempt for the reason given. A new URL in neither list fails the test until someone decides.

RECORD_NAMESPACES = {"families", "cases", "consent"}

AUDITED = {
    # name: (URL kwargs, the record the page shows), from the `family` and `case` fixtures
    "families:detail": lambda family, case: ({"pk": family.pk}, family),
    "families:member_add": lambda family, case: ({"pk": family.pk}, family),
    "families:move_add": lambda family, case: ({"pk": family.pk}, family),
    "families:person_detail": lambda family, case: ({"pk": family.head.pk}, family.head),
    "families:person_edit": lambda family, case: ({"pk": family.head.pk}, family.head),
    "cases:create": lambda family, case: ({"family_pk": family.pk}, family),
    "cases:detail": lambda family, case: ({"pk": case.pk}, case),
    "cases:print": lambda family, case: ({"pk": case.pk}, case),
    "cases:task_create": lambda family, case: ({"pk": case.pk}, case),
    "cases:assign": lambda family, case: ({"pk": case.pk}, case),
    "cases:team_add": lambda family, case: ({"pk": case.pk}, case),
    "consent:person": lambda family, case: ({"pk": family.head.pk}, family.head),
    "assessments:case": lambda family, case: ({"pk": case.pk}, case),
    "assessments:section": lambda family, case: ({"pk": _assessment(case).pk, "n": 1}, case),
    "assessments:review": lambda family, case: ({"pk": _assessment(case).pk}, case),
    "assessments:detail": lambda family, case: ({"pk": _assessment(case, done=True).pk}, case),
    "assessments:print": lambda family, case: ({"pk": _assessment(case, done=True).pk}, case),
    "assessments:family": lambda family, case: ({"pk": family.pk}, family),
    "plans:case": lambda family, case: ({"pk": case.pk}, case),
    "plans:create": lambda family, case: ({"pk": case.pk}, case),
    "plans:detail": lambda family, case: ({"pk": records.a_plan(case).pk}, case),
    "plans:agreement": lambda family, case: ({"pk": records.a_plan(case).pk}, case),
    "plans:print": lambda family, case: ({"pk": records.a_plan(case).pk}, case),
    "contracts:case": lambda family, case: ({"pk": case.pk}, case),
    "contracts:incomes": lambda family, case: ({"pk": case.pk}, case),
    "contracts:computation": lambda family, case: ({"pk": case.pk}, case),
    "contracts:create": lambda family, case: ({"pk": case.pk}, case),
    "contracts:income_test": lambda family, case: ({"pk": records.an_income_test(case).pk}, case),
    "contracts:detail": lambda family, case: ({"pk": records.a_contract(case).pk}, case),
    "contracts:monitoring": lambda family, case: ({"pk": records.a_contract(case).pk}, case),
    "contracts:extend": lambda family, case: ({"pk": records.a_contract(case).pk}, case),
    "contracts:terminate": lambda family, case: ({"pk": records.a_contract(case).pk}, case),
    "contracts:print": lambda family, case: ({"pk": records.a_contract(case).pk}, case),
    "referrals:case": lambda family, case: ({"pk": case.pk}, case),
    "referrals:create": lambda family, case: ({"pk": case.pk}, case),
    "referrals:transfer_create": lambda family, case: ({"pk": case.pk}, case),
    "referrals:confirm": lambda family, case: ({"pk": records.a_draft_referral(case).pk}, case),
    **SAFETY_AUDITED,
    "documents:case_pdf": lambda family, case: ({"pk": case.pk}, case),
}

# Pages that are documents to print: their reading is recorded as "printed".
# Documents that leave Qadam as files: their reading is recorded as "exported".
EXPORTED = {"documents:case_pdf"}
PRINTED = {"cases:print", "assessments:print", "plans:print", "contracts:print", *SAFETY_PRINTED}


def _assessment(case, *, done: bool = False):
    """An FAA of the case by its worker, completed when the page shows a result."""
    from qadam.assessments.models import InstrumentVersion
    from qadam.assessments.services import assessment_complete, assessment_start

    faa = InstrumentVersion.objects.get(key="faa", offered=True)
    assessment = assessment_start(by=case.owner, case=case, instrument=faa, language="en")
    return assessment_complete(by=case.owner, assessment=assessment) if done else assessment


POST_ONLY = "POST only: what it changes is audited as a change"
LIST = "a list or search: opening a record from it is audited"
EXEMPT = {
    "cases:note_create": POST_ONLY,
    "cases:status": POST_ONLY,
    "cases:close": POST_ONLY,
    "cases:reopen": POST_ONLY,
    "cases:restrict": POST_ONLY,
    "cases:perpetrator_add": POST_ONLY,
    "cases:team_remove": POST_ONLY,
    "cases:task_done": POST_ONLY,
    "cases:notification_read": "POST only, and a notification is not a record",
    "cases:emergency": "asks for a case number; the emergency opening is audited as break-glass",
    "cases:home": LIST,
    "cases:list": LIST,
    "cases:note_search": LIST,
    "families:list": LIST,
    "families:people": LIST,
    "families:create": "an empty registration form: no record yet",
    "audit:history": "shows who did what, not the record itself; auditing it would fill the log with itself",
    "assessments:start": POST_ONLY,
    "assessments:complete": POST_ONLY,
    "assessments:phase": POST_ONLY,
    "plans:update": POST_ONLY,
    "plans:new_version": POST_ONLY,
    "plans:goal_add": POST_ONLY,
    "plans:goal_edit": POST_ONLY,
    "plans:goal_remove": POST_ONLY,
    "plans:action_add": POST_ONLY,
    "plans:action_status": POST_ONLY,
    "plans:submit": POST_ONLY,
    "plans:review_done": POST_ONLY,
    "plans:approve": POST_ONLY,
    "plans:return": POST_ONLY,
    "plans:scan": "the scan of a paper agreement: read as 'viewed' on the case, tested in tests/test_plans.py",
    "plans:approval": "opened only by the deciding supervisor: test_the_approval_page_is_a_read_of_the_case below",
    "contracts:income_remove": POST_ONLY,
    "contracts:sign": POST_ONLY,
    "contracts:measure_add": POST_ONLY,
    "contracts:complete": POST_ONLY,
    "contracts:reference_edit": "national poverty-line figures: no person, family or case",
    "referrals:override": POST_ONLY,
    "referrals:discard": POST_ONLY,
    "referrals:answer": POST_ONLY,
    "referrals:transfer_accept": POST_ONLY,
    "referrals:transfer_reject": POST_ONLY,
    "referrals:detail": "a sent referral: read by each side as 'viewed', tested in tests/test_referrals.py",
    "referrals:transfer": "read by each agency as 'viewed', tested in tests/test_referrals_transfer.py",
    "exports:detail": "the status of one's own export job: no person, family or case",
    "exports:download": "one's own export file: audited as 'exported' on each download, tests/test_exports_jobs.py",
    "assessments:instrument_offer": "POST only, and an instrument version is configuration, not a family's record",
}


def _named_urls(patterns: list, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_urls(pattern.url_patterns, ":".join(n for n in (namespace, pattern.namespace) if n))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def urls_showing_records() -> set[str]:
    found = set()
    for name, pattern in _named_urls(get_resolver().url_patterns):
        takes_an_id = any(isinstance(c, IntConverter) for c in getattr(pattern.pattern, "converters", {}).values())
        if takes_an_id or name.split(":")[0] in RECORD_NAMESPACES:
            found.add(name)
    return found


def test_every_url_that_shows_records_is_audited_or_exempt_for_a_reason():
    unclassified = urls_showing_records() - AUDITED.keys() - EXEMPT.keys()
    assert not unclassified, f"add these URLs to AUDITED or EXEMPT in tests/test_audit.py: {sorted(unclassified)}"
    assert not AUDITED.keys() & EXEMPT.keys()


def test_the_lists_name_only_urls_that_exist():
    assert (AUDITED.keys() | EXEMPT.keys()) <= urls_showing_records()


@pytest.mark.parametrize("name", sorted(AUDITED))
def test_a_page_that_shows_a_record_writes_a_read_entry(settings, worker, family, case, name):
    settings.QADAM_AUDIT_READS = True
    if name not in urls_showing_records():
        pytest.skip(f"{name} is not in the URLconf")
    kwargs, record = AUDITED[name](family, case)
    action = "printed" if name in PRINTED else "exported" if name in EXPORTED else "viewed"
    reads = AuditEntry.objects.for_record(record).filter(action=action, actor=worker)
    before = reads.count()

    response = login(worker).get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert reads.count() == before + 1, f"{name} shows {record._meta.label_lower} {record.pk} without audit_read"


# A record's history ----------------------------------------------------------------------------------


def history_url(target_type: str, target_id: int) -> str:
    return reverse("audit:history", args=[target_type, target_id])


class TestHistory:
    def test_the_owner_sees_who_viewed_and_changed_the_case(self, worker, supervisor, case):
        audit_read(actor=supervisor, obj=case)
        response = login(worker).get(history_url("case", case.pk))
        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" in page and "viewed" in page and "opened the case" in page
        assert supervisor.get_full_name() in page and worker.get_full_name() in page

    def test_htmx_gets_a_fragment_and_no_read_is_recorded(self, worker, case):
        before = AuditEntry.objects.count()
        response = login(worker).get(history_url("case", case.pk), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "<html" not in response.content.decode() and "<table" in response.content.decode()
        assert AuditEntry.objects.count() == before

    @pytest.mark.parametrize("target", ["person", "family", "case"])
    def test_supervisor_sees_every_kind_of_record(self, supervisor, family, case, target):
        record = {"person": family.head, "family": family, "case": case}[target]
        assert login(supervisor).get(history_url(target, record.pk)).status_code == 200

    @pytest.mark.parametrize("persona", ["other_worker", "researcher"])
    def test_others_get_404(self, request, persona, family, case):
        client = login(request.getfixturevalue(persona))
        for target, record in (("case", case), ("family", family), ("person", family.head)):
            assert client.get(history_url(target, record.pk)).status_code == 404, target

    def test_a_colleague_off_the_team_gets_403(self, registrar, family, case):
        # Dana may open the family (her agency registers it) but is not on its case's team.
        assert login(registrar).get(history_url("family", family.pk)).status_code == 403

    def test_unknown_record_types_and_ids_get_404(self, worker, case):
        client = login(worker)
        assert client.get(history_url("user", worker.pk)).status_code == 404
        assert client.get(history_url("case", case.pk + 1000)).status_code == 404

    def test_sensitive_fields_show_only_that_they_changed(self, worker, family, case):
        person = family.head
        fields = {name: getattr(person, name) for name in person.FIELDS}
        person_update(by=worker, person=person, **{**fields, "given_name": "Асхат", "phone": "+7 777 000 1122"})

        page = login(worker).get(history_url("person", person.pk)).content.decode()

        assert "Асқар" in page and "Асхат" in page  # a name: before and after
        assert "+7 701 234 5678" not in page and "+7 777 000 1122" not in page
        assert "850312300012" not in page  # the IIN, recorded when the person was registered
        assert page.count("changed (not shown)") >= 3  # IIN and phone at registration, phone now

    def test_pages_of_25_newest_first_with_show_more(self, worker, case):
        for _ in range(30):
            audit_read(actor=worker, obj=case)
        newest = AuditEntry.objects.for_record(case).order_by("-id")
        client = login(worker)

        first = client.get(history_url("case", case.pk), HTTP_HX_REQUEST="true")
        rows = first.context["rows"]
        assert [r["entry"].pk for r in rows] == [e.pk for e in newest[:25]]
        after = first.context["page"].next_after
        assert f"{history_url('case', case.pk)}?after={after}" in first.content.decode()

        rest = client.get(history_url("case", case.pk), {"after": after}, HTTP_HX_REQUEST="true")
        assert [r["entry"].pk for r in rest.context["rows"]] == [e.pk for e in newest[25:]]
        assert "<table" not in rest.content.decode() and "Show more" not in rest.content.decode()

    def test_a_constant_number_of_queries(self, worker, supervisor, case):
        client = login(worker)
        url = history_url("case", case.pk)
        client.get(url)

        def count() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
            return len(captured)

        few = count()
        for actor in (worker, supervisor) * 10:
            audit_read(actor=actor, obj=case)
        assert count() == few


# The agency administrator's log search -------------------------------------------------------------


@pytest.fixture
def agency_admin(astana) -> User:
    """Aliya administers the Astana centre."""
    return make_user("aliya", astana, User.Role.AGENCY_ADMIN)


def log(client, **filters):
    return client.get(reverse("audit:log"), filters)


class TestLogSearch:
    def test_the_admin_sees_her_agency_and_never_another(self, agency_admin, worker, case, other_case):
        response = log(login(agency_admin))
        assert response.status_code == 200
        shown = {r["entry"].pk for r in response.context["rows"]}
        ours = set(AuditEntry.objects.filter(agency=worker.agency).values_list("pk", flat=True))
        assert shown == ours
        assert not AuditEntry.objects.filter(pk__in=shown, agency=other_case.agency).exists()
        assert "yerlan" not in response.content.decode()

    def test_filters(self, agency_admin, worker, supervisor, family, case, other_case):
        audit_read(actor=supervisor, obj=case)
        client = login(agency_admin)
        today = timezone.localdate()

        def found(**filters) -> list[tuple[str, str, int]]:
            response = log(client, **filters)
            assert response.status_code == 200
            return [
                (r["entry"].actor.username, r["entry"].action, r["entry"].target_id) for r in response.context["rows"]
            ]

        assert found(actor="bolat") == [("bolat", "viewed", case.pk)]
        assert found(action="viewed", record_type="case", record_id=case.pk) == [("bolat", "viewed", case.pk)]
        assert found(record_type="person", record_id=family.head.pk, action="person_registered") == [
            ("aigerim", "person_registered", family.head.pk)
        ]
        assert (
            len(found(since=today.isoformat(), until=today.isoformat()))
            == AuditEntry.objects.filter(agency=worker.agency).count()
        )
        assert found(until=(today - timedelta(days=1)).isoformat()) == []
        assert found(actor="yerlan") == []  # another agency's worker: never in this log
        assert found(record_type="case", record_id=other_case.pk) == []

    def test_invalid_filters_show_errors_and_no_entries(self, agency_admin, case):
        today = timezone.localdate()
        response = log(login(agency_admin), since=today.isoformat(), until=(today - timedelta(days=2)).isoformat())
        assert response.status_code == 200
        assert response.context["rows"] == [] and "until" in response.context["form"].errors

    def test_fields_changed_are_named_without_their_values(self, agency_admin, worker, family):
        page = log(login(agency_admin), action="person_registered").content.decode()
        assert "IIN" in page and "850312300012" not in page and "Садықов" not in page

    def test_pages_keep_the_filters(self, agency_admin, worker, case):
        for _ in range(30):
            audit_read(actor=worker, obj=case)
        client = login(agency_admin)
        first = log(client, action="viewed")
        after = first.context["page"].next_after
        assert f"?action=viewed&amp;after={after}" in first.content.decode()
        rest = client.get(reverse("audit:log"), {"action": "viewed", "after": after}, HTTP_HX_REQUEST="true")
        assert len(rest.context["rows"]) == 5 and "<html" not in rest.content.decode()

    def test_other_agencies_reading_our_records_are_in_our_log(self, agency_admin, worker, family, case, almaty):
        """A regional coordinator from another agency opens an Astana case: Astana's admin sees who did it
        and from where; what the coordinator reads of Almaty's records stays out of Astana's log."""
        region = make_agency("akm", "11")
        coordinator = make_user("gulmira", region, User.Role.REGIONAL_COORDINATOR)
        coordinator.coordinated_agencies.add(case.agency, almaty)
        nurlan = make_user("nurlan", almaty, User.Role.SOCIAL_WORKER)
        head = person_register(
            by=nurlan, surname="Омаров", given_name="Нұрлан", birth_date=date(1980, 2, 3), sex="male"
        )
        almaty_family = family_register(by=nurlan, head=head)
        client = login(coordinator)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
        assert client.get(reverse("families:detail", args=[almaty_family.pk])).status_code == 200

        response = log(login(agency_admin), actor="gulmira")
        rows = [(r["entry"].action, r["entry"].target_id) for r in response.context["rows"]]
        assert rows == [("viewed", case.pk)]
        assert str(region) in response.content.decode()
        # Her own agency's log has both; the chain holds entries with and without a record agency.
        assert AuditEntry.objects.filter(agency=region, action="viewed").count() == 2
        assert chain.verify().broken is None

    def test_clearing_the_record_agency_breaks_the_chain(self, agency_admin, case):
        region = make_agency("akm", "11")
        coordinator = make_user("gulmira", region, User.Role.REGIONAL_COORDINATOR)
        entry = audit_read(actor=coordinator, obj=case)
        assert entry is not None and entry.record_agency_id == case.agency_id
        tamper("UPDATE audit_auditentry SET record_agency_id = NULL WHERE id = %s", [entry.pk])
        broken = chain.verify().broken
        assert broken is not None and broken.id == entry.pk

    def test_an_entry_without_actor_belongs_to_the_records_agency(self, agency_admin, worker, other_worker):
        for user in (worker, other_worker):
            audit_record(actor=None, action="login_failed", obj=user)
        rows = log(login(agency_admin), action="login_failed", record_type="user").context["rows"]
        assert [(r["entry"].target_id, r["action"]) for r in rows] == [(worker.pk, "failed to sign in")]

    @pytest.mark.parametrize("persona", ["worker", "supervisor", "registrar", "researcher", "other_worker"])
    def test_other_roles_get_403(self, request, db, persona):
        assert log(login(request.getfixturevalue(persona))).status_code == 403

    def test_an_admin_of_another_agency_sees_only_hers(self, almaty, case, other_case):
        admin = make_user("marat", almaty, User.Role.AGENCY_ADMIN)
        rows = log(login(admin)).context["rows"]
        assert rows and {r["entry"].agency_id for r in rows} == {almaty.pk}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_pages_render_in_every_language(agency_admin, worker, case, language):
    audit_read(actor=worker, obj=case)
    for user, url in ((worker, history_url("case", case.pk)), (agency_admin, reverse("audit:log") + "?action=viewed")):
        response = login(user, language).get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def test_the_history_link_loads_the_fragment_when_opened(worker, case):
    html = render_to_string("audit/_history_link.html", {"target_type": "case", "target_id": case.pk})
    assert f'hx-get="{history_url("case", case.pk)}"' in html and "<details" in html


def test_every_action_the_code_records_has_a_label_in_the_log():
    """The log shows actions in the reader's language: an action code without a label would show as code."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("qadam").rglob("*.py"))
    # action="code", or action="one" if ... else "other"
    expressions = re.findall(r"\baction=(\"[a-z_]+\"(?: if [^\n]*? else \"[a-z_]+\")?)", source)
    codes = {code for expression in expressions for code in re.findall(r'"([a-z_]+)"', expression)}
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert not missing, f"add these actions to ACTION_LABELS in qadam/audit/display.py: {missing}"


def test_the_approval_page_is_a_read_of_the_case(settings, worker, supervisor, case):
    from qadam.plans.approvals import plan_submit

    settings.QADAM_AUDIT_READS = True
    approval = plan_submit(by=worker, plan=records.a_plan(case))
    reads = AuditEntry.objects.for_record(case).filter(action="viewed", actor=supervisor)
    assert login(supervisor).get(reverse("plans:approval", args=[approval.pk])).status_code == 200
    assert reads.count() == 1
