"""Recording questionnaires (scored by the one engine), schedules, skips, one-time links,
safeguarding alerts and stories. Every write is authorised, validated, atomic and audited."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, NotFound, ValidationFailed
from linkwork.core.hashing import secret_hash
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.outcomes.definitions import instrument_get, instrument_list
from linkwork.outcomes.models import (
    Measure,
    MeasureLink,
    MeasureSchedule,
    SafeguardingAlert,
    SkipReason,
    Story,
    TimePoint,
)
from linkwork.outcomes.scoring import score
from linkwork.people.choices import ConsentPurpose
from linkwork.people.services import consent_in_force
from linkwork.support.models import OPEN_EPISODE_STATUSES, EpisodeStatus, Programme, SupportEpisode

Actor = User | Operator

LINK_LIFETIME = dt.timedelta(days=7)
ACTION_REQUIRED = "Say what was done: whom you spoke to and what was agreed."
NO_STORY_CONSENT = "The person has not agreed to their story being shared. Record their consent first."
UNKNOWN_INSTRUMENT = "There is no questionnaire with the code {code!r}."
MONTHS_REQUIRED = "Say how many months after support ends the follow-up is (1 to 60)."


def _check_instrument(code: str) -> None:
    try:
        instrument_get(code)
    except NotFound:
        message = UNKNOWN_INSTRUMENT.format(code=code)
        raise ValidationFailed(message, fields={"instrument": "Choose a questionnaire."}) from None


def safeguarding_flags(code: str) -> set[str]:
    """The flags of an instrument that need a person at once (e.g. PHQ-9 item 9), from its definition."""
    return {flag.name for flag in instrument_get(code).flags if flag.kind == "safeguarding"}


def _check_time_point(time_point: str, months: int | None) -> int | None:
    if time_point not in TimePoint.values:
        raise ValidationFailed(
            "Choose when the questionnaire is asked.", fields={"time_point": "Choose one."}
        )
    if time_point == TimePoint.FOLLOW_UP:
        if months is None or not 1 <= months <= 60:
            raise ValidationFailed(MONTHS_REQUIRED, fields={"months_after_ending": MONTHS_REQUIRED})
        return months
    return None


def schedule_set(
    *, actor: Actor, programme: Programme, entries: Iterable[tuple[str, str, int | None]]
) -> list[MeasureSchedule]:
    """Replace a programme's schedule with `entries` of (instrument, time point, months after ending)."""
    authorize(actor, Action.UPDATE, programme)
    cleaned = set()
    for instrument, time_point, months in entries:
        _check_instrument(instrument)
        cleaned.add((instrument, time_point, _check_time_point(time_point, months)))
    with transaction.atomic():
        programme.measure_schedule.all().delete()
        rows = MeasureSchedule.objects.bulk_create(
            MeasureSchedule(programme=programme, instrument=i, time_point=t, months_after_ending=m)
            for i, t, m in sorted(cleaned, key=lambda entry: (entry[1], entry[2] or 0, entry[0]))
        )
        audit_record(
            actor=actor,
            event="schedule.updated",
            target=programme,
            fields=["measure_schedule"],
            values={
                "measure_schedule": [None, [f"{i}:{t}:{m or ''}" for i, t, m in sorted(cleaned, key=str)]]
            },
        )
    return rows


def _store(
    *,
    actor: Actor | None,
    episode: SupportEpisode,
    instrument: str,
    time_point: str,
    months: int | None,
    answers: list[Any],
) -> Measure:
    result = score(instrument, answers)  # AnswerError (a ValidationFailed) names the item and the choices
    measure = Measure.objects.create(
        episode=episode,
        instrument=instrument,
        time_point=time_point,
        months_after_ending=months,
        recorded_at=now(),
        recorded_by=actor if isinstance(actor, User) else None,
        answers=[str(answer) for answer in answers],
        total=result.total,
        band=result.band or "",
        subscales={code: {"total": s.total, "band": s.band} for code, s in result.subscales.items()},
        flags=list(result.flags),
        metric=result.metric,
        items={
            str(n): {"name": i.name, "score": i.score, "band": i.band} for n, i in result.per_item.items()
        },
        valid=result.valid,
        reason=result.reason or "",
    )
    audit_record(
        actor=actor,
        event="measure.recorded",
        target=measure,
        fields=["answers", "total", "band"],
        values={"instrument": [None, instrument], "time_point": [None, time_point]},
        organisation_id=episode.organisation_id,
    )
    for flag in sorted(set(result.flags) & safeguarding_flags(instrument)):
        alert = SafeguardingAlert.objects.create(
            organisation_id=episode.organisation_id,
            episode=episode,
            measure=measure,
            flag=flag,
            raised_at=now(),
        )
        audit_record(
            actor=actor,
            event="safeguarding.raised",
            target=alert,
            detail={"flag": flag},
            organisation_id=episode.organisation_id,
        )
        transaction.on_commit(partial(alert_notify, alert=alert))
    return measure


