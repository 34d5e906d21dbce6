"""`linkwork directory import PATH` and `linkwork directory export PATH`: move directory records in and out.

Import (docs/directory-import.md): `[--format hsds-json|hsds-csv|oruk-v1|csv] [--dry-run]
[--skip-invalid] [--owner ORG_SLUG] [--publish|--as-draft] [--quiet]`. Every problem is printed
(file, row or JSON path, field, reason) and the exit status is 1 when problems stopped the import.

Export: `--format hsds-json|hsds-csv` writes the public directory as HSDS 3.0.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts.commands import organisation_for_command
from linkwork.core.errors import DomainError
from linkwork.core.policies import Operator
from linkwork.directory.formats import FORMATS
from linkwork.directory.importing import import_directory

EXPORT_FORMATS = ("hsds-json", "hsds-csv")


class Command(BaseCommand):
    help = (
        "Import directory records from a file (HSDS, Open Referral UK 1.0 or a spreadsheet), or export them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        importing = sub.add_parser(
            "import",
            help="import services from a file or an HSDS CSV package",
            description="Check every record and import all of them, or nothing if any has a problem.",
        )
        importing.add_argument(
            "path",
            type=Path,
            help="a JSON or CSV file, or the folder (or datapackage.json) of an HSDS package",
        )
        importing.add_argument(
            "--format",
            dest="fmt",
            choices=FORMATS,
            help="the file's format; guessed from the file when left out",
        )
        importing.add_argument("--dry-run", action="store_true", help="check and count, but write nothing")
        importing.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the services without problems and report the others",
        )
        importing.add_argument(
            "--owner",
            metavar="ORG_SLUG",
            help="the organisation whose directory editors look after new entries "
            "(needed when there is more than one organisation)",
        )
        state = importing.add_mutually_exclusive_group()
        state.add_argument(
            "--publish",
            dest="publish",
            action="store_true",
            default=True,
            help="new entries are published straight away (the default)",
        )
        state.add_argument(
            "--as-draft",
            dest="publish",
            action="store_false",
            help="new entries are drafts for editors to check and publish",
        )
        importing.add_argument("--quiet", action="store_true", help="no progress bar and no notes")
        exporting = sub.add_parser("export", help="export the public directory as HSDS 3.0")
        exporting.add_argument("path", type=Path, help="the file (hsds-json) or folder (hsds-csv) to write")
        exporting.add_argument("--format", dest="fmt", choices=EXPORT_FORMATS, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            self.export(options["path"], options["fmt"])
            return
        quiet = options["quiet"] or options["verbosity"] == 0
        owner = organisation_for_command(
            options["owner"],
            choose="say whose directory editors look after the imported entries with --owner ORG_SLUG",
        )
        try:
            report = import_directory(
                options["path"],
                fmt=options["fmt"],
                actor=Operator(f"directory-import:{getpass.getuser()}"),
                owner=owner,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                publish=options["publish"],
                progress=not quiet and sys.stderr.isatty(),
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for problem in report.errors:
            self.stderr.write(str(problem))
        if not quiet:
            for note in report.warnings:
                self.stderr.write(f"Note: {note}")
        if report.failed:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(report.summary())

    def export(self, path: Path, fmt: str) -> None:
        from linkwork.directory.exporting import export_directory

        try:
            summary = export_directory(path, fmt, actor=Operator(f"directory-export:{getpass.getuser()}"))
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(str(summary))
