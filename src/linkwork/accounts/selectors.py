"""Reads for organisations, teams, staff and API tokens, always through the access policies."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from linkwork.accounts.models import ApiToken, Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.audit.services import audit_record
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, organisation_of, visible_to


def organisation_get(*, actor: User) -> Organisation:
    organisation = visible_to(actor, Action.VIEW, Organisation).first()
    if organisation is None:
        raise NotFound()
    return organisation


def organisation_id_for_username(username: str) -> int | None:
    """For attributing failed sign-ins; reveals nothing to the person signing in."""
    return User.objects.filter(username__iexact=username).values_list("organisation_id", flat=True).first()


def team_list(*, actor: User) -> QuerySet[Team]:
    return visible_to(actor, Action.VIEW, Team).order_by("name")


def team_get(*, actor: User, team_id: int, action: str = Action.VIEW) -> Team:
    team = visible_to(actor, action, Team).filter(pk=team_id).first()
    if team is None:
        raise NotFound()
    return team


def staff_list(*, actor: User, team_id: int | None = None, include_inactive: bool = False) -> QuerySet[User]:
    staff = visible_to(actor, Action.VIEW, User).prefetch_related("role_grants", "teams")
    if team_id is not None:
        staff = staff.filter(teams__pk=team_id)
    if not include_inactive:
        staff = staff.filter(is_active=True)
    return staff.order_by("first_name", "last_name", "username")


def staff_get(*, actor: User, staff_id: int, action: str = Action.VIEW) -> User:
    """One member of staff; opening the record is audited. Missing and not-yours look the same."""
    staff = (
        visible_to(actor, action, User).prefetch_related("role_grants", "teams").filter(pk=staff_id).first()
    )
    if staff is None:
        raise NotFound()
    # Opening a colleague's record is audited; looking at your own is not.
    if action == Action.VIEW and staff.pk != actor.pk:
        audit_record(actor=actor, event="staff.viewed", target=staff, organisation_id=staff.organisation_id)
    return staff


def token_list(*, actor: User, user_id: int | None = None) -> QuerySet[ApiToken]:
    tokens = visible_to(actor, Action.VIEW, ApiToken).select_related("user")
    return tokens.filter(user_id=user_id if user_id is not None else actor.pk)


def token_get(*, actor: User, token_id: int, action: str = Action.VIEW) -> ApiToken:
    token = visible_to(actor, action, ApiToken).select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def organisation_by_slug(slug: str) -> Organisation:
    """For public pages (self-referral): only the organisation's name is shown."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise NotFound()
    return organisation


def staff_with_role(*, actor: User, role: Role) -> QuerySet[User]:
    """Active colleagues holding `role`, for choosing a connector or volunteers."""
    return (
        User.objects.filter(organisation_id=organisation_of(actor), is_active=True, role_grants__role=role)
        .distinct()
        .order_by("first_name", "last_name")
    )


SIGN_IN_EVENTS = ("auth.login", "auth.login_failed", "auth.locked_out", "auth.signed_out_everywhere")


def sign_in_history(*, actor: User, limit: int = 20) -> QuerySet[AuditEvent]:
    """The actor's own recent sign-ins, failed attempts on their username, wrong two-factor codes,
    lockouts and sign-outs.

    Read from the audit log directly rather than through its policy, which shows the log only to
    supervisors and admins: everyone may see these entries about themselves, and only those.
    """
    own = Q(actor_id=actor.pk) & Q(
        event__in=("auth.login", "auth.signed_out_everywhere", "auth.two_factor_failed")
    )
    tried = (
        Q(event__in=("auth.login_failed", "auth.locked_out"))
        & Q(organisation_id=actor.organisation_id)
        & Q(detail__username__iexact=actor.username)
    )
    return AuditEvent.objects.filter(own | tried).order_by("-seq")[:limit]
