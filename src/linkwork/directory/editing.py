"""Staff editing of directory entries: the entry's own fields and connector facts, its address, its
session times and its closures.

Each function is authorised through the entry's policy (an editor of the owner organisation), atomic
and audited. Every change bumps the entry's `version` and sets `last_modified`, so two editors working
on one entry at once cannot silently overwrite each other: pass the version the editor started from as
`expected_version` and a change made in between raises `EditConflict`. Audit entries name the fields
that changed, never their values (entries hold contact names and e-mail addresses).
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import fields as dataclass_fields
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.audit.versions import edit_conflict
from linkwork.core.errors import EditConflict as EditConflict  # still importable from here
from linkwork.core.errors import NotFound, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.directory import geography, recurrence
from linkwork.directory.connector_facts import FACTS, Fact
from linkwork.directory.models import (
    Address,
    Closure,
    EntryState,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)
from linkwork.directory.services import web_address
from linkwork.directory.signals import announce_services_changed

Actor = User | Operator

HSDS_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
TEXT_LIMITS = {
    "name": 200,
    "alternate_name": 200,
    "description": 4000,
    "url": 500,
    "email": 254,
    "status": 20,
    "application_process": 2000,
    "fees_description": 1000,
    "eligibility_description": 2000,
    "alert": 1000,
    "wait_time": 200,
    "interpretation_services": 500,
}
ORGANIZATION_FIELD = "organization_name"
PHONE_FIELD = "phone"
AGE_FIELDS = ("minimum_age", "maximum_age")
FACT_COLUMNS = {fact.column: fact for fact in FACTS}
SERVICE_FIELDS = frozenset({*TEXT_LIMITS, *AGE_FIELDS, *FACT_COLUMNS, ORGANIZATION_FIELD, PHONE_FIELD})

LOCATION_FIELDS = ("name", "address_1", "address_2", "city", "postal_code", "transportation")
SCHEDULE_FIELDS = frozenset(
    field.name for field in dataclass_fields(recurrence.Recurrence) if field.name != "closures"
)


# --- Checking what editors typed -------------------------------------------------------------------


def _text(value: Any, limit: int) -> str:
    return str(value if value is not None else "").strip()[:limit]


def _age(value: Any, field: str, errors: dict[str, str]) -> float | None:
    if value is None or value == "":
        return None
    try:
        age = float(value)
    except (TypeError, ValueError):
        errors[field] = "Enter an age in years, like 18."
        return None
    if not math.isfinite(age) or not 0 <= age <= 120:
        errors[field] = "Enter an age from 0 to 120."
        return None
    return age


def _fact(fact: Fact, value: Any, errors: dict[str, str]) -> bool | str | None:
    if fact.kind == "boolean":
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in {"true", "yes", "1"}:
            return True
        if lowered in {"false", "no", "0"}:
            return False
        errors[fact.column] = f"{fact.name}: choose yes, no or not known."
        return None
    text = _text(value, 2000)
    if fact.kind == "choice" and text:
        assert fact.choices is not None
        if text not in fact.choices.values:
            errors[fact.column] = f"{fact.name}: choose one of the options."
    return text


def _clean_service_details(details: dict[str, Any]) -> dict[str, Any]:
    """The given fields in their stored form, or ValidationFailed naming each bad one."""
    unknown = set(details) - SERVICE_FIELDS
    if unknown:
        raise ValueError(f"not fields of a directory entry: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in details.items():
        if name in TEXT_LIMITS:
            cleaned[name] = _text(value, TEXT_LIMITS[name])
        elif name in AGE_FIELDS:
            cleaned[name] = _age(value, name, errors)
        elif name in FACT_COLUMNS:
            cleaned[name] = _fact(FACT_COLUMNS[name], value, errors)
        else:
            cleaned[name] = _text(value, 200 if name == ORGANIZATION_FIELD else 40)
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = "Enter the name of the service or activity."
    if ORGANIZATION_FIELD in cleaned and not cleaned[ORGANIZATION_FIELD]:
        errors[ORGANIZATION_FIELD] = "Enter the name of the group or organisation that runs it."
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError:
            errors["email"] = "Enter an e-mail address in the right format, like name@example.org."
    if "url" in cleaned:
        cleaned["url"] = web_address(cleaned["url"], errors)
    if "status" in cleaned:
        cleaned["status"] = cleaned["status"].lower() or "active"
        if cleaned["status"] not in HSDS_STATUSES:
            errors["status"] = (
                "Choose whether the service is active, inactive, temporarily closed or defunct."
            )
    low, high = cleaned.get("minimum_age"), cleaned.get("maximum_age")
    if low is not None and high is not None and high < low:
        errors["maximum_age"] = "The oldest age must be the same as or more than the youngest age."
    if errors:
        raise ValidationFailed("Check the details of the entry.", fields=errors)
    return cleaned


# --- Shared steps ------------------------------------------------------------------------------------


def _locked(service: Service, expected_version: int | None, yours: dict[str, Any] | None = None) -> Service:
    """The entry's row, locked for this transaction, after checking nobody changed it meanwhile: if
    someone did, EditConflict says who and when, with their values and `yours` side by side."""
    current = Service.objects.select_for_update().get(pk=service.pk)
    if expected_version is not None and current.version != expected_version:
        raise edit_conflict(current, expected_version=expected_version, yours=yours or {})
    return current


def _touch(actor: Actor, service: Service, changed: list[str], detail: dict[str, Any] | None = None) -> None:
    """Bump the version, stamp the change and audit the names of the fields that changed."""
    service.version += 1
    service.last_modified = now()
    service.save()
    announce_services_changed([service.pk])
    audit_record(
        actor=actor,
        event="directory_service.updated",
        target=service,
        fields=sorted(set(changed)),
        detail=detail,
        organisation_id=service.owner_id,
    )


def _provider(owner_id: int, name: str) -> Organization:
    """The owner's provider organisation with this name, made if there is none yet."""
    found = Organization.objects.filter(owner_id=owner_id, name=name).order_by("pk").first()
    return found or Organization.objects.create(owner_id=owner_id, name=name)


