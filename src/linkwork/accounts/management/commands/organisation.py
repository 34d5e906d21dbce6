"""`linkwork organisation create NAME --admin USERNAME --email E`: set up a connector service."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from linkwork.accounts import services
from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.core.errors import DomainError
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = "Create an organisation (a connector service) with its first organisation admin, or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create an organisation and its first admin")
        create.add_argument("name")
        create.add_argument("--admin", required=True, help="username of the first organisation admin")
        create.add_argument("--email", required=True, help="their e-mail address (a sign-in link is sent)")
        create.add_argument("--first-name", default="Admin")
        sub.add_parser("list", help="list organisations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for organisation in Organisation.objects.all():
                self.stdout.write(f"{organisation.pk}\t{organisation.slug}\t{organisation.name}")
            return
        operator = Operator(getpass.getuser())
        try:
            with transaction.atomic():
                organisation = services.organisation_create(actor=operator, name=options["name"])
                admin = services.staff_create(
                    actor=operator,
                    organisation=organisation,
                    username=options["admin"],
                    first_name=options["first_name"],
                    email=options["email"],
                    roles=[Role.ORGANISATION_ADMIN],
                )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Created {organisation.name} ({organisation.slug}); "
            f"{admin.username} was e-mailed a sign-in link."
        )
