"""`linkwork referrals import PATH` brings referrals in from a spreadsheet saved as CSV, and
`linkwork referrals template` prints the header row to fill in (docs/referral-import.md).

Import: `[--dry-run] [--skip-invalid] [--organisation SLUG]`. Every problem and duplicate is printed with
its row and column, and the exit status is 1 when problems stopped the import.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts.commands import organisation_for_command
from linkwork.core.errors import DomainError
from linkwork.core.policies import Operator
from linkwork.interop.referral_import import import_referrals_file, template_csv


class Command(BaseCommand):
    help = "Import referrals from a CSV file, or print the template to fill in."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        importing = sub.add_parser(
            "import",
            help="import referrals from a CSV file",
            description="Check every row and import all of them, or nothing if any has a problem.",
        )
        importing.add_argument("path", type=Path, help="the CSV file, one referral per row")
        importing.add_argument("--dry-run", action="store_true", help="check and count, but write nothing")
        importing.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the rows without problems and report the others",
        )
        importing.add_argument(
            "--organisation",
            metavar="SLUG",
            help="the organisation receiving the referrals (needed when there is more than one)",
        )
        importing.add_argument("--quiet", action="store_true", help="no notes; problems are still printed")
        sub.add_parser("template", help="print the CSV header row to fill in")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "template":
            self.stdout.write(template_csv(), ending="")
            return
        organisation = organisation_for_command(
            options["organisation"], choose="say which receives the referrals with --organisation SLUG"
        )
        try:
            report = import_referrals_file(
                options["path"],
                actor=Operator(f"referral-import:{getpass.getuser()}"),
                organisation=organisation,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for problem in report.errors:
            self.stderr.write(f"{report.file} {problem}")
        for duplicate in report.duplicates:
            self.stderr.write(f"{report.file} {duplicate}")
        if not (options["quiet"] or options["verbosity"] == 0):
            for note in report.notes:
                self.stderr.write(f"Note: {note}")
        if report.failed:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())
