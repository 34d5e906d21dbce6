"""Writes for people and their consent: authorised, validated, atomic and audited."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.audit.versions import lock_for_edit
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import local_today, now
from linkwork.people.choices import (
    AgeBand,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    DigitalAccess,
    Ethnicity,
    Gender,
    LivingArrangement,
    Mobility,
    TriggerGroup,
)
from linkwork.people.models import Consent, Person, age_band_on
from linkwork.people.nhs_number import NHS_NUMBER_INVALID, is_valid_nhs_number, normalise_nhs_number
from linkwork.support.models import OPEN_EPISODE_STATUSES, SupportEpisode

Actor = User | Operator

FIRST_NAME_REQUIRED = "Enter the person's first name."
DATE_OF_BIRTH_FUTURE = "Date of birth must be in the past."
POSTCODE_INVALID = "Enter a UK postcode, like LS1 4AP."
CONSENT_ALREADY_WITHDRAWN = "This consent has already been withdrawn."
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

# Fields of a person that the audit log may show values for (none are identifying on their own).
NON_PERSONAL_FIELDS = frozenset({"team", "preferred_contact_method", "digital_access", "interpreter_needed"})

CHOICE_FIELDS: dict[str, Any] = {
    "preferred_contact_method": ContactMethod,
    "age_band": AgeBand,
    "gender": Gender,
    "ethnicity": Ethnicity,
    "living_arrangement": LivingArrangement,
    "digital_access": DigitalAccess,
}
LIST_FIELDS: dict[str, Any] = {"mobility": Mobility, "trigger_groups": TriggerGroup}
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "phone",
    "email",
    "address",
    "postcode",
    "preferred_contact_times",
    "gender_description",
    "main_language",
    "caring_responsibilities",
    "disability_and_conditions",
    "nhs_number",
)
PERSON_FIELDS = (*TEXT_FIELDS, *CHOICE_FIELDS, *LIST_FIELDS, "date_of_birth", "interpreter_needed")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value.upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _clean(details: dict[str, Any]) -> dict[str, Any]:
    """Validate a person's details; raises ValidationFailed naming every bad field."""
    unknown = set(details) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in details:
            cleaned[name] = str(details[name] or "").strip()
    if "first_name" in cleaned and not cleaned["first_name"]:
        errors["first_name"] = FIRST_NAME_REQUIRED
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors["email"] = "Enter an e-mail address in the right format, like name@example.org."
    if cleaned.get("postcode"):
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
        if not POSTCODE_PATTERN.match(cleaned["postcode"]):
            errors["postcode"] = POSTCODE_INVALID
    if cleaned.get("nhs_number"):
        if is_valid_nhs_number(cleaned["nhs_number"]):
            cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
        else:
            errors["nhs_number"] = NHS_NUMBER_INVALID
    for name, choices in CHOICE_FIELDS.items():
        if name in details:
            value = details[name] or ""
            if value and value not in choices.values:  # blank is "not known", as the forms offer
                errors[name] = "Choose one of the options."
            cleaned[name] = value
    for name, choices in LIST_FIELDS.items():
        if name in details:
            values = list(details[name] or [])
            if any(value not in choices.values for value in values):
                errors[name] = "Choose from the options."
            cleaned[name] = sorted(set(values))
    if "interpreter_needed" in details:
        cleaned["interpreter_needed"] = bool(details["interpreter_needed"])
    if "date_of_birth" in details:
        born = details["date_of_birth"]
        if born and born >= local_today():
            errors["date_of_birth"] = DATE_OF_BIRTH_FUTURE
        cleaned["date_of_birth"] = born or None
        if born:
            cleaned["age_band"] = age_band_on(born, local_today())
    if errors:
        raise ValidationFailed("Check the person's details.", fields=errors)
    return cleaned


@dataclass(frozen=True)
class PossibleDuplicate:
    person: Person
    reasons: tuple[str, ...]


def _name_key(first: str, last: str) -> str:
    return re.sub(r"[^a-z]", "", f"{first}{last}".lower())


def person_find_duplicates(
    *, organisation: Organisation, details: dict[str, Any], candidates: QuerySet[Person] | None = None
) -> list[PossibleDuplicate]:
    """People already on record who are probably the same person: same name and date of birth,
    same phone or e-mail, or a similar name at the same postcode."""
    people = candidates if candidates is not None else Person.objects.filter(organisation=organisation)
    first, last = details.get("first_name", ""), details.get("last_name", "")
    phone = re.sub(r"\D", "", details.get("phone", "") or "")
    email = (details.get("email") or "").strip().lower()
    postcode = normalise_postcode(details.get("postcode") or "")
    born = details.get("date_of_birth")
    query = Q(pk__in=[])
    if born:
        query |= Q(date_of_birth=born, first_name__iexact=first, last_name__iexact=last)
    if email:
        query |= Q(email__iexact=email)
    if postcode:
        query |= Q(postcode=postcode)
    if len(phone) >= 6:
        # Stored numbers keep their spacing ("0113 496 0000"), so match the last six digits
        # with anything that is not a digit allowed between them.
        query |= Q(phone__regex=r"\D*".join(phone[-6:]) + r"\D*$")
    found: list[PossibleDuplicate] = []
    key = _name_key(first, last)
    for person in people.filter(query)[:50]:
        reasons = []
        if born and person.date_of_birth == born and _name_key(person.first_name, person.last_name) == key:
            reasons.append("same name and date of birth")
        if phone and re.sub(r"\D", "", person.phone) == phone:
            reasons.append("same phone number")
        if email and person.email.lower() == email:
            reasons.append("same e-mail address")
        similar = SequenceMatcher(None, key, _name_key(person.first_name, person.last_name)).ratio() >= 0.8
        if postcode and person.postcode == postcode and similar:
            reasons.append("similar name at the same postcode")
        if reasons:
            found.append(PossibleDuplicate(person, tuple(reasons)))
    return found


