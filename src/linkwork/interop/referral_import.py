"""Importing referrals from a spreadsheet saved as CSV, one referral per row (docs/referral-import.md).

Everything is checked first, and every problem is reported with its row (the header is row 1, as a
spreadsheet numbers them), column and reason. By default either every row is imported or none is; with
`skip_invalid` the rows without problems are imported and the others listed.

People are matched as the FHIR intake matches them (`matching_people.find_person`): by NHS number, or by
first name, last name and date of birth. Rows about the same new person make one person. A row whose
person already has a referral received on the same day, or that repeats an earlier row, is a duplicate:
it is reported and not imported, and does not stop the others, so importing a file twice adds nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_permission_denied, audit_record
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Action, Operator
from linkwork.core.time import LONDON, local_today
from linkwork.interop.matching_people import (
    REFERRER_CONTACT_LIMIT,
    REFERRER_NAME_LIMIT,
    REFERRER_ORGANISATION_LIMIT,
    TEXT_LIMIT,
    PersonDetails,
    find_person,
    identity_problems,
    person_detail_problems,
    person_for_referral,
    referral_record,
)
from linkwork.people.models import Person
from linkwork.people.nhs_number import normalise_nhs_number
from linkwork.referrals.models import Referral, ReferralSource, Urgency

Actor = User | Operator

# Supervisors and organisation admins run the service and move its records in; the command line's
# operator may import for any organisation.
IMPORT_ROLES = (Role.SUPERVISOR, Role.ORGANISATION_ADMIN)
MAX_UPLOAD_BYTES = 1024 * 1024
MAX_ROWS = 5_000
EARLIEST_DATE = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("first_name", False, "The person's first name", "Margaret"),
    Column("last_name", False, "The person's last name", "Oduya"),
    Column("date_of_birth", False, "Like 27/03/1948 or 1948-03-27", "27/03/1948"),
    Column("nhs_number", False, "10 digits; spaces are fine", "943 476 5919"),
    Column("phone", False, "The person's phone number", "0113 496 0000"),
    Column("email", False, "The person's e-mail address", "margaret@example.org"),
    Column("address", False, "The person's address, without the postcode", "4 Mill Lane, Leeds"),
    Column("postcode", False, "A UK postcode", "LS1 4AP"),
    Column("referral_date", True, "The day the referral arrived, like 03/11/2026", "03/11/2026"),
    Column("source", True, "Where it came from: a code or a name from the list below", "gp"),
    Column("referrer_name", False, "Who made the referral", "Dr Ada Shah"),
    Column("referrer_organisation", False, "Where they work", "Riverside Surgery"),
    Column("referrer_contact", False, "Their phone or e-mail", "0113 496 0999"),
    Column("reason", False, "Why they were referred", "Lives alone and rarely goes out."),
    Column("needs", False, "What the person would like help with", "Meeting people; gardening."),
    Column("urgency", False, "routine (when empty), soon or urgent", "routine"),
    Column("team", False, "The name of the team that will hold the support (empty: triage)", ""),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
ALIASES = {
    "forename": "first_name",
    "given_name": "first_name",
    "first_names": "first_name",
    "surname": "last_name",
    "family_name": "last_name",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "nhs": "nhs_number",
    "nhs_no": "nhs_number",
    "telephone": "phone",
    "phone_number": "phone",
    "e_mail": "email",
    "post_code": "postcode",
    "date_received": "referral_date",
    "received": "referral_date",
    "received_on": "referral_date",
    "referral_source": "source",
    "referred_by": "referrer_name",
    "referrer": "referrer_name",
    "referrer_organization": "referrer_organisation",
}
TEXT_LIMITS = {
    "referrer_name": REFERRER_NAME_LIMIT,
    "referrer_organisation": REFERRER_ORGANISATION_LIMIT,
    "referrer_contact": REFERRER_CONTACT_LIMIT,
    "reason": TEXT_LIMIT,
    "needs": TEXT_LIMIT,
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with a row (or the whole file, row 0): where, which column, and why."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "the file"
        return f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass(frozen=True)
class Duplicate:
    """A row not imported because its referral is already on record, or earlier in the file."""

    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: duplicate: {self.reason}"


@dataclass(frozen=True)
class ParsedRow:
    """A row that reads well on its own; the team and the person are looked up later."""

    number: int
    person: PersonDetails
    referral: dict[str, str]
    received_on: dt.date
    team: str


def _column_name(cell: str) -> str:
    name = re.sub(r"[\s\-]+", "_", cell.strip().lower())
    return ALIASES.get(name, name)


def _parse_date(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a date, no time or zone)
        except ValueError:
            continue
    return None


def _choice(text: str, choices: Any) -> str | None:
    """A choice's value from its value or its label, ignoring case, spaces and hyphens."""
    folded = re.sub(r"[\s\-_]+", "", text.lower())
    for value, label in choices.choices:
        if folded in (re.sub(r"[\s\-_]+", "", value), re.sub(r"[\s\-_]+", "", str(label).lower())):
            return str(value)
    return None


