"""Support episodes: starting, pausing, extending, ending and following up, and what is recorded
along the way (conversations, goals, contacts, meet-ups, budget). Every write is authorised,
validated, atomic and audited; lifecycle moves go through support.transitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Sum

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.audit.versions import EDIT_CONFLICT, edit_conflict, lock_for_edit
from linkwork.core.errors import DomainError, EditConflict, ValidationFailed
from linkwork.core.policies import Action, Operator, authorize, can
from linkwork.core.time import local_today, now, to_london
from linkwork.networks.services import network_snapshot_end
from linkwork.people.choices import ConsentPurpose
from linkwork.people.services import consent_in_force
from linkwork.referrals.models import OutcomeMessageKind, Referral
from linkwork.referrals.services import outcome_message_create, referral_mark_accepted
from linkwork.referrals.transitions import REFERRAL_LIFECYCLE
from linkwork.support.models import (
    ACTIVE_GOAL_STATUSES,
    MAX_ACTIVE_GOALS,
    OPEN_EPISODE_STATUSES,
    BudgetEntry,
    Contact,
    ContactOutcome,
    ContactType,
    Conversation,
    EndingOutcome,
    EpisodeStatus,
    Extension,
    ExtensionStatus,
    Goal,
    GoalStatus,
    GoalUpdate,
    MeetUp,
    MeetUpAttendance,
    Pause,
    PauseReason,
    Programme,
    SupportEpisode,
)
from linkwork.support.transitions import EPISODE_LIFECYCLE
from linkwork.webhooks.signals import webhook_event

Actor = User | Operator

CONTACT_CAP_REACHED = (
    "All {allowance} one-to-one contacts have been used. Ask a supervisor for an extension first."
)
MEETUP_CAP_REACHED = "{name} has already been to {allowance} meet-ups, the most this programme includes."
BUDGET_EXCEEDED = (
    "This would take spending to £{total:.2f}, over the £{allowance:.2f} allowance. "
    "A supervisor must approve spending beyond the allowance."
)
TOO_MANY_GOALS = "A person can work on three goals at a time. Mark one achieved, paused or dropped first."
EXTENSION_PENDING = "An extension is already waiting for a supervisor."
CONVERSATION_GONE = (
    "The conversation is not at the version you opened, so your changes have not been saved. "
    "Open it again, then save."
)
EXTENSION_NOTHING = "Ask for a later end date, more contacts, or both."
EPISODE_NOT_OPEN = "Support has ended, so nothing more can be recorded in this episode."
CONNECTOR_REQUIRED = "Choose a connector from your organisation."
ALREADY_SUPPORTED = "{name} already has support under way. Close it before starting new support."
NO_VOLUNTEER_CONSENT = (
    "The person has not agreed to be contacted by volunteers. Record their consent before assigning one."
)
OWN_EXTENSION = "You asked for this extension, so another supervisor must decide on it."
VOLUNTEER_NOTES = (
    "Volunteers do not write notes about the person. Tell the connector anything they need to know."
)

# The six participation factors (Frerichs et al. 2020) and the CIVIC domains with the two
# additions (Stigma; Connectedness beyond social relationships) from seed document 003.
PARTICIPATION_FACTORS = {
    "desire": "Desire to connect with others",
    "confidence": "Social confidence",
    "meaningful": "Finding something meaningful to do",
    "resources": "Accessible local resources",
    "timing": "Timing of the programme",
    "relationship": "Relationship with the connector",
}
FACTOR_RATINGS = {"helps": "Helps", "mixed": "Mixed", "hinders": "Hinders", "unknown": "Not known"}
CIVIC_DOMAINS = {
    "closeness": "Closeness",
    "identity": "Identity and common bond",
    "valued": "Valued relationships",
    "involvement": "Involvement",
    "cared_for": "Cared for and accepted",
    "stigma": "Stigma",
    "beyond": "Connectedness beyond social relationships",
}
CIVIC_RATINGS = {"strength": "Strength", "neutral": "Neutral", "need": "Need"}
BARRIERS = {
    "mobility": "Mobility",
    "stairs": "Stairs",
    "transport": "Transport",
    "cost": "Cost",
    "language": "Language",
    "confidence": "Confidence",
    "caring": "Caring responsibilities",
    "digital": "Digital access",
    "health": "Health",
    "other": "Other",
}
PREFERS = {"one-to-one": "One-to-one", "groups": "Groups", "either": "Either"}
SETTINGS = {
    "shared-experience": "With people who share their experience",
    "general": "General community",
    "either": "Either",
}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMES = ("morning", "afternoon", "evening")


def _audit(actor: Actor, event: str, target: Any, fields: Iterable[str] = (), **values: Any) -> None:
    audit_record(
        actor=actor,
        event=event,
        target=target,
        fields=fields,
        values=values,
        organisation_id=getattr(target, "organisation_id", None) or target.episode.organisation_id,
    )


def _require_open(episode: SupportEpisode) -> None:
    if episode.status not in OPEN_EPISODE_STATUSES:
        raise DomainError(EPISODE_NOT_OPEN, code="EPISODE_NOT_OPEN")


def _episode_now(episode: SupportEpisode) -> dict[str, Any]:
    """The episode as it is saved, for showing beside a stale edit."""
    return {
        "status": episode.status,
        "connector": episode.connector_id,
        "volunteers": sorted(episode.volunteers.values_list("pk", flat=True)),
        "planned_end_on": episode.planned_end_on,
        "contact_allowance": episode.contact_allowance,
        "continuing_connections": episode.continuing_connections,
        "contacts_after_ending": episode.contacts_after_ending,
        "follow_up_on": episode.follow_up_on,
        "relies_on_service_for_company": episode.relies_on_service_for_company,
        "closed_on": episode.closed_on,
        "outcome": episode.outcome,
        "outcome_note": episode.outcome_note,
        "followed_up_on": episode.followed_up_on,
        "follow_up_note": episode.follow_up_note,
    }


def _lock_episode(episode: SupportEpisode, expected_version: int | None, yours: dict[str, Any]) -> None:
    """Lock and reload the episode; an edit started from an older version raises EditConflict."""
    lock_for_edit(episode, expected_version=None)
    if expected_version is not None and episode.version != expected_version:
        raise edit_conflict(
            episode, expected_version=expected_version, yours=yours, current=_episode_now(episode)
        )


def _move(actor: Actor, episode: SupportEpisode, action: str, event: str, **changes: Any) -> SupportEpisode:
    """Make a lifecycle move on an episode the caller has locked, bumping its version."""
    before = episode.status
    episode.status = EPISODE_LIFECYCLE.target(episode.status, action)
    for name, value in changes.items():
        setattr(episode, name, value)
    episode.version += 1
    episode.save()
    audit_record(
        actor=actor,
        event=event,
        target=episode,
        fields=["status", *changes],
        values={"status": [before, episode.status]},
    )
    return episode


def programme_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    max_contacts: int,
    max_meetups: int,
    planned_weeks: int,
    budget_pence: int,
    follow_up_weeks: int,
) -> Programme:
    authorize(actor, Action.CREATE, Programme(organisation=organisation))
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the programme's name."
    elif Programme.objects.filter(organisation=organisation, name__iexact=name.strip()).exists():
        errors["name"] = "Your organisation already has a programme with this name."
    if not 1 <= max_contacts <= 100:
        errors["max_contacts"] = "Contacts must be between 1 and 100."
    if not 0 <= max_meetups <= 50:
        errors["max_meetups"] = "Meet-ups must be between 0 and 50."
    if not 1 <= planned_weeks <= 104:
        errors["planned_weeks"] = "The planned length must be between 1 and 104 weeks."
    if budget_pence < 0:
        errors["budget_pence"] = "The budget cannot be negative."
    if not 0 <= follow_up_weeks <= 104:
        errors["follow_up_weeks"] = "The follow-up must be within 104 weeks of ending."
    if errors:
        raise ValidationFailed("Check the programme's details.", fields=errors)
    with transaction.atomic():
        programme = Programme.objects.create(
            organisation=organisation,
            name=name.strip(),
            max_contacts=max_contacts,
            max_meetups=max_meetups,
            planned_weeks=planned_weeks,
            budget_pence=budget_pence,
            follow_up_weeks=follow_up_weeks,
        )
        audit_record(actor=actor, event="programme.created", target=programme, fields=["name"])
    return programme


def episode_start(
    *,
    actor: Actor,
    referral: Referral,
    programme: Programme,
    connector: User,
    team: Team | None = None,
    volunteers: Iterable[User] = (),
    started_on: dt.date | None = None,
) -> SupportEpisode:
    """Accept a referral and open a support episode; a re-referral links to the earlier episodes."""
    authorize(actor, Action.CREATE, SupportEpisode)
    # Checked here as well as in referral_mark_accepted: a refusal inside the transaction
    # below would roll back its own audit entry.
    authorize(actor, Action.UPDATE, referral)
    organisation_id = referral.organisation_id
    errors = {}
    if programme.organisation_id != organisation_id or not programme.is_active:
        errors["programme"] = "Choose one of your organisation's programmes."
    if (
        connector.organisation_id != organisation_id
        or not connector.is_active
        or not connector.has_role(Role.CONNECTOR)
    ):
        errors["connector"] = CONNECTOR_REQUIRED
    if team is not None and team.organisation_id != organisation_id:
        errors["team"] = "Choose one of your organisation's teams."
    volunteers = list(volunteers)
    if any(v.organisation_id != organisation_id or not v.has_role(Role.VOLUNTEER) for v in volunteers):
        errors["volunteers"] = "Choose volunteers from your organisation."
    if errors:
        raise ValidationFailed("Check who will support the person.", fields=errors)
    start = started_on or local_today()
    person = referral.person
    REFERRAL_LIFECYCLE.target(referral.status, "accept")  # an already-decided referral is a 409 first
    if person.episodes.filter(status__in=OPEN_EPISODE_STATUSES).exists():
        raise DomainError(ALREADY_SUPPORTED.format(name=person.first_name), code="ALREADY_SUPPORTED")
    if volunteers and not consent_in_force(person, ConsentPurpose.VOLUNTEER_CONTACT):
        raise ValidationFailed(NO_VOLUNTEER_CONSENT, fields={"volunteers": NO_VOLUNTEER_CONSENT})
    with transaction.atomic():
        referral_mark_accepted(actor=actor, referral=referral)
        previous = person.episodes.order_by("-started_on").first()
        episode = SupportEpisode.objects.create(
            organisation_id=organisation_id,
            person=person,
            referral=referral,
            previous_episode=previous,
            programme=programme,
            connector=connector,
            started_on=start,
            planned_end_on=start + dt.timedelta(weeks=programme.planned_weeks),
            contact_allowance=programme.max_contacts,
            budget_allowance_pence=programme.budget_pence,
        )
        episode.volunteers.set(volunteers)
        chosen_team = team or connector.teams.first()
        if chosen_team is not None and person.team_id != chosen_team.pk:
            person.team = chosen_team
            person.save(update_fields=["team"])
        audit_record(
            actor=actor,
            event="episode.started",
            target=episode,
            fields=["programme", "connector", "volunteers", "started_on"],
            values={"programme": [None, programme.pk], "connector": [None, connector.pk]},
        )
    return episode


def episode_assign(
    *,
    actor: Actor,
    episode: SupportEpisode,
    connector: User,
    volunteers: Iterable[User],
    expected_version: int | None = None,
) -> SupportEpisode:
    authorize(actor, Action.UPDATE, episode)
    _require_open(episode)
    volunteers = list(volunteers)
    org = episode.organisation_id
    if connector.organisation_id != org or not connector.is_active or not connector.has_role(Role.CONNECTOR):
        raise ValidationFailed(CONNECTOR_REQUIRED, fields={"connector": CONNECTOR_REQUIRED})
    if any(v.organisation_id != org or not v.has_role(Role.VOLUNTEER) for v in volunteers):
        message = "Choose volunteers from your organisation."
        raise ValidationFailed(message, fields={"volunteers": message})
    if volunteers and not consent_in_force(episode.person, ConsentPurpose.VOLUNTEER_CONTACT):
        raise ValidationFailed(NO_VOLUNTEER_CONSENT, fields={"volunteers": NO_VOLUNTEER_CONSENT})
    with transaction.atomic():
        yours = {"connector": connector.pk, "volunteers": sorted(v.pk for v in volunteers)}
        _lock_episode(episode, expected_version, yours)
        before = (episode.connector_id, sorted(episode.volunteers.values_list("pk", flat=True)))
        episode.connector = connector
        episode.version += 1
        episode.save(update_fields=["connector", "version"])
        episode.volunteers.set(volunteers)
        after = (connector.pk, sorted(v.pk for v in volunteers))
        audit_record(
            actor=actor,
            event="episode.updated",
            target=episode,
            fields=["connector", "volunteers"],
            values={"connector": [before[0], after[0]], "volunteers": [before[1], after[1]]},
        )
    return episode


def episode_pause(
    *,
    actor: Actor,
    episode: SupportEpisode,
    reason: str,
    note: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportEpisode:
    authorize(actor, Action.UPDATE, episode)
    if reason not in PauseReason.values:
        raise ValidationFailed(
            "Choose why support is pausing.", fields={"reason": "Choose why support is pausing."}
        )
    day = on or local_today()
    last = episode.pauses.order_by("-started_on").first()
    if day < episode.started_on or day > local_today() or (last and last.ended_on and day < last.ended_on):
        message = (
            "A pause starts on or after support began (and after any earlier pause), and not in the future."
        )
        raise ValidationFailed(message, fields={"on": message})
    with transaction.atomic():
        _lock_episode(episode, expected_version, {"status": EpisodeStatus.PAUSED, "pause_reason": reason})
        paused_from = episode.status
        _move(actor, episode, "pause", "episode.paused")
        Pause.objects.create(
            episode=episode, started_on=day, reason=reason, note=note.strip()[:300], paused_from=paused_from
        )
    return episode


def episode_resume(
    *,
    actor: Actor,
    episode: SupportEpisode,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportEpisode:
    """Resume after a pause. The paused days are added to the planned end, so a pause costs nothing."""
    authorize(actor, Action.UPDATE, episode)
    day = on or local_today()
    pause = episode.pauses.filter(ended_on__isnull=True).last()
    if pause is not None and day < pause.started_on:
        raise ValidationFailed(
            "Support cannot resume before the pause began.", fields={"on": "Check the date."}
        )
    with transaction.atomic():
        _lock_episode(episode, expected_version, {"status": EpisodeStatus.ACTIVE, "resumed_on": day})
        paused_days = (day - pause.started_on).days if pause else 0
        resumes_ending = pause is not None and pause.paused_from == EpisodeStatus.ENDING_PLANNED
        _move(
            actor,
            episode,
            "resume_ending" if resumes_ending else "resume",
            "episode.resumed",
            planned_end_on=episode.planned_end_on + dt.timedelta(days=paused_days),
        )
        if pause is not None:
            pause.ended_on = day
            pause.save(update_fields=["ended_on"])
    return episode


def extension_request(
    *,
    actor: Actor,
    episode: SupportEpisode,
    new_end_on: dt.date | None,
    extra_contacts: int,
    reason: str,
    expected_version: int | None = None,
) -> Extension:
    """Ask a supervisor for more time or contacts. The checks run with the episode locked, so two
    requests at once cannot both pass the one-pending rule, and a request made from a page opened before
    the episode changed (its planned end, say) is refused with EditConflict."""
    authorize(actor, Action.UPDATE, episode)
    _require_open(episode)
    yours = {"new_end_on": new_end_on, "extra_contacts": extra_contacts, "reason": reason}
    with transaction.atomic():
        _lock_episode(episode, expected_version, yours)
        if episode.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
            raise DomainError(EXTENSION_PENDING, code="EXTENSION_PENDING")
        target_end = new_end_on or episode.planned_end_on
        errors = {}
        if target_end < episode.planned_end_on:
            errors["new_end_on"] = "The new end date must be after the current planned end."
        if extra_contacts < 0 or extra_contacts > 50:
            errors["extra_contacts"] = "Extra contacts must be between 0 and 50."
        if not reason.strip():
            errors["reason"] = "Say why the extension is needed."
        if not errors and target_end == episode.planned_end_on and extra_contacts == 0:
            errors["new_end_on"] = EXTENSION_NOTHING
        if errors:
            raise ValidationFailed("Check the extension request.", fields=errors)
        extension = Extension.objects.create(
            episode=episode,
            new_end_on=target_end,
            extra_contacts=extra_contacts,
            reason=reason.strip(),
            requested_by=actor if isinstance(actor, User) else episode.connector,
            requested_at=now(),
        )
        _audit(actor, "episode.extension_requested", extension, ["new_end_on", "extra_contacts", "reason"])
    return extension


def extension_decide(*, actor: Actor, extension: Extension, approve: bool, note: str = "") -> Extension:
    """A supervisor approves (moving the end and adding contacts) or refuses an extension."""
    episode = extension.episode
    authorize(actor, Action.APPROVE, episode)
    if extension.status != ExtensionStatus.REQUESTED:
        raise DomainError("This extension has already been decided.", code="EXTENSION_DECIDED")
    if isinstance(actor, User) and extension.requested_by_id == actor.pk:
        raise DomainError(OWN_EXTENSION, code="OWN_EXTENSION")
    _require_open(episode)
    with transaction.atomic():
        _lock_episode(episode, None, {})
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        extension.decided_by = actor if isinstance(actor, User) else None
        extension.decided_at = now()
        extension.decision_note = note.strip()[:300]
        extension.save()
        if approve:
            episode.planned_end_on = max(extension.new_end_on, episode.planned_end_on)
            episode.contact_allowance += extension.extra_contacts
            episode.version += 1
            episode.save(update_fields=["planned_end_on", "contact_allowance", "version"])
            if episode.status == EpisodeStatus.ENDING_PLANNED:
                _move(actor, episode, "reopen", "episode.updated")
        _audit(
            actor, "episode.extension_decided", extension, ["status"], status=["requested", extension.status]
        )
    return extension


def episode_plan_ending(
    *,
    actor: Actor,
    episode: SupportEpisode,
    continuing_connections: str,
    contacts_after_ending: str,
    follow_up_on: dt.date | None,
    relies_on_service_for_company: bool,
    expected_version: int | None = None,
) -> SupportEpisode:
    authorize(actor, Action.UPDATE, episode)
    if follow_up_on is not None and follow_up_on < local_today():
        message = "The follow-up date must be in the future."
        raise ValidationFailed(message, fields={"follow_up_on": message})
    plan = {
        "continuing_connections": continuing_connections.strip(),
        "contacts_after_ending": contacts_after_ending.strip(),
        "follow_up_on": follow_up_on,
        "relies_on_service_for_company": relies_on_service_for_company,
    }
    with transaction.atomic():
        _lock_episode(episode, expected_version, {"status": EpisodeStatus.ENDING_PLANNED, **plan})
        _move(
            actor,
            episode,
            "plan_ending",
            "episode.ending_planned",
            **plan,
        )
    return episode


def episode_close(
    *,
    actor: Actor,
    episode: SupportEpisode,
    outcome: str,
    note: str = "",
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportEpisode:
    authorize(actor, Action.UPDATE, episode)
    if outcome not in EndingOutcome.values:
        raise ValidationFailed("Choose how support ended.", fields={"outcome": "Choose how support ended."})
    day = on or local_today()
    if day < episode.started_on:
        raise ValidationFailed("Support cannot end before it began.", fields={"on": "Check the date."})
    with transaction.atomic():
        yours = {"status": EpisodeStatus.CLOSED, "closed_on": day, "outcome": outcome, "outcome_note": note}
        _lock_episode(episode, expected_version, yours)
        follow_up = episode.follow_up_on
        if follow_up is None and outcome not in (EndingOutcome.DIED, EndingOutcome.MOVED_AWAY):
            follow_up = day + dt.timedelta(weeks=episode.programme.follow_up_weeks)
        open_pause = episode.pauses.filter(ended_on__isnull=True).last()
        if open_pause is not None:
            open_pause.ended_on = day
            open_pause.save(update_fields=["ended_on"])
        _move(
            actor,
            episode,
            "close",
            "episode.closed",
            closed_on=day,
            outcome=outcome,
            outcome_note=note.strip(),
            follow_up_on=follow_up,
        )
        # The end network map is saved as support ends (nothing when the map was never completed).
        network_snapshot_end(actor=actor, episode=episode)
        webhook_event.send(sender=SupportEpisode, event="episode.closed", record=episode)
        if episode.referral is not None:
            outcome_message_create(
                referral=episode.referral,
                kind=OutcomeMessageKind.SUPPORT_ENDED,
                extra=f"How support ended: {episode.get_outcome_display()}. "
                f"What continues: {episode.continuing_connections or 'not recorded'}.",
            )
    return episode


def episodes_mark_follow_ups_due(*, actor: Actor, today: dt.date | None = None) -> int:
    """Daily: closed episodes whose follow-up date has come move to "follow-up due"."""
    day = today or local_today()
    due = SupportEpisode.objects.filter(status=EpisodeStatus.CLOSED, follow_up_on__lte=day)
    count = 0
    for episode in due:
        with transaction.atomic():
            _lock_episode(episode, None, {})
            _move(actor, episode, "mark_follow_up_due", "episode.follow_up_due")
        count += 1
    return count


def episode_record_follow_up(
    *,
    actor: Actor,
    episode: SupportEpisode,
    note: str,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportEpisode:
    authorize(actor, Action.UPDATE, episode)
    day = on or local_today()
    with transaction.atomic():
        yours = {"status": EpisodeStatus.FOLLOWED_UP, "followed_up_on": day, "follow_up_note": note.strip()}
        _lock_episode(episode, expected_version, yours)
        _move(
            actor,
            episode,
            "record_follow_up",
            "episode.followed_up",
            followed_up_on=day,
            follow_up_note=note.strip(),
        )
    return episode


def _clean_conversation(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}

    def words(name: str) -> list[str]:
        value = data.get(name) or []
        items = value.split(",") if isinstance(value, str) else list(value)
        return [str(item).strip() for item in items if str(item).strip()][:30]

    cleaned: dict[str, Any] = {
        "what_matters": str(data.get("what_matters", "")).strip(),
        "interests_now": words("interests_now"),
        "interests_past": words("interests_past"),
        "values_and_identities": str(data.get("values_and_identities", "")).strip(),
        "strengths_and_assets": str(data.get("strengths_and_assets", "")).strip(),
        "barriers": sorted(set(data.get("barriers") or [])),
        "barriers_note": str(data.get("barriers_note", "")).strip(),
        "prefers": data.get("prefers") or "",
        "setting_preference": data.get("setting_preference") or "",
        "largest_group": data.get("largest_group"),
        "wants_company_first_visit": data.get("wants_company_first_visit"),
        "availability": sorted(set(data.get("availability") or [])),
        "travel_limit_km": data.get("travel_limit_km"),
        "travel_limit_minutes": data.get("travel_limit_minutes"),
    }
    if any(b not in BARRIERS for b in cleaned["barriers"]):
        errors["barriers"] = "Choose barriers from the list."
    if cleaned["prefers"] and cleaned["prefers"] not in PREFERS:
        errors["prefers"] = "Choose one-to-one, groups or either."
    if cleaned["setting_preference"] and cleaned["setting_preference"] not in SETTINGS:
        errors["setting_preference"] = "Choose a kind of setting from the list."
    slots = {f"{day}-{time}" for day in DAYS for time in TIMES}
    if any(slot not in slots for slot in cleaned["availability"]):
        errors["availability"] = "Choose days and times from the list."
    if cleaned["largest_group"] is not None and not 1 <= int(cleaned["largest_group"]) <= 500:
        errors["largest_group"] = "The largest group must be between 1 and 500 people."
    if cleaned["travel_limit_km"] is not None and not 0 <= float(cleaned["travel_limit_km"]) <= 200:
        errors["travel_limit_km"] = "Travel distance must be between 0 and 200 km."
    if cleaned["travel_limit_minutes"] is not None and not 0 <= int(cleaned["travel_limit_minutes"]) <= 300:
        errors["travel_limit_minutes"] = "Travel time must be between 0 and 300 minutes."
    for field, keys, ratings in (
        ("participation_factors", PARTICIPATION_FACTORS, FACTOR_RATINGS),
        ("civic_profile", CIVIC_DOMAINS, CIVIC_RATINGS),
    ):
        given = data.get(field) or {}
        cleaned[field] = {}
        for key, entry in given.items():
            rating = (entry or {}).get("rating", "")
            if key not in keys or (rating and rating not in ratings):
                errors[field] = "Choose a rating from the list for each one."
                continue
            if rating or (entry or {}).get("note"):
                cleaned[field][key] = {"rating": rating, "note": str(entry.get("note", "")).strip()[:500]}
    if errors:
        raise ValidationFailed("Check the conversation record.", fields=errors)
    return cleaned


def conversation_record(
    *, actor: Actor, episode: SupportEpisode, data: dict[str, Any], expected_version: int | None = None
) -> Conversation:
    """Save the conversation as a new version; earlier versions stay as they were. `expected_version` is
    the version the editor started from (0 when there was none): if someone saved a newer one meanwhile,
    nothing is saved and EditConflict shows theirs beside this one."""
    authorize(actor, Action.UPDATE, episode)
    _require_open(episode)
    cleaned = _clean_conversation(data)
    with transaction.atomic():
        lock_for_edit(episode, expected_version=None)  # one save at a time per episode
        latest = episode.conversations.order_by("-version").first()
        saved_version = latest.version if latest else 0
        if expected_version is not None and expected_version != saved_version:
            raise _conversation_conflict(latest, expected_version=expected_version, yours=cleaned)
        conversation = Conversation.objects.create(
            episode=episode,
            version=saved_version + 1,
            recorded_at=now(),
            recorded_by=actor if isinstance(actor, User) else episode.connector,
            **cleaned,
        )
        _audit(
            actor,
            "conversation.recorded",
            conversation,
            [k for k, v in cleaned.items() if v not in ("", [], {}, None)],
        )
    return conversation


def _conversation_conflict(
    latest: Conversation | None, *, expected_version: int, yours: dict[str, Any]
) -> EditConflict:
    if latest is None:
        return EditConflict(
            CONVERSATION_GONE, current={"version": 0}, yours={**yours, "version": expected_version}
        )
    time = f"{to_london(latest.recorded_at):%H:%M on %d %B %Y}"
    current = {name: getattr(latest, name) for name in yours}
    return EditConflict(
        EDIT_CONFLICT.format(
            name=latest.recorded_by.get_full_name() or latest.recorded_by.username, time=time
        ),
        current={**current, "version": latest.version},
        yours={**yours, "version": expected_version},
    )


def _active_goal_count(episode: SupportEpisode, excluding: Goal | None = None) -> int:
    goals = episode.goals.filter(status__in=ACTIVE_GOAL_STATUSES)
    if excluding is not None:
        goals = goals.exclude(pk=excluding.pk)
    return goals.count()


def goal_create(*, actor: Actor, episode: SupportEpisode, title: str, steps: str = "") -> Goal:
    authorize(actor, Action.CREATE, Goal(episode=episode))
    _require_open(episode)
    if not title.strip():
        raise ValidationFailed("Say what the goal is.", fields={"title": "Say what the goal is."})
    with transaction.atomic():
        # Locked, so two goals added at once cannot both pass the limit.
        lock_for_edit(episode, expected_version=None)
        if _active_goal_count(episode) >= MAX_ACTIVE_GOALS:
            raise DomainError(TOO_MANY_GOALS, code="TOO_MANY_GOALS")
        goal = Goal.objects.create(
            episode=episode, title=title.strip()[:200], steps=steps.strip(), created_at=now()
        )
        GoalUpdate.objects.create(
            goal=goal,
            recorded_at=goal.created_at,
            recorded_by=actor if isinstance(actor, User) else episode.connector,
            title=goal.title,
            steps=goal.steps,
            status=goal.status,
        )
        _audit(actor, "goal.created", goal, ["title", "steps"])
    return goal


def goal_update(
    *,
    actor: Actor,
    goal: Goal,
    title: str | None = None,
    steps: str | None = None,
    status: str | None = None,
    progress: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Goal:
    """Revise a goal or rate its progress; every change is kept in the goal's history. With
    `expected_version`, a goal changed since the editor opened it raises EditConflict."""
    authorize(actor, Action.UPDATE, goal)
    _require_open(goal.episode)
    errors = {}
    if title is not None and not title.strip():
        errors["title"] = "Say what the goal is."
    if status is not None and status not in GoalStatus.values:
        errors["status"] = "Choose a status from the list."
    if progress is not None and not 0 <= progress <= 10:
        errors["progress"] = "Progress is a number from 0 to 10."
    if errors:
        raise ValidationFailed("Check the goal.", fields=errors)
    wanted = {
        name: value
        for name, value in (
            ("title", title and title.strip()),
            ("steps", steps),
            ("status", status),
            ("progress", progress),
        )
        if value is not None
    }
    with transaction.atomic():
        lock_for_edit(goal, expected_version=expected_version, yours=wanted)
        if (
            status in ACTIVE_GOAL_STATUSES
            and goal.status not in ACTIVE_GOAL_STATUSES
            and _active_goal_count(goal.episode, excluding=goal) >= MAX_ACTIVE_GOALS
        ):
            raise DomainError(TOO_MANY_GOALS, code="TOO_MANY_GOALS")
        changed = []
        for name, value in wanted.items():
            if getattr(goal, name) != value:
                setattr(goal, name, value)
                changed.append(name)
        if progress is not None and goal.status == GoalStatus.NOT_STARTED and status is None and progress > 0:
            goal.status = GoalStatus.IN_PROGRESS
            changed.append("status")
        if not changed and not note and progress is None:
            return goal
        goal.version += 1
        goal.save()
        GoalUpdate.objects.create(
            goal=goal,
            recorded_at=now(),
            recorded_by=actor if isinstance(actor, User) else goal.episode.connector,
            title=goal.title,
            steps=goal.steps,
            status=goal.status,
            progress=progress,
            note=note.strip()[:500],
        )
        _audit(
            actor,
            "goal.updated",
            goal,
            changed,
            **{n: [None, getattr(goal, n)] for n in changed if n in ("status", "progress")},
        )
    return goal


def contacts_used(episode: SupportEpisode) -> int:
    return sum(1 for contact in episode.contacts.all() if contact.counts_against_cap)


def contact_log(
    *,
    actor: Actor,
    episode: SupportEpisode,
    occurred_at: dt.datetime,
    type: str,  # noqa: A002  (the domain's word)
    outcome: str = ContactOutcome.ATTENDED,
    duration_minutes: int | None = None,
    activity: str = "",
    notes: str = "",
    next_steps: str = "",
    next_contact_on: dt.date | None = None,
) -> Contact:
    """Log a contact. One-to-one contacts that went ahead count against the programme's cap."""
    staff = actor if isinstance(actor, User) else episode.connector
    authorize(actor, Action.CREATE, Contact(episode=episode, staff=staff))
    if notes.strip() and not can(actor, Action.UPDATE, episode):
        raise ValidationFailed(VOLUNTEER_NOTES, fields={"notes": VOLUNTEER_NOTES})
    if episode.status not in OPEN_EPISODE_STATUSES:
        raise DomainError(EPISODE_NOT_OPEN, code="EPISODE_NOT_OPEN")
    errors = {}
    if type not in ContactType.values:
        errors["type"] = "Choose the type of contact."
    if outcome not in ContactOutcome.values:
        errors["outcome"] = "Choose what happened."
    if occurred_at > now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = "A contact cannot be logged in the future; plan it as the next contact date."
    if to_london(occurred_at).date() < episode.started_on:
        errors["occurred_at"] = "The contact is before support began."
    if duration_minutes is not None and not 0 < duration_minutes <= 24 * 60:
        errors["duration_minutes"] = "Duration must be between 1 minute and 24 hours."
    if errors:
        raise ValidationFailed("Check the contact's details.", fields=errors)
    contact = Contact(
        episode=episode,
        occurred_at=occurred_at,
        type=type,
        outcome=outcome,
        duration_minutes=duration_minutes,
        staff=staff,
        activity=activity.strip()[:200],
        notes=notes.strip(),
        next_steps=next_steps.strip(),
        next_contact_on=next_contact_on,
    )
    with transaction.atomic():
        # Lock the episode so two contacts logged at once cannot both take the last place.
        locked = SupportEpisode.objects.select_for_update().get(pk=episode.pk)
        if contact.counts_against_cap and contacts_used(locked) >= locked.contact_allowance:
            raise DomainError(
                CONTACT_CAP_REACHED.format(allowance=locked.contact_allowance), code="CONTACT_CAP_REACHED"
            )
        contact.save()
        _audit(actor, "contact.logged", contact, ["type", "outcome", "occurred_at"], type=[None, type])
    return contact