def person_create(*, actor: Actor, organisation: Organisation, details: dict[str, Any]) -> Person:
    authorize(actor, Action.CREATE, Person(organisation=organisation))
    cleaned = _clean(details)
    if not cleaned.get("first_name"):
        raise ValidationFailed(FIRST_NAME_REQUIRED, fields={"first_name": FIRST_NAME_REQUIRED})
    with transaction.atomic():
        person = Person.objects.create(organisation=organisation, **cleaned)
        audit_record(actor=actor, event="person.created", target=person, fields=list(cleaned))
    return person


def person_create_unchecked(*, organisation: Organisation, details: dict[str, Any]) -> Person:
    """For the public self-referral form: validated and audited, with no signed-in actor."""
    cleaned = _clean(details)
    if not cleaned.get("first_name"):
        raise ValidationFailed(FIRST_NAME_REQUIRED, fields={"first_name": FIRST_NAME_REQUIRED})
    person = Person.objects.create(organisation=organisation, **cleaned)
    audit_record(
        actor=None,
        event="person.created",
        target=person,
        fields=list(cleaned),
        organisation_id=organisation.pk,
    )
    return person


def person_update(
    *, actor: Actor, person: Person, details: dict[str, Any], expected_version: int | None = None
) -> Person:
    """Change the details given. With `expected_version` (the version the editor started from), a
    record changed since raises EditConflict and nothing is saved; without it the save goes ahead."""
    authorize(actor, Action.UPDATE, person)
    cleaned = _clean(details)
    with transaction.atomic():
        lock_for_edit(person, expected_version=expected_version, yours=cleaned)
        changed = [name for name, value in cleaned.items() if getattr(person, name) != value]
        if not changed:
            return person
        before = {name: getattr(person, name) for name in changed}
        for name in changed:
            setattr(person, name, cleaned[name])
        person.version += 1
        person.save()
        audit_record(
            actor=actor,
            event="person.updated",
            target=person,
            fields=changed,
            values={n: [before[n], cleaned[n]] for n in changed if n in NON_PERSONAL_FIELDS},
        )
    return person


def consent_record(
    *,
    actor: Actor | None,
    person: Person,
    purpose: str,
    agreed: bool,
    method: str,
    note: str = "",
) -> Consent:
    """Record a consent decision. `actor=None` only for the public self-referral form."""
    if actor is not None:
        authorize(actor, Action.CREATE, Consent(person=person))
    if purpose not in ConsentPurpose.values or method not in ConsentMethod.values:
        raise ValidationFailed("Choose what the consent is for and how it was given.")
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            agreed=agreed,
            method=method,
            recorded_at=now(),
            recorded_by=actor if isinstance(actor, User) else None,
            note=note.strip()[:300],
        )
        audit_record(
            actor=actor,
            event="consent.recorded",
            target=consent,
            fields=["purpose", "agreed", "method"],
            values={"purpose": [None, purpose], "agreed": [None, agreed], "method": [None, method]},
            organisation_id=person.organisation_id,
        )
    return consent


def consent_withdraw(*, actor: Actor, consent: Consent) -> Consent:
    authorize(actor, Action.UPDATE, consent)
    if consent.withdrawn_at is not None:
        raise DomainError(CONSENT_ALREADY_WITHDRAWN, code="CONSENT_ALREADY_WITHDRAWN")
    with transaction.atomic():
        consent.withdrawn_at = now()
        consent.withdrawn_by = actor if isinstance(actor, User) else None
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        if consent.purpose == ConsentPurpose.VOLUNTEER_CONTACT:
            _remove_volunteers(actor=actor, person=consent.person)
        audit_record(
            actor=actor,
            event="consent.withdrawn",
            target=consent,
            fields=["withdrawn_at"],
            organisation_id=consent.person.organisation_id,
        )
    return consent


def _remove_volunteers(*, actor: Actor, person: Person) -> None:
    """Withdrawn consent to volunteers takes effect at once: they come off every open episode."""
    for episode in SupportEpisode.objects.filter(person=person, status__in=OPEN_EPISODE_STATUSES):
        removed = sorted(episode.volunteers.values_list("pk", flat=True))
        if removed:
            episode.volunteers.clear()
            SupportEpisode.objects.filter(pk=episode.pk).update(version=F("version") + 1)
            audit_record(
                actor=actor,
                event="episode.updated",
                target=episode,
                fields=["volunteers"],
                values={"volunteers": [removed, []]},
                detail={"reason": "consent to volunteers withdrawn"},
            )


def consents_in_force(person: Person) -> set[str]:
    return {c.purpose for c in person.consents.all() if c.in_force}


def age_band_of(person: Person, today: dt.date | None = None) -> str:
    """The age band now, from the date of birth when known (for reports), else the one recorded."""
    if person.date_of_birth:
        return age_band_on(person.date_of_birth, today or local_today())
    return person.age_band


def consent_in_force(person: Person, purpose: str) -> bool:
    """Whether the person has agreed to `purpose` and not withdrawn it: the one test every rule uses."""
    return person.consents.filter(purpose=purpose, agreed=True, withdrawn_at__isnull=True).exists()
