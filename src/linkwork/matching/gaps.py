"""Gaps: when nothing suitable is within reach for a need, the connector records it in one click.

A gap is a need (free text, e.g. "swimming for older women"), an area and an optional barrier. The area
is a postcode district ("W10") or a named area ("Northgate estate"), never a full postcode: a postcode
or sector given as the area is cut to its district, and text with a full postcode inside is refused.
With a person and no area, the area is the district of the person's postcode. The person is kept only
for the connector's reference; the gap report groups gaps without them.
"""

from __future__ import annotations

import re

from django.db import transaction

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.directory.geography import normalise_postcode
from linkwork.matching.models import AREA_MAX_LENGTH, NEED_MAX_LENGTH, Gap
from linkwork.people.models import Person
from linkwork.support.services import BARRIERS

Actor = User | Operator

NEED_REQUIRED = "Say what the person needs or is interested in, such as 'swimming for older women'."
NEED_TOO_LONG = f"Keep the need to {NEED_MAX_LENGTH} characters."
NEED_SURNAME = "Leave the person's name out of the need."
AREA_REQUIRED = "Give the area: a postcode district, like W10, or the name of an area."
AREA_TOO_LONG = f"Keep the area to {AREA_MAX_LENGTH} characters."
AREA_POSTCODE = "Give only the first part of the postcode, like W10, not the full postcode."
BARRIER_CHOICE = "Choose a barrier from the list, or leave it empty."

_FULL_POSTCODE = re.compile(
    r"(?<![A-Z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}(?![A-Z0-9])", re.IGNORECASE
)


def need_key(need: str) -> str:
    """How needs are grouped: lower case, single spaces."""
    return " ".join(need.lower().split())


def postcode_district(text: str) -> str:
    """The district ("W10") of a full postcode, sector or district; "" if it is not one."""
    try:
        return normalise_postcode(text).split(" ")[0]
    except DomainError:
        return ""


def _clean_area(area: str, person: Person | None) -> str:
    cleaned = " ".join(area.split())
    if not cleaned and person is not None:
        cleaned = postcode_district(person.postcode)
    if not cleaned:
        raise ValidationFailed(AREA_REQUIRED, fields={"area": AREA_REQUIRED})
    district = postcode_district(cleaned)
    if district:
        return district
    if _FULL_POSTCODE.search(cleaned):
        raise ValidationFailed(AREA_POSTCODE, fields={"area": AREA_POSTCODE})
    if len(cleaned) > AREA_MAX_LENGTH:
        raise ValidationFailed(AREA_TOO_LONG, fields={"area": AREA_TOO_LONG})
    return cleaned


def _clean_need(need: str, person: Person | None) -> str:
    cleaned = " ".join(need.split())
    if not cleaned:
        raise ValidationFailed(NEED_REQUIRED, fields={"need": NEED_REQUIRED})
    if len(cleaned) > NEED_MAX_LENGTH:
        raise ValidationFailed(NEED_TOO_LONG, fields={"need": NEED_TOO_LONG})
    if person is not None:
        surname = person.last_name.strip()
        if surname and re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", cleaned, flags=re.IGNORECASE):
            raise ValidationFailed(NEED_SURNAME, fields={"need": NEED_SURNAME})
    return cleaned


def gap_record(
    *,
    actor: Actor,
    need: str,
    area: str = "",
    barrier: str = "",
    person: Person | None = None,
    organisation_id: int | None = None,
) -> Gap:
    """Record a gap for the actor's organisation (or the person's, for the operator)."""
    if person is not None:
        organisation_id = person.organisation_id
    elif isinstance(actor, User):
        organisation_id = actor.organisation_id
    if organisation_id is None:
        raise ValidationFailed("Say which organisation the gap belongs to.")
    draft = Gap(organisation_id=organisation_id, person=person)
    authorize(actor, Action.CREATE, draft)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    try:
        values["need"] = _clean_need(need, person)
    except ValidationFailed as error:
        errors.update(error.fields)
    try:
        values["area"] = _clean_area(area, person)
    except ValidationFailed as error:
        errors.update(error.fields)
    chosen = barrier.strip()
    if chosen and chosen not in BARRIERS:
        errors["barrier"] = BARRIER_CHOICE
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    with transaction.atomic():
        gap = Gap.objects.create(
            organisation_id=organisation_id,
            need=values["need"],
            need_key=need_key(values["need"]),
            area=values["area"],
            barrier=chosen,
            person=person,
            recorded_by=actor if isinstance(actor, User) else None,
            recorded_at=now(),
        )
        audit_record(
            actor=actor,
            event="gap.recorded",
            target=gap,
            fields=["need", "area", *(["barrier"] if chosen else []), *(["person"] if person else [])],
            values={"barrier": [None, chosen]} if chosen else None,
        )
    return gap
