from __future__ import annotations

import pytest

from linkwork.accounts.models import Organisation
from tests.privacy.world import World, build_world


@pytest.fixture
def world(organisation: Organisation) -> World:
    return build_world(organisation)
