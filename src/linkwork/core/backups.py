"""Consistent backups of the whole database, and restoring one into an empty database.

A backup is a folder holding the database copy (SQLite's online backup, or a `pg_dump` custom-format
archive) and `manifest.json`: the format version, the engine, when it was taken, the copy's SHA-256,
and the row count and a checksum of every table as they were in the copy. A restore checks the copy
against the manifest before writing, and every table against it afterwards.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.db import connections

from linkwork.audit.models import AuditChainHead
from linkwork.audit.services import audit_record
from linkwork.core.policies import Operator
from linkwork.core.time import now

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COPY_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
# Where Debian and Ubuntu install the PostgreSQL client tools when they are not on PATH.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
# Connection settings (from DATABASES OPTIONS) that libpq and the PostgreSQL tools understand.
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name")
# Present after `linkwork migrate` on a database that holds nothing yet (the audit chain's genesis).
_EMPTY_AFTER_MIGRATE = {AuditChainHead._meta.db_table}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


class Cursor(Protocol):
    def execute(self, sql: str, /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchmany(self, size: int = ..., /) -> Any: ...
    def fetchall(self) -> Any: ...


@dataclass(frozen=True)
class TableSummary:
    rows: int
    checksum: str


@dataclass(frozen=True)
class Outcome:
    path: Path
    engine: str
    created_at: str
    tables: dict[str, TableSummary]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())


# Table and column names come from the database's own catalogue and are quoted as identifiers, so the
# queries below are built as text (hence `noqa: S608`).
def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_checksum(cursor: Cursor, sql: str) -> TableSummary:
    """Rows hashed one by one and the sorted digests hashed together, so row order does not matter."""
    cursor.execute(sql)
    digests: list[bytes] = []
    while batch := cursor.fetchmany(5000):
        digests.extend(
            hashlib.sha256("\x1f".join(str(value) for value in row).encode()).digest() for row in batch
        )
    digests.sort()
    total = hashlib.sha256()
    for digest in digests:
        total.update(digest)
    return TableSummary(rows=len(digests), checksum=total.hexdigest())


def summarise(cursor: Cursor, engine: str) -> dict[str, TableSummary]:
    """The row count and checksum of every table, read through a plain DB-API cursor."""
    if engine == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        summaries = {}
        for table in tables:
            cursor.execute(f"PRAGMA table_info({_quote(table)})")
            columns = [row[1] for row in cursor.fetchall()]
            # quote() gives every value as SQL text, so no type conversion can change what is hashed.
            selected = ", ".join(f"quote({_quote(column)})" for column in columns)
            summaries[table] = _table_checksum(cursor, f"SELECT {selected} FROM {_quote(table)}")  # noqa: S608
        return summaries
    # Fixed output settings, so a row's text is the same in every session.
    cursor.execute("SET TIME ZONE 'UTC'")
    cursor.execute("SET datestyle = 'ISO, YMD'")
    cursor.execute("SET intervalstyle = 'postgres'")
    cursor.execute("SET extra_float_digits = 1")
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    return {
        table: _table_checksum(cursor, f"SELECT t::text FROM {_quote(table)} AS t")  # noqa: S608
        for table in tables
    }


def _engine(settings: dict[str, Any]) -> str:
    vendor = str(settings["ENGINE"]).rsplit(".", 1)[-1]
    if vendor == "sqlite3":
        return "sqlite"
    if vendor == "postgresql":
        return "postgresql"
    raise BackupError(f"linkwork cannot back up or restore a {vendor} database.")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL --------------------------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """The PostgreSQL client program `name` from PATH, or else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = [Path(folder) / name for folder in glob.glob(PG_BIN_GLOB)]
    installed = [path for path in candidates if os.access(path, os.X_OK)]
    if not installed:
        raise BackupError(
            f"{name} was not found on PATH or in {PG_BIN_GLOB}. Install the PostgreSQL client tools "
            "(on Debian or Ubuntu: apt install postgresql-client), of the same major version as the "
            "server or newer."
        )

    def version(path: Path) -> tuple[int, ...]:
        parts = path.parent.parent.name.split(".")
        return tuple(int(part) for part in parts if part.isdigit())

    return str(max(installed, key=version))


