"""Two server processes over one database: an edit made in one shows in the other's results.

Each process keeps its own in-memory index and checks a cheap fingerprint of the directory tables
(at most once a second) before ranking. Here two separate Python interpreters share the test
database: the reader ranks (building its index), the writer edits a service, and the reader's next
rankings pick the edit up without being told.

SQLite's test database lives in memory, inside the test process, so the test runs on PostgreSQL
(CI runs the suite on both).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from urllib.parse import quote

import pytest
from django.db import connection

from linkwork.accounts.models import Organisation
from linkwork.core.time import now
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = """
import json, sys, time, uuid
import django
django.setup()
from linkwork.matching.engine import Options, rank
from linkwork.matching.profile import MatchProfile
PROFILE = MatchProfile(postcode="W10 6AB", interests_now=["falconry"], confidence="hinders")

def top():
    result = rank(PROFILE, Options(limit=5)).results[0]
    interest = next(p.score for p in result.parts if p.name == "interest")
    return {"id": result.service_id.hex, "interest": interest, "cautions": result.cautions}
"""

READER = (
    SETUP
    + """
print(json.dumps(top()), flush=True)
sys.stdin.readline()  # the writer has saved its edit
started = time.monotonic()
seen = top()
while seen["interest"] == 0 and time.monotonic() - started < 10:
    time.sleep(0.1)
    seen = top()
print(json.dumps(seen), flush=True)
"""
)

WRITER = (
    SETUP
    + """
from linkwork.directory.models import Service
top()  # this process has its own index too
service = Service.objects.get(pk=uuid.UUID(sys.argv[1]))
service.name = "Falconry for beginners"
service.atmosphere = "busy"
service.save()
print(json.dumps({"saved": service.pk.hex}), flush=True)
"""
)


def _database_url() -> str:
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "")
    password = quote(settings.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = settings.get("PORT") or 5432
    return f"postgresql://{credentials}{host}:{port}/{quote(settings['NAME'])}"


def _python(script: str, *args: str, stdin: int | None = None) -> subprocess.Popen[str]:
    environment = (
        {"DJANGO_SETTINGS_MODULE": "linkwork.settings"} | os.environ | {"DATABASE_URL": _database_url()}
    )
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=environment,
        stdin=stdin,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's test database is in memory, inside this one process"
)
def test_an_edit_in_one_process_shows_in_the_others_results(organisation: Organisation) -> None:
    service = make_service(owner=organisation, name="Craft club", last_verified_at=now())
    make_service(owner=organisation, name="Book club", last_verified_at=now())
    reader = _python(READER, stdin=subprocess.PIPE)
    try:
        assert reader.stdout is not None and reader.stdin is not None
        before = json.loads(reader.stdout.readline())
        assert before["interest"] == 0
        writer = _python(WRITER, service.pk.hex)
        written, _ = writer.communicate(timeout=30)
        assert writer.returncode == 0
        assert json.loads(written) == {"saved": service.pk.hex}
        reader.stdin.write("go\n")
        reader.stdin.flush()
        after = json.loads(reader.stdout.readline())
    finally:
        reader.kill()
        reader.wait(timeout=10)
    assert after["id"] == service.pk.hex
    assert after["interest"] > 0
    assert "busy venue" in after["cautions"]


def test_the_matching_arrays_follow_the_directory_without_being_told(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one process: an edit shows at the next fingerprint check, facts and words alike."""
    from linkwork.directory import search
    from linkwork.matching import index as match_index
    from linkwork.matching.engine import Options, rank
    from linkwork.matching.profile import MatchProfile

    monkeypatch.setattr(search, "CHECK_INTERVAL_SECONDS", 0.0)
    service = make_service(owner=organisation, name="Craft club", cost_band="paid", last_verified_at=now())
    match_index.invalidate()
    profile = MatchProfile(postcode="W10 6AB", interests_now=["falconry"], barriers=["cost"])
    (before,) = rank(profile, Options()).results
    assert "free" not in before.reasons
    service.name = "Falconry club"
    service.cost_band = "free"
    service.save()
    (after,) = rank(profile, Options()).results
    assert "free" in after.reasons
    assert next(part.score for part in after.parts if part.name == "interest") > 0
