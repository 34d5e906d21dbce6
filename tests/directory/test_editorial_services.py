"""The public's part in keeping the directory right (suggestions, problem reports, claims) and the
editors' decisions on them; plus who may see which entries."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import PermissionDenied, RateLimited, ValidationFailed
from linkwork.core.policies import Action, can, visible_to
from linkwork.directory import services
from linkwork.directory.models import (
    PUBLIC_STATES,
    ClaimStatus,
    EntryState,
    ListingClaim,
    Phone,
    ProblemKind,
    ProblemReport,
    Service,
    TaskStatus,
)
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db

SUGGESTION: dict[str, Any] = {
    "name": "Knit and natter",
    "description": "Bring your knitting, or learn. Tea and biscuits.",
    "organization_name": "St Anne's Church",
    "when": "Wednesdays 2pm to 4pm",
    "where": "St Anne's church hall, W10 6AB",
    "submitted_by_name": "Pat Jones",
    "submitted_by_email": "pat@example.org",
}


class TestSuggestions:
    def test_a_suggestion_waits_for_an_editor_and_is_never_published_directly(
        self, organisation: Organisation
    ) -> None:
        service = services.service_suggest(
            details={**SUGGESTION, "state": "published"}, ip_address="10.0.0.1"
        )
        assert service.state == EntryState.SUBMITTED
        assert service.owner == organisation
        assert service.organization.name == "St Anne's Church"
        assert (
            service.suggestion_details == "When: Wednesdays 2pm to 4pm\nWhere: St Anne's church hall, W10 6AB"
        )
        assert service.application_process == ""  # "How to join" on the public page
        assert service.source == "suggest a service form"
        assert service.source_recorded_by == "public suggestion"  # never the suggester's name
        assert not service.is_public
        event = AuditEvent.objects.get(event="directory_service.suggested")
        assert (event.actor_id, event.organisation_id) == (None, organisation.pk)

    def test_the_suggested_phone_number_becomes_the_entrys_phone(self, organisation: Organisation) -> None:
        service = services.service_suggest(
            details={**SUGGESTION, "phone": " 020 7946 0123 "}, ip_address="10.0.0.1"
        )
        assert [(phone.number, phone.type) for phone in Phone.objects.filter(service=service)] == [
            ("020 7946 0123", "voice")
        ]
        assert "Phone: 020 7946 0123" in service.suggestion_details
        assert not services.service_suggest(details=SUGGESTION, ip_address="10.0.0.2").phones.exists()

    @pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "https://"])
    def test_a_suggested_website_must_be_a_web_address(self, organisation: Organisation, url: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            services.service_suggest(details={**SUGGESTION, "url": url}, ip_address="10.0.0.1")
        assert "url" in caught.value.fields
        assert not Service.objects.exists()

    def test_a_website_without_a_scheme_is_taken_as_https(self, organisation: Organisation) -> None:
        service = services.service_suggest(
            details={**SUGGESTION, "url": "example.org"}, ip_address="10.0.0.1"
        )
        assert service.url == "https://example.org"

    def test_the_suggesters_organisation_name_is_not_copied_into_its_description(
        self, organisation: Organisation
    ) -> None:
        service = services.service_suggest(details=SUGGESTION, ip_address="10.0.0.1")
        assert service.organization.description == ""

    def test_suggestions_go_to_the_configured_organisation(
        self, organisation: Organisation, other_organisation: Organisation, settings: Any
    ) -> None:
        settings.LINKWORK_DIRECTORY_OWNER = other_organisation.slug
        service = services.service_suggest(details=SUGGESTION, ip_address="10.0.0.1")
        assert service.owner == other_organisation

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("name", ""),
            ("description", " "),
            ("organization_name", ""),
            ("submitted_by_email", "not-an-email"),
        ],
    )
    def test_a_suggestion_with_missing_or_bad_details_is_refused_and_saves_nothing(
        self, organisation: Organisation, field: str, value: str
    ) -> None:
        with pytest.raises(ValidationFailed) as caught:
            services.service_suggest(details={**SUGGESTION, field: value}, ip_address="10.0.0.1")
        assert field in caught.value.fields
        assert not Service.objects.exists()

    def test_suggestions_from_one_connection_are_limited_per_hour(self, organisation: Organisation) -> None:
        for _ in range(services.PUBLIC_SUBMISSIONS_PER_HOUR):
            services.service_suggest(details=SUGGESTION, ip_address="10.0.0.9")
        with pytest.raises(RateLimited):
            services.service_suggest(details=SUGGESTION, ip_address="10.0.0.9")
        services.service_suggest(details=SUGGESTION, ip_address="10.0.0.10")
        assert Service.objects.count() == services.PUBLIC_SUBMISSIONS_PER_HOUR + 1


class TestProblemReports:
    def test_a_report_opens_a_task_that_the_owners_editor_closes(
        self, organisation: Organisation, editor: User
    ) -> None:
        service = make_service(owner=organisation)
        report = services.problem_report(
            service=service,
            details={"kind": ProblemKind.CONTACT_WRONG, "details": "Phone number rings out"},
            ip_address="10.0.0.1",
        )
        assert report.status == TaskStatus.OPEN
        assert list(visible_to(editor, Action.VIEW, ProblemReport)) == [report]
        services.problem_close(actor=editor, report=report, resolved=True, note="New number added")
        report.refresh_from_db()
        assert (report.status, report.resolved_by, report.resolution_note) == (
            "resolved",
            editor,
            "New number added",
        )

    def test_closing_needs_a_note_and_cannot_happen_twice(
        self, organisation: Organisation, editor: User
    ) -> None:
        report = services.problem_report(
            service=make_service(owner=organisation), details={"kind": "closed"}, ip_address="10.0.0.1"
        )
        with pytest.raises(ValidationFailed):
            services.problem_close(actor=editor, report=report, resolved=False, note="")
        services.problem_close(actor=editor, report=report, resolved=False, note="Still running, checked")
        with pytest.raises(ValidationFailed):
            services.problem_close(actor=editor, report=report, resolved=True, note="again")
        assert ProblemReport.objects.get().status == TaskStatus.DISMISSED

    @pytest.mark.parametrize(
        "details",
        [{"kind": "nonsense"}, {"kind": "other", "details": ""}, {"kind": "closed", "reporter_email": "x@"}],
    )
    def test_a_bad_report_is_refused(self, organisation: Organisation, details: dict[str, str]) -> None:
        with pytest.raises(ValidationFailed):
            services.problem_report(
                service=make_service(owner=organisation), details=details, ip_address="1.1.1.1"
            )
        assert not ProblemReport.objects.exists()

    def test_problems_cannot_be_reported_on_entries_that_are_not_public(
        self, organisation: Organisation
    ) -> None:
        draft = make_service(owner=organisation, state=EntryState.DRAFT)
        with pytest.raises(ValidationFailed):
            services.problem_report(service=draft, details={"kind": "closed"}, ip_address="1.1.1.1")

    def test_editors_of_another_organisation_neither_see_nor_close_the_report(
        self, organisation: Organisation, other_editor: User, connector: User
    ) -> None:
        report = services.problem_report(
            service=make_service(owner=organisation), details={"kind": "closed"}, ip_address="1.1.1.1"
        )
        assert not visible_to(other_editor, Action.VIEW, ProblemReport).exists()
        assert not visible_to(connector, Action.VIEW, ProblemReport).exists()
        with pytest.raises(PermissionDenied):
            services.problem_close(actor=other_editor, report=report, resolved=True, note="mine now")


CLAIM = {
    "claimant_name": "Sam Okafor",
    "claimant_email": "sam@example.org",
    "claimant_role": "Group coordinator",
    "evidence": "I am listed on our website's team page.",
}


class TestClaims:
    def test_an_approved_claim_makes_the_claimant_the_provider_contact(
        self, organisation: Organisation, editor: User
    ) -> None:
        service = make_service(owner=organisation)
        claim = services.listing_claim(service=service, details=CLAIM, ip_address="1.1.1.1")
        assert claim.status == ClaimStatus.PENDING
        services.claim_decide(actor=editor, claim=claim, approve=True)
        service.refresh_from_db()
        assert (service.provider_contact_name, service.provider_contact_email) == (
            "Sam Okafor",
            "sam@example.org",
        )
        assert ListingClaim.objects.get().decided_by == editor

    def test_a_rejected_claim_needs_a_reason_and_leaves_the_entry_unchanged(
        self, organisation: Organisation, editor: User
    ) -> None:
        service = make_service(owner=organisation)
        claim = services.listing_claim(service=service, details=CLAIM, ip_address="1.1.1.1")
        with pytest.raises(ValidationFailed):
            services.claim_decide(actor=editor, claim=claim, approve=False)
        services.claim_decide(
            actor=editor, claim=claim, approve=False, reason="Could not confirm with the group"
        )
        service.refresh_from_db()
        assert service.provider_contact_email == ""
        with pytest.raises(ValidationFailed):
            services.claim_decide(actor=editor, claim=claim, approve=True)

    def test_a_claim_needs_a_name_an_email_and_a_role(self, organisation: Organisation) -> None:
        with pytest.raises(ValidationFailed) as caught:
            services.listing_claim(service=make_service(owner=organisation), details={}, ip_address="1.1.1.1")
        assert set(caught.value.fields) == {"claimant_name", "claimant_email", "claimant_role"}

    def test_only_the_owners_editors_decide_claims(
        self, organisation: Organisation, other_editor: User, connector: User
    ) -> None:
        claim = services.listing_claim(
            service=make_service(owner=organisation), details=CLAIM, ip_address="1.1.1.1"
        )
        for actor in (other_editor, connector):
            with pytest.raises(PermissionDenied):
                services.claim_decide(actor=actor, claim=claim, approve=True)
        assert ListingClaim.objects.get().status == ClaimStatus.PENDING


class TestWhoSeesWhichEntries:
    def test_all_staff_see_public_entries_of_every_organisation_but_not_the_unpublished(
        self, organisation: Organisation, other_organisation: Organisation, connector: User
    ) -> None:
        public = {make_service(owner=other_organisation, state=state).pk for state in PUBLIC_STATES}
        for state in (EntryState.DRAFT, EntryState.SUBMITTED, EntryState.REJECTED, EntryState.ARCHIVED):
            make_service(owner=organisation, state=state)
        assert set(visible_to(connector, Action.VIEW, Service).values_list("pk", flat=True)) == public

    def test_editors_also_see_their_own_organisations_unpublished_entries_only(
        self, organisation: Organisation, other_organisation: Organisation, editor: User
    ) -> None:
        own_draft = make_service(owner=organisation, state=EntryState.DRAFT)
        other_draft = make_service(owner=other_organisation, state=EntryState.SUBMITTED)
        visible = set(visible_to(editor, Action.VIEW, Service))
        assert own_draft in visible and other_draft not in visible
        assert can(editor, Action.VIEW, own_draft) and not can(editor, Action.VIEW, other_draft)

    @pytest.mark.parametrize("action", [Action.VIEW, Action.UPDATE, Action.APPROVE, Action.EXPORT])
    def test_the_record_rule_and_the_query_rule_agree(
        self,
        action: Action,
        organisation: Organisation,
        other_organisation: Organisation,
        editor: User,
        other_editor: User,
        connector: User,
    ) -> None:
        entries = [
            make_service(owner=owner, state=state)
            for owner in (organisation, other_organisation)
            for state in EntryState.values
        ]
        for actor in (editor, other_editor, connector):
            scoped = set(visible_to(actor, action, Service))
            assert {entry for entry in entries if can(actor, action, entry)} == scoped

    def test_anonymous_visitors_get_nothing_through_the_staff_rules(self, organisation: Organisation) -> None:
        from django.contrib.auth.models import AnonymousUser

        make_service(owner=organisation)
        assert not visible_to(AnonymousUser(), Action.VIEW, Service).exists()


class TestContactDetailsAreClearedAfterTheDecision:
    """`linkwork daily` clears what the public told us about themselves N days after a decision."""

    OPERATOR = __import__("linkwork.core.policies", fromlist=["Operator"]).Operator("tests")

    def _later(self, days: int) -> Any:
        import datetime as dt

        from linkwork.core.time import now

        return now() + dt.timedelta(days=days)

    def test_a_decided_suggestion_loses_its_suggester_after_the_retention_period(
        self, organisation: Organisation, editor: User, settings: Any
    ) -> None:
        settings.LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS = 90
        waiting = services.service_suggest(details=SUGGESTION, ip_address="10.0.0.1")
        decided = services.service_suggest(details=SUGGESTION, ip_address="10.0.0.1")
        services.entry_reject(actor=editor, service=decided, reason="Outside the area")

        too_soon = services.public_contacts_expire(actor=self.OPERATOR, at=self._later(89))
        assert too_soon == services.ContactsCleared(suggestions=0, problem_reports=0, claims=0)
        assert Service.objects.get(pk=decided.pk).submitted_by_email == "pat@example.org"

        cleared = services.public_contacts_expire(actor=self.OPERATOR, at=self._later(91))

        assert cleared.suggestions == 1
        decided.refresh_from_db()
        assert (decided.submitted_by_name, decided.submitted_by_email, decided.submitted_from) == ("", "", "")
        assert decided.rejection_reason == "Outside the area"
        waiting.refresh_from_db()
        assert waiting.submitted_by_email == "pat@example.org"  # not decided yet: kept
        event = AuditEvent.objects.get(event="directory.contacts_cleared")
        assert event.detail == {"suggestions": 1, "problem_reports": 0, "claims": 0}
        assert services.public_contacts_expire(actor=self.OPERATOR, at=self._later(91)).suggestions == 0
        assert AuditEvent.objects.filter(event="directory.contacts_cleared").count() == 1  # nothing to say

    def test_closed_reports_and_decided_claims_lose_their_contact_details(
        self, organisation: Organisation, editor: User
    ) -> None:
        service = make_service(owner=organisation)
        details = {"kind": "closed", "reporter_name": "Ann", "reporter_email": "ann@example.org"}
        open_report = services.problem_report(service=service, details=details, ip_address="1.1.1.1")
        closed = services.problem_report(service=service, details=details, ip_address="1.1.1.1")
        services.problem_close(actor=editor, report=closed, resolved=True, note="Fixed")
        pending = services.listing_claim(service=service, details=CLAIM, ip_address="1.1.1.1")
        approved = services.listing_claim(
            service=service, details={**CLAIM, "claimant_phone": "07700 900123"}, ip_address="1.1.1.1"
        )
        services.claim_decide(actor=editor, claim=approved, approve=True)

        cleared = services.public_contacts_expire(actor=self.OPERATOR, at=self._later(91))

        assert (cleared.problem_reports, cleared.claims) == (1, 1)
        closed.refresh_from_db()
        assert (closed.reporter_name, closed.reporter_email, closed.resolution_note) == ("", "", "Fixed")
        approved.refresh_from_db()
        assert (approved.claimant_name, approved.claimant_email, approved.claimant_phone) == ("", "", "")
        assert approved.evidence == "" and approved.status == ClaimStatus.APPROVED
        service.refresh_from_db()
        assert service.provider_contact_email == "sam@example.org"  # the provider contact stays
        open_report.refresh_from_db()
        pending.refresh_from_db()
        assert open_report.reporter_email == "ann@example.org" and pending.claimant_email == "sam@example.org"

    def test_the_daily_command_clears_them_and_says_how_many(
        self, organisation: Organisation, editor: User, settings: Any
    ) -> None:
        from io import StringIO

        from django.core.management import call_command

        settings.LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS = 1
        decided = services.service_suggest(details=SUGGESTION, ip_address="10.0.0.1")
        services.entry_reject(actor=editor, service=decided, reason="No")
        Service.objects.filter(pk=decided.pk).update(state_changed_at=self._later(-2))
        out = StringIO()

        call_command("daily", stdout=out)

        assert "Contact details cleared from 1 suggestion(s), 0 problem report(s) and 0 claim(s)" in (
            out.getvalue()
        )
        assert Service.objects.get(pk=decided.pk).submitted_by_email == ""
