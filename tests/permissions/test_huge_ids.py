"""Every page that takes a numeric id, asked for an id too large for the database: "not found", never a crash.

A 64-bit column cannot hold 10**20, and SQLite raises OverflowError when such a number is bound to a query.
The API already answers 404 for it (tests/security/test_schemathesis.py); this covers every web page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.permissions.conftest import World, probe
from tests.permissions.matrix import CONNECTOR, ORGANISATION_ADMIN, PAGES, SUPERVISOR, VOLUNTEER
from tests.permissions.test_permission_matrix import Pattern, url_patterns

pytestmark = pytest.mark.django_db

TOO_LARGE = str(10**20)


def numeric_pages() -> list[Pattern]:
    return [
        pattern
        for pattern in url_patterns().values()
        if pattern.name and any(f"<int:{argument}>" in pattern.route for argument in pattern.arguments)
    ]


def test_there_are_pages_with_numeric_ids_to_try() -> None:
    assert len(numeric_pages()) > 20


@pytest.mark.parametrize("pattern", numeric_pages(), ids=lambda pattern: pattern.route)
def test_a_page_asked_for_an_id_too_large_for_the_database_answers_not_found(
    world: World, pattern: Pattern
) -> None:
    rule = PAGES[pattern.route]
    kwargs = {
        argument: TOO_LARGE
        if f"<int:{argument}>" in pattern.route
        else world.ids[rule.fill.get(argument, argument)]
        for argument in pattern.arguments
    }
    url = reverse(pattern.name, kwargs=kwargs)
    for principal in (ORGANISATION_ADMIN, SUPERVISOR, CONNECTOR, VOLUNTEER):
        method = rule.method
        response = probe(world.client(principal), method, url)
        assert response.status_code < 500, f"{principal} {method} {url}: {response.status_code}"
        if method == "GET" and principal in rule.allowed:
            assert response.status_code == 404, f"{principal} {method} {url}: {response.status_code}"