def _set_phone(service: Service, number: str) -> bool:
    """The entry's main phone number; True if it changed."""
    phone = service.phones.order_by("pk").first()
    if phone is None:
        if not number:
            return False
        Phone.objects.create(service=service, number=number, type="voice")
        return True
    if phone.number == number:
        return False
    if number:
        phone.number = number
        phone.save(update_fields=["number"])
    else:
        phone.delete()
    return True


def _provider_name(service: Service) -> str | None:
    try:
        return service.organization.name if service.organization is not None else None
    except Organization.DoesNotExist:  # an HSDS reference to a record we were never given
        return None


def _apply(service: Service, cleaned: dict[str, Any]) -> list[str]:
    """Put cleaned values on the (locked) entry; the names of the fields that changed."""
    changed: list[str] = []
    for name, value in cleaned.items():
        if name == ORGANIZATION_FIELD:
            if _provider_name(service) != value:
                service.organization = _provider(service.owner_id, value)
                changed.append("organization")
        elif name == PHONE_FIELD:
            if _set_phone(service, value):
                changed.append("phones")
        elif getattr(service, name) != value:
            setattr(service, name, value)
            changed.append(name)
    return changed


# --- The entry itself --------------------------------------------------------------------------------


def service_create(*, actor: Actor, owner: Organisation, details: dict[str, Any]) -> Service:
    """A new draft entry looked after by `owner`; `details` needs at least a name and its provider."""
    authorize(actor, Action.CREATE, Service(owner=owner))
    cleaned = _clean_service_details(
        {"name": "", ORGANIZATION_FIELD: "", **details},
    )
    moment = now()
    with transaction.atomic():
        service = Service(
            owner=owner,
            state=EntryState.DRAFT,
            state_changed_at=moment,
            last_modified=moment,
            source="entered by staff",
            source_recorded_at=moment,
            source_recorded_by=actor.get_username(),
        )
        phone = cleaned.pop(PHONE_FIELD, "")
        service.organization = _provider(owner.pk, cleaned.pop(ORGANIZATION_FIELD))
        for name, value in cleaned.items():
            setattr(service, name, value)
        service.save()
        if phone:
            Phone.objects.create(service=service, number=phone, type="voice")
        announce_services_changed([service.pk])
        audit_record(
            actor=actor,
            event="directory_service.created",
            target=service,
            fields=sorted({"name", "organization", *cleaned, *(["phones"] if phone else [])}),
            organisation_id=owner.pk,
        )
    return service


def service_update(
    *, actor: Actor, service: Service, details: dict[str, Any], expected_version: int | None
) -> Service:
    """Change the fields given in `details` (others are left as they are); returns the saved entry.

    Fields: the entry's text fields (name, description, url, email, status, ...), `minimum_age` and
    `maximum_age`, the connector facts (`connector_facts.FACTS` columns), `organization_name` (the
    provider) and `phone` (the main phone number).
    """
    authorize(actor, Action.UPDATE, service)
    cleaned = _clean_service_details(details)
    with transaction.atomic():
        current = _locked(service, expected_version, cleaned)
        changed = _apply(current, cleaned)
        if changed:
            _touch(actor, current, changed)
    return current


# --- Where it happens -------------------------------------------------------------------------------


def _own_location(service: Service, link: ServiceAtLocation | None) -> Location | None:
    """The entry's (first) location, if this entry alone uses it and its owner looks after it."""
    try:
        location: Location | None = link.location if link is not None else None
    except Location.DoesNotExist:  # an HSDS reference to a venue we were never given
        return None
    if location is None or location.owner_id != service.owner_id:
        return None
    if ServiceAtLocation.objects.filter(location=location).exclude(service=service).exists():
        return None
    return location


