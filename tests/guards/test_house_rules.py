"""Guards for rules that keep the code base safe: migrations up to date, policies used everywhere."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SRC = Path(__file__).resolve().parents[2] / "src" / "linkwork"


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def _python_files(*, exclude: tuple[str, ...]) -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and not any(part in path.name for part in exclude)
    ]


def test_views_and_api_endpoints_never_query_models_directly() -> None:
    """Reads go through selectors (which start from the policy), writes through services."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name in {"views.py", "api.py"} and re.search(r"\.objects\.", path.read_text())
    ]
    assert offenders == []


def test_only_the_command_line_and_demo_data_act_as_the_operator() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in _python_files(exclude=())
        if "Operator(" in path.read_text()
        and "management" not in path.parts
        and path.name not in {"policies.py", "builder.py"}
    ]
    assert offenders == []


def test_no_naive_datetimes() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in _python_files(exclude=())
        if re.search(r"datetime\.(now|utcnow)\(\)", path.read_text())
    ]
    assert offenders == []
