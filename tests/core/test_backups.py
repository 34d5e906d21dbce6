"""`linkwork backup` and `linkwork restore`: a backup restored into a fresh database matches, table by table.

Backups are taken of the test database; restores run as real `linkwork restore` processes into a fresh
database (an SQLite file, or a new PostgreSQL database on the same server in the PostgreSQL run). The
tables are compared by row count and a checksum of their rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from linkwork.accounts.models import Organisation
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core import backups
from linkwork.core.backups import BackupError, TableSummary
from tests.directory.factories import make_service
from tests.factories import make_staff, make_team
from tests.journey_factories import give_consent, make_episode, make_person

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRESQL = connection.vendor == "postgresql"
AUDIT_TABLES = {"audit_auditevent", "audit_auditchainhead"}


@dataclass(frozen=True)
class Database:
    """A database other processes can reach: an SQLite file, or a PostgreSQL database."""

    url: str
    settings: dict[str, Any]

    def connect(self) -> Any:
        if POSTGRESQL:
            return backups._pg_connect(self.settings)
        return sqlite3.connect(self.settings["NAME"])

    def summaries(self) -> dict[str, TableSummary]:
        database = self.connect()
        try:
            return backups.summarise(database.cursor(), "postgresql" if POSTGRESQL else "sqlite")
        finally:
            database.close()

    def count(self, sql: str) -> int:
        database = self.connect()
        try:
            cursor = database.cursor()
            cursor.execute(sql)
            return int(cursor.fetchone()[0])
        finally:
            database.close()


def postgresql_url(settings: dict[str, Any], name: str) -> str:
    user = quote(settings.get("USER") or "")
    password = quote(settings.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or 5432
    return f"postgresql://{credentials}{host}:{port}/{quote(name)}"


def _maintenance(statement: str) -> None:
    """Run CREATE or DROP DATABASE from the server's `postgres` database."""
    server = backups._pg_connect({**connection.settings_dict, "NAME": "postgres"})
    try:
        server.autocommit = True
        server.execute(statement)
    finally:
        server.close()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Database]:
    """A database with nothing in it yet, not even tables."""
    if not POSTGRESQL:
        path = tmp_path / "restored.sqlite3"
        yield Database(f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    _maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _maintenance(f'CREATE DATABASE "{name}"')
    try:
        yield Database(
            postgresql_url(connection.settings_dict, name), {**connection.settings_dict, "NAME": name}
        )
    finally:
        _maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def share_test_database(tmp_path: Path) -> Database:
    """The test database, where other processes can reach it: call it once the test's data is made.

    SQLite's test database lives in memory inside this process, so it is copied to a file first.
    """
    if POSTGRESQL:
        settings = connection.settings_dict
        return Database(postgresql_url(settings, settings["NAME"]), dict(settings))
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        # As linkwork's own connections set it, so none of them has to take a lock to switch it.
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
    return Database(f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)})


