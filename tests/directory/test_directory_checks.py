"""The directory's deploy check: LINKWORK_DIRECTORY_OWNER must name an organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks

from linkwork.accounts.models import Organisation
from linkwork.directory.checks import directory_owner_check

pytestmark = pytest.mark.django_db


def test_it_runs_with_the_deploy_checks_only() -> None:
    assert directory_owner_check in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert directory_owner_check not in checks.registry.registry.get_checks(include_deployment_checks=False)


def test_an_owner_that_names_no_organisation_is_an_error(organisation: Organisation, settings: Any) -> None:
    settings.LINKWORK_DIRECTORY_OWNER = "no-such-organisation"
    [message] = directory_owner_check()
    assert message.id == "linkwork.E009"
    assert message.level == checks.ERROR
    assert "LINKWORK_DIRECTORY_OWNER names no organisation" in message.msg


def test_an_owner_that_names_an_organisation_passes(
    organisation: Organisation, other_organisation: Organisation, settings: Any
) -> None:
    settings.LINKWORK_DIRECTORY_OWNER = other_organisation.slug
    assert directory_owner_check() == []


def test_no_owner_with_several_organisations_warns_who_receives_suggestions(
    organisation: Organisation, other_organisation: Organisation, settings: Any
) -> None:
    settings.LINKWORK_DIRECTORY_OWNER = ""
    [message] = directory_owner_check()
    assert (message.id, message.level) == ("linkwork.W009", checks.WARNING)
    assert organisation.slug in message.msg


def test_no_owner_with_one_organisation_passes(organisation: Organisation, settings: Any) -> None:
    settings.LINKWORK_DIRECTORY_OWNER = ""
    assert directory_owner_check() == []


def test_a_database_that_cannot_be_read_gives_a_note_not_a_failure(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect")

    monkeypatch.setattr(Organisation.objects, "filter", unreachable)
    settings.LINKWORK_DIRECTORY_OWNER = "riverside"
    [message] = directory_owner_check()
    assert (message.id, message.level) == ("linkwork.I010", checks.INFO)
