"""The one place that answers "may this user do this action to this record?".

Each domain model with access rules has a `Policy` registered here. Selectors start from
`visible_to(actor, action, Model)` and services call `authorize(...)`; nothing else decides
access. The central functions refuse anonymous, inactive and organisation-less actors before
any policy runs, so a policy only has to express its own rule.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import models

from linkwork.core.errors import PermissionDenied

if TYPE_CHECKING:
    from linkwork.accounts.models import User

M = TypeVar("M", bound=models.Model)


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    # A volunteer's view of a person: first name, contact details and arrangements only.
    VIEW_PRACTICAL = "view_practical"
    APPROVE = "approve"


class Operator:
    """The installation operator acting through the `linkwork` command line.

    Only management commands construct one. An operator passes every policy check and is
    recorded in the audit log as `operator:<name>`.
    """

    is_authenticated = False
    pk = None
    organisation_id = None

    def __init__(self, name: str) -> None:
        self.name = name

    def get_username(self) -> str:
        return f"operator:{self.name}"


class Policy(Generic[M]):
    """Access rule for one model, expressed twice: in memory and as a query.

    `allows` decides for one record (or, with `obj=None`, for the kind of record, as for
    create); `scope` narrows a queryset to the records the actor may act on. Tests check
    that the two agree for every role.
    """

    model: ClassVar[type[models.Model]]

    def allows(self, actor: User, action: str, obj: M | None) -> bool:
        raise NotImplementedError

    def scope(self, actor: User, action: str, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        raise NotImplementedError


def organisation_of(actor: User) -> int:
    """The actor's organisation id; policies run only for actors that have one."""
    if actor.organisation_id is None:
        raise PermissionDenied()
    return actor.organisation_id


_registry: dict[type[models.Model], Policy[Any]] = {}


def register(policy: Policy[Any]) -> Policy[Any]:
    _registry[policy.model] = policy
    return policy


def policy_for(model: type[models.Model]) -> Policy[Any]:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"no access policy is registered for {model.__name__}") from None


def _is_staff_actor(actor: Any) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.organisation_id is not None
    )


def can(actor: User | Any, action: str, target: models.Model | type[models.Model]) -> bool:
    """True when `actor` may do `action` to `target` (a record, or a model class for create)."""
    if isinstance(actor, Operator):
        return True
    if not _is_staff_actor(actor):
        return False
    if isinstance(target, type):
        return policy_for(target).allows(actor, action, None)
    return policy_for(type(target)).allows(actor, action, target)


def authorize(actor: User | Any, action: str, target: models.Model | type[models.Model]) -> None:
    """Raise PermissionDenied (and record the denial in the audit log) unless allowed."""
    if can(actor, action, target):
        return
    from linkwork.audit.services import audit_permission_denied

    audit_permission_denied(actor=actor, action=action, target=target)
    raise PermissionDenied()


def visible_to(actor: User | Any, action: str, model: type[M]) -> models.QuerySet[M]:
    """The records of `model` that `actor` may do `action` to; empty for anyone not allowed."""
    queryset: models.QuerySet[M] = model._default_manager.all()
    if not _is_staff_actor(actor):
        return queryset.none()
    return policy_for(model).scope(actor, action, queryset)
