"""A support episode as FHIR R4 resources: plain, JSON-ready dicts built from records already loaded.

Nothing here reads the database or checks a permission: `interop.export` gathers an episode's records for
an actor who may see them and passes them in. Every id is a UUID 5 of a fixed namespace and the record's
model and primary key, so exporting the same records twice gives the same resources; only the Bundle's
timestamp and the Provenance's `recorded` carry the time of the export. docs/fhir.md describes each
resource and the mapping tables below.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from linkwork import __version__
from linkwork.core.time import to_london
from linkwork.interop import codes
from linkwork.matching.models.connections import Connection, ConnectionStatus
from linkwork.outcomes.definitions import Instrument, SumScoring, instrument_get
from linkwork.outcomes.models import Measure
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource, ReferralStatus, Urgency
from linkwork.support.models import (
    OPEN_EPISODE_STATUSES,
    Contact,
    ContactOutcome,
    EpisodeStatus,
    Goal,
    GoalStatus,
    SupportEpisode,
)

Resource = dict[str, Any]

# Fixed for ever: changing it would give every exported record a new id.
ID_NAMESPACE = uuid.UUID("5b0c7f7e-1d0a-5d6c-9a43-6c696e6b776f")

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
PROFILES = {
    "Patient": UK_CORE + "UKCore-Patient",
    "ServiceRequest": UK_CORE + "UKCore-ServiceRequest",
    "Questionnaire": UK_CORE + "UKCore-Questionnaire",
    "QuestionnaireResponse": UK_CORE + "UKCore-QuestionnaireResponse",
    "Observation": UK_CORE + "UKCore-Observation",
}
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
REFERRAL_ID_SYSTEM = "https://linkwork.org.uk/fhir/Id/referral"
QUESTIONNAIRE_BASE = "https://linkwork.org.uk/fhir/Questionnaire/"
ANSWERS_BASE = "https://linkwork.org.uk/fhir/CodeSystem/answers/"
# The R4 core extension giving a coded answer its score (hl7.org/fhir/R4/extension-ordinalvalue.html).
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
LONELINESS_TITLE = "Loneliness and social connection"

# ServiceRequest.status (R4 request-status) from the referral's status. An accepted referral stays
# "active" while its support is open and is "completed" once support has ended.
REFERRAL_STATUS: dict[str, str] = {
    ReferralStatus.RECEIVED: "active",
    ReferralStatus.CONTACT_ATTEMPTED: "active",
    ReferralStatus.ACCEPTED: "active",
    ReferralStatus.DECLINED: "revoked",
    ReferralStatus.UNABLE_TO_CONTACT: "revoked",
    ReferralStatus.NOT_APPROPRIATE: "revoked",
}
ACCEPTED_AND_ENDED = "completed"
# ServiceRequest.priority (R4 request-priority) from the referral's urgency.
URGENCY_PRIORITY: dict[str, str] = {
    Urgency.ROUTINE: "routine",
    Urgency.SOON: "urgent",
    Urgency.URGENT: "asap",
}
# CarePlan.status (R4 request-status) from the episode's status.
EPISODE_STATUS: dict[str, str] = {
    EpisodeStatus.ACTIVE: "active",
    EpisodeStatus.PAUSED: "on-hold",
    EpisodeStatus.ENDING_PLANNED: "active",
    EpisodeStatus.CLOSED: "completed",
    EpisodeStatus.FOLLOW_UP_DUE: "completed",
    EpisodeStatus.FOLLOWED_UP: "completed",
}
# Goal.lifecycleStatus (R4 goal-status) and, where it says more, Goal.achievementStatus.
GOAL_STATUS: dict[str, str] = {
    GoalStatus.NOT_STARTED: "accepted",
    GoalStatus.IN_PROGRESS: "active",
    GoalStatus.ACHIEVED: "completed",
    GoalStatus.CHANGED: "cancelled",
    GoalStatus.DROPPED: "cancelled",
    GoalStatus.PAUSED: "on-hold",
}
GOAL_ACHIEVEMENT: dict[str, codes.Code] = {
    GoalStatus.IN_PROGRESS: codes.GOAL_IN_PROGRESS,
    GoalStatus.ACHIEVED: codes.GOAL_ACHIEVED,
}
# CarePlan.activity.detail.status (R4 care-plan-activity-status) for contacts and connections.
CONTACT_STATUS: dict[str, str] = {
    ContactOutcome.ATTENDED: "completed",
    ContactOutcome.PERSON_CANCELLED: "cancelled",
    ContactOutcome.CONNECTOR_CANCELLED: "cancelled",
    ContactOutcome.NO_ANSWER: "cancelled",
}
CONNECTION_STATUS: dict[str, str] = {
    ConnectionStatus.SUGGESTED: "not-started",
    ConnectionStatus.DISCUSSED: "not-started",
    ConnectionStatus.INTERESTED: "not-started",
    ConnectionStatus.DECLINED: "cancelled",
    ConnectionStatus.REFERRED: "scheduled",
    ConnectionStatus.VISIT_PLANNED: "scheduled",
    ConnectionStatus.ATTENDED: "in-progress",
    ConnectionStatus.ATTENDING: "in-progress",
    ConnectionStatus.STILL_ATTENDING: "in-progress",
    ConnectionStatus.STOPPED: "stopped",
}


@dataclass(frozen=True)
class EpisodeRecords:
    """What one export contains, loaded by the caller after its permission check. `measures` are the
    questionnaires answered (not skipped); `loneliness_text` is the summary's plain text, or ""."""

    episode: SupportEpisode
    person: Person
    organisation_name: str
    referral: Referral | None
    goals: Sequence[Goal]
    contacts: Sequence[Contact]
    connections: Sequence[Connection]
    measures: Sequence[Measure]
    loneliness_text: str


