"""Access rules for webhook endpoints: only organisation admins, only their own organisation's.

Deliveries and attempts are reached only through an endpoint that was already authorised.
"""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.webhooks.models import WebhookEndpoint

MANAGE = (Action.VIEW, Action.CREATE, Action.UPDATE, Action.DELETE)


class WebhookEndpointPolicy(Policy[WebhookEndpoint]):
    model = WebhookEndpoint

    def allows(self, actor: User, action: str, obj: WebhookEndpoint | None) -> bool:
        if action not in MANAGE or not actor.has_role(Role.ORGANISATION_ADMIN):
            return False
        if obj is None:
            return action == Action.CREATE
        return obj.organisation_id == actor.organisation_id

    def scope(
        self, actor: User, action: str, queryset: QuerySet[WebhookEndpoint]
    ) -> QuerySet[WebhookEndpoint]:
        if action not in MANAGE or not actor.has_role(Role.ORGANISATION_ADMIN):
            return queryset.none()
        return queryset.filter(organisation_id=organisation_of(actor))


register(WebhookEndpointPolicy())
