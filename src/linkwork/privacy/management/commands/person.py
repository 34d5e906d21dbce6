"""`linkwork person export|erase|retention`: data-protection rights from the command line.

Run by the installation operator (audited as `operator:<user>`), who passes every policy: the
command line is for the people who run the installation, answering a request the service has checked.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.core.errors import DomainError
from linkwork.core.files import write_whole
from linkwork.core.policies import Operator
from linkwork.people.models import Person
from linkwork.privacy import services, subject_access


class Command(BaseCommand):
    help = (
        "Data-protection rights. export: everything held about a person as JSON, a web page or PDF. "
        "erase: irreversibly anonymise a person (--dry-run lists what would change). "
        "retention: anonymise everyone kept past their organisation's retention period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="write everything held about a person to a file")
        export.add_argument("person_id", type=int, help="the person's record number")
        export.add_argument("--output", required=True, metavar="PATH", help="the file to write")
        export.add_argument("--format", dest="fmt", choices=subject_access.FORMATS, default="json")
        erase = sub.add_parser("erase", help="erase a person's details, keeping what reports need")
        erase.add_argument("person_id", type=int, help="the person's record number")
        erase.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        retention = sub.add_parser("retention", help="anonymise people kept past the retention period")
        retention.add_argument("--dry-run", action="store_true", help="list who would be anonymised")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator(getpass.getuser())
        try:
            getattr(self, f"_{options['subcommand']}")(operator, options)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None

    def _person(self, person_id: int) -> Person:
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise CommandError(f"There is no person with record number {person_id}.", returncode=2)
        return person

    def _export(self, operator: Operator, options: dict[str, Any]) -> None:
        output = Path(options["output"])
        if output.is_dir() or not output.parent.is_dir():
            raise CommandError(f"Give a file name in a directory that exists, not {output}.", returncode=2)
        person = self._person(options["person_id"])
        content = services.person_export(actor=operator, person=person, fmt=options["fmt"])
        write_whole(output, content)
        self.stdout.write(f"Wrote everything held about person {person.pk} ({options['fmt']}) to {output}.")

    def _erase(self, operator: Operator, options: dict[str, Any]) -> None:
        person = self._person(options["person_id"])
        plan = services.erasure_preview(actor=operator, person=person)
        verb = "Would change" if options["dry_run"] else "Will change"
        self.stdout.write(f"{verb} for person {person.pk}:")
        for line in plan.touched:
            if line.deleted:
                what = "delete"
            else:
                what = ", ".join(f"{label.lower()} ({count})" for label, count in line.changed.items())
            self.stdout.write(f"  {line.title} ({line.rows}): {what}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
            return
        if not options["yes"]:
            answer = input("Erasure cannot be undone. Type 'erase' to go ahead: ")
            if answer.strip().lower() != "erase":
                raise CommandError("Nothing was changed.", returncode=1)
        services.person_erase(actor=operator, person=person)
        self.stdout.write(f"Person {person.pk} is erased.")

    def _retention(self, operator: Operator, options: dict[str, Any]) -> None:
        for result in services.retention_run_all(actor=operator, dry_run=options["dry_run"]):
            self.stdout.write(_retention_line(result))


def _retention_line(result: services.RetentionResult) -> str:
    name = result.organisation.name
    if result.months is None:
        return f"{name}: keeps records until someone erases them; nothing to do."
    verb = "would anonymise" if result.dry_run else "anonymised"
    ids = ", ".join(str(pk) for pk in result.person_ids) or "no one"
    return f"{name}: {verb} {len(result.person_ids)} person(s) kept over {result.months} months: {ids}."
