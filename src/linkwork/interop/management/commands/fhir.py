"""`linkwork fhir export EPISODE_ID --output PATH [--organisation SLUG]`.

Writes one support episode as a FHIR R4 Bundle (JSON), as the installation operator (audited as
`operator:<user>`, event `fhir.exported`). The episode must belong to the organisation named, or to the
only organisation there is. Every check is made before anything is written, and the file is written whole
or not at all. docs/fhir.md describes the Bundle.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts.commands import organisation_for_command
from linkwork.core.errors import NotFound
from linkwork.core.files import write_whole
from linkwork.core.policies import Operator
from linkwork.interop.export import fhir_export_episode


class Command(BaseCommand):
    help = "Export a support episode as a FHIR R4 Bundle (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser(
            "export",
            help="write one support episode as a FHIR R4 Bundle",
            description="Write one support episode as a FHIR R4 Bundle of type collection (docs/fhir.md).",
        )
        export.add_argument("episode_id", type=int, help="the support episode's number in linkwork")
        export.add_argument("--output", metavar="PATH", required=True, type=Path, help="the file to write")
        export.add_argument(
            "--organisation",
            metavar="SLUG",
            default=None,
            help="the organisation's slug; needed when the installation has more than one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if output.is_dir():
            raise CommandError(f"{output} is a directory: give a file name.", returncode=2)
        if not output.parent.is_dir():
            raise CommandError(f"There is no directory {output.parent} to write into.", returncode=2)
        organisation = organisation_for_command(
            options["organisation"], choose="say which with --organisation SLUG", returncode=2
        )
        episode_id: int = options["episode_id"]
        try:
            bundle = fhir_export_episode(
                actor=Operator(getpass.getuser()),
                episode_id=episode_id,
                organisation_id=organisation.pk,
                channel="command",
            )
        except NotFound:
            raise CommandError(
                f"{organisation.name} has no support episode {episode_id}.", returncode=2
            ) from None
        write_whole(output, json.dumps(bundle, ensure_ascii=False, indent=2).encode())
        self.stdout.write(
            f"Wrote support episode {episode_id} as FHIR ({len(bundle['entry'])} resources) to {output}."
        )