def service_location_set(
    *, actor: Actor, service: Service, details: dict[str, Any], expected_version: int | None = None
) -> Location:
    """Set where the entry happens: the venue's name, address, postcode and how to get there.

    The postcode places the venue on the map (its sector's centre), so people can search by distance.
    A location other entries share, or one another organisation looks after, is left alone: the entry
    gets a location of its own instead.
    """
    authorize(actor, Action.UPDATE, service)
    unknown = set(details) - set(LOCATION_FIELDS)
    if unknown:
        raise ValueError(f"not fields of a location: {', '.join(sorted(unknown))}")
    cleaned = {
        name: _text(details.get(name), 500 if name == "transportation" else 200) for name in LOCATION_FIELDS
    }
    errors: dict[str, str] = {}
    place: geography.Place | None = None
    if not (cleaned["name"] or cleaned["address_1"]):
        errors["address_1"] = "Enter the first line of the address, or the name of the venue."
    if cleaned["postal_code"]:
        try:
            place = geography.locate(cleaned["postal_code"])
            cleaned["postal_code"] = geography.normalise_postcode(cleaned["postal_code"])
        except ValidationFailed as error:
            errors["postal_code"] = error.fields.get("postcode", error.message)
    if errors:
        raise ValidationFailed("Check the address.", fields=errors)
    with transaction.atomic():
        current = _locked(service, expected_version)
        link = current.service_at_locations.select_related("location").order_by("pk").first()
        location = _own_location(current, link)
        if location is None:
            location = Location.objects.create(
                owner_id=current.owner_id, organization_id=current.organization_id, location_type="physical"
            )
            if link is not None:  # the entry moves from the shared venue to its own
                link.delete()
            ServiceAtLocation.objects.create(service=current, location=location)
        location.name = cleaned["name"]
        location.transportation = cleaned["transportation"]
        location.latitude = place.latitude if place else None
        location.longitude = place.longitude if place else None
        location.save()
        address = location.addresses.order_by("pk").first() or Address(
            location=location, country="GB", address_type="physical"
        )
        for name in ("address_1", "address_2", "city", "postal_code"):
            setattr(address, name, cleaned[name])
        address.save()
        _touch(actor, current, ["location"])
    return location


# --- When it happens --------------------------------------------------------------------------------

SCHEDULE_TEXT_FIELDS = frozenset(
    {"freq", "byday", "bymonthday", "byweekno", "byyearday", "wkst", "description"}
)


def schedule_add(
    *, actor: Actor, service: Service, details: dict[str, Any], expected_version: int | None = None
) -> Schedule:
    """Add a session time. `details` holds HSDS schedule fields (freq, interval, byday, bymonthday,
    dtstart, until, count, valid_from, valid_to, opens_at, closes_at, description); the pattern is
    checked with `recurrence.problems`, so only schedules we can put into words and dates are saved."""
    authorize(actor, Action.UPDATE, service)
    unknown = set(details) - SCHEDULE_FIELDS
    if unknown:
        raise ValueError(f"not fields of a schedule: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in details.items():
        if name in SCHEDULE_TEXT_FIELDS:
            text = _text(value, 2000 if name == "description" else 200)
            values[name] = text if name == "description" else text.upper()
        else:
            values[name] = value if value != "" else None
    rule = recurrence.Recurrence(**values)
    if problems := recurrence.problems(rule):
        raise ValidationFailed("Check the session times.", fields=problems)
    with transaction.atomic():
        current = _locked(service, expected_version)
        schedule = Schedule.objects.create(service=current, **values)
        _touch(actor, current, ["schedules"], {"change": "added"})
    return schedule


def schedule_remove(
    *, actor: Actor, service: Service, schedule_id: uuid.UUID, expected_version: int | None = None
) -> None:
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service, expected_version)
        deleted, _ = Schedule.objects.filter(service=current, pk=schedule_id).delete()
        if not deleted:
            raise NotFound("That session time is not part of this entry.")
        _touch(actor, current, ["schedules"], {"change": "removed"})


def closure_add(
    *,
    actor: Actor,
    service: Service,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
    expected_version: int | None = None,
) -> Closure:
    """A time the service is closed, such as school holidays; sessions in it are not shown."""
    authorize(actor, Action.UPDATE, service)
    if ends_on < starts_on:
        message = "The last day of the closure must be on or after the first day."
        raise ValidationFailed(message, fields={"ends_on": message})
    with transaction.atomic():
        current = _locked(service, expected_version)
        closure = Closure.objects.create(
            service=current, starts_on=starts_on, ends_on=ends_on, reason=_text(reason, 200)
        )
        _touch(actor, current, ["closures"], {"change": "added"})
    return closure


def closure_remove(
    *, actor: Actor, service: Service, closure_id: int, expected_version: int | None = None
) -> None:
    authorize(actor, Action.UPDATE, service)
    with transaction.atomic():
        current = _locked(service, expected_version)
        deleted, _ = Closure.objects.filter(service=current, pk=closure_id).delete()
        if not deleted:
            raise NotFound("That closure is not part of this entry.")
        _touch(actor, current, ["closures"], {"change": "removed"})
