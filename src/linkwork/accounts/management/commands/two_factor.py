"""`linkwork two-factor reset USERNAME`: remove a user's authenticator app and recovery codes."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts import two_factor
from linkwork.accounts.models import User
from linkwork.core.errors import DomainError
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = (
        "Reset a user's two-factor authentication (a lost phone): they are signed out everywhere and set it "
        "up again at their next sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="reset")
        reset = actions.add_parser("reset", help="remove the user's authenticator app and recovery codes")
        reset.add_argument("username", help="the user whose two-factor authentication to reset")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}.")
        try:
            removed = two_factor.two_factor_reset(actor=Operator(getpass.getuser()), staff=user)
        except DomainError as error:
            raise CommandError(error.message) from None
        if removed:
            self.stdout.write(
                f"Two-factor authentication for {user.username} has been reset and they have been signed "
                "out. They will set it up again the next time they sign in."
            )
        else:
            self.stdout.write(
                f"{user.username} had no two-factor authentication set up. They have been signed out."
            )
