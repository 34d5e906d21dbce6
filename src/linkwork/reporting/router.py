"""Reports read from a read replica when one is configured; everything else stays on the primary.

With `REPORTING_DATABASE_URL` set, settings add a database alias `reporting` (a PostgreSQL read
replica). Report building runs inside `reading_for_reports()`, and only there do reads go to the
replica: the rest of the application reads its own writes from the primary, which a lagging replica
could not promise. Writes, and migrations, always go to the primary (docs/operations.md "Scaling out").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

REPORTING = "reporting"

# A context variable, not a thread-local, so threads and async tasks each keep their own.
_for_reports: ContextVar[bool] = ContextVar("linkwork_reading_for_reports", default=False)


@contextmanager
def reading_for_reports() -> Iterator[None]:
    """Inside this block, reads go to the reporting replica if there is one."""
    token = _for_reports.set(True)
    try:
        yield
    finally:
        _for_reports.reset(token)


def reporting_configured() -> bool:
    return REPORTING in connections.settings


class ReportingRouter:
    """Django database router: replica reads for reports only, all writes and migrations on default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _for_reports.get() and reporting_configured():
            return REPORTING
        return None

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replica holds the primary's rows, so an object read from either may point at the other.
        databases = {DEFAULT_DB_ALIAS, REPORTING}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