def linkwork(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `linkwork ARGS` as its own process against `database`."""
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "linkwork.cli", *args],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "linkwork.settings", "DATABASE_URL": database.url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def python(database: Database, script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "linkwork.settings", "DATABASE_URL": database.url},
        stdout=subprocess.PIPE,
        text=True,
    )


def live_summaries() -> dict[str, TableSummary]:
    """Every table of the test database, as this process sees it."""
    if POSTGRESQL:
        return Database("", dict(connection.settings_dict)).summaries()
    connection.ensure_connection()
    return backups.summarise(connection.connection.cursor(), "sqlite")


def manifest_tables(path: Path) -> dict[str, TableSummary]:
    manifest = json.loads((path / backups.MANIFEST).read_text())
    return {name: TableSummary(**table) for name, table in manifest["tables"].items()}


def make_casework(organisation: Organisation) -> None:
    """Some of everything: staff in teams, people with consent, referrals, episodes, directory entries."""
    team = make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    volunteer = make_staff(organisation=organisation, roles=[Role.VOLUNTEER], teams=[team])
    for number in range(3):
        person = make_person(organisation=organisation, first_name=f"Rose{number}", postcode="W10 6AB")
        give_consent(person=person, purpose="volunteer-contact")
        make_episode(connector=connector, person=person, team=team, volunteers=[volunteer])
    for number in range(3):
        make_service(owner=organisation, name=f"Knit and natter {number}")


def backed_up(path: Path) -> Path:
    call_command("backup", str(path), stdout=StringIO())
    return path


def test_a_restored_backup_matches_every_table_row_for_row(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    make_casework(organisation)
    before = live_summaries()

    path = backed_up(tmp_path / "backup")
    restored = linkwork(empty_database, "restore", str(path))

    assert restored.returncode == 0, restored.stderr
    assert "every one matching the backup" in restored.stdout
    assert manifest_tables(path) == before
    assert before["people_person"].rows == 3 and before["directory_service"].rows == 3
    after = empty_database.summaries()
    assert {name: after[name] for name in before if name not in AUDIT_TABLES} == {
        name: table for name, table in before.items() if name not in AUDIT_TABLES
    }
    # The restored log holds every entry of the original, then the restore's own.
    assert after["audit_auditevent"].rows == before["audit_auditevent"].rows + 1
    verified = linkwork(empty_database, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_backup_and_restore_are_audited_as_the_operator(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    path = backed_up(tmp_path / "backup")
    restored = linkwork(empty_database, "restore", str(path))

    created = AuditEvent.objects.get(event="backup.created")
    assert created.actor_username.startswith("operator:backup:")
    assert created.detail["path"] == str(path.resolve())
    assert restored.returncode == 0, restored.stderr
    assert (
        empty_database.count(
            "SELECT count(*) FROM audit_auditevent WHERE event = 'backup.restored' "
            "AND actor_username LIKE 'operator:restore:%'"
        )
        == 1
    )


def test_restore_refuses_a_database_that_already_holds_data(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    make_casework(organisation)
    path = backed_up(tmp_path / "backup")
    assert linkwork(empty_database, "restore", str(path)).returncode == 0
    holding = empty_database.summaries()

    again = linkwork(empty_database, "restore", str(path))

    assert again.returncode != 0
    assert "already holds linkwork data" in again.stderr
    assert "Restore only into an empty database" in again.stderr
    assert empty_database.summaries() == holding


def test_restore_accepts_a_migrated_database_with_no_data_in_it(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    make_casework(organisation)
    path = backed_up(tmp_path / "backup")
    migrated = linkwork(empty_database, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr

    restored = linkwork(empty_database, "restore", str(path))

    assert restored.returncode == 0, restored.stderr
    assert empty_database.summaries()["people_person"] == manifest_tables(path)["people_person"]


def test_restore_refuses_a_backup_whose_copy_was_changed(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    path = backed_up(tmp_path / "backup")
    manifest = json.loads((path / backups.MANIFEST).read_text())
    with (path / manifest["file"]).open("ab") as copy:
        copy.write(b"\0")

    restored = linkwork(empty_database, "restore", str(path))

    assert restored.returncode != 0
    assert "does not match its manifest" in restored.stderr
    assert not empty_database.summaries()  # the target was never written


def test_restore_fails_when_the_restored_tables_do_not_match_the_manifest(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    make_casework(organisation)
    path = backed_up(tmp_path / "backup")
    manifest_path = path / backups.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["people_person"]["rows"] += 1
    manifest_path.write_text(json.dumps(manifest))

    restored = linkwork(empty_database, "restore", str(path))

    assert restored.returncode != 0
    assert "does not match the backup's manifest in 1 table(s): people_person" in restored.stderr
    assert "Do not use it" in restored.stderr


def test_restore_refuses_a_backup_of_another_kind_of_database(tmp_path: Path) -> None:
    path = backed_up(tmp_path / "backup")
    manifest_path = path / backups.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    other = "sqlite" if POSTGRESQL else "postgresql"
    (path / manifest["file"]).rename(path / backups.COPY_NAMES[other])
    manifest["engine"] = other
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=f"This is a {other} backup and the configured database is"):
        call_command("restore", str(path))


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "is not a linkwork backup: it has no manifest.json"),
        ("{not json", "cannot be read"),
        ('{"format": 99}', "is not a format 1 linkwork backup manifest"),
        ('{"format": 1, "engine": "oracle", "tables": {}}', "is damaged"),
        ('{"format": 1, "engine": "sqlite", "tables": {}}', "The backup is incomplete"),
    ],
)
def test_restore_explains_what_is_wrong_with_a_folder_that_is_not_a_backup(
    tmp_path: Path, manifest: str | None, message: str
) -> None:
    if manifest is not None:
        (tmp_path / backups.MANIFEST).write_text(manifest)

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(tmp_path))


def test_backup_refuses_a_path_that_already_holds_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")

    with pytest.raises(CommandError, match="already exists and is not an empty folder"):
        call_command("backup", str(tmp_path))
    assert [entry.name for entry in tmp_path.iterdir()] == ["notes.txt"]


def test_backup_files_can_be_read_only_by_their_owner(tmp_path: Path) -> None:
    path = backed_up(tmp_path / "backup")

    assert path.stat().st_mode & 0o777 == 0o700
    assert {entry.stat().st_mode & 0o777 for entry in path.iterdir()} == {0o600}


WRITER = """
import pathlib, sys, time
import django
django.setup()
from linkwork.accounts.services import organisation_create
from linkwork.core.policies import Operator
stop, operator, number = pathlib.Path(sys.argv[1]), Operator("writer"), 0
while not stop.exists():
    number += 1
    organisation_create(actor=operator, name=f"Written during the backup {number}")
    if number == 1:
        print("writing", flush=True)
    time.sleep(0.01)
"""


def test_a_backup_taken_while_another_process_writes_is_consistent(
    organisation: Organisation, empty_database: Database, tmp_path: Path
) -> None:
    make_casework(organisation)
    source = share_test_database(tmp_path)
    count_organisations = "SELECT count(*) FROM accounts_organisation"
    stop = tmp_path / "stop"
    writer = python(source, WRITER, str(stop))
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        started_with = source.count(count_organisations)
        backed = linkwork(source, "backup", str(tmp_path / "backup"))
        ended_with = source.count(count_organisations)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert backed.returncode == 0, backed.stderr
    assert writer.returncode == 0
    assert ended_with > started_with  # the writer kept writing while the backup ran

    restored = linkwork(empty_database, "restore", str(tmp_path / "backup"))

    assert restored.returncode == 0, restored.stderr
    assert started_with <= empty_database.count(count_organisations) <= ended_with
    # Each organisation and its audit entry were written together: the backup holds both or neither.
    assert empty_database.count(count_organisations) == empty_database.count(
        "SELECT count(*) FROM audit_auditevent WHERE event = 'organisation.created'"
    )
    verified = linkwork(empty_database, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_missing_postgresql_tool_is_reported_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backups, "PG_BIN_GLOB", str(tmp_path / "postgresql" / "*" / "bin"))

    with pytest.raises(BackupError, match=r"pg_dump was not found on PATH .* apt install postgresql-client"):
        backups.find_pg_tool("pg_dump")


def test_the_newest_installed_postgresql_tool_is_used_when_none_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9.6", "15", "13"):
        tool = tmp_path / "postgresql" / version / "bin" / "pg_dump"
        tool.parent.mkdir(parents=True)
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(backups, "PG_BIN_GLOB", str(tmp_path / "postgresql" / "*" / "bin"))

    assert backups.find_pg_tool("pg_dump") == str(tmp_path / "postgresql" / "15" / "bin" / "pg_dump")


def test_the_postgresql_password_goes_in_the_environment() -> None:
    environment = backups.pg_environment(
        {"NAME": "linkwork", "USER": "owner", "PASSWORD": "pa ss", "HOST": "db", "PORT": 5433}
    )

    assert environment["PGPASSWORD"] == "pa ss"
    assert (environment["PGUSER"], environment["PGHOST"], environment["PGPORT"]) == ("owner", "db", "5433")
    assert environment["PGDATABASE"] == "linkwork"


RECORDING_PG_DUMP = """#!/bin/sh
printf '%s\\n' "$@" > "{record}/arguments"
printf '%s' "$PGPASSWORD" > "{record}/password"
exec "{real}" "$@"
"""


@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump runs only for PostgreSQL")
def test_pg_dump_gets_the_password_from_the_environment_never_its_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test server trusts local connections, so a password is passed along but not checked.
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "not-on-the-command-line")
    real = backups.find_pg_tool("pg_dump")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text(RECORDING_PG_DUMP.format(record=tmp_path, real=real))
    (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")

    backed_up(tmp_path / "backup")

    arguments = (tmp_path / "arguments").read_text()
    assert "--format=custom" in arguments
    assert "not-on-the-command-line" not in arguments
    assert (tmp_path / "password").read_text() == "not-on-the-command-line"
