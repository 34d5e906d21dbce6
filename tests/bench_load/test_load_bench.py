"""`linkwork bench load`: a real server under a few signed-in users prints the documented JSON with no
errors; the inputs it refuses; how it reads forms. Tiny sizes only; timings are never checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks import load
from benchmarks.load_client import form_fields
from django.core.management import CommandError, call_command

from linkwork.core.policies import Operator

ROOT = Path(__file__).resolve().parents[2]
ROW_KEYS = {"operation", "requests", "errors", "throughput_rps", "p50_ms", "p95_ms", "p99_ms"}


@pytest.fixture(scope="module")
def outcome() -> dict[str, Any]:
    environment = os.environ | {"LINKWORK_LOAD_SECONDS": "3", "LINKWORK_SEMANTIC": "off"}
    finished = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "linkwork.cli", "bench", "load", "--size=3"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]
    return json.loads(finished.stdout)  # type: ignore[no-any-return]


def test_a_short_run_prints_every_request_kind_and_the_baseline_without_errors(
    outcome: dict[str, Any],
) -> None:
    assert outcome["benchmark"] == "load"
    assert outcome["size"] == outcome["users"] == 3
    assert outcome["seconds"] == 3
    assert outcome["workers"] >= 2
    assert {"cpu", "cores", "python", "database"} <= set(outcome["machine"])
    assert [row["operation"] for row in outcome["results"]] == list(load.KINDS)
    for row in [*outcome["results"], outcome["baseline"]]:
        assert set(row) == ROW_KEYS
        assert row["errors"] == 0, outcome["error_examples"]
        assert row["throughput_rps"] >= 0
        if row["requests"]:
            assert 0 <= row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    assert outcome["errors"] == 0 and outcome["error_examples"] == []
    assert sum(row["requests"] for row in outcome["results"]) > 0
    assert outcome["baseline"]["requests"] > 0
    assert outcome["baseline"]["operation"] in {"GET /healthz", "GET /sign-in/"}
    assert outcome["throughput_ratio"] > 0
    assert outcome["semantic"] == "turned off (LINKWORK_SEMANTIC=off)"


def test_more_users_than_the_limit_are_refused() -> None:
    with pytest.raises(CommandError, match="at most 200 users"):
        load.run(size=load.MAX_USERS + 1, seed=1, actor=Operator("test"))


@pytest.mark.parametrize("seconds", ["soon", "-5", "0"])
def test_a_bad_length_of_run_is_refused(monkeypatch: pytest.MonkeyPatch, seconds: str) -> None:
    monkeypatch.setenv("LINKWORK_LOAD_SECONDS", seconds)
    with pytest.raises(CommandError, match="LINKWORK_LOAD_SECONDS|at least 1 second"):
        load.run(size=2, seed=1, actor=Operator("test"))


@pytest.mark.django_db
def test_data_the_server_cannot_see_is_refused() -> None:
    # Without --commit the benchmark would run inside a transaction the server's processes never see.
    with pytest.raises(CommandError, match="only sees committed data"):
        call_command("bench", "load", "--size=2", "--database=configured")


def test_the_form_reader_sends_what_a_browser_would() -> None:
    page = """
    <form method="get"><input name="q" value="walking"></form>
    <form method="post" action="/x/">
      <input type="hidden" name="csrfmiddlewaretoken" value="abc">
      <input name="when" value="24/11/2026 10:00"><input name="blank">
      <input type="radio" name="type" value="phone"><input type="radio" name="type" value="video" checked>
      <input type="checkbox" name="free"><button type="submit" name="go">Save</button>
    </form>"""
    assert form_fields(page) == {
        "csrfmiddlewaretoken": "abc",
        "when": "24/11/2026 10:00",
        "blank": "",
        "type": "video",
    }
