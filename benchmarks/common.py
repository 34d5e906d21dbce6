"""What every benchmark shares: the machine it ran on, timing, percentiles and the result shape."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import django
import numpy as np
from django.db import connection


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * page_size / 1024**3, 1)


def _database() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    return f"PostgreSQL {version}"


def machine() -> dict[str, Any]:
    """Enough about the machine to compare runs: CPU, memory, Python, libraries and database."""
    return {
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "numpy": np.__version__,
        "database": _database(),
    }


def time_ms(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


def sample_ms(operations: Sequence[Callable[[], object]], runs: int) -> list[float]:
    """Time `runs` calls, cycling through the variants of an operation (different words, places)."""
    return [time_ms(operations[run % len(operations)]) for run in range(runs)]


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) in the samples' unit."""
    values = np.asarray(samples, dtype=np.float64)
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def result(
    operation: str,
    samples: Sequence[float],
    baseline: str,
    baseline_samples: Sequence[float],
    **extra: Any,
) -> dict[str, Any]:
    """One entry of `results`; `ratio` is baseline p50 over p50 (above 1: faster than the baseline)."""
    p50, p95 = percentiles(samples)
    base50, base95 = percentiles(baseline_samples)
    return {
        "operation": operation,
        "p50_ms": round(p50, 3),
        "p95_ms": round(p95, 3),
        "baseline": baseline,
        "baseline_p50_ms": round(base50, 3),
        "baseline_p95_ms": round(base95, 3),
        "ratio": round(base50 / p50, 2) if p50 > 0 else None,
        "runs": len(samples),
        "baseline_runs": len(baseline_samples),
        **extra,
    }


def report(benchmark: str, size: int, results: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"benchmark": benchmark, "size": size, "machine": machine(), "results": results, **extra}


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout stays one JSON object."""
    print(message, file=sys.stderr, flush=True)