def parse_row(number: int, cells: dict[str, str]) -> tuple[ParsedRow | None, list[RowProblem]]:
    """Read one row (column name -> cell). Never raises: anything wrong is a problem."""
    problems: list[RowProblem] = []

    def cell(name: str) -> str:
        return str(cells.get(name) or "").strip()

    def problem(column: str, reason: str) -> None:
        problems.append(RowProblem(number, column, reason))

    dates: dict[str, dt.date | None] = {}
    for name in ("date_of_birth", "referral_date"):
        text = cell(name)
        day = _parse_date(text) if text else None
        if text and day is None:
            problem(name, f"{text[:40]!r} is not a date: write it like 27/03/1948 or 1948-03-27.")
        elif day is not None and day < EARLIEST_DATE:
            problem(name, "is before 1900: check the year.")
            day = None
        dates[name] = day
    received_on = dates["referral_date"]
    if not cell("referral_date"):
        problem("referral_date", "is required: the day the referral arrived.")
    elif received_on is not None and received_on > local_today():
        problem("referral_date", "is in the future.")
    person = PersonDetails(
        first_name=cell("first_name"),
        last_name=cell("last_name"),
        date_of_birth=dates["date_of_birth"],
        nhs_number=normalise_nhs_number(cell("nhs_number")),
        phone=cell("phone"),
        email=cell("email"),
        address=cell("address"),
        postcode=cell("postcode"),
    )
    for name, message in person_detail_problems(person).items():
        problem(name, message)
    source = _choice(cell("source"), ReferralSource) if cell("source") else None
    if not cell("source"):
        problem("source", f"is required: one of {', '.join(ReferralSource.values)}.")
    elif source is None:
        problem(
            "source",
            f"{cell('source')[:40]!r} is not a source: use one of {', '.join(ReferralSource.values)}.",
        )
    urgency = _choice(cell("urgency"), Urgency) if cell("urgency") else Urgency.ROUTINE
    if urgency is None:
        problem("urgency", f"{cell('urgency')[:40]!r} is not an urgency: use routine, soon or urgent.")
    for name, limit in TEXT_LIMITS.items():
        if len(cell(name)) > limit:
            problem(name, f"is too long: use at most {limit:,} characters.")
    if problems or received_on is None or source is None or urgency is None:
        return None, problems
    referral = {name: cell(name) for name in TEXT_LIMITS}
    referral.update(source=source, urgency=urgency)
    return ParsedRow(number, person, referral, received_on, cell("team")), []


@dataclass
class Sheet:
    """A CSV file read into rows, with the problems that stop it being read at all."""

    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    row_count: int = 0
    stopped: bool = False  # the file as a whole is wrong (not CSV, no header, too long): no row counts


def read_sheet(data: bytes) -> Sheet:
    """Decode, split and parse every row of a CSV file. Never raises."""
    sheet = Sheet()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        sheet.notes.append("The file is not UTF-8; it was read as Windows text (save it as CSV UTF-8).")
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_cells = next(reader, None)
        if header_cells is None or not any(cell.strip() for cell in header_cells):
            sheet.problems.append(RowProblem(0, "", "is empty: it needs a header row (use the template)."))
            sheet.stopped = True
            return sheet
        header = [_column_name(cell) for cell in header_cells]
        if not _check_header(sheet, header):
            sheet.stopped = True
            return sheet
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            sheet.row_count += 1
            if sheet.row_count > MAX_ROWS:
                sheet.problems.append(
                    RowProblem(
                        number, "", f"is one row too many: import at most {MAX_ROWS:,} rows at a time."
                    )
                )
                sheet.stopped = True
                return sheet
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                reason = f"has {len(record)} values but the header has {len(header)} columns."
                sheet.problems.append(RowProblem(number, "", reason))
                continue
            parsed, problems = parse_row(number, dict(zip(header, record, strict=False)))
            sheet.problems.extend(problems)
            if parsed is not None:
                sheet.rows.append(parsed)
    except csv.Error as error:
        sheet.problems.append(RowProblem(reader.line_num, "", f"is not valid CSV: {error}."))
        sheet.stopped = True
    return sheet


