"""Run the test suite on SQLite, then on PostgreSQL when POSTGRES_TEST_URL is set.

REQUIRE_POSTGRES=1 turns a missing or unreachable PostgreSQL into a failure instead of a skip.
Browser tests run once, on SQLite. Extra arguments are passed to pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg


def run(label: str, env: dict[str, str], extra: list[str]) -> int:
    print(f"\n=== tests on {label} ===", flush=True)
    command = [sys.executable, "-m", "pytest", "-n", os.environ.get("PYTEST_WORKERS", "auto"), *extra]
    return subprocess.call(command, env=env)


def postgres_reachable(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip()
    return None


def main() -> int:
    extra = sys.argv[1:]
    base_env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    status = run("SQLite", {**base_env, "DATABASE_URL": ""}, extra)
    url = os.environ.get("POSTGRES_TEST_URL", "").strip()
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            print("REQUIRE_POSTGRES=1 but POSTGRES_TEST_URL is not set.", file=sys.stderr)
            return 1
        print("\nPOSTGRES_TEST_URL is not set: PostgreSQL tests skipped.")
        return status
    problem = postgres_reachable(url)
    if problem:
        print(f"PostgreSQL at POSTGRES_TEST_URL is unreachable: {problem}", file=sys.stderr)
        return 1 if required else status
    pg_status = run("PostgreSQL", {**base_env, "DATABASE_URL": url}, [*extra, "-m", "not browser"])
    return status or pg_status


if __name__ == "__main__":
    sys.exit(main())
