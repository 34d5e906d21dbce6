"""`linkwork unlock USERNAME` or `linkwork unlock --address IP`: clear a sign-in lockout."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts import services
from linkwork.accounts.lockout import unlock_address
from linkwork.accounts.models import User
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = "Let a user, or a network address, sign in again after too many failed attempts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the user to unlock")
        parser.add_argument("--address", help="unlock a network (IP) address instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["username"]) == bool(options["address"]):
            raise CommandError("Give either a username or --address, not both.")
        if options["address"]:
            removed = unlock_address(options["address"])
            self.stdout.write(f"Cleared {removed} failed sign-in record(s) from {options['address']}.")
            return
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user called {options['username']!r}.")
        removed = services.staff_unlock(actor=Operator(getpass.getuser()), staff=user)
        self.stdout.write(f"{user.username} can sign in again ({removed} failed sign-in record(s) cleared).")
