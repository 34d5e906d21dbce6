"""No lost updates on a person's record: every saved change bumps the version, and an edit started
from an older version is refused with both versions, on the page, through the API and in a race."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.audit.versions import IF_MATCH_INVALID, version_wanted
from linkwork.core.errors import EditConflict, ValidationFailed
from linkwork.people.models import Person
from linkwork.people.services import person_update
from tests.conftest import signed_in
from tests.journey_factories import make_person
from tests.races import postgresql_only, two_at_once

JSON = "application/json"


@pytest.fixture
def person(organisation: Organisation) -> Person:
    return make_person(
        organisation=organisation, first_name="Margaret", last_name="Oduya", phone="0113 496 0000"
    )


def edit_form(**overrides: str) -> dict[str, str]:
    return {
        "first_name": "Margaret",
        "last_name": "Oduya",
        "phone": "0113 496 0000",
        "version": "1",
    } | overrides


def version_in(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "the edit form carries the version it was loaded with"
    return found.group(1)


def reload(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


# --- The service -------------------------------------------------------------------------------------


def test_a_new_person_starts_at_version_one_and_each_saved_change_adds_one(
    person: Person, connector: User
) -> None:
    assert person.version == 1
    person_update(actor=connector, person=person, details={"phone": "07700 900111"}, expected_version=1)
    assert reload(person).version == 2
    person_update(actor=connector, person=person, details={"pronouns": "she/her"})
    assert reload(person).version == 3


def test_a_save_that_changes_nothing_keeps_the_version(person: Person, connector: User) -> None:
    person_update(actor=connector, person=person, details={"phone": "0113 496 0000"}, expected_version=1)
    assert reload(person).version == 1


def test_a_stale_save_is_refused_naming_who_changed_it_and_nothing_changes(
    person: Person, connector: User, supervisor: User
) -> None:
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    with pytest.raises(EditConflict) as refused:
        person_update(actor=connector, person=person, details={"phone": "07700 900333"}, expected_version=1)
    conflict = refused.value
    assert conflict.code == "EDIT_CONFLICT" and conflict.status == 409
    assert conflict.message.startswith(f"Changed by {supervisor} at ")
    assert "since you opened it" in conflict.message
    assert conflict.current["phone"] == "07700 900222" and conflict.current["version"] == 2
    assert conflict.yours["phone"] == "07700 900333" and conflict.yours["version"] == 1
    saved = reload(person)
    assert saved.phone == "07700 900222" and saved.version == 2


def test_without_a_version_the_save_goes_ahead_over_a_newer_one(
    person: Person, connector: User, supervisor: User
) -> None:
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    person_update(actor=connector, person=person, details={"phone": "07700 900333"})
    saved = reload(person)
    assert saved.phone == "07700 900333" and saved.version == 3


@pytest.mark.parametrize(
    ("sent", "header", "wanted"),
    [(4, None, 4), (4, '"9"', 4), (None, '"7"', 7), (None, 'W/"7"', 7), (None, "7", 7), (None, "*", None)],
)
def test_the_version_comes_from_the_body_first_then_if_match(
    sent: int | None, header: str | None, wanted: int | None
) -> None:
    assert version_wanted(sent, header) == wanted


def test_an_if_match_that_is_not_a_version_is_refused(db: None) -> None:
    with pytest.raises(ValidationFailed) as refused:
        version_wanted(None, '"abc"')
    assert refused.value.fields == {"If-Match": IF_MATCH_INVALID}


# --- The page -----------------------------------------------------------------------------------------


def test_the_edit_page_carries_the_version_it_was_loaded_with(person: Person, connector: User) -> None:
    person_update(actor=connector, person=person, details={"pronouns": "she/her"})
    page = signed_in(connector).get(f"/people/{person.pk}/edit/")
    assert page.status_code == 200
    assert version_in(page.content.decode()) == "2"


def test_a_stale_form_save_shows_both_versions_and_saves_nothing(
    person: Person, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    assert version_in(client.get(f"/people/{person.pk}/edit/").content.decode()) == "1"
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})

    response = client.post(f"/people/{person.pk}/edit/", edit_form(phone="07700 900333", pronouns="she/her"))

    assert response.status_code == 409
    html = response.content.decode()
    assert f"Changed by {supervisor} at " in html and "since you opened it" in html
    table = html[html.index("<table") : html.index("</table>")]
    assert "Phone number" in table and "07700 900222" in table and "07700 900333" in table
    assert "Pronouns" in table and "Not given" in table and "she/her" in table
    assert "First name" not in table  # only the fields that differ
    assert version_in(html) == "2"  # saving again is a deliberate choice over the newer version
    saved = reload(person)
    assert saved.phone == "07700 900222" and saved.pronouns == "" and saved.version == 2


def test_saving_again_from_the_refused_page_replaces_the_newer_version(
    person: Person, connector: User, supervisor: User
) -> None:
    client = signed_in(connector)
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    refused = client.post(f"/people/{person.pk}/edit/", edit_form(phone="07700 900333"))
    again = client.post(
        f"/people/{person.pk}/edit/",
        edit_form(phone="07700 900333", version=version_in(refused.content.decode())),
    )
    assert again.status_code == 302
    saved = reload(person)
    assert saved.phone == "07700 900333" and saved.version == 3


def test_a_fresh_form_save_bumps_the_version(person: Person, connector: User) -> None:
    response = signed_in(connector).post(f"/people/{person.pk}/edit/", edit_form(phone="07700 900444"))
    assert response.status_code == 302
    saved = reload(person)
    assert saved.phone == "07700 900444" and saved.version == 2


# --- The API ------------------------------------------------------------------------------------------


def patch(client: Client, person: Person, data: dict[str, Any], **headers: str) -> Any:
    return client.patch(f"/api/v1/people/{person.pk}", data, content_type=JSON, headers=headers)


def test_the_api_shows_the_version(person: Person, connector: User) -> None:
    assert signed_in(connector).get(f"/api/v1/people/{person.pk}").json()["version"] == 1


def test_a_stale_api_save_is_a_409_with_both_versions_and_saves_nothing(
    person: Person, connector: User, supervisor: User
) -> None:
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    response = patch(signed_in(connector), person, {"phone": "07700 900333", "version": 1})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "EDIT_CONFLICT"
    assert error["message"].startswith(f"Changed by {supervisor} at ")
    assert error["current"] == {"phone": "07700 900222", "version": 2}
    assert error["yours"] == {"phone": "07700 900333", "version": 1}
    assert reload(person).phone == "07700 900222"


def test_a_stale_if_match_header_is_a_409_too(person: Person, connector: User, supervisor: User) -> None:
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    response = patch(signed_in(connector), person, {"phone": "07700 900333"}, if_match='"1"')
    assert response.status_code == 409
    assert response.json()["error"]["yours"]["version"] == 1
    assert reload(person).phone == "07700 900222"


def test_a_fresh_api_save_bumps_the_version(person: Person, connector: User) -> None:
    response = patch(signed_in(connector), person, {"phone": "07700 900555", "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["phone"] == "07700 900555"


def test_an_api_save_without_a_version_goes_ahead_as_before(
    person: Person, connector: User, supervisor: User
) -> None:
    person_update(actor=supervisor, person=reload(person), details={"phone": "07700 900222"})
    response = patch(signed_in(connector), person, {"phone": "07700 900333"})
    assert response.status_code == 200 and response.json()["version"] == 3


def test_a_bad_if_match_header_is_a_422(person: Person, connector: User) -> None:
    response = patch(signed_in(connector), person, {"phone": "07700 900333"}, if_match="yesterday")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"If-Match": IF_MATCH_INVALID}
    assert reload(person).version == 1


# --- Two saves at once ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_two_saves_at_once_from_the_same_version_let_only_one_win(
    organisation: Organisation, connector: User, supervisor: User
) -> None:
    person = make_person(organisation=organisation, first_name="Margaret", phone="0113 496 0000")

    def save(actor: User, phone: str) -> Person:
        return person_update(actor=actor, person=reload(person), details={"phone": phone}, expected_version=1)

    first, second = two_at_once(
        lambda: save(connector, "07700 900001"), lambda: save(supervisor, "07700 900002")
    )

    assert isinstance(first, Person)
    assert isinstance(second, EditConflict)
    assert second.message.startswith(f"Changed by {connector} at ")
    saved = reload(person)
    assert saved.phone == "07700 900001" and saved.version == 2
