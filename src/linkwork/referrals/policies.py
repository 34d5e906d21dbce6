"""Referrals are seen by whoever works the person's case (see people.policies)."""

from __future__ import annotations

from django.db.models import QuerySet

from linkwork.accounts.models import User
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.people.policies import CASEWORK_ROLES, casework_filter
from linkwork.referrals.models import Referral


class ReferralPolicy(Policy[Referral]):
    model = Referral

    def allows(self, actor: User, action: str, obj: Referral | None) -> bool:
        if obj is None or obj.pk is None:
            return (
                action == Action.CREATE
                and actor.has_role(*CASEWORK_ROLES)
                and (obj is None or obj.organisation_id == actor.organisation_id)
            )
        return self.scope(actor, action, Referral.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        if action not in (Action.VIEW, Action.UPDATE):
            return queryset.none()
        mine = queryset.filter(organisation_id=organisation_of(actor))
        return mine.filter(casework_filter(actor, prefix="person__"))


register(ReferralPolicy())
