"""Reads for data-protection requests, always through the access policies."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, can, organisation_of, visible_to
from linkwork.people.models import Person
from linkwork.privacy.models import (
    DEFAULT_RETENTION_MONTHS,
    DataRequest,
    RequestKind,
    RetentionRun,
    RetentionSetting,
)
from linkwork.privacy.policies import people_for


def person_for_request(*, actor: User, person_id: int, kind: str = RequestKind.EXPORT) -> Person:
    """The person an export (or erasure) is asked for. Missing and not allowed look the same."""
    if not can(actor, Action.CREATE, DataRequest(kind=kind)):
        raise NotFound()
    person = people_for(actor, kind).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def person_find(*, actor: User, text: str) -> Person:
    """A person by record number or referral reference (e.g. LW-ABC234), for answering a request."""
    if not can(actor, Action.CREATE, DataRequest(kind=RequestKind.EXPORT)):
        raise NotFound()
    text = text.strip().upper()
    condition = Q(referrals__reference=text)
    if text.isdigit() and len(text) < 19:
        condition |= Q(pk=int(text))
    person = people_for(actor, RequestKind.EXPORT).filter(condition).distinct().first()
    if person is None:
        raise NotFound("No one in your organisation has that record number or referral reference.")
    return person


def may_request(actor: User, person: Person, kind: str) -> bool:
    return can(actor, Action.CREATE, DataRequest(person=person, kind=kind))


def data_request_list(*, actor: User, person: Person | None = None) -> QuerySet[DataRequest]:
    requests = visible_to(actor, Action.VIEW, DataRequest)
    if person is not None:
        requests = requests.filter(person=person)
    return requests.order_by("-done_at")


def retention_setting_for(*, actor: User) -> RetentionSetting:
    """The actor's organisation's setting (unsaved, holding the default, when none was ever saved)."""
    setting = visible_to(actor, Action.VIEW, RetentionSetting).first()
    if setting is None:
        setting = RetentionSetting(organisation_id=organisation_of(actor))
        if not can(actor, Action.VIEW, setting):
            raise NotFound()
        setting.months = DEFAULT_RETENTION_MONTHS
    return setting


def retention_run_list(*, actor: User) -> QuerySet[RetentionRun]:
    return visible_to(actor, Action.VIEW, RetentionRun).order_by("-ran_at")
