"""`linkwork bench`: finds the repository's benchmarks, prints one JSON object of the documented shape,
and leaves no data behind. Tiny sizes only; timings are never checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from linkwork.core.management.commands import bench
from linkwork.directory import search
from linkwork.directory.models import Organization, Service

ROOT = Path(__file__).resolve().parents[2]
RESULT_KEYS = {"operation", "p50_ms", "p95_ms", "baseline", "baseline_p50_ms", "baseline_p95_ms", "ratio"}


def run_bench(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("bench", *args, "--database=configured", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def assert_shape(outcome: dict[str, Any], name: str, size: int) -> None:
    assert outcome["benchmark"] == name
    assert outcome["size"] == size
    assert {"cpu", "cores", "memory_gb", "python", "database"} <= set(outcome["machine"])
    assert outcome["results"]
    for row in outcome["results"]:
        assert set(row) >= RESULT_KEYS
        assert isinstance(row["operation"], str) and isinstance(row["baseline"], str) and row["baseline"]
        for key in ("p50_ms", "p95_ms", "baseline_p50_ms", "baseline_p95_ms", "ratio"):
            assert isinstance(row[key], float | int) and row[key] >= 0, key
        assert row["p95_ms"] >= row["p50_ms"]


@pytest.mark.django_db
def test_directory_search_prints_its_results_and_leaves_nothing_behind() -> None:
    outcome = run_bench("directory-search", "--size=40", "--seed=3")
    assert_shape(outcome, "directory-search", 40)
    assert outcome["index"]["services"] == 40
    assert {row["operation"] for row in outcome["results"]} >= {"words", "browse by name, page 3"}
    assert not Service.objects.exists() and not Organization.objects.exists()
    search.invalidate()


@pytest.mark.django_db
def test_directory_import_prints_its_results_and_leaves_nothing_behind() -> None:
    outcome = run_bench("directory-import", "--size=12")
    assert_shape(outcome, "directory-import", 12)
    assert [row["operation"] for row in outcome["results"]] == [
        "import 12 services (new)",
        "import the same 12 again (updates)",
    ]
    assert not Service.objects.exists()


def test_the_generated_directory_is_the_same_for_the_same_seed() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks import directory_data

    def services(seed: int) -> list[dict[str, Any]]:
        return [service | {"last_modified": ""} for service in directory_data.generate(5, seed=seed)]

    first = services(9)
    assert first == services(9)
    assert first != services(10)
    assert all(service["service_at_locations"][0]["location"]["latitude"] for service in first)


def test_an_unknown_benchmark_is_refused_with_the_list() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("bench", "nonsense")
    assert "directory-import" in str(refused.value) and "directory-search" in str(refused.value)


def test_without_the_source_tree_it_says_where_benchmarks_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "benchmarks_dir", lambda: None)
    with pytest.raises(CommandError, match="benchmarks/ folder was not found"):
        call_command("bench", "directory-search")


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(CommandError, match="--size"):
        call_command("bench", "directory-search", "--size=0")


def test_by_default_it_runs_in_a_throwaway_sqlite_database(tmp_path: Path) -> None:
    """The real command line: migrates a temporary database, runs there, prints only the JSON."""
    environment = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'never-created.sqlite3'}"}
    finished = subprocess.run(
        [sys.executable, "-m", "linkwork.cli", "bench", "directory-search", "--size=15"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    assert_shape(json.loads(finished.stdout), "directory-search", 15)
    assert "SQLite" in json.loads(finished.stdout)["machine"]["database"]
    assert not (tmp_path / "never-created.sqlite3").exists()
