"""Referral intake, contact attempts, decisions and the outcome letters to referrers."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction

from linkwork.accounts.models import Organisation, User
from linkwork.audit.services import audit_record
from linkwork.core.errors import RateLimited, ValidationFailed
from linkwork.core.http import origin_fingerprint
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now, to_london
from linkwork.interop.messages import message_bundle, outcome_lines
from linkwork.people.choices import ConsentPurpose
from linkwork.people.models import Person
from linkwork.people.services import consent_in_force, consent_record, person_create_unchecked
from linkwork.referrals.models import (
    UNANSWERED_OUTCOMES,
    AttemptMethod,
    AttemptOutcome,
    ContactAttempt,
    NotAppropriateReason,
    OutcomeMessage,
    OutcomeMessageKind,
    Referral,
    ReferralSource,
    ReferralStatus,
    Urgency,
)
from linkwork.referrals.transitions import REFERRAL_LIFECYCLE
from linkwork.webhooks.signals import webhook_event

Actor = User | Operator

REASON_REQUIRED = "Choose why the referral is not appropriate."
REDIRECTION_REQUIRED = "Say where the person was redirected to (or that no redirection was possible)."
SELF_REFERRAL_LIMIT = "Too many referrals have been sent from this connection. Please try again in an hour."
SELF_REFERRALS_PER_HOUR = 5
# Unanswered attempts, spread over at least this long, before closing is suggested.
ATTEMPTS_BEFORE_CLOSING = 3
ATTEMPT_SPAN_BEFORE_CLOSING = dt.timedelta(days=14)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I, easy to read on the phone


def _new_reference() -> str:
    while True:
        reference = "LW-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not Referral.objects.filter(reference=reference).exists():
            return reference


def _clean_referral(details: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned = {
        "source": details.get("source", ""),
        "referrer_name": str(details.get("referrer_name", "")).strip()[:150],
        "referrer_organisation": str(details.get("referrer_organisation", "")).strip()[:200],
        "referrer_contact": str(details.get("referrer_contact", "")).strip()[:200],
        "reason": str(details.get("reason", "")).strip(),
        "needs": str(details.get("needs", "")).strip(),
        "urgency": details.get("urgency") or Urgency.ROUTINE,
    }
    if cleaned["source"] not in ReferralSource.values:
        errors["source"] = "Choose where the referral came from."
    if cleaned["urgency"] not in Urgency.values:
        errors["urgency"] = "Choose how urgent the referral is."
    received_at = details.get("received_at") or now()
    if received_at > now() + dt.timedelta(minutes=5):
        errors["received_at"] = "The referral cannot have been received in the future."
    cleaned["received_at"] = received_at
    if errors:
        raise ValidationFailed("Check the referral's details.", fields=errors)
    return cleaned


def referral_create(*, actor: Actor, person: Person, details: dict[str, Any]) -> Referral:
    """Record a referral for a person already on record (create or link the person first)."""
    authorize(actor, Action.CREATE, Referral(organisation=person.organisation, person=person))
    authorize(actor, Action.UPDATE, person)
    cleaned = _clean_referral(details)
    with transaction.atomic():
        referral = Referral.objects.create(
            organisation=person.organisation, person=person, reference=_new_reference(), **cleaned
        )
        audit_record(actor=actor, event="referral.created", target=referral, fields=list(cleaned))
        webhook_event.send(sender=Referral, event="referral.received", record=referral)
    return referral


def referral_self_submit(
    *,
    organisation: Organisation,
    person_details: dict[str, Any],
    needs: str,
    agreed_to_support: bool,
    agreed_to_share_with_gp: bool,
    ip_address: str,
) -> Referral:
    """A referral from the public form. Limited per connection; needs consent to be contacted."""
    if not agreed_to_support:
        message = "Tick the box to say we may contact you about support."
        raise ValidationFailed(message, fields={"agreed_to_support": message})
    origin = origin_fingerprint(ip_address)
    recent = Referral.objects.filter(submitted_from=origin, received_at__gte=now() - dt.timedelta(hours=1))
    if recent.count() >= SELF_REFERRALS_PER_HOUR:
        raise RateLimited(SELF_REFERRAL_LIMIT)
    with transaction.atomic():
        person = person_create_unchecked(organisation=organisation, details=person_details)
        referral = Referral.objects.create(
            organisation=organisation,
            person=person,
            reference=_new_reference(),
            source=ReferralSource.SELF,
            needs=needs.strip(),
            received_at=now(),
            via_public_form=True,
            submitted_from=origin,
        )
        consent_record(actor=None, person=person, purpose="support", agreed=True, method="online")
        consent_record(
            actor=None,
            person=person,
            purpose="share-gp-referrer",
            agreed=agreed_to_share_with_gp,
            method="online",
        )
        audit_record(
            actor=None, event="referral.self_referred", target=referral, organisation_id=organisation.pk
        )
        webhook_event.send(sender=Referral, event="referral.received", record=referral)
    return referral


def _move(*, actor: Actor, referral: Referral, action: str, event: str, **changes: Any) -> Referral:
    target = REFERRAL_LIFECYCLE.target(referral.status, action)
    before = referral.status
    referral.status = target
    for name, value in changes.items():
        setattr(referral, name, value)
    referral.save()
    audit_record(
        actor=actor,
        event=event,
        target=referral,
        fields=["status", *changes],
        values={"status": [before, target]},
    )
    return referral


def referral_attempt_contact(
    *,
    actor: Actor,
    referral: Referral,
    method: str,
    outcome: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> ContactAttempt:
    authorize(actor, Action.UPDATE, referral)
    if method not in AttemptMethod.values or outcome not in AttemptOutcome.values:
        raise ValidationFailed("Choose how you tried to make contact and what happened.")
    attempted_at = at or now()
    if attempted_at > now() + dt.timedelta(minutes=5) or attempted_at < referral.received_at:
        message = "The attempt must be between when the referral arrived and now."
        raise ValidationFailed(message, fields={"at": message})
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            referral=referral,
            attempted_at=attempted_at,
            method=method,
            outcome=outcome,
            note=note.strip()[:500],
            made_by=actor if isinstance(actor, User) else None,
        )
        changes: dict[str, Any] = {}
        if outcome == AttemptOutcome.SPOKE and referral.first_contact_at is None:
            changes["first_contact_at"] = attempted_at
        _move(
            actor=actor,
            referral=referral,
            action="attempt_contact",
            event="referral.contact_attempted",
            **changes,
        )
    return attempt


def referral_suggests_closing(referral: Referral) -> bool:
    """Three unanswered attempts over at least two weeks, and never reached: suggest closing."""
    if referral.status not in (ReferralStatus.RECEIVED, ReferralStatus.CONTACT_ATTEMPTED):
        return False
    attempts = list(referral.attempts.all())
    if any(attempt.outcome == AttemptOutcome.SPOKE for attempt in attempts):
        return False
    unanswered = [a.attempted_at for a in attempts if a.outcome in UNANSWERED_OUTCOMES]
    return len(unanswered) >= ATTEMPTS_BEFORE_CLOSING and max(unanswered) - min(unanswered) >= (
        ATTEMPT_SPAN_BEFORE_CLOSING
    )


def referral_waiting_time(referral: Referral) -> dt.timedelta | None:
    if referral.first_contact_at is None:
        return None
    return referral.first_contact_at - referral.received_at


def referral_mark_accepted(*, actor: Actor, referral: Referral) -> Referral:
    """Used by support.services.episode_start, which accepts the referral and opens the episode together."""
    authorize(actor, Action.UPDATE, referral)
    moment = now()
    referral = _move(
        actor=actor,
        referral=referral,
        action="accept",
        event="referral.accepted",
        decided_at=moment,
        first_contact_at=referral.first_contact_at or moment,
    )
    outcome_message_create(referral=referral, kind=OutcomeMessageKind.ACCEPTED)
    return referral


def referral_decline(*, actor: Actor, referral: Referral, note: str = "") -> Referral:
    authorize(actor, Action.UPDATE, referral)
    with transaction.atomic():
        referral = _move(
            actor=actor,
            referral=referral,
            action="decline",
            event="referral.declined",
            decided_at=now(),
            decision_note=note.strip(),
        )
        outcome_message_create(referral=referral, kind=OutcomeMessageKind.DECLINED)
    return referral


def referral_close_unable_to_contact(*, actor: Actor, referral: Referral, note: str = "") -> Referral:
    authorize(actor, Action.UPDATE, referral)
    with transaction.atomic():
        referral = _move(
            actor=actor,
            referral=referral,
            action="close_unable_to_contact",
            event="referral.unable_to_contact",
            decided_at=now(),
            decision_note=note.strip(),
        )
        outcome_message_create(referral=referral, kind=OutcomeMessageKind.UNABLE_TO_CONTACT)
    return referral


def referral_mark_not_appropriate(
    *, actor: Actor, referral: Referral, reason: str, redirected_to: str, note: str = ""
) -> Referral:
    authorize(actor, Action.UPDATE, referral)
    errors = {}
    if reason not in NotAppropriateReason.values:
        errors["reason"] = REASON_REQUIRED
    if not redirected_to.strip():
        errors["redirected_to"] = REDIRECTION_REQUIRED
    if errors:
        raise ValidationFailed("Say why the referral is not appropriate and where it went.", fields=errors)
    with transaction.atomic():
        referral = _move(
            actor=actor,
            referral=referral,
            action="mark_not_appropriate",
            event="referral.not_appropriate",
            decided_at=now(),
            not_appropriate_reason=reason,
            redirected_to=redirected_to.strip()[:300],
            decision_note=note.strip(),
        )
        outcome_message_create(referral=referral, kind=OutcomeMessageKind.REDIRECTED)
    return referral


LETTER_OPENINGS = {
    OutcomeMessageKind.RECEIVED: "is on our list, and we will contact them soon to talk about support.",
    OutcomeMessageKind.ACCEPTED: "has accepted support from us. A connector is now working with them.",
    OutcomeMessageKind.DECLINED: "decided not to take up support from us at this time.",
    OutcomeMessageKind.UNABLE_TO_CONTACT: "could not be reached, despite several attempts, so we have closed "
    "the "
    "referral. Please refer again if you are back in touch with them.",
    OutcomeMessageKind.REDIRECTED: "was not the right fit for our service, so we have passed them on.",
    OutcomeMessageKind.SUPPORT_ENDED: "has finished their time with us.",
}


def outcome_message_create(*, referral: Referral, kind: str, extra: str = "") -> OutcomeMessage | None:
    """The letter to the referrer, with its FHIR form. Self-referrals have no referrer and get none.

    Personal details beyond the name and reference, and the measures when support ended, go only where
    the person consented to sharing with their GP and referrer; otherwise the FHIR form is codes only.
    """
    if referral.source == ReferralSource.SELF or not (referral.referrer_name or referral.referrer_contact):
        return None
    person = referral.person
    shares = consent_in_force(person, ConsentPurpose.SHARE_WITH_GP_REFERRER)
    lines = [
        f"Dear {referral.referrer_name or 'colleague'},",
        "",
        f"Thank you for referring {person.first_name} {person.last_name} "
        f"(our reference {referral.reference}, "
        f"received {to_london(referral.received_at):%d %B %Y}).",
        "",
        f"{person.first_name} {LETTER_OPENINGS[OutcomeMessageKind(kind)]}",
    ]
    if kind == OutcomeMessageKind.REDIRECTED:
        # Where they went is the outcome itself; why (which may be about their health) needs consent.
        lines += ["", f"Passed to: {referral.redirected_to}."]
        if shares:
            lines.append(f"Reason: {referral.get_not_appropriate_reason_display()}.")
    if extra and shares:
        lines += ["", extra]
    elif extra:
        lines += ["", "They have not agreed to us sharing more detail; please ask them directly."]
    if kind == OutcomeMessageKind.SUPPORT_ENDED and shares:
        measures = outcome_lines(referral)
        if measures:
            lines += ["", "Questionnaires answered during support:", *measures]
    lines += ["", "With best wishes,", referral.organisation.name]
    subject = f"Referral {referral.reference}: {OutcomeMessageKind(kind).label.lower()}"
    with transaction.atomic():
        message = OutcomeMessage.objects.create(
            referral=referral,
            kind=kind,
            created_at=now(),
            recipient=", ".join(p for p in (referral.referrer_name, referral.referrer_organisation) if p),
            subject=subject,
            body="\n".join(lines),
            codes_only=not shares,
        )
        # The FHIR form is made now and kept, so the record shows exactly what left the service.
        message.fhir = message_bundle(message=message)
        message.save(update_fields=["fhir"])
        audit_record(
            actor=None,
            event="referral.outcome_sent",
            target=referral,
            detail={"kind": kind, "codes_only": not shares},
            organisation_id=referral.organisation_id,
        )
    return message
