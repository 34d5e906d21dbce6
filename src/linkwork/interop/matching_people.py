"""Who a referral coming from another system is about, and recording it: shared by the FHIR intake and
the spreadsheet import, so both match people the same way.

A referral from outside is matched against every person of the receiving organisation, not only those
the member of staff (or the integration's token) may see: the aim is one record per person, and the
referral joins the intake queue of whoever works that person's case. Nothing about a matched person is
shown back to the sender.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Q

from linkwork.accounts.models import Organisation, Team, User
from linkwork.audit.services import audit_record
from linkwork.core.policies import Operator
from linkwork.core.time import local_today, now
from linkwork.people.models import Person, age_band_on
from linkwork.people.nhs_number import NHS_NUMBER_INVALID, is_valid_nhs_number, normalise_nhs_number
from linkwork.people.services import POSTCODE_INVALID, POSTCODE_PATTERN, normalise_postcode
from linkwork.referrals.models import Referral
from linkwork.referrals.services import _new_reference as new_reference  # the one reference generator

Actor = User | Operator

# The longest values a person's record keeps (people.models.Person).
NAME_LIMIT = 100
PHONE_LIMIT = 40
EMAIL_LIMIT = 254
ADDRESS_LIMIT = 500
# The referral's free text and the referrer's details (referrals.models.Referral).
REFERRER_NAME_LIMIT = 150
REFERRER_ORGANISATION_LIMIT = 200
REFERRER_CONTACT_LIMIT = 200
TEXT_LIMIT = 5_000


@dataclass(frozen=True)
class PersonDetails:
    """Who the referral is about, as the sender gave it (already trimmed; NHS number without spaces)."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""

    def record_fields(self) -> dict[str, Any]:
        """The non-empty details, as fields of a person's record."""
        fields: dict[str, Any] = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "nhs_number": self.nhs_number,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "postcode": normalise_postcode(self.postcode) if self.postcode else "",
        }
        fields = {name: value for name, value in fields.items() if value}
        if self.date_of_birth is not None:
            fields["date_of_birth"] = self.date_of_birth
            fields["age_band"] = age_band_on(self.date_of_birth, local_today())
        return fields


def person_detail_problems(details: PersonDetails) -> dict[str, str]:
    """What is wrong with the details as given, by field name; the identity rule is `identity_problems`."""
    problems: dict[str, str] = {}
    for name in ("first_name", "last_name"):
        if len(getattr(details, name)) > NAME_LIMIT:
            problems[name] = f"is too long: use at most {NAME_LIMIT} characters."
    if details.nhs_number and not is_valid_nhs_number(details.nhs_number):
        problems["nhs_number"] = NHS_NUMBER_INVALID
    if details.date_of_birth is not None and details.date_of_birth >= local_today():
        problems["date_of_birth"] = "Date of birth must be in the past."
    if len(details.phone) > PHONE_LIMIT:
        problems["phone"] = f"is too long: use at most {PHONE_LIMIT} characters."
    if details.email:
        try:
            validate_email(details.email)
        except DjangoValidationError:
            problems["email"] = "Enter an e-mail address in the right format, like name@example.org."
        if len(details.email) > EMAIL_LIMIT:
            problems["email"] = f"is too long: use at most {EMAIL_LIMIT} characters."
    if len(details.address) > ADDRESS_LIMIT:
        problems["address"] = f"is too long: use at most {ADDRESS_LIMIT} characters."
    if details.postcode and not POSTCODE_PATTERN.match(normalise_postcode(details.postcode)):
        problems["postcode"] = POSTCODE_INVALID
    return problems


def find_person(*, organisation: Organisation, details: PersonDetails) -> Person | None:
    """The organisation's person this referral is about, or None.

    A valid NHS number on record decides. Otherwise first name, last name and date of birth must all be
    given and match exactly (ignoring case), and a person whose record holds a different NHS number is
    never taken for them. When several people match, the one recorded first is chosen.
    """
    people = Person.objects.filter(organisation=organisation).order_by("pk")
    nhs_number = normalise_nhs_number(details.nhs_number)
    if nhs_number and is_valid_nhs_number(nhs_number):
        found = people.filter(nhs_number=nhs_number).first()
        if found is not None:
            return found
    if not (details.first_name and details.last_name and details.date_of_birth):
        return None
    same = people.filter(
        first_name__iexact=details.first_name,
        last_name__iexact=details.last_name,
        date_of_birth=details.date_of_birth,
    )
    if nhs_number:
        same = same.filter(Q(nhs_number="") | Q(nhs_number=nhs_number))
    return same.first()


def identity_problems(details: PersonDetails, matched: Person | None) -> list[str]:
    """Fields missing for a new person: with no one matched, first name, last name and date of birth."""
    if matched is not None:
        return []
    return [name for name in ("first_name", "last_name", "date_of_birth") if not getattr(details, name)]


def person_for_referral(
    *,
    actor: Actor,
    organisation: Organisation,
    details: PersonDetails,
    matched: Person | None,
    team: Team | None = None,
) -> Person:
    """The matched person, or a new one made from the details (call inside the caller's transaction)."""
    if matched is not None:
        return matched
    fields = details.record_fields()
    person = Person.objects.create(organisation=organisation, team=team, **fields)
    audit_record(
        actor=actor,
        event="person.created",
        target=person,
        fields=sorted(fields) + (["team"] if team else []),
        organisation_id=organisation.pk,
    )
    return person


def referral_record(
    *,
    person: Person,
    details: dict[str, Any],
    received_at: dt.datetime | None = None,
    external_identifier: str = "",
) -> Referral:
    """A new referral in "received" for `person` (details already checked by the caller)."""
    return Referral.objects.create(
        organisation=person.organisation,
        person=person,
        reference=new_reference(),
        received_at=received_at or now(),
        external_identifier=external_identifier,
        **details,
    )
