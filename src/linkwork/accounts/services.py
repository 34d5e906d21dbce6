"""Writes for organisations, teams, staff and API tokens: authorised, atomic, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from linkwork.accounts.lockout import unlock_account
from linkwork.accounts.models import ApiToken, Organisation, RoleGrant, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.core.errors import DomainError, ValidationFailed
from linkwork.core.hashing import secret_hash
from linkwork.core.policies import Action, Operator, authorize
from linkwork.core.time import now

Actor = User | Operator

ORGANISATION_NAME_TAKEN = "An organisation with this name already exists."
CRISIS_GUIDANCE_REQUIRED = "Say what staff should do when an answer raises a safeguarding alert."
TEAM_NAME_TAKEN = "Your organisation already has a team with this name."
TEAM_HAS_MEMBERS = "Move this team's members to another team before removing it."
USERNAME_TAKEN = "This username is already taken."
USERNAME_FORMAT = "Use only letters, numbers and . _ - in a username."
USERNAME_VALIDATOR = RegexValidator(r"^[a-z0-9._-]{2,150}$")
UNKNOWN_TEAM = "Choose teams from your own organisation."
NO_ROLES = "Give the member of staff at least one role."
LAST_ADMIN = "Your organisation must keep at least one active organisation admin."
CANNOT_DEACTIVATE_SELF = "You cannot remove your own access."
TOKEN_EXPIRY_RANGE = "A token must expire in 1 to 365 days."  # noqa: S105  (a message, not a secret)
TOKEN_NAME_REQUIRED = "Give the token a name that says what it is for."  # noqa: S105  (a message, not a secret)
TOKEN_PREFIX = "lw_"  # noqa: S105  (a prefix, not a secret)


def _require(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(message, fields={field: message})
    return value


def organisation_create(*, actor: Actor, name: str, slug: str = "") -> Organisation:
    authorize(actor, Action.CREATE, Organisation)
    name = _require(name, "name", "Enter the organisation's name.")
    slug = slugify(slug or name)[:60]
    if (
        Organisation.objects.filter(name__iexact=name).exists()
        or Organisation.objects.filter(slug=slug).exists()
    ):
        raise ValidationFailed(ORGANISATION_NAME_TAKEN, fields={"name": ORGANISATION_NAME_TAKEN})
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, slug=slug)
        audit_record(
            actor=actor,
            event="organisation.created",
            target=organisation,
            fields=["name", "slug"],
            values={"name": [None, name], "slug": [None, slug]},
            organisation_id=organisation.pk,
        )
    return organisation


def organisation_update(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    crisis_guidance: str | None = None,
    anonymise_terms: Iterable[str] | None = None,
    require_two_factor: bool | None = None,
) -> Organisation:
    """Change the organisation's name, the crisis guidance shown with safeguarding alerts, the
    local words (places, groups) removed when stories are anonymised, and whether staff who read
    personal data must sign in with a second factor."""
    authorize(actor, Action.UPDATE, organisation)
    name = _require(name, "name", "Enter the organisation's name.")
    if Organisation.objects.filter(name__iexact=name).exclude(pk=organisation.pk).exists():
        raise ValidationFailed(ORGANISATION_NAME_TAKEN, fields={"name": ORGANISATION_NAME_TAKEN})
    after: dict[str, Any] = {"name": name}
    if crisis_guidance is not None:
        after["crisis_guidance"] = _require(crisis_guidance, "crisis_guidance", CRISIS_GUIDANCE_REQUIRED)
    if anonymise_terms is not None:
        after["anonymise_terms"] = sorted({term.strip() for term in anonymise_terms if term.strip()})
    if require_two_factor is not None:
        after["require_two_factor"] = require_two_factor
    changed = [field for field, value in after.items() if getattr(organisation, field) != value]
    if not changed:
        return organisation
    with transaction.atomic():
        before = {field: getattr(organisation, field) for field in changed}
        for field in changed:
            setattr(organisation, field, after[field])
        organisation.save(update_fields=changed)
        audit_record(
            actor=actor,
            event="organisation.updated",
            target=organisation,
            fields=changed,
            values={field: [before[field], after[field]] for field in changed},
        )
    return organisation


def team_create(*, actor: Actor, organisation: Organisation, name: str) -> Team:
    authorize(actor, Action.CREATE, Team(organisation=organisation))
    name = _require(name, "name", "Enter the team's name.")
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationFailed(TEAM_NAME_TAKEN, fields={"name": TEAM_NAME_TAKEN})
    with transaction.atomic():
        team = Team.objects.create(organisation=organisation, name=name)
        audit_record(
            actor=actor,
            event="team.created",
            target=team,
            fields=["name"],
            values={"name": [None, name]},
            organisation_id=organisation.pk,
        )
    return team


def team_rename(*, actor: Actor, team: Team, name: str) -> Team:
    authorize(actor, Action.UPDATE, team)
    name = _require(name, "name", "Enter the team's name.")
    if (
        Team.objects.filter(organisation_id=team.organisation_id, name__iexact=name)
        .exclude(pk=team.pk)
        .exists()
    ):
        raise ValidationFailed(TEAM_NAME_TAKEN, fields={"name": TEAM_NAME_TAKEN})
    with transaction.atomic():
        before, team.name = team.name, name
        team.save(update_fields=["name"])
        audit_record(
            actor=actor,
            event="team.updated",
            target=team,
            fields=["name"],
            values={"name": [before, name]},
            organisation_id=team.organisation_id,
        )
    return team


def team_delete(*, actor: Actor, team: Team) -> None:
    authorize(actor, Action.DELETE, team)
    if team.members.exists():
        raise DomainError(TEAM_HAS_MEMBERS, code="TEAM_HAS_MEMBERS")
    with transaction.atomic():
        audit_record(actor=actor, event="team.deleted", target=team, organisation_id=team.organisation_id)
        team.delete()


def _clean_roles(roles: Iterable[str]) -> set[Role]:
    try:
        chosen = {Role(role) for role in roles}
    except ValueError as error:
        raise ValidationFailed(
            f"Unknown role: {error}", fields={"roles": "Choose roles from the list."}
        ) from None
    if not chosen:
        raise ValidationFailed(NO_ROLES, fields={"roles": NO_ROLES})
    return chosen


def _clean_teams(organisation: Organisation, team_ids: Iterable[int]) -> list[Team]:
    wanted = set(team_ids)
    teams = list(Team.objects.filter(organisation=organisation, pk__in=wanted))
    if len(teams) != len(wanted):
        raise ValidationFailed(UNKNOWN_TEAM, fields={"teams": UNKNOWN_TEAM})
    return teams


def _clean_person_fields(first_name: str, last_name: str, email: str) -> dict[str, str]:
    fields = {
        "first_name": _require(first_name, "first_name", "Enter a first name."),
        "last_name": last_name.strip(),
        "email": _require(email, "email", "Enter an e-mail address.").lower(),
    }
    try:
        User._meta.get_field("email").run_validators(fields["email"])
    except DjangoValidationError:
        message = "Enter an e-mail address in the right format, like name@example.org."
        raise ValidationFailed(message, fields={"email": message}) from None
    return fields


def _active_admins(organisation_id: int | None) -> QuerySet[User]:
    if organisation_id is None:
        return User.objects.none()
    admins = User.objects.filter(organisation_id=organisation_id, is_active=True)
    return admins.filter(role_grants__role=Role.ORGANISATION_ADMIN).distinct()


def _staff_snapshot(user: User) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(user.role_grants.values_list("role", flat=True)),
        "teams": sorted(user.teams.values_list("pk", flat=True)),
        "is_active": user.is_active,
    }


# Staff names and e-mail addresses are personal: the audit log names them but keeps no values.
STAFF_PERSONAL_FIELDS = frozenset({"first_name", "last_name", "email"})


def _audit_staff_change(*, actor: Actor, event: str, user: User, before: dict[str, Any]) -> None:
    after = _staff_snapshot(user)
    changed = [name for name in after if before.get(name) != after[name]]
    if not changed:
        return
    audit_record(
        actor=actor,
        event=event,
        target=user,
        fields=changed,
        values={
            name: [before.get(name), after[name]] for name in changed if name not in STAFF_PERSONAL_FIELDS
        },
        organisation_id=user.organisation_id,
    )


def staff_create(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str = "",
    email: str,
    roles: Iterable[str],
    team_ids: Iterable[int] = (),
    password: str | None = None,
    send_invitation: bool = True,
) -> User:
    """Add a member of staff. Without a password they are e-mailed a link to set one."""
    authorize(actor, Action.CREATE, User(organisation=organisation))
    username = _require(username, "username", "Enter a username.").lower()
    try:
        USERNAME_VALIDATOR(username)
    except DjangoValidationError:
        raise ValidationFailed(USERNAME_FORMAT, fields={"username": USERNAME_FORMAT}) from None
    person = _clean_person_fields(first_name, last_name, email)
    chosen_roles = _clean_roles(roles)
    teams = _clean_teams(organisation, team_ids)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(USERNAME_TAKEN, fields={"username": USERNAME_TAKEN})
    with transaction.atomic():
        user = User(username=username, organisation=organisation, **person)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in chosen_roles)
        user.teams.set(teams)
        _audit_staff_change(actor=actor, event="staff.created", user=user, before={})
        if send_invitation and not password:
            transaction.on_commit(lambda: staff_send_invitation(user=user))
    return user


def staff_send_invitation(*, user: User) -> None:
    """E-mail a new member of staff a one-time link to choose their password."""
    link = settings.LINKWORK_BASE_URL.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    organisation = user.organisation.name if user.organisation else "linkwork"
    send_mail(
        subject=f"Your linkwork account at {organisation}",
        message=(
            f"Hello {user.first_name},\n\n"
            f"An account has been made for you on linkwork at {organisation}.\n"
            f"Your username is {user.username}. Choose your password here:\n\n{link}\n\n"
            "The link works once and expires in 3 days. If you were not expecting this, ignore this e-mail.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def staff_update(
    *,
    actor: Actor,
    staff: User,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[str],
    team_ids: Iterable[int],
) -> User:
    authorize(actor, Action.UPDATE, staff)
    person = _clean_person_fields(first_name, last_name, email)
    chosen_roles = _clean_roles(roles)
    teams = _clean_teams(staff.organisation, team_ids) if staff.organisation else []
    if Role.ORGANISATION_ADMIN not in chosen_roles and staff.is_active:
        other_admins = _active_admins(staff.organisation_id).exclude(pk=staff.pk)
        if not other_admins.exists():
            raise ValidationFailed(LAST_ADMIN, fields={"roles": LAST_ADMIN})
    with transaction.atomic():
        before = _staff_snapshot(staff)
        for name, value in person.items():
            setattr(staff, name, value)
        staff.save(update_fields=list(person))
        staff.role_grants.exclude(role__in=chosen_roles).delete()
        existing = set(staff.role_grants.values_list("role", flat=True))
        RoleGrant.objects.bulk_create(
            RoleGrant(user=staff, role=r) for r in chosen_roles if r not in existing
        )
        staff.teams.set(teams)
        staff.__dict__.pop("roles", None)  # the cached_property of the old roles
        _audit_staff_change(actor=actor, event="staff.updated", user=staff, before=before)
    staff.refresh_from_db()  # also drops prefetched roles and teams, which are now stale
    return staff


def staff_set_active(*, actor: Actor, staff: User, active: bool) -> User:
    """Remove (or restore) a member of staff's access. Their tokens stop working too."""
    authorize(actor, Action.DELETE if not active else Action.UPDATE, staff)
    if not active:
        if isinstance(actor, User) and actor.pk == staff.pk:
            raise DomainError(CANNOT_DEACTIVATE_SELF, code="CANNOT_DEACTIVATE_SELF")
        if (
            staff.has_role(Role.ORGANISATION_ADMIN)
            and not _active_admins(staff.organisation_id).exclude(pk=staff.pk).exists()
        ):
            raise DomainError(LAST_ADMIN, code="LAST_ADMIN")
    if staff.is_active == active:
        return staff
    with transaction.atomic():
        before = _staff_snapshot(staff)
        staff.is_active = active
        staff.save(update_fields=["is_active"])
        if not active:
            staff.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now())
        _audit_staff_change(
            actor=actor, event="staff.updated" if active else "staff.deactivated", user=staff, before=before
        )
    return staff


