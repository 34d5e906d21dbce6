"""`linkwork bench NAME [--size N] [--seed S]`: run one of the repository's scale benchmarks.

Benchmarks live in the source tree's `benchmarks/` package (next to `src/`), not in the installed
package: run the command from a checkout. Each prints one JSON object (docs/benchmarks.md).

By default a benchmark runs in a throwaway SQLite database in a temporary directory (migrated first,
deleted after), so it never touches real data. `--database configured` runs it in the configured
database instead, inside a transaction that is rolled back at the end; add `--commit` to keep the data
committed as in real use, in a database made for the benchmark (this is how PostgreSQL is measured).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

import linkwork
from linkwork.core.policies import Operator

TEMPORARY = "temporary"
CONFIGURED = "configured"


class _RollBack(Exception):
    """Raised to undo everything a benchmark wrote to the configured database."""


def benchmarks_dir() -> Path | None:
    """The `benchmarks/` package: in the current directory, or beside `src/` in the source tree."""
    for candidate in (Path.cwd() / "benchmarks", Path(linkwork.__file__).resolve().parents[2] / "benchmarks"):
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def available(folder: Path) -> list[str]:
    return sorted(
        path.stem.replace("_", "-")
        for path in folder.glob("*.py")
        if path.stem not in {"__init__", "common"} and "def run(" in path.read_text(encoding="utf-8")
    )


class Command(BaseCommand):
    help = "Run a scale benchmark from the repository's benchmarks/ folder and print its JSON result."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The benchmark, e.g. directory-search or directory-import.")
        parser.add_argument("--size", type=int, default=10_000, help="How many records to build.")
        parser.add_argument(
            "--users",
            dest="size",
            type=int,
            default=argparse.SUPPRESS,
            help="For the load benchmark: how many simultaneous users (the same as --size).",
        )
        parser.add_argument(
            "--seconds", type=int, default=None, help="For the load benchmark: how long to run the mix."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed for the generated data.")
        parser.add_argument(
            "--database",
            choices=(TEMPORARY, CONFIGURED),
            default=TEMPORARY,
            help="temporary (default): a throwaway SQLite database; configured: the configured "
            "database, with everything rolled back afterwards.",
        )
        parser.add_argument(
            "--commit",
            action="store_true",
            help="With --database configured: commit what the benchmark writes instead of rolling it "
            "back, as in real use. Only for a database made for the benchmark.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = benchmarks_dir()
        if folder is None:
            raise CommandError(
                "The benchmarks/ folder was not found. Benchmarks are not installed with linkwork: "
                "run this command from a checkout of the source (the folder that holds benchmarks/)."
            )
        name: str = options["name"]
        names = available(folder)
        if name not in names:
            raise CommandError(f"There is no benchmark called {name!r}. Choose from: {', '.join(names)}.")
        if options["size"] < 1:
            raise CommandError("--size must be 1 or more.")
        if options["seconds"] is not None and options["seconds"] < 1:
            raise CommandError("--seconds must be 1 or more.")
        if options["database"] == TEMPORARY:
            self._run_in_temporary_database(folder, name, options)
            return
        outcome = self._run_here(
            folder,
            name,
            size=options["size"],
            seed=options["seed"],
            keep=options["commit"],
            seconds=options["seconds"],
        )
        self.stdout.write(json.dumps(outcome))

    def _run_here(
        self, folder: Path, name: str, *, size: int, seed: int, keep: bool, seconds: int | None = None
    ) -> dict[str, Any]:
        root = str(folder.parent)
        if root not in sys.path:
            sys.path.insert(0, root)
        module = importlib.import_module(f"benchmarks.{name.replace('-', '_')}")
        # Only the benchmarks that run for a time (load) take `seconds`.
        timing = {} if seconds is None else {"seconds": seconds}
        if keep:
            outcome: dict[str, Any] = module.run(size=size, seed=seed, actor=Operator("bench"), **timing)
            return outcome
        outcome = {}
        try:
            with transaction.atomic():
                outcome = module.run(size=size, seed=seed, actor=Operator("bench"), **timing)
                raise _RollBack
        except _RollBack:
            pass
        return outcome

    def _run_in_temporary_database(self, folder: Path, name: str, options: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory(prefix="linkwork-bench-") as scratch:
            environment = os.environ | {"DATABASE_URL": f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"}
            command = [sys.executable, "-m", "linkwork.cli"]
            self.stderr.write(f"Preparing a temporary SQLite database in {scratch} ...", style_func=str)
            migrate = subprocess.run(  # noqa: S603 - our own command, with our own arguments
                [*command, "migrate", "--no-input"],
                env=environment,
                cwd=folder.parent,
                capture_output=True,
                text=True,
                check=False,
            )
            if migrate.returncode:
                raise CommandError(f"Could not prepare the temporary database:\n{migrate.stderr}")
            bench = subprocess.run(  # noqa: S603
                [
                    *command,
                    "bench",
                    name,
                    f"--size={options['size']}",
                    f"--seed={options['seed']}",
                    *([f"--seconds={options['seconds']}"] if options["seconds"] is not None else []),
                    f"--database={CONFIGURED}",
                    "--commit",
                ],
                env=environment,
                cwd=folder.parent,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            if bench.returncode:
                raise CommandError(f"The benchmark {name} failed (exit status {bench.returncode}).")
            self.stdout.write(bench.stdout.strip())