def _check_header(sheet: Sheet, header: list[str]) -> bool:
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        sheet.problems.append(RowProblem(1, duplicated[0], "is a column twice."))
        return False
    missing = [column.name for column in COLUMNS if column.required and column.name not in header]
    for name in missing:
        sheet.problems.append(RowProblem(1, name, "is a required column, missing from the header row."))
    unknown = [name for name in header if name and name not in COLUMN_NAMES]
    if unknown:
        sheet.notes.append(
            f"These columns are not ones linkwork reads, so were ignored: {', '.join(unknown)}."
        )
    return not missing


def template_csv() -> str:
    """The header row to fill in: the template offered for download."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMN_NAMES)
    return out.getvalue()


@dataclass
class ReferralImportReport:
    """What an import found and did; `render()` is the text the command prints."""

    file: str
    dry_run: bool = False
    skip_invalid: bool = False
    rows: int = 0  # rows with values, after the header
    referrals: int = 0  # created, or that would be
    people_created: int = 0
    people_matched: int = 0
    skipped: int = 0  # rows left out because of their problems
    errors: list[RowProblem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: bool = False  # problems stopped the import: nothing was (or would be) written
    written: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "referrals": self.referrals,
            "people_created": self.people_created,
            "people_matched": self.people_matched,
            "duplicates": len(self.duplicates),
            "skipped": self.skipped,
        }

    def render(self) -> str:
        lines = [f"{self.file} {problem}" for problem in self.errors]
        lines += [f"{self.file} {duplicate}" for duplicate in self.duplicates]
        lines += [f"Note: {note}" for note in self.notes]
        if lines:
            lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        problems = _count(len(self.errors), "problem")
        if self.failed:
            advise = self.referrals and not self.skip_invalid
            tail = " Put them right, or use --skip-invalid to import the rest." if advise else ""
            return f"Nothing was imported from {self.file}: {problems} found.{tail}"
        would = "would be " if self.dry_run else ""
        text = (
            f"{'Checked' if self.dry_run else 'Imported'} {self.file}: {_count(self.referrals, 'referral')} "
            f"{would}created ({self.people_matched:,} for people already on record, "
            f"{_count(self.people_created, 'new person', 'new people')})"
        )
        if self.duplicates:
            text += f", {_count(len(self.duplicates), 'duplicate')} not imported again"
        if self.skipped:
            text += f", {_count(self.skipped, 'row')} left out because of the {problems} above"
        text += "."
        if self.dry_run:
            text += "\nThis was a dry run: nothing was written."
        return text


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def may_import_referrals(actor: Actor) -> bool:
    """Supervisors and organisation admins of an organisation, and the operator."""
    if isinstance(actor, Operator):
        return True
    return bool(
        actor.is_authenticated and actor.is_active and actor.organisation_id and actor.has_role(*IMPORT_ROLES)
    )


def authorise_import(actor: Actor, organisation: Organisation) -> None:
    """The one permission check for importing referrals into `organisation`; a refusal is audited."""
    if may_import_referrals(actor) and (
        isinstance(actor, Operator) or actor.organisation_id == organisation.pk
    ):
        return
    audit_permission_denied(actor=actor, action=Action.CREATE, target=Referral)
    raise PermissionDenied("Only supervisors and organisation admins may import referrals.")


@dataclass
class _Pending:
    """A person the import will create, so later rows about them join the same record."""

    details: PersonDetails
    team: Team | None
    person: Person | None = None


@dataclass
class _Planned:
    row: ParsedRow
    matched: Person | None
    pending: _Pending | None


def import_referrals(
    data: bytes,
    *,
    file: str,
    actor: Actor,
    organisation: Organisation,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ReferralImportReport:
    """Check a CSV file's referrals and import them (or, with `dry_run`, only say what would happen)."""
    authorise_import(actor, organisation)
    report = ReferralImportReport(file=file, dry_run=dry_run, skip_invalid=skip_invalid)
    sheet = read_sheet(data)
    report.rows, report.notes, report.errors = sheet.row_count, sheet.notes, list(sheet.problems)
    planned = [] if sheet.stopped else _plan(sheet.rows, organisation, report)
    report.skipped = 0 if sheet.stopped else len({problem.row for problem in report.errors})
    report.referrals = len(planned)
    report.people_matched = sum(1 for plan in planned if plan.matched is not None)
    report.people_created = len({id(plan.pending) for plan in planned if plan.pending is not None})
    report.failed = bool(report.errors) and (not skip_invalid or sheet.stopped)
    if report.failed or dry_run or not planned:
        return report
    with transaction.atomic():
        _write(planned, actor, organisation)
        audit_record(
            actor=actor,
            event="referrals.imported",
            target=Referral,
            detail={"file": file[:200], **report.counts, "skip_invalid": skip_invalid},
            organisation_id=organisation.pk,
        )
    report.written = True
    return report


