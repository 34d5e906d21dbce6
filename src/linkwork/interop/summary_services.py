"""Reading and sharing the loneliness summary, and the messages back to the GP and referrer.

Each function makes the one permission check (through `visible_to` or `authorize`) and writes the audit
entry. The summary and the messages are casework: whoever may view the episode or the referral.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.template.loader import render_to_string

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, NotFound, ValidationFailed
from linkwork.core.policies import Action, visible_to
from linkwork.core.time import now, to_london
from linkwork.interop.messages import PRINT_STYLES
from linkwork.interop.summary import LonelinessSummary, loneliness_summary
from linkwork.people.choices import ConsentPurpose
from linkwork.people.services import consent_in_force
from linkwork.referrals.models import OPEN_REFERRAL_STATUSES, OutcomeMessage, OutcomeMessageKind, Referral
from linkwork.referrals.services import outcome_message_create
from linkwork.support.models import SupportEpisode
from linkwork.web.pdf import pdf_from_html

SUMMARY_FORMATS = ("html", "pdf", "json")
MESSAGE_FORMATS = ("pdf", "fhir")
RECIPIENT_KINDS = {"gp": "Their GP", "referrer": "The person or service that referred them"}
RECIPIENT_NAME_MAX_LENGTH = 200

NO_SHARING_CONSENT = (
    "{name} has not agreed to share updates with their GP and referrer (or has withdrawn that agreement), "
    "so the summary cannot be shared. Record their consent first if they now agree."
)
RECIPIENT_KIND_REQUIRED = "Choose whether you are sharing with the GP or the referrer."
RECIPIENT_NAME_REQUIRED = "Enter the name of the person or practice you are sharing with."
RECIPIENT_NAME_TOO_LONG = f"Keep the name to {RECIPIENT_NAME_MAX_LENGTH} characters."
ALREADY_ACKNOWLEDGED = "The referrer has already been told that this referral was received."
ALREADY_DECIDED = "The referral has been decided, and the referrer's letter says so."
NO_REFERRER = "This referral has no referrer to write to (a self-referral, or no name or contact recorded)."
NO_FHIR = "This letter was written before linkwork kept a FHIR copy of each message."


class ConsentRequired(DomainError):
    code = "CONSENT_REQUIRED"
    status = 409


class MessageRefused(DomainError):
    code = "MESSAGE_REFUSED"
    status = 409


@dataclass(frozen=True)
class SummaryShare:
    episode: SupportEpisode
    recipient_kind: str
    recipient_name: str
    shared_at: dt.datetime
    summary: LonelinessSummary


def summary_episode(*, actor: User, episode_id: int, action: str = Action.VIEW) -> SupportEpisode:
    """The episode, if the actor may act on it (casework); NotFound otherwise. Not audited by itself."""
    episode = (
        visible_to(actor, action, SupportEpisode)
        .select_related("person__team", "organisation", "connector", "programme")
        .filter(pk=episode_id)
        .first()
    )
    if episode is None:
        raise NotFound()
    return episode


def summary_view(*, actor: User, episode_id: int, as_format: str) -> tuple[SupportEpisode, LonelinessSummary]:
    """The summary to show or download ("html", "pdf" or "json"), audited as `summary.viewed`."""
    if as_format not in SUMMARY_FORMATS:
        raise NotFound()
    episode = summary_episode(actor=actor, episode_id=episode_id)
    summary = loneliness_summary(episode=episode)
    audit_record(actor=actor, event="summary.viewed", target=episode, detail={"format": as_format})
    return episode, summary


def summary_html(*, episode: SupportEpisode, summary: LonelinessSummary) -> str:
    """The summary standing alone: what the PDF is made from."""
    return render_to_string(
        "interop/summary_pdf.html",
        {"episode": episode, "summary": summary, "prepared_at": to_london(now())},
    )


def summary_pdf(*, episode: SupportEpisode, summary: LonelinessSummary) -> bytes:
    return pdf_from_html(
        summary_html(episode=episode, summary=summary), stylesheet=PRINT_STYLES / "summary-print.css"
    )


def summary_share(*, actor: User, episode_id: int, recipient_kind: str, recipient_name: str) -> SummaryShare:
    """Share the summary with the person's GP or referrer, only if their consent to that is in force now.

    The share is recorded in the audit log (`summary.shared`) with the recipient.
    """
    episode = summary_episode(actor=actor, episode_id=episode_id, action=Action.UPDATE)
    name = recipient_name.strip()
    errors = {}
    if recipient_kind not in RECIPIENT_KINDS:
        errors["recipient_kind"] = RECIPIENT_KIND_REQUIRED
    if not name:
        errors["recipient_name"] = RECIPIENT_NAME_REQUIRED
    elif len(name) > RECIPIENT_NAME_MAX_LENGTH:
        errors["recipient_name"] = RECIPIENT_NAME_TOO_LONG
    if errors:
        raise ValidationFailed("Say whom you are sharing the summary with.", fields=errors)
    with transaction.atomic():
        # Asked at this moment, inside the transaction that records the share: a withdrawal a second
        # ago refuses it.
        if not consent_in_force(episode.person, ConsentPurpose.SHARE_WITH_GP_REFERRER):
            raise ConsentRequired(NO_SHARING_CONSENT.format(name=episode.person.first_name))
        summary = loneliness_summary(episode=episode)
        shared_at = now()
        audit_record(
            actor=actor,
            event="summary.shared",
            target=episode,
            detail={"recipient_kind": recipient_kind, "recipient": name, "consent": "share-gp-referrer"},
        )
    return SummaryShare(episode, recipient_kind, name, shared_at, summary)


def message_acknowledge(*, actor: User, referral_id: int) -> OutcomeMessage:
    """Tell the referrer (and GP) that the referral was received: once, while it is still open."""
    referral = visible_to(actor, Action.UPDATE, Referral).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update().select_related("person", "organisation").get(pk=referral.pk)
        )
        if referral.outcome_messages.filter(kind=OutcomeMessageKind.RECEIVED).exists():
            raise MessageRefused(ALREADY_ACKNOWLEDGED, code="ALREADY_ACKNOWLEDGED")
        if referral.status not in OPEN_REFERRAL_STATUSES:
            raise MessageRefused(ALREADY_DECIDED, code="ALREADY_DECIDED")
        message = outcome_message_create(referral=referral, kind=OutcomeMessageKind.RECEIVED)
        if message is None:
            raise MessageRefused(NO_REFERRER, code="NO_REFERRER")
        audit_record(
            actor=actor,
            event="message.acknowledged",
            target=referral,
            detail={"message": message.pk, "codes_only": message.codes_only},
        )
    return message


def message_get(*, actor: User, referral_id: int, message_id: int) -> OutcomeMessage:
    """A message of a referral the actor works with; NotFound otherwise, as for a missing one."""
    referral = visible_to(actor, Action.VIEW, Referral).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound()
    message = (
        OutcomeMessage.objects.select_related("referral__person", "referral__organisation")
        .filter(referral=referral, pk=message_id)
        .first()
    )
    if message is None:
        raise NotFound()
    return message


def message_export(*, actor: User, referral_id: int, message_id: int, as_format: str) -> OutcomeMessage:
    """A message to download as a PDF letter or as FHIR, audited as `message.exported`."""
    if as_format not in MESSAGE_FORMATS:
        raise NotFound()
    message = message_get(actor=actor, referral_id=referral_id, message_id=message_id)
    if as_format == "fhir" and not message.fhir:
        raise NotFound(NO_FHIR, code="NO_FHIR")
    audit_record(
        actor=actor,
        event="message.exported",
        target=message.referral,
        detail={
            "message": message.pk,
            "kind": message.kind,
            "format": as_format,
            "codes_only": message.codes_only,
        },
    )
    return message
