"""The public directory pages, without sign-in: search and its filters, an entry's page, and the
public's forms (suggest a service, report a problem, claim a listing)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linkwork.accounts.models import Organisation
from linkwork.core.time import local_today, now
from linkwork.directory import search
from linkwork.directory.models import (
    Accessibility,
    Attribute,
    Closure,
    CostOption,
    EntryState,
    ListingClaim,
    Phone,
    ProblemKind,
    ProblemReport,
    Service,
    TaxonomyTerm,
    VerificationMethod,
)
from linkwork.directory.services import PUBLIC_SUBMISSIONS_PER_HOUR
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [EntryState.DRAFT, EntryState.SUBMITTED, EntryState.ARCHIVED, EntryState.REJECTED]


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    search.invalidate()


def _search(client: Client, **params: Any) -> str:
    search.invalidate()  # the index is built once per process; tests write between searches
    response = client.get(reverse("directory_search"), params)
    assert response.status_code == 200
    return response.content.decode()


def _names(html: str) -> list[str]:
    return re.findall(
        r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]*">([^<]*)</a>', html
    )


def _entry(client: Client, service: Service, **params: Any) -> str:
    response = client.get(reverse("directory_entry", args=[service.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


class TestSearch:
    def test_anyone_can_search_without_signing_in(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Knit and natter")

        html = _search(client)

        assert _names(html) == ["Knit and natter"]
        assert "Sign in" not in html

    @pytest.mark.parametrize("state", HIDDEN_STATES)
    def test_entries_that_are_not_published_are_never_listed(
        self, client: Client, organisation: Organisation, state: str
    ) -> None:
        make_service(owner=organisation, name="Hidden group", state=state)
        make_service(owner=organisation, name="Public group")

        assert _names(_search(client)) == ["Public group"]
        assert _names(_search(client, q="hidden")) == []

    def test_words_find_matching_entries(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Knit and natter")
        make_service(owner=organisation, name="Walking football")

        assert _names(_search(client, q="walking")) == ["Walking football"]

    def test_free_only_hides_paid_entries(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Free lunch club", cost_band="free")
        make_service(owner=organisation, name="Pottery class", cost_band="paid")

        assert _names(_search(client, only="free")) == ["Free lunch club"]

    def test_step_free_and_online_filters(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Ground floor cafe", step_free=True)
        make_service(owner=organisation, name="Upstairs club", step_free=False)
        make_service(owner=organisation, name="Phone friends", phone_option=True)

        assert _names(_search(client, only="step_free")) == ["Ground floor cafe"]
        assert _names(_search(client, only="online")) == ["Phone friends"]

    def test_the_day_filter_keeps_entries_that_meet_that_day(
        self, client: Client, organisation: Organisation
    ) -> None:
        make_service(owner=organisation, name="Monday group", weekday="MO")
        make_service(owner=organisation, name="Friday group", weekday="FR")

        assert _names(_search(client, day="4")) == ["Friday group"]

    def test_a_category_narrows_the_results(self, client: Client, organisation: Organisation) -> None:
        term = TaxonomyTerm.objects.create(name="Arts and crafts", code="arts")
        crafts = make_service(owner=organisation, name="Pottery")
        make_service(owner=organisation, name="Walking")
        Attribute.objects.create(
            link_id=crafts.pk, taxonomy_term=term, link_type="service", link_entity="service"
        )

        html = _search(client, category=str(term.pk))

        assert _names(html) == ["Pottery"]
        assert "Arts and crafts" in html

    def test_with_a_postcode_each_result_shows_distance_and_rough_travel_times(
        self, client: Client, organisation: Organisation
    ) -> None:
        make_service(owner=organisation, name="Near group", latitude=51.5215, longitude=-0.2105)
        make_service(owner=organisation, name="Far group", latitude=51.60, longitude=-0.10)

        html = _search(client, postcode="W10 6AB", distance="5")

        assert _names(html) == ["Near group"]
        assert re.search(r"\d+\.\d km · about \d+ minutes’ walk · about \d+ minutes by bus", html)
        assert "Distances are from the middle of W10 6" in html
        assert "Open Government Licence" in html  # the postcode data's attribution
        assert "?postcode=W10%206AB" in html  # the entry page shows the distance too

    def test_an_unknown_postcode_is_shown_as_an_error_on_the_field(
        self, client: Client, organisation: Organisation
    ) -> None:
        make_service(owner=organisation)

        html = _search(client, postcode="ZZ9 9ZZ")

        assert "There is a problem" in html
        assert 'href="#id_postcode"' in html
        assert "<title>Error:" in html

    def test_a_distance_needs_a_postcode(self, client: Client, organisation: Organisation) -> None:
        html = _search(client, distance="5")
        assert "Enter your postcode to search by distance." in html

    def test_results_show_when_cost_flags_and_last_checked(
        self, client: Client, organisation: Organisation
    ) -> None:
        make_service(
            owner=organisation,
            name="Coffee morning",
            cost_band="free",
            step_free=True,
            booking="drop_in",
            last_verified_at=now(),
            verification_method=VerificationMethod.PHONE,
        )

        html = _search(client)

        assert "Tuesdays, 10am to 12pm" in html
        assert "Free" in html
        assert "Step-free access, Drop in" in html
        assert f"Last checked {local_today().day} " in html and "by phone" in html

    def test_stale_entries_are_flagged_in_words(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Old entry", state=EntryState.STALE)
        make_service(owner=organisation, name="Fresh entry")

        html = _search(client)

        assert html.count("May be out of date") == 1

    def test_results_come_in_pages_with_govuk_pagination(
        self, client: Client, organisation: Organisation
    ) -> None:
        for number in range(23):
            make_service(owner=organisation, name=f"Group {number:02d}")

        first = _search(client)
        second = _search(client, page="2")

        assert len(_names(first)) == 20
        assert _names(second) == ["Group 20", "Group 21", "Group 22"]
        assert 'class="govuk-pagination"' in first
        assert 'rel="next"' in first and 'rel="prev"' in second
        assert "23 results" in first

    def test_a_page_of_results_does_not_query_once_per_entry(
        self, client: Client, organisation: Organisation, django_assert_max_num_queries: Any
    ) -> None:
        for _ in range(20):
            make_service(owner=organisation)
        _search(client)  # builds the index
        with django_assert_max_num_queries(12):
            client.get(reverse("directory_search"))


class TestEntryPage:
    def _full_service(self, organisation: Organisation, **fields: Any) -> Service:
        service = make_service(
            owner=organisation,
            name="Knit and natter",
            description="Bring your knitting, or learn.\nTea and biscuits.",
            cost_band="low_cost",
            first_visit="Ask for Jo at the door.",
            newcomers_met=True,
            companion_free=True,
            group_size="small",
            atmosphere="quiet",
            activity_level="sit_and_chat",
            audience="general",
            step_free=True,
            accessible_toilet=False,
            hearing_loop=True,
            near_public_transport=True,
            parking=False,
            online_option=False,
            booking="drop_in",
            minimum_age=18,
            email="knit@example.org",
            url="https://knit.example.org",
            last_verified_at=now() - dt.timedelta(days=10),
            verification_method=VerificationMethod.VISIT,
            **fields,
        )
        CostOption.objects.create(service=service, option="Per session", amount=2, currency="GBP")
        Phone.objects.create(service=service, number="020 7946 0000")
        location = service.service_at_locations.get().location
        location.transportation = "Bus 52 to Ladbroke Grove."
        location.save()
        Accessibility.objects.create(location=location, description="Ramp at the side door")
        return service

    def test_the_entry_page_shows_each_section(self, client: Client, organisation: Organisation) -> None:
        service = self._full_service(organisation)

        html = _entry(client, service)

        for heading in (
            "What it is",
            "When",
            "Next sessions",
            "Where",
            "Cost",
            "What to expect on a first visit",
            "Accessibility",
            "Contact",
        ):
            assert f">{heading}</h" in html, heading
        for words in (
            "Bring your knitting, or learn.",
            "Tuesdays, 10am to 12pm",
            "High Street",
            "W10 6AB",
            "Bus 52 to Ladbroke Grove.",
            "Low cost",
            "Per session: £2.00",
            "Ask for Jo at the door.",
            "Small group (under 8)",
            "Sit and chat",
            "Ramp at the side door",
            "18 and over",
            "Drop in",
            "020 7946 0000",
            "knit@example.org",
            "on a visit",
            "Report a problem with this entry",
            "Run this service? Claim this listing",
        ):
            assert words in html, words

    def test_next_sessions_leave_out_closures(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation, weekday="MO,TU,WE,TH,FR,SA,SU")
        today = local_today()
        Closure.objects.create(
            service=service, starts_on=today, ends_on=today + dt.timedelta(days=6), reason="Summer"
        )

        html = _entry(client, service)

        assert "Closed " in html and "(Summer)" in html
        sessions = html.split("Next sessions")[1].split("</ul>")[0]
        first = today + dt.timedelta(days=7)
        assert f"{first.day} {first:%B}" in sessions
        assert f"{today.day} {today:%B}," not in sessions

    def test_a_postcode_adds_the_distance_and_travel_times(
        self, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        html = _entry(client, service, postcode="W10 6AB")

        assert re.search(r"From W10 6AB: \d+\.\d km · about \d+ minutes’ walk", html)

    def test_a_stale_entry_warns_how_long_ago_it_was_checked(
        self, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(
            owner=organisation,
            state=EntryState.STALE,
            last_verified_at=now() - dt.timedelta(days=300),
            verification_method=VerificationMethod.PHONE,
        )

        html = _entry(client, service)

        assert "This information was last checked over 9 months ago and may be out of date." in html
        assert "by phone" in html

    def test_a_fresh_entry_has_no_warning(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation, last_verified_at=now())
        assert "may be out of date" not in _entry(client, service)

    @pytest.mark.parametrize("state", HIDDEN_STATES)
    def test_entries_that_are_not_public_are_not_found(
        self, client: Client, organisation: Organisation, state: str
    ) -> None:
        service = make_service(owner=organisation, state=state)

        for name in ("directory_entry", "directory_report", "directory_claim"):
            assert client.get(reverse(name, args=[service.pk])).status_code == 404

    def test_text_from_the_entry_is_escaped(self, client: Client, organisation: Organisation) -> None:
        service = make_service(
            owner=organisation, name="<script>alert(1)</script>", description="<b>bold</b>"
        )

        html = _entry(client, service)

        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html

    def test_the_entry_page_takes_a_fixed_number_of_queries(
        self, client: Client, organisation: Organisation, django_assert_max_num_queries: Any
    ) -> None:
        service = self._full_service(organisation)
        with django_assert_max_num_queries(20):
            _entry(client, service)


SUGGESTION = {
    "name": "Knit and natter",
    "description": "Bring your knitting, or learn.",
    "organization_name": "St Anne's Church",
    "when": "Wednesdays 2pm to 4pm",
    "where": "St Anne's church hall, W10 6AB",
    "submitted_by_name": "Pat Jones",
    "submitted_by_email": "pat@example.org",
}


class TestPublicForms:
    def test_a_suggestion_is_sent_and_the_confirmation_says_an_editor_will_check_it(
        self, client: Client, organisation: Organisation
    ) -> None:
        response = client.post(reverse("directory_suggest"), SUGGESTION, follow=True)

        assert response.redirect_chain[-1][0] == reverse("directory_suggest_sent")
        assert "An editor will check the details" in response.content.decode()
        service = Service.objects.get()
        assert service.state == EntryState.SUBMITTED
        assert _names(_search(client)) == []
        assert client.get(reverse("directory_entry", args=[service.pk])).status_code == 404

    def test_a_suggestion_with_missing_details_shows_the_errors_and_saves_nothing(
        self, client: Client, organisation: Organisation
    ) -> None:
        response = client.post(
            reverse("directory_suggest"), {**SUGGESTION, "name": "", "submitted_by_email": "x"}
        )

        html = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in html
        assert 'href="#id_name"' in html and 'href="#id_submitted_by_email"' in html
        assert not Service.objects.exists()

    def test_spam_that_fills_the_hidden_field_is_thanked_and_dropped(
        self, client: Client, organisation: Organisation
    ) -> None:
        response = client.post(reverse("directory_suggest"), {**SUGGESTION, "website": "http://spam.example"})

        assert response.status_code == 302
        assert not Service.objects.exists()

    def test_too_many_suggestions_from_one_connection_are_refused_with_429(
        self, client: Client, organisation: Organisation
    ) -> None:
        for _ in range(PUBLIC_SUBMISSIONS_PER_HOUR):
            client.post(reverse("directory_suggest"), SUGGESTION)

        response = client.post(reverse("directory_suggest"), SUGGESTION)

        assert response.status_code == 429
        assert "Too many forms have been sent" in response.content.decode()
        assert Service.objects.count() == PUBLIC_SUBMISSIONS_PER_HOUR

    def test_a_problem_report_is_recorded_for_the_entry(
        self, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        response = client.post(
            reverse("directory_report", args=[service.pk]),
            {"kind": ProblemKind.CONTACT_WRONG, "details": "The number is 020 7946 0999 now."},
        )

        assert response.status_code == 302
        assert response["Location"] == reverse("directory_report_sent", args=[service.pk])
        report = ProblemReport.objects.get()
        assert (report.service, report.kind) == (service, ProblemKind.CONTACT_WRONG)

    def test_a_problem_report_needs_a_kind(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation)

        response = client.post(reverse("directory_report", args=[service.pk]), {"details": "?"})

        assert 'href="#id_kind"' in response.content.decode()
        assert not ProblemReport.objects.exists()

    def test_a_claim_is_recorded_for_the_entry(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation)

        response = client.post(
            reverse("directory_claim", args=[service.pk]),
            {
                "claimant_name": "Jo Bloggs",
                "claimant_email": "jo@example.org",
                "claimant_role": "Group leader",
            },
            follow=True,
        )

        assert "An editor will check that you run" in response.content.decode()
        claim = ListingClaim.objects.get()
        assert (claim.service, claim.claimant_name) == (service, "Jo Bloggs")

    def test_a_claim_without_a_role_shows_the_error(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation)

        response = client.post(
            reverse("directory_claim", args=[service.pk]),
            {"claimant_name": "Jo Bloggs", "claimant_email": "jo@example.org"},
        )

        assert 'href="#id_claimant_role"' in response.content.decode()
        assert not ListingClaim.objects.exists()

    @pytest.mark.parametrize("name", ["directory_suggest", "directory_report", "directory_claim"])
    def test_public_forms_refuse_posts_without_the_csrf_token(
        self, organisation: Organisation, name: str
    ) -> None:
        service = make_service(owner=organisation)
        client = Client(enforce_csrf_checks=True)
        url = reverse(name) if name == "directory_suggest" else reverse(name, args=[service.pk])

        page = client.get(url)
        assert 'name="csrfmiddlewaretoken"' in page.content.decode()
        response = client.post(url, {**SUGGESTION, "kind": ProblemKind.OTHER, "details": "x"})

        assert response.status_code == 403
        assert Service.objects.count() == 1
        assert not ProblemReport.objects.exists() and not ListingClaim.objects.exists()


CLAIM_FORM = {
    "claimant_name": "Jo Bloggs",
    "claimant_email": "jo@example.org",
    "claimant_role": "Group leader",
}
REPORT_FORM = {"kind": ProblemKind.CLOSED, "reporter_name": "Ann", "reporter_email": "ann@example.org"}


class TestProblemReportAndClaimForms:
    @pytest.mark.parametrize(
        ("name", "sent", "data", "model"),
        [
            ("directory_report", "directory_report_sent", REPORT_FORM, ProblemReport),
            ("directory_claim", "directory_claim_sent", CLAIM_FORM, ListingClaim),
        ],
    )
    def test_spam_that_fills_the_hidden_field_is_thanked_and_dropped(
        self,
        client: Client,
        organisation: Organisation,
        name: str,
        sent: str,
        data: dict[str, str],
        model: type[ProblemReport] | type[ListingClaim],
    ) -> None:
        service = make_service(owner=organisation)

        response = client.post(reverse(name, args=[service.pk]), {**data, "website": "http://spam.example"})

        assert response.status_code == 302
        assert response["Location"] == reverse(sent, args=[service.pk])
        assert not model.objects.exists()

    @pytest.mark.parametrize(
        ("name", "data", "model"),
        [
            ("directory_report", REPORT_FORM, ProblemReport),
            ("directory_claim", CLAIM_FORM, ListingClaim),
        ],
    )
    def test_too_many_from_one_connection_are_refused_with_429(
        self,
        client: Client,
        organisation: Organisation,
        name: str,
        data: dict[str, str],
        model: type[ProblemReport] | type[ListingClaim],
    ) -> None:
        url = reverse(name, args=[make_service(owner=organisation).pk])
        for _ in range(PUBLIC_SUBMISSIONS_PER_HOUR):
            assert client.post(url, data).status_code == 302

        response = client.post(url, data)

        assert response.status_code == 429
        assert "Too many forms have been sent" in response.content.decode()
        assert model.objects.count() == PUBLIC_SUBMISSIONS_PER_HOUR


class TestSuggestionDetailsStayWithEditors:
    def test_when_and_where_typed_by_a_suggester_never_reach_the_public_page(
        self, client: Client, organisation: Organisation
    ) -> None:
        client.post(reverse("directory_suggest"), {**SUGGESTION, "phone": "020 7946 0123"})
        service = Service.objects.get()
        Service.objects.filter(pk=service.pk).update(state=EntryState.PUBLISHED)

        html = _entry(client, service)

        assert "Wednesdays 2pm to 4pm" not in html and "St Anne&#x27;s church hall" not in html
        assert "How to join" not in html
        assert "020 7946 0123" in html  # the phone became the entry's phone number
        assert "Pat Jones" not in html and "pat@example.org" not in html


class TestAssuredDate:
    def test_an_imported_entry_says_when_its_source_confirmed_it(
        self, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Imported", assured_date=dt.date(2024, 12, 10))

        assert "Confirmed by the source on 10 December 2024" in _entry(client, service)
        assert "Confirmed by the source on 10 December 2024" in _search(client)
        assert "Not checked yet" not in _search(client)

    def test_a_check_here_wins_over_the_sources_date(
        self, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(
            owner=organisation,
            assured_date=dt.date(2024, 12, 10),
            last_verified_at=now(),
            verification_method=VerificationMethod.PHONE,
        )

        html = _entry(client, service)

        assert "Last checked" in html and "Confirmed by the source" not in html

    def test_a_stale_imported_entry_counts_its_age_from_the_sources_date(
        self, client: Client, organisation: Organisation
    ) -> None:
        assured = local_today() - dt.timedelta(days=400)
        service = make_service(owner=organisation, state=EntryState.STALE, assured_date=assured)

        html = _entry(client, service)

        assert re.search(r"last confirmed over 1[23] months ago", html)

    def test_an_entry_with_neither_is_not_checked_yet(
        self, client: Client, organisation: Organisation
    ) -> None:
        assert "Not checked yet" in _entry(client, make_service(owner=organisation))


class TestMaxKmAlias:
    def test_max_km_narrows_by_distance_like_the_distance_field(
        self, client: Client, organisation: Organisation
    ) -> None:
        make_service(owner=organisation, name="Near group", latitude=51.5215, longitude=-0.2105)
        make_service(owner=organisation, name="Far group", latitude=51.60, longitude=-0.10)

        assert _names(_search(client, postcode="W10 6AB", max_km="5")) == ["Near group"]
        html = _search(client, postcode="W10 6AB", max_km="3")
        assert _names(html) == ["Near group"]
        assert '<option value="3" selected>Within 3 km</option>' in html

    def test_distance_wins_when_both_are_given(self, client: Client, organisation: Organisation) -> None:
        make_service(owner=organisation, name="Near group", latitude=51.5215, longitude=-0.2105)
        make_service(owner=organisation, name="Far group", latitude=51.60, longitude=-0.10)

        names = _names(_search(client, postcode="W10 6AB", distance="20", max_km="1"))

        assert sorted(names) == ["Far group", "Near group"]

    @pytest.mark.parametrize("value", ["far", "0", "-2", "1e9", "nan"])
    def test_a_bad_max_km_is_an_error_on_the_distance(
        self, client: Client, organisation: Organisation, value: str
    ) -> None:
        html = _search(client, postcode="W10 6AB", max_km=value)
        assert 'href="#id_distance"' in html and "Enter how far in kilometres" in html

    def test_max_km_needs_a_postcode_too(self, client: Client, organisation: Organisation) -> None:
        assert "Enter your postcode to search by distance." in _search(client, max_km="5")