def import_referrals_file(
    path: Path,
    *,
    actor: Actor,
    organisation: Organisation,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ReferralImportReport:
    """`import_referrals` for a file on disk; a file that cannot be read is one problem."""
    authorise_import(actor, organisation)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        report = ReferralImportReport(file=Path(path).name, dry_run=dry_run, skip_invalid=skip_invalid)
        report.errors.append(RowProblem(0, "", f"cannot be read: {error.strerror or error}."))
        report.failed = True
        return report
    return import_referrals(
        data,
        file=Path(path).name,
        actor=actor,
        organisation=organisation,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )


def _plan(rows: list[ParsedRow], organisation: Organisation, report: ReferralImportReport) -> list[_Planned]:
    """Match each row's person and team, and find duplicates; problems go on the report."""
    teams = {team.name.lower(): team for team in Team.objects.filter(organisation=organisation)}
    pending: list[_Pending] = []
    seen: dict[tuple[object, dt.date], int] = {}
    planned: list[_Planned] = []
    for row in rows:
        team = teams.get(row.team.lower()) if row.team else None
        problems = []
        if row.team and team is None:
            problems.append(RowProblem(row.number, "team", f"{row.team[:60]!r} is not one of your teams."))
        matched = find_person(organisation=organisation, details=row.person)
        waiting = None if matched is not None else _pending_match(pending, row.person)
        if matched is None and waiting is None:
            problems += [
                RowProblem(row.number, name, "is required for someone not already on record.")
                for name in identity_problems(row.person, None)
            ]
        if problems:
            report.errors.extend(problems)
            continue
        key: object = ("person", matched.pk) if matched is not None else ("new", id(waiting))
        repeated = seen.get((key, row.received_on))
        if repeated is not None:
            report.duplicates.append(
                Duplicate(row.number, f"repeats row {repeated} (same person, same referral date).")
            )
            continue
        if matched is not None:
            earlier = _referral_on(matched, row.received_on)
            if earlier is not None:
                report.duplicates.append(
                    Duplicate(
                        row.number,
                        f"this person already has a referral received on "
                        f"{row.received_on:%d/%m/%Y} ({earlier.reference}); not imported again.",
                    )
                )
                continue
        if matched is None and waiting is None:
            waiting = _Pending(row.person, team)
            pending.append(waiting)
            key = ("new", id(waiting))
        seen[(key, row.received_on)] = row.number
        planned.append(_Planned(row, matched, waiting))
    return planned


def _pending_match(pending: list[_Pending], details: PersonDetails) -> _Pending | None:
    """An earlier row's new person this row is about, matched as `find_person` matches."""
    for candidate in pending:
        if details.nhs_number and candidate.details.nhs_number == details.nhs_number:
            return candidate
    if not (details.first_name and details.last_name and details.date_of_birth):
        return None
    for candidate in pending:
        theirs = candidate.details
        if (
            theirs.first_name.lower() == details.first_name.lower()
            and theirs.last_name.lower() == details.last_name.lower()
            and theirs.date_of_birth == details.date_of_birth
            and (not details.nhs_number or not theirs.nhs_number)
        ):
            return candidate
    return None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON)


def _referral_on(person: Person, day: dt.date) -> Referral | None:
    start = _start_of(day)
    return (
        Referral.objects.filter(
            person=person, received_at__gte=start, received_at__lt=_start_of(day + dt.timedelta(days=1))
        )
        .order_by("pk")
        .first()
    )


def _write(planned: list[_Planned], actor: Actor, organisation: Organisation) -> None:
    for plan in planned:
        if plan.pending is not None and plan.pending.person is None:
            plan.pending.person = person_for_referral(
                actor=actor,
                organisation=organisation,
                details=plan.pending.details,
                matched=None,
                team=plan.pending.team,
            )
        person = plan.matched or (plan.pending.person if plan.pending else None)
        assert person is not None  # every planned row has a person on record or to be made
        referral = referral_record(
            person=person, details=plan.row.referral, received_at=_start_of(plan.row.received_on)
        )
        audit_record(
            actor=actor,
            event="referral.created",
            target=referral,
            fields=sorted(name for name, value in plan.row.referral.items() if value),
            detail={"via": "import"},
        )