def meetup_record(
    *,
    actor: Actor,
    organisation: Organisation,
    held_at: dt.datetime,
    place: str,
    topic: str = "",
    attendee_episodes: Iterable[SupportEpisode] = (),
) -> MeetUp:
    authorize(actor, Action.CREATE, MeetUp(organisation=organisation))
    if held_at.tzinfo is not None:
        # Stored in UTC: PostgreSQL refuses offsets beyond its range (such as +17:39) that Python allows.
        held_at = held_at.astimezone(dt.UTC)
    episodes = list(attendee_episodes)
    if not place.strip():
        raise ValidationFailed("Say where the meet-up was.", fields={"place": "Say where the meet-up was."})
    if not isinstance(actor, User) and not episodes:
        raise ValidationFailed("Record who came to the meet-up.", fields={"attendees": "Choose who came."})
    for episode in episodes:
        authorize(actor, Action.UPDATE, episode)
        _require_open(episode)
        attended = episode.meetup_attendance.filter(attended=True).count()
        if attended >= episode.programme.max_meetups:
            raise DomainError(
                MEETUP_CAP_REACHED.format(
                    name=episode.person.first_name, allowance=episode.programme.max_meetups
                ),
                code="MEETUP_CAP_REACHED",
            )
    with transaction.atomic():
        meetup = MeetUp.objects.create(
            organisation=organisation,
            held_at=held_at,
            place=place.strip()[:200],
            topic=topic.strip()[:200],
            facilitator=actor if isinstance(actor, User) else episodes[0].connector,
        )
        MeetUpAttendance.objects.bulk_create(MeetUpAttendance(meetup=meetup, episode=e) for e in episodes)
        audit_record(
            actor=actor,
            event="meetup.recorded",
            target=meetup,
            fields=["place", "attendance"],
            detail={"attendees": len(episodes)},
        )
    return meetup


