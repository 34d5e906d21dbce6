"""Directory editors in two organisations, for tests that check who looks after which entries."""

from __future__ import annotations

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from tests.factories import make_staff


@pytest.fixture
def editor(organisation: Organisation) -> User:
    return make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR], username="editor")


@pytest.fixture
def other_editor(other_organisation: Organisation) -> User:
    return make_staff(organisation=other_organisation, roles=[Role.DIRECTORY_EDITOR], username="other-editor")
