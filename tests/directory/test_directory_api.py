"""The staff directory API: search with editorial fields, one entry, the work queue, the lifecycle
actions, and who may do what (404 for what you cannot see, 403 for what you may not do, 409 for a
move the lifecycle does not allow, 422 for bad input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.core.time import now
from linkwork.directory import search, selectors, services
from linkwork.directory.models import (
    Address,
    Attribute,
    ClaimStatus,
    Closure,
    EntryState,
    ListingClaim,
    ProblemKind,
    ProblemReport,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    Verification,
)
from tests.conftest import signed_in
from tests.directory.factories import make_service
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/v1/directory"


def get(client: Client, path: str, **params: Any) -> Any:
    search.invalidate()
    return client.get(f"{BASE}{path}", params)


def post(client: Client, path: str, data: Any = None) -> Any:
    return client.post(f"{BASE}{path}", data if data is not None else {}, content_type=JSON)


def item_names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# --- Search -----------------------------------------------------------------------------------


def test_staff_search_has_the_public_filters_and_editorial_fields(
    connector: User, organisation: Organisation
) -> None:
    service = make_service(
        owner=organisation, name="Knit and natter", step_free=True, source="hsds import", cost_band="free"
    )
    make_service(owner=organisation, name="Chess club", step_free=False)
    client = signed_in(connector)

    response = get(client, "/services", q="knit", postcode="W10 6AB", max_km=5, step_free="true", free="true")
    assert item_names(response) == ["Knit and natter"]
    body = response.json()
    assert (body["total"], body["page"], body["per_page"], body["total_pages"]) == (1, 1, 20, 1)
    assert body["place"]["key"] == "W10 6"
    item = body["items"][0]
    assert item["id"] == str(service.pk)
    assert item["state"] == "published" and item["source"] == "hsds import"
    assert item["owner"] == {"id": organisation.pk, "name": organisation.name}
    assert service.review_due_on is not None
    assert item["review_due_on"] == service.review_due_on.isoformat()
    assert item["when"] == ["Tuesdays, 10am to 12pm"]
    assert item["postcode"] == "W10 6AB"
    assert item["distance_km"] is not None and item["journey"]["walk_minutes"] >= 1
    assert item["score"] > 0 and item["in_service_area"] is False


def test_search_filters_by_category_day_and_page(connector: User, organisation: Organisation) -> None:
    art = make_service(owner=organisation, name="Art class", weekday="MO")
    make_service(owner=organisation, name="Choir", weekday="TU")
    make_service(owner=organisation, name="Book club", weekday="TU")
    term = TaxonomyTerm.objects.create(name="Arts")
    Attribute.objects.create(link_id=art.pk, taxonomy_term=term)
    client = signed_in(connector)

    assert item_names(get(client, "/services", taxonomy_term_id=[str(term.pk)])) == ["Art class"]
    music = TaxonomyTerm.objects.create(name="Music")
    Attribute.objects.create(link_id=Service.objects.get(name="Choir").pk, taxonomy_term=music)
    both = get(client, "/services", taxonomy_term_id=[str(term.pk), str(music.pk)])
    assert item_names(both) == ["Art class", "Choir"]
    assert item_names(get(client, "/services", day=1)) == ["Book club", "Choir"]
    assert item_names(get(client, "/services", per_page=1, page=2)) == ["Book club"]


def test_search_input_errors_are_422(connector: User, organisation: Organisation) -> None:
    make_service(owner=organisation)
    client = signed_in(connector)
    for params, field in (
        ({"postcode": "nonsense"}, "postcode"),
        ({"day": 9}, "day"),
        ({"page": 0}, "page"),
        ({"max_km": -1}, "max_km"),
        ({"state": "secret"}, "state"),
    ):
        response = get(client, "/services", **params)
        assert response.status_code == 422, params
        assert field in response.json()["error"]["fields"], response.json()


def test_only_editors_search_entries_that_are_not_public(
    connector: User,
    editor: User,
    other_editor: User,
    organisation: Organisation,
    other_organisation: Organisation,
) -> None:
    make_service(owner=organisation, name="Our draft", state=EntryState.DRAFT)
    make_service(owner=organisation, name="Published", state=EntryState.PUBLISHED)
    make_service(owner=other_organisation, name="Their draft", state=EntryState.DRAFT)

    assert item_names(get(signed_in(connector), "/services")) == ["Published"]
    refused = get(signed_in(connector), "/services", state="draft")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "PERMISSION_DENIED"

    assert item_names(get(signed_in(editor), "/services", state="draft")) == ["Our draft"]
    assert item_names(get(signed_in(editor), "/services", state=["draft", "published"])) == [
        "Our draft",
        "Published",
    ]
    assert item_names(get(signed_in(other_editor), "/services", state="draft")) == ["Their draft"]
    theirs = get(signed_in(editor), "/services", state="draft", owner_id=other_editor.organisation_id)
    assert item_names(theirs) == []


def test_owner_filter(editor: User, organisation: Organisation, other_organisation: Organisation) -> None:
    make_service(owner=organisation, name="Ours")
    make_service(owner=other_organisation, name="Theirs")
    assert item_names(get(signed_in(editor), "/services", owner_id=organisation.pk)) == ["Ours"]


def test_the_openapi_schema_lists_the_directory_endpoints(db: None, client: Client) -> None:
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    assert {
        f"{BASE}/services",
        f"{BASE}/services/{{service_id}}",
        f"{BASE}/services/{{service_id}}/publish",
        f"{BASE}/work-queue",
    } <= paths


def test_the_api_needs_a_signed_in_member_of_staff(organisation: Organisation) -> None:
    make_service(owner=organisation)
    response = Client().get(f"{BASE}/services")
    assert response.status_code == 401


# --- One entry --------------------------------------------------------------------------------


def test_an_entry_in_full(editor: User, organisation: Organisation) -> None:
    service = make_service(
        owner=organisation,
        name="Walk and talk",
        newcomers_met=True,
        group_size="small",
        first_visit="Sam meets you at the gate.",
    )
    Closure.objects.create(service=service, starts_on=dt.date(2099, 8, 1), ends_on=dt.date(2099, 8, 31))
    services.entry_verify(actor=editor, service=service, method="phone", note="Rang Sam")

    response = get(signed_in(editor), f"/services/{service.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Walk and talk" and body["state"] == "published"
    facts = {fact["code"]: (fact["value"], fact["label"]) for fact in body["facts"]}
    assert facts["newcomers-met"] == ("true", "Yes")
    assert facts["group-size"] == ("small", "Small group (under 8)")
    assert facts["first-visit"][0] == "Sam meets you at the gate."
    assert [schedule["when"] for schedule in body["schedules"]] == ["Tuesdays, 10am to 12pm"]
    assert body["closures"] == ["Closed 1 August 2099 to 31 August 2099"]
    location = body["locations"][0]
    assert location["latitude"] == pytest.approx(51.5215)
    assert location["addresses"][0]["postal_code"] == "W10 6AB"
    assert body["verification_method"] == "phone"
    assert [(check["method"], check["note"]) for check in body["verifications"]] == [("phone", "Rang Sam")]
    assert set(body["actions"]) == {"verify", "archive"}


def test_others_see_a_public_entry_without_its_checks_or_actions(
    connector: User, other_editor: User, organisation: Organisation
) -> None:
    service = make_service(owner=organisation)
    for user in (connector, other_editor):
        body = get(signed_in(user), f"/services/{service.pk}").json()
        assert body["verifications"] is None
        assert body["actions"] == []


def test_an_entry_you_cannot_see_is_404(
    connector: User, other_editor: User, organisation: Organisation
) -> None:
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    for user in (connector, other_editor):
        assert get(signed_in(user), f"/services/{draft.pk}").status_code == 404
    assert get(signed_in(connector), "/services/not-a-uuid").status_code == 404


# --- Lifecycle --------------------------------------------------------------------------------


def test_an_editor_takes_a_draft_through_its_life(editor: User, organisation: Organisation) -> None:
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    client = signed_in(editor)

    submitted = post(client, f"/services/{draft.pk}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "submitted"
    rejected = post(client, f"/services/{draft.pk}/reject", {"reason": "No contact details."})
    assert (rejected.json()["state"], rejected.json()["rejection_reason"]) == (
        "rejected",
        "No contact details.",
    )
    assert post(client, f"/services/{draft.pk}/reopen").json()["state"] == "draft"
    published = post(client, f"/services/{draft.pk}/publish", {"method": "visit", "note": "Went along"})
    assert published.json()["state"] == "published"
    assert published.json()["verification_method"] == "visit"
    verified = post(client, f"/services/{draft.pk}/verify", {"method": "email"})
    assert verified.json()["verification_method"] == "email"
    assert post(client, f"/services/{draft.pk}/archive").json()["state"] == "archived"
    assert Verification.objects.filter(service=draft).count() == 2


def test_a_move_the_lifecycle_does_not_allow_is_409(editor: User, organisation: Organisation) -> None:
    published = make_service(owner=organisation)
    response = post(signed_in(editor), f"/services/{published.pk}/reject", {"reason": "Too late"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DIRECTORY_ENTRY_INVALID_TRANSITION"
    published.refresh_from_db()
    assert published.state == EntryState.PUBLISHED


def test_reject_needs_a_reason_and_checks_need_a_method(editor: User, organisation: Organisation) -> None:
    submitted = make_service(owner=organisation, state=EntryState.SUBMITTED)
    client = signed_in(editor)
    assert post(client, f"/services/{submitted.pk}/reject", {}).status_code == 422
    blank = post(client, f"/services/{submitted.pk}/reject", {"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.json()["error"]["fields"]
    no_method = post(client, f"/services/{submitted.pk}/publish", {"method": "telepathy"})
    assert no_method.status_code == 422 and "method" in no_method.json()["error"]["fields"]
    submitted.refresh_from_db()
    assert submitted.state == EntryState.SUBMITTED


def test_a_connector_can_search_but_cannot_publish_or_change_entries(
    connector: User, organisation: Organisation
) -> None:
    submitted = make_service(owner=organisation, state=EntryState.SUBMITTED)
    published = make_service(owner=organisation, name="Published")
    client = signed_in(connector)
    assert item_names(get(client, "/services")) == ["Published"]
    # A submission is not public: it is not there at all for a connector.
    assert post(client, f"/services/{submitted.pk}/publish", {"method": "phone"}).status_code == 404
    # A public entry they can read, but not change.
    assert post(client, f"/services/{published.pk}/archive").status_code == 403
    assert post(client, f"/services/{published.pk}/verify", {"method": "phone"}).status_code == 403
    published.refresh_from_db()
    assert published.state == EntryState.PUBLISHED


def test_an_editor_of_another_organisation_cannot_act_on_your_entries(
    other_editor: User, organisation: Organisation
) -> None:
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    published = make_service(owner=organisation)
    client = signed_in(other_editor)
    assert post(client, f"/services/{draft.pk}/submit").status_code == 404
    assert post(client, f"/services/{published.pk}/archive").status_code == 403
    assert post(client, f"/services/{published.pk}/verify", {"method": "phone"}).status_code == 403


# --- The work queue ---------------------------------------------------------------------------


def test_the_work_queue_lists_what_waits_for_your_editors(
    editor: User, organisation: Organisation, other_organisation: Organisation
) -> None:
    suggestion = make_service(owner=organisation, name="Suggested", state=EntryState.SUBMITTED)
    make_service(owner=other_organisation, name="Their suggestion", state=EntryState.SUBMITTED)
    published = make_service(owner=organisation, name="Checked long ago", state=EntryState.REVIEW_DUE)
    make_service(owner=organisation, name="Forgotten", state=EntryState.STALE)
    make_service(owner=organisation, name="Fine", review_due_on=dt.date(2099, 1, 1))
    ProblemReport.objects.create(
        service=published, kind=ProblemKind.CONTACT_WRONG, details="Number rings out", reported_at=now()
    )
    ProblemReport.objects.create(
        service=published, kind=ProblemKind.OTHER, reported_at=now(), status="resolved"
    )
    ListingClaim.objects.create(
        service=published,
        claimant_name="Ann Provider",
        claimant_email="ann@example.org",
        claimant_role="Coordinator",
        claimed_at=now(),
    )
    ListingClaim.objects.create(
        service=published,
        claimant_name="Old claim",
        claimant_email="old@example.org",
        claimant_role="Chair",
        claimed_at=now(),
        status=ClaimStatus.REJECTED,
    )

    response = get(signed_in(editor), "/work-queue")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {
        "submissions": 1,
        "problem_reports": 1,
        "claims": 1,
        "review_due": 1,
        "stale": 1,
        "total": 5,
    }
    assert [entry["id"] for entry in body["submissions"]] == [str(suggestion.pk)]
    assert [entry["name"] for entry in body["review_due"]] == ["Checked long ago"]
    assert [entry["name"] for entry in body["stale"]] == ["Forgotten"]
    assert body["problem_reports"][0]["details"] == "Number rings out"
    assert body["claims"][0]["claimant_name"] == "Ann Provider"


def test_entries_due_for_review_soon_are_in_the_queue(editor: User, organisation: Organisation) -> None:
    soon = make_service(owner=organisation, name="Due soon")
    Service.objects.filter(pk=soon.pk).update(review_due_on=dt.date.today() + dt.timedelta(days=3))  # noqa: DTZ011
    queue = selectors.work_queue(editor)
    assert [service.name for service in queue.review_due] == ["Due soon"]


def test_only_directory_editors_have_a_work_queue(
    connector: User, organisation: Organisation, admin: User
) -> None:
    for user in (connector, admin):
        response = get(signed_in(user), "/work-queue")
        assert response.status_code == 403


# --- Selectors for result pages -----------------------------------------------------------------


def test_a_page_of_entries_loads_in_a_fixed_number_of_queries(
    organisation: Organisation, django_assert_max_num_queries: Any
) -> None:
    ids = [make_service(owner=organisation).pk for _ in range(6)]
    with django_assert_max_num_queries(7):
        found = selectors.services_by_ids(ids)
        for service in found.values():
            assert service.organization is not None and service.owner.name
            for link in service.service_at_locations.all():
                assert [address.postal_code for address in link.location.addresses.all()] == ["W10 6AB"]
            assert len(service.schedules.all()) == 1
            list(service.closures.all())
            list(service.cost_options.all())
    assert set(found) == set(ids)


def test_entries_that_left_the_public_directory_are_not_loaded_for_a_public_page(
    organisation: Organisation,
) -> None:
    public = make_service(owner=organisation)
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    assert set(selectors.services_by_ids([public.pk, draft.pk])) == {public.pk}
    assert set(selectors.services_by_ids([public.pk, draft.pk], states=None)) == {public.pk, draft.pk}


def test_filter_categories_are_those_of_public_entries_without_connector_facts(
    organisation: Organisation,
) -> None:
    from linkwork.directory import connector_facts

    public = make_service(owner=organisation)
    draft = make_service(owner=organisation, state=EntryState.DRAFT)
    arts = TaxonomyTerm.objects.create(name="Arts")
    hidden = TaxonomyTerm.objects.create(name="Only on a draft")
    fact = connector_facts.FACTS_BY_CODE["step-free"]
    step_free = TaxonomyTerm.objects.create(id=fact.term_id, name=fact.name)
    unused = TaxonomyTerm.objects.create(name="Unused")
    Attribute.objects.create(link_id=public.pk, taxonomy_term=arts)
    Attribute.objects.create(link_id=public.pk, taxonomy_term=step_free, value="true")
    Attribute.objects.create(link_id=draft.pk, taxonomy_term=hidden)

    assert [term.name for term in selectors.taxonomy_terms_for_filters()] == ["Arts"]
    assert unused.name == "Unused"


def test_a_member_of_staff_without_an_organisation_cannot_search(db: None) -> None:
    from linkwork.core.errors import PermissionDenied
    from linkwork.directory.query import DirectoryQuery

    user = User.objects.create_user(username="loose", password="a-long-test-password")
    with pytest.raises(PermissionDenied):
        selectors.services_for_staff(user, DirectoryQuery())
    roles = make_staff(organisation=Organisation.objects.create(name="X", slug="x"), roles=[Role.VOLUNTEER])
    assert selectors.services_for_staff(roles, DirectoryQuery()).total == 0


def test_staff_entry_get_prefetches_everything_the_detail_shows(
    connector: User, organisation: Organisation, django_assert_max_num_queries: Any
) -> None:
    from linkwork.directory import page_selectors

    service = make_service(owner=organisation)
    Address.objects.create(location=service.service_at_locations.get().location, postal_code="W10 6XX")
    ServiceAtLocation.objects.create(service=service)  # a link to a location we were not given
    Schedule.objects.create(service=service, freq="WEEKLY", byday="FR")
    client = signed_in(connector)
    with django_assert_max_num_queries(18):
        found = page_selectors.staff_entry_get(actor=connector, service_id=service.pk)
        assert len(found.schedules.all()) == 2
        for link in found.service_at_locations.all():
            if link.location is not None:
                assert len(link.location.addresses.all()) == 2
    with django_assert_max_num_queries(24):
        assert get(client, f"/services/{service.pk}").status_code == 200


class TestPersonalDetailsInTheApi:
    @pytest.fixture
    def suggested(self, organisation: Organisation) -> Service:
        service = services.service_suggest(
            details={
                "name": "Knit and natter",
                "description": "Bring your knitting.",
                "organization_name": "St Anne's Church",
                "where": "St Anne's hall",
                "submitted_by_name": "Pat Jones",
                "submitted_by_email": "pat@example.org",
            },
            ip_address="10.0.0.1",
        )
        Service.objects.filter(pk=service.pk).update(
            state=EntryState.PUBLISHED,
            provider_contact_name="Sam Okafor",
            provider_contact_email="s@example.org",
        )
        return service

    def test_the_owners_editor_gets_them_under_for_editors(self, editor: User, suggested: Service) -> None:
        body = get(signed_in(editor), f"/services/{suggested.pk}").json()

        assert body["for_editors"] == {
            "submitted_by_name": "Pat Jones",
            "submitted_by_email": "pat@example.org",
            "suggestion_details": "Where: St Anne's hall",
            "provider_contact_name": "Sam Okafor",
            "provider_contact_email": "s@example.org",
        }
        assert body["source_recorded_by"] == "public suggestion"
        assert body["application_process"] == ""

    @pytest.mark.parametrize("who", ["connector", "other_editor"])
    def test_a_connector_and_another_organisations_editor_get_none_of_it(
        self, who: str, suggested: Service, request: pytest.FixtureRequest
    ) -> None:
        client = signed_in(request.getfixturevalue(who))
        detail = get(client, f"/services/{suggested.pk}")
        listing = get(client, "/services", q="knit")

        assert detail.status_code == 200 and detail.json()["for_editors"] is None
        assert item_names(listing) == ["Knit and natter"]
        for response in (detail, listing):
            text = response.content.decode()
            for private in ("Pat Jones", "pat@example.org", "St Anne's hall", "Sam Okafor", "s@example.org"):
                assert private not in text
