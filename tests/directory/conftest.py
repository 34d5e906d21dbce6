"""Directory editors in two organisations, and a search index that sees what each test wrote."""

from __future__ import annotations

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.directory import search
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def _fresh_search_index() -> None:
    """Each process keeps its search index for up to a second; tests write faster than that."""
    search.invalidate()


@pytest.fixture
def editor(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR], username="editor")


@pytest.fixture
def other_editor(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.DIRECTORY_EDITOR], username="other-editor")
