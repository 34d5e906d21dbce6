"""`linkwork demo-data [--people N] [--services N] [--seed S]`: load the fictional demo borough."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.demo.builder import DEMO_PASSWORD, DemoOptions, demo_data_build, demo_data_exists


class Command(BaseCommand):
    help = "Load deterministic, fictional demo data. Refused when LINKWORK_ENV=production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=60, help="people supported (default 60)")
        parser.add_argument("--services", type=int, default=300, help="directory services (default 300)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed builds the same borough")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) if the database already has data",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "Demo data is refused when LINKWORK_ENV=production: it has published passwords."
            )
        if options["people"] < 0 or options["services"] < 0:
            raise CommandError("--people and --services must be 0 or more.")
        if demo_data_exists():
            if options["if_empty"]:
                self.stdout.write("The database already has data; demo data not loaded.")
                return
            raise CommandError(
                "The database already has organisations. Demo data goes into an empty database."
            )
        summary = demo_data_build(
            DemoOptions(people=options["people"], services=options["services"], seed=options["seed"])
        )
        for line in summary.lines:
            self.stdout.write(f"Created {line}.")
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD}):")
        for username, organisation, roles in summary.logins[:6] + summary.logins[-2:]:
            self.stdout.write(f"  {username:<22} {roles:<30} {organisation}")
