"""Two writes at once, on two database connections: the first holds its row locks until the second is
queued behind them, then commits. Only PostgreSQL can run this: SQLite's test database is in memory,
out of reach of a second connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is in memory, so a second connection cannot see it to race",
)


def lock_waiters() -> int:
    """How many connections to the test database are waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def two_at_once(first: Callable[[], object], second: Callable[[], object]) -> tuple[object, object]:
    """Run `first` in a transaction that stays open until `second`, on another connection, waits for its
    locks (or finishes, if nothing locked); then let `first` commit. Returns what each returned, or the
    exception each raised."""
    first_holds_lock, release_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run_first() -> None:
        try:
            with transaction.atomic():
                result = first()
                first_holds_lock.set()
                release_first.wait()
            outcome["first"] = result
        except Exception as error:  # handed back to the test to assert on
            outcome["first"] = error
        finally:
            first_holds_lock.set()  # never leave the second waiting, even if the first failed
            connection.close()

    def run_second() -> None:
        first_holds_lock.wait()
        try:
            outcome["second"] = second()
        except Exception as error:
            outcome["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    first_holds_lock.wait()
    while threads[1].is_alive() and lock_waiters() == 0:
        threads[1].join(0.01)
    release_first.set()
    for thread in threads:
        thread.join()
    return outcome["first"], outcome["second"]
