"""Who may see and change directory records.

The directory is shared by every organisation of an installation: any member of staff may view
published entries (and stale ones, flagged). Each entry is looked after by one owner organisation,
whose directory editors alone see its drafts, submissions, rejections and archive, change it,
decide its problem reports and claims, and approve it. The public reads published entries through
`public_selectors.public_services`, not through these policies. Provider organisations and venues
have no policy of their own: they are changed only through their entry (`editing.py`, authorised by
the entry's policy) or by import, and read with the entries they serve.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.directory.models import (
    PUBLIC_STATES,
    ListingClaim,
    ProblemReport,
    Service,
    Verification,
)

EDITOR_ACTIONS = (Action.CREATE, Action.UPDATE, Action.APPROVE, Action.DELETE, Action.EXPORT)


def is_editor(actor: User) -> bool:
    return actor.has_role(Role.DIRECTORY_EDITOR)


def _service_filter(actor: User, action: str, prefix: str = "") -> Q:
    own = Q(**{f"{prefix}owner_id": organisation_of(actor)})
    if action == Action.VIEW:
        public = Q(**{f"{prefix}state__in": PUBLIC_STATES})
        return public | own if is_editor(actor) else public
    if action in EDITOR_ACTIONS and is_editor(actor):
        return own
    return Q(pk__in=[])


class ServicePolicy(Policy[Service]):
    model = Service

    def allows(self, actor: User, action: str, obj: Service | None) -> bool:
        if obj is None:
            return action == Action.CREATE and is_editor(actor)
        if action == Action.VIEW and obj.state in PUBLIC_STATES:
            return True
        return (
            is_editor(actor)
            and obj.owner_id == actor.organisation_id
            and (action == Action.VIEW or action in EDITOR_ACTIONS)
        )

    def scope(self, actor: User, action: str, queryset: QuerySet[Service]) -> QuerySet[Service]:
        return queryset.filter(_service_filter(actor, action))


class EditorialTaskPolicy(Policy[Any]):
    """Problem reports, claims and verifications are the business of the entry's owner's editors."""

    def allows(self, actor: User, action: str, obj: Any) -> bool:
        if not is_editor(actor) or action not in (Action.VIEW, *EDITOR_ACTIONS):
            return False
        return obj is None or obj.service.owner_id == actor.organisation_id

    def scope(self, actor: User, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not is_editor(actor) or action not in (Action.VIEW, *EDITOR_ACTIONS):
            return queryset.none()
        return queryset.filter(service__owner_id=organisation_of(actor))


class ProblemReportPolicy(EditorialTaskPolicy):
    model = ProblemReport


class ListingClaimPolicy(EditorialTaskPolicy):
    model = ListingClaim


class VerificationPolicy(EditorialTaskPolicy):
    model = Verification


for policy in (
    ServicePolicy(),
    ProblemReportPolicy(),
    ListingClaimPolicy(),
    VerificationPolicy(),
):
    register(policy)
