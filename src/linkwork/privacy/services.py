"""Subject access, erasure and retention. Every write is authorised, atomic and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import local_today, now, to_london
from linkwork.people.models import Person
from linkwork.privacy import erasure, subject_access
from linkwork.privacy.models import (
    DEFAULT_RETENTION_MONTHS,
    DataRequest,
    RequestKind,
    RequestReason,
    RetentionRun,
    RetentionSetting,
)
from linkwork.referrals.models import OPEN_REFERRAL_STATUSES, Referral
from linkwork.support.models import OPEN_EPISODE_STATUSES, SupportEpisode

Actor = User | Operator

ALREADY_ERASED = "This person's details have already been erased."
STILL_OPEN = (
    "This person still has an open referral or support. Close them first: erasure would leave the "
    "connector with a case they cannot work."
)
MAX_RETENTION_MONTHS = 1200


def _name(actor: Actor) -> str:
    return actor.get_username()


def _record(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    reason: str = RequestReason.PERSON_ASKED,
    fmt: str = "",
    counts: dict[str, dict[str, int]] | None = None,
) -> DataRequest:
    return DataRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        kind=kind,
        reason=reason,
        format=fmt,
        done_at=now(),
        done_by=actor if isinstance(actor, User) else None,
        done_by_name=_name(actor),
        counts=counts or {},
    )


def is_erased(person: Person) -> bool:
    return DataRequest.objects.filter(person=person, kind=RequestKind.ERASURE).exists()


# Subject access -------------------------------------------------------------------------------------


def person_export(*, actor: Actor, person: Person, fmt: str) -> bytes:
    """Everything held about the person in `fmt` (json, html or pdf), recorded and audited."""
    authorize(actor, Action.CREATE, DataRequest(person=person, kind=RequestKind.EXPORT))
    if fmt not in subject_access.FORMATS:
        raise ValidationFailed(
            "Choose JSON, a web page (HTML) or PDF.", fields={"format": "Choose a format."}
        )
    data = subject_access.collect(person, generated_by=_name(actor))
    # Made before anything is recorded, so a failure leaves no record of an export that did not happen.
    content = subject_access.render(data, fmt)
    with transaction.atomic():
        _record(actor=actor, person=person, kind=RequestKind.EXPORT, fmt=fmt)
        audit_record(
            actor=actor,
            event="person.exported",
            target=person,
            detail={"format": fmt, "records": data.count},
        )
    return content


# Erasure --------------------------------------------------------------------------------------------


def _refuse_erasure(person: Person) -> None:
    if is_erased(person):
        raise DomainError(ALREADY_ERASED, code="ALREADY_ERASED")
    open_referral = Referral.objects.filter(person=person, status__in=OPEN_REFERRAL_STATUSES).exists()
    open_episode = SupportEpisode.objects.filter(person=person, status__in=OPEN_EPISODE_STATUSES).exists()
    if open_referral or open_episode:
        raise DomainError(STILL_OPEN, code="STILL_OPEN")


def erasure_preview(*, actor: Actor, person: Person) -> erasure.ErasurePlan:
    """The dry run: what erasing would change, changing nothing."""
    authorize(actor, Action.CREATE, DataRequest(person=person, kind=RequestKind.ERASURE))
    _refuse_erasure(person)
    return erasure.walk(person, apply=False)


def person_erase(
    *, actor: Actor, person: Person, reason: str = RequestReason.PERSON_ASKED
) -> erasure.ErasurePlan:
    """Irreversibly anonymise the person's details, in one transaction, audited with counts only."""
    authorize(actor, Action.CREATE, DataRequest(person=person, kind=RequestKind.ERASURE))
    with transaction.atomic():
        # Locked, so two erasures (or an erasure and an edit) cannot interleave.
        person = Person.objects.select_for_update().get(pk=person.pk)
        _refuse_erasure(person)
        plan = erasure.walk(person, apply=True)
        counts = plan.counts()
        _record(actor=actor, person=person, kind=RequestKind.ERASURE, reason=reason, counts=counts)
        audit_record(
            actor=actor, event="person.erased", target=person, detail={"reason": reason, "counts": counts}
        )
    return plan


# Retention ------------------------------------------------------------------------------------------


def retention_months(organisation: Organisation) -> int | None:
    """The organisation's retention period in months; None means keep until someone erases."""
    setting = RetentionSetting.objects.filter(organisation=organisation).first()
    return DEFAULT_RETENTION_MONTHS if setting is None else setting.months


