"""Access to support episodes and everything recorded in them.

Full access follows the person (people.policies.casework_filter). Volunteers may open the
practical view of their assigned episodes and log the contacts they make; they never read
notes, conversations, goals or budgets. Supervisors approve extensions and overspends.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q, QuerySet

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.policies import Action, Policy, organisation_of, register
from linkwork.people.policies import CASEWORK_ROLES, casework_filter
from linkwork.support.models import (
    OPEN_EPISODE_STATUSES,
    BudgetEntry,
    Contact,
    Conversation,
    Extension,
    Goal,
    MeetUp,
    Pause,
    Programme,
    SupportEpisode,
)


class EpisodePolicy(Policy[SupportEpisode]):
    model = SupportEpisode

    def allows(self, actor: User, action: str, obj: SupportEpisode | None) -> bool:
        if obj is None or obj.pk is None:
            if action == Action.APPROVE:  # "may approve some episodes": the supervisor's pages
                return actor.has_role(Role.SUPERVISOR)
            return action == Action.CREATE and actor.has_role(*CASEWORK_ROLES)
        if action == Action.APPROVE:
            return actor.has_role(Role.SUPERVISOR) and self.allows(actor, Action.VIEW, obj)
        return self.scope(actor, action, SupportEpisode.objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[SupportEpisode]) -> QuerySet[SupportEpisode]:
        mine = queryset.filter(organisation_id=organisation_of(actor))
        if action in (Action.VIEW, Action.UPDATE):
            return mine.filter(casework_filter(actor, prefix="person__"))
        if action == Action.VIEW_PRACTICAL:
            # A volunteer's practical view covers only the open episodes they are assigned to.
            assigned = Q(pk__in=[])
            if actor.has_role(Role.VOLUNTEER):
                assigned = Q(volunteers=actor, status__in=OPEN_EPISODE_STATUSES)
            return mine.filter(casework_filter(actor, prefix="person__") | assigned).distinct()
        if action == Action.APPROVE and actor.has_role(Role.SUPERVISOR):
            return mine.filter(casework_filter(actor, prefix="person__"))
        return queryset.none()


class EpisodeRecordPolicy(Policy[Any]):
    """Records that belong to one episode: full access follows the episode."""

    volunteers_may_create: ClassVar[bool] = False

    def allows(self, actor: User, action: str, obj: Any) -> bool:
        if obj is None:
            return False
        episode = obj.episode
        if obj.pk is None and action == Action.CREATE:
            if EpisodePolicy().allows(actor, Action.UPDATE, episode):
                return True
            return self.volunteers_may_create and (
                actor.has_role(Role.VOLUNTEER)
                and episode.status in OPEN_EPISODE_STATUSES
                and episode.volunteers.filter(pk=actor.pk).exists()
            )
        return self.scope(actor, action, type(obj).objects.filter(pk=obj.pk)).exists()

    def scope(self, actor: User, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action not in (Action.VIEW, Action.UPDATE, Action.DELETE):
            return queryset.none()
        episodes = EpisodePolicy().scope(actor, Action.VIEW, SupportEpisode.objects.all())
        return queryset.filter(episode__in=episodes)


def record_policy(record_model: type[models.Model], volunteers: bool = False) -> EpisodeRecordPolicy:
    policy_class = type(
        f"{record_model.__name__}Policy",
        (EpisodeRecordPolicy,),
        {"model": record_model, "volunteers_may_create": volunteers},
    )
    return policy_class()  # type: ignore[no-any-return]


class ProgrammePolicy(Policy[Programme]):
    """Everyone in the organisation may see its programmes; admins and supervisors set them up."""

    model = Programme

    def allows(self, actor: User, action: str, obj: Programme | None) -> bool:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            return False
        if action == Action.VIEW:
            return obj is not None
        return action in (Action.CREATE, Action.UPDATE) and actor.has_role(
            Role.ORGANISATION_ADMIN, Role.SUPERVISOR
        )

    def scope(self, actor: User, action: str, queryset: QuerySet[Programme]) -> QuerySet[Programme]:
        if action == Action.VIEW or actor.has_role(Role.ORGANISATION_ADMIN, Role.SUPERVISOR):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


class MeetUpPolicy(Policy[MeetUp]):
    """Meet-ups are group sessions run by connectors and supervisors."""

    model = MeetUp

    def allows(self, actor: User, action: str, obj: MeetUp | None) -> bool:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            return False
        return action in (Action.VIEW, Action.CREATE, Action.UPDATE) and actor.has_role(*CASEWORK_ROLES)

    def scope(self, actor: User, action: str, queryset: QuerySet[MeetUp]) -> QuerySet[MeetUp]:
        if actor.has_role(*CASEWORK_ROLES) and action in (Action.VIEW, Action.UPDATE):
            return queryset.filter(organisation_id=organisation_of(actor))
        return queryset.none()


register(EpisodePolicy())
register(ProgrammePolicy())
register(MeetUpPolicy())
register(record_policy(Contact, volunteers=True))
for _model in (Conversation, Goal, BudgetEntry, Pause, Extension):
    register(record_policy(_model))