def resource_id(model: str, key: object) -> str:
    """The UUID 5 of a record: `model` is its app label and model name (or a kind), `key` its pk."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{model}:{key}"))


def full_url(resource: Resource) -> str:
    return f"urn:uuid:{resource['id']}"


def reference(resource: Resource) -> dict[str, str]:
    return {"reference": full_url(resource)}


def instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _profile(resource_type: str) -> dict[str, list[str]]:
    return {"profile": [PROFILES[resource_type]]}


# Patient and ServiceRequest -----------------------------------------------------------------------------


def patient(person: Person) -> Resource:
    """The person, with only the details held: NHS number, names, date of birth, phone, e-mail, address."""
    resource: Resource = {
        "resourceType": "Patient",
        "id": resource_id("people.person", person.pk),
        "meta": _profile("Patient"),
    }
    if person.nhs_number:
        resource["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": person.nhs_number}]
    official: dict[str, Any] = {"use": "official", "given": [person.first_name]}
    if person.last_name:
        official["family"] = person.last_name
    names = [official]
    if person.preferred_name and person.preferred_name != person.first_name:
        usual: dict[str, Any] = {"use": "usual", "given": [person.preferred_name]}
        if person.last_name:
            usual["family"] = person.last_name
        names.append(usual)
    resource["name"] = names
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", person.phone), ("email", person.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    if person.date_of_birth is not None:
        resource["birthDate"] = person.date_of_birth.isoformat()
    address = {
        name: value
        for name, value in (("text", person.address.strip()), ("postalCode", person.postcode))
        if value
    }
    if address:
        resource["address"] = [address]
    return resource


def service_request_status(referral: Referral, episode: SupportEpisode | None) -> str:
    if (
        referral.status == ReferralStatus.ACCEPTED
        and episode is not None
        and episode.status not in OPEN_EPISODE_STATUSES
    ):
        return ACCEPTED_AND_ENDED
    return REFERRAL_STATUS[referral.status]


def _requester(referral: Referral, subject: Resource) -> dict[str, str]:
    if referral.source == ReferralSource.SELF:
        return reference(subject)
    who = ", ".join(part for part in (referral.referrer_name, referral.referrer_organisation) if part)
    return {"display": who or referral.get_source_display()}


def service_request(
    referral: Referral, *, subject: Resource, episode: SupportEpisode | None, organisation_name: str
) -> Resource:
    """The referral to the service, coded with SNOMED CT 871731000000106."""
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": resource_id("referrals.referral", referral.pk),
        "meta": _profile("ServiceRequest"),
        "identifier": [{"system": REFERRAL_ID_SYSTEM, "value": referral.reference}],
        "status": service_request_status(referral, episode),
        "intent": "order",
        "priority": URGENCY_PRIORITY[referral.urgency],
        "code": codes.REFERRAL_TO_SOCIAL_PRESCRIBING.concept(),
        "subject": reference(subject),
        "authoredOn": instant(referral.received_at),
        "requester": _requester(referral, subject),
        "performer": [{"display": organisation_name}],
    }
    if referral.reason.strip():
        resource["reasonCode"] = [{"text": referral.reason.strip()}]
    return resource


# Questionnaires, answers and scores --------------------------------------------------------------------


def questionnaire_url(instrument_key: str) -> str:
    return QUESTIONNAIRE_BASE + instrument_key


def _answer_system(instrument_key: str) -> str:
    return ANSWERS_BASE + instrument_key


def _option_coding(instrument: Instrument, position: int, score: int | None) -> dict[str, Any]:
    """A coded answer: its place in the published order as the code, with its score when it has one."""
    coding: dict[str, Any] = {
        "system": _answer_system(instrument.code),
        "code": str(position + 1),
        "display": instrument.answers.options[position].label,
    }
    if score is not None:
        coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": score}]
    return coding


def _option_score(instrument: Instrument, reversed_item: bool, position: int) -> int | None:
    # The scoring engine's rule: a reversed item scores its options as if listed the other way round.
    options = instrument.answers.options
    return (options[-1 - position] if reversed_item else options[position]).score


def questionnaire(instrument: Instrument) -> Resource:
    """The questionnaire as linkwork asks it: wording, answer options and scores, and its licence."""
    numbers = instrument.answers.numbers
    items = []
    for item in instrument.items:
        entry: dict[str, Any] = {"linkId": str(item.number), "text": item.text}
        if numbers is not None:
            entry["type"] = "integer"
            entry["extension"] = [
                {"url": MIN_VALUE, "valueInteger": numbers.minimum},
                {"url": MAX_VALUE, "valueInteger": numbers.maximum},
            ]
        else:
            entry["type"] = "choice"
            entry["answerOption"] = [
                {
                    "valueCoding": _option_coding(
                        instrument, position, _option_score(instrument, item.reversed, position)
                    )
                }
                for position in range(len(instrument.answers.options))
            ]
        items.append(entry)
    description = " ".join(
        part
        for part in (
            instrument.measures,
            instrument.introduction.text if instrument.introduction else "",
            f"Thinking about {instrument.time_frame}." if instrument.time_frame else "",
        )
        if part
    )
    resource: Resource = {
        "resourceType": "Questionnaire",
        "id": resource_id("questionnaire", instrument.code),
        "meta": _profile("Questionnaire"),
        "url": questionnaire_url(instrument.code),
        "name": instrument.code.upper().replace("-", "_"),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "linkwork",
        "description": description,
        "copyright": instrument.licence.notice or instrument.licence.text,
        "item": items,
    }
    panel = codes.instrument_panel_code(instrument.code)
    if panel is not None:
        resource["code"] = [panel.coding()]
    return resource


def _answer(instrument: Instrument, reversed_item: bool, given: str) -> dict[str, Any] | None:
    """The FHIR answer to one item, or None when the person preferred not to say."""
    numbers = instrument.answers.numbers
    text = given.strip()
    if numbers is not None:
        return {"valueInteger": int(text)} if text.isdigit() else None
    for position, option in enumerate(instrument.answers.options):
        if option.accepts(text):
            score = _option_score(instrument, reversed_item, position)
            return {"valueCoding": _option_coding(instrument, position, score)}
    return None


def questionnaire_response(
    measure: Measure, instrument: Instrument, *, subject: Resource, based_on: dict[str, str]
) -> Resource:
    """One questionnaire as answered. A question the person preferred not to answer has no item."""
    items = []
    for item, given in zip(instrument.items, measure.answers, strict=False):
        answer = _answer(instrument, item.reversed, str(given))
        if answer is not None:
            items.append({"linkId": str(item.number), "text": item.text, "answer": [answer]})
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id("outcomes.measure", measure.pk),
        "meta": _profile("QuestionnaireResponse"),
        "questionnaire": questionnaire_url(instrument.code),
        "basedOn": [based_on],
        "status": "completed",
        "subject": reference(subject),
        "authored": instant(measure.recorded_at),
        "source": reference(subject),
    }
    if items:
        resource["item"] = items
    return resource


def total_code(instrument: Instrument) -> list[codes.Code]:
    """The total score's codes: the checked national one (LOINC) when there is one, then linkwork's."""
    national = codes.instrument_total_code(instrument.code)
    local = codes.instrument_local_code(instrument.code, f"{instrument.name} total score")
    return [national, local] if national is not None else [local]


def _score_value(value: float) -> dict[str, Any]:
    if float(value).is_integer():
        return {"valueInteger": int(value)}
    return {
        "valueQuantity": {
            "value": value,
            "unit": "score",
            "system": "http://unitsofmeasure.org",
            "code": "{score}",
        }
    }


def total_observation(
    measure: Measure, instrument: Instrument, *, subject: Resource, response: Resource
) -> Resource | None:
    """The total score as an Observation; None for questionnaires without one, or with too few answers."""
    scoring = instrument.scoring
    if not isinstance(scoring, SumScoring) or measure.total is None or not measure.valid:
        return None
    total_codes = total_code(instrument)
    resource: Resource = {
        "resourceType": "Observation",
        "id": resource_id("outcomes.measure.total", measure.pk),
        "meta": _profile("Observation"),
        "status": "final",
        "category": [codes.SURVEY.concept()],
        "code": {"coding": [code.coding() for code in total_codes], "text": f"{instrument.name} total score"},
        "subject": reference(subject),
        "effectiveDateTime": instant(measure.recorded_at),
        **_score_value(measure.total),
        "derivedFrom": [reference(response)],
        "note": [{"text": f"Asked {measure_time_label(measure)}."}],
    }
    if measure.band:
        resource["interpretation"] = [{"text": measure.band}]
    if scoring.conversion is not None and measure.metric is not None:
        name = scoring.conversion.name
        metric_code = codes.instrument_local_code(f"{instrument.code}-metric", f"{instrument.name}: {name}")
        resource["component"] = [{"code": metric_code.concept(), **_score_value(measure.metric)}]
    return resource


def measure_time_label(measure: Measure) -> str:
    if measure.months_after_ending:
        return f"at the {measure.months_after_ending}-month follow-up"
    return measure.get_time_point_display().lower()


# Goals and the care plan --------------------------------------------------------------------------------


def goal(record: Goal, *, subject: Resource) -> Resource:
    """A goal in the person's words; its steps and latest progress rating are notes."""
    resource: Resource = {
        "resourceType": "Goal",
        "id": resource_id("support.goal", record.pk),
        "lifecycleStatus": GOAL_STATUS[record.status],
        "description": {"text": record.title},
        "subject": reference(subject),
        "startDate": to_london(record.created_at).date().isoformat(),
        "expressedBy": reference(subject),
    }
    achievement = GOAL_ACHIEVEMENT.get(record.status)
    if achievement is not None:
        resource["achievementStatus"] = achievement.concept()
    notes = []
    if record.steps.strip():
        notes.append({"text": f"Steps: {record.steps.strip()}"})
    if record.progress is not None:
        notes.append({"text": f"Latest progress rating: {record.progress} out of 10."})
    if notes:
        resource["note"] = notes
    return resource


