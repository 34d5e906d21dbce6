"""Every web page and API operation, requested as every principal, against the declared matrix.

A new URL pattern or API operation fails `test_every_url_pattern_has_a_declared_rule` (or the API twin)
until it is declared in tests/permissions/matrix.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from linkwork.api import api
from tests.permissions.conftest import World, probe
from tests.permissions.matrix import ALLOWED, API, DENIED, PAGES, PRINCIPALS, Rule, outcome

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA = api.get_openapi_schema()
COMPONENTS: dict[str, Any] = SCHEMA["components"]["schemas"]


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str  # namespaced, for reverse()
    arguments: tuple[str, ...]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
            yield from _walk(entry, route, inner or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            arguments = tuple(entry.pattern.regex.groupindex) or tuple(
                getattr(entry.pattern, "converters", ())
            )
            yield Pattern(route=route, name=name if entry.name else "", arguments=arguments)


def url_patterns() -> dict[str, Pattern]:
    return {pattern.route: pattern for pattern in _walk(get_resolver())}


def api_operations() -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, operations in SCHEMA["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    ]


def _as_api_path(route: str) -> str:
    # api/v1/teams/<team_id> -> /api/v1/teams/{team_id}
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def page_url(world: World, pattern: Pattern, rule: Rule) -> str:
    kwargs = {argument: world.ids[rule.fill.get(argument, argument)] for argument in pattern.arguments}
    return reverse(pattern.name, kwargs=kwargs)


def api_url(world: World, path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: world.ids[match.group(1)], path)


def example(world: World, name: str, schema: dict[str, Any]) -> Any:
    """The simplest value `schema` accepts; a field named after a fixture id gets that id."""
    if "$ref" in schema:
        return example(world, name, COMPONENTS[schema["$ref"].rsplit("/", 1)[1]])
    for combined in ("anyOf", "allOf", "oneOf"):
        if combined in schema:
            options = [option for option in schema[combined] if option.get("type") != "null"]
            return example(world, name, options[0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if name in world.ids:
        return int(world.ids[name]) if kind == "integer" else world.ids[name]
    if kind == "object":
        properties = schema.get("properties", {})
        return {field: example(world, field, properties[field]) for field in schema.get("required", [])}
    if kind == "array":
        return [example(world, name, schema["items"])] if schema.get("minItems") else []
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if name == "email" or schema.get("format") == "email":
        return "someone@example.org"
    return {"date-time": "2030-01-01T10:00:00Z", "date": "2030-01-01"}.get(
        schema.get("format", ""), "x" * max(1, schema.get("minLength", 1))
    )


def minimal_body(world: World, method: str, path: str) -> Any:
    request_body = SCHEMA["paths"][path][method.lower()].get("requestBody")
    if request_body is None:
        return None
    return example(world, "", request_body["content"]["application/json"]["schema"])


def check_every_principal(world: World, rule: Rule, url: str, body: Any = None) -> list[str]:
    wrong = []
    for principal in PRINCIPALS:
        response = probe(world.client(principal), rule.method, url, body)
        expected = ALLOWED if principal in rule.allowed else DENIED
        actual = outcome(response, signs_out=rule.signs_out)
        if actual != expected:
            wrong.append(f"{principal}: declared {expected}, got {actual} ({response.status_code})")
    return wrong


PATTERNS = url_patterns()
PAGE_PATTERNS = {route: pattern for route, pattern in PATTERNS.items() if not route.startswith(API_PREFIX)}
API_PATHS = {operation.split(" ", 1)[1] for operation in api_operations()}


def undeclared_pages(declared: dict[str, Rule]) -> list[str]:
    return sorted(set(PAGE_PATTERNS) - set(declared))


def undeclared_operations(declared: dict[str, Rule]) -> list[str]:
    return sorted(set(api_operations()) - set(declared))


def test_every_url_pattern_has_a_declared_rule() -> None:
    missing = undeclared_pages(PAGES)
    assert not missing, f"No rule in tests/permissions/matrix.py PAGES for these URL patterns: {missing}"


def test_every_api_operation_has_a_declared_rule() -> None:
    missing = undeclared_operations(API)
    assert not missing, f"No rule in tests/permissions/matrix.py API for these operations: {missing}"


def test_an_endpoint_without_a_rule_is_named() -> None:
    pages = {route: rule for route, rule in PAGES.items() if route != "people/<int:person_id>/"}
    operations = {key: rule for key, rule in API.items() if key != "GET /api/v1/people/{person_id}"}
    assert undeclared_pages(pages) == ["people/<int:person_id>/"]
    assert undeclared_operations(operations) == ["GET /api/v1/people/{person_id}"]


@pytest.mark.parametrize(
    ("status", "location", "expected"),
    [
        (200, "", ALLOWED),
        (201, "", ALLOWED),
        (302, "/people/1/", ALLOWED),
        (302, "/sign-in/?next=/people/", DENIED),
        (422, "", ALLOWED),
        (409, "", ALLOWED),
        (401, "", DENIED),
        (403, "", DENIED),
        (404, "", DENIED),
        (405, "", "unexpected status 405"),
        (500, "", "unexpected status 500"),
    ],
)
def test_outcome_reads_responses_as_the_matrix_defines(status: int, location: str, expected: str) -> None:
    response = HttpResponse(status=status)
    if location:
        response["Location"] = location
    assert outcome(response) == expected


def test_signing_out_may_end_on_the_sign_in_page() -> None:
    response = HttpResponse(status=302)
    response["Location"] = "/sign-in/"
    assert outcome(response, signs_out=True) == ALLOWED


def test_every_pattern_under_the_api_is_a_declared_operation_or_page() -> None:
    # The schema's own pages (docs, openapi.json) are URL patterns without an operation.
    stray = sorted(
        route
        for route in url_patterns()
        if route.startswith(API_PREFIX) and _as_api_path(route) not in API_PATHS and route not in PAGES
    )
    assert not stray, f"URL patterns under /api/v1/ with neither an operation nor a PAGES rule: {stray}"


def test_every_declared_rule_names_an_existing_endpoint() -> None:
    routes = url_patterns()
    stale = sorted(set(PAGES) - set(routes)) + sorted(set(API) - set(api_operations()))
    assert not stale, f"Rules in tests/permissions/matrix.py for endpoints that no longer exist: {stale}"


def test_every_page_pattern_can_be_requested() -> None:
    unnamed = sorted(route for route, pattern in PAGE_PATTERNS.items() if not pattern.name)
    assert not unnamed, f"URL patterns without a name cannot be requested by the matrix test: {unnamed}"


@pytest.mark.parametrize("route", sorted(PAGES))
def test_page_answers_each_principal_as_declared(world: World, route: str) -> None:
    pattern = PATTERNS.get(route)
    if pattern is None:
        pytest.fail(f"{route} is declared but is not a URL pattern")
    rule = PAGES[route]
    url = page_url(world, pattern, rule)
    wrong = check_every_principal(world, rule, url)
    assert not wrong, f"{rule.method} {url} ({route}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("operation", sorted(API))
def test_api_operation_answers_each_principal_as_declared(world: World, operation: str) -> None:
    rule = API[operation]
    method, path = operation.split(" ", 1)
    assert rule.method == "GET", f"{operation}: the method comes from the key; leave Rule.method alone"
    url = api_url(world, path)
    wrong = check_every_principal(world, Rule(rule.allowed, method), url, minimal_body(world, method, path))
    assert not wrong, f"{operation} ({url}):\n" + "\n".join(wrong)
