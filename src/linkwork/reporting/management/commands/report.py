"""`linkwork report NAME --from DATE --to DATE [--team T] [--organisation SLUG] --format F --output PATH`.

Writes one report for one organisation, always with small numbers hidden (anything produced here
leaves the service), as the installation operator (audited as `operator:<user>`). Every check
(dates, organisation, team, output path) is made before anything is computed, and the file is
written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linkwork.accounts.commands import organisation_for_command
from linkwork.accounts.models import Organisation, Team
from linkwork.core.files import write_whole
from linkwork.core.policies import Operator
from linkwork.reporting import exporting
from linkwork.reporting.reports import build_report, record_report_view
from linkwork.reporting.scope import ReportName, ReportScope
from linkwork.reporting.tables import Report

FORMATS = ("csv", "json", "pdf", "html")


class Command(BaseCommand):
    help = (
        "Write a report (always with figures about fewer than the threshold of people hidden). "
        "csv: every table in one file, each under a line with its title and after a blank line; "
        "or, when --output is an existing directory, one file per table named after the table "
        "(for example referrals_by_month.csv). json: the whole report in one file. html and pdf: "
        "the printable page with charts and a methods note. CSV is UTF-8 with a byte order mark, "
        "so spreadsheets read £ and – correctly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=[name.value for name in ReportName], help="Which report.")
        parser.add_argument(
            "--from", dest="date_from", metavar="DATE", required=True, help="First day, YYYY-MM-DD."
        )
        parser.add_argument(
            "--to", dest="date_to", metavar="DATE", required=True, help="Last day (included), YYYY-MM-DD."
        )
        parser.add_argument(
            "--team", metavar="TEAM", default=None, help="Only people held by this team (its name or number)."
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            default=None,
            help="The organisation's slug; needed when the installation has more than one.",
        )
        parser.add_argument("--format", dest="fmt", required=True, choices=FORMATS, help="What to write.")
        parser.add_argument(
            "--output", metavar="PATH", required=True, help="The file to write (or a directory, for csv)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = ReportName(options["name"])
        date_from = _date(options["date_from"], "--from")
        date_to = _date(options["date_to"], "--to")
        if date_to < date_from:
            raise CommandError("--to must not be before --from.", returncode=2)
        fmt: str = options["fmt"]
        output = Path(options["output"])
        if output.is_dir() and fmt != "csv":
            raise CommandError(f"{output} is a directory: give a file name for {fmt}.", returncode=2)
        if not output.is_dir() and not output.parent.is_dir():
            raise CommandError(f"There is no directory {output.parent} to write into.", returncode=2)
        organisation = organisation_for_command(
            options["organisation"], choose="say which with --organisation SLUG", returncode=2
        )
        team = _team(organisation, options["team"])
        scope = ReportScope(organisation.pk, date_from, date_to, team.pk if team else None)
        label = f"{organisation.name}: {scope.describe(team_name=team.name if team else '')}"
        report = build_report(name, scope, suppressed=True, scope_label=label)
        written = _write(report, fmt, output)
        record_report_view(Operator(getpass.getuser()), report, fmt, organisation_id=organisation.pk)
        self.stdout.write(f"Wrote the {name.value} report ({fmt}) to {written}.")


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date: write it as YYYY-MM-DD.", returncode=2
        ) from None


def _team(organisation: Organisation, given: str | None) -> Team | None:
    if given is None:
        return None
    teams = Team.objects.filter(organisation=organisation)
    found = teams.filter(name__iexact=given).first()
    if found is None and given.isdigit():
        found = teams.filter(pk=int(given)).first()
    if found is None:
        raise CommandError(f"{organisation.name} has no team {given!r}.", returncode=2)
    return found


def _write(report: Report, fmt: str, output: Path) -> Path:
    if fmt == "csv" and output.is_dir():
        files = {
            f"{table.key}.csv": exporting.table_csv(table, report.threshold) for table in report.tables()
        }
        for filename, text in files.items():
            write_whole(output / filename, text.encode("utf-8-sig"))
        return output
    content: bytes
    if fmt == "csv":
        content = exporting.report_csv(report).encode("utf-8-sig")
    elif fmt == "json":
        content = json.dumps(exporting.report_json(report), ensure_ascii=False, indent=2).encode()
    elif fmt == "html":
        content = exporting.commissioner_html(report).encode()
    else:
        content = exporting.commissioner_pdf(report)
    write_whole(output, content)
    return output