def budget_spent_pence(episode: SupportEpisode) -> int:
    return episode.budget_entries.aggregate(total=Sum("amount_pence"))["total"] or 0


def budget_spend(
    *,
    actor: Actor,
    episode: SupportEpisode,
    amount_pence: int,
    purpose: str,
    spent_on: dt.date | None = None,
    receipt_reference: str = "",
) -> BudgetEntry:
    """Record spending. Beyond the allowance only a supervisor (who thereby approves it) may spend."""
    authorize(actor, Action.CREATE, BudgetEntry(episode=episode))
    _require_open(episode)
    errors = {}
    if amount_pence <= 0:
        errors["amount_pence"] = "Enter an amount more than £0."
    if not purpose.strip():
        errors["purpose"] = "Say what the money was for."
    if errors:
        raise ValidationFailed("Check the spending.", fields=errors)
    with transaction.atomic():
        locked = SupportEpisode.objects.select_for_update().get(pk=episode.pk)
        total = budget_spent_pence(locked) + amount_pence
        over = total > locked.budget_allowance_pence
        if over and not can(actor, Action.APPROVE, locked):
            raise DomainError(
                BUDGET_EXCEEDED.format(total=total / 100, allowance=locked.budget_allowance_pence / 100),
                code="BUDGET_EXCEEDED",
            )
        entry = BudgetEntry.objects.create(
            episode=episode,
            spent_on=spent_on or local_today(),
            amount_pence=amount_pence,
            purpose=purpose.strip()[:200],
            receipt_reference=receipt_reference.strip()[:100],
            recorded_by=actor if isinstance(actor, User) else episode.connector,
            approved_by=actor if over and isinstance(actor, User) else None,
        )
        _audit(actor, "budget.spent", entry, ["amount_pence", "purpose"], amount_pence=[None, amount_pence])
    return entry
