"""The Open Referral UK 3.0 read API at /openreferral/: public, anonymous, JSON.

Plain Django views (not django-ninja): the objects come ready-made from `hsds.py`, and every response,
errors and preflights included, must carry `Access-Control-Allow-Origin: *`. The endpoints, parameters
and response shapes follow the ORUK 3.0 OpenAPI (`info.version` "HSDS-UK-3.0"); docs/openreferral-api.md
describes them and the choices made where the specification is silent.

Only the public directory appears (see `public_selectors`): a draft, submitted, rejected or archived
entry is never listed and is 404 by id. Bad parameters get status 400 and
`{"error": {"code": "INVALID_PARAMETER", "message": ..., "fields": {name: reason}}}`. Anything else
that goes wrong is a JSON 500 with CORS headers, logged as Django logs its own 500s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from linkwork.core.errors import DomainError, NotFound
from linkwork.core.time import LONDON
from linkwork.directory import hsds, public_selectors
from linkwork.directory.geography import distance_km, locate
from linkwork.directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from linkwork.directory.query import MAX_PER_PAGE, DirectoryQuery

JSON = dict[str, Any]
View = Callable[..., HttpResponse]

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"

DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000  # far beyond any directory's last page; keeps offsets within what databases take
MINIMAL_MAX_PER_PAGE = 1000  # `minimal=true` asks for everything in one page where possible
SEARCH_LOOKAHEAD = 1000  # service_at_locations with words or a postcode: the best this many services
CACHE_SECONDS = 300

logger = logging.getLogger("django.request")

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}


class BadParameter(DomainError):
    code = "INVALID_PARAMETER"
    status = 400


# --- Responses ---------------------------------------------------------------------------------


def _json(data: Any, status: int = 200) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def _error(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> HttpResponse:
    return _json({"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def _with_cors(response: HttpResponse) -> HttpResponse:
    for header, value in CORS_HEADERS.items():
        response[header] = value
    return response


def oruk_endpoint(view: Callable[..., Any]) -> View:
    """GET (and HEAD) only; answers CORS preflights; turns domain errors into JSON; CORS on everything.

    Read-only endpoints have no form to fail validation on, so every ValidationFailed (a postcode we
    cannot place, say) is a bad parameter: 400, not 422.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif request.method not in ("GET", "HEAD"):
            response = _error(405, "METHOD_NOT_ALLOWED", "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
        else:
            try:
                result = view(request, *args, **kwargs)
                response = result if isinstance(result, HttpResponse) else _json(result)
                patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
            except NotFound as error:
                response = _error(404, error.code, error.message)
            except DomainError as error:
                status = error.status if error.status not in (400, 422) else 400
                code = error.code if status != 400 else BadParameter.code
                response = _error(status, code, error.message, error.fields)
            except Exception:
                # Logged and signalled as Django does for its own 500s (error e-mails, the test client).
                logger.error(
                    "Internal Server Error: %s", request.path, exc_info=True, extra={"request": request}
                )
                got_request_exception.send(sender=None, request=request)
                response = _error(500, "SERVER_ERROR", "Something went wrong on our side. Try again later.")
        return _with_cors(response)

    # Nothing here changes anything, so other methods get the API's own 405 rather than a CSRF page.
    return csrf_exempt(wrapper)


# --- Parameters --------------------------------------------------------------------------------


class Params:
    """The query string, read strictly: a value that cannot be understood is a 400, never ignored."""

    def __init__(self, request: HttpRequest) -> None:
        self.query = request.GET

    def _raw(self, name: str) -> str:
        return self.query.get(name, "").strip()

    @staticmethod
    def _bad(name: str, message: str) -> BadParameter:
        return BadParameter(f"{name}: {message}", fields={name: message})

    def text(self, name: str) -> str:
        return self._raw(name)

    def boolean(self, name: str) -> bool:
        raw = self._raw(name).lower()
        if raw in ("", "false", "0", "no"):
            return False
        if raw in ("true", "1", "yes"):
            return True
        raise self._bad(name, "Use true or false.")

    def whole_number(self, name: str, default: int, *, maximum: int | None = None) -> int:
        raw = self._raw(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise self._bad(name, "Use a whole number, like 1.") from None
        if value < 1:
            raise self._bad(name, "Use a whole number of 1 or more.")
        if maximum is not None and value > maximum:
            raise self._bad(name, f"Use a whole number from 1 to {maximum}.")
        return value

    def one_id(self, name: str) -> uuid.UUID | None:
        ids = self.ids(name)
        if len(ids) > 1:
            raise self._bad(name, "Give one id.")
        return ids[0] if ids else None

    def ids(self, name: str) -> tuple[uuid.UUID, ...]:
        """One id, or several separated by commas (matching any of them)."""
        raw = self._raw(name)
        if not raw:
            return ()
        try:
            return tuple(uuid.UUID(part.strip()) for part in raw.split(",") if part.strip())
        except ValueError:
            raise self._bad(name, UUID_HELP) from None

    def moment(self, name: str) -> dt.datetime | None:
        """An ISO 8601 date or date and time, in UTC. Without a time zone it is UK time (Europe/London),
        as in the staff API and the search engine; a date alone is the start of that day."""
        raw = self._raw(name)
        if not raw:
            return None
        try:
            value = dt.datetime.fromisoformat(raw.replace(" ", "+"))
            if value.tzinfo is None:
                value = value.replace(tzinfo=LONDON)
            return value.astimezone(dt.UTC)  # the first or last days of the calendar can overflow
        except (ValueError, OverflowError):
            raise self._bad(name, "Use an ISO 8601 date or time, like 2025-03-15T10:30:00Z.") from None

    def page(self) -> int:
        return self.whole_number("page", 1, maximum=MAX_PAGE)

    def per_page(self, *, cap: int = MAX_PER_PAGE, default: int = DEFAULT_PER_PAGE) -> int:
        """Asking for more than the cap gets the cap; the page's `size` says how many came."""
        return min(self.whole_number("per_page", min(default, cap)), cap)

    def json_format(self) -> None:
        raw = self._raw("format").lower()
        if raw not in ("", "json"):
            raise self._bad("format", "Only json is available.")

    def place(self) -> tuple[str, float | None]:
        """(postcode, max_km): `proximity` is in metres, as the specification says, and needs a postcode."""
        postcode = self._raw("postcode")
        proximity = self._raw("proximity")
        max_km: float | None = None
        if proximity:
            try:
                metres = float(proximity)
            except ValueError:
                raise self._bad("proximity", "Give a distance in metres, like 1500.") from None
            if not (math.isfinite(metres) and metres > 0):
                raise self._bad("proximity", "Give a distance in metres of more than 0.")
            if not postcode:
                raise self._bad("proximity", "Give a postcode to measure the distance from.")
            max_km = metres / 1000
        if postcode:
            try:
                locate(postcode)
            except DomainError as error:
                raise self._bad("postcode", error.message) from None
        return postcode, max_km


def page_json(contents: Sequence[JSON], *, total: int, page: int, per_page: int) -> JSON:
    """The ORUK/HSDS `Page`: `size` is how many items this page holds."""
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": list(contents),
    }


UUID_HELP = "Use an id in the UUID format, like 3f7b145d-84af-42d7-8fae-eaca714b02b2."


def _path_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadParameter(f"id: {UUID_HELP}", fields={"id": UUID_HELP}) from None


def _window(page: int, per_page: int) -> slice:
    return slice((page - 1) * per_page, page * per_page)


# --- Services ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _ServiceFilters:
    search: str
    taxonomy_term_ids: tuple[uuid.UUID, ...]
    taxonomy_ids: tuple[uuid.UUID, ...]
    organization_id: uuid.UUID | None
    modified_after: dt.datetime | None
    postcode: str
    max_km: float | None

    @classmethod
    def read(cls, params: Params) -> _ServiceFilters:
        postcode, max_km = params.place()
        return cls(
            search=params.text("search"),
            taxonomy_term_ids=params.ids("taxonomy_term_id"),
            taxonomy_ids=params.ids("taxonomy_id"),
            organization_id=params.one_id("organization_id"),
            modified_after=params.moment("modified_after"),
            postcode=postcode,
            max_km=max_km,
        )

    @property
    def needs_engine(self) -> bool:
        return bool(self.search or self.postcode)

    def query(self, page: int, per_page: int) -> DirectoryQuery:
        return DirectoryQuery(
            text=self.search,
            taxonomy_term_ids=self.taxonomy_term_ids,
            taxonomy_ids=self.taxonomy_ids,
            organization_id=self.organization_id,
            postcode=self.postcode,
            max_km=self.max_km,
            modified_after=self.modified_after,
            page=page,
            per_page=per_page,
        )

    def selector_filters(self) -> dict[str, Any]:
        return {
            "taxonomy_term_ids": self.taxonomy_term_ids,
            "taxonomy_ids": self.taxonomy_ids,
            "organization_id": self.organization_id,
            "modified_after": self.modified_after,
        }


def _search(query: DirectoryQuery) -> tuple[list[uuid.UUID], int]:
    from linkwork.directory.search import search_services  # the engine loads its index on first use

    results = search_services(query)
    return [hit.service_id for hit in results.hits], results.total


def _services_page(filters: _ServiceFilters, page: int, per_page: int) -> tuple[list[Service], int]:
    if filters.needs_engine:
        ids, total = _search(filters.query(page, per_page))
        found = public_selectors.public_services_by_id(ids)
        # The engine's index can lag a change by a moment: an entry archived since is left out of the
        # page and of the count, so `size` and `total_items` agree.
        return found, max(0, total - (len(ids) - len(found)))
    services = public_selectors.public_service_list(**filters.selector_filters())
    return list(services[_window(page, per_page)]), services.count()


@oruk_endpoint
def api_details(request: HttpRequest) -> JSON:
    return {"version": VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL}


@oruk_endpoint
def service_list(request: HttpRequest) -> JSON:
    params = Params(request)
    params.json_format()
    filters = _ServiceFilters.read(params)
    minimal = params.boolean("minimal")
    full = params.boolean("full") and not minimal
    page = params.page()
    if minimal:
        cap = MAX_PER_PAGE if filters.needs_engine else MINIMAL_MAX_PER_PAGE
        per_page = params.per_page(cap=cap, default=cap)
    else:
        per_page = params.per_page()
    services, total = _services_page(filters, page, per_page)
    if minimal:
        contents = [hsds.minimal_service_json(service) for service in services]
    else:
        contents = hsds.services_json(services, full=full)
    return page_json(contents, total=total, page=page, per_page=per_page)


@oruk_endpoint
def service_detail(request: HttpRequest, service_id: str) -> JSON:
    service = public_selectors.public_service_get(_path_id(service_id))
    return hsds.services_json([service], full=True)[0]


# --- Services at locations ---------------------------------------------------------------------


def _ranked_service_at_locations(filters: _ServiceFilters) -> list[ServiceAtLocation]:
    """With words or a postcode: the service-at-locations of the best-matching services, in the
    engine's order, each service's own locations nearest first."""
    ranked: list[uuid.UUID] = []
    engine_page = 1
    while len(ranked) < SEARCH_LOOKAHEAD:
        ids, total = _search(filters.query(engine_page, MAX_PER_PAGE))
        ranked += ids
        if not ids or engine_page * MAX_PER_PAGE >= total:
            break
        engine_page += 1
    ranked = ranked[:SEARCH_LOOKAHEAD]
    rank = {service_id: position for position, service_id in enumerate(ranked)}
    found = public_selectors.service_at_locations_of(ranked)
    origin = locate(filters.postcode) if filters.postcode else None

    def order(sal: ServiceAtLocation) -> tuple[int, float, str]:
        km = math.inf
        location = sal.location
        if origin and location and location.latitude is not None and location.longitude is not None:
            km = distance_km(origin.latitude, origin.longitude, location.latitude, location.longitude)
        return rank[sal.service_id] if sal.service_id else len(rank), km, str(sal.id)

    return sorted(found, key=order)


@oruk_endpoint
def service_at_location_list(request: HttpRequest) -> JSON:
    params = Params(request)
    params.json_format()
    filters = _ServiceFilters.read(params)
    full = params.boolean("full")
    page, per_page = params.page(), params.per_page()
    if filters.needs_engine:
        ranked = _ranked_service_at_locations(filters)
        chosen, total = ranked[_window(page, per_page)], len(ranked)
    else:
        found = public_selectors.public_service_at_location_list(**filters.selector_filters())
        chosen, total = list(found[_window(page, per_page)]), found.count()
    bundle = hsds.Bundle(service_at_locations=chosen, full=full)
    contents = [bundle.service_at_location_json(sal, with_service=True) for sal in chosen]
    return page_json(contents, total=total, page=page, per_page=per_page)


@oruk_endpoint
def service_at_location_detail(request: HttpRequest, service_at_location_id: str) -> JSON:
    found = public_selectors.public_service_at_location_get(_path_id(service_at_location_id))
    bundle = hsds.Bundle(service_at_locations=[found], full=True)
    return bundle.service_at_location_json(found, with_service=True)


# --- Organizations -----------------------------------------------------------------------------


def _organizations_json(
    organizations: Sequence[Organization], *, full: bool, full_services: bool
) -> list[JSON]:
    """Organisations in full, each with its public services: plain, or in full without the organisation."""
    if not full:
        return [hsds.row("organization", org) for org in organizations]
    services = list(public_selectors.public_services_of([org.id for org in organizations]))
    bundle = hsds.Bundle(
        organizations=organizations,
        services=services if full_services else (),
        full=True,
        organization_locations=True,
    )
    by_organization: dict[uuid.UUID, list[JSON]] = {}
    for service in services:
        item = (
            bundle.service_json(service, with_organization=False)
            if full_services
            else hsds.service_row(service)
        )
        by_organization.setdefault(service.organization_id or uuid.UUID(int=0), []).append(item)
    return [
        bundle.organization_json(org, full=True, services=by_organization.get(org.id, ()))
        for org in organizations
    ]


@oruk_endpoint
def organization_list(request: HttpRequest) -> JSON:
    params = Params(request)
    params.json_format()
    full_services = params.boolean("full_service")
    full = params.boolean("full") or full_services
    page, per_page = params.page(), params.per_page()
    found = public_selectors.public_organization_list(search=params.text("search"))
    chosen = list(found[_window(page, per_page)])
    contents = _organizations_json(chosen, full=full, full_services=full_services)
    return page_json(contents, total=found.count(), page=page, per_page=per_page)


@oruk_endpoint
def organization_detail(request: HttpRequest, organization_id: str) -> JSON:
    params = Params(request)
    organization = public_selectors.public_organization_get(_path_id(organization_id))
    full_services = params.boolean("full_service")
    return _organizations_json([organization], full=True, full_services=full_services)[0]


# --- Taxonomies --------------------------------------------------------------------------------
# The linkwork connector taxonomy is listed too (its terms label the connector-fact attributes of
# every service), from the database if it was stored there, else from connector_facts.


def _connector_taxonomies(search: str) -> list[Taxonomy]:
    taxonomy = hsds.connector_taxonomy()
    if public_selectors.taxonomy_get(taxonomy.id) is not None:
        return []
    if search and search.casefold() not in taxonomy.name.casefold():
        return []
    return [taxonomy]


def _connector_terms(
    search: str, taxonomy_id: uuid.UUID | None, parent_id: uuid.UUID | None
) -> list[TaxonomyTerm]:
    """The connector terms not stored in the database that match; none has a parent."""
    stored = public_selectors.taxonomy_terms_stored(list(hsds.CONNECTOR_TERMS))
    wanted = search.casefold()
    return [
        term
        for term in hsds.connector_terms()
        if term.id not in stored
        and (not wanted or wanted in term.name.casefold() or wanted == term.code.casefold())
        and (taxonomy_id is None or taxonomy_id == term.taxonomy_detail_id)
        and parent_id is None
    ]


def _merged_page(extra: Sequence[Any], stored: Any, page: int, per_page: int) -> tuple[list[Any], int]:
    """A page of `extra` (in memory) followed by `stored` (a queryset)."""
    total = len(extra) + stored.count()
    window = _window(page, per_page)
    start, stop = window.start, window.stop
    items = list(extra[start:stop])
    if len(items) < per_page:
        db_start = max(0, start - len(extra))
        items += list(stored[db_start : db_start + per_page - len(items)])
    return items, total


@oruk_endpoint
def taxonomy_list(request: HttpRequest) -> JSON:
    params = Params(request)
    params.json_format()
    search = params.text("search")
    page, per_page = params.page(), params.per_page()
    items, total = _merged_page(
        _connector_taxonomies(search), public_selectors.taxonomy_list(search=search), page, per_page
    )
    contents = [hsds.taxonomy_json(taxonomy) for taxonomy in items]
    return page_json(contents, total=total, page=page, per_page=per_page)


@oruk_endpoint
def taxonomy_detail(request: HttpRequest, taxonomy_id: str) -> JSON:
    wanted = _path_id(taxonomy_id)
    taxonomy = public_selectors.taxonomy_get(wanted)
    if taxonomy is None and wanted == hsds.connector_taxonomy().id:
        taxonomy = hsds.connector_taxonomy()
    if taxonomy is None:
        raise NotFound("There is no taxonomy with that id.")
    return hsds.taxonomy_json(taxonomy)


@oruk_endpoint
def taxonomy_term_list(request: HttpRequest) -> JSON:
    params = Params(request)
    params.json_format()
    search = params.text("search")
    taxonomy_id, parent_id = params.one_id("taxonomy_id"), params.one_id("parent_id")
    top_only = params.boolean("top_only")
    page, per_page = params.page(), params.per_page()
    stored = public_selectors.taxonomy_term_list(
        search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
    )
    extra = _connector_terms(search, taxonomy_id, parent_id)
    items, total = _merged_page(extra, stored, page, per_page)
    contents = [hsds.taxonomy_term_json(term) for term in items]
    return page_json(contents, total=total, page=page, per_page=per_page)


@oruk_endpoint
def taxonomy_term_detail(request: HttpRequest, term_id: str) -> JSON:
    wanted = _path_id(term_id)
    term = public_selectors.taxonomy_term_get(wanted) or hsds.CONNECTOR_TERMS.get(wanted)
    if term is None:
        raise NotFound("There is no taxonomy term with that id.")
    return hsds.taxonomy_term_json(term)


@oruk_endpoint
def not_found(request: HttpRequest, path: str = "") -> JSON:
    raise NotFound("There is nothing at this address. The API's endpoints are listed at /openreferral/.")