def contact_activity(contact: Contact) -> dict[str, Any]:
    """A contact with the connector or a volunteer: its kind, when and whether it went ahead (no notes)."""
    label = contact.get_type_display()
    period: dict[str, str] = {"start": instant(contact.occurred_at)}
    if contact.duration_minutes:
        period["end"] = instant(contact.occurred_at + dt.timedelta(minutes=contact.duration_minutes))
    detail: dict[str, Any] = {
        "kind": "Appointment",
        "code": {"text": label},
        "status": CONTACT_STATUS[contact.outcome],
        "scheduledPeriod": period,
        "description": f"{label}: {contact.activity}" if contact.activity else label,
    }
    if contact.outcome != ContactOutcome.ATTENDED:
        detail["statusReason"] = {"text": contact.get_outcome_display()}
    return {"detail": detail}


def connection_activity(connection: Connection) -> dict[str, Any]:
    """A connection into a community activity: the service, its stage and the first visit (no notes)."""
    detail: dict[str, Any] = {
        "kind": "ServiceRequest",
        "code": {"text": "Connection to a community activity"},
        "status": CONNECTION_STATUS[connection.status],
        "statusReason": {"text": connection.get_status_display()},
        "description": connection.service_name,
    }
    if connection.visit_on is not None:
        detail["scheduledPeriod"] = {"start": connection.visit_on.isoformat()}
    return {"detail": detail}


