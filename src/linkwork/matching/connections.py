"""Connections (onward referrals): making one, moving it along its lifecycle, and the closed loop with
the provider through a signed, expiring link that needs no account.

Every write is authorised (except the provider's answer, which the link itself authorises), atomic
and audited, and every move adds a `ConnectionMove` row: who, when, from, to, and why.

The provider link: the URL carries `<link id>.<random secret>`, signed with a timestamp
(`django.core.signing.TimestampSigner`, salted for this use). Opening it checks the signature and its
age, then compares the secret's SHA-256 with the stored hash in constant time, then checks the stored
record is not revoked, expired or spent. A tampered, expired or revoked link, and one that never
existed, all look the same: not found. The secret is 192 random bits, so guessing is hopeless even
without a rate limit.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import InvalidTransition, NotFound, ValidationFailed
from linkwork.core.hashing import secret_hash
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now
from linkwork.directory.models import Service
from linkwork.matching.lifecycle import (
    CONNECTION_LIFECYCLE,
    PROVIDER_STAGES,
    STAFF_ACTIONS,
    START_STATES,
)
from linkwork.matching.models.connections import (
    Accompaniment,
    Connection,
    ConnectionMove,
    ConnectionStatus,
    ProviderAnswer,
    ProviderLink,
    ReferralMethod,
    StopReason,
)
from linkwork.people.models import Person
from linkwork.support.models import OPEN_EPISODE_STATUSES, SupportEpisode
from linkwork.webhooks.signals import webhook_event

Actor = User | Operator

NOTE_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 500
ARRANGEMENTS_MAX_LENGTH = 300
REQUEST_MAX_LENGTH = 1000
LINK_DAYS = 14
LINK_SALT = "linkwork.matching.provider-link"
FINAL_ANSWERS = (ProviderAnswer.ATTENDED, ProviderAnswer.COULD_NOT_HELP)

START_STATE_REQUIRED = "Start a connection as suggested or discussed."
NOTE_TOO_LONG = f"Keep the note to {NOTE_MAX_LENGTH} characters."
DECLINE_REASON_REQUIRED = "Say why the person said no, in a few words."
STOP_REASON_REQUIRED = "Choose why they stopped going."
STOP_DETAIL_REQUIRED = "Say a little more about why they stopped."
ACCOMPANIED_REQUIRED = "Choose who goes with them to the first visit, or that they go on their own."
METHOD_REQUIRED = "Choose whether you referred them or contacted the provider."
VISIT_DATE_INVALID = "Enter the date of the first visit, for example 27 3 2026."
ARRANGEMENTS_TOO_LONG = f"Keep the arrangements to {ARRANGEMENTS_MAX_LENGTH} characters."
REASON_TOO_LONG = f"Keep the reason to {REASON_MAX_LENGTH} characters."
REQUEST_REQUIRED = "Say what you are asking the provider, for example 'Can Mary join on Tuesdays?'."
REQUEST_TOO_LONG = f"Keep the request to {REQUEST_MAX_LENGTH} characters."
CONTACT_REQUIRED = "Give a name and a work e-mail address or phone number the provider can use."
LINK_STAGE = "Make a provider link once the person is interested, referred or has a first visit planned."
COULD_NOT_HELP_REASON = "Say why you could not help, in a few words."
ANSWER_INVALID = "Choose one of the answers."
LINK_NOT_FOUND = "This link is not valid. It may have expired, or been replaced by a newer one."
ALREADY_ANSWERED = "This link has already been answered. Thank you."


# --- Making a connection -------------------------------------------------------------------------------


def _open_episode(person: Person) -> SupportEpisode | None:
    return (
        SupportEpisode.objects.filter(person=person, status__in=OPEN_EPISODE_STATUSES)
        .order_by("-started_on", "-pk")
        .first()
    )


def _move_row(
    connection: Connection,
    *,
    action: str,
    before: str,
    actor: Actor | None,
    at: dt.datetime,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> ConnectionMove:
    return ConnectionMove.objects.create(
        connection=connection,
        action=action,
        from_status=before,
        to_status=connection.status,
        moved_at=at,
        moved_by=actor if isinstance(actor, User) else None,
        by_provider=actor is None,
        reason=reason,
        detail=detail or {},
    )


def connection_create(
    *,
    actor: Actor,
    person: Person,
    service: Service,
    status: str = ConnectionStatus.SUGGESTED,
    note: str = "",
    from_recommendation: dict[str, Any] | None = None,
) -> Connection:
    """A connection for `person` to a directory service, by hand or from a recommendation (whose score
    and reasons are kept as given). It starts as suggested or discussed, in the person's open support."""
    connection = Connection(person=person, organisation_id=person.organisation_id)
    authorize(actor, Action.CREATE, connection)
    errors: dict[str, str] = {}
    if status not in START_STATES:
        errors["status"] = START_STATE_REQUIRED
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = NOTE_TOO_LONG
    if errors:
        raise ValidationFailed("Check the connection.", fields=errors)
    at = now()
    with transaction.atomic():
        connection.episode = _open_episode(person)
        connection.service = service
        connection.service_name = service.name[:300]
        connection.status = status
        connection.note = note
        connection.from_recommendation = dict(from_recommendation or {})
        connection.created_at = connection.status_changed_at = at
        connection.created_by = actor if isinstance(actor, User) else None
        connection.save()
        _move_row(connection, action="create", before="", actor=actor, at=at)
        audit_record(
            actor=actor,
            event="connection.created",
            target=connection,
            fields=["person", "service", "status", *(["note"] if note else [])],
            values={
                "status": [None, status],
                "service": [None, str(service.pk)],
                "from_recommendation": bool(from_recommendation),
            },
        )
    return connection


