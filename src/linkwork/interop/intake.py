"""A referral arriving as a FHIR R4 ServiceRequest (docs/fhir-intake.md).

`receive_service_request` checks the whole resource first: its structure (the R4B ServiceRequest model
of `fhir.resources`) and linkwork's own rules, which that model does not check (code values, the
person, lengths). Every problem is collected, with the FHIRPath of the element, so the sender can put
them all right at once; any problem means nothing is written. A valid request becomes one referral in
"received", for a person matched by NHS number or by name and date of birth, or for a new person.

A ServiceRequest with an identifier (system and value) is recorded once: sending it again returns the
referral already made from it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Action, authorize
from linkwork.interop.codes import REFERRAL_TO_SOCIAL_PRESCRIBING, SNOMED
from linkwork.interop.matching_people import (
    REFERRER_CONTACT_LIMIT,
    REFERRER_NAME_LIMIT,
    REFERRER_ORGANISATION_LIMIT,
    TEXT_LIMIT,
    PersonDetails,
    find_person,
    identity_problems,
    person_detail_problems,
    person_for_referral,
    referral_record,
)
from linkwork.people.models import Person
from linkwork.people.nhs_number import normalise_nhs_number
from linkwork.referrals.models import Referral, ReferralSource, Urgency
from linkwork.webhooks.signals import webhook_event

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SOURCE_EXTENSION = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-SourceOfServiceRequest"
# linkwork's own codes for where a referral came from: the values of ReferralSource.
LINKWORK_SOURCE = "https://linkwork.org.uk/fhir/CodeSystem/referral-source"
# SNOMED CT 306098008 |Self-referral (procedure)|, the top of the self-referral half of the UK Core
# SourceOfServiceRequest value set (checked in the UK Core value set definition; docs/fhir-intake.md).
SELF_REFERRAL = "306098008"
# The request intents that mean "please take this person on"; the others are workflow bookkeeping.
INTENTS = frozenset({"proposal", "plan", "directive", "order", "original-order"})
PRIORITIES = {
    "routine": Urgency.ROUTINE,
    "urgent": Urgency.URGENT,
    "asap": Urgency.URGENT,
    "stat": Urgency.URGENT,
}
# Who made the request, when no source extension says: the kind of resource the requester is.
REQUESTER_SOURCES = {
    "Patient": ReferralSource.SELF,
    "RelatedPerson": ReferralSource.FAMILY_FRIEND,
}
IDENTIFIER_LIMIT = 200
# Where the answer names the referral made: linkwork's reference, as staff see it.
LINKWORK_REFERENCE = "https://linkwork.org.uk/fhir/Id/referral-reference"
JSON_TYPES = ("application/fhir+json", "application/json")


@dataclass(frozen=True)
class Issue:
    """One problem, as an OperationOutcome issue: FHIR issue type, plain words and where."""

    code: str
    diagnostics: str
    expression: str

    def as_fhir(self) -> dict[str, Any]:
        return {
            "severity": "error",
            "code": self.code,
            "diagnostics": self.diagnostics,
            "expression": [self.expression],
        }


class IntakeRejected(Exception):
    """The ServiceRequest cannot be received; `issues` lists every problem found. `status` is 400 for a
    body that is not a well-formed ServiceRequest, 422 for one that breaks linkwork's rules and 415 for a
    body that is not JSON by its content type."""

    def __init__(self, issues: list[Issue], status: int) -> None:
        super().__init__(f"{len(issues)} problems")
        self.issues = issues
        self.status = status


@dataclass
class IntakeResult:
    referral: Referral
    created: bool


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [issue.as_fhir() for issue in issues]}


def received_outcome(result: IntakeResult) -> dict[str, Any]:
    """The answer to a referral received (or received before): an informational OperationOutcome."""
    referral = result.referral
    words = "Referral received" if result.created else "This referral was received before"
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": f"{words}: our reference is {referral.reference}.",
                "details": {
                    "coding": [{"system": LINKWORK_REFERENCE, "code": referral.reference}],
                    "text": referral.reference,
                },
                "expression": ["ServiceRequest"],
            }
        ],
    }


def receive_service_request(*, actor: User, content_type: str, body: bytes) -> IntakeResult:
    """Check the ServiceRequest in `body` and record its referral for the actor's organisation.

    Raises PermissionDenied when the actor may not record referrals, and IntakeRejected (nothing
    written) when the request has any problem.
    """
    organisation = actor.organisation
    authorize(actor, Action.CREATE, Referral(organisation=organisation))
    if organisation is None:  # authorize refuses staff without one; this tells mypy
        raise PermissionDenied()
    if content_type not in JSON_TYPES:
        shown = content_type or "no content type"
        issue = Issue(
            "not-supported",
            f"Send the ServiceRequest as application/fhir+json (or application/json), not {shown}.",
            "ServiceRequest",
        )
        raise IntakeRejected([issue], 415)
    reading = _Reading.of(body)
    matched = find_person(organisation=organisation, details=reading.person)
    reading.check_identity(matched)
    if reading.issues:
        raise IntakeRejected(reading.issues, 400 if reading.structural else 422)
    earlier = received_before(organisation, reading.identifier)
    if earlier is not None:
        return IntakeResult(earlier, created=False)
    try:
        with transaction.atomic():
            return IntakeResult(_record(actor, organisation, reading, matched), created=True)
    except IntegrityError:
        # The same ServiceRequest, sent twice at once: the other request recorded it.
        earlier = received_before(organisation, reading.identifier)
        if earlier is None:
            raise
        return IntakeResult(earlier, created=False)


def received_before(organisation: Organisation, identifier: str) -> Referral | None:
    """The referral already made from a ServiceRequest with this identifier ("system|value"), if any."""
    if not identifier:
        return None
    return Referral.objects.filter(organisation=organisation, external_identifier=identifier).first()


def _record(actor: User, organisation: Organisation, reading: _Reading, matched: Person | None) -> Referral:
    person = person_for_referral(
        actor=actor, organisation=organisation, details=reading.person, matched=matched
    )
    referral = referral_record(
        person=person, details=reading.referral, external_identifier=reading.identifier
    )
    audit_record(
        actor=actor,
        event="referral.received_fhir",
        target=referral,
        fields=sorted(name for name, value in reading.referral.items() if value),
        detail={"person": "matched" if matched is not None else "created"},
    )
    webhook_event.send(sender=Referral, event="referral.received", record=referral)
    return referral


def _path(location: tuple[str | int, ...]) -> str:
    text = "ServiceRequest"
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _pydantic_issue(error: Any) -> Issue:
    kind = error["type"]
    where = _path(tuple(error["loc"]))
    if kind == "missing" or kind.endswith(".missing"):
        return Issue("required", "This element is required.", where)
    if kind == "extra_forbidden":
        return Issue("structure", "This element is not part of a FHIR R4 ServiceRequest.", where)
    message = str(error["msg"]).removeprefix("Value error, ")
    return Issue("value", f"This value is not valid: {message}", where)


def _is_resource_type(name: str) -> bool:
    try:
        model = get_fhir_model_class(name)
    except (ValueError, KeyError):
        return False
    return issubclass(model, Resource)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass
class _Reading:
    """What the ServiceRequest says, and every problem found while reading it."""

    data: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    structural: bool = False
    person: PersonDetails = field(default_factory=PersonDetails)
    person_paths: dict[str, str] = field(default_factory=dict)
    subject_path: str = "ServiceRequest.subject"
    referral: dict[str, Any] = field(default_factory=dict)
    identifier: str = ""

    @classmethod
    def of(cls, body: bytes) -> _Reading:
        reading = cls()
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            reading.fail("structure", f"The body is not JSON: {error}.", "ServiceRequest")
            return reading
        if not isinstance(data, dict):
            reading.fail("structure", "The body must be one JSON object: a ServiceRequest.", "ServiceRequest")
            return reading
        if data.get("resourceType") != "ServiceRequest":
            reading.fail(
                "invalid",
                f"Send a ServiceRequest resource; resourceType was {data.get('resourceType')!r}.",
                "ServiceRequest.resourceType",
            )
            return reading
        reading.data = data
        try:
            ServiceRequest.model_validate(reading.checked_contained())
        except ValidationError as error:
            reading.structural = True
            reading.issues.extend(_pydantic_issue(problem) for problem in error.errors())
        except (TypeError, KeyError, ValueError, AttributeError):
            # fhir.resources fails this way on shapes it does not expect; the sender still gets an answer.
            reading.fail("structure", "The ServiceRequest could not be read as FHIR R4.", "ServiceRequest")
        reading.read()
        return reading

    def checked_contained(self) -> dict[str, Any]:
        """The resource for the structure check, without contained entries that are not resources (which
        fhir.resources cannot read): each of those is a problem of its own."""
        contained = self.data.get("contained")
        if not isinstance(contained, list):
            return self.data
        kept = []
        for index, resource in enumerate(contained):
            kind = _dict(resource).get("resourceType")
            if isinstance(kind, str) and _is_resource_type(kind):
                kept.append(resource)
            else:
                self.fail(
                    "structure",
                    f"Each contained entry must be a FHIR resource with a resourceType; this has {kind!r}.",
                    f"ServiceRequest.contained[{index}]",
                )
        return {**self.data, "contained": kept}

    def fail(self, code: str, diagnostics: str, expression: str) -> None:
        self.structural = True
        self.issues.append(Issue(code, diagnostics, expression))

    def problem(self, code: str, diagnostics: str, expression: str) -> None:
        # The structure check may already have named this element; one problem per place is enough.
        if all(issue.expression != expression for issue in self.issues):
            self.issues.append(Issue(code, diagnostics, expression))

    def too_long(self, value: str, limit: int, expression: str) -> str:
        if len(value) > limit:
            self.problem("value", f"This is too long: use at most {limit:,} characters.", expression)
        return value

    def read(self) -> None:
        data = self.data
        # The structure check reports missing elements only once every element present is valid.
        for name in ("status", "intent", "subject"):
            if data.get(name) in (None, "", {}):
                self.problem("required", "This element is required.", f"ServiceRequest.{name}")
        status = data.get("status")
        if isinstance(status, str) and status != "active":
            self.problem(
                "value",
                f'A new referral must have status "active"; it was "{status}".',
                "ServiceRequest.status",
            )
        intent = data.get("intent")
        if isinstance(intent, str) and intent not in INTENTS:
            self.problem(
                "value",
                f'The intent "{intent}" does not ask for a referral; use "order" (or "proposal", "plan", '
                '"directive" or "original-order").',
                "ServiceRequest.intent",
            )
        self.read_code()
        self.read_identifier()
        self.read_subject()
        self.referral = {
            "source": self.read_source(),
            "urgency": self.read_priority(),
            "reason": self.read_reason(),
            **self.read_requester(),
        }

    def read_code(self) -> None:
        if "code" not in self.data:
            return
        codings = _list(_dict(self.data["code"]).get("coding"))
        wanted = REFERRAL_TO_SOCIAL_PRESCRIBING
        if not any(
            _dict(coding).get("system") == SNOMED and _dict(coding).get("code") == wanted.code
            for coding in codings
        ):
            self.problem(
                "value",
                f"The code must be SNOMED CT {wanted.code} ({wanted.display}), with system {SNOMED}.",
                "ServiceRequest.code",
            )

    def read_identifier(self) -> None:
        for index, identifier in enumerate(_list(self.data.get("identifier"))):
            system, value = _text(_dict(identifier).get("system")), _text(_dict(identifier).get("value"))
            if not (system and value):
                continue
            where = f"ServiceRequest.identifier[{index}]"
            if len(system) > IDENTIFIER_LIMIT or len(value) > IDENTIFIER_LIMIT:
                self.problem(
                    "value", f"The identifier's system and value may each be {IDENTIFIER_LIMIT} long.", where
                )
            self.identifier = f"{system}|{value}"
            return

    def contained(self, reference: Any) -> tuple[int, dict[str, Any]] | None:
        """The contained resource a "#id" reference points to, with its position."""
        if not (isinstance(reference, str) and reference.startswith("#")):
            return None
        for index, resource in enumerate(_list(self.data.get("contained"))):
            if _dict(resource).get("id") == reference[1:]:
                return index, _dict(resource)
        return None

    def read_subject(self) -> None:
        subject = _dict(self.data.get("subject"))
        if not subject:
            return  # missing: the structure check reports it
        reference = subject.get("reference")
        if reference is not None:
            found = self.contained(reference)
            if found is None or found[1].get("resourceType") != "Patient":
                self.problem(
                    "invalid",
                    'subject.reference must point to a Patient in contained, like "#patient" with a '
                    'contained Patient whose id is "patient".',
                    "ServiceRequest.subject.reference",
                )
                return
            index, patient = found
            self.read_patient(patient, f"ServiceRequest.contained[{index}]")
            return
        identifier = _dict(subject.get("identifier"))
        if subject.get("type", "Patient") != "Patient" or identifier.get("system") != NHS_NUMBER_SYSTEM:
            self.problem(
                "invalid",
                'The subject must be a contained Patient ("#id") or a Patient identified by NHS number '
                f"(identifier system {NHS_NUMBER_SYSTEM}).",
                "ServiceRequest.subject",
            )
            return
        self.person = PersonDetails(nhs_number=normalise_nhs_number(_text(identifier.get("value"))))
        self.person_paths = {"nhs_number": "ServiceRequest.subject.identifier.value"}

    def read_patient(self, patient: dict[str, Any], where: str) -> None:
        paths: dict[str, str] = {}
        nhs_number = ""
        for index, identifier in enumerate(_list(patient.get("identifier"))):
            if _dict(identifier).get("system") == NHS_NUMBER_SYSTEM:
                nhs_number = normalise_nhs_number(_text(_dict(identifier).get("value")))
                paths["nhs_number"] = f"{where}.identifier[{index}].value"
                break
        names = _list(patient.get("name"))
        name = _dict(names[0]) if names else {}
        given = [_text(part) for part in _list(name.get("given")) if _text(part)]
        paths["first_name"] = paths["last_name"] = f"{where}.name"
        if given:
            paths["first_name"] = f"{where}.name[0].given[0]"
        if name.get("family"):
            paths["last_name"] = f"{where}.name[0].family"
        born: dt.date | None = None
        paths["date_of_birth"] = f"{where}.birthDate"
        birth_date = patient.get("birthDate")
        if isinstance(birth_date, str):
            try:
                born = dt.date.fromisoformat(birth_date)
            except ValueError:
                self.problem("value", "birthDate must be a date, like 1950-03-27.", paths["date_of_birth"])
        phone = email = ""
        for index, telecom in enumerate(_list(patient.get("telecom"))):
            system, value = _dict(telecom).get("system"), _text(_dict(telecom).get("value"))
            if system == "phone" and not phone:
                phone, paths["phone"] = value, f"{where}.telecom[{index}].value"
            elif system == "email" and not email:
                email, paths["email"] = value, f"{where}.telecom[{index}].value"
        addresses = _list(patient.get("address"))
        address = _dict(addresses[0]) if addresses else {}
        lines = [_text(line) for line in _list(address.get("line")) if _text(line)]
        lines += [_text(address.get(part)) for part in ("city", "district") if _text(address.get(part))]
        paths["address"] = paths["postcode"] = f"{where}.address[0]"
        if address.get("postalCode"):
            paths["postcode"] = f"{where}.address[0].postalCode"
        self.person = PersonDetails(
            first_name=given[0] if given else "",
            last_name=_text(name.get("family")),
            date_of_birth=born,
            nhs_number=nhs_number,
            phone=phone,
            email=email,
            address="\n".join(lines),
            postcode=_text(address.get("postalCode")),
        )
        self.person_paths = paths

    def check_identity(self, matched: Person | None) -> None:
        """The person's details, and what a new person needs (known once matching has been tried)."""
        if not self.data:
            return
        for name, message in person_detail_problems(self.person).items():
            text = message if message[0].isupper() else f"This {message}"
            self.problem("value", text, self.person_paths.get(name, self.subject_path))
        if "nhs_number" in self.person_paths and not self.person.nhs_number:
            self.problem("required", "The NHS number is empty.", self.person_paths["nhs_number"])
        missing = identity_problems(self.person, matched)
        if not missing:
            return
        if not self.person_paths.get("first_name"):  # identified by NHS number alone
            self.problem(
                "required",
                "No one with this NHS number is on record here. Send the person as a contained Patient with "
                "their name and birthDate.",
                self.subject_path,
            )
            return
        words = {"first_name": "given name", "last_name": "family name", "date_of_birth": "birthDate"}
        why = (
            "no one on record here has this NHS number"
            if self.person.nhs_number
            else "it is needed when no NHS number is given"
        )
        for name in missing:
            self.problem("required", f"The person's {words[name]} is needed: {why}.", self.person_paths[name])

    def read_source(self) -> str:
        for index, extension in enumerate(_list(self.data.get("extension"))):
            if _dict(extension).get("url") != SOURCE_EXTENSION:
                continue
            where = f"ServiceRequest.extension[{index}].valueCodeableConcept"
            for coding in _list(_dict(_dict(extension).get("valueCodeableConcept")).get("coding")):
                system, code = _dict(coding).get("system"), _dict(coding).get("code")
                if system == SNOMED and code == SELF_REFERRAL:
                    return ReferralSource.SELF
                if system == LINKWORK_SOURCE:
                    if code in ReferralSource.values:
                        return str(code)
                    self.problem(
                        "value",
                        f"{code!r} is not one of linkwork's referral sources: "
                        f"{', '.join(ReferralSource.values)}.",
                        where,
                    )
        requester = _dict(self.data.get("requester"))
        kind = _text(requester.get("type"))
        found = self.contained(requester.get("reference"))
        if found is not None:
            kind = _text(found[1].get("resourceType"))
        elif isinstance(requester.get("reference"), str) and "/" in requester["reference"]:
            kind = requester["reference"].split("/", 1)[0]
        return REQUESTER_SOURCES.get(kind, ReferralSource.GP)

    def read_priority(self) -> str:
        priority = self.data.get("priority")
        if priority is None:
            return Urgency.ROUTINE
        if isinstance(priority, str) and priority in PRIORITIES:
            return PRIORITIES[priority]
        self.problem(
            "value",
            f'The priority must be "routine", "urgent", "asap" or "stat"; it was {priority!r}.',
            "ServiceRequest.priority",
        )
        return Urgency.ROUTINE

    def read_reason(self) -> str:
        parts: list[str] = []
        for index, concept in enumerate(_list(self.data.get("reasonCode"))):
            concept = _dict(concept)
            text = _text(concept.get("text")) or "; ".join(
                _text(_dict(coding).get("display"))
                for coding in _list(concept.get("coding"))
                if _text(_dict(coding).get("display"))
            )
            if text:
                parts.append(self.too_long(text, TEXT_LIMIT, f"ServiceRequest.reasonCode[{index}]"))
        for index, note in enumerate(_list(self.data.get("note"))):
            text = _text(_dict(note).get("text"))
            if text:
                parts.append(self.too_long(text, TEXT_LIMIT, f"ServiceRequest.note[{index}].text"))
        reason = "\n\n".join(parts)
        if len(reason) > TEXT_LIMIT and all(len(part) <= TEXT_LIMIT for part in parts):
            self.problem(
                "value",
                f"The reasons and notes together are too long: use at most {TEXT_LIMIT:,} characters.",
                "ServiceRequest.note",
            )
        return reason

    def read_requester(self) -> dict[str, str]:
        """The referrer's name, organisation and contact, from the requester and what it points to."""
        requester = _dict(self.data.get("requester"))
        name = _text(requester.get("display"))
        organisation = contact = ""
        found = self.contained(requester.get("reference"))
        where = "ServiceRequest.requester"
        if found is not None:
            index, resource = found
            where = f"ServiceRequest.contained[{index}]"
            kind = resource.get("resourceType")
            if kind == "Organization":
                organisation = _text(resource.get("name")) or name
                name = "" if organisation == name else name
            elif kind == "PractitionerRole":
                name = name or _text(_dict(resource.get("practitioner")).get("display"))
                organisation = _text(_dict(resource.get("organization")).get("display"))
            else:
                names = _list(resource.get("name"))
                human = _dict(names[0]) if names else {}
                written = _text(human.get("text")) or " ".join(
                    part
                    for part in [
                        *(_text(p) for p in _list(human.get("prefix"))),
                        *(_text(p) for p in _list(human.get("given"))),
                        _text(human.get("family")),
                    ]
                    if part
                )
                name = name or written
            contact = ", ".join(
                _text(_dict(telecom).get("value"))
                for telecom in _list(resource.get("telecom"))
                if _text(_dict(telecom).get("value"))
            )
        return {
            "referrer_name": self.too_long(name, REFERRER_NAME_LIMIT, where),
            "referrer_organisation": self.too_long(organisation, REFERRER_ORGANISATION_LIMIT, where),
            "referrer_contact": self.too_long(contact, REFERRER_CONTACT_LIMIT, f"{where}.telecom"),
        }