def care_plan(
    records: EpisodeRecords, *, subject: Resource, goals: Iterable[Resource], supporting: Iterable[Resource]
) -> Resource:
    """The support episode: its status, dates, goals, contacts and connections, and the loneliness and
    social connection summary as a note."""
    episode = records.episode
    end = episode.closed_on or episode.planned_end_on
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": resource_id("support.supportepisode", episode.pk),
        "status": EPISODE_STATUS[episode.status],
        "intent": "plan",
        "category": [{"text": "Social prescribing support"}],
        "title": f"{episode.programme.name} with {records.organisation_name}",
        "description": (
            f"Time-limited support from a connector at {records.organisation_name}: "
            f"up to {episode.contact_allowance} one-to-one contacts."
        ),
        "subject": reference(subject),
        "period": {"start": episode.started_on.isoformat(), "end": end.isoformat()},
        "author": {"display": records.organisation_name},
    }
    goal_references = [reference(item) for item in goals]
    if goal_references:
        resource["goal"] = goal_references
    supporting_references = [reference(item) for item in supporting]
    if supporting_references:
        resource["supportingInfo"] = supporting_references
    activities = [contact_activity(item) for item in _in_order(records.contacts, "occurred_at")]
    activities += [connection_activity(item) for item in _in_order(records.connections, "created_at")]
    if activities:
        resource["activity"] = activities
    if records.loneliness_text.strip():
        resource["note"] = [{"text": f"{LONELINESS_TITLE}\n\n{records.loneliness_text.strip()}"}]
    return resource