# --- Moving it along -----------------------------------------------------------------------------------


def _text(details: dict[str, Any], name: str) -> str:
    return str(details.get(name) or "").strip()


def _details_for(action: str, details: dict[str, Any]) -> dict[str, Any]:
    """Check the details an action needs and return the fields to set on the connection."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    note = _text(details, "note")
    if len(note) > REASON_MAX_LENGTH:
        errors["note"] = f"Keep the note to {REASON_MAX_LENGTH} characters."
    if action == "decline":
        reason = _text(details, "reason")
        if not reason:
            errors["reason"] = DECLINE_REASON_REQUIRED
        elif len(reason) > REASON_MAX_LENGTH:
            errors["reason"] = REASON_TOO_LONG
        changes |= {"reason": "", "reason_detail": reason}
    elif action == "stop":
        reason = _text(details, "reason")
        detail = _text(details, "detail")
        if reason not in StopReason.values:
            errors["reason"] = STOP_REASON_REQUIRED
        elif reason in (StopReason.OTHER, StopReason.PROVIDER_COULD_NOT_HELP) and not detail:
            errors["detail"] = STOP_DETAIL_REQUIRED
        if len(detail) > REASON_MAX_LENGTH:
            errors["detail"] = REASON_TOO_LONG
        changes |= {"reason": reason, "reason_detail": detail}
    elif action == "refer":
        method = _text(details, "referral_method") or ReferralMethod.REFERRED
        if method not in ReferralMethod.values:
            errors["referral_method"] = METHOD_REQUIRED
        changes["referral_method"] = method
    elif action == "plan_visit":
        accompanied = _text(details, "accompanied_by")
        if accompanied not in Accompaniment.values:
            errors["accompanied_by"] = ACCOMPANIED_REQUIRED
        visit_on = details.get("visit_on")
        if isinstance(visit_on, str) and visit_on.strip():
            try:
                visit_on = dt.date.fromisoformat(visit_on.strip())
            except ValueError:
                errors["visit_on"] = VISIT_DATE_INVALID
        elif not isinstance(visit_on, dt.date):
            visit_on = None
        arrangements = _text(details, "visit_arrangements")
        if len(arrangements) > ARRANGEMENTS_MAX_LENGTH:
            errors["visit_arrangements"] = ARRANGEMENTS_TOO_LONG
        changes |= {"accompanied_by": accompanied, "visit_on": visit_on, "visit_arrangements": arrangements}
    elif action == "reconsider":
        changes |= {"reason": "", "reason_detail": ""}
    if errors:
        raise ValidationFailed("Check the details.", fields=errors)
    if note:
        changes["_note"] = note
    return changes


def _apply(connection: Connection, action: str, changes: dict[str, Any], at: dt.datetime) -> str:
    before = connection.status
    connection.status = CONNECTION_LIFECYCLE.target(before, action)
    connection.status_changed_at = at
    for name, value in changes.items():
        if not name.startswith("_"):
            setattr(connection, name, value)
    connection.save()
    return before


def connection_move(*, actor: Actor, connection: Connection, action: str, **details: Any) -> Connection:
    """Move a connection by one staff action of the lifecycle (see docs/connections.md).

    Details: `reason` (required to decline: free text; to stop: a StopReason, with `detail` required
    for "other" and "provider could not help"), `referral_method` (refer), `accompanied_by` (required),
    `visit_on` and `visit_arrangements` (plan_visit), and an optional short `note` for any action.
    """
    authorize(actor, Action.UPDATE, connection)
    if action not in STAFF_ACTIONS:
        raise InvalidTransition(f"There is no action called {action!r} for a connection.")
    CONNECTION_LIFECYCLE.target(connection.status, action)  # refuse early, before checking details
    changes = _details_for(action, details)
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        connection.status = locked.status
        at = now()
        before = _apply(connection, action, changes, at)
        detail = {
            name: (value.isoformat() if isinstance(value, dt.date) else value)
            for name, value in changes.items()
            if name
            in ("referral_method", "accompanied_by", "visit_on", "visit_arrangements", "reason_detail")
            and value
        }
        if "_note" in changes:
            detail["note"] = changes["_note"]
        _move_row(
            connection,
            action=action,
            before=before,
            actor=actor,
            at=at,
            reason=changes.get("reason", ""),
            detail=detail,
        )
        audit_record(
            actor=actor,
            event="connection.moved",
            target=connection,
            fields=["status", *sorted(name for name in changes if not name.startswith("_"))],
            values={
                "status": [before, connection.status],
                "action": action,
                "reason": changes.get("reason", ""),
            },
        )
        if connection.status == ConnectionStatus.ATTENDED:
            webhook_event.send(sender=Connection, event="connection.attended", record=connection)
    return connection


# --- The provider's link ---------------------------------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=LINK_SALT)


def provider_link_create(
    *,
    actor: Actor,
    connection: Connection,
    request: str,
    contact_name: str = "",
    contact_details: str = "",
    days: int = LINK_DAYS,
) -> tuple[ProviderLink, str]:
    """A link for the provider to confirm, valid for `days`; returns the link and its token (shown once).
    Any earlier link for the connection that is still open is revoked: one live link at a time."""
    authorize(actor, Action.UPDATE, connection)
    if connection.status not in PROVIDER_STAGES:
        raise InvalidTransition(LINK_STAGE, code="CONNECTION_NOT_READY_FOR_PROVIDER")
    errors: dict[str, str] = {}
    request = request.strip()
    if not request:
        errors["request"] = REQUEST_REQUIRED
    elif len(request) > REQUEST_MAX_LENGTH:
        errors["request"] = REQUEST_TOO_LONG
    if isinstance(actor, User):
        contact_name = contact_name.strip() or actor.get_full_name().strip()
        contact_details = contact_details.strip() or actor.email.strip()
    if not contact_name.strip() or not contact_details.strip():
        errors["contact_details"] = CONTACT_REQUIRED
    if not 1 <= days <= 60:
        errors["days"] = "A link lasts between 1 and 60 days."
    if errors:
        raise ValidationFailed("Check the link's details.", fields=errors)
    raw = secrets.token_urlsafe(24)
    at = now()
    with transaction.atomic():
        ProviderLink.objects.filter(connection=connection, revoked_at__isnull=True).exclude(
            answer__in=FINAL_ANSWERS
        ).update(revoked_at=at)
        link = ProviderLink.objects.create(
            connection=connection,
            token_hash=secret_hash(raw),
            request=request,
            contact_name=contact_name.strip()[:200],
            contact_details=contact_details.strip()[:200],
            created_at=at,
            created_by=actor if isinstance(actor, User) else None,
            expires_at=at + dt.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            event="connection.provider_link_created",
            target=connection,
            fields=["provider_link"],
            values={"link": link.pk, "expires_at": link.expires_at.isoformat()},
        )
    return link, _signer().sign(f"{link.pk}.{raw}")


def provider_link_revoke(*, actor: Actor, connection: Connection) -> int:
    """Stop every open link for the connection working; returns how many were revoked."""
    authorize(actor, Action.UPDATE, connection)
    with transaction.atomic():
        count = (
            ProviderLink.objects.filter(connection=connection, revoked_at__isnull=True)
            .exclude(answer__in=FINAL_ANSWERS)
            .update(revoked_at=now())
        )
        if count:
            audit_record(
                actor=actor,
                event="connection.moved",
                target=connection,
                fields=["provider_link"],
                values={"revoked_links": count},
            )
    return count


def _link_for(token: str, *, lock: bool = False) -> ProviderLink:
    """The stored link behind a token; NotFound for anything tampered, expired, revoked or unknown."""
    try:
        value = _signer().unsign(token, max_age=dt.timedelta(days=60))
        link_id, raw = value.split(".", 1)
        pk = int(link_id)
    except (signing.BadSignature, ValueError):
        raise NotFound(LINK_NOT_FOUND) from None
    links = ProviderLink.objects.select_related("connection__person", "connection__organisation")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(pk=pk).first()
    if link is None or not hmac.compare_digest(link.token_hash, secret_hash(raw)):
        raise NotFound(LINK_NOT_FOUND)
    if link.revoked_at is not None or link.expires_at <= now():
        raise NotFound(LINK_NOT_FOUND)
    return link


@dataclass(frozen=True)
class ProviderRequest:
    """What the provider's page shows: the person's first name and the request, nothing more."""

    first_name: str
    service_name: str
    request: str
    organisation_name: str
    contact_name: str
    contact_details: str
    answered: bool
    answer: str
    expires_at: dt.datetime


def provider_request_get(token: str) -> ProviderRequest:
    """The request behind a valid link (NotFound otherwise). A spent link reports `answered` and
    carries no details about the person or the request."""
    link = _link_for(token)
    if link.answer in FINAL_ANSWERS:
        return ProviderRequest("", "", "", "", "", "", True, link.answer, link.expires_at)
    connection = link.connection
    person = connection.person
    return ProviderRequest(
        first_name=(person.preferred_name.strip() or person.first_name.strip()),
        service_name=connection.service_name,
        request=link.request,
        organisation_name=connection.organisation.name,
        contact_name=link.contact_name,
        contact_details=link.contact_details,
        answered=False,
        answer=link.answer,
        expires_at=link.expires_at,
    )


def provider_confirm(*, token: str, answer: str, reason: str = "") -> Connection:
    """The provider's answer through their link (no account, so no actor): referral received, the
    person came, or could not help (with a reason). It moves the connection when its stage allows
    and is always kept in the history; after a final answer the link is spent."""
    if answer not in ProviderAnswer.values:
        raise ValidationFailed(ANSWER_INVALID, fields={"answer": ANSWER_INVALID})
    reason = reason.strip()
    if answer == ProviderAnswer.COULD_NOT_HELP and not reason:
        raise ValidationFailed(COULD_NOT_HELP_REASON, fields={"reason": COULD_NOT_HELP_REASON})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(REASON_TOO_LONG, fields={"reason": REASON_TOO_LONG})
    with transaction.atomic():
        link = _link_for(token, lock=True)
        if link.answer in FINAL_ANSWERS:
            raise InvalidTransition(ALREADY_ANSWERED, code="ALREADY_ANSWERED")
        connection = Connection.objects.select_for_update().get(pk=link.connection_id)
        at = now()
        action = f"provider_{answer}"
        before = connection.status
        moved = connection.status in CONNECTION_LIFECYCLE.transitions[action].sources
        changes: dict[str, Any] = {}
        if answer == ProviderAnswer.RECEIVED and connection.provider_acknowledged_at is None:
            changes["provider_acknowledged_at"] = at
        if answer == ProviderAnswer.COULD_NOT_HELP and moved:
            changes |= {"reason": StopReason.PROVIDER_COULD_NOT_HELP, "reason_detail": reason}
        if moved:
            _apply(connection, action, changes, at)
        elif "provider_acknowledged_at" in changes:  # a later stage is already recorded: keep it
            connection.provider_acknowledged_at = at
            connection.save(update_fields=["provider_acknowledged_at"])
        link.answer, link.answer_reason, link.answered_at = answer, reason, at
        link.save(update_fields=["answer", "answer_reason", "answered_at"])
        _move_row(
            connection,
            action=action,
            before=before,
            actor=None,
            at=at,
            reason=StopReason.PROVIDER_COULD_NOT_HELP if answer == ProviderAnswer.COULD_NOT_HELP else "",
            detail={"reason_detail": reason} if reason else ({} if moved else {"no_change": True}),
        )
        audit_record(
            actor=None,
            event="connection.provider_confirmed",
            target=connection,
            fields=["status"] if moved else [],
            values={"answer": answer, "status": [before, connection.status], "link": link.pk},
        )
        if moved and connection.status == ConnectionStatus.ATTENDED:
            webhook_event.send(sender=Connection, event="connection.attended", record=connection)
    return connection
