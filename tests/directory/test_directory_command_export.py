"""`linkwork directory export PATH --format hsds-json|hsds-csv`, the command around `export_directory`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwork.accounts.models import Organisation
from linkwork.audit.models import AuditEvent
from linkwork.directory.models import EntryState
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db


def export(*args: str) -> str:
    out = StringIO()
    call_command("directory", "export", *args, stdout=out)
    return out.getvalue()


def test_export_writes_hsds_json_and_says_what_it_did(organisation: Organisation, tmp_path: Path) -> None:
    make_service(owner=organisation, name="Knit and natter")
    make_service(owner=organisation, name="Not yet", state=EntryState.DRAFT)
    target = tmp_path / "directory.json"
    output = export(str(target), "--format", "hsds-json")
    assert f"Exported 1 service to {target}" in output
    assert [service["name"] for service in json.loads(target.read_text())] == ["Knit and natter"]
    event = AuditEvent.objects.get(event="directory.exported")
    assert event.actor_username.startswith("operator:directory-export:")


def test_export_writes_the_tabular_datapackage(organisation: Organisation, tmp_path: Path) -> None:
    make_service(owner=organisation, name="Knit and natter")
    folder = tmp_path / "package"
    output = export(str(folder), "--format", "hsds-csv")
    assert "Exported 1 service" in output
    descriptor = json.loads((folder / "datapackage.json").read_text())
    assert descriptor["profile"] == "tabular-data-package"
    for resource in descriptor["resources"]:
        assert (folder / resource["path"]).is_file(), resource["path"]
    assert "Knit and natter" in (folder / "services.csv").read_text(encoding="utf-8")


def test_export_needs_a_format(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        export(str(tmp_path / "d.json"))
    with pytest.raises(CommandError):
        export(str(tmp_path / "d.json"), "--format", "oruk-v1")
    assert list(tmp_path.iterdir()) == []


def test_export_explains_a_target_it_cannot_use(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is a folder"):
        export(str(tmp_path), "--format", "hsds-json")
    taken = tmp_path / "taken.txt"
    taken.write_text("keep")
    with pytest.raises(CommandError, match="is a file"):
        export(str(taken), "--format", "hsds-csv")
    assert taken.read_text() == "keep"
