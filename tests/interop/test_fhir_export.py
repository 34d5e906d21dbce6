"""The FHIR R4 export of a support episode: every resource validates (fhir.resources R4B), codes and
statuses are the ones documented, references resolve inside the Bundle, the output is deterministic,
only people who may view the episode can export it, every export is audited, and the command writes
the file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import NotFound
from linkwork.core.policies import Operator
from linkwork.core.time import now
from linkwork.interop import codes, fhir
from linkwork.interop.export import episode_records, fhir_export_episode
from linkwork.interop.summary import loneliness_summary
from linkwork.matching.connections import connection_create, connection_move
from linkwork.matching.models.connections import ConnectionStatus
from linkwork.outcomes.definitions import instrument_get
from linkwork.outcomes.models import Measure
from linkwork.outcomes.services import measure_record, measure_skip
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralStatus, Urgency
from linkwork.support.models import (
    ContactOutcome,
    EndingOutcome,
    EpisodeStatus,
    GoalStatus,
    SupportEpisode,
)
from linkwork.support.services import contact_log, episode_close, goal_create, goal_update
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import make_episode, make_person, make_referral

NHS_NUMBER = "9434765919"
SECRET_NOTE = "Talked about her late husband's allotment"
CONNECTION_NOTE = "Keen but nervous about groups"
FHIR_JSON = "application/fhir+json"

# The R4 value sets (all "required" bindings) for the statuses linkwork sends.
REQUEST_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
REQUEST_INTENT = {
    "proposal",
    "plan",
    "directive",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
}
REQUEST_PRIORITY = {"routine", "urgent", "asap", "stat"}
GOAL_LIFECYCLE = {
    "proposed",
    "planned",
    "accepted",
    "active",
    "on-hold",
    "completed",
    "cancelled",
    "entered-in-error",
    "rejected",
}
ACTIVITY_STATUS = {
    "not-started",
    "scheduled",
    "in-progress",
    "on-hold",
    "completed",
    "cancelled",
    "stopped",
    "unknown",
    "entered-in-error",
}
ACTIVITY_KIND = {
    "Appointment",
    "CommunicationRequest",
    "DeviceRequest",
    "MedicationRequest",
    "NutritionOrder",
    "Task",
    "ServiceRequest",
    "VisionPrescription",
}
OBSERVATION_STATUS = {
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
}
RESPONSE_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
QUESTIONNAIRE_STATUS = {"draft", "active", "retired", "unknown"}

ANSWERS: dict[str, list[str]] = {
    "ucla3": ["Often", "Some of the time", "Hardly ever"],
    "phq9": ["Several days"] * 8 + ["Not at all"],
    "wemwbs": ["Often"] * 7 + ["Some of the time"] * 7,
    "swemwbs": ["Often"] * 7,
    "ons4": ["7", "6", "5", "3"],
    # Item 6 declined: the person preferred not to say (one missing item still gives a total).
    "djg6": ["Yes", "No", "More or less", "Yes", "No", "declined"],
}


@dataclass
class Case:
    organisation: Organisation
    connector: User
    supervisor: User
    other_team_connector: User
    volunteer: User
    analyst: User
    outsider: User
    person: Person
    referral: Referral
    episode: SupportEpisode


@pytest.fixture
def case(organisation: Organisation) -> Case:
    north, south = make_team(organisation=organisation, name="North"), make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER])
    person = make_person(
        organisation=organisation,
        first_name="Margaret",
        last_name="Okafor",
        preferred_name="Peggy",
        phone="07700 900123",
        email="peggy@example.org",
        date_of_birth=dt.date(1948, 5, 17),
        address="12 Canal Street\nRiverside",
        postcode="W10 6AB",
        nhs_number=NHS_NUMBER,
    )
    referral = make_referral(person=person)
    episode = make_episode(connector=connector, referral=referral, team=north, volunteers=[volunteer])
    for key, answers in ANSWERS.items():
        measure_record(
            actor=connector, episode=episode, instrument=key, time_point="baseline", answers=answers
        )
    measure_skip(
        actor=connector, episode=episode, instrument="gad7", time_point="baseline", reason="declined"
    )
    walk = goal_create(
        actor=connector, episode=episode, title="Walk to the park with a friend", steps="Map a route"
    )
    goal_update(actor=connector, goal=walk, status=GoalStatus.ACHIEVED, progress=9)
    goal_create(actor=connector, episode=episode, title="Join a singing group")
    contact_log(
        actor=connector,
        episode=episode,
        occurred_at=now() - dt.timedelta(hours=2),
        type="home-visit",
        duration_minutes=60,
        notes=SECRET_NOTE,
    )
    contact_log(
        actor=connector,
        episode=episode,
        occurred_at=now() - dt.timedelta(hours=1),
        type="phone",
        outcome=ContactOutcome.NO_ANSWER,
    )
    choir = connection_create(
        actor=connector,
        person=person,
        service=make_service(owner=organisation, name="Riverside Community Choir"),
    )
    connection_move(actor=connector, connection=choir, action="interested")
    connection_move(
        actor=connector,
        connection=choir,
        action="plan_visit",
        accompanied_by="volunteer",
        visit_on=dt.date(2026, 3, 10),
    )
    connection_create(
        actor=connector,
        person=person,
        service=make_service(owner=organisation, name="Lunch Club"),
        note=CONNECTION_NOTE,
    )
    return Case(
        organisation=organisation,
        connector=connector,
        supervisor=make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[north]),
        other_team_connector=make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south]),
        volunteer=volunteer,
        analyst=make_staff(organisation=organisation, roles=[Role.ANALYST]),
        outsider=make_staff(
            organisation=make_organisation(name="Northgate"), roles=[Role.CONNECTOR, Role.SUPERVISOR]
        ),
        person=person,
        referral=referral,
        episode=episode,
    )


@pytest.fixture
def bundle(case: Case) -> dict[str, Any]:
    return fhir_export_episode(actor=case.connector, episode_id=case.episode.pk)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def only(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = resources(bundle, kind)
    return found


def references_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from references_in(item)


def observation_for(bundle: dict[str, Any], instrument: str) -> dict[str, Any]:
    wanted = codes.instrument_local_code(instrument, "").code
    (found,) = [
        observation
        for observation in resources(bundle, "Observation")
        if any(coding["code"] == wanted for coding in observation["code"]["coding"])
    ]
    return found


def response_for(bundle: dict[str, Any], instrument: str) -> dict[str, Any]:
    (found,) = [
        response
        for response in resources(bundle, "QuestionnaireResponse")
        if response["questionnaire"] == fhir.questionnaire_url(instrument)
    ]
    return found


# Validation and contents ---------------------------------------------------------------------------------


def test_every_resource_in_the_bundle_validates_with_fhir_resources_r4b(bundle: dict[str, Any]) -> None:
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_bundle_is_a_collection_with_one_resource_per_record(bundle: dict[str, Any]) -> None:
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert bundle["type"] == "collection"
    assert bundle["timestamp"]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "Patient": 1,
        "ServiceRequest": 1,
        "CarePlan": 1,
        "Goal": 2,
        # The skipped GAD-7 is not exported: nothing was answered.
        "Questionnaire": len(ANSWERS),
        "QuestionnaireResponse": len(ANSWERS),
        # ONS4 is scored item by item, so it has no total.
        "Observation": len(ANSWERS) - 1,
        "Provenance": 1,
    }


def test_full_urls_are_urn_uuids_of_the_resource_ids(bundle: dict[str, Any]) -> None:
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    assert len({entry["fullUrl"] for entry in bundle["entry"]}) == len(bundle["entry"])


def test_every_reference_resolves_inside_the_bundle(bundle: dict[str, Any]) -> None:
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    found = list(references_in(bundle["entry"]))
    assert found
    assert set(found) <= full_urls
    canonical = {questionnaire["url"] for questionnaire in resources(bundle, "Questionnaire")}
    assert {response["questionnaire"] for response in resources(bundle, "QuestionnaireResponse")} == canonical


def test_provenance_targets_every_other_resource_with_the_organisation_and_linkwork(
    bundle: dict[str, Any], case: Case
) -> None:
    provenance = only(bundle, "Provenance")
    others = [entry["fullUrl"] for entry in bundle["entry"] if entry["resource"] is not provenance]
    assert [target["reference"] for target in provenance["target"]] == others
    assert provenance["recorded"] == bundle["timestamp"]
    assert [agent["who"]["display"] for agent in provenance["agent"]][0] == case.organisation.name
    assert provenance["agent"][0]["type"]["coding"] == [codes.CUSTODIAN.coding()]
    assert provenance["agent"][1]["who"]["display"].startswith("linkwork ")
    assert provenance["agent"][1]["type"]["coding"] == [codes.ASSEMBLER.coding()]


def test_patient_has_the_nhs_number_and_the_details_held(bundle: dict[str, Any]) -> None:
    patient = only(bundle, "Patient")
    assert patient["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"]
    assert patient["identifier"] == [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}]
    assert patient["name"] == [
        {"use": "official", "given": ["Margaret"], "family": "Okafor"},
        {"use": "usual", "given": ["Peggy"], "family": "Okafor"},
    ]
    assert patient["birthDate"] == "1948-05-17"
    assert patient["telecom"] == [
        {"system": "phone", "value": "07700 900123"},
        {"system": "email", "value": "peggy@example.org"},
    ]
    assert patient["address"] == [{"text": "12 Canal Street\nRiverside", "postalCode": "W10 6AB"}]


def test_patient_without_an_nhs_number_or_details_has_no_identifier_and_nothing_invented(
    organisation: Organisation,
) -> None:
    person = make_person(organisation=organisation, first_name="Ann", last_name="")
    patient = fhir.patient(person)
    get_fhir_model_class("Patient").model_validate(patient)
    assert "identifier" not in patient
    assert patient["name"] == [{"use": "official", "given": ["Ann"]}]
    assert not {"telecom", "birthDate", "address"} & set(patient)


def test_service_request_is_the_referral_coded_referral_to_social_prescribing(
    bundle: dict[str, Any], case: Case
) -> None:
    request = only(bundle, "ServiceRequest")
    assert request["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"]
    assert request["code"]["coding"] == [
        {
            "system": "http://snomed.info/sct",
            "code": "871731000000106",
            "display": "Referral to social prescribing service",
        }
    ]
    assert request["status"] == "active"  # accepted, support still open
    assert request["intent"] == "order"
    assert request["priority"] == "routine"
    assert request["identifier"][0]["value"] == case.referral.reference
    assert request["authoredOn"] == fhir.instant(case.referral.received_at)
    assert request["requester"] == {"display": "Dr Ada Shah, Riverside Surgery"}
    assert request["reasonCode"] == [{"text": case.referral.reason}]
    assert request["subject"]["reference"] == f"urn:uuid:{only(bundle, 'Patient')['id']}"


def test_a_self_referral_is_requested_by_the_person(organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    referral = make_referral(person=person, source="self", referrer_name="", referrer_organisation="")
    subject = fhir.patient(person)
    request = fhir.service_request(referral, subject=subject, episode=None, organisation_name="Riverside")
    assert request["requester"] == {"reference": f"urn:uuid:{subject['id']}"}


@pytest.mark.parametrize("status", ReferralStatus.values)
def test_every_referral_status_maps_to_an_r4_request_status(status: str) -> None:
    assert fhir.service_request_status(Referral(status=status), None) in REQUEST_STATUS


def test_status_table_for_referrals() -> None:
    assert {
        status: fhir.service_request_status(Referral(status=status), None) for status in ReferralStatus
    } == {
        "received": "active",
        "contact_attempted": "active",
        "accepted": "active",
        "declined": "revoked",
        "unable_to_contact": "revoked",
        "not_appropriate": "revoked",
    }


@pytest.mark.parametrize("urgency", Urgency.values)
def test_every_urgency_maps_to_an_r4_priority(urgency: str) -> None:
    assert fhir.URGENCY_PRIORITY[urgency] in REQUEST_PRIORITY


def test_the_referral_is_completed_and_the_care_plan_completed_once_support_has_ended(case: Case) -> None:
    episode_close(actor=case.connector, episode=case.episode, outcome=EndingOutcome.GOALS_MET)
    bundle = fhir_export_episode(actor=case.connector, episode_id=case.episode.pk)
    assert only(bundle, "ServiceRequest")["status"] == "completed"
    plan = only(bundle, "CarePlan")
    assert plan["status"] == "completed"
    assert plan["period"]["end"] == SupportEpisode.objects.get(pk=case.episode.pk).closed_on.isoformat()  # type: ignore[union-attr]


@pytest.mark.parametrize("status", EpisodeStatus.values)
def test_every_episode_status_maps_to_an_r4_care_plan_status(status: str) -> None:
    assert fhir.EPISODE_STATUS[status] in REQUEST_STATUS


def test_status_table_for_episodes() -> None:
    assert fhir.EPISODE_STATUS == {
        "active": "active",
        "paused": "on-hold",
        "ending_planned": "active",
        "closed": "completed",
        "follow_up_due": "completed",
        "followed_up": "completed",
    }


@pytest.mark.parametrize("status", GoalStatus.values)
def test_every_goal_status_maps_to_an_r4_goal_lifecycle_status(status: str) -> None:
    assert fhir.GOAL_STATUS[status] in GOAL_LIFECYCLE


@pytest.mark.parametrize("outcome", ContactOutcome.values)
def test_every_contact_outcome_maps_to_an_r4_activity_status(outcome: str) -> None:
    assert fhir.CONTACT_STATUS[outcome] in ACTIVITY_STATUS


@pytest.mark.parametrize("status", ConnectionStatus.values)
def test_every_connection_status_maps_to_an_r4_activity_status(status: str) -> None:
    assert fhir.CONNECTION_STATUS[status] in ACTIVITY_STATUS


def test_statuses_and_kinds_in_the_bundle_are_in_the_r4_value_sets(bundle: dict[str, Any]) -> None:
    plan = only(bundle, "CarePlan")
    assert plan["status"] in REQUEST_STATUS and plan["intent"] in REQUEST_INTENT
    request = only(bundle, "ServiceRequest")
    assert request["status"] in REQUEST_STATUS and request["intent"] in REQUEST_INTENT
    assert request["priority"] in REQUEST_PRIORITY
    for activity in plan["activity"]:
        assert activity["detail"]["status"] in ACTIVITY_STATUS
        assert activity["detail"]["kind"] in ACTIVITY_KIND
    assert {goal["lifecycleStatus"] for goal in resources(bundle, "Goal")} <= GOAL_LIFECYCLE
    assert {obs["status"] for obs in resources(bundle, "Observation")} <= OBSERVATION_STATUS
    assert (
        {qr["status"] for qr in resources(bundle, "QuestionnaireResponse")}
        == {"completed"}
        <= RESPONSE_STATUS
    )
    assert {q["status"] for q in resources(bundle, "Questionnaire")} <= QUESTIONNAIRE_STATUS


# Questionnaires, answers and scores ----------------------------------------------------------------------


def test_questionnaires_carry_the_instruments_wording_options_and_scores(bundle: dict[str, Any]) -> None:
    ucla3 = next(q for q in resources(bundle, "Questionnaire") if q["url"].endswith("/ucla3"))
    instrument = instrument_get("ucla3")
    assert ucla3["url"] == "https://linkwork.org.uk/fhir/Questionnaire/ucla3"
    assert ucla3["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Questionnaire"]
    assert [item["text"] for item in ucla3["item"]] == [item.text for item in instrument.items]
    assert ucla3["code"] == [codes.INSTRUMENT_PANEL_CODES["ucla3"].coding()]
    options = ucla3["item"][0]["answerOption"]
    assert [option["valueCoding"]["display"] for option in options] == [
        "Hardly ever",
        "Some of the time",
        "Often",
    ]
    assert [option["valueCoding"]["extension"][0]["valueDecimal"] for option in options] == [1, 2, 3]


def test_reversed_items_score_their_options_the_other_way_round(bundle: dict[str, Any]) -> None:
    djg6 = next(q for q in resources(bundle, "Questionnaire") if q["url"].endswith("/djg6"))
    instrument = instrument_get("djg6")
    for item, exported in zip(instrument.items, djg6["item"], strict=True):
        scores = [
            option["valueCoding"]["extension"][0]["valueDecimal"] for option in exported["answerOption"]
        ]
        published = [option.score for option in instrument.answers.options]
        assert scores == (published[::-1] if item.reversed else published)
    assert any(item.reversed for item in instrument.items)


def test_questionnaire_copyright_carries_the_licence_notice(bundle: dict[str, Any]) -> None:
    wemwbs = next(q for q in resources(bundle, "Questionnaire") if q["url"].endswith("/wemwbs"))
    assert wemwbs["copyright"] == instrument_get("wemwbs").licence.notice


def test_responses_hold_each_answer_and_leave_out_a_declined_one(bundle: dict[str, Any], case: Case) -> None:
    ucla3 = response_for(bundle, "ucla3")
    assert ucla3["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-QuestionnaireResponse"
    ]
    assert ucla3["status"] == "completed"
    assert [item["answer"][0]["valueCoding"]["display"] for item in ucla3["item"]] == ANSWERS["ucla3"]
    assert [item["answer"][0]["valueCoding"]["code"] for item in ucla3["item"]] == ["3", "2", "1"]
    measure = Measure.objects.get(episode=case.episode, instrument="ucla3")
    assert ucla3["authored"] == fhir.instant(measure.recorded_at)
    djg6 = response_for(bundle, "djg6")
    assert [item["linkId"] for item in djg6["item"]] == [str(number) for number in range(1, 6)]
    ons4 = response_for(bundle, "ons4")
    assert [item["answer"][0]["valueInteger"] for item in ons4["item"]] == [7, 6, 5, 3]


def test_total_score_observations_use_exactly_the_codes_in_codes_py(
    bundle: dict[str, Any], case: Case
) -> None:
    phq9 = observation_for(bundle, "phq9")
    name = instrument_get("phq9").name
    assert phq9["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "44261-6", "display": "PHQ-9 total score"},
        codes.instrument_local_code("phq9", f"{name} total score").coding(),
    ]
    ucla3 = observation_for(bundle, "ucla3")
    assert ucla3["code"]["coding"] == [
        codes.instrument_local_code("ucla3", f"{instrument_get('ucla3').name} total score").coding()
    ]
    for observation in resources(bundle, "Observation"):
        assert observation["meta"]["profile"] == [
            "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"
        ]
        assert observation["category"] == [codes.SURVEY.concept()]
        national = [c for c in observation["code"]["coding"] if c["system"] != codes.LINKWORK_MEASURE]
        local = [c for c in observation["code"]["coding"] if c["system"] == codes.LINKWORK_MEASURE]
        assert len(local) == 1
        key = local[0]["code"]
        expected = codes.instrument_total_code(key)
        assert national == ([expected.coding()] if expected else [])


def test_observation_value_is_the_stored_total_derived_from_its_response(
    bundle: dict[str, Any], case: Case
) -> None:
    for key in ("ucla3", "wemwbs", "swemwbs", "djg6", "phq9"):
        measure = Measure.objects.get(episode=case.episode, instrument=key)
        observation = observation_for(bundle, key)
        assert measure.total is not None
        assert observation["valueInteger"] == int(measure.total)
        assert observation["effectiveDateTime"] == fhir.instant(measure.recorded_at)
        response = response_for(bundle, key)
        assert observation["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]
        assert observation.get("interpretation", [{}])[0].get("text", "") == measure.band
    swemwbs = observation_for(bundle, "swemwbs")
    metric = Measure.objects.get(episode=case.episode, instrument="swemwbs").metric
    (component,) = swemwbs["component"]
    value = component.get("valueInteger", component.get("valueQuantity", {}).get("value"))
    assert value == metric


def test_a_measure_without_a_valid_total_gets_a_response_but_no_observation(case: Case) -> None:
    measure_record(
        actor=case.connector,
        episode=case.episode,
        instrument="ucla3",
        time_point="ending",
        answers=["Often", "declined", "declined"],
    )
    bundle = fhir_export_episode(actor=case.connector, episode_id=case.episode.pk)
    assert (
        len([r for r in resources(bundle, "QuestionnaireResponse") if r["questionnaire"].endswith("/ucla3")])
        == 2
    )
    wanted = codes.instrument_local_code("ucla3", "").code
    totals = [o for o in resources(bundle, "Observation") if o["code"]["coding"][-1]["code"] == wanted]
    assert len(totals) == 1


# Goals and the care plan ---------------------------------------------------------------------------------


def test_goals_have_mapped_statuses_and_their_steps_and_progress_as_notes(bundle: dict[str, Any]) -> None:
    walk, choir = resources(bundle, "Goal")
    assert walk["description"] == {"text": "Walk to the park with a friend"}
    assert walk["lifecycleStatus"] == "completed"
    assert walk["achievementStatus"]["coding"] == [codes.GOAL_ACHIEVED.coding()]
    assert {"text": "Steps: Map a route"} in walk["note"]
    assert {"text": "Latest progress rating: 9 out of 10."} in walk["note"]
    assert choir["lifecycleStatus"] == "accepted"
    assert "achievementStatus" not in choir and "note" not in choir


def test_care_plan_holds_the_episode_its_goals_contacts_and_connections(
    bundle: dict[str, Any], case: Case
) -> None:
    plan = only(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert plan["period"] == {
        "start": case.episode.started_on.isoformat(),
        "end": case.episode.planned_end_on.isoformat(),
    }
    assert plan["goal"] == [{"reference": f"urn:uuid:{goal['id']}"} for goal in resources(bundle, "Goal")]
    details = [activity["detail"] for activity in plan["activity"]]
    assert [(d["kind"], d["status"], d["description"]) for d in details] == [
        ("Appointment", "completed", "Home visit"),
        ("Appointment", "cancelled", "Phone call"),
        ("ServiceRequest", "scheduled", "Riverside Community Choir"),
        ("ServiceRequest", "not-started", "Lunch Club"),
    ]
    assert details[0]["scheduledPeriod"]["end"] > details[0]["scheduledPeriod"]["start"]
    assert details[1]["statusReason"] == {"text": "No answer"}
    assert details[2]["scheduledPeriod"] == {"start": "2026-03-10"}
    supporting = {ref["reference"] for ref in plan["supportingInfo"]}
    assert f"urn:uuid:{only(bundle, 'ServiceRequest')['id']}" in supporting


def test_care_plan_has_the_loneliness_and_social_connection_section(
    bundle: dict[str, Any], case: Case
) -> None:
    (note,) = only(bundle, "CarePlan")["note"]
    summary = loneliness_summary(episode=SupportEpisode.objects.get(pk=case.episode.pk)).as_text()
    assert note["text"] == f"Loneliness and social connection\n\n{summary}"
    assert "Walk to the park with a friend" in note["text"]


def test_casework_notes_are_not_exported(bundle: dict[str, Any]) -> None:
    text = json.dumps(bundle)
    assert SECRET_NOTE not in text
    assert CONNECTION_NOTE not in text


# Deterministic output ------------------------------------------------------------------------------------


def _without_time(bundle: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(bundle))
    copy.pop("timestamp")
    for entry in copy["entry"]:
        entry["resource"].pop("recorded", None)
    return copy  # type: ignore[no-any-return]


def test_exporting_twice_gives_the_same_bundle_apart_from_the_time(case: Case) -> None:
    first = fhir_export_episode(actor=case.connector, episode_id=case.episode.pk)
    second = fhir_export_episode(actor=case.supervisor, episode_id=case.episode.pk)
    assert json.dumps(_without_time(first), sort_keys=False) == json.dumps(
        _without_time(second), sort_keys=False
    )


def test_the_builder_gives_identical_json_for_the_same_records_and_time(case: Case) -> None:
    at = dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC)
    episode = SupportEpisode.objects.get(pk=case.episode.pk)
    first = fhir.episode_bundle(episode_records(episode), exported_at=at)
    second = fhir.episode_bundle(episode_records(episode), exported_at=at)
    assert json.dumps(first) == json.dumps(second)
    assert first["timestamp"] == "2026-04-01T09:30:00+00:00"
    assert first["entry"][0]["resource"]["id"] == fhir.resource_id("people.person", case.person.pk)


# Who may export ------------------------------------------------------------------------------------------


def test_the_connector_downloads_the_bundle_as_fhir_json(case: Case) -> None:
    response = signed_in(case.connector).get(f"/api/v1/episodes/{case.episode.pk}/fhir")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    Bundle.model_validate(json.loads(response.content))


def test_a_supervisor_of_the_persons_team_may_export(case: Case) -> None:
    response = signed_in(case.supervisor).get(f"/api/v1/episodes/{case.episode.pk}/fhir")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_team_connector", "volunteer", "analyst", "outsider"])
def test_anyone_who_may_not_view_the_episode_gets_not_found_and_nothing_is_exported(
    case: Case, who: str
) -> None:
    user = getattr(case, who)
    response = signed_in(user).get(f"/api/v1/episodes/{case.episode.pk}/fhir")
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "NOT_FOUND"
    with pytest.raises(NotFound):
        fhir_export_episode(actor=user, episode_id=case.episode.pk)
    assert not AuditEvent.objects.filter(event="fhir.exported").exists()


def test_an_episode_that_does_not_exist_is_not_found(case: Case) -> None:
    response = signed_in(case.connector).get(f"/api/v1/episodes/{case.episode.pk + 1000}/fhir")
    assert response.status_code == 404


def test_without_signing_in_the_export_is_refused(case: Case) -> None:
    from django.test import Client

    assert Client().get(f"/api/v1/episodes/{case.episode.pk}/fhir").status_code == 401


def test_every_export_is_audited(case: Case) -> None:
    signed_in(case.connector).get(f"/api/v1/episodes/{case.episode.pk}/fhir")
    entry = AuditEvent.objects.get(event="fhir.exported")
    assert entry.actor_id == case.connector.pk
    assert entry.object_type == "support.supportepisode"
    assert entry.object_id == str(case.episode.pk)
    assert entry.organisation_id == case.organisation.pk
    assert entry.action == "export"
    assert entry.detail["channel"] == "api"
    assert entry.detail["resources"]["Patient"] == 1


# The command line ----------------------------------------------------------------------------------------


def test_the_command_writes_the_bundle_and_audits_it(case: Case, tmp_path: Path) -> None:
    output = tmp_path / "episode.json"
    out = StringIO()
    call_command(
        "fhir",
        "export",
        str(case.episode.pk),
        "--output",
        str(output),
        "--organisation",
        case.organisation.slug,
        stdout=out,
    )
    written = json.loads(output.read_text())
    Bundle.model_validate(written)
    assert only(written, "Patient")["identifier"][0]["value"] == NHS_NUMBER
    assert "Wrote support episode" in out.getvalue()
    entry = AuditEvent.objects.get(event="fhir.exported")
    assert entry.actor_username.startswith("operator:")
    assert entry.detail["channel"] == "command"


def test_the_command_refuses_an_episode_of_another_organisation_and_writes_nothing(
    case: Case, tmp_path: Path
) -> None:
    other = case.outsider.organisation
    assert other is not None
    output = tmp_path / "episode.json"
    with pytest.raises(CommandError, match="has no support episode"):
        call_command(
            "fhir", "export", str(case.episode.pk), "--output", str(output), "--organisation", other.slug
        )
    assert not output.exists()
    assert not AuditEvent.objects.filter(event="fhir.exported").exists()


def test_the_command_needs_the_organisation_when_there_is_more_than_one(case: Case, tmp_path: Path) -> None:
    output = tmp_path / "episode.json"
    with pytest.raises(CommandError, match="more than one organisation"):
        call_command("fhir", "export", str(case.episode.pk), "--output", str(output))
    with pytest.raises(CommandError, match="no organisation"):
        call_command(
            "fhir", "export", str(case.episode.pk), "--output", str(output), "--organisation", "nope"
        )
    assert not output.exists()


def test_the_command_refuses_a_directory_that_does_not_exist(case: Case, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no directory"):
        call_command(
            "fhir",
            "export",
            str(case.episode.pk),
            "--output",
            str(tmp_path / "missing" / "episode.json"),
            "--organisation",
            case.organisation.slug,
        )


def test_the_operator_exports_through_the_service_only_within_the_organisation_given(case: Case) -> None:
    other = case.outsider.organisation
    assert other is not None
    with pytest.raises(NotFound):
        fhir_export_episode(actor=OPERATOR, episode_id=case.episode.pk, organisation_id=other.pk)
    bundle = fhir_export_episode(
        actor=Operator("tests"), episode_id=case.episode.pk, organisation_id=case.organisation.pk
    )
    assert only(bundle, "CarePlan")["id"] == fhir.resource_id("support.supportepisode", case.episode.pk)