def measure_record(
    *,
    actor: Actor,
    episode: SupportEpisode,
    instrument: str,
    time_point: str,
    answers: list[Any],
    months_after_ending: int | None = None,
) -> Measure:
    """Score and store one administration. A worrying answer raises a safeguarding alert at once."""
    authorize(actor, Action.CREATE, Measure(episode=episode))
    _check_instrument(instrument)
    months = _check_time_point(time_point, months_after_ending)
    with transaction.atomic():
        return _store(
            actor=actor,
            episode=episode,
            instrument=instrument,
            time_point=time_point,
            months=months,
            answers=answers,
        )


def measure_skip(
    *,
    actor: Actor,
    episode: SupportEpisode,
    instrument: str,
    time_point: str,
    reason: str,
    months_after_ending: int | None = None,
) -> Measure:
    """Questionnaires are never forced: skipping one is recorded with why."""
    authorize(actor, Action.CREATE, Measure(episode=episode))
    _check_instrument(instrument)
    months = _check_time_point(time_point, months_after_ending)
    if reason not in SkipReason.values:
        raise ValidationFailed("Choose why it was skipped.", fields={"reason": "Choose why it was skipped."})
    with transaction.atomic():
        measure = Measure.objects.create(
            episode=episode,
            instrument=instrument,
            time_point=time_point,
            months_after_ending=months,
            recorded_at=now(),
            recorded_by=actor if isinstance(actor, User) else None,
            skipped=True,
            skip_reason=reason,
        )
        audit_record(
            actor=actor,
            event="measure.skipped",
            target=measure,
            fields=["skip_reason"],
            values={"skip_reason": [None, reason]},
            organisation_id=episode.organisation_id,
        )
    return measure


def measure_link_create(
    *,
    actor: User,
    episode: SupportEpisode,
    instrument: str,
    time_point: str,
    months_after_ending: int | None = None,
) -> tuple[MeasureLink, str]:
    """A link the person can open on their own phone to answer once, within a week."""
    authorize(actor, Action.CREATE, MeasureLink(episode=episode))
    _check_instrument(instrument)
    months = _check_time_point(time_point, months_after_ending)
    if episode.status not in (*OPEN_EPISODE_STATUSES, EpisodeStatus.CLOSED, EpisodeStatus.FOLLOW_UP_DUE):
        raise DomainError("This support episode no longer takes answers.", code="EPISODE_NOT_OPEN")
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        link = MeasureLink.objects.create(
            episode=episode,
            instrument=instrument,
            time_point=time_point,
            months_after_ending=months,
            token_hash=secret_hash(raw),
            created_at=now(),
            created_by=actor,
            expires_at=now() + LINK_LIFETIME,
        )
        audit_record(
            actor=actor, event="measure.link_created", target=link, organisation_id=episode.organisation_id
        )
    return link, raw


def measure_link_get(raw: str) -> MeasureLink:
    """An unused, unexpired link; anything else looks the same: not found."""
    link = MeasureLink.objects.select_related("episode__person").filter(token_hash=secret_hash(raw)).first()
    if link is None or link.used_at is not None or link.expires_at <= now():
        raise NotFound("This link has expired or has already been used.")
    return link


def measure_link_answer(*, raw: str, answers: list[Any]) -> Measure:
    """The person's own answers through a one-time link: stored once, then the link is spent."""
    with transaction.atomic():
        link = MeasureLink.objects.select_for_update().filter(token_hash=secret_hash(raw)).first()
        if link is None or link.used_at is not None or link.expires_at <= now():
            raise NotFound("This link has expired or has already been used.")
        measure = _store(
            actor=None,
            episode=link.episode,
            instrument=link.instrument,
            time_point=link.time_point,
            months=link.months_after_ending,
            answers=answers,
        )
        link.used_at = now()
        link.save(update_fields=["used_at"])
    return measure


