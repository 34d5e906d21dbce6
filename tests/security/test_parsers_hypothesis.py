"""Arbitrary input to the directory importers and the public and staff referral forms.

Readers report problems in the bundle (`Bundle.fatal` and the units' problems) and never raise; an
import with problems writes nothing; a form either saves a whole referral or shows its errors.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkwork.accounts.models import Organisation, User
from linkwork.directory import formats, hsds
from linkwork.directory.formats import Bundle, simple_csv
from linkwork.directory.formats.hsds_csv import RESOURCES
from linkwork.directory.importing import import_directory
from linkwork.people.models import Person
from linkwork.referrals.models import Referral
from tests.conftest import signed_in
from tests.factories import OPERATOR

# Fixtures (database, users) are set up once per test, not per example: that is intended here.
EXAMPLES = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
SOME_TEXT = st.text(max_size=60)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | SOME_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SOME_TEXT, inner, max_size=4),
    max_leaves=25,
)
# Records shaped like directory entries, with any values: reaches deeper than random JSON does.
SERVICE_KEYS = st.sampled_from(
    [
        "id",
        "name",
        "organization",
        "organization_id",
        "status",
        "email",
        "url",
        "locations",
        "phones",
        "schedules",
        "service_at_locations",
        "latitude",
        "longitude",
        "minimum_age",
        "contacts",
        "content",
        "contents",
        "attributes",
        "cost_options",
        "languages",
        "description",
        "postal_address",
    ]
)
SHAPED_JSON = st.recursive(
    JSON,
    lambda inner: st.dictionaries(SERVICE_KEYS, inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=30,
)
SHEET_COLUMNS = st.lists(st.sampled_from(simple_csv.COLUMNS) | SOME_TEXT, min_size=1, max_size=8)


@contextmanager
def _file(name: str, content: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        yield path


def _sheet(columns: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _directory_counts() -> dict[str, int]:
    return {table: model._default_manager.count() for table, model in hsds.MODELS.items()}


@given(content=st.binary(max_size=2000), fmt=st.sampled_from(["csv", "hsds-json", "oruk-v1", None]))
@EXAMPLES
def test_any_bytes_are_read_into_a_bundle_without_raising(content: bytes, fmt: str | None) -> None:
    with _file("upload.csv" if fmt == "csv" else "upload.json", content) as path:
        assert isinstance(formats.read(path, fmt), Bundle)


@given(data=SHAPED_JSON, fmt=st.sampled_from(["hsds-json", "oruk-v1"]))
@EXAMPLES
def test_any_json_is_read_into_a_bundle_without_raising(data: Any, fmt: str) -> None:
    with _file("upload.json", json.dumps(data).encode()) as path:
        assert isinstance(formats.read(path, fmt), Bundle)


@given(table=st.sampled_from(sorted(RESOURCES)), content=st.binary(max_size=1000))
@EXAMPLES
def test_any_table_in_a_csv_package_is_read_without_raising(table: str, content: bytes) -> None:
    with _file(RESOURCES[table], content) as path:
        assert isinstance(formats.read(path.parent, "hsds-csv"), Bundle)


@given(
    columns=SHEET_COLUMNS,
    rows=st.lists(st.lists(SOME_TEXT, max_size=8), max_size=4),
    skip_invalid=st.booleans(),
)
@EXAMPLES
def test_a_sheet_import_writes_everything_it_reports_or_nothing(
    organisation: Organisation, columns: list[str], rows: list[list[str]], skip_invalid: bool
) -> None:
    before = _directory_counts()
    with _file("services.csv", _sheet(columns, rows)) as path:
        report = import_directory(
            path, fmt="csv", actor=OPERATOR, owner=organisation, skip_invalid=skip_invalid
        )
    after = _directory_counts()
    if report.failed or not report.written:
        assert after == before, report.render()
    else:
        assert report.written
        assert after["service"] - before["service"] == report.created


@given(data=SHAPED_JSON)
@EXAMPLES
def test_a_json_import_with_problems_writes_nothing(organisation: Organisation, data: Any) -> None:
    before = _directory_counts()
    with _file("services.json", json.dumps(data).encode()) as path:
        report = import_directory(path, fmt="hsds-json", actor=OPERATOR, owner=organisation)
    if report.errors:
        assert report.failed and not report.written
        assert _directory_counts() == before, report.render()


SELF_REFERRAL_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        name: st.text(max_size=80)
        for name in (
            "first_name",
            "last_name",
            "phone",
            "email",
            "postcode",
            "preferred_contact_method",
            "preferred_contact_times",
            "needs",
            "agreed_to_support",
            "agreed_to_share_with_gp",
            "website",
        )
    },
)


@given(fields=SELF_REFERRAL_FIELDS)
@EXAMPLES
def test_the_public_self_referral_form_saves_a_whole_referral_or_none(
    organisation: Organisation, fields: dict[str, str]
) -> None:
    people, referrals = Person.objects.count(), Referral.objects.count()
    response = Client().post(reverse("self_referral", args=[organisation.slug]), fields)
    assert response.status_code in (200, 429)
    added_people, added_referrals = Person.objects.count() - people, Referral.objects.count() - referrals
    assert (added_people, added_referrals) in ((0, 0), (1, 1))


INTAKE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        name: st.text(max_size=60)
        for name in (
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "nhs_number",
            "phone",
            "email",
            "postcode",
            "address_line_1",
            "source",
            "referrer_name",
            "referrer_contact",
            "reason",
            "needs",
            "urgency",
            "consent_to_support",
        )
    },
)


@given(fields=INTAKE_FIELDS)
@EXAMPLES
def test_the_staff_intake_form_saves_a_whole_referral_or_none(
    connector: User, fields: dict[str, str]
) -> None:
    people, referrals = Person.objects.count(), Referral.objects.count()
    response = signed_in(connector).post(reverse("intake"), fields)
    assert response.status_code in (200, 302)
    added_people, added_referrals = Person.objects.count() - people, Referral.objects.count() - referrals
    assert (added_people, added_referrals) in ((0, 0), (1, 1), (0, 1))
