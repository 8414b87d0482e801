"""Every page renders for its personas in kk, ru and en; other agencies and researchers get 404."""

import pytest
from django.urls import reverse

from tests.conftest import login

LANGUAGES = ["kk", "ru", "en"]


def page_urls(family, case):
    person = family.head
    return [
        reverse("cases:home"),
        reverse("cases:list"),
        reverse("cases:list") + "?status=registered&mine=1",
        reverse("cases:note_search") + "?q=визит",
        reverse("families:list"),
        reverse("families:list") + "?q=Садық",
        reverse("families:create"),
        reverse("families:detail", args=[family.pk]),
        reverse("families:member_add", args=[family.pk]),
        reverse("families:move_add", args=[family.pk]),
        reverse("families:people") + "?q=асқар",
        reverse("families:person_detail", args=[person.pk]),
        reverse("families:person_edit", args=[person.pk]),
        reverse("cases:create", args=[family.pk]),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:task_create", args=[case.pk]),
        reverse("cases:assign", args=[case.pk]),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_renders_for_the_worker(worker, family, case, language):
    client = login(worker, language)
    for url in page_urls(family, case):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_renders(client, language, db):
    client.cookies["qadam_language"] = language
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_supervisor_of_the_same_agency_opens_the_records(supervisor, family, case):
    client = login(supervisor)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("families:detail", args=[family.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["other_worker", "researcher"])
def test_others_get_404_on_every_object_page(request, persona, family, case):
    client = login(request.getfixturevalue(persona))
    for url in page_urls(family, case)[7:]:
        if "?" in url:
            continue
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, family):
    response = client.get(reverse("families:detail", args=[family.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_researcher_cannot_register_families(researcher):
    assert login(researcher).get(reverse("families:create")).status_code == 403


def test_case_page_loads_the_long_forms_only_when_asked(worker, case):
    client = login(worker)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="assignee"' not in page and 'name="owner"' not in page
    fragment = client.get(reverse("cases:task_create", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="assignee"' in fragment and "<html" not in fragment
    assert (
        'name="owner"' in client.get(reverse("cases:assign", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    )