def alert_notify(*, alert: SafeguardingAlert) -> None:
    """E-mail the person's connector and their team's supervisors at once. The e-mail names no one:
    it asks them to sign in, where the alert waits on their home page."""
    episode = alert.episode
    supervisors = User.objects.filter(is_active=True, role_grants__role=Role.SUPERVISOR).exclude(email="")
    supervisors = supervisors.filter(teams=episode.person.team) if episode.person.team else supervisors.none()
    recipients = sorted({episode.connector.email, *supervisors.values_list("email", flat=True)} - {""})
    if not recipients:
        return
    link = settings.LINKWORK_BASE_URL.rstrip("/") + reverse("alert_action", args=[alert.pk])
    send_mail(
        subject="linkwork: a safeguarding alert needs someone today",
        message=(
            f"An answer recorded at {alert.organisation.name} has raised a safeguarding alert for someone "
            f"your team supports.\n\nSign in to see who, and record what was done:\n{link}\n\n"
            f"{alert.organisation.crisis_guidance}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )


def alert_record_action(*, actor: Actor, alert: SafeguardingAlert, action_taken: str) -> SafeguardingAlert:
    """The only way an alert leaves the home pages: by saying what was done."""
    authorize(actor, Action.UPDATE, alert)
    if not action_taken.strip():
        raise ValidationFailed(ACTION_REQUIRED, fields={"action_taken": ACTION_REQUIRED})
    already = DomainError("The action on this alert has already been recorded.", code="ALERT_ACTIONED")
    if alert.actioned_at is not None:
        raise already
    with transaction.atomic():
        alert.action_taken = action_taken.strip()
        alert.actioned_by = actor if isinstance(actor, User) else None
        alert.actioned_at = now()
        # Only while no action is stored: of two people acting at once (or a double submit),
        # the second is refused instead of overwriting the first record.
        if not SafeguardingAlert.objects.filter(pk=alert.pk, actioned_at__isnull=True).update(
            action_taken=alert.action_taken, actioned_by=alert.actioned_by, actioned_at=alert.actioned_at
        ):
            alert.refresh_from_db()
            raise already
        audit_record(
            actor=actor,
            event="safeguarding.actioned",
            target=alert,
            fields=["action_taken"],
            organisation_id=alert.organisation_id,
        )
    return alert


def story_create(*, actor: Actor, episode: SupportEpisode, title: str, text: str) -> Story:
    authorize(actor, Action.CREATE, Story(episode=episode))
    if not consent_in_force(episode.person, ConsentPurpose.STORY):
        raise DomainError(NO_STORY_CONSENT, code="NO_STORY_CONSENT")
    errors = {}
    if not title.strip():
        errors["title"] = "Give the story a title."
    if not text.strip():
        errors["text"] = "Write the story."
    if errors:
        raise ValidationFailed("Check the story.", fields=errors)
    with transaction.atomic():
        story = Story.objects.create(
            episode=episode,
            title=title.strip()[:200],
            text=text.strip(),
            created_at=now(),
            created_by=actor if isinstance(actor, User) else episode.connector,
        )
        audit_record(
            actor=actor,
            event="story.recorded",
            target=story,
            fields=["title", "text"],
            organisation_id=episode.organisation_id,
        )
    return story


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_PATTERN = re.compile(
    rf"\b(\d{{1,2}}(st|nd|rd|th)?\s+(of\s+)?({_MONTHS})(\s+\d{{4}})?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|"
    rf"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|({_MONTHS})\s+\d{{4}})\b",
    re.IGNORECASE,
)
# A month on its own counts only when capitalised, and never "May" or "March", which are also
# ordinary words ("she may", "a march").
MONTH_ALONE_PATTERN = re.compile(
    r"\b(January|February|April|June|July|August|September|October|November|December)\b"
)
POSTCODE_PATTERN = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def story_anonymised(story: Story) -> str:
    """The story with names, places and dates replaced, for reports.

    Names come from the record (the person, their referrer, the staff involved) and the
    organisation's own list of local places; dates and postcodes are found by pattern.
    """
    episode = story.episode
    person = episode.person
    names = {
        person.first_name,
        person.last_name,
        person.preferred_name,
        episode.connector.first_name,
        episode.connector.last_name,
    }
    names |= {v.first_name for v in episode.volunteers.all()} | {
        v.last_name for v in episode.volunteers.all()
    }
    if episode.referral is not None:
        names |= set(episode.referral.referrer_name.replace(".", " ").split())
    places = set(episode.organisation.anonymise_terms) | {person.postcode}
    for line in person.address.splitlines():
        # "14 Larkspur Road" is also told as "Larkspur Road": the line without its house number too.
        places |= {line.strip(), re.sub(r"^\d+\w*[\s,]+", "", line.strip())}
    text = story.text
    for term in sorted({t for t in places if t and len(t) > 1}, key=len, reverse=True):
        text = re.sub(re.escape(term), "[place]", text, flags=re.IGNORECASE)
    for term in sorted(
        {n for n in names if n and len(n) > 1 and n not in {"Dr", "Mr", "Mrs", "Ms"}}, key=len, reverse=True
    ):
        text = re.sub(rf"\b{re.escape(term)}\b", "[name]", text, flags=re.IGNORECASE)
    text = POSTCODE_PATTERN.sub("[place]", text)
    return MONTH_ALONE_PATTERN.sub("[date]", DATE_PATTERN.sub("[date]", text))


def instruments_for_choice() -> list[tuple[str, str]]:
    return [(definition.code, definition.name) for definition in instrument_list()]
