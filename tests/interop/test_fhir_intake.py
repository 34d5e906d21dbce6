"""POST /api/v1/fhir/ServiceRequest: a referral sent as FHIR, checked whole and recorded once."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.accounts.services import token_create
from linkwork.audit.models import AuditEvent
from linkwork.core.time import local_today
from linkwork.interop import intake
from linkwork.interop.intake import LINKWORK_SOURCE, NHS_NUMBER_SYSTEM, SOURCE_EXTENSION
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource, ReferralStatus, Urgency
from linkwork.webhooks.signals import webhook_event
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import make_person, make_referral

URL = "/api/v1/fhir/ServiceRequest"
FHIR_JSON = "application/fhir+json"
NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "4010232137"


def service_request(**changes: Any) -> dict[str, Any]:
    """A complete, valid referral from a GP practice, with the person contained."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "https://riverside-surgery.example/referrals", "value": "R-1001"}],
        "status": "active",
        "intent": "order",
        "priority": "routine",
        "code": {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "871731000000106",
                    "display": "Referral to social prescribing service",
                }
            ]
        },
        "contained": [
            {
                "resourceType": "Patient",
                "id": "patient",
                "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "943 476 5919"}],
                "name": [{"given": ["Margaret"], "family": "Oduya"}],
                "birthDate": "1948-03-27",
                "telecom": [
                    {"system": "phone", "value": "0113 496 0000"},
                    {"system": "email", "value": "margaret@example.org"},
                ],
                "address": [{"line": ["4 Mill Lane"], "city": "Leeds", "postalCode": "ls1 4ap"}],
            },
            {
                "resourceType": "Practitioner",
                "id": "gp",
                "name": [{"prefix": ["Dr"], "given": ["Ada"], "family": "Shah"}],
                "telecom": [{"system": "phone", "value": "0113 496 0999"}],
            },
        ],
        "subject": {"reference": "#patient"},
        "requester": {"reference": "#gp"},
        "reasonCode": [{"text": "Lives alone since her husband died and rarely goes out."}],
        "note": [{"text": "Would like to meet people who enjoy gardening."}],
    }
    resource.update(changes)
    return resource


def send(client: Client, body: Any, token: str | None = None, content_type: str = FHIR_JSON) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, headers=headers)


@pytest.fixture
def token(connector: User) -> str:
    return token_create(actor=OPERATOR, user=connector, name="GP system")[1]


def issues(response: Any) -> list[dict[str, Any]]:
    body = response.json()
    OperationOutcome.model_validate(body)  # every answer is a valid FHIR OperationOutcome
    return list(body["issue"])


def expressions(response: Any) -> dict[str, str]:
    return {issue["expression"][0]: issue["code"] for issue in issues(response)}


def nothing_recorded() -> bool:
    return not Referral.objects.exists() and not Person.objects.exists()


# --- Received ---------------------------------------------------------------------------------------


def test_a_valid_referral_creates_the_person_and_a_received_referral(client: Client, token: str) -> None:
    response = send(client, service_request(), token)
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    referral = Referral.objects.get()
    assert response["Location"] == f"/api/v1/referrals/{referral.pk}"
    [issue] = issues(response)
    assert issue["severity"] == "information"
    assert issue["details"]["text"] == referral.reference
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.source == ReferralSource.GP
    assert referral.urgency == Urgency.ROUTINE
    assert referral.referrer_name == "Dr Ada Shah"
    assert referral.referrer_contact == "0113 496 0999"
    assert "Lives alone" in referral.reason and "gardening" in referral.reason
    assert referral.external_identifier == "https://riverside-surgery.example/referrals|R-1001"
    person = referral.person
    assert (person.first_name, person.last_name) == ("Margaret", "Oduya")
    assert person.nhs_number == NHS_NUMBER
    assert person.date_of_birth == dt.date(1948, 3, 27)
    assert person.postcode == "LS1 4AP"
    assert person.email == "margaret@example.org"
    assert person.team is None  # waits in the intake queue
    event = AuditEvent.objects.get(event="referral.received_fhir")
    assert event.object_id == str(referral.pk)
    assert event.detail == {"person": "created"}


def test_application_json_is_accepted_as_well(client: Client, token: str) -> None:
    assert send(client, service_request(), token, content_type="application/json").status_code == 201


