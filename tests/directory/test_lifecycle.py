"""The life of a directory entry: every valid transition, refused ones, verification records, the
daily review sweep, and who may move entries along."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from linkwork.core.policies import Operator
from linkwork.core.time import local_today
from linkwork.directory import services
from linkwork.directory.lifecycle import ENTRY_LIFECYCLE
from linkwork.directory.models import EntryState, Service, Verification, VerificationMethod
from tests.directory.factories import make_service

pytestmark = pytest.mark.django_db

S = EntryState
OPERATOR = Operator("tests")

# (action, from, to) for every arrow in the lifecycle.
VALID = [
    ("submit", S.DRAFT, S.SUBMITTED),
    ("publish", S.DRAFT, S.PUBLISHED),
    ("publish", S.SUBMITTED, S.PUBLISHED),
    ("reject", S.SUBMITTED, S.REJECTED),
    ("verify", S.PUBLISHED, S.PUBLISHED),
    ("verify", S.REVIEW_DUE, S.PUBLISHED),
    ("verify", S.STALE, S.PUBLISHED),
    ("mark_review_due", S.PUBLISHED, S.REVIEW_DUE),
    ("mark_stale", S.REVIEW_DUE, S.STALE),
    ("archive", S.DRAFT, S.ARCHIVED),
    ("archive", S.PUBLISHED, S.ARCHIVED),
    ("archive", S.STALE, S.ARCHIVED),
    ("reopen", S.ARCHIVED, S.DRAFT),
    ("reopen", S.REJECTED, S.DRAFT),
]


@pytest.mark.parametrize(("action", "source", "target"), VALID)
def test_the_lifecycle_table_allows_each_documented_move(action: str, source: str, target: str) -> None:
    assert ENTRY_LIFECYCLE.target(source, action) == target


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("publish", S.REJECTED),
        ("publish", S.ARCHIVED),
        ("reject", S.PUBLISHED),
        ("reject", S.DRAFT),
        ("verify", S.DRAFT),
        ("verify", S.SUBMITTED),
        ("verify", S.ARCHIVED),
        ("mark_stale", S.PUBLISHED),
        ("archive", S.SUBMITTED),
        ("reopen", S.PUBLISHED),
        ("submit", S.PUBLISHED),
    ],
)
def test_the_lifecycle_refuses_moves_it_does_not_list(action: str, source: str) -> None:
    with pytest.raises(InvalidTransition):
        ENTRY_LIFECYCLE.target(source, action)


def test_publishing_a_submission_records_who_checked_it_how_and_when_review_falls_due(
    editor: User, organisation: Organisation, settings: object
) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    services.entry_publish(
        actor=editor, service=service, method=VerificationMethod.PHONE, note="Spoke to Pat"
    )
    service.refresh_from_db()
    assert service.state == S.PUBLISHED
    assert service.last_verified_by == editor
    assert service.verification_method == VerificationMethod.PHONE
    assert service.review_due_on == local_today() + dt.timedelta(days=180)
    assert service.assured_date == local_today()
    check = Verification.objects.get(service=service)
    assert (check.method, check.note, check.verified_by) == ("phone", "Spoke to Pat", editor)
    assert AuditEvent.objects.filter(
        event="directory_service.transitioned", object_id=str(service.pk)
    ).exists()


def test_the_review_period_is_configurable(
    editor: User, organisation: Organisation, settings: object
) -> None:
    settings.LINKWORK_DIRECTORY_REVIEW_DAYS = 90  # type: ignore[attr-defined]
    service = make_service(owner=organisation, state=S.DRAFT)
    services.entry_publish(actor=editor, service=service, method=VerificationMethod.VISIT)
    service.refresh_from_db()
    assert service.review_due_on == local_today() + dt.timedelta(days=90)


def test_publishing_needs_a_known_verification_method_and_changes_nothing_without_one(
    editor: User, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    with pytest.raises(ValidationFailed) as caught:
        services.entry_publish(actor=editor, service=service, method="carrier pigeon")
    assert "method" in caught.value.fields
    service.refresh_from_db()
    assert service.state == S.SUBMITTED
    assert not Verification.objects.exists()


def test_a_rejected_submission_keeps_its_reason(editor: User, organisation: Organisation) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    services.entry_reject(actor=editor, service=service, reason="Runs outside the borough")
    service.refresh_from_db()
    assert (service.state, service.rejection_reason) == (S.REJECTED, "Runs outside the borough")


def test_rejecting_without_a_reason_is_refused(editor: User, organisation: Organisation) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    with pytest.raises(ValidationFailed):
        services.entry_reject(actor=editor, service=service, reason="  ")
    service.refresh_from_db()
    assert service.state == S.SUBMITTED


def test_verifying_a_stale_entry_publishes_it_again_and_keeps_the_history(
    editor: User, organisation: Organisation
) -> None:
    service = make_service(
        owner=organisation, state=S.STALE, review_due_on=local_today() - dt.timedelta(days=90)
    )
    services.entry_verify(actor=editor, service=service, method=VerificationMethod.PROVIDER_CONFIRMED)
    services.entry_verify(
        actor=editor, service=service, method=VerificationMethod.EMAIL, note="Times changed"
    )
    service.refresh_from_db()
    assert service.state == S.PUBLISHED
    assert service.review_due_on == local_today() + dt.timedelta(days=180)
    assert [v.method for v in service.verifications.all()] == ["email", "provider_confirmed"]


def test_an_invalid_move_changes_nothing(editor: User, organisation: Organisation) -> None:
    service = make_service(owner=organisation, state=S.DRAFT)
    with pytest.raises(InvalidTransition):
        services.entry_verify(actor=editor, service=service, method=VerificationMethod.PHONE)
    service.refresh_from_db()
    assert service.state == S.DRAFT
    assert service.version == 1
    assert not Verification.objects.exists()


def test_each_move_bumps_the_version_so_stale_edits_can_be_caught(
    editor: User, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, state=S.DRAFT)
    services.entry_submit(actor=editor, service=service)
    services.entry_publish(actor=editor, service=service, method=VerificationMethod.PHONE)
    service.refresh_from_db()
    assert service.version == 3


def test_archived_entries_can_be_reopened_as_drafts(editor: User, organisation: Organisation) -> None:
    service = make_service(owner=organisation, state=S.PUBLISHED)
    services.entry_archive(actor=editor, service=service)
    services.entry_reopen(actor=editor, service=service)
    service.refresh_from_db()
    assert service.state == S.DRAFT


@pytest.mark.parametrize("role_fixture", ["connector", "supervisor", "admin", "volunteer"])
def test_only_directory_editors_move_entries(
    role_fixture: str, organisation: Organisation, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(role_fixture)
    service = make_service(owner=organisation, state=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.entry_publish(actor=actor, service=service, method=VerificationMethod.PHONE)
    service.refresh_from_db()
    assert service.state == S.SUBMITTED
    assert AuditEvent.objects.filter(event="auth.permission_denied", actor_id=actor.pk).exists()


def test_an_editor_cannot_move_another_organisations_entries(
    other_editor: User, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.entry_reject(actor=other_editor, service=service, reason="Not ours")
    with pytest.raises(PermissionDenied):
        services.entry_archive(actor=other_editor, service=make_service(owner=organisation))
    service.refresh_from_db()
    assert service.state == S.SUBMITTED


class TestDailySweep:
    def test_published_entries_past_their_review_date_fall_due(self, organisation: Organisation) -> None:
        today = local_today()
        due = make_service(owner=organisation, review_due_on=today)
        not_yet = make_service(owner=organisation, review_due_on=today + dt.timedelta(days=1))
        result = services.entries_sweep(actor=OPERATOR, today=today)
        assert (result.review_due, result.stale) == (1, 0)
        assert Service.objects.get(pk=due.pk).state == S.REVIEW_DUE
        assert Service.objects.get(pk=not_yet.pk).state == S.PUBLISHED

    def test_entries_left_unchecked_after_falling_due_go_stale(
        self, organisation: Organisation, settings: object
    ) -> None:
        today = local_today()
        settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS = 60  # type: ignore[attr-defined]
        stale = make_service(
            owner=organisation, state=S.REVIEW_DUE, review_due_on=today - dt.timedelta(days=60)
        )
        recent = make_service(
            owner=organisation, state=S.REVIEW_DUE, review_due_on=today - dt.timedelta(days=59)
        )
        result = services.entries_sweep(actor=OPERATOR, today=today)
        assert (result.review_due, result.stale) == (0, 1)
        assert Service.objects.get(pk=stale.pk).state == S.STALE
        assert Service.objects.get(pk=recent.pk).state == S.REVIEW_DUE

    def test_the_sweep_leaves_drafts_submissions_and_archived_entries_alone(
        self, organisation: Organisation
    ) -> None:
        long_ago = local_today() - dt.timedelta(days=1000)
        for state in (S.DRAFT, S.SUBMITTED, S.ARCHIVED, S.REJECTED):
            make_service(owner=organisation, state=state, review_due_on=long_ago)
        assert services.entries_sweep(actor=OPERATOR) == services.SweepResult(review_due=0, stale=0)
        assert not Service.objects.filter(state__in=[S.REVIEW_DUE, S.STALE]).exists()

    def test_the_daily_command_runs_the_sweep_and_says_what_it_did(self, organisation: Organisation) -> None:
        make_service(owner=organisation, review_due_on=local_today() - dt.timedelta(days=1))
        out = StringIO()
        call_command("daily", stdout=out)
        assert "1 directory entry is now due for review; 0 now marked stale." in out.getvalue()
        event = AuditEvent.objects.get(event="directory_service.review_sweep")
        assert event.detail["review_due"] == 1
        assert event.actor_username.startswith("operator:daily:")


def test_a_move_is_worked_out_from_the_entry_as_it_is_now_not_from_the_callers_copy(
    editor: User, organisation: Organisation
) -> None:
    service = make_service(owner=organisation, state=S.SUBMITTED)
    copy_from_before = Service.objects.get(pk=service.pk)  # as a second editor's page loaded it
    services.entry_publish(actor=editor, service=service, method=VerificationMethod.PHONE)

    with pytest.raises(InvalidTransition):
        services.entry_reject(actor=editor, service=copy_from_before, reason="Duplicate")

    now_stored = Service.objects.get(pk=service.pk)
    assert (now_stored.state, now_stored.rejection_reason, now_stored.version) == (S.PUBLISHED, "", 2)


def test_each_move_returns_the_entry_as_saved(editor: User, organisation: Organisation) -> None:
    service = make_service(owner=organisation, state=S.DRAFT)
    moved = services.entry_submit(actor=editor, service=service)
    assert (moved.state, moved.version) == (S.SUBMITTED, 2)


@pytest.mark.parametrize(
    ("days_past_review", "state"),
    [
        (-1, S.PUBLISHED),
        (0, S.REVIEW_DUE),
        (59, S.REVIEW_DUE),
        (60, S.STALE),
        (400, S.STALE),
        (None, S.PUBLISHED),
    ],
)
def test_the_state_a_review_date_gives_follows_the_sweep_rules(
    days_past_review: int | None, state: str, settings: object
) -> None:
    settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS = 60  # type: ignore[attr-defined]
    today = local_today()
    review_due_on = None if days_past_review is None else today - dt.timedelta(days=days_past_review)
    assert services.live_state_on(review_due_on, today) == state


class TestDailySweepGoesThroughTheLifecycle:
    def test_each_entry_moved_is_audited_with_before_and_after_and_its_version_goes_up(
        self, organisation: Organisation
    ) -> None:
        today = local_today()
        due = make_service(owner=organisation, review_due_on=today)
        long_overdue = make_service(owner=organisation, review_due_on=today - dt.timedelta(days=400))
        untouched = make_service(owner=organisation, review_due_on=today + dt.timedelta(days=3))

        result = services.entries_sweep(actor=OPERATOR, today=today)

        assert (result.review_due, result.stale) == (1, 1)
        for entry, after in ((due, S.REVIEW_DUE), (long_overdue, S.STALE)):
            stored = Service.objects.get(pk=entry.pk)
            assert (stored.state, stored.version) == (after, entry.version + 1)
            event = AuditEvent.objects.get(event="directory_service.transitioned", object_id=str(entry.pk))
            assert event.values == {"state": [S.PUBLISHED, after]}
            assert event.organisation_id == organisation.pk
            assert event.actor_username == "operator:tests"
        assert Service.objects.get(pk=untouched.pk).version == untouched.version
        assert not AuditEvent.objects.filter(object_id=str(untouched.pk)).exists()
        assert AuditEvent.objects.filter(event="directory_service.review_sweep").count() == 1

    def test_a_second_run_on_the_same_day_moves_and_records_nothing(self, organisation: Organisation) -> None:
        make_service(owner=organisation, review_due_on=local_today())
        services.entries_sweep(actor=OPERATOR)
        before = AuditEvent.objects.count()

        assert services.entries_sweep(actor=OPERATOR) == services.SweepResult(review_due=0, stale=0)
        assert AuditEvent.objects.count() == before

    def test_entries_are_swept_a_chunk_at_a_time(
        self, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(services, "SWEEP_CHUNK", 2)
        for _ in range(5):
            make_service(owner=organisation, review_due_on=local_today())

        assert services.entries_sweep(actor=OPERATOR).review_due == 5
        assert Service.objects.filter(state=S.REVIEW_DUE).count() == 5
