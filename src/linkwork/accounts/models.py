from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac

from linkwork.accounts.roles import Role


class Organisation(models.Model):
    """One connector service. Every personal record belongs to exactly one organisation."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    crisis_guidance = models.TextField(
        blank=True,
        default=(
            "If the person may be at risk of harm now, call 999. Otherwise talk to them about their safety "
            "today, agree who they will contact (their GP, NHS 111 option 2, or Samaritans on 116 123), and "
            "tell your supervisor the same day."
        ),
        help_text="Shown with every safeguarding alert.",
    )
    # Words removed when stories are anonymised for reports, beyond the names known from records.
    anonymise_terms = models.JSONField(default=list, blank=True)
    require_two_factor = models.BooleanField(
        default=True,
        help_text="Staff whose roles read personal data must use an authenticator app to sign in.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff (or a volunteer). Installation operators have no organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    session_generation = models.PositiveIntegerField(
        default=0, help_text="Raised by “sign out everywhere”: every session made before it stops working."
    )
    is_demo = models.BooleanField(
        default=False,
        help_text="Made by `linkwork demo-data`; may skip two-factor in development only.",
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks each session against this hash, so covering the generation as well as the
        # password signs out every session when either changes.
        return salted_hmac(
            "linkwork.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    # Roles and team ids are read by nearly every access decision, so they are cached on this object.
    # Each request loads its user afresh, so a role or team removed takes effect on the next request.
    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(grant.role) for grant in self.role_grants.all())

    @cached_property
    def team_ids(self) -> tuple[int, ...]:
        return tuple(self.teams.order_by("pk").values_list("pk", flat=True))

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def refresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: models.QuerySet[User] | None = None,
    ) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:
            # A full refresh means "read it again": the cached roles and teams may be stale too.
            for name in ("roles", "team_ids"):
                self.__dict__.pop(name, None)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
