"""`linkwork audit verify`: check the whole hash chain; exit 1 if anything was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.audit.services import audit_verify


class Command(BaseCommand):
    help = "Work with the audit log. `verify` checks that no entry was edited, deleted or reordered."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="check the hash chain of the whole log")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit log intact: {result.checked} entries verified")
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"audit log has been tampered with: {len(result.problems)} problem(s) found")