def token_create(
    *, actor: Actor, user: User, name: str, expires_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`. Returns the record and the token, shown only once."""
    authorize(actor, Action.CREATE, ApiToken(user=user))
    name = _require(name, "name", TOKEN_NAME_REQUIRED)[:100]
    if expires_days is not None and not 1 <= expires_days <= 365:
        raise ValidationFailed(TOKEN_EXPIRY_RANGE, fields={"expires_days": TOKEN_EXPIRY_RANGE})
    if not user.is_active:
        raise DomainError("Tokens cannot be made for a member of staff without access.", code="USER_INACTIVE")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:10],
            token_hash=secret_hash(raw),
            expires_at=now() + dt.timedelta(days=expires_days) if expires_days else None,
        )
        audit_record(
            actor=actor,
            event="token.created",
            target=token,
            fields=["name", "expires_at"],
            values={"name": [None, name], "expires_at": [None, token.expires_at]},
            organisation_id=user.organisation_id,
        )
    return token, raw


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    authorize(actor, Action.DELETE, token)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            event="token.revoked",
            target=token,
            fields=["revoked_at"],
            organisation_id=token.user.organisation_id,
        )
    return token


def token_authenticate(*, raw: str) -> User | None:
    """The active user a token belongs to, or None (recorded as a failed login)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=secret_hash(raw), revoked_at__isnull=True)
        .first()
    )
    moment = now()
    if token is None or not token.user.is_active or (token.expires_at and token.expires_at <= moment):
        audit_record(
            actor=None,
            event="auth.login_failed",
            detail={"token_prefix": raw[:10], "reason": "unknown, revoked or expired API token"},
            organisation_id=token.user.organisation_id if token else None,
        )
        return None
    # Record use at most once a minute, so busy integrations do not write on every call.
    if token.last_used_at is None or moment - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user


def staff_unlock(*, actor: Actor, staff: User) -> int:
    """Clear a member of staff's failed sign-ins so they can sign in at once; returns records removed."""
    authorize(actor, Action.UPDATE, staff)
    with transaction.atomic():
        removed = unlock_account(staff.username)
        audit_record(actor=actor, event="staff.unlocked", target=staff, detail={"attempts_cleared": removed})
    return removed


def sign_out_everywhere(*, actor: User) -> None:
    """End every session of `actor`. The caller keeps its own with `update_session_auth_hash`."""
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(session_generation=models.F("session_generation") + 1)
        actor.refresh_from_db(fields=["session_generation"])
        audit_record(actor=actor, event="auth.signed_out_everywhere", target=actor)