def pg_environment(settings: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the password travels here, never on the command line."""
    values = {
        "PGHOST": settings.get("HOST") or "",
        "PGPORT": str(settings.get("PORT") or ""),
        "PGUSER": settings.get("USER") or "",
        "PGPASSWORD": settings.get("PASSWORD") or "",
        "PGDATABASE": settings.get("NAME") or "",
    }
    options = settings.get("OPTIONS") or {}
    for name in _LIBPQ_OPTIONS:
        if options.get(name) not in (None, ""):
            values[f"PG{name.upper()}" if name != "application_name" else "PGAPPNAME"] = str(options[name])
    return {**os.environ, **{key: value for key, value in values.items() if value}}


def _pg_connect(settings: dict[str, Any]) -> Any:
    import psycopg

    options = settings.get("OPTIONS") or {}
    try:
        return psycopg.connect(
            dbname=settings.get("NAME") or None,
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            host=settings.get("HOST") or None,
            port=settings.get("PORT") or None,
            **{name: options[name] for name in _LIBPQ_OPTIONS if options.get(name) not in (None, "")},
        )
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to the database {settings.get('NAME')}: {error}".strip()) from None


def _run(command: list[str], settings: dict[str, Any], what: str) -> None:
    finished = subprocess.run(  # noqa: S603 - a PostgreSQL client program with our own arguments
        command, env=pg_environment(settings), capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(f"{what} failed (exit status {finished.returncode}):\n{finished.stderr.strip()}")


def _pg_backup(settings: dict[str, Any], copy: Path) -> dict[str, TableSummary]:
    """pg_dump and the manifest read the same exported snapshot, so they describe the same moment."""
    pg_dump = find_pg_tool("pg_dump")
    with _pg_connect(settings) as snapshot_holder:
        cursor = snapshot_holder.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={copy}"],
            settings,
            "pg_dump",
        )
        summaries = summarise(cursor, "postgresql")
        snapshot_holder.rollback()
    return summaries


def _pg_restore(settings: dict[str, Any], copy: Path) -> dict[str, TableSummary]:
    pg_restore = find_pg_tool("pg_restore")
    # One transaction: a restore that fails part-way leaves the target as it was.
    _run(
        [
            pg_restore,
            "--no-password",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={settings['NAME']}",
            str(copy),
        ],
        settings,
        "pg_restore",
    )
    with _pg_connect(settings) as target:
        summaries = summarise(target.cursor(), "postgresql")
        target.rollback()
    return summaries


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_summaries(path: Path) -> dict[str, TableSummary]:
    database = sqlite3.connect(path)
    try:
        return summarise(database.cursor(), "sqlite")
    finally:
        database.close()


def _sqlite_backup(alias: str, copy: Path) -> dict[str, TableSummary]:
    """SQLite's online backup copies every page in one step under a read lock: one consistent moment."""
    connection = connections[alias]
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return _sqlite_summaries(copy)


def _sqlite_file(settings: dict[str, Any]) -> Path:
    name = str(settings["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is held in memory; restore needs a database file (DATABASE_URL).")
    return Path(name)


def _sqlite_restore(settings: dict[str, Any], copy: Path) -> dict[str, TableSummary]:
    target_path = _sqlite_file(settings)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return _sqlite_summaries(target_path)


# --- Backing up and restoring ------------------------------------------------------------------


def backup(path: Path, *, actor: Operator, alias: str = "default") -> Outcome:
    """Write a backup folder at `path` (new, or empty) while the database stays in use."""
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} already exists and is not an empty folder: choose a new path.")
    settings = connections[alias].settings_dict
    engine = _engine(settings)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    copy = path / COPY_NAMES[engine]
    created_at = now().isoformat()
    tables = _pg_backup(settings, copy) if engine == "postgresql" else _sqlite_backup(alias, copy)
    # The copy holds personal data: only the operator's account may read it.
    copy.chmod(0o600)
    manifest = {
        "format": FORMAT_VERSION,
        "engine": engine,
        "created_at": created_at,
        "file": copy.name,
        "file_sha256": _file_sha256(copy),
        "tables": {name: {"rows": table.rows, "checksum": table.checksum} for name, table in tables.items()},
    }
    manifest_path = path / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    manifest_path.chmod(0o600)
    outcome = Outcome(path=path, engine=engine, created_at=created_at, tables=tables)
    audit_record(
        actor=actor,
        event="backup.created",
        detail={"path": str(path.resolve()), "engine": engine, "tables": len(tables), "rows": outcome.rows},
    )
    return outcome


def read_manifest(path: Path) -> dict[str, Any]:
    """The backup's manifest, checked for shape and version, and its copy checked against it."""
    manifest_path = Path(path) / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} is not a linkwork backup: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{manifest_path} cannot be read: {error}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{manifest_path} is not a format {FORMAT_VERSION} linkwork backup manifest; "
            "restore it with the linkwork release that made it."
        )
    if manifest.get("engine") not in COPY_NAMES or not isinstance(manifest.get("tables"), dict):
        raise BackupError(f"{manifest_path} is damaged: it does not name its engine and tables.")
    copy = Path(path) / COPY_NAMES[manifest["engine"]]
    if not copy.is_file():
        raise BackupError(f"The backup is incomplete: {copy} is missing.")
    if _file_sha256(copy) != manifest.get("file_sha256"):
        raise BackupError(f"{copy} does not match its manifest: the backup is damaged or was changed.")
    return manifest


