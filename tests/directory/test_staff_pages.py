"""The staff directory pages: search with editorial fields, an entry's editorial page and its actions,
editing, problem reports, claims and the editors' work queue; and who may open what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from linkwork.accounts.models import Organisation, User
from linkwork.core.time import now
from linkwork.directory import search
from linkwork.directory.models import (
    ClaimStatus,
    Closure,
    EntryState,
    ListingClaim,
    ProblemKind,
    ProblemReport,
    Service,
    TaskStatus,
    VerificationMethod,
)
from tests.conftest import signed_in
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    search.invalidate()


def _html(client: Client, url: str, status: int = 200, **params: Any) -> str:
    search.invalidate()
    response = client.get(url, params)
    assert response.status_code == status
    return response.content.decode()


def _names(html: str) -> list[str]:
    return re.findall(
        r'<h3 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]*">([^<]*)</a>', html
    )


def _entry_url(service: Service, name: str = "directory_manage_entry") -> str:
    return reverse(name, args=[service.pk])


def _action_url(service: Service, action: str) -> str:
    return reverse("directory_manage_action", args=[service.pk, action])


ENTRY_FORM: dict[str, Any] = {
    "name": "Walk and talk",
    "organization_name": "Riverside Walkers",
    "description": "A gentle walk.",
    "status": "active",
}


class TestWhoMayOpenWhat:
    def test_a_connector_searches_and_reads_public_entries_without_editorial_actions(
        self, connector: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Knit and natter")
        client = signed_in(connector)

        search_page = _html(client, reverse("directory_manage_search"))
        entry_page = _html(client, _entry_url(service))

        assert _names(search_page) == ["Knit and natter"]
        assert 'name="state"' not in search_page
        assert "Add an entry" not in search_page
        assert "Knit and natter" in entry_page
        assert "Change the details" not in entry_page
        assert "Check and publish" not in entry_page and "Record a check" not in entry_page

    def test_a_connector_cannot_open_editing_pages_or_the_work_queue(
        self, connector: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client = signed_in(connector)
        urls = [
            reverse("directory_work_queue"),
            reverse("directory_manage_new"),
            _entry_url(service, "directory_manage_edit"),
            _entry_url(service, "directory_manage_location"),
            _entry_url(service, "directory_manage_schedule_add"),
            _entry_url(service, "directory_manage_closure_add"),
            _action_url(service, "verify"),
        ]
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.post(_action_url(service, "archive")).status_code == 403
        service.refresh_from_db()
        assert service.state == EntryState.PUBLISHED

    def test_an_editor_of_another_organisation_gets_not_found_for_your_drafts(
        self, other_editor: User, organisation: Organisation
    ) -> None:
        draft = make_service(owner=organisation, state=EntryState.DRAFT)
        client = signed_in(other_editor)

        for name in ("directory_manage_entry", "directory_manage_edit", "directory_manage_location"):
            assert client.get(_entry_url(draft, name)).status_code == 404, name
        assert client.post(_action_url(draft, "publish"), {"method": "phone"}).status_code == 404

    def test_an_editor_of_another_organisation_may_read_but_not_change_your_public_entries(
        self, other_editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client = signed_in(other_editor)

        assert "Change the details" not in _html(client, _entry_url(service))
        assert client.get(_entry_url(service, "directory_manage_edit")).status_code == 403

    def test_signing_in_is_needed_for_staff_pages(self, client: Client, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        for url in (reverse("directory_work_queue"), reverse("directory_manage_search"), _entry_url(service)):
            response = client.get(url)
            assert response.status_code == 302 and "/sign-in/" in response["Location"]

    def test_an_unknown_action_is_not_found(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        assert signed_in(editor).post(_action_url(service, "delete")).status_code == 404

    def test_staff_posts_need_the_csrf_token(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)

        assert client.post(_action_url(service, "archive")).status_code == 403
        assert client.post(_entry_url(service, "directory_manage_edit"), ENTRY_FORM).status_code == 403
        service.refresh_from_db()
        assert (service.state, service.name) != (EntryState.ARCHIVED, "Walk and talk")


class TestWorkQueue:
    def test_the_work_queue_counts_and_links_what_waits_for_the_editors(
        self, editor: User, organisation: Organisation, other_organisation: Organisation
    ) -> None:
        submitted = make_service(owner=organisation, name="New club", state=EntryState.SUBMITTED)
        due = make_service(owner=organisation, name="Due club", state=EntryState.REVIEW_DUE)
        stale = make_service(owner=organisation, name="Stale club", state=EntryState.STALE)
        claimed = make_service(owner=organisation, name="Claimed club")
        claim = ListingClaim.objects.create(
            service=claimed,
            claimant_name="Jo",
            claimant_email="jo@example.org",
            claimant_role="Lead",
            claimed_at=now(),
        )
        make_service(owner=other_organisation, name="Their submission", state=EntryState.SUBMITTED)

        html = _html(signed_in(editor), reverse("directory_work_queue"))

        for words in (
            "Suggestions and submissions to check: 1",
            "Claims on listings: 1",
            "Checks due: 1",
            "Out of date: 1",
        ):
            assert words in html, words
        for url in (
            _entry_url(submitted),
            _entry_url(due),
            _entry_url(stale),
            reverse("directory_manage_claim", args=[claim.pk]),
        ):
            assert url in html
        assert "Their submission" not in html


class TestStaffSearch:
    def test_editors_filter_by_state_and_see_only_their_own_unpublished_entries(
        self, editor: User, organisation: Organisation, other_organisation: Organisation
    ) -> None:
        make_service(owner=organisation, name="Our draft", state=EntryState.DRAFT)
        make_service(owner=other_organisation, name="Their draft", state=EntryState.DRAFT)
        make_service(owner=other_organisation, name="Their published")
        client = signed_in(editor)

        assert _names(_html(client, reverse("directory_manage_search"), state="draft")) == ["Our draft"]
        assert _names(_html(client, reverse("directory_manage_search"))) == ["Their published"]
        assert _names(_html(client, reverse("directory_manage_search"), ours="on")) == []

    def test_results_show_the_state_and_link_to_the_editorial_page(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Review me", state=EntryState.REVIEW_DUE)

        html = _html(signed_in(editor), reverse("directory_manage_search"))

        assert "Review due" in html
        assert _entry_url(service) in html


class TestEditing:
    def test_an_editor_adds_an_entry_as_a_draft(self, editor: User, organisation: Organisation) -> None:
        client = signed_in(editor)

        response = client.post(reverse("directory_manage_new"), ENTRY_FORM, follow=True)

        service = Service.objects.get()
        assert response.redirect_chain[-1][0] == _entry_url(service)
        assert (service.name, service.state, service.owner) == (
            "Walk and talk",
            EntryState.DRAFT,
            organisation,
        )
        assert "The entry is saved as a draft" in response.content.decode()

    def test_the_edit_form_shows_every_field_and_saves_changes(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Old name")
        client = signed_in(editor)
        page = _html(client, _entry_url(service, "directory_manage_edit"))
        assert 'name="version" value="1"' in page
        for field in ("step_free", "group_size", "first_visit", "phone", "minimum_age"):
            assert f'name="{field}"' in page

        response = client.post(
            _entry_url(service, "directory_manage_edit"),
            {**ENTRY_FORM, "name": "New name", "version": "1", "step_free": "yes", "group_size": "small"},
        )

        assert response.status_code == 302
        service.refresh_from_db()
        assert (service.name, service.step_free, service.group_size, service.version) == (
            "New name",
            True,
            "small",
            2,
        )

    def test_a_version_conflict_says_who_changed_it_and_when_shows_both_and_saves_nothing(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, name="Original")
        client = signed_in(editor)
        client.post(
            _entry_url(service, "directory_manage_edit"), {**ENTRY_FORM, "name": "First", "version": "1"}
        )

        response = client.post(
            _entry_url(service, "directory_manage_edit"), {**ENTRY_FORM, "name": "Second", "version": "1"}
        )

        html = response.content.decode()
        assert response.status_code == 409
        assert "There is a problem" in html
        assert f"Changed by {editor} at " in html
        table = html[html.index("<table") : html.index("</table>")]
        assert "First" in table and "Second" in table
        assert 'value="Second"' in html  # what they typed is kept
        assert 'name="version" value="2"' in html  # saving again is now a deliberate choice
        service.refresh_from_db()
        assert (service.name, service.version) == ("First", 2)

    def test_the_address_is_set_with_its_postcode(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        client = signed_in(editor)

        response = client.post(
            _entry_url(service, "directory_manage_location"),
            {"address_1": "1 Church Lane", "postal_code": "w10 6ab", "version": "1"},
        )

        assert response.status_code == 302
        address = service.service_at_locations.get().location.addresses.get()
        assert (address.address_1, address.postal_code) == ("1 Church Lane", "W10 6AB")

    def test_an_unknown_postcode_is_shown_on_the_address_form(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        html = (
            signed_in(editor)
            .post(
                _entry_url(service, "directory_manage_location"),
                {"address_1": "1 Lane", "postal_code": "ZZ9 9ZZ"},
            )
            .content.decode()
        )

        assert 'href="#id_postal_code"' in html

    def test_a_monthly_session_time_is_added_and_described(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client = signed_in(editor)

        response = client.post(
            _entry_url(service, "directory_manage_schedule_add"),
            {
                "frequency": "monthly",
                "days": ["FR"],
                "ordinal": "1",
                "opens_at": "14:00",
                "closes_at": "16:00",
            },
        )

        assert response.status_code == 302
        assert "First Friday of the month, 2pm to 4pm" in _html(client, _entry_url(service))

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"frequency": "weekly"}, "days"),
            ({"frequency": "fortnightly", "days": ["TU"]}, "date"),
            ({"frequency": "once"}, "date"),
            ({"frequency": "weekly", "days": ["TU"], "opens_at": "12:00", "closes_at": "10:00"}, "closes_at"),
        ],
    )
    def test_a_session_time_that_does_not_make_sense_is_refused_on_its_field(
        self, editor: User, organisation: Organisation, data: dict[str, Any], field: str
    ) -> None:
        service = make_service(owner=organisation)

        html = (
            signed_in(editor)
            .post(_entry_url(service, "directory_manage_schedule_add"), data)
            .content.decode()
        )

        assert f'href="#id_{field}"' in html
        assert service.schedules.count() == 1

    def test_session_times_and_closures_are_removed_from_the_entry_page(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client = signed_in(editor)
        client.post(
            _entry_url(service, "directory_manage_closure_add"),
            {"starts_on": "01/08/2026", "ends_on": "31/08/2026", "reason": "Summer"},
        )
        closure = Closure.objects.get()
        schedule = service.schedules.get()
        page = _html(client, _entry_url(service))
        remove_schedule = reverse("directory_manage_schedule_remove", args=[service.pk, schedule.pk])
        remove_closure = reverse("directory_manage_closure_remove", args=[service.pk, closure.pk])
        assert remove_schedule in page and remove_closure in page

        client.post(remove_schedule)
        client.post(remove_closure)

        assert not service.schedules.exists()
        assert not Closure.objects.exists()


class TestLifecycleThroughThePages:
    def test_a_suggestion_is_public_only_after_an_editor_publishes_it(
        self, client: Client, editor: User, organisation: Organisation
    ) -> None:
        client.post(
            reverse("directory_suggest"),
            {
                "name": "Knit and natter",
                "description": "Bring your knitting.",
                "organization_name": "St Anne's",
                "submitted_by_name": "Pat",
                "submitted_by_email": "pat@example.org",
            },
        )
        service = Service.objects.get()
        public_url = reverse("directory_entry", args=[service.pk])
        assert client.get(public_url).status_code == 404
        assert _names(_html(client, reverse("directory_search"))) == []

        editor_client = signed_in(editor)
        entry_page = _html(editor_client, _entry_url(service))
        assert "Submitted" in entry_page and "Check and publish" in entry_page and "Pat" in entry_page
        form = _html(editor_client, _action_url(service, "publish"))
        assert 'name="method"' in form
        response = editor_client.post(
            _action_url(service, "publish"), {"method": "phone", "note": "Rang Pat."}
        )
        assert response.status_code == 302

        assert client.get(public_url).status_code == 200
        assert _names(_html(client, reverse("directory_search"))) == ["Knit and natter"]
        assert "by phone" in _html(client, public_url)

    def test_publishing_needs_to_say_how_the_entry_was_checked(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, state=EntryState.SUBMITTED)

        html = signed_in(editor).post(_action_url(service, "publish"), {}).content.decode()

        assert 'href="#id_method"' in html
        service.refresh_from_db()
        assert service.state == EntryState.SUBMITTED

    def test_a_rejected_submission_keeps_its_reason(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation, state=EntryState.SUBMITTED)
        client = signed_in(editor)

        client.post(_action_url(service, "reject"), {"reason": "Not in our area."})

        service.refresh_from_db()
        assert (service.state, service.rejection_reason) == (EntryState.REJECTED, "Not in our area.")
        page = _html(client, _entry_url(service))
        assert "Not in our area." in page and "Reopen as a draft" in page

    def test_checking_a_stale_entry_clears_its_warning(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation, state=EntryState.STALE)
        client = signed_in(editor)
        assert "may be out of date" in _html(client, reverse("directory_entry", args=[service.pk]))

        client.post(_action_url(service, "verify"), {"method": VerificationMethod.VISIT, "note": ""})

        service.refresh_from_db()
        assert service.state == EntryState.PUBLISHED
        assert "may be out of date" not in _html(client, reverse("directory_entry", args=[service.pk]))
        assert "Visit, by" in _html(client, _entry_url(service))  # the verification history

    def test_archiving_takes_the_entry_out_of_the_public_directory(
        self, editor: User, client: Client, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        signed_in(editor).post(_action_url(service, "archive"))

        assert client.get(reverse("directory_entry", args=[service.pk])).status_code == 404

    def test_an_action_the_lifecycle_does_not_allow_is_refused_with_a_message(
        self, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)

        html = signed_in(editor).post(_action_url(service, "reopen")).content.decode()

        assert "cannot be reopen" in html
        service.refresh_from_db()
        assert service.state == EntryState.PUBLISHED


class TestProblemsAndClaims:
    def test_a_reported_problem_becomes_a_task_the_editor_resolves(
        self, client: Client, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client.post(
            reverse("directory_report", args=[service.pk]),
            {"kind": ProblemKind.CLOSED, "details": "The hall is shut."},
        )
        report = ProblemReport.objects.get()
        editor_client = signed_in(editor)

        queue = _html(editor_client, reverse("directory_work_queue"))
        assert reverse("directory_manage_problem", args=[report.pk]) in queue
        assert "Problems reported: 1" in queue
        entry_page = _html(editor_client, _entry_url(service))
        assert "The service has closed" in entry_page and "The hall is shut." in entry_page

        problem_url = reverse("directory_manage_problem", args=[report.pk])
        assert "The hall is shut." in _html(editor_client, problem_url)
        editor_client.post(problem_url, {"outcome": "resolved", "note": "Archived the entry."})

        report.refresh_from_db()
        assert (report.status, report.resolution_note) == (TaskStatus.RESOLVED, "Archived the entry.")
        assert 'name="outcome"' not in _html(editor_client, problem_url)
        assert "Problems reported: 0" in _html(editor_client, reverse("directory_work_queue"))

    def test_problem_reports_are_only_for_the_entrys_own_editors(
        self, other_editor: User, connector: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        report = ProblemReport.objects.create(
            service=service, kind=ProblemKind.OTHER, details="x", reported_at=now()
        )

        for user in (other_editor, connector):
            assert (
                signed_in(user).get(reverse("directory_manage_problem", args=[report.pk])).status_code == 404
            )

    def test_a_claim_is_approved_and_the_claimant_becomes_the_provider_contact(
        self, client: Client, editor: User, organisation: Organisation
    ) -> None:
        service = make_service(owner=organisation)
        client.post(
            reverse("directory_claim", args=[service.pk]),
            {
                "claimant_name": "Jo Bloggs",
                "claimant_email": "jo@example.org",
                "claimant_role": "Group leader",
            },
        )
        claim = ListingClaim.objects.get()
        editor_client = signed_in(editor)
        claim_url = reverse("directory_manage_claim", args=[claim.pk])
        assert claim_url in _html(editor_client, _entry_url(service))

        editor_client.post(claim_url, {"decision": "approve", "reason": ""})

        claim.refresh_from_db()
        service.refresh_from_db()
        assert claim.status == ClaimStatus.APPROVED
        assert (service.provider_contact_name, service.provider_contact_email) == (
            "Jo Bloggs",
            "jo@example.org",
        )
        assert "Provider contact" in _html(editor_client, _entry_url(service))

    def test_rejecting_a_claim_needs_a_reason(self, editor: User, organisation: Organisation) -> None:
        service = make_service(owner=organisation)
        claim = ListingClaim.objects.create(
            service=service,
            claimant_name="Jo",
            claimant_email="jo@example.org",
            claimant_role="x",
            claimed_at=now(),
        )

        html = (
            signed_in(editor)
            .post(reverse("directory_manage_claim", args=[claim.pk]), {"decision": "reject", "reason": ""})
            .content.decode()
        )

        assert 'href="#id_reason"' in html
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.PENDING


class TestPersonalDetailsOnTheEntryPage:
    """Who suggested an entry, what they wrote and its provider contact: the owner's editors only."""

    @pytest.fixture
    def suggested(self, organisation: Organisation) -> Service:
        from linkwork.directory import services

        service = services.service_suggest(
            details={
                "name": "Knit and natter",
                "description": "Bring your knitting.",
                "organization_name": "St Anne's Church",
                "when": "Wednesdays 2pm to 4pm",
                "phone": "020 7946 0123",
                "submitted_by_name": "Pat Jones",
                "submitted_by_email": "pat@example.org",
            },
            ip_address="10.0.0.1",
        )
        Service.objects.filter(pk=service.pk).update(
            state=EntryState.PUBLISHED,
            provider_contact_name="Sam Okafor",
            provider_contact_email="sam@example.org",
        )
        return service

    def test_the_owners_editor_sees_the_suggester_what_they_wrote_and_the_provider_contact(
        self, editor: User, suggested: Service
    ) -> None:
        html = _html(signed_in(editor), _entry_url(suggested))

        assert "Suggested by" in html and "Pat Jones" in html and "pat@example.org" in html
        assert "When: Wednesdays 2pm to 4pm" in html
        assert "Provider contact" in html and "sam@example.org" in html

    @pytest.mark.parametrize("who", ["connector", "other_editor"])
    def test_a_connector_and_another_organisations_editor_see_none_of_it(
        self, who: str, suggested: Service, request: pytest.FixtureRequest
    ) -> None:
        html = _html(signed_in(request.getfixturevalue(who)), _entry_url(suggested))

        assert "Knit and natter" in html
        for private in ("Pat Jones", "pat@example.org", "Wednesdays 2pm", "Sam Okafor", "sam@example.org"):
            assert private not in html
        assert "Suggested by" not in html and "Provider contact" not in html
