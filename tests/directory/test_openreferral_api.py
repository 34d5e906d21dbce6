"""The Open Referral UK 3.0 read API at /openreferral/: shapes (validated against the ORUK 3.0 and HSDS
3.0 schemas), who appears, paging, filters, search, errors and CORS."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linkwork.accounts.models import Organisation
from linkwork.directory import connector_facts as cf
from linkwork.directory import hsds, openreferral, search
from linkwork.directory.models import (
    Attribute,
    Contact,
    EntryState,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from linkwork.directory.query import MAX_PER_PAGE
from tests.directory.factories import make_provider, make_service
from tests.directory.test_hsds_export import empty_values, hsds_errors, make_full_service, oruk_errors

pytestmark = pytest.mark.django_db

HIDDEN = [EntryState.DRAFT, EntryState.SUBMITTED, EntryState.REJECTED, EntryState.ARCHIVED]
PUBLIC = [EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE]
MANCHESTER: dict[str, Any] = {"postcode": "M1 1AE", "latitude": 53.4794, "longitude": -2.2453}


@pytest.fixture(autouse=True)
def _fresh_search_index() -> None:
    search.invalidate()


@pytest.fixture
def client() -> Client:
    return Client()


def get(client: Client, address: str, status: int = 200, **params: Any) -> Any:
    search.invalidate()  # tests write between requests; the engine's index must see it
    response = client.get(f"/openreferral{address}", params)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    return response.json()


def names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["contents"]]


def bad_request(client: Client, address: str, field: str, **params: Any) -> str:
    body = get(client, address, status=400, **params)
    assert body["error"]["code"] == "INVALID_PARAMETER"
    assert field in body["error"]["fields"], body
    message: str = body["error"]["message"]
    return message


# --- Shapes ------------------------------------------------------------------------------------


def test_the_root_reports_the_uk_profile_version(client: Client) -> None:
    details = get(client, "/")
    assert details["version"] == "HSDS-UK-3.0"
    assert details["openapi_url"].startswith("https://")
    assert oruk_errors(details, "api_details") == []


def test_every_endpoint_answers_with_objects_that_validate(
    client: Client, organisation: Organisation
) -> None:
    service = make_full_service(owner=organisation)
    make_service(owner=organisation, name="A plain one")
    sal = ServiceAtLocation.objects.get(service=service)
    term = TaxonomyTerm.objects.get(name="Crafts")
    assert term.taxonomy_detail_id is not None
    pages = {
        "/services": "service_list",
        "/services?full=true": "service_list",
        "/services?minimal=true": "service_list",
        "/services?search=knit": "service_list",
        "/service_at_locations": "service_at_location_list",
        "/service_at_locations?full=true": "service_at_location_list",
        "/service_at_locations?postcode=W10+6AB": "service_at_location_list",
        "/organizations": "organization_list",
        "/organizations?full=true": "organization_list",
        "/organizations?full_service=true": "organization_list",
        "/taxonomies": "taxonomy_list",
        "/taxonomy_terms": "taxonomy_term_list",
    }
    hsds_items = {
        "service_list": "service_list",
        "service_at_location_list": "service_at_location_list",
        "organization_list": "organization_list",
    }
    for address, schema in pages.items():
        page = get(client, address)
        assert page["contents"], address
        assert oruk_errors(page, schema) == [], address
        assert empty_values(page) == [], address
        for item in page["contents"]:
            if schema in hsds_items:
                assert hsds_errors(item, hsds_items[schema]) == [], address
    objects = {
        f"/services/{service.id}": ("service", "service"),
        f"/service_at_locations/{sal.id}": ("service_at_location", "service_at_location"),
        f"/organizations/{service.organization_id}": ("organization", "organization"),
        f"/organizations/{service.organization_id}?full_service=true": ("organization", "organization"),
        f"/taxonomies/{term.taxonomy_detail_id}": ("taxonomy", None),
        f"/taxonomy_terms/{term.id}": ("taxonomy_term", None),
    }
    for address, (oruk_schema, hsds_schema) in objects.items():
        document = get(client, address)
        assert oruk_errors(document, oruk_schema) == [], address
        if hsds_schema:
            assert hsds_errors(document, hsds_schema) == [], address
        assert empty_values(document) == [], address


def test_a_service_by_id_is_the_full_hsds_service(client: Client, organisation: Organisation) -> None:
    service = make_full_service(owner=organisation)
    document = get(client, f"/services/{service.id}")
    assert document["organization"]["name"] == "Riverside Community Trust"
    assert document["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "W10 6AB"
    step_free = str(cf.FACTS_BY_CODE["step-free"].term_id)
    assert any(a["taxonomy_term_id"] == step_free and a["value"] == "true" for a in document["attributes"])


def test_list_items_hold_one_to_one_fields_unless_full(client: Client, organisation: Organisation) -> None:
    make_full_service(owner=organisation)
    item = get(client, "/services")["contents"][0]
    assert "phones" not in item and "service_at_locations" not in item
    assert item["organization"]["name"] == "Riverside Community Trust"
    full = get(client, "/services", full="true")["contents"][0]
    assert full["phones"] and full["service_at_locations"] and full["attributes"]


def test_minimal_services_carry_the_id_and_when_they_changed(
    client: Client, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, last_modified=dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC))
    page = get(client, "/services", minimal="true")
    assert page["contents"] == [
        {
            "id": str(service.id),
            "name": service.name,
            "status": "active",
            "last_modified": "2025-03-01T09:00:00.000Z",
        }
    ]


def test_minimal_lists_come_in_one_page_where_they_can(client: Client, organisation: Organisation) -> None:
    _bulk_services(organisation, openreferral.DEFAULT_PER_PAGE + 5)
    page = get(client, "/services", minimal="true")
    assert page["size"] == page["total_items"] == openreferral.DEFAULT_PER_PAGE + 5
    assert page["last_page"] is True


def test_a_service_at_location_by_id_carries_its_location_and_service(
    client: Client, organisation: Organisation
) -> None:
    service = make_full_service(owner=organisation)
    sal = ServiceAtLocation.objects.get(service=service)
    document = get(client, f"/service_at_locations/{sal.id}")
    assert document["location"]["name"] == "Riverside Hall"
    assert document["service"]["name"] == "Knit and natter"
    assert "service_at_locations" not in document["service"]
    assert document["phones"] and document["schedules"] and document["contacts"]


def test_an_organization_by_id_lists_its_public_services(client: Client, organisation: Organisation) -> None:
    provider = make_provider(owner=organisation)
    shown = make_service(owner=organisation, provider=provider, name="Shown")
    for state in HIDDEN:
        make_service(owner=organisation, provider=provider, name=f"Hidden {state}", state=state)
    document = get(client, f"/organizations/{provider.id}")
    assert [s["name"] for s in document["services"]] == ["Shown"]
    assert document["locations"]
    assert "phones" not in document["services"][0]
    full = get(client, f"/organizations/{provider.id}", full_service="true")
    assert full["services"][0]["service_at_locations"][0]["location_id"]
    assert "organization" not in full["services"][0]
    assert full["services"][0]["id"] == str(shown.id)


# --- Who appears -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", PUBLIC)
def test_public_entries_appear_everywhere(client: Client, organisation: Organisation, state: str) -> None:
    service = make_service(owner=organisation, state=state, name="Visible")
    sal = ServiceAtLocation.objects.get(service=service)
    assert names(get(client, "/services")) == ["Visible"]
    assert get(client, f"/services/{service.id}")["name"] == "Visible"
    assert get(client, "/service_at_locations")["contents"][0]["id"] == str(sal.id)
    assert get(client, f"/organizations/{service.organization_id}")["id"] == str(service.organization_id)


@pytest.mark.parametrize("state", HIDDEN)
def test_entries_outside_the_public_directory_never_appear(
    client: Client, organisation: Organisation, state: str
) -> None:
    service = make_service(owner=organisation, state=state, name="Knitting secret")
    sal = ServiceAtLocation.objects.get(service=service)
    assert get(client, "/services")["contents"] == []
    assert get(client, "/services", search="knitting")["contents"] == []
    assert get(client, "/services", postcode="W10 6AB")["contents"] == []
    assert get(client, "/service_at_locations")["contents"] == []
    assert get(client, "/organizations")["contents"] == []
    for address in (
        f"/services/{service.id}",
        f"/service_at_locations/{sal.id}",
        f"/organizations/{service.organization_id}",
    ):
        assert get(client, address, status=404)["error"]["code"] == "NOT_FOUND"


def test_organizations_without_a_public_service_are_not_listed(
    client: Client, organisation: Organisation
) -> None:
    bare = make_provider(owner=organisation, name="Just a provider")
    assert get(client, "/organizations")["contents"] == []
    get(client, f"/organizations/{bare.id}", status=404)


def test_a_suggesters_organisation_left_behind_by_an_editor_stays_hidden(
    client: Client, organisation: Organisation
) -> None:
    typed = make_provider(owner=organisation, name="Knit club (as typed by the suggester)")
    entry = make_service(owner=organisation, provider=typed, state=EntryState.SUBMITTED, name="Knitting")
    checked = make_provider(owner=organisation, name="Riverside Knitters")
    Service.objects.filter(id=entry.id).update(organization=checked, state=EntryState.PUBLISHED)
    assert names(get(client, "/organizations")) == ["Riverside Knitters"]
    get(client, f"/organizations/{typed.id}", status=404)


def test_a_drafts_venue_stays_out_of_its_organizations_locations(
    client: Client, organisation: Organisation
) -> None:
    provider = make_provider(owner=organisation)
    make_service(owner=organisation, provider=provider, name="Shown")  # at "Hall <n>"
    draft = make_service(owner=organisation, provider=provider, name="Secret", state=EntryState.DRAFT)
    Location.objects.filter(service_at_locations__service=draft).update(name="Secret venue")
    Location.objects.create(owner=organisation, organization=provider, name="Head office")
    shared = Location.objects.create(owner=organisation, organization=provider, name="Shared hall")
    ServiceAtLocation.objects.create(service=draft, location=shared)
    ServiceAtLocation.objects.create(service=Service.objects.get(name="Shown"), location=shared)
    for document in (
        get(client, f"/organizations/{provider.id}"),
        get(client, "/organizations", full="true")["contents"][0],
        get(client, "/organizations", full_service="true")["contents"][0],
    ):
        places = {location["name"] for location in document["locations"]}
        assert len(places) == 3 and {"Head office", "Shared hall"} < places  # and the public hall
        assert "Secret venue" not in places


def test_an_unknown_id_is_not_found(client: Client, db: None) -> None:
    for kind in ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"):
        body = get(client, f"/{kind}/{uuid.uuid4()}", status=404)
        assert body["error"]["code"] == "NOT_FOUND"


# --- Pages -------------------------------------------------------------------------------------


def _bulk_services(owner: Organisation, count: int) -> list[Service]:
    provider = make_provider(owner=owner)
    return Service.objects.bulk_create(
        Service(owner=owner, organization=provider, state=EntryState.PUBLISHED, name=f"Service {n:04d}")
        for n in range(count)
    )


def test_lists_are_paginated(client: Client, organisation: Organisation) -> None:
    _bulk_services(organisation, 5)
    page = get(client, "/services", page=2, per_page=2)
    assert {k: v for k, v in page.items() if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 2,
        "size": 2,
        "first_page": False,
        "last_page": False,
        "empty": False,
    }
    assert names(page) == ["Service 0002", "Service 0003"]
    last = get(client, "/services", page=3, per_page=2)
    assert (last["size"], last["last_page"], names(last)) == (1, True, ["Service 0004"])
    beyond = get(client, "/services", page=9, per_page=2)
    assert (beyond["contents"], beyond["empty"], beyond["last_page"]) == ([], True, True)


def test_an_empty_list_is_one_empty_page(client: Client, db: None) -> None:
    page = get(client, "/services")
    assert (page["total_items"], page["total_pages"], page["empty"], page["first_page"]) == (0, 1, True, True)


def test_pages_larger_than_the_limit_are_capped(client: Client, organisation: Organisation) -> None:
    _bulk_services(organisation, MAX_PER_PAGE + 1)
    page = get(client, "/services", per_page=1000)
    assert page["size"] == MAX_PER_PAGE
    assert page["total_pages"] == 2


@pytest.mark.parametrize(
    ("param", "value"),
    [("page", "0"), ("page", "-1"), ("page", "two"), ("per_page", "0"), ("per_page", "1.5")],
)
def test_bad_page_numbers_are_refused(client: Client, db: None, param: str, value: str) -> None:
    for address in ("/services", "/service_at_locations", "/organizations", "/taxonomies", "/taxonomy_terms"):
        bad_request(client, address, param, **{param: value})


# --- Filters and search ------------------------------------------------------------------------


def _categorised(service: Service, term: TaxonomyTerm) -> None:
    Attribute.objects.create(link_id=service.id, taxonomy_term=term, link_entity="service")


def test_services_filter_by_term_taxonomy_organization_and_date(
    client: Client, organisation: Organisation
) -> None:
    activities = Taxonomy.objects.create(name="Activities", description="")
    needs = Taxonomy.objects.create(name="Needs", description="")
    crafts = TaxonomyTerm.objects.create(name="Crafts", description="", taxonomy_detail=activities)
    walking = TaxonomyTerm.objects.create(name="Walking", description="", taxonomy_detail=activities)
    lonely = TaxonomyTerm.objects.create(name="Loneliness", description="", taxonomy_detail=needs)
    provider = make_provider(owner=organisation)
    old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    knit = make_service(owner=organisation, name="Knit", provider=provider, last_modified=old)
    walk = make_service(
        owner=organisation, name="Walk", last_modified=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
    )
    chat = make_service(owner=organisation, name="Chat", provider=provider, last_modified=old)
    _categorised(knit, crafts)
    _categorised(walk, walking)
    _categorised(chat, lonely)
    assert names(get(client, "/services", taxonomy_term_id=str(crafts.id))) == ["Knit"]
    assert names(get(client, "/services", taxonomy_term_id=f"{crafts.id},{walking.id}")) == ["Knit", "Walk"]
    assert names(get(client, "/services", taxonomy_id=str(activities.id))) == ["Knit", "Walk"]
    assert names(get(client, "/services", organization_id=str(provider.id))) == ["Chat", "Knit"]
    assert names(get(client, "/services", organization_id=str(provider.id), taxonomy_id=str(needs.id))) == [
        "Chat"
    ]
    assert names(get(client, "/services", modified_after="2025-06-01T12:00:00Z")) == ["Walk"]  # on or after
    assert names(get(client, "/services", modified_after="2025-06-01T12:00:01+00:00")) == []
    assert names(get(client, "/services", modified_after="2025-01-01")) == ["Walk"]
    sal_page = get(
        client, "/service_at_locations", taxonomy_id=str(activities.id), organization_id=str(provider.id)
    )
    assert [item["service"]["name"] for item in sal_page["contents"]] == ["Knit"]


@pytest.mark.parametrize("words", ["", "walk"])  # the database, and the search engine
def test_modified_after_is_on_or_after_and_a_time_without_a_zone_is_uk_time(
    client: Client, organisation: Organisation, words: str
) -> None:
    make_service(owner=organisation, name="Walk", last_modified=dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC))
    midnight_in_london = dt.datetime(2025, 5, 31, 23, tzinfo=dt.UTC)
    make_service(owner=organisation, name="Walk early", last_modified=midnight_in_london)
    # In June London is an hour ahead of UTC (British Summer Time): 12:00 UTC is 13:00 there.
    for moment, expected in (
        ("2025-06-01T12:00:00Z", ["Walk"]),
        ("2025-06-01T13:00:00+01:00", ["Walk"]),
        ("2025-06-01T13:00:00", ["Walk"]),
        ("2025-06-01T13:00:01", []),
        ("2025-06-01", ["Walk", "Walk early"]),
        ("2025-06-01T00:00:01", ["Walk"]),
    ):
        assert names(get(client, "/services", search=words, modified_after=moment)) == expected, moment


def test_search_finds_services_by_their_words(client: Client, organisation: Organisation) -> None:
    make_service(owner=organisation, name="Knitting and natter")
    make_service(owner=organisation, name="Walking football")
    page = get(client, "/services", search="knit")
    assert names(page) == ["Knitting and natter"]
    assert page["total_items"] == 1


def test_postcode_and_proximity_in_metres_find_services_nearby(
    client: Client, organisation: Organisation
) -> None:
    make_service(owner=organisation, name="Near")
    make_service(owner=organisation, name="Far", **MANCHESTER)
    assert names(get(client, "/services", postcode="M1 1AE")) == ["Far", "Near"]  # nearest first
    assert names(get(client, "/services", postcode="W10 6AB", proximity="2000")) == ["Near"]
    assert names(get(client, "/services", postcode="W10 6AB", proximity="300000")) == ["Near", "Far"]
    sal_page = get(client, "/service_at_locations", postcode="W10 6AB", proximity="2000")
    assert [item["service"]["name"] for item in sal_page["contents"]] == ["Near"]


def test_service_at_locations_near_a_postcode_come_nearest_first(
    client: Client, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, name="Two halls", **MANCHESTER)
    near = Location.objects.create(owner=organisation, name="Near hall", latitude=51.5165, longitude=-0.2203)
    ServiceAtLocation.objects.create(service=service, location=near)
    make_service(owner=organisation, name="Middle", latitude=52.0, longitude=-1.0)
    page = get(client, "/service_at_locations", postcode="W10 6AB")
    places = [(item["service"]["name"], item["location"]["name"]) for item in page["contents"]]
    assert places[0] == ("Two halls", "Near hall")
    assert places[1][0] == "Two halls"
    assert places[2][0] == "Middle"
    assert page["total_items"] == 3


def test_an_entry_archived_since_the_search_index_was_built_is_left_out(
    client: Client, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_service(owner=organisation, name="Knit one")
    gone = make_service(owner=organisation, name="Knit two")
    monkeypatch.setattr(search, "CHECK_INTERVAL_SECONDS", 3600.0)
    assert get(client, "/services", search="knit")["total_items"] == 2  # builds the index
    Service.objects.filter(id=gone.id).update(state=EntryState.ARCHIVED)  # unseen by the index
    for address in ("/services", "/service_at_locations"):
        for params in ({"search": "knit"}, {"postcode": "W10 6AB"}):
            response = client.get(f"/openreferral{address}", params)
            page = response.json()
            shown = [item.get("name") or item["service"]["name"] for item in page["contents"]]
            assert shown == ["Knit one"], (address, params)
            assert (page["total_items"], page["size"]) == (1, 1), (address, params)


def test_search_results_are_paginated(client: Client, organisation: Organisation) -> None:
    for n in range(3):
        make_service(owner=organisation, name=f"Knit group {n}")
    page = get(client, "/services", search="knit", per_page=2, page=2)
    assert (page["total_items"], page["total_pages"], page["size"]) == (3, 2, 1)


@pytest.mark.parametrize(
    ("address", "params", "field"),
    [
        ("/services", {"taxonomy_term_id": "crafts"}, "taxonomy_term_id"),
        ("/services", {"taxonomy_id": "1234"}, "taxonomy_id"),
        ("/services", {"organization_id": "nope"}, "organization_id"),
        ("/services", {"organization_id": f"{uuid.uuid4()},{uuid.uuid4()}"}, "organization_id"),
        ("/services", {"modified_after": "last week"}, "modified_after"),
        ("/services", {"full": "maybe"}, "full"),
        ("/services", {"minimal": "2"}, "minimal"),
        ("/services", {"format": "xml"}, "format"),
        ("/services", {"postcode": "NOT A POSTCODE"}, "postcode"),
        ("/services", {"postcode": "ZZ99 9ZZ"}, "postcode"),
        ("/services", {"proximity": "1000"}, "proximity"),
        ("/services", {"postcode": "W10 6AB", "proximity": "near"}, "proximity"),
        ("/services", {"postcode": "W10 6AB", "proximity": "-5"}, "proximity"),
        ("/service_at_locations", {"postcode": "12345"}, "postcode"),
        ("/organizations", {"full_service": "yes please"}, "full_service"),
        ("/taxonomy_terms", {"parent_id": "top"}, "parent_id"),
        ("/taxonomy_terms", {"top_only": "perhaps"}, "top_only"),
        ("/services/not-an-id", {}, "id"),
        ("/service_at_locations/42", {}, "id"),
        ("/organizations/x", {}, "id"),
        ("/taxonomies/x", {}, "id"),
        ("/taxonomy_terms/x", {}, "id"),
    ],
)
def test_bad_parameters_get_a_clear_400(
    client: Client, db: None, address: str, params: dict[str, str], field: str
) -> None:
    message = bad_request(client, address, field, **params)
    assert message.startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "9999999999999999999"}, "page"),
        ({"page": str(openreferral.MAX_PAGE + 1)}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"modified_after": "9999-12-31T23:59:59-23:59"}, "modified_after"),
        ({"modified_after": "0001-01-01T00:00:00+01:00"}, "modified_after"),
    ],
)
def test_numbers_and_times_out_of_range_get_a_400_not_a_crash(
    client: Client, organisation: Organisation, params: dict[str, str], field: str
) -> None:
    make_service(owner=organisation, name="Knit")
    for address in ("/services", "/service_at_locations"):
        bad_request(client, address, field, **params)
        bad_request(client, address, field, search="knit", **params)
    if field == "page":
        for address in ("/organizations", "/taxonomies", "/taxonomy_terms"):
            bad_request(client, address, field, **params)


def test_the_last_allowed_page_is_an_empty_page(client: Client, organisation: Organisation) -> None:
    make_service(owner=organisation, name="Knit")
    page = get(client, "/services", page=str(openreferral.MAX_PAGE), per_page="100")
    assert (page["total_items"], page["empty"], page["last_page"]) == (1, True, True)
    assert get(client, "/services", per_page="9999999999999999999")["size"] == 1  # capped at 100


def test_an_unexpected_error_is_json_with_cors(
    organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_service(owner=organisation)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(hsds, "services_json", broken)
    response = Client(raise_request_exception=False).get("/openreferral/services")
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"]["code"] == "SERVER_ERROR"
    assert "a bug" not in response.content.decode()


# --- Taxonomies --------------------------------------------------------------------------------


def test_taxonomies_include_the_linkwork_connector_taxonomy(client: Client, db: None) -> None:
    Taxonomy.objects.create(name="Activities", description="What people do.")
    page = get(client, "/taxonomies")
    assert [t["name"] for t in page["contents"]] == [cf.TAXONOMY_NAME, "Activities"]
    assert page["total_items"] == 2
    second = get(client, "/taxonomies", per_page=1, page=2)
    assert [t["name"] for t in second["contents"]] == ["Activities"]
    assert get(client, f"/taxonomies/{cf.TAXONOMY_ID}")["name"] == cf.TAXONOMY_NAME
    assert names(get(client, "/taxonomies", search="activ")) == ["Activities"]


def test_taxonomy_terms_filter_by_taxonomy_parent_and_top(client: Client, db: None) -> None:
    activities = Taxonomy.objects.create(name="Activities", description="")
    crafts = TaxonomyTerm.objects.create(name="Crafts", description="", taxonomy_detail=activities)
    TaxonomyTerm.objects.create(name="Knitting", description="", taxonomy_detail=activities, parent=crafts)
    assert names(get(client, "/taxonomy_terms", taxonomy_id=str(activities.id))) == ["Crafts", "Knitting"]
    assert names(get(client, "/taxonomy_terms", parent_id=str(crafts.id))) == ["Knitting"]
    top = names(get(client, "/taxonomy_terms", top_only="true", per_page=100))
    assert "Crafts" in top and "Knitting" not in top
    connector = names(get(client, "/taxonomy_terms", taxonomy_id=str(cf.TAXONOMY_ID), per_page=100))
    assert len(connector) == len(cf.FACTS) + 1
    fact = cf.FACTS_BY_CODE["step-free"]
    term = get(client, f"/taxonomy_terms/{fact.term_id}")
    assert (term["code"], term["taxonomy_id"]) == ("step-free", str(cf.TAXONOMY_ID))
    assert term["taxonomy_detail"]["name"] == cf.TAXONOMY_NAME


# --- CORS, methods, speed ----------------------------------------------------------------------


def test_every_response_allows_any_origin(client: Client, db: None) -> None:
    for address, status in (
        ("/openreferral/", 200),
        ("/openreferral/services", 200),
        (f"/openreferral/services/{uuid.uuid4()}", 404),
        ("/openreferral/services?page=0", 400),
        ("/openreferral/no-such-endpoint", 404),
        ("/openreferral/services/", 200),
        ("/openreferral/services/extra/parts", 404),
    ):
        response = client.get(address)
        assert response.status_code == status, address
        assert response["Access-Control-Allow-Origin"] == "*", address
        assert response.json(), address


def test_preflight_requests_are_answered(client: Client, db: None) -> None:
    response = client.options(
        "/openreferral/services",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_the_api_is_read_only(organisation: Organisation) -> None:
    service = make_service(owner=organisation)
    client = Client(enforce_csrf_checks=True)
    for method in (client.post, client.put, client.delete):
        response = method(f"/openreferral/services/{service.id}")
        assert response.status_code == 405
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert Service.objects.filter(id=service.id).exists()


def test_responses_may_be_cached_by_anyone_for_a_while(client: Client, db: None) -> None:
    response = client.get("/openreferral/services")
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]


def _decorate(services: list[Service]) -> None:
    for service in services:
        location = Location.objects.get(service_at_locations__service=service)
        contact = Contact.objects.create(service=service, name="Ann")
        Phone.objects.create(service=service, contact=contact, location=location, number="020 7946 0000")
        Attribute.objects.create(link_id=service.id, taxonomy_term_id=uuid.uuid4(), value="x")


def test_fifty_full_services_take_a_fixed_number_of_queries(
    client: Client, organisation: Organisation, django_assert_max_num_queries: Any
) -> None:
    def queries(count: int) -> int:
        Service.objects.all().delete()
        services = [make_service(owner=organisation, step_free=True) for _ in range(count)]
        _decorate(services)
        with CaptureQueriesContext(connection) as captured:
            page = get(client, "/services", full="true", per_page=count)
        assert page["size"] == count
        assert all(item["phones"] and item["contacts"] for item in page["contents"])
        return len(captured.captured_queries)

    assert queries(5) == queries(50)
    with django_assert_max_num_queries(30):
        get(client, "/services", full="true", per_page=50)
    with django_assert_max_num_queries(30):
        get(client, "/service_at_locations", full="true", per_page=50)
    with django_assert_max_num_queries(30):
        get(client, "/organizations", full_service="true", per_page=50)


def test_organizations_are_found_by_name(client: Client, organisation: Organisation) -> None:
    for name in ("Riverside Trust", "Hilltop Club"):
        make_service(owner=organisation, provider=make_provider(owner=organisation, name=name))
    assert names(get(client, "/organizations", search="river")) == ["Riverside Trust"]
