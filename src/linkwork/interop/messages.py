"""Messages back to the GP and the referrer: each message's FHIR form, and its letter as a PDF.

A message is an `OutcomeMessage`, made by `referrals.services.outcome_message_create` at each point the
PRSB standard names (received, accepted or declined, and the other decisions, and support ended). Its FHIR
form is a Bundle of type "collection" holding the Patient, the service's Organization and a
Communication to the GP or referrer, coded with SNOMED CT where a checked code exists
(`linkwork.interop.codes`). Only when the person's consent to share with their GP and referrer was in
force as the message was made does it also carry the letter's words and, when support ended, the
outcome measures as Observations. Otherwise it is "codes only". docs/messages-to-gp.md explains both.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from linkwork.core.time import to_london
from linkwork.interop.codes import (
    LINKWORK_MEASURE,
    REFERRAL_TO_SOCIAL_PRESCRIBING,
    SOCIAL_PRESCRIBING_DECLINED,
    SURVEY,
    Code,
    instrument_local_code,
    instrument_total_code,
)
from linkwork.interop.summary import (
    LONELINESS_INSTRUMENTS,
    WELLBEING_INSTRUMENTS,
    MeasureLine,
    measure_lines,
    measure_sentence,
)
from linkwork.outcomes.definitions import instrument_list
from linkwork.people.models import Person
from linkwork.referrals.models import OutcomeMessage, OutcomeMessageKind, Referral
from linkwork.support.models import SupportEpisode
from linkwork.web.pdf import pdf_from_html

# linkwork's own code system for the points at which a message is made; the SNOMED CT code goes beside
# it only where one was checked (codes.py).
LINKWORK_MESSAGE_EVENT = "https://linkwork.org.uk/fhir/CodeSystem/message-event"
MESSAGE_IDENTIFIER_SYSTEM = "https://linkwork.org.uk/fhir/outcome-message"
REFERRAL_IDENTIFIER_SYSTEM = "https://linkwork.org.uk/fhir/referral"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
UK_CORE_OBSERVATION = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"
UCUM = "http://unitsofmeasure.org"
# Fixed, so the same message always gets the same resource ids.
MESSAGE_NAMESPACE = uuid.UUID("5d1c7a52-3f0e-4a55-9d61-6f2b7f3c9e10")

EVENT_CODES: dict[str, Code] = {
    OutcomeMessageKind.ACCEPTED: REFERRAL_TO_SOCIAL_PRESCRIBING,
    OutcomeMessageKind.DECLINED: SOCIAL_PRESCRIBING_DECLINED,
}
# Every instrument is reported when support ends: the summary's order first, then the rest.
OUTCOME_INSTRUMENTS = (
    *LONELINESS_INSTRUMENTS,
    *WELLBEING_INSTRUMENTS,
    *(
        instrument.code
        for instrument in instrument_list()
        if instrument.code not in (*LONELINESS_INSTRUMENTS, *WELLBEING_INSTRUMENTS)
    ),
)


def _uuid(message: OutcomeMessage, part: str) -> str:
    return str(uuid.uuid5(MESSAGE_NAMESPACE, f"outcome-message/{message.pk}/{part}"))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _patient(message: OutcomeMessage, person: Person) -> dict[str, Any]:
    # Who the message is about, so the GP practice can file it: identity only, never notes.
    name: dict[str, Any] = {"use": "official", "given": [person.first_name]}
    if person.last_name:
        name["family"] = person.last_name
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _uuid(message, "patient"),
        "meta": {"profile": [UK_CORE_PATIENT]},
        "name": [name],
    }
    if person.nhs_number:
        patient["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": person.nhs_number}]
    if person.date_of_birth is not None:
        patient["birthDate"] = person.date_of_birth.isoformat()
    return patient


def _observation(message: OutcomeMessage, line: MeasureLine, patient_url: str) -> dict[str, Any]:
    national = instrument_total_code(line.instrument)
    codings = [national.coding()] if national else []
    codings.append(instrument_local_code(line.instrument, line.name).coding())
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _uuid(message, f"observation/{line.instrument}"),
        "meta": {"profile": [UK_CORE_OBSERVATION]},
        "status": "final",
        "category": [SURVEY.concept()],
        "code": {"coding": codings, "text": line.name},
        "subject": {"reference": patient_url},
        "effectiveDateTime": line.measured_on.isoformat(),
    }
    if line.items:
        observation["component"] = [
            {
                "code": {"coding": [{"system": LINKWORK_MEASURE, "code": f"{line.instrument}/{item.name}"}]},
                "valueInteger": int(item.score),
            }
            for item in line.items
            if item.score is not None
        ]
    elif line.score is None:
        observation["valueString"] = line.band
    elif float(line.score).is_integer():
        observation["valueInteger"] = int(line.score)
    else:
        observation["valueQuantity"] = {
            "value": line.score,
            "unit": "score",
            "system": UCUM,
            "code": "{score}",
        }
    if line.band and (line.items or line.score is not None):
        observation["interpretation"] = [{"text": line.band}]
    if line.first_measured_on is not None:
        observation["note"] = [{"text": measure_sentence(line)}]
    return observation


def _event_concept(kind: str) -> dict[str, Any]:
    label = OutcomeMessageKind(kind).label
    return {"coding": [{"system": LINKWORK_MESSAGE_EVENT, "code": kind, "display": label}], "text": label}


def message_bundle(*, message: OutcomeMessage) -> dict[str, Any]:
    """The FHIR form of a saved message, as a JSON-ready Bundle of type "collection"."""
    referral = message.referral
    person = referral.person
    sent = to_london(message.created_at).isoformat()
    patient = _patient(message, person)
    patient_url = f"urn:uuid:{patient['id']}"
    organisation = {
        "resourceType": "Organization",
        "id": _uuid(message, "organisation"),
        "name": referral.organisation.name,
    }
    label = OutcomeMessageKind(message.kind).label
    payload: list[dict[str, Any]] = [{"contentString": f"Referral {referral.reference}: {label.lower()}."}]
    observations: list[dict[str, Any]] = []
    if not message.codes_only:
        payload.append({"contentString": message.body})
        episode = SupportEpisode.objects.filter(referral=referral).first()
        if message.kind == OutcomeMessageKind.SUPPORT_ENDED and episode is not None:
            lines = measure_lines(list(episode.measures.all()), OUTCOME_INSTRUMENTS)
            observations = [_observation(message, line, patient_url) for line in lines]
            payload += [{"contentReference": {"reference": f"urn:uuid:{obs['id']}"}} for obs in observations]
    communication: dict[str, Any] = {
        "resourceType": "Communication",
        "id": _uuid(message, "communication"),
        "identifier": [{"system": REFERRAL_IDENTIFIER_SYSTEM, "value": referral.reference}],
        "status": "completed",
        "category": [_event_concept(message.kind)],
        "subject": {"reference": patient_url},
        "sent": sent,
        "recipient": [{"display": message.recipient}],
        "sender": {"reference": f"urn:uuid:{organisation['id']}", "display": organisation["name"]},
        "payload": payload,
    }
    event_code = EVENT_CODES.get(message.kind)
    if event_code is not None:
        communication["reasonCode"] = [event_code.concept()]
    return {
        "resourceType": "Bundle",
        "id": _uuid(message, "bundle"),
        "meta": {"lastUpdated": sent},
        "identifier": {
            "system": MESSAGE_IDENTIFIER_SYSTEM,
            "value": f"{referral.organisation.slug}/{message.pk}",
        },
        "type": "collection",
        "timestamp": sent,
        "entry": [_entry(resource) for resource in (communication, patient, organisation, *observations)],
    }


def outcome_lines(referral: Referral) -> list[str]:
    """The measures, in plain sentences, for the letter at the end of support (only sent with consent)."""
    episode = SupportEpisode.objects.filter(referral=referral).first()
    if episode is None:
        return []
    return [
        measure_sentence(line) for line in measure_lines(list(episode.measures.all()), OUTCOME_INSTRUMENTS)
    ]


def letter_html(message: OutcomeMessage) -> str:
    """The letter standing alone: what the PDF is made from (never served as a page)."""
    referral = message.referral
    return render_to_string(
        "interop/letter_pdf.html",
        {"message": message, "referral": referral, "created_at": to_london(message.created_at)},
    )


def letter_pdf(message: OutcomeMessage) -> bytes:
    return pdf_from_html(letter_html(message), stylesheet=PRINT_STYLES / "letter-print.css")


# Print stylesheets live beside the static files, not in the pages, so no template holds inline styles.
PRINT_STYLES = Path(__file__).resolve().parent / "static" / "interop"