def test_the_referral_is_in_the_intake_queue_of_the_tokens_organisation(
    client: Client, token: str, connector: User
) -> None:
    send(client, service_request(), token)
    assert Referral.objects.get().organisation_id == connector.organisation_id
    listed = signed_in(connector).get("/api/v1/referrals").json()["items"]
    assert [item["reference"] for item in listed] == [Referral.objects.get().reference]


def test_a_known_nhs_number_matches_the_person_on_record(
    client: Client, token: str, organisation: Organisation
) -> None:
    known = make_person(
        organisation=organisation, first_name="Peggy", last_name="Oduya", nhs_number=NHS_NUMBER
    )
    response = send(client, service_request(), token)
    assert response.status_code == 201
    assert Referral.objects.get().person == known
    assert Person.objects.count() == 1
    assert AuditEvent.objects.get(event="referral.received_fhir").detail == {"person": "matched"}


def test_name_and_date_of_birth_match_ignoring_case(
    client: Client, token: str, organisation: Organisation
) -> None:
    known = make_person(
        organisation=organisation,
        first_name="MARGARET",
        last_name="oduya",
        date_of_birth=dt.date(1948, 3, 27),
    )
    resource = service_request()
    resource["contained"][0].pop("identifier")
    assert send(client, resource, token).status_code == 201
    assert Referral.objects.get().person == known


def test_a_person_on_record_with_another_nhs_number_is_not_matched_by_name(
    client: Client, token: str, organisation: Organisation
) -> None:
    make_person(
        organisation=organisation,
        first_name="Margaret",
        last_name="Oduya",
        date_of_birth=dt.date(1948, 3, 27),
        nhs_number=OTHER_NHS_NUMBER,
    )
    assert send(client, service_request(), token).status_code == 201
    assert Person.objects.count() == 2


def test_people_of_another_organisation_are_never_matched(
    client: Client, token: str, other_organisation: Organisation
) -> None:
    theirs = make_person(organisation=other_organisation, first_name="Margaret", nhs_number=NHS_NUMBER)
    assert send(client, service_request(), token).status_code == 201
    referral = Referral.objects.get()
    assert referral.person != theirs
    assert referral.person.organisation_id != other_organisation.pk
    assert not theirs.referrals.exists()


def test_a_person_outside_the_tokens_teams_is_still_matched_and_nothing_about_them_is_returned(
    client: Client, organisation: Organisation
) -> None:
    north, south = make_team(organisation=organisation), make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    raw = token_create(actor=OPERATOR, user=connector, name="GP system")[1]
    known = make_person(organisation=organisation, first_name="Margaret", nhs_number=NHS_NUMBER)
    known.team = south
    known.save()
    response = send(client, service_request(), raw)
    assert response.status_code == 201
    assert Referral.objects.get().person == known
    assert "Margaret" not in response.content.decode()


def test_a_patient_identified_by_nhs_number_alone_joins_the_person_on_record(
    client: Client, token: str, organisation: Organisation
) -> None:
    known = make_person(organisation=organisation, nhs_number=NHS_NUMBER)
    resource = service_request(
        subject={"type": "Patient", "identifier": {"system": NHS_NUMBER_SYSTEM, "value": NHS_NUMBER}}
    )
    resource["contained"] = resource["contained"][1:]
    assert send(client, resource, token).status_code == 201
    assert Referral.objects.get().person == known


