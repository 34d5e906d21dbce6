"""`linkwork restore PATH`: restore a `linkwork backup` into an empty database and check every table."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.core.backups import BackupError, restore
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = (
        "Restore a backup made by `linkwork backup` into the configured database, which must hold no "
        "linkwork data yet, then check every table's row count and checksum against the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = restore(options["path"], actor=Operator(f"restore:{getpass.getuser()}"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup taken at {outcome.created_at} into the {outcome.engine} database: "
            f"{len(outcome.tables)} tables, {outcome.rows:,} rows, every one matching the backup."
        )
