"""`linkwork token create|list|revoke`: personal API tokens, managed by the installation operator."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts import services
from linkwork.accounts.models import ApiToken, User
from linkwork.core.errors import DomainError
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="API token", help="what the token is for")
        create.add_argument("--expires-days", type=int, default=90, help="1 to 365 (default 90)")
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or its first characters")
        revoke.add_argument("token", help="the id shown by `token list`, or the token's prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator(getpass.getuser())
        try:
            getattr(self, f"_{options['subcommand']}")(operator, options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _user(self, username: str) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        return user

    def _create(self, operator: Operator, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        token, raw = services.token_create(
            actor=operator, user=user, name=options["name"], expires_days=options["expires_days"]
        )
        self.stderr.write(f"Token {token.pk} for {user.username}, expires {token.expires_at:%Y-%m-%d}.")
        self.stderr.write("It is shown only this once:")
        self.stdout.write(raw)

    def _list(self, operator: Operator, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["username"]:
            tokens = tokens.filter(user=self._user(options["username"]))
        for token in tokens:
            state = (
                "revoked"
                if token.revoked_at
                else f"expires {token.expires_at:%Y-%m-%d}"
                if token.expires_at
                else "no expiry"
            )
            used = f"last used {token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.prefix}…\t{token.name}\t{state}\t{used}"
            )

    def _revoke(self, operator: Operator, options: dict[str, Any]) -> None:
        key = options["token"]
        matches = (
            ApiToken.objects.filter(pk=int(key))
            if key.isdigit()
            else ApiToken.objects.filter(prefix=key[:10])
        )
        if matches.count() != 1:
            raise CommandError(f"No single token matches {key!r}; use the id from `linkwork token list`.")
        token = services.token_revoke(actor=operator, token=matches.get())
        self.stdout.write(f"Token {token.pk} ({token.name}) of {token.user.username} is revoked.")
