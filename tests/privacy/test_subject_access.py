"""Subject access: everything held about a person, the same in JSON, HTML and PDF, only for those
allowed, and audited."""

from __future__ import annotations

import io
import json
from typing import Any

import pypdfium2
import pytest

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import NotFound, PermissionDenied, ValidationFailed
from linkwork.people.selectors import person_get
from linkwork.privacy import services, subject_access
from linkwork.privacy.catalogue import HOLDINGS
from linkwork.privacy.models import DataRequest, RequestKind
from linkwork.privacy.selectors import person_for_request
from tests.factories import OPERATOR, make_staff, make_team
from tests.privacy.world import EMAIL, FIRST_NAME, NHS_NUMBER, PHONE, World, note

pytestmark = pytest.mark.django_db


def exported(world: World, fmt: str = "json") -> Any:
    content = services.person_export(actor=world.admin, person=world.person, fmt=fmt)
    return json.loads(content) if fmt == "json" else content


def field_values(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    found = next(item for item in data["sections"] if item["key"] == section)
    return [{f["name"]: f["value"] for f in record["fields"]} for record in found["records"]]


def test_the_export_has_a_record_in_every_table_that_holds_something_about_the_person(world: World) -> None:
    data = exported(world)
    empty = [section["key"] for section in data["sections"] if not section["records"]]
    # Only the request section is empty: this export is recorded after it is made.
    assert empty == ["data_requests"]
    assert [section["key"] for section in data["sections"]] == [h.key for h in HOLDINGS] + ["audit"]


def test_every_field_is_given_with_its_label_its_value_and_how_it_reads(world: World) -> None:
    data = exported(world)
    person = data["sections"][0]["records"][0]["fields"]
    by_name = {f["name"]: f for f in person}
    assert by_name["phone"] == {"name": "phone", "label": "Phone", "value": PHONE, "display": PHONE}
    assert by_name["nhs_number"]["value"] == NHS_NUMBER
    assert by_name["ethnicity"]["display"] == "White: Irish"
    assert by_name["date_of_birth"]["value"] == "1948-05-17"
    assert all(set(f) == {"name", "label", "value", "display"} and f["label"] for f in person)


def test_free_text_from_every_part_of_the_journey_is_in_the_export(world: World) -> None:
    text = json.dumps(exported(world), ensure_ascii=False)
    for tag in (
        "attempt",
        "contact",
        "matters",
        "factor",
        "goal",
        "goalnote",
        "pause",
        "extension",
        "budget",
        "alert",
        "story",
        "entry",
        "connection",
        "move",
        "provider",
        "shortlist",
        "closing",
        "followup",
    ):
        assert note(tag) in text, tag
    assert EMAIL in text


def test_link_secrets_and_the_senders_address_hash_are_left_out(world: World) -> None:
    data = exported(world)
    names = {f["name"] for section in data["sections"] for r in section["records"] for f in r["fields"]}
    assert "token_hash" not in names
    assert "submitted_from" not in names


def test_the_audit_trail_shows_who_opened_the_record(world: World) -> None:
    person_get(actor=world.connector, person_id=world.person.pk)
    trail = field_values(exported(world), "audit")
    viewed = [entry for entry in trail if entry["event"] == "person.viewed"]
    assert viewed and viewed[-1]["actor"] == world.connector.username
    assert any(entry["event"] == "episode.closed" for entry in trail)


def test_html_and_pdf_show_the_same_values_as_the_json(world: World) -> None:
    html = exported(world, "html").decode()
    assert "<h1>Everything we hold about you</h1>" in html
    assert note("followup") in html and PHONE in html
    assert "style=" not in html and "<style" not in html
    pdf = exported(world, "pdf")
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    text = "".join(document[index].get_textpage().get_text_range() for index in range(len(document)))
    assert PHONE in text and FIRST_NAME in text


def test_an_export_is_recorded_and_audited_with_who_and_the_format(world: World) -> None:
    exported(world, "html")
    request = DataRequest.objects.get(person=world.person)
    assert (request.kind, request.format, request.done_by) == (RequestKind.EXPORT, "html", world.admin)
    entry = AuditEvent.objects.filter(event="person.exported").get()
    assert entry.actor_id == world.admin.pk
    assert entry.object_id == str(world.person.pk)
    assert entry.detail["format"] == "html"


def test_an_unknown_format_is_refused_and_nothing_is_recorded(world: World) -> None:
    with pytest.raises(ValidationFailed):
        services.person_export(actor=world.admin, person=world.person, fmt="docx")
    assert not DataRequest.objects.exists()
    assert not AuditEvent.objects.filter(event="person.exported").exists()


def test_a_supervisor_of_the_persons_team_may_export(world: World) -> None:
    assert person_for_request(actor=world.supervisor, person_id=world.person.pk) == world.person
    services.person_export(actor=world.supervisor, person=world.person, fmt="json")


def test_a_connector_may_not_export_even_their_own_persons_record(world: World) -> None:
    with pytest.raises(NotFound):
        person_for_request(actor=world.connector, person_id=world.person.pk)
    with pytest.raises(PermissionDenied):
        services.person_export(actor=world.connector, person=world.person, fmt="json")
    assert AuditEvent.objects.filter(event="auth.permission_denied", actor_id=world.connector.pk).exists()


def test_a_supervisor_of_another_team_may_not_export(world: World) -> None:
    west = make_team(organisation=world.organisation, name="West")
    other = make_staff(organisation=world.organisation, roles=[Role.SUPERVISOR], teams=[west])
    with pytest.raises(NotFound):
        person_for_request(actor=other, person_id=world.person.pk)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ANALYST, Role.DIRECTORY_EDITOR])
def test_other_roles_may_not_export(world: World, role: Role) -> None:
    staff = make_staff(organisation=world.organisation, roles=[role], teams=[world.team])
    with pytest.raises(PermissionDenied):
        services.person_export(actor=staff, person=world.person, fmt="json")


def test_another_organisations_admin_cannot_reach_the_person(
    world: World, other_organisation: Organisation
) -> None:
    outsider = make_staff(organisation=other_organisation, roles=list(Role))
    with pytest.raises(NotFound):
        person_for_request(actor=outsider, person_id=world.person.pk)
    with pytest.raises(NotFound):
        person_for_request(actor=outsider, person_id=999_999)
    with pytest.raises(PermissionDenied):
        services.person_export(actor=outsider, person=world.person, fmt="json")


def test_the_operator_may_export(world: World) -> None:
    data = subject_access.collect(world.person, generated_by="operator:test")
    assert data.count > 20
    services.person_export(actor=OPERATOR, person=world.person, fmt="json")
    assert DataRequest.objects.get().done_by_name == OPERATOR.get_username()
