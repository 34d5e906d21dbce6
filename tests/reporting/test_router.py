"""The reporting router: reports read from the replica, everything else reads and writes the primary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, router

from linkwork.accounts.models import Organisation
from linkwork.reporting.router import REPORTING, reading_for_reports, reporting_configured
from tests.factories import make_organisation

BOTH = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPORTING])


@pytest.fixture(scope="module")
def replica_database(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """A `reporting` alias on a separate database (an SQLite file), as settings add it from
    REPORTING_DATABASE_URL, with every table created empty (these tests only read from it)."""
    path = tmp_path_factory.mktemp("replica") / "replica.sqlite3"
    configured = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS],
            REPORTING: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
        }
    )
    connections.settings[REPORTING] = configured[REPORTING]
    try:
        with django_db_blocker.unblock(), connections[REPORTING].schema_editor() as editor:
            for model in apps.get_models():
                if model._meta.managed and not model._meta.proxy:
                    editor.create_model(model)
        yield
    finally:
        connections[REPORTING].close()
        del connections[REPORTING]
        del connections.settings[REPORTING]


@pytest.fixture
def replica(replica_database: None) -> None:
    """The replica holds a row the primary does not (rolled back after each test, like the primary)."""
    Organisation.objects.using(REPORTING).create(name="Only on the replica", slug="only-on-the-replica")


def _names(alias: str | None = None) -> set[str]:
    organisations = Organisation.objects.all() if alias is None else Organisation.objects.using(alias)
    return set(organisations.values_list("name", flat=True))


@BOTH
def test_reads_inside_reading_for_reports_come_from_the_replica(replica: None) -> None:
    make_organisation(name="On the primary")
    with reading_for_reports():
        assert _names() == {"Only on the replica"}
        assert router.db_for_read(Organisation) == REPORTING


@BOTH
def test_reads_outside_reading_for_reports_stay_on_the_primary(replica: None) -> None:
    make_organisation(name="On the primary")
    with reading_for_reports():
        pass
    assert _names() == {"On the primary"}
    assert router.db_for_read(Organisation) == DEFAULT_DB_ALIAS


@BOTH
def test_writes_inside_reading_for_reports_go_to_the_primary(replica: None) -> None:
    with reading_for_reports():
        written = Organisation.objects.create(name="Written while reporting", slug="written-while-reporting")
        from_replica = Organisation.objects.get(name="Only on the replica")
        assert router.db_for_write(Organisation, instance=from_replica) == DEFAULT_DB_ALIAS
    assert written._state.db == DEFAULT_DB_ALIAS
    assert _names(DEFAULT_DB_ALIAS) == {"Written while reporting"}
    assert _names(REPORTING) == {"Only on the replica"}


@BOTH
def test_an_object_read_from_the_replica_may_be_related_to_one_from_the_primary(replica: None) -> None:
    primary = make_organisation(name="On the primary")
    with reading_for_reports():
        from_replica = Organisation.objects.get(name="Only on the replica")
    assert router.allow_relation(primary, from_replica)


@BOTH
def test_migrations_run_on_the_primary_only(replica: None) -> None:
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "people")
    assert not router.allow_migrate(REPORTING, "people")


@BOTH
def test_a_report_is_built_from_the_replica_when_there_is_one(replica_database: None) -> None:
    import datetime as dt

    from linkwork.reporting.reports import build_report
    from linkwork.reporting.scope import ReportName, ReportScope
    from tests.factories import make_staff
    from tests.journey_factories import make_person

    organisation = make_organisation(name="On the primary")
    connector = make_staff(organisation=organisation)
    person = make_person(organisation=organisation, postcode="LS6 1AA")
    from linkwork.matching.gaps import gap_record

    gap_record(actor=connector, need="Swimming", area="LS6", barrier="", person=person)
    scope = ReportScope(organisation.pk, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    report = build_report(ReportName.GAPS, scope, suppressed=False)
    # The gap is on the primary only; the replica is empty, and the report read the replica.
    assert all(row.key != "ls6" and row.label != "LS6" for row in report.table("gaps_by_area").rows)


# Keep this last among the tests that use the replica: taking the alias away for the test leaves
# Django's test guard on it afterwards.
def test_without_a_reporting_database_reports_read_the_primary(
    replica_database: None, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(connections.settings, REPORTING)
    make_organisation(name="On the primary")
    assert not reporting_configured()
    with reading_for_reports():
        assert _names() == {"On the primary"}
        assert router.db_for_read(Organisation) == DEFAULT_DB_ALIAS


def _settings_with(tmp_path: Path, reporting_url: str | None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "REPORTING_DATABASE_URL"}
    environment |= {"LINKWORK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "linkwork.settings"}
    if reporting_url is not None:
        environment["REPORTING_DATABASE_URL"] = reporting_url
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({alias: {k: db.get(k) for k in ('ENGINE', 'HOST', 'NAME', 'TEST')} "
        "for alias, db in settings.DATABASES.items()} | {'routers': settings.DATABASE_ROUTERS}))"
    )
    return subprocess.run(  # noqa: S603 - the test's own interpreter and code
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


def test_reporting_database_url_adds_the_reporting_alias(tmp_path: Path) -> None:
    finished = _settings_with(tmp_path, "postgresql://reader@replica.example.org:5432/linkwork")
    assert finished.returncode == 0, finished.stderr
    configured = json.loads(finished.stdout)
    assert configured[REPORTING] == {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "replica.example.org",
        "NAME": "linkwork",
        "TEST": {"MIRROR": "default"},
    }
    assert configured["routers"] == ["linkwork.reporting.router.ReportingRouter"]


def test_without_reporting_database_url_there_is_only_the_default_database(tmp_path: Path) -> None:
    finished = _settings_with(tmp_path, None)
    assert finished.returncode == 0, finished.stderr
    assert set(json.loads(finished.stdout)) == {DEFAULT_DB_ALIAS, "routers"}


def test_a_reporting_database_url_that_is_not_postgresql_is_refused(tmp_path: Path) -> None:
    finished = _settings_with(tmp_path, "sqlite:///replica.sqlite3")
    assert finished.returncode != 0
    assert "REPORTING_DATABASE_URL must be a postgresql:// address" in finished.stderr