def tables_holding_data(alias: str = "default") -> list[str]:
    """linkwork's tables in the target database that have any rows (a fresh `migrate` leaves none)."""
    settings = connections[alias].settings_dict
    engine = _engine(settings)
    linkwork_tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_config is not None
        and model._meta.app_config.name.startswith("linkwork.")
        and model._meta.db_table not in _EMPTY_AFTER_MIGRATE
    )
    if engine == "sqlite":
        target_path = _sqlite_file(settings)
        if not target_path.exists():
            return []
        database: Any = sqlite3.connect(target_path)
        existing_sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        database = _pg_connect(settings)
        existing_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    try:
        cursor = database.cursor()
        cursor.execute(existing_sql)
        existing = {row[0] for row in cursor.fetchall()}
        holding = []
        for table in linkwork_tables:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone() is not None:
                    holding.append(table)
        return holding
    finally:
        database.close()


def restore(path: Path, *, actor: Operator, alias: str = "default") -> Outcome:
    """Restore the backup at `path` into the configured database, which must hold no linkwork data."""
    manifest = read_manifest(Path(path))
    settings = connections[alias].settings_dict
    engine = _engine(settings)
    if manifest["engine"] != engine:
        raise BackupError(
            f"This is a {manifest['engine']} backup and the configured database is {engine}: "
            "restore it into the same kind of database."
        )
    holding = tables_holding_data(alias)
    if holding:
        listed = ", ".join(holding[:5]) + (f" and {len(holding) - 5} more" if len(holding) > 5 else "")
        raise BackupError(
            f"The database {settings['NAME']} already holds linkwork data ({listed}). Restore only into an "
            "empty database: create a new one and point DATABASE_URL at it."
        )
    # linkwork's own connection must not sit on tables while they are replaced.
    connections[alias].close()
    copy = Path(path) / COPY_NAMES[engine]
    restored = _pg_restore(settings, copy) if engine == "postgresql" else _sqlite_restore(settings, copy)
    expected = {
        name: TableSummary(rows=table["rows"], checksum=table["checksum"])
        for name, table in manifest["tables"].items()
    }
    differing = sorted(name for name, table in expected.items() if restored.get(name) != table)
    if differing:
        raise BackupError(
            "The restored database does not match the backup's manifest in "
            f"{len(differing)} table(s): {', '.join(differing[:10])}. Do not use it; restore again "
            "into a new empty database, or from another backup."
        )
    outcome = Outcome(path=Path(path), engine=engine, created_at=manifest["created_at"], tables=expected)
    audit_record(
        actor=actor,
        event="backup.restored",
        detail={
            "path": str(Path(path).resolve()),
            "engine": engine,
            "backup_created_at": manifest["created_at"],
            "tables": len(expected),
            "rows": outcome.rows,
        },
    )
    return outcome
