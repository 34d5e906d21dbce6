"""`linkwork bench directory-import --size N`: import N generated HSDS services from a JSON file.

The file holds N full HSDS 3.0 service objects (benchmarks/directory_data.py: provider, location with
address and coordinates, one or two schedules, phone, cost option, categories and connector facts as
attributes, sometimes a service area). It is imported with `linkwork.directory.importing`
(`import_directory(fmt="hsds-json", publish=True)`): validation, HTML sanitising, provenance, the
connector facts mapped to their columns, all or nothing. Then the same file is imported again, which
updates every record instead of creating it.

Baseline, in the same run and database: the simplest import one could write, a per-row ORM `save()`
of each record of a sample of the same kind of services (no validation, no sanitising, no audit, one
transaction, the file read with `json.load`), timed on min(N, 2,000) services and scaled to N. The
update baseline saves the same sample's records again.

A whole import is one run, so p50 and p95 are the same figure.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

from benchmarks import directory_data
from benchmarks.common import progress, report, result
from linkwork.accounts.models import Organisation
from linkwork.core.policies import Operator
from linkwork.directory.importing import import_directory

SAMPLE = 2_000
BASELINE = (
    "per-row ORM save() of every record (no validation or sanitising), on {sample} services scaled to {size}"
)


def _write(path: Path, size: int, seed: int) -> None:
    """Stream the services into one JSON list, so even 100,000 never sit in memory twice."""
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for number, service in enumerate(directory_data.generate(size, seed)):
            if number:
                out.write(",\n")
            out.write(json.dumps(service))
        out.write("]")


def _import(path: Path, owner: Organisation, actor: Operator, expected: tuple[int, int]) -> float:
    started = time.perf_counter()
    outcome = import_directory(path, fmt="hsds-json", actor=actor, owner=owner, publish=True)
    elapsed = (time.perf_counter() - started) * 1000
    if not outcome.ok or (outcome.created, outcome.updated) != expected:
        raise RuntimeError(f"The import did not go as expected:\n{outcome.render()}")
    return elapsed


def _baseline(path: Path, owner: Organisation, seed: int) -> tuple[float, float]:
    """Milliseconds to save the sample row by row, then to save it all again (updates)."""
    directory_data.ensure_taxonomies()
    started = time.perf_counter()
    with path.open(encoding="utf-8") as source:
        services = json.load(source)
    state = directory_data.context(owner=owner, seed=seed, states=False)
    saved = []
    with transaction.atomic():
        for item in services:
            for record in directory_data.records(item, state):
                record.save()
                saved.append(record)
    inserted = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    with transaction.atomic():
        for record in saved:
            record.save()
    return inserted, (time.perf_counter() - started) * 1000


def run(*, size: int, seed: int, actor: Operator) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    owner = Organisation.objects.create(name=f"Benchmark import {tag}", slug=f"bench-import-{tag}")
    sample = min(size, SAMPLE)
    with tempfile.TemporaryDirectory(prefix="linkwork-bench-import-") as scratch:
        path = Path(scratch) / "services.json"
        progress(f"directory-import: writing {size} HSDS services to {path} ...")
        started = time.perf_counter()
        _write(path, size, seed)
        generate_s = time.perf_counter() - started
        file_mb = path.stat().st_size / 1024**2

        progress("directory-import: importing ...")
        first = _import(path, owner, actor, (size, 0))
        progress("directory-import: importing the same file again (updates) ...")
        again = _import(path, owner, actor, (0, size))

        progress(f"directory-import: baseline, saving {sample} services row by row ...")
        sample_path = Path(scratch) / "sample.json"
        _write(sample_path, sample, seed + 1000)  # other ids: nothing in common with the import
        inserted, updated = _baseline(sample_path, owner, seed + 1000)
    scale = size / sample
    baseline = BASELINE.format(sample=f"{sample:,}", size=f"{size:,}")
    return report(
        "directory-import",
        size,
        [
            result(f"import {size:,} services (new)", [first], baseline, [inserted * scale]),
            result(f"import the same {size:,} again (updates)", [again], baseline, [updated * scale]),
        ],
        file_mb=round(file_mb, 1),
        generate_s=round(generate_s, 2),
        services_per_second=round(size / (first / 1000)),
    )
