"""`linkwork backup PATH`: a consistent backup of the whole database, safe while linkwork runs."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.core.backups import BackupError, backup
from linkwork.core.policies import Operator


class Command(BaseCommand):
    help = (
        "Back up the whole database into a new folder: SQLite's online backup or pg_dump, plus a manifest "
        "with every table's row count and checksum. Safe while linkwork is running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the folder to write (new, or empty)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = backup(options["path"], actor=Operator(f"backup:{getpass.getuser()}"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {outcome.engine} database to {outcome.path}: "
            f"{len(outcome.tables)} tables, {outcome.rows:,} rows."
        )
