"""A `linkwork directory import` killed with SIGKILL half-way through its write leaves no trace.

The import runs as a real process against a database other processes can reach (an SQLite file, or
the PostgreSQL test database). Once it is inside its write transaction it is killed outright; the
database must then pass its integrity checks, its audit chain must verify, and every table must have
the same rows as before the import started.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks import directory_data

from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.directory.importing import import_directory
from tests.core.test_backups import POSTGRESQL, Database, linkwork, share_test_database

pytestmark = pytest.mark.django_db(transaction=True)

# Enough services that writing them takes a good while, so the kill lands inside the write.
SERVICES = 6000


def write_services(path: Path, seed: int, rename: bool = False) -> Path:
    services = list(directory_data.generate(SERVICES, seed))
    if rename:
        for service in services:
            service["name"] = f"{service['name']} (renamed)"
    path.write_text(json.dumps(services), encoding="utf-8")
    return path


def writing(database: Database) -> bool:
    """Whether another process holds an open write transaction on the database."""
    if POSTGRESQL:
        return (
            database.count(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            > 0
        )
    probe = sqlite3.connect(database.settings["NAME"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return True
    finally:
        probe.close()


def kill_while_writing(database: Database, *args: str) -> None:
    command = [sys.executable, "-m", "linkwork.cli", *args]
    environment = {"DJANGO_SETTINGS_MODULE": "linkwork.settings", "DATABASE_URL": database.url}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        command, env=os.environ | environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not writing(database):
            assert process.poll() is None, "the import ended before it started writing"
            time.sleep(0.02)
        time.sleep(0.3)  # well into the write
        assert writing(database), "the import finished its write before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def assert_consistent(database: Database) -> None:
    connection = database.connect()
    try:
        cursor = connection.cursor()
        if POSTGRESQL:
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE NOT convalidated")
            assert cursor.fetchone()[0] == 0
        else:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchall() == [("ok",)]
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
    finally:
        connection.close()
    verified = linkwork(database, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_a_directory_import_killed_mid_write_leaves_the_database_as_it_was(
    organisation: Organisation, tmp_path: Path
) -> None:
    services = write_services(tmp_path / "services.json", seed=1)
    database = share_test_database(tmp_path)
    before = database.summaries()

    kill_while_writing(database, "directory", "import", str(services), "--quiet")

    assert_consistent(database)
    assert database.summaries() == before
    assert before["directory_service"].rows == 0


def test_a_bulk_update_killed_mid_write_leaves_every_entry_as_it_was(
    organisation: Organisation, tmp_path: Path
) -> None:
    first = import_directory(
        write_services(tmp_path / "services.json", seed=2),
        fmt="hsds-json",
        actor=Operator("tests"),
        owner=organisation,
    )
    assert first.ok and first.created == SERVICES
    renamed = write_services(tmp_path / "renamed.json", seed=2, rename=True)
    database = share_test_database(tmp_path)
    before = database.summaries()

    kill_while_writing(database, "directory", "import", str(renamed), "--quiet")

    assert_consistent(database)
    assert database.summaries() == before
    assert database.count("SELECT count(*) FROM directory_service WHERE name LIKE '%(renamed)'") == 0
    assert database.count("SELECT count(*) FROM directory_service") == SERVICES
