"""Reads of referrals through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.referrals.models import OPEN_REFERRAL_STATUSES, Referral


def referral_list(*, actor: User, status: str | None = None, open_only: bool = False) -> QuerySet[Referral]:
    referrals = visible_to(actor, Action.VIEW, Referral).select_related("person")
    if status:
        referrals = referrals.filter(status=status)
    if open_only:
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
    return referrals.order_by("received_at")


def referral_get(*, actor: User, referral_id: int, action: str = Action.VIEW) -> Referral:
    referral = (
        visible_to(actor, action, Referral)
        .select_related("person", "organisation")
        .prefetch_related("attempts", "outcome_messages")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotFound()
    if action == Action.VIEW:
        audit_record(actor=actor, event="referral.viewed", target=referral)
    return referral
