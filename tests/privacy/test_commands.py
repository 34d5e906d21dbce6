"""`linkwork person export|erase` on the command line, run as the installation operator."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwork.audit.models import AuditEvent
from linkwork.people.models import Person
from linkwork.privacy.catalogue import ERASED
from tests.privacy.world import PHONE, World

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("person", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
def test_export_writes_everything_to_the_file_and_is_audited(world: World, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"person.{fmt}"
    said = run("export", str(world.person.pk), "--output", str(output), "--format", fmt)
    assert f"to {output}" in said
    content = output.read_bytes()
    if fmt == "json":
        assert json.loads(content)["person_id"] == world.person.pk
    elif fmt == "html":
        assert PHONE in content.decode()
    else:
        assert content.startswith(b"%PDF")
    entry = AuditEvent.objects.get(event="person.exported")
    assert entry.actor_username.startswith("operator:") and entry.detail["format"] == fmt


def test_export_of_an_unknown_person_fails_clearly_and_writes_nothing(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no person with record number 4242"):
        run("export", "4242", "--output", str(tmp_path / "x.json"))
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_missing_directory_fails_before_anything_is_done(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="directory that exists"):
        run("export", str(world.person.pk), "--output", str(tmp_path / "nope" / "x.json"))
    assert not AuditEvent.objects.filter(event="person.exported").exists()


def test_erase_dry_run_lists_the_changes_and_changes_nothing(world: World) -> None:
    said = run("erase", str(world.person.pk), "--dry-run")
    assert "Would change for person" in said
    assert "Your story (1): delete" in said
    assert "Dry run: nothing was changed." in said
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_erase_with_yes_erases(world: World) -> None:
    said = run("erase", str(world.person.pk), "--yes")
    assert f"Person {world.person.pk} is erased." in said
    assert Person.objects.get(pk=world.person.pk).first_name == ERASED
    assert AuditEvent.objects.get(event="person.erased").actor_username.startswith("operator:")


def test_erase_asks_first_and_a_wrong_answer_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("builtins.input", lambda _prompt: "no")
    with pytest.raises(CommandError, match="Nothing was changed"):
        run("erase", str(world.person.pk))
    assert Person.objects.get(pk=world.person.pk).phone == PHONE


def test_erasing_twice_fails_clearly(world: World) -> None:
    run("erase", str(world.person.pk), "--yes")
    with pytest.raises(CommandError, match="already been erased"):
        run("erase", str(world.person.pk), "--yes")
