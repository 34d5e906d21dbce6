"""`linkwork directory import`: what it prints, its exit status, and the choices it is given."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwork.accounts.models import Organisation
from linkwork.audit.models import AuditEvent
from linkwork.directory.models import EntryState, Organization, Service

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = FIXTURES / "hsds-examples"
IMPORTS = FIXTURES / "import"
NORTH_LINCS = FIXTURES / "north-lincolnshire-oruk-v1" / "services.json"


def directory(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("directory", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args: str) -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("directory", *args, stdout=StringIO(), stderr=err)
    return raised.value, err.getvalue()


def test_import_prints_what_it_did(organisation: Organisation) -> None:
    out, err = directory("import", str(NORTH_LINCS))

    assert out.splitlines()[0] == "Imported services.json (oruk-v1): 738 services created, 0 updated."
    assert "239 organisations" in out
    assert err == ""
    assert Service.objects.count() == 738
    assert AuditEvent.objects.get(event="directory.imported").actor_username.startswith(
        "operator:directory-import:"
    )


def test_problems_go_to_standard_error_with_exit_status_1_and_nothing_is_written(
    organisation: Organisation,
) -> None:
    error, err = failing("import", str(IMPORTS / "services-with-problems.json"))

    assert error.returncode == 1
    assert str(error).startswith(
        "Nothing was imported from services-with-problems.json (hsds-json): 4 problems"
    )
    assert err.splitlines() == [
        "services-with-problems.json $[1].name: is required",
        'services-with-problems.json $[2].assured_date: "2025-13-45" is not a date '
        "(use YYYY-MM-DD, like 2025-03-31)",
        'services-with-problems.json $[2].phones[0].id: "not-a-uuid" is not a uuid '
        "(like 3a19ff88-4620-4d17-9830-ac1d859eb5d5)",
        'services-with-problems.json $[2].schedules[0].opens_at: "25:00" is not a time '
        "(use HH:MM or HH:MM:SS, like 09:30)",
    ]
    assert Service.objects.count() == 0


def test_malformed_json_is_one_clear_error_not_a_traceback(organisation: Organisation) -> None:
    error, err = failing("import", str(IMPORTS / "broken.json"))

    assert error.returncode == 1
    assert err.strip() == "broken.json line 5, column 74: is not valid JSON: Expecting ',' delimiter"


def test_a_missing_file_is_one_clear_error(organisation: Organisation, tmp_path: Path) -> None:
    error, err = failing("import", str(tmp_path / "nowhere.json"))

    assert error.returncode == 1
    assert err.strip() == "nowhere.json: does not exist"


def test_skip_invalid_imports_the_rest_and_exits_cleanly(organisation: Organisation) -> None:
    out, err = directory("import", str(IMPORTS / "services-with-problems.json"), "--skip-invalid")

    assert out.strip() == (
        "Imported services-with-problems.json (hsds-json): 1 service created, 0 updated, "
        "2 left out because of the 4 problems above.\nAlso written: 1 organisation, 1 phone, 1 schedule."
    )
    assert len(err.splitlines()) == 4
    assert list(Service.objects.values_list("name", flat=True)) == ["Lunch club"]


def test_dry_run_writes_nothing(organisation: Organisation) -> None:
    out, _ = directory("import", str(EXAMPLES / "csv"), "--dry-run", "--quiet")

    assert out.splitlines()[0] == "Checked csv (hsds-csv): 1 service would be created, 0 would be updated."
    assert out.splitlines()[-1] == "This was a dry run: nothing was written."
    assert Service.objects.count() == 0


def test_notes_are_printed_unless_quiet(organisation: Organisation) -> None:
    _, err = directory("import", str(EXAMPLES / "csv"), "--dry-run")
    _, quiet = directory("import", str(EXAMPLES / "csv"), "--dry-run", "--quiet")

    assert "Note: datapackage.json: is not a data package descriptor" in err
    assert quiet == ""


def test_as_draft_makes_drafts(organisation: Organisation) -> None:
    directory("import", str(EXAMPLES / "service_full.json"), "--as-draft")

    assert Service.objects.get().state == EntryState.DRAFT


def test_publish_puts_entries_live_in_the_state_their_assured_date_gives(organisation: Organisation) -> None:
    directory("import", str(EXAMPLES / "service_full.json"), "--publish")

    assert Service.objects.get().state == EntryState.STALE  # live, but assured in 2005


def test_publish_and_as_draft_cannot_both_be_given(organisation: Organisation) -> None:
    with pytest.raises(CommandError, match="not allowed with argument"):
        directory("import", str(EXAMPLES / "service_full.json"), "--publish", "--as-draft")


def test_format_can_be_given_instead_of_guessed(organisation: Organisation, tmp_path: Path) -> None:
    feed = tmp_path / "feed.txt"
    feed.write_bytes((IMPORTS / "oruk-v1-full.json").read_bytes())

    out, _ = directory("import", str(feed), "--format", "oruk-v1")

    assert out.startswith("Imported feed.txt (oruk-v1): 2 services created")


def test_an_unknown_format_is_refused_by_the_command_line(organisation: Organisation) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        directory("import", str(NORTH_LINCS), "--format", "xml")


def test_owner_is_needed_when_there_is_more_than_one_organisation(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    error, _ = failing("import", str(EXAMPLES / "service_full.json"))
    assert "say whose directory editors look after the imported entries with --owner" in str(error)

    directory("import", str(EXAMPLES / "service_full.json"), "--owner", other_organisation.slug)

    assert Service.objects.get().owner == other_organisation
    assert Organization.objects.get().owner == other_organisation


def test_an_unknown_owner_is_refused(organisation: Organisation) -> None:
    error, _ = failing("import", str(EXAMPLES / "service_full.json"), "--owner", "nobody")

    assert str(error) == "There is no organisation 'nobody'. `linkwork organisation list` shows their slugs."


def test_import_needs_an_organisation_to_own_the_entries(db: None) -> None:
    error, _ = failing("import", str(EXAMPLES / "service_full.json"))

    assert "There are no organisations yet" in str(error)
