"""Messages back to the GP and referrer: made at each point, coded with SNOMED CT, full or codes only as
the person's consent stands when the message is made, kept as sent, downloaded (and audited) only by
those who work the referral."""

from __future__ import annotations

import json
from typing import Any

import pypdfium2 as pdfium
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.interop.codes import LINKWORK_MEASURE, LOINC, SNOMED, SURVEY, instrument_total_code
from linkwork.interop.messages import LINKWORK_MESSAGE_EVENT, NHS_NUMBER_SYSTEM
from linkwork.interop.summary import loneliness_summary
from linkwork.interop.summary_services import MessageRefused, message_acknowledge
from linkwork.outcomes.models import Measure
from linkwork.outcomes.services import measure_record
from linkwork.people.services import consent_withdraw
from linkwork.referrals.models import OutcomeMessage, OutcomeMessageKind, Referral, ReferralSource
from linkwork.referrals.services import referral_decline
from linkwork.support.services import episode_close
from tests.conftest import signed_in
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.interop.test_summary import CONTINUES, OUTCOME_NOTE, Case, build_case
from tests.journey_factories import give_consent, make_episode, make_person, make_referral

A4_POINTS = (595.0, 842.0)


def validate(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Every resource checked against the R4B models; the resources returned."""
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resources


def of_type(resources: list[dict[str, Any]], resource_type: str) -> list[dict[str, Any]]:
    return [resource for resource in resources if resource["resourceType"] == resource_type]


def codings(concepts: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(coding["system"], coding["code"]) for concept in concepts for coding in concept["coding"]}


def message(referral: Referral, kind: str) -> OutcomeMessage:
    return OutcomeMessage.objects.get(referral=referral, kind=kind)


@pytest.fixture
def shared(db: None) -> Case:
    return build_case(consent_to_share=True)


@pytest.fixture
def not_shared(db: None) -> Case:
    return build_case(consent_to_share=False)


def test_the_accepted_message_carries_snomed_871731000000106(shared: Case) -> None:
    assert shared.episode.referral is not None
    accepted = message(shared.episode.referral, OutcomeMessageKind.ACCEPTED)
    resources = validate(accepted.fhir)
    assert accepted.fhir["type"] == "collection"
    [communication] = of_type(resources, "Communication")
    assert communication["status"] == "completed"
    assert codings(communication["reasonCode"]) == {(SNOMED, "871731000000106")}
    assert communication["reasonCode"][0]["coding"][0]["display"] == "Referral to social prescribing service"
    assert codings(communication["category"]) == {(LINKWORK_MESSAGE_EVENT, "accepted")}
    assert communication["recipient"] == [{"display": "Dr Ada Shah, Riverside Surgery"}]


def test_the_declined_message_carries_snomed_871711000000103(organisation: Organisation) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    referral_decline(actor=OPERATOR, referral=referral, note="Feels fine now.")
    declined = message(referral, OutcomeMessageKind.DECLINED)
    [communication] = of_type(validate(declined.fhir), "Communication")
    assert codings(communication["reasonCode"]) == {(SNOMED, "871711000000103")}
    assert "Feels fine now." not in json.dumps(declined.fhir)


def test_with_consent_the_end_of_support_message_carries_the_letter_and_the_measures(shared: Case) -> None:
    assert shared.episode.referral is not None
    ended = message(shared.episode.referral, OutcomeMessageKind.SUPPORT_ENDED)
    assert not ended.codes_only
    resources = validate(ended.fhir)
    [communication] = of_type(resources, "Communication")
    assert "reasonCode" not in communication  # no checked SNOMED CT code for "support ended"
    assert communication["payload"][1]["contentString"] == ended.body
    assert CONTINUES in ended.body and "UCLA 3-item loneliness scale" in ended.body
    observations = {obs["code"]["coding"][-1]["code"]: obs for obs in of_type(resources, "Observation")}
    assert set(observations) == {"ucla3", "wemwbs", "phq9"}
    assert codings([observations["phq9"]["code"]]) == {(LOINC, "44261-6"), (LINKWORK_MEASURE, "phq9")}
    for key, observation in observations.items():
        national = instrument_total_code(key)
        expected = {(LINKWORK_MEASURE, key)} | ({(national.system, national.code)} if national else set())
        assert codings([observation["code"]]) == expected, key
        assert codings(observation["category"]) == {(SURVEY.system, "survey")}
    assert (observations["ucla3"]["valueInteger"], observations["wemwbs"]["valueInteger"]) == (5, 42)
    assert observations["phq9"]["valueInteger"] == 8
    assert observations["ucla3"]["interpretation"] == [{"text": "not lonely"}]
    assert observations["ucla3"]["status"] == "final"
    references = {payload["contentReference"]["reference"] for payload in communication["payload"][2:]}
    assert references == {f"urn:uuid:{obs['id']}" for obs in observations.values()}
    # The ending's own note stays casework even when sharing is agreed.
    assert OUTCOME_NOTE not in json.dumps(ended.fhir)


def test_without_consent_the_message_is_codes_only(not_shared: Case) -> None:
    assert not_shared.episode.referral is not None
    for ended in OutcomeMessage.objects.filter(referral=not_shared.episode.referral):
        assert ended.codes_only
        resources = validate(ended.fhir)
        assert {resource["resourceType"] for resource in resources} == {
            "Communication",
            "Patient",
            "Organization",
        }
        [communication] = of_type(resources, "Communication")
        assert communication["payload"] == [
            {"contentString": f"Referral {ended.referral.reference}: {ended.get_kind_display().lower()}."}
        ]
        text = json.dumps(ended.fhir)
        for private in (CONTINUES, OUTCOME_NOTE, "Goals met", "lonely", "valueInteger", "valueQuantity"):
            assert private not in text, private
        for instrument in ("ucla3", "wemwbs", "phq9", "UCLA 3-item", "Observation"):
            assert instrument not in text, instrument
        assert "note" not in communication
    ended = message(not_shared.episode.referral, OutcomeMessageKind.SUPPORT_ENDED)
    assert "have not agreed to us sharing more detail" in ended.body


def test_consent_withdrawn_before_support_ends_makes_the_end_message_codes_only(db: None) -> None:
    case = build_case(consent_to_share=True, close=False)
    assert case.episode.referral is not None
    accepted = message(case.episode.referral, OutcomeMessageKind.ACCEPTED)
    assert not accepted.codes_only
    consent_withdraw(actor=OPERATOR, consent=case.episode.person.consents.get(purpose="share-gp-referrer"))
    episode_close(actor=case.connector, episode=case.episode, outcome="goals-met")
    ended = message(case.episode.referral, OutcomeMessageKind.SUPPORT_ENDED)
    assert ended.codes_only and not of_type(validate(ended.fhir), "Observation")
    assert not message(case.episode.referral, OutcomeMessageKind.ACCEPTED).codes_only  # kept as it was


def test_the_patient_is_identified_with_the_nhs_number_only_when_known(organisation: Organisation) -> None:
    known = make_person(organisation=organisation, nhs_number="9434765919")
    unknown = make_person(organisation=organisation)
    for person, identifiers in (
        (known, [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}]),
        (unknown, None),
    ):
        referral = make_referral(person=person)
        referral_decline(actor=OPERATOR, referral=referral)
        [patient] = of_type(validate(message(referral, OutcomeMessageKind.DECLINED).fhir), "Patient")
        assert patient.get("identifier") == identifiers


def test_a_message_is_kept_exactly_as_it_was_made(shared: Case) -> None:
    assert shared.episode.referral is not None
    ended = message(shared.episode.referral, OutcomeMessageKind.SUPPORT_ENDED)
    before = json.dumps(ended.fhir, sort_keys=True)
    Measure.objects.filter(episode=shared.episode).update(total=1)
    response = signed_in(shared.connector).get(
        f"/api/v1/referrals/{shared.episode.referral.pk}/messages/{ended.pk}/fhir"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert json.dumps(response.json(), sort_keys=True) == before


def test_acknowledging_a_referral_makes_the_received_message_once(
    organisation: Organisation, connector: User
) -> None:
    person = make_person(organisation=organisation)
    give_consent(person=person, purpose="share-gp-referrer")
    referral = make_referral(person=person)
    received = message_acknowledge(actor=connector, referral_id=referral.pk)
    assert received.kind == OutcomeMessageKind.RECEIVED and not received.codes_only
    assert "is on our list" in received.body
    [communication] = of_type(validate(received.fhir), "Communication")
    assert codings(communication["category"]) == {(LINKWORK_MESSAGE_EVENT, "received")}
    assert "reasonCode" not in communication  # 871731000000106 is for acceptance, not receipt
    event = AuditEvent.objects.get(event="message.acknowledged")
    assert event.actor_id == connector.pk and event.detail["message"] == received.pk
    with pytest.raises(MessageRefused) as again:
        message_acknowledge(actor=connector, referral_id=referral.pk)
    assert again.value.code == "ALREADY_ACKNOWLEDGED"
    assert referral.outcome_messages.count() == 1


def test_acknowledging_is_refused_after_a_decision_and_for_self_referrals(
    organisation: Organisation, connector: User
) -> None:
    decided = make_referral(person=make_person(organisation=organisation))
    referral_decline(actor=OPERATOR, referral=decided)
    self_referred = make_referral(
        person=make_person(organisation=organisation), source=ReferralSource.SELF, referrer_name=""
    )
    client = signed_in(connector)
    for referral, code in ((decided, "ALREADY_DECIDED"), (self_referred, "NO_REFERRER")):
        response = client.post(f"/api/v1/referrals/{referral.pk}/messages/received")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == code
    assert not OutcomeMessage.objects.filter(kind=OutcomeMessageKind.RECEIVED).exists()
    assert not AuditEvent.objects.filter(event="message.acknowledged").exists()


def test_the_referral_page_offers_the_acknowledgement_and_then_the_downloads(
    organisation: Organisation, connector: User
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    client = signed_in(connector)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f"/referrals/{referral.pk}/messages/received/" in page
    assert client.post(f"/referrals/{referral.pk}/messages/received/").status_code == 302
    received = message(referral, OutcomeMessageKind.RECEIVED)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert f"/referrals/{referral.pk}/messages/received/" not in page
    assert f"/referrals/{referral.pk}/letters/{received.pk}/letter.pdf" in page
    assert f"/referrals/{referral.pk}/letters/{received.pk}/fhir.json" in page


def test_the_letter_pdf_renders_and_each_download_is_audited(shared: Case) -> None:
    assert shared.episode.referral is not None
    referral = shared.episode.referral
    ended = message(referral, OutcomeMessageKind.SUPPORT_ENDED)
    client = signed_in(shared.connector)
    pdf = client.get(f"/referrals/{referral.pk}/letters/{ended.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(pdf.content)
    try:
        width, height = document[0].get_size()
        assert (round(width), round(height)) == A4_POINTS
        histogram = document[0].render(scale=1).to_pil().convert("L").histogram()
        assert sum(histogram[:200]) / sum(histogram) > 0.005
        assert ended.subject in document[0].get_textpage().get_text_range()
    finally:
        document.close()
    fhir = client.get(f"/referrals/{referral.pk}/letters/{ended.pk}/fhir.json")
    assert fhir.status_code == 200 and json.loads(fhir.content) == ended.fhir
    assert 'filename="message-' in fhir["Content-Disposition"]
    exported = AuditEvent.objects.filter(event="message.exported").order_by("seq")
    assert [(event.actor_id, event.detail["format"], event.detail["message"]) for event in exported] == [
        (shared.connector.pk, "pdf", ended.pk),
        (shared.connector.pk, "fhir", ended.pk),
    ]


def test_a_letter_from_before_fhir_copies_has_no_fhir_download(shared: Case) -> None:
    assert shared.episode.referral is not None
    accepted = message(shared.episode.referral, OutcomeMessageKind.ACCEPTED)
    OutcomeMessage.objects.filter(pk=accepted.pk).update(fhir={})
    response = signed_in(shared.connector).get(
        f"/api/v1/referrals/{shared.episode.referral.pk}/messages/{accepted.pk}/fhir"
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "NO_FHIR"
    assert not AuditEvent.objects.filter(event="message.exported").exists()


def test_nobody_outside_the_casework_can_download_or_acknowledge(shared: Case) -> None:
    assert shared.episode.referral is not None
    referral = shared.episode.referral
    ended = message(referral, OutcomeMessageKind.SUPPORT_ENDED)
    shared.episode.volunteers.add(
        assigned := make_staff(organisation=shared.organisation, roles=[Role.VOLUNTEER])
    )
    other_organisation = make_organisation(name="Northgate Befriending")
    outsiders = {
        "other team's connector": make_staff(
            organisation=shared.organisation,
            roles=[Role.CONNECTOR],
            teams=[make_team(organisation=shared.organisation, name="West")],
        ),
        "unassigned volunteer": make_staff(organisation=shared.organisation, roles=[Role.VOLUNTEER]),
        "assigned volunteer": assigned,
        "other organisation's admin": make_staff(organisation=other_organisation, roles=list(Role)),
    }
    for who, user in outsiders.items():
        client = signed_in(user)
        for url in (
            f"/api/v1/referrals/{referral.pk}/messages/{ended.pk}/fhir",
            f"/referrals/{referral.pk}/letters/{ended.pk}/letter.pdf",
            f"/referrals/{referral.pk}/letters/{ended.pk}/fhir.json",
        ):
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(f"/api/v1/referrals/{referral.pk}/messages/received").status_code == 404, who
        assert client.post(f"/referrals/{referral.pk}/messages/received/").status_code == 404, who
    assert not AuditEvent.objects.filter(event__in=["message.exported", "message.acknowledged"]).exists()


def test_a_message_of_another_referral_is_not_found_through_this_one(shared: Case) -> None:
    assert shared.episode.referral is not None
    other = make_episode(connector=shared.connector, team=shared.team)
    assert other.referral is not None
    foreign = message(other.referral, OutcomeMessageKind.ACCEPTED)
    response = signed_in(shared.connector).get(
        f"/api/v1/referrals/{shared.episode.referral.pk}/messages/{foreign.pk}/fhir"
    )
    assert response.status_code == 404


def test_every_kind_of_score_becomes_a_valid_observation(organisation: Organisation, connector: User) -> None:
    person = make_person(organisation=organisation)
    give_consent(person=person, purpose="share-gp-referrer")
    episode = make_episode(connector=connector, referral=make_referral(person=person))
    for instrument, answers in (
        ("ons4", [6, 7, 5, 3]),  # scored item by item
        ("ons-loneliness", ["Some of the time"]),  # a category, not a score
        ("swemwbs", ["Rarely"] * 7),  # a converted (metric) score with decimals
    ):
        for time_point in ("baseline", "ending"):
            measure_record(
                actor=connector,
                episode=episode,
                instrument=instrument,
                time_point=time_point,
                answers=answers,
            )
    episode_close(actor=connector, episode=episode, outcome="goals-met")
    assert episode.referral is not None
    ended = message(episode.referral, OutcomeMessageKind.SUPPORT_ENDED)
    observations = {
        obs["code"]["coding"][-1]["code"]: obs for obs in of_type(validate(ended.fhir), "Observation")
    }
    assert [component["valueInteger"] for component in observations["ons4"]["component"]] == [6, 7, 5, 3]
    assert observations["ons-loneliness"]["valueString"] == "Some of the time"
    metric = observations["swemwbs"]["valueQuantity"]
    assert metric["code"] == "{score}" and not float(metric["value"]).is_integer()
    lines = {line.instrument: line for line in loneliness_summary(episode=episode).measures}
    assert (lines["ons-loneliness"].score, lines["ons-loneliness"].band) == (None, "Some of the time")
    assert [(item.name, item.score, item.first_score) for item in lines["ons4"].items][0] == (
        "life satisfaction",
        6,
        6,
    )
