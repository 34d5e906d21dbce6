"""Importing referrals from a CSV file: the command, the web pages, matching, duplicates and every problem."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Operator
from linkwork.core.time import LONDON, local_today
from linkwork.interop import referral_import
from linkwork.interop.referral_import import (
    COLUMN_NAMES,
    MAX_UPLOAD_BYTES,
    import_referrals,
    parse_row,
    read_sheet,
)
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource, ReferralStatus, Urgency
from tests.conftest import signed_in
from tests.factories import make_staff, make_team
from tests.journey_factories import make_person, make_referral

NHS_NUMBER = "9434765919"
OTHER_NHS_NUMBER = "4010232137"
OPERATOR = Operator("tests")

MARGARET = {
    "first_name": "Margaret",
    "last_name": "Oduya",
    "date_of_birth": "27/03/1948",
    "nhs_number": "943 476 5919",
    "phone": "0113 496 0000",
    "postcode": "ls1 4ap",
    "referral_date": "03/11/2026",
    "source": "gp",
    "referrer_name": "Dr Ada Shah",
    "referrer_organisation": "Riverside Surgery",
    "reason": "Lives alone since her husband died.",
    "needs": "Meeting people; gardening.",
    "urgency": "soon",
}
JOE = {
    "first_name": "Joe",
    "last_name": "Bloggs",
    "date_of_birth": "1960-01-31",
    "referral_date": "2026-11-04",
    "source": "Self-referral",
}


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMN_NAMES) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, rows: list[dict[str, str]], name: str = "referrals.csv") -> Path:
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("referrals", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("referrals", *args, stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return str(raised.value), err.getvalue()


def bad(row: dict[str, str], **changes: str) -> dict[str, str]:
    return {**row, **changes}


# --- The command ----------------------------------------------------------------------------------------


def test_a_good_file_imports_every_row_as_a_received_referral(
    tmp_path: Path, organisation: Organisation
) -> None:
    out, _ = run("import", str(write(tmp_path, [MARGARET, JOE])))
    assert (
        "Imported referrals.csv: 2 referrals created (0 for people already on record, 2 new people)." in out
    )
    margaret = Referral.objects.get(person__first_name="Margaret")
    assert margaret.organisation == organisation
    assert margaret.status == ReferralStatus.RECEIVED
    assert margaret.source == ReferralSource.GP
    assert margaret.urgency == Urgency.SOON
    assert (margaret.referrer_name, margaret.referrer_organisation) == ("Dr Ada Shah", "Riverside Surgery")
    assert margaret.needs == "Meeting people; gardening."
    assert margaret.received_at == dt.datetime(2026, 11, 3, tzinfo=LONDON)
    person = margaret.person
    assert (person.nhs_number, person.postcode, person.date_of_birth) == (
        NHS_NUMBER,
        "LS1 4AP",
        dt.date(1948, 3, 27),
    )
    assert Referral.objects.get(person__first_name="Joe").source == ReferralSource.SELF


def test_the_import_is_audited_with_its_counts_and_each_record(
    tmp_path: Path, organisation: Organisation
) -> None:
    run("import", str(write(tmp_path, [MARGARET, JOE])))
    event = AuditEvent.objects.get(event="referrals.imported")
    assert event.actor_username.startswith("operator:referral-import:")
    assert event.organisation_id == organisation.pk
    assert event.detail["referrals"] == 2
    assert event.detail["people_created"] == 2
    assert event.detail["file"] == "referrals.csv"
    assert AuditEvent.objects.filter(event="referral.created").count() == 2
    assert AuditEvent.objects.filter(event="person.created").count() == 2


def test_one_bad_row_stops_the_whole_import_and_every_problem_is_listed(
    tmp_path: Path, organisation: Organisation
) -> None:
    rows = [
        MARGARET,
        bad(JOE, date_of_birth="31/02/1960", source="carrier pigeon"),
        bad(JOE, first_name="Jo", nhs_number="9434765918", referral_date="", urgency="whenever"),
    ]
    message, err = run_failing("import", str(write(tmp_path, rows)))
    assert "Nothing was imported from referrals.csv: 5 problems found." in message
    assert "--skip-invalid" in message
    lines = err.splitlines()
    assert "referrals.csv row 3: date_of_birth: '31/02/1960' is not a date" in lines[0]
    assert any(
        line.startswith("referrals.csv row 3: source: 'carrier pigeon' is not a source") for line in lines
    )
    assert any(line.startswith("referrals.csv row 4: referral_date: is required") for line in lines)
    assert any(line.startswith("referrals.csv row 4: nhs_number: Enter a valid 10-digit") for line in lines)
    assert any(line.startswith("referrals.csv row 4: urgency:") for line in lines)
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(event="referrals.imported").exists()


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(
    tmp_path: Path, organisation: Organisation
) -> None:
    rows = [MARGARET, bad(JOE, source=""), JOE]
    out, err = run("import", str(write(tmp_path, rows)), "--skip-invalid")
    assert "referrals.csv row 3: source: is required" in err
    assert "2 referrals created" in out and "1 row left out because of the 1 problem above" in out
    assert Referral.objects.count() == 2
    assert AuditEvent.objects.get(event="referrals.imported").detail["skipped"] == 1


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(
    tmp_path: Path, organisation: Organisation
) -> None:
    out, _ = run("import", str(write(tmp_path, [MARGARET, JOE])), "--dry-run")
    assert "Checked referrals.csv: 2 referrals would be created" in out
    assert "This was a dry run: nothing was written." in out
    assert not Referral.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(event__in=["referrals.imported", "person.created"]).exists()


def test_a_missing_required_column_stops_the_import_even_with_skip_invalid(
    tmp_path: Path, organisation: Organisation
) -> None:
    path = tmp_path / "old.csv"
    path.write_text(csv_text([{"first_name": "Joe"}], columns=("first_name", "last_name")), encoding="utf-8")
    message, err = run_failing("import", str(path), "--skip-invalid")
    assert "old.csv row 1: referral_date: is a required column" in err
    assert "old.csv row 1: source: is a required column" in err
    assert "Nothing was imported" in message
    assert not Referral.objects.exists()


def test_an_unreadable_or_empty_file_is_one_problem_not_a_traceback(
    tmp_path: Path, organisation: Organisation
) -> None:
    _, err = run_failing("import", str(tmp_path / "missing.csv"))
    assert "missing.csv the file: cannot be read" in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _, err = run_failing("import", str(empty))
    assert "empty.csv the file: is empty" in err


def test_windows_text_and_semicolons_and_other_column_names_are_read(
    tmp_path: Path, organisation: Organisation
) -> None:
    path = tmp_path / "excel.csv"
    text = (
        "Forename;Surname;DOB;Date received;Source;Referrer;Extra\r\n"
        "Zoë;Åberg;01/02/1950;02/11/2026;GP;Dr Shah;x\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    out, err = run("import", str(path))
    assert "1 referral created" in out
    assert "read as Windows text" in err
    assert "not ones linkwork reads, so were ignored: extra" in err
    referral = Referral.objects.get()
    assert (referral.person.first_name, referral.person.last_name) == ("Zoë", "Åberg")
    assert referral.referrer_name == "Dr Shah"


def test_too_many_rows_stop_the_import(tmp_path: Path, organisation: Organisation, monkeypatch: Any) -> None:
    monkeypatch.setattr(referral_import, "MAX_ROWS", 1)
    _, err = run_failing("import", str(write(tmp_path, [MARGARET, JOE])), "--skip-invalid")
    assert "row 3: is one row too many: import at most 1 rows at a time." in err
    assert not Referral.objects.exists()


def test_a_future_or_ancient_referral_date_is_a_problem(tmp_path: Path, organisation: Organisation) -> None:
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    _, err = run_failing(
        "import",
        str(write(tmp_path, [bad(JOE, referral_date=tomorrow), bad(MARGARET, referral_date="1/1/1066")])),
    )
    assert "row 2: referral_date: is in the future." in err
    assert "row 3: referral_date: is before 1900" in err


def test_the_template_command_prints_the_header_row(db: None) -> None:
    out, _ = run("template")
    assert out == ",".join(COLUMN_NAMES) + "\r\n"


# --- Choosing the organisation --------------------------------------------------------------------------


def test_with_two_organisations_the_organisation_must_be_named(
    tmp_path: Path, organisation: Organisation, other_organisation: Organisation
) -> None:
    path = write(tmp_path, [JOE])
    with pytest.raises(CommandError, match="--organisation SLUG"):
        run("import", str(path))
    with pytest.raises(CommandError, match="There is no organisation 'nowhere'"):
        run("import", str(path), "--organisation", "nowhere")
    run("import", str(path), "--organisation", other_organisation.slug)
    assert Referral.objects.get().organisation == other_organisation


def test_people_of_another_organisation_are_never_matched(
    tmp_path: Path, organisation: Organisation, other_organisation: Organisation
) -> None:
    theirs = make_person(organisation=other_organisation, first_name="Margaret", nhs_number=NHS_NUMBER)
    run("import", str(write(tmp_path, [MARGARET])), "--organisation", organisation.slug)
    referral = Referral.objects.get()
    assert referral.person != theirs and referral.person.organisation == organisation
    assert not theirs.referrals.exists()


# --- Matching and duplicates ------------------------------------------------------------------------------


def test_people_on_record_are_matched_by_nhs_number_or_by_name_and_date_of_birth(
    tmp_path: Path, organisation: Organisation
) -> None:
    by_nhs = make_person(organisation=organisation, first_name="Peggy", nhs_number=NHS_NUMBER)
    by_name = make_person(
        organisation=organisation, first_name="JOE", last_name="bloggs", date_of_birth=dt.date(1960, 1, 31)
    )
    out, _ = run("import", str(write(tmp_path, [MARGARET, JOE])))
    assert "2 referrals created (2 for people already on record, 0 new people)" in out
    assert Referral.objects.get(person=by_nhs) and Referral.objects.get(person=by_name)
    assert Person.objects.count() == 2


def test_a_person_recorded_with_another_nhs_number_is_not_matched_by_name(
    tmp_path: Path, organisation: Organisation
) -> None:
    make_person(
        organisation=organisation,
        first_name="Margaret",
        last_name="Oduya",
        date_of_birth=dt.date(1948, 3, 27),
        nhs_number=OTHER_NHS_NUMBER,
    )
    run("import", str(write(tmp_path, [MARGARET])))
    assert Person.objects.count() == 2


def test_a_known_nhs_number_is_enough_without_name_or_date_of_birth(
    tmp_path: Path, organisation: Organisation
) -> None:
    known = make_person(organisation=organisation, nhs_number=NHS_NUMBER)
    row = {"nhs_number": NHS_NUMBER, "referral_date": "01/11/2026", "source": "gp"}
    run("import", str(write(tmp_path, [row])))
    assert Referral.objects.get().person == known


def test_a_new_person_needs_names_and_a_date_of_birth(tmp_path: Path, organisation: Organisation) -> None:
    row = {"nhs_number": NHS_NUMBER, "referral_date": "01/11/2026", "source": "gp"}
    _, err = run_failing("import", str(write(tmp_path, [row])))
    for column in ("first_name", "last_name", "date_of_birth"):
        assert f"row 2: {column}: is required for someone not already on record." in err


def test_rows_about_the_same_new_person_make_one_person(tmp_path: Path, organisation: Organisation) -> None:
    later = bad(MARGARET, referral_date="04/11/2026", nhs_number="")
    by_number_only = {"nhs_number": NHS_NUMBER, "referral_date": "05/11/2026", "source": "housing"}
    out, _ = run("import", str(write(tmp_path, [MARGARET, later, by_number_only])))
    assert "3 referrals created (0 for people already on record, 1 new person)" in out
    assert Person.objects.count() == 1
    assert Person.objects.get().referrals.count() == 3


def test_a_row_repeated_in_the_file_is_reported_once_and_not_imported_twice(
    tmp_path: Path, organisation: Organisation
) -> None:
    out, err = run("import", str(write(tmp_path, [MARGARET, JOE, MARGARET])))
    assert "row 4: duplicate: repeats row 2 (same person, same referral date)." in err
    assert "2 referrals created" in out and "1 duplicate not imported again" in out
    assert Referral.objects.count() == 2


def test_a_referral_already_on_record_for_that_day_is_a_duplicate(
    tmp_path: Path, organisation: Organisation
) -> None:
    person = make_person(organisation=organisation, nhs_number=NHS_NUMBER)
    earlier = make_referral(person=person, received_at=dt.datetime(2026, 11, 3, 15, 30, tzinfo=LONDON))
    out, err = run("import", str(write(tmp_path, [MARGARET])))
    assert (
        f"row 2: duplicate: this person already has a referral received on 03/11/2026 ({earlier.reference})"
        in err
    )
    assert "0 referrals created" in out
    assert Referral.objects.count() == 1


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path, organisation: Organisation) -> None:
    path = write(tmp_path, [MARGARET, JOE])
    run("import", str(path))
    out, err = run("import", str(path))
    assert "0 referrals created" in out and "2 duplicates not imported again" in out
    assert Referral.objects.count() == 2 and Person.objects.count() == 2


def test_the_team_column_gives_a_new_person_their_team(tmp_path: Path, organisation: Organisation) -> None:
    north = make_team(organisation=organisation, name="North")
    run("import", str(write(tmp_path, [bad(JOE, team="north")])))
    assert Person.objects.get().team == north


def test_a_team_of_another_organisation_is_not_one_of_yours(
    tmp_path: Path, organisation: Organisation, other_organisation: Organisation
) -> None:
    make_team(organisation=other_organisation, name="Elsewhere")
    _, err = run_failing(
        "import", str(write(tmp_path, [bad(JOE, team="Elsewhere")])), "--organisation", organisation.slug
    )
    assert "row 2: team: 'Elsewhere' is not one of your teams." in err


# --- Who may import -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONNECTOR, Role.VOLUNTEER, Role.ANALYST, Role.DIRECTORY_EDITOR])
def test_only_supervisors_and_organisation_admins_may_import(organisation: Organisation, role: Role) -> None:
    user = make_staff(organisation=organisation, roles=[role])
    with pytest.raises(PermissionDenied):
        import_referrals(csv_text([JOE]).encode(), file="x.csv", actor=user, organisation=organisation)
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(event="auth.permission_denied", actor_id=user.pk).exists()


def test_an_admin_cannot_import_into_another_organisation(
    organisation: Organisation, outsider_admin: User
) -> None:
    with pytest.raises(PermissionDenied):
        import_referrals(
            csv_text([JOE]).encode(), file="x.csv", actor=outsider_admin, organisation=organisation
        )
    assert not Referral.objects.exists()


def test_an_admin_import_records_them_as_the_actor(organisation: Organisation, admin: User) -> None:
    report = import_referrals(csv_text([JOE]).encode(), file="x.csv", actor=admin, organisation=organisation)
    assert report.written
    assert AuditEvent.objects.get(event="referrals.imported").actor_id == admin.pk
    assert AuditEvent.objects.get(event="person.created").actor_id == admin.pk


# --- The web pages --------------------------------------------------------------------------------------


def upload(client: Client, text: str | bytes, *, skip_invalid: bool = False, name: str = "list.csv") -> Any:
    data = text.encode() if isinstance(text, str) else text
    form: dict[str, Any] = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if skip_invalid:
        form["skip_invalid"] = "on"
    return client.post("/referrals/import/", form)


def test_the_page_offers_the_template_and_the_column_list(admin: User) -> None:
    html = signed_in(admin).get("/referrals/import/").content.decode()
    assert 'href="/referrals/import/template.csv"' in html
    assert 'enctype="multipart/form-data"' in html
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in html


def test_the_filled_in_template_imports(admin: User, organisation: Organisation) -> None:
    client = signed_in(admin)
    template = client.get("/referrals/import/template.csv")
    assert template["Content-Disposition"].startswith("attachment")
    header = template.content.decode()
    columns = tuple(next(csv.reader(io.StringIO(header))))
    filled = header + csv_text([MARGARET, JOE], columns=columns).split("\r\n", 1)[1]
    checked = upload(client, filled)
    assert checked.status_code == 200
    assert "2 referrals to import" in checked.content.decode()
    assert not Referral.objects.exists()  # checking writes nothing
    confirm = checked.context["confirm"]
    response = client.post(
        "/referrals/import/confirm/", {name: confirm[name].value() for name in confirm.fields}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Referrals imported" in html
    assert 'href="/referrals/"' not in html  # an organisation admin does not work the referrals list
    assert Referral.objects.filter(organisation=organisation).count() == 2


def test_after_importing_a_supervisor_is_sent_to_the_referrals_list(supervisor: User) -> None:
    client = signed_in(supervisor)
    confirm = upload(client, csv_text([JOE])).context["confirm"]
    response = client.post(
        "/referrals/import/confirm/", {name: confirm[name].value() for name in confirm.fields}
    )
    assert 'href="/referrals/"' in response.content.decode()
    assert Referral.objects.count() == 1


def test_the_example_in_the_documentation_imports(tmp_path: Path, organisation: Organisation) -> None:
    make_team(organisation=organisation, name="North Riverside")
    docs = (Path(__file__).parents[2] / "docs" / "referral-import.md").read_text(encoding="utf-8")
    example = docs.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    out, _ = run("import", str(path))
    assert "2 referrals created (0 for people already on record, 2 new people)" in out


def test_an_upload_with_problems_shows_each_row_column_and_reason_and_offers_no_import(admin: User) -> None:
    response = upload(signed_in(admin), csv_text([MARGARET, bad(JOE, postcode="nowhere")]))
    html = response.content.decode()
    assert "Nothing can be imported yet" in html
    assert "postcode" in html and "Enter a UK postcode" in html
    assert response.context["confirm"] is None
    assert not Referral.objects.exists()


def test_an_upload_with_skip_invalid_offers_to_import_the_good_rows(admin: User) -> None:
    client = signed_in(admin)
    checked = upload(client, csv_text([MARGARET, bad(JOE, postcode="nowhere")]), skip_invalid=True)
    assert "1 referral to import" in checked.content.decode()
    confirm = checked.context["confirm"]
    client.post("/referrals/import/confirm/", {name: confirm[name].value() for name in confirm.fields})
    assert Referral.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused(admin: User) -> None:
    response = upload(signed_in(admin), b"x" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 200
    assert "The file must be smaller than" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_confirmed_file_is_checked_again_so_a_changed_file_is_not_imported(admin: User) -> None:
    changed = base64.b64encode(csv_text([bad(JOE, source="")]).encode()).decode()
    response = signed_in(admin).post(
        "/referrals/import/confirm/", {"content": changed, "file_name": "list.csv", "skip_invalid": ""}
    )
    assert "Nothing can be imported yet" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_confirmation_without_the_file_imports_nothing(admin: User) -> None:
    response = signed_in(admin).post("/referrals/import/confirm/", {"content": "%%%", "file_name": "x.csv"})
    assert response.status_code == 302 and response["Location"] == "/referrals/import/"
    assert not Referral.objects.exists()


def test_the_pages_are_not_kept_in_the_browsers_cache(admin: User) -> None:
    response = upload(signed_in(admin), csv_text([JOE]))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/referrals/import/", "/referrals/import/template.csv"])
def test_a_connector_cannot_open_the_import_pages(connector: User, path: str) -> None:
    assert signed_in(connector).get(path).status_code == 403


def test_a_connector_cannot_confirm_an_import(connector: User) -> None:
    content = base64.b64encode(csv_text([JOE]).encode()).decode()
    response = signed_in(connector).post(
        "/referrals/import/confirm/", {"content": content, "file_name": "x.csv"}
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


# --- The row parser never fails ---------------------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "gp", "GP or primary care", "27/03/1948", "1948-02-30", "9434765919", "urgent", "x" * 6000]
    ),
)


@given(st.dictionaries(st.sampled_from([*COLUMN_NAMES, "other"]), CELLS, max_size=len(COLUMN_NAMES)))
@settings(max_examples=300)
def test_the_row_parser_never_raises_and_returns_a_row_or_problems(cells: dict[str, str]) -> None:
    parsed, problems = parse_row(2, cells)
    assert (parsed is None) == bool(problems)
    assert all(problem.row == 2 and problem.reason for problem in problems)


@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
@settings(max_examples=200)
def test_reading_any_bytes_as_a_sheet_never_raises(data: bytes) -> None:
    sheet = read_sheet(data)
    assert sheet.row_count >= len(sheet.rows)


@given(
    st.lists(
        st.fixed_dictionaries(
            {name: CELLS for name in ("first_name", "date_of_birth", "referral_date", "source")}
        ),
        max_size=4,
    )
)
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_dry_run_of_any_rows_never_raises(organisation: Organisation, rows: list[dict[str, str]]) -> None:
    report = import_referrals(
        csv_text(rows, columns=("first_name", "date_of_birth", "referral_date", "source")).encode(),
        file="any.csv",
        actor=OPERATOR,
        organisation=organisation,
        dry_run=True,
    )
    assert report.failed or not report.errors
    assert not Referral.objects.exists()