def provenance(
    *, targets: Iterable[Resource], episode: SupportEpisode, organisation_name: str, recorded: str
) -> Resource:
    """Who holds the records (the organisation) and what assembled them (linkwork)."""
    return {
        "resourceType": "Provenance",
        "id": resource_id("provenance.supportepisode", episode.pk),
        "target": [reference(item) for item in targets],
        "recorded": recorded,
        "agent": [
            {"type": codes.CUSTODIAN.concept(), "who": {"display": organisation_name}},
            {"type": codes.ASSEMBLER.concept(), "who": {"display": f"linkwork {__version__}"}},
        ],
    }


# The bundle ---------------------------------------------------------------------------------------------


def _in_order(records: Iterable[Any], moment: str) -> list[Any]:
    return sorted(records, key=lambda record: (getattr(record, moment), record.pk))


def episode_bundle(records: EpisodeRecords, *, exported_at: dt.datetime) -> Resource:
    """The whole episode as a Bundle of type "collection"."""
    subject = patient(records.person)
    episode = records.episode
    # Answers are given as part of the plan: each QuestionnaireResponse is basedOn the CarePlan.
    based_on = {"reference": f"urn:uuid:{resource_id('support.supportepisode', episode.pk)}"}
    measures = _in_order(records.measures, "recorded_at")
    instruments = {key: instrument_get(key) for key in sorted({measure.instrument for measure in measures})}
    questionnaires = [questionnaire(instrument) for instrument in instruments.values()]
    responses, observations = [], []
    for measure in measures:
        instrument = instruments[measure.instrument]
        response = questionnaire_response(measure, instrument, subject=subject, based_on=based_on)
        responses.append(response)
        observation = total_observation(measure, instrument, subject=subject, response=response)
        if observation is not None:
            observations.append(observation)
    goals = [goal(item, subject=subject) for item in _in_order(records.goals, "created_at")]
    request = (
        service_request(
            records.referral, subject=subject, episode=episode, organisation_name=records.organisation_name
        )
        if records.referral is not None
        else None
    )
    plan = care_plan(
        records,
        subject=subject,
        goals=goals,
        supporting=[*([request] if request else []), *responses, *observations],
    )
    resources = [
        subject,
        *([request] if request else []),
        plan,
        *goals,
        *questionnaires,
        *responses,
        *observations,
    ]
    timestamp = instant(exported_at)
    resources.append(
        provenance(
            targets=resources,
            episode=episode,
            organisation_name=records.organisation_name,
            recorded=timestamp,
        )
    )
    return {
        "resourceType": "Bundle",
        "id": resource_id("bundle.supportepisode", episode.pk),
        "type": "collection",
        "timestamp": timestamp,
        "entry": [{"fullUrl": full_url(resource), "resource": resource} for resource in resources],
    }
