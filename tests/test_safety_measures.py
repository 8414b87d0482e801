"""Protective measures (police orders, court special requirements), their violations and expiry
reminders, and crisis-centre stays: date rules, private tasks, who may see and change them, audit."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qadam.accounts.models import User
from qadam.audit.models import AuditEntry
from qadam.cases.models import Task
from qadam.cases.services import case_break_glass, task_complete
from qadam.safety.models import CrisisStay, ProtectiveMeasure, Violation
from qadam.safety.services import (
    add_months,
    measure_add,
    measure_end,
    measure_extend,
    stay_add,
    stay_end,
    violation_add,
)
from tests.conftest import login, make_user

POLICE = ProtectiveMeasure.Kind.POLICE_ORDER
COURT = ProtectiveMeasure.Kind.COURT_REQUIREMENTS


def today() -> date:
    return timezone.localdate()


def police_order(case, by, issued_on=None, **extra) -> ProtectiveMeasure:
    return measure_add(
        by=by,
        case=case,
        kind=POLICE_ORDER_KIND,
        person=case.person,
        issued_on=issued_on or today(),
        issued_by="УП г. Астана, отдел по защите женщин от насилия",
        **extra,
    )


POLICE_ORDER_KIND = POLICE


def test_police_order_runs_30_days_with_a_private_reminder(survivor_case, worker):
    measure = police_order(survivor_case, worker)
    assert measure.ends_on == today() + timedelta(days=30) and measure.is_active and measure.days_left == 30
    task = measure.reminder_task
    assert task.private and task.assignee == worker and task.due_on == measure.ends_on - timedelta(days=7)
    entry = AuditEntry.objects.for_record(measure).get(action="protective_measure_recorded")
    assert entry.changes["kind"] == [None, "police_order"] and "Астана" not in str(entry.changes)


def test_police_order_of_more_than_30_days_is_refused(survivor_case, worker):
    with pytest.raises(ValidationError) as error:
        police_order(survivor_case, worker, ends_on=today() + timedelta(days=31))
    assert "ends_on" in error.value.message_dict
    assert not ProtectiveMeasure.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize(
    ("months", "days", "ok"),
    [(3, 0, True), (12, 0, True), (6, 0, True), (3, -1, False), (12, 1, False), (1, 0, False), (24, 0, False)],
)
def test_court_requirements_last_3_to_12_months(survivor_case, worker, months, days, ok):
    issued = today() - timedelta(days=2)
    ends_on = add_months(issued, months) + timedelta(days=days)
    add = lambda: measure_add(  # noqa: E731
        by=worker,
        case=survivor_case,
        kind=COURT,
        person=survivor_case.person,
        issued_on=issued,
        issued_by="Специализированный суд",
        ends_on=ends_on,
    )
    if ok:
        measure = add()
        assert measure.reminder_task.due_on == ends_on - timedelta(days=21)
    else:
        with pytest.raises(ValidationError) as error:
            add()
        assert "3 to 12 months" in str(error.value)
        assert not ProtectiveMeasure.objects.exists()


def test_date_rules(survivor_case, worker, family):
    with pytest.raises(ValidationError) as error:
        police_order(survivor_case, worker, ends_on=today() - timedelta(days=1))
    assert "after the date it was issued" in str(error.value)
    with pytest.raises(ValidationError, match="future"):
        police_order(survivor_case, worker, issued_on=today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="court"):
        measure_add(
            by=worker, case=survivor_case, kind=COURT, person=survivor_case.person, issued_on=today(), issued_by="Суд"
        )
    # A person who is not of the survivor's household.
    with pytest.raises(ValidationError) as error:
        measure_add(
            by=worker, case=survivor_case, kind=POLICE, person=family.head, issued_on=today(), issued_by="Полиция"
        )
    assert "household" in str(error.value)
    assert not ProtectiveMeasure.objects.exists() and not Task.objects.exists()


def test_an_old_expired_order_sets_no_reminder(survivor_case, worker):
    measure = police_order(survivor_case, worker, issued_on=today() - timedelta(days=60))
    assert measure.reminder_task is None and not measure.is_active


def test_a_reminder_close_to_the_end_is_due_today(survivor_case, worker):
    measure = police_order(survivor_case, worker, issued_on=today() - timedelta(days=27))
    assert measure.reminder_task.due_on == today()


def test_a_new_order_replaces_the_old_one_and_completes_its_reminder(survivor_case, worker):
    old = police_order(survivor_case, worker, issued_on=today() - timedelta(days=25))
    new = police_order(survivor_case, worker, replaces=old)
    old.refresh_from_db()
    assert old.ending == "replaced" and old.ended_on == today() and old.replaced_by == new
    assert old.reminder_task.done_at is not None and new.reminder_task.done_at is None
    with pytest.raises(ValidationError):
        police_order(survivor_case, worker, replaces=old)  # it has ended already


def test_court_extension_moves_the_reminder(survivor_case, worker):
    measure = measure_add(
        by=worker,
        case=survivor_case,
        kind=COURT,
        person=survivor_case.person,
        issued_on=today(),
        issued_by="Суд",
        ends_on=add_months(today(), 3),
    )
    first_task = measure.reminder_task
    measure = measure_extend(by=worker, measure=measure, ends_on=add_months(today(), 9))
    first_task.refresh_from_db()
    assert first_task.done_at is not None
    assert measure.reminder_task.due_on == add_months(today(), 9) - timedelta(days=21)
    with pytest.raises(ValidationError):
        measure_extend(by=worker, measure=measure, ends_on=add_months(today(), 9))  # not later
    with pytest.raises(ValidationError):
        measure_extend(by=worker, measure=measure, ends_on=add_months(today(), 22))  # more than 12 months more
    with pytest.raises(ValidationError, match="not extended"):
        measure_extend(by=worker, measure=police_order(survivor_case, worker), ends_on=today() + timedelta(days=40))
    assert AuditEntry.objects.for_record(measure).filter(action="protective_measure_extended").count() == 1


def test_ended_early_completes_the_reminder(survivor_case, worker):
    measure = police_order(survivor_case, worker, issued_on=today() - timedelta(days=3))
    with pytest.raises(ValidationError):
        measure_end(by=worker, measure=measure, ended_on=today() - timedelta(days=4))
    measure = measure_end(by=worker, measure=measure, ended_on=today())
    assert measure.ending == "cancelled" and not measure.is_active
    assert Task.objects.get(pk=measure.reminder_task_id).done_at is not None


def test_reminder_dealt_with_by_hand(survivor_case, worker):
    measure = police_order(survivor_case, worker)
    task_complete(by=worker, task=measure.reminder_task)
    measure.refresh_from_db()
    assert measure.reminder_task.done_at is not None and measure.is_active


def test_violations(survivor_case, worker):
    measure = police_order(survivor_case, worker, issued_on=today() - timedelta(days=5))
    violation = violation_add(
        by=worker,
        measure=measure,
        occurred_on=today() - timedelta(days=1),
        what="Пришёл к работе",
        reported_to_police=True,
    )
    assert violation.reported_to_police and violation.what == "Пришёл к работе"
    for day in (today() - timedelta(days=6), today() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            violation_add(by=worker, measure=measure, occurred_on=day, what="x", reported_to_police=False)
    with pytest.raises(ValidationError):
        violation_add(by=worker, measure=measure, occurred_on=today(), what="  ", reported_to_police=False)
    assert Violation.objects.count() == 1
    entry = AuditEntry.objects.for_record(measure).get(action="violation_recorded")
    assert entry.changes["what"] == "changed" and "работе" not in str(entry.changes)


def test_crisis_stays(survivor_case, worker, family):
    stay = stay_add(by=worker, case=survivor_case, person=survivor_case.person, centre="Центр «Шанс»", from_on=today())
    assert stay.is_current and stay.centre == "Центр «Шанс»"
    with pytest.raises(ValidationError, match="already"):
        stay_add(by=worker, case=survivor_case, person=survivor_case.person, centre="Другой", from_on=today())
    with pytest.raises(ValidationError):
        stay_add(
            by=worker,
            case=survivor_case,
            person=survivor_case.person,
            centre="Другой",
            from_on=today() - timedelta(days=30),
            to_on=today() - timedelta(days=40),
        )
    with pytest.raises(ValidationError):
        stay_add(by=worker, case=survivor_case, person=family.head, centre="Другой", from_on=today())
    with pytest.raises(ValidationError):
        stay_end(by=worker, stay=stay, to_on=today() - timedelta(days=1))
    stay = stay_end(by=worker, stay=stay, to_on=today())
    assert stay.to_on == today() and CrisisStay.objects.count() == 1
    assert (
        AuditEntry.objects.for_record(stay).filter(action__in=["crisis_stay_recorded", "crisis_stay_ended"]).count()
        == 2
    )


def test_pages_happy_path(survivor_case, worker):
    client = login(worker)
    url = reverse("safety:measure_add", kwargs={"pk": survivor_case.pk})
    form = client.get(url)
    assert form.status_code == 200
    token = re.search(r'name="form_token" value="([^"]+)"', form.content.decode()).group(1)
    data = {
        "kind": "police_order",
        "person": survivor_case.person_id,
        "issued_on": today().isoformat(),
        "issued_by": "Полиция",
        "form_token": token,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # sent twice, recorded once
    measure = ProtectiveMeasure.objects.get()
    bad = client.post(url, {**data, "form_token": "", "kind": "court_requirements", "ends_on": today().isoformat()})
    assert bad.status_code == 200 and b"after the date it was issued" in bad.content
    violation_url = reverse("safety:violation_add", kwargs={"pk": measure.pk})
    assert client.post(violation_url, {"occurred_on": today().isoformat(), "what": "Звонил"}).status_code == 302
    stay_url = reverse("safety:stay_add", kwargs={"pk": survivor_case.pk})
    stay_data = {"person": survivor_case.person_id, "centre": "Центр «Шанс»", "from_on": today().isoformat()}
    assert client.post(stay_url, stay_data).status_code == 302
    page = client.get(reverse("safety:case", kwargs={"pk": survivor_case.pk})).content.decode()
    assert "Звонил" in page and "Центр «Шанс»" in page and "30 days left" in page
    card = client.get(reverse("safety:case", kwargs={"pk": survivor_case.pk}), HTTP_HX_REQUEST="true")
    assert "30 days left" in card.content.decode() and "1 violation" in card.content.decode()
    assert client.post(reverse("safety:measure_end", kwargs={"pk": measure.pk}), {"ended_on": "x"}).status_code == 200
    end_url = reverse("safety:measure_end", kwargs={"pk": measure.pk})
    assert client.post(end_url, {"ended_on": today().isoformat()}).status_code == 302
    stay = CrisisStay.objects.get()
    assert (
        client.post(reverse("safety:stay_end", kwargs={"pk": stay.pk}), {"to_on": today().isoformat()}).status_code
        == 302
    )


def test_wrong_users(survivor_case, worker, supervisor, registrar, other_worker, researcher, astana):
    measure = police_order(survivor_case, worker)
    stay = stay_add(by=worker, case=survivor_case, person=survivor_case.person, centre="Центр", from_on=today())
    admin = make_user("asel", astana, User.Role.AGENCY_ADMIN)
    colleague = make_user("madina", astana, User.Role.SOCIAL_WORKER)
    urls = [
        reverse("safety:measure_add", kwargs={"pk": survivor_case.pk}),
        reverse("safety:stay_add", kwargs={"pk": survivor_case.pk}),
        reverse("safety:measure_extend", kwargs={"pk": measure.pk}),
        reverse("safety:measure_end", kwargs={"pk": measure.pk}),
        reverse("safety:violation_add", kwargs={"pk": measure.pk}),
        reverse("safety:stay_end", kwargs={"pk": stay.pk}),
        reverse("safety:case", kwargs={"pk": survivor_case.pk}),
    ]
    for user in (supervisor, admin, colleague, registrar, other_worker, researcher):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            if url != urls[-1]:  # the safety card answers GET only
                assert client.post(url, {}).status_code == 404, (user, url)
    # The reminder is private: not on the supervisor's lists.
    assert not Task.objects.visible_to(supervisor).exists()
    # An emergency access reads, and changes nothing.
    case_break_glass(by=supervisor, case=survivor_case, reason="Звонок ночью, Айгерим недоступна")
    client = login(supervisor)
    assert client.get(urls[-1]).status_code == 200
    for url in urls[:-1]:
        assert client.get(url).status_code == 403, url
    with pytest.raises(PermissionDenied):
        police_order(survivor_case, supervisor)
    assert ProtectiveMeasure.objects.count() == 1


def test_anonymous_visitors_are_sent_to_login(survivor_case, worker):
    measure = police_order(survivor_case, worker)
    client = pytest.importorskip("django.test").Client()
    for name, pk in [
        ("safety:case", survivor_case.pk),
        ("safety:plan", survivor_case.pk),
        ("safety:plan_print", survivor_case.pk),
        ("safety:measure_add", survivor_case.pk),
        ("safety:violation_add", measure.pk),
        ("safety:contact_edit", survivor_case.person_id),
    ]:
        response = client.get(reverse(name, kwargs={"pk": pk}))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