def retention_update(*, actor: Actor, organisation: Organisation, months: int | None) -> RetentionSetting:
    setting = RetentionSetting.objects.filter(organisation=organisation).first() or RetentionSetting(
        organisation=organisation, months=DEFAULT_RETENTION_MONTHS
    )
    authorize(actor, Action.UPDATE, setting)
    if months is not None and not 1 <= months <= MAX_RETENTION_MONTHS:
        message = (
            f"Enter a whole number of months from 1 to {MAX_RETENTION_MONTHS}, or choose to keep records."
        )
        raise ValidationFailed(message, fields={"months": message})
    before = setting.months if setting.pk else retention_months(organisation)
    with transaction.atomic():
        setting.months = months
        setting.updated_by = actor if isinstance(actor, User) else None
        setting.save()
        audit_record(
            actor=actor,
            event="retention.updated",
            target=setting,
            fields=["months"],
            values={"months": [before, months]},
            organisation_id=organisation.pk,
        )
    return setting


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retention_due(organisation: Organisation, months: int, today: dt.date | None = None) -> QuerySet[Person]:
    """People whose every referral and support episode closed more than `months` months ago, and who
    have not been erased. The last day counted is the latest of: an episode's close or follow-up, and a
    referral's decision; someone with neither counts from when their record was made."""
    cutoff = _months_before(today or local_today(), months)
    open_referrals = Referral.objects.filter(person=OuterRef("pk"), status__in=OPEN_REFERRAL_STATUSES)
    open_episodes = SupportEpisode.objects.filter(person=OuterRef("pk"), status__in=OPEN_EPISODE_STATUSES)
    erased = DataRequest.objects.filter(person=OuterRef("pk"), kind=RequestKind.ERASURE)
    people = (
        Person.objects.filter(organisation=organisation)
        .exclude(Exists(open_referrals) | Exists(open_episodes) | Exists(erased))
        .annotate(
            last_closed=Max("episodes__closed_on"),
            last_followed_up=Max("episodes__followed_up_on"),
            last_decided=Max("referrals__decided_at"),
        )
    )
    due = [
        pk
        for pk, *last in people.values_list(
            "pk", "last_closed", "last_followed_up", "last_decided", "created_at"
        )
        if _last_day(*last) < cutoff
    ]
    return Person.objects.filter(pk__in=due).order_by("pk")


def _last_day(
    closed: dt.date | None, followed_up: dt.date | None, decided: dt.datetime | None, created: dt.datetime
) -> dt.date:
    days = [day for day in (closed, followed_up) if day is not None]
    if decided is not None:
        days.append(to_london(decided).date())
    return max(days) if days else to_london(created).date()


@dataclass(frozen=True)
class RetentionResult:
    organisation: Organisation
    months: int | None
    person_ids: list[int]
    dry_run: bool


def retention_run(*, actor: Actor, organisation: Organisation, dry_run: bool = False) -> RetentionResult:
    """Anonymise everyone kept past the organisation's retention period (with `dry_run`, only list
    them), and log the run. Each person is erased in a transaction of their own."""
    months = retention_months(organisation)
    due = [] if months is None else list(retention_due(organisation, months).values_list("pk", flat=True))
    done: list[int] = []
    for person in Person.objects.filter(pk__in=due).order_by("pk"):
        if not dry_run:
            person_erase(actor=actor, person=person, reason=RequestReason.RETENTION)
        done.append(person.pk)
    with transaction.atomic():
        run = RetentionRun.objects.create(
            organisation=organisation,
            ran_at=now(),
            months=months,
            dry_run=dry_run,
            person_ids=done,
            count=len(done),
            run_by_name=_name(actor),
        )
        if not dry_run:
            audit_record(
                actor=actor,
                event="retention.ran",
                target=run,
                detail={"months": months, "people": len(done)},
                organisation_id=organisation.pk,
            )
    return RetentionResult(organisation, months, done, dry_run)


def retention_run_all(*, actor: Operator, dry_run: bool = False) -> list[RetentionResult]:
    """The retention task for every organisation (from `linkwork daily` and `linkwork person retention`)."""
    return [
        retention_run(actor=actor, organisation=organisation, dry_run=dry_run)
        for organisation in Organisation.objects.order_by("pk")
    ]