def test_sending_the_same_service_request_again_returns_the_first_referral(
    client: Client, token: str
) -> None:
    first = send(client, service_request(), token)
    again = send(client, service_request(), token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first["Location"] == again["Location"]
    assert Referral.objects.count() == 1
    assert "received before" in issues(again)[0]["diagnostics"]
    assert AuditEvent.objects.filter(event="referral.received_fhir").count() == 1


def test_the_same_identifier_in_another_organisation_is_a_new_referral(
    client: Client, token: str, other_organisation: Organisation
) -> None:
    theirs = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    their_token = token_create(actor=OPERATOR, user=theirs, name="GP system")[1]
    assert send(client, service_request(), token).status_code == 201
    assert send(client, service_request(), their_token).status_code == 201
    assert Referral.objects.count() == 2


def test_without_an_identifier_each_request_is_a_new_referral(client: Client, token: str) -> None:
    resource = service_request()
    resource.pop("identifier")
    assert send(client, resource, token).status_code == 201
    assert send(client, resource, token).status_code == 201
    assert Referral.objects.count() == 2
    assert Person.objects.count() == 1  # the second matched the person the first created


@pytest.mark.parametrize(
    ("requester", "source"),
    [
        ({"reference": "#gp"}, ReferralSource.GP),
        ({"reference": "RelatedPerson/7", "display": "Sam Oduya"}, ReferralSource.FAMILY_FRIEND),
        ({"reference": "Patient/3"}, ReferralSource.SELF),
        ({"display": "Riverside Surgery"}, ReferralSource.GP),
    ],
)
def test_the_source_follows_the_requester_when_no_extension_says(
    client: Client, token: str, requester: dict[str, str], source: str
) -> None:
    assert send(client, service_request(requester=requester), token).status_code == 201
    assert Referral.objects.get().source == source


@pytest.mark.parametrize(
    ("coding", "source"),
    [
        ({"system": "http://snomed.info/sct", "code": "306098008"}, ReferralSource.SELF),
        ({"system": LINKWORK_SOURCE, "code": "housing"}, ReferralSource.HOUSING),
        # "Referred by person": no closer mapping, so the requester decides.
        ({"system": "http://snomed.info/sct", "code": "309013001"}, ReferralSource.GP),
    ],
)
def test_the_source_of_service_request_extension_sets_the_source(
    client: Client, token: str, coding: dict[str, str], source: str
) -> None:
    extension = [{"url": SOURCE_EXTENSION, "valueCodeableConcept": {"coding": [coding]}}]
    assert send(client, service_request(extension=extension), token).status_code == 201
    assert Referral.objects.get().source == source


@pytest.mark.parametrize(
    ("priority", "urgency"),
    [("routine", Urgency.ROUTINE), ("urgent", Urgency.URGENT), ("stat", Urgency.URGENT)],
)
def test_the_priority_sets_the_urgency(client: Client, token: str, priority: str, urgency: str) -> None:
    assert send(client, service_request(priority=priority), token).status_code == 201
    assert Referral.objects.get().urgency == urgency


def test_a_requester_organisation_and_practitioner_role_give_the_referrers_details(
    client: Client, token: str
) -> None:
    resource = service_request(requester={"reference": "#role"})
    resource["contained"].append(
        {
            "resourceType": "PractitionerRole",
            "id": "role",
            "practitioner": {"display": "Dr Ada Shah"},
            "organization": {"display": "Riverside Surgery"},
            "telecom": [{"system": "email", "value": "referrals@riverside.example"}],
        }
    )
    assert send(client, resource, token).status_code == 201
    referral = Referral.objects.get()
    assert (referral.referrer_name, referral.referrer_organisation, referral.referrer_contact) == (
        "Dr Ada Shah",
        "Riverside Surgery",
        "referrals@riverside.example",
    )


def test_the_code_may_be_left_out(client: Client, token: str) -> None:
    resource = service_request()
    resource.pop("code")
    assert send(client, resource, token).status_code == 201


# --- Refused: every problem listed, nothing recorded ------------------------------------------------------


def test_a_bad_request_lists_every_problem_and_records_nothing(client: Client, token: str) -> None:
    resource = service_request(status="draft", intent="filler-order", priority="whenever")
    resource["code"]["coding"][0]["code"] = "306238000"
    patient = resource["contained"][0]
    patient["identifier"][0]["value"] = "9434765918"  # wrong check digit
    patient["telecom"][1]["value"] = "not an e-mail"
    patient["address"][0]["postalCode"] = "nowhere"
    response = send(client, resource, token)
    assert response.status_code == 422
    found = expressions(response)
    assert found == {
        "ServiceRequest.status": "value",
        "ServiceRequest.intent": "value",
        "ServiceRequest.priority": "value",
        "ServiceRequest.code": "value",
        "ServiceRequest.contained[0].identifier[0].value": "value",
        "ServiceRequest.contained[0].telecom[1].value": "value",
        "ServiceRequest.contained[0].address[0].postalCode": "value",
        # the NHS number is not usable, so a new person needs all of these (and they are given)
    }
    assert all(issue["severity"] == "error" and issue["diagnostics"] for issue in issues(response))
    assert nothing_recorded()
    assert not AuditEvent.objects.filter(event="referral.received_fhir").exists()


def test_structural_problems_answer_400_with_fhirpath_expressions(client: Client, token: str) -> None:
    resource = service_request(unexpected=True)
    resource.pop("status")
    resource["contained"][0]["birthDate"] = "27/03/1948"
    response = send(client, resource, token)
    assert response.status_code == 400
    found = expressions(response)
    assert found["ServiceRequest.status"] == "required"
    assert found["ServiceRequest.unexpected"] == "structure"
    assert found["ServiceRequest.contained[0].birthDate"] == "value"
    assert nothing_recorded()


def test_an_unknown_nhs_number_alone_asks_for_the_person_details(client: Client, token: str) -> None:
    resource = service_request(
        subject={"type": "Patient", "identifier": {"system": NHS_NUMBER_SYSTEM, "value": NHS_NUMBER}}
    )
    response = send(client, resource, token)
    assert response.status_code == 422
    assert expressions(response) == {"ServiceRequest.subject": "required"}
    assert "contained Patient" in issues(response)[0]["diagnostics"]
    assert nothing_recorded()


def test_a_new_person_without_name_or_birth_date_is_refused_for_each(client: Client, token: str) -> None:
    resource = service_request()
    patient = resource["contained"][0]
    patient.pop("identifier")
    patient.pop("birthDate")
    patient["name"] = [{"given": ["Margaret"]}]
    response = send(client, resource, token)
    assert response.status_code == 422
    assert expressions(response) == {
        "ServiceRequest.contained[0].name": "required",
        "ServiceRequest.contained[0].birthDate": "required",
    }
    assert nothing_recorded()


def test_a_future_birth_date_is_refused(client: Client, token: str) -> None:
    resource = service_request()
    resource["contained"][0]["birthDate"] = (local_today() + dt.timedelta(days=3)).isoformat()
    response = send(client, resource, token)
    assert expressions(response) == {"ServiceRequest.contained[0].birthDate": "value"}
    assert nothing_recorded()


@pytest.mark.parametrize(
    "subject",
    [
        {"reference": "#nobody"},
        {"reference": "#gp"},  # a Practitioner, not a Patient
        {"reference": "Patient/123"},  # on a server we cannot read
        {"type": "Patient", "identifier": {"system": "https://example.org/mrn", "value": "1"}},
    ],
)
def test_a_subject_that_is_not_a_contained_patient_or_an_nhs_number_is_refused(
    client: Client, token: str, subject: dict[str, Any]
) -> None:
    response = send(client, service_request(subject=subject), token)
    assert response.status_code == 422
    assert set(expressions(response)) <= {"ServiceRequest.subject", "ServiceRequest.subject.reference"}
    assert nothing_recorded()


def test_over_long_text_is_refused_not_cut(client: Client, token: str) -> None:
    resource = service_request(note=[{"text": "x" * 5_001}])
    resource["contained"][0]["name"][0]["family"] = "O" * 101
    response = send(client, resource, token)
    assert expressions(response) == {
        "ServiceRequest.note[0].text": "value",
        "ServiceRequest.contained[0].name[0].family": "value",
    }
    assert nothing_recorded()


def test_an_unknown_linkwork_source_code_is_refused(client: Client, token: str) -> None:
    extension = [
        {
            "url": SOURCE_EXTENSION,
            "valueCodeableConcept": {"coding": [{"system": LINKWORK_SOURCE, "code": "x"}]},
        }
    ]
    response = send(client, service_request(extension=extension), token)
    assert expressions(response) == {"ServiceRequest.extension[0].valueCodeableConcept": "value"}
    assert nothing_recorded()


@pytest.mark.parametrize(
    ("body", "expression"),
    [
        (b"{not json", "ServiceRequest"),
        (b"[1, 2]", "ServiceRequest"),
        (b"\xff\xfe", "ServiceRequest"),
        (json.dumps({"resourceType": "Patient"}), "ServiceRequest.resourceType"),
    ],
)
def test_a_body_that_is_not_a_service_request_answers_400(
    client: Client, token: str, body: Any, expression: str
) -> None:
    response = send(client, body, token)
    assert response.status_code == 400
    assert list(expressions(response)) == [expression]
    assert nothing_recorded()


def test_another_content_type_answers_415(client: Client, token: str) -> None:
    response = send(client, "resourceType=ServiceRequest", token, content_type="text/plain")
    assert response.status_code == 415
    assert expressions(response) == {"ServiceRequest": "not-supported"}
    assert nothing_recorded()


# --- Who may send ------------------------------------------------------------------------------------------


def test_without_a_token_the_request_is_refused(client: Client, db: None) -> None:
    assert send(client, service_request()).status_code == 401
    assert nothing_recorded()


@pytest.mark.parametrize(
    "role", [Role.VOLUNTEER, Role.ANALYST, Role.DIRECTORY_EDITOR, Role.ORGANISATION_ADMIN]
)
def test_roles_that_may_not_record_referrals_are_refused_with_an_operation_outcome(
    client: Client, organisation: Organisation, role: Role
) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    raw = token_create(actor=OPERATOR, user=user, name="t")[1]
    response = send(client, service_request(), raw)
    assert response.status_code == 403
    assert expressions(response) == {"ServiceRequest": "forbidden"}
    assert nothing_recorded()
    assert AuditEvent.objects.filter(event="auth.permission_denied", actor_id=user.pk).exists()


def test_a_refused_role_learns_nothing_about_the_body(client: Client, organisation: Organisation) -> None:
    user = make_staff(organisation=organisation, roles=[Role.ANALYST])
    raw = token_create(actor=OPERATOR, user=user, name="t")[1]
    assert send(client, b"{not json", raw).status_code == 403


def test_a_supervisor_signed_in_may_send_one_too(client: Client, supervisor: User) -> None:
    response = signed_in(supervisor).post(URL, data=json.dumps(service_request()), content_type=FHIR_JSON)
    assert response.status_code == 201


def test_an_existing_referral_is_not_touched_by_a_new_one_for_the_same_person(
    client: Client, token: str, organisation: Organisation
) -> None:
    known = make_person(organisation=organisation, nhs_number=NHS_NUMBER)
    earlier = make_referral(person=known)
    before = copy.deepcopy(Referral.objects.filter(pk=earlier.pk).values().get())
    assert send(client, service_request(), token).status_code == 201
    assert Referral.objects.filter(pk=earlier.pk).values().get() == before
    assert known.referrals.count() == 2


# --- Any JSON at all: an answer, never a server error -------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
TOP_LEVEL = sorted(service_request())
PATIENT_KEYS = sorted(service_request()["contained"][0])


@given(
    top=st.dictionaries(st.sampled_from([*TOP_LEVEL, "extension", "requester"]), JSON_VALUES, max_size=3),
    patient=st.dictionaries(st.sampled_from(PATIENT_KEYS), JSON_VALUES, max_size=3),
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_in_any_element_gets_an_operation_outcome_never_a_server_error(
    client: Client, token: str, top: dict[str, Any], patient: dict[str, Any]
) -> None:
    resource = service_request(**top)
    if isinstance(resource.get("contained"), list) and resource["contained"]:
        resource["contained"][0] = {**service_request()["contained"][0], **patient}
    response = send(client, resource, token)
    assert response.status_code in (200, 201, 400, 422)
    body = response.json()
    OperationOutcome.model_validate(body)
    if response.status_code >= 400:
        assert body["issue"] and all(issue["severity"] == "error" for issue in body["issue"])


def test_two_copies_sent_at_once_make_one_referral(
    client: Client, token: str, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other copy is recorded between this request's look for it and its own write.
    first = send(client, service_request(), token)
    monkeypatch.setattr(intake, "received_before", racing(intake.received_before))
    again = send(client, service_request(), token)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first["Location"] == again["Location"]
    assert Referral.objects.count() == 1 and Person.objects.count() == 1


def racing(real: Any) -> Any:
    calls: list[str] = []

    def look(organisation: Organisation, identifier: str) -> Referral | None:
        calls.append(identifier)
        return None if len(calls) == 1 else real(organisation, identifier)

    return look


def test_the_identifier_is_unique_within_an_organisation_in_the_database(organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    first, second = make_referral(person=person), make_referral(person=person)
    Referral.objects.filter(pk=first.pk).update(external_identifier="https://x.example|1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=second.pk).update(external_identifier="https://x.example|1")
    Referral.objects.filter(pk=second.pk).update(external_identifier="")  # many without one is fine


def test_a_received_referral_is_announced_to_webhooks_once(client: Client, token: str) -> None:
    sent: list[tuple[str, Any]] = []

    def receiver(sender: Any, event: str, record: Any, **kwargs: Any) -> None:
        sent.append((event, record))

    webhook_event.connect(receiver, weak=False)
    try:
        send(client, service_request(), token)
        send(client, service_request(), token)  # received before: nothing new to announce
        send(client, service_request(status="draft"), token)  # refused
    finally:
        webhook_event.disconnect(receiver)
    assert sent == [("referral.received", Referral.objects.get())]
