"""Reads of people and consent, always through the access policies; opening a record is audited."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.people.models import Consent, Person


def person_list(*, actor: User, search: str = "") -> QuerySet[Person]:
    people = visible_to(actor, Action.VIEW, Person)
    for word in search.split()[:4]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(postcode__istartswith=word)
        )
    return people.order_by("last_name", "first_name")


def person_get(*, actor: User, person_id: int, action: str = Action.VIEW) -> Person:
    """One person's record. A volunteer asks for VIEW_PRACTICAL; both reads are audited."""
    person = visible_to(actor, action, Person).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    if action in (Action.VIEW, Action.VIEW_PRACTICAL):
        event = "person.viewed" if action == Action.VIEW else "person.viewed_practical"
        audit_record(actor=actor, event=event, target=person)
    return person


def consent_list(*, actor: User, person: Person) -> QuerySet[Consent]:
    return visible_to(actor, Action.VIEW, Consent).filter(person=person).order_by("purpose", "-recorded_at")


def consent_get(*, actor: User, consent_id: int) -> Consent:
    consent = visible_to(actor, Action.UPDATE, Consent).filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    return consent


def person_list_practical(*, actor: User) -> QuerySet[Person]:
    """The people a volunteer is helping (for casework roles, everyone they work with)."""
    return visible_to(actor, Action.VIEW_PRACTICAL, Person).order_by("first_name")
