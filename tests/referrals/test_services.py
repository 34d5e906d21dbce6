"""Referrals: the lifecycle, contact attempts, when to suggest closing, redirection, letters to
referrers and the public self-referral form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.models import AuditEvent
from linkwork.core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from linkwork.core.time import now
from linkwork.people.models import Consent, Person
from linkwork.people.services import consent_withdraw
from linkwork.referrals import services
from linkwork.referrals.models import (
    ContactAttempt,
    OutcomeMessage,
    OutcomeMessageKind,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from linkwork.referrals.transitions import REFERRAL_LIFECYCLE
from linkwork.support.services import episode_close, episode_plan_ending
from tests.factories import OPERATOR, make_staff
from tests.journey_factories import give_consent, make_episode, make_person, make_referral

S = ReferralStatus
ACTIONS = ["attempt_contact", "accept", "decline", "close_unable_to_contact", "mark_not_appropriate"]
# Where each action leads from each status; a missing pair is refused. Written out by hand
# (not read from the state machine) so that a change to the machine has to change this too.
EXPECTED: dict[tuple[str, str], str] = {
    (S.RECEIVED, "attempt_contact"): S.CONTACT_ATTEMPTED,
    (S.RECEIVED, "accept"): S.ACCEPTED,
    (S.RECEIVED, "decline"): S.DECLINED,
    (S.RECEIVED, "mark_not_appropriate"): S.NOT_APPROPRIATE,
    (S.CONTACT_ATTEMPTED, "attempt_contact"): S.CONTACT_ATTEMPTED,
    (S.CONTACT_ATTEMPTED, "accept"): S.ACCEPTED,
    (S.CONTACT_ATTEMPTED, "decline"): S.DECLINED,
    (S.CONTACT_ATTEMPTED, "close_unable_to_contact"): S.UNABLE_TO_CONTACT,
    (S.CONTACT_ATTEMPTED, "mark_not_appropriate"): S.NOT_APPROPRIATE,
}
EVENTS = {
    "attempt_contact": "referral.contact_attempted",
    "accept": "referral.accepted",
    "decline": "referral.declined",
    "close_unable_to_contact": "referral.unable_to_contact",
    "mark_not_appropriate": "referral.not_appropriate",
}


def do(action: str, referral: Referral) -> None:
    """Take `action` through its service, as the operator."""
    if action == "attempt_contact":
        services.referral_attempt_contact(
            actor=OPERATOR, referral=referral, method="phone", outcome="no-answer"
        )
    elif action == "accept":
        services.referral_mark_accepted(actor=OPERATOR, referral=referral)
    elif action == "decline":
        services.referral_decline(actor=OPERATOR, referral=referral, note="Not now, thank you.")
    elif action == "close_unable_to_contact":
        services.referral_close_unable_to_contact(actor=OPERATOR, referral=referral)
    elif action == "mark_not_appropriate":
        services.referral_mark_not_appropriate(
            actor=OPERATOR, referral=referral, reason="out-of-area", redirected_to="Northgate Befriending"
        )
    else:  # pragma: no cover
        raise AssertionError(action)


ROUTES: dict[str, list[str]] = {
    S.RECEIVED: [],
    S.CONTACT_ATTEMPTED: ["attempt_contact"],
    S.ACCEPTED: ["accept"],
    S.DECLINED: ["decline"],
    S.UNABLE_TO_CONTACT: ["attempt_contact", "close_unable_to_contact"],
    S.NOT_APPROPRIATE: ["mark_not_appropriate"],
}


def referral_in(status: str, organisation: Organisation) -> Referral:
    referral = make_referral(person=make_person(organisation=organisation))
    for action in ROUTES[status]:
        do(action, referral)
    referral.refresh_from_db()
    assert referral.status == status
    return referral


def test_the_expected_table_is_the_lifecycle() -> None:
    for status in S.values:
        allowed = {action for (source, action) in EXPECTED if source == status}
        assert set(REFERRAL_LIFECYCLE.allowed_actions(status)) == allowed, status
    assert set(REFERRAL_LIFECYCLE.transitions) == set(ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", S.values)
def test_every_transition_is_allowed_or_refused_as_the_lifecycle_says(
    organisation: Organisation, status: str, action: str
) -> None:
    referral = referral_in(status, organisation)
    attempts, letters = ContactAttempt.objects.count(), OutcomeMessage.objects.count()
    events = AuditEvent.objects.count()
    target = EXPECTED.get((status, action))
    if target is None:
        with pytest.raises(InvalidTransition) as raised:
            do(action, referral)
        assert raised.value.status == 409
        assert referral.status == status
        referral.refresh_from_db()
        assert referral.status == status
        assert ContactAttempt.objects.count() == attempts, "a refused attempt is not kept"
        assert OutcomeMessage.objects.count() == letters
        assert AuditEvent.objects.count() == events
    else:
        do(action, referral)
        referral.refresh_from_db()
        assert referral.status == target
        event = AuditEvent.objects.filter(event=EVENTS[action]).latest("seq")
        assert event.values["status"] == [status, target]
        if target not in (S.RECEIVED, S.CONTACT_ATTEMPTED):
            assert referral.decided_at is not None


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        REFERRAL_LIFECYCLE.target(S.RECEIVED, "reopen")


# Contact attempts -------------------------------------------------------------------------


def test_attempts_are_logged_and_the_first_spoken_contact_is_kept(
    connector: User, organisation: Organisation
) -> None:
    received = now() - dt.timedelta(days=10)
    referral = make_referral(person=make_person(organisation=organisation), received_at=received)
    first = services.referral_attempt_contact(
        actor=connector,
        referral=referral,
        method="phone",
        outcome="no-answer",
        at=received + dt.timedelta(days=1),
    )
    assert first.made_by == connector
    assert referral.first_contact_at is None
    assert services.referral_waiting_time(referral) is None
    spoke_at = received + dt.timedelta(days=2, hours=3)
    services.referral_attempt_contact(
        actor=connector, referral=referral, method="text", outcome="spoke", at=spoke_at, note=" Keen "
    )
    services.referral_attempt_contact(
        actor=connector,
        referral=referral,
        method="phone",
        outcome="spoke",
        at=spoke_at + dt.timedelta(days=1),
    )
    referral.refresh_from_db()
    assert referral.first_contact_at == spoke_at
    assert referral.status == S.CONTACT_ATTEMPTED
    assert [(a.method, a.outcome, a.note) for a in referral.attempts.all()] == [
        ("phone", "no-answer", ""),
        ("text", "spoke", "Keen"),
        ("phone", "spoke", ""),
    ]
    assert services.referral_waiting_time(referral) == dt.timedelta(days=2, hours=3)


@pytest.mark.parametrize(("method", "outcome"), [("pigeon", "spoke"), ("phone", "maybe")])
def test_an_attempt_with_an_unknown_method_or_outcome_is_refused(
    organisation: Organisation, method: str, outcome: str
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    with pytest.raises(ValidationFailed):
        services.referral_attempt_contact(actor=OPERATOR, referral=referral, method=method, outcome=outcome)
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    assert not ContactAttempt.objects.exists()


def test_accepting_without_a_logged_contact_counts_acceptance_as_first_contact(
    organisation: Organisation,
) -> None:
    received = now() - dt.timedelta(days=3)
    referral = make_referral(person=make_person(organisation=organisation), received_at=received)
    services.referral_mark_accepted(actor=OPERATOR, referral=referral)
    waiting = services.referral_waiting_time(referral)
    assert waiting is not None
    assert dt.timedelta(days=3) <= waiting < dt.timedelta(days=3, minutes=1)


@pytest.mark.parametrize(
    ("attempts", "suggests"),
    [
        ([(0, "no-answer"), (6, "left-message"), (13, "no-answer")], False),  # three, over 13 days
        ([(0, "no-answer"), (20, "no-answer")], False),  # two, over 20 days
        ([(0, "no-answer"), (7, "left-message"), (14, "wrong-details")], True),  # three, over 14 days
        ([(0, "no-answer"), (1, "no-answer"), (2, "no-answer"), (20, "no-answer")], True),
        ([(0, "no-answer"), (7, "no-answer"), (14, "no-answer"), (15, "spoke")], False),
        ([(0, "spoke"), (7, "no-answer"), (14, "no-answer"), (21, "no-answer")], False),
        ([], False),
    ],
)
def test_closing_is_suggested_after_three_unanswered_attempts_over_two_weeks(
    organisation: Organisation, attempts: list[tuple[int, str]], suggests: bool
) -> None:
    start = now() - dt.timedelta(days=30)
    referral = make_referral(person=make_person(organisation=organisation), received_at=start)
    for days, outcome in attempts:
        services.referral_attempt_contact(
            actor=OPERATOR,
            referral=referral,
            method="phone",
            outcome=outcome,
            at=start + dt.timedelta(days=days, hours=1),
        )
    assert services.referral_suggests_closing(referral) is suggests


def test_closing_is_not_suggested_once_the_referral_is_decided(organisation: Organisation) -> None:
    start = now() - dt.timedelta(days=30)
    referral = make_referral(person=make_person(organisation=organisation), received_at=start)
    for days in (0, 7, 14):
        services.referral_attempt_contact(
            actor=OPERATOR,
            referral=referral,
            method="phone",
            outcome="no-answer",
            at=start + dt.timedelta(days=days),
        )
    assert services.referral_suggests_closing(referral)
    services.referral_close_unable_to_contact(actor=OPERATOR, referral=referral)
    assert not services.referral_suggests_closing(referral)


# Not appropriate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "redirected_to", "fields"),
    [
        ("", "Community mental health team", {"reason"}),
        ("bored", "Community mental health team", {"reason"}),
        ("specialist-mh", "", {"redirected_to"}),
        ("specialist-mh", "   ", {"redirected_to"}),
        ("", "", {"reason", "redirected_to"}),
    ],
)
def test_not_appropriate_needs_a_reason_and_a_redirection(
    organisation: Organisation, reason: str, redirected_to: str, fields: set[str]
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    with pytest.raises(ValidationFailed) as raised:
        services.referral_mark_not_appropriate(
            actor=OPERATOR, referral=referral, reason=reason, redirected_to=redirected_to
        )
    assert set(raised.value.fields) == fields
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    assert referral.not_appropriate_reason == ""
    assert not OutcomeMessage.objects.exists()


def test_a_redirected_referral_records_why_and_where_and_tells_the_referrer(
    organisation: Organisation,
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    give_consent(person=referral.person, purpose="share-gp-referrer")
    services.referral_mark_not_appropriate(
        actor=OPERATOR,
        referral=referral,
        reason="specialist-mh",
        redirected_to=" Leeds Community Mental Health Team ",
        note="Talked it through with the GP.",
    )
    referral.refresh_from_db()
    assert referral.status == S.NOT_APPROPRIATE
    assert referral.redirected_to == "Leeds Community Mental Health Team"
    letter = OutcomeMessage.objects.get(referral=referral)
    assert letter.kind == OutcomeMessageKind.REDIRECTED
    assert "Reason: Needs specialist mental health support." in letter.body
    assert "Passed to: Leeds Community Mental Health Team." in letter.body


def test_without_sharing_consent_a_redirection_letter_says_where_but_not_why(
    organisation: Organisation,
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    services.referral_mark_not_appropriate(
        actor=OPERATOR, referral=referral, reason="specialist-mh", redirected_to="Leeds CMHT"
    )
    letter = OutcomeMessage.objects.get(referral=referral)
    assert "Passed to: Leeds CMHT." in letter.body
    assert "mental health" not in letter.body


# Outcome letters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (S.ACCEPTED, OutcomeMessageKind.ACCEPTED),
        (S.DECLINED, OutcomeMessageKind.DECLINED),
        (S.UNABLE_TO_CONTACT, OutcomeMessageKind.UNABLE_TO_CONTACT),
        (S.NOT_APPROPRIATE, OutcomeMessageKind.REDIRECTED),
    ],
)
def test_each_decision_writes_one_letter_to_the_referrer(
    organisation: Organisation, status: str, kind: str
) -> None:
    referral = referral_in(status, organisation)
    letter = OutcomeMessage.objects.get(referral=referral)
    assert letter.kind == kind
    assert letter.recipient == "Dr Ada Shah, Riverside Surgery"
    assert letter.subject.startswith(f"Referral {referral.reference}: ")
    assert letter.body.startswith("Dear Dr Ada Shah,")
    assert referral.reference in letter.body
    assert referral.reason not in letter.body, "the referral's details are not repeated to the referrer"
    assert AuditEvent.objects.filter(event="referral.outcome_sent", object_id=str(referral.pk)).count() == 1


def test_no_letter_is_written_for_a_referral_still_open(organisation: Organisation) -> None:
    referral_in(S.CONTACT_ATTEMPTED, organisation)
    assert not OutcomeMessage.objects.exists()


def test_self_referrals_get_no_letters(organisation: Organisation, connector: User) -> None:
    for action in ("decline", "mark_not_appropriate"):
        # Even with someone named as referrer, a self-referral has no one to write to.
        referral = make_referral(person=make_person(organisation=organisation), source=ReferralSource.SELF)
        do(action, referral)
    public = services.referral_self_submit(
        organisation=organisation,
        person_details={"first_name": "Sam"},
        needs="Someone to talk to",
        agreed_to_support=True,
        agreed_to_share_with_gp=True,
        ip_address="192.0.2.1",
    )
    episode = make_episode(connector=connector, referral=public)
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met")
    assert not OutcomeMessage.objects.exists()


def test_a_referral_with_no_referrer_to_write_to_gets_no_letter(organisation: Organisation) -> None:
    referral = make_referral(
        person=make_person(organisation=organisation), referrer_name="", referrer_organisation="Surgery"
    )
    services.referral_decline(actor=OPERATOR, referral=referral)
    assert not OutcomeMessage.objects.exists()


def close_with_a_letter(organisation: Organisation, connector: User, person: Person) -> OutcomeMessage:
    episode = make_episode(connector=connector, person=person)
    episode_plan_ending(
        actor=OPERATOR,
        episode=episode,
        continuing_connections="Tuesday walking group",
        contacts_after_ending="",
        follow_up_on=None,
        relies_on_service_for_company=False,
    )
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met")
    return OutcomeMessage.objects.get(referral=episode.referral, kind=OutcomeMessageKind.SUPPORT_ENDED)


def test_the_support_ended_letter_gives_detail_when_the_person_agreed_to_share_it(
    organisation: Organisation, connector: User
) -> None:
    person = make_person(organisation=organisation)
    give_consent(person=person, purpose="share-gp-referrer")
    letter = close_with_a_letter(organisation, connector, person)
    assert "How support ended: Goals met." in letter.body
    assert "Tuesday walking group" in letter.body
    assert "not agreed" not in letter.body


@pytest.mark.parametrize("consent", ["none", "refused", "withdrawn", "other-purpose"])
def test_the_support_ended_letter_gives_no_detail_without_consent_to_share(
    organisation: Organisation, connector: User, consent: str
) -> None:
    person = make_person(organisation=organisation)
    if consent == "refused":
        give_consent(person=person, purpose="share-gp-referrer", agreed=False)
    elif consent == "withdrawn":
        consent_withdraw(actor=OPERATOR, consent=give_consent(person=person, purpose="share-gp-referrer"))
    elif consent == "other-purpose":
        give_consent(person=person, purpose="support")
    letter = close_with_a_letter(organisation, connector, person)
    assert "How support ended" not in letter.body
    assert "Tuesday walking group" not in letter.body
    assert "They have not agreed to us sharing more detail" in letter.body
    assert letter.body.startswith("Dear Dr Ada Shah,")


# Self-referral ----------------------------------------------------------------------------


def submit(organisation: Organisation, *, ip: str = "192.0.2.1", first_name: str = "Sam") -> Referral:
    return services.referral_self_submit(
        organisation=organisation,
        person_details={"first_name": first_name, "last_name": "Green", "postcode": "ls6 2ab"},
        needs="  I moved here last year and do not know anyone.  ",
        agreed_to_support=True,
        agreed_to_share_with_gp=False,
        ip_address=ip,
    )


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Referral.objects.count(), Consent.objects.count()


def test_a_self_referral_creates_the_person_the_referral_and_their_consents(
    organisation: Organisation,
) -> None:
    referral = submit(organisation)
    person = referral.person
    assert (person.first_name, person.postcode, person.organisation) == ("Sam", "LS6 2AB", organisation)
    assert person.team is None
    assert referral.status == S.RECEIVED
    assert referral.source == ReferralSource.SELF
    assert referral.via_public_form
    assert referral.needs == "I moved here last year and do not know anyone."
    assert referral.submitted_from and "192.0.2.1" not in referral.submitted_from
    consents = {c.purpose: (c.agreed, c.method, c.recorded_by) for c in person.consents.all()}
    assert consents == {
        "support": (True, "online", None),
        "share-gp-referrer": (False, "online", None),
    }
    event = AuditEvent.objects.get(event="referral.self_referred")
    assert event.actor_id is None
    assert event.organisation_id == organisation.pk


def test_a_self_referral_without_agreement_to_support_is_refused_and_creates_nothing(
    organisation: Organisation,
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        services.referral_self_submit(
            organisation=organisation,
            person_details={"first_name": "Sam"},
            needs="",
            agreed_to_support=False,
            agreed_to_share_with_gp=True,
            ip_address="192.0.2.1",
        )
    assert list(raised.value.fields) == ["agreed_to_support"]
    assert counts() == (0, 0, 0)


def test_a_self_referral_with_bad_details_creates_nothing(organisation: Organisation) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        services.referral_self_submit(
            organisation=organisation,
            person_details={"first_name": "Sam", "email": "not-an-address"},
            needs="",
            agreed_to_support=True,
            agreed_to_share_with_gp=True,
            ip_address="192.0.2.1",
        )
    assert list(raised.value.fields) == ["email"]
    assert counts() == (0, 0, 0)
    assert AuditEvent.objects.count() == events


def test_self_referrals_are_limited_per_address_per_hour(organisation: Organisation) -> None:
    for number in range(services.SELF_REFERRALS_PER_HOUR):
        submit(organisation, first_name=f"Sam{number}")
    before = counts()
    with pytest.raises(DomainError) as raised:
        submit(organisation, first_name="Sixth")
    assert raised.value.code == "RATE_LIMITED"
    assert raised.value.message == services.SELF_REFERRAL_LIMIT
    assert counts() == before
    assert not Person.objects.filter(first_name="Sixth").exists()

    other = submit(organisation, ip="198.51.100.7", first_name="Other")
    assert other.person.first_name == "Other"


def test_self_referrals_older_than_an_hour_do_not_count_towards_the_limit(organisation: Organisation) -> None:
    for number in range(services.SELF_REFERRALS_PER_HOUR):
        submit(organisation, first_name=f"Sam{number}")
    # Time passes: the five referrals were received more than an hour ago.
    Referral.objects.update(received_at=now() - dt.timedelta(hours=1, minutes=1))
    assert submit(organisation, first_name="Later").person.first_name == "Later"


# Staff referrals --------------------------------------------------------------------------


def test_a_connector_records_a_referral_for_a_person(connector: User, organisation: Organisation) -> None:
    person = make_person(organisation=organisation)
    received = now() - dt.timedelta(days=2)
    referral = make_referral(person=person, actor=connector, received_at=received)
    assert referral.reference.startswith("LW-") and len(referral.reference) == 9
    assert (referral.status, referral.received_at, referral.organisation) == (
        S.RECEIVED,
        received,
        organisation,
    )
    assert AuditEvent.objects.get(event="referral.created").actor_id == connector.pk


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"source": "rumour"}, "source"),
        ({"source": "gp", "urgency": "yesterday"}, "urgency"),
        ({"source": "gp", "received_at": now() + dt.timedelta(days=1)}, "received_at"),
    ],
)
def test_a_referral_with_bad_details_is_refused(
    organisation: Organisation, details: dict[str, object], field: str
) -> None:
    person = make_person(organisation=organisation)
    with pytest.raises(ValidationFailed) as raised:
        services.referral_create(actor=OPERATOR, person=person, details=details)
    assert list(raised.value.fields) == [field]
    assert not Referral.objects.exists()


def test_staff_who_cannot_see_the_person_cannot_touch_the_referral(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    referral = make_referral(person=make_person(organisation=organisation))
    outsider = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    analyst = make_staff(organisation=organisation, roles=[Role.ANALYST])
    actions: list[Callable[[User], object]] = [
        lambda actor: services.referral_attempt_contact(
            actor=actor, referral=referral, method="phone", outcome="spoke"
        ),
        lambda actor: services.referral_decline(actor=actor, referral=referral),
        lambda actor: make_referral(person=referral.person, actor=actor),
    ]
    for actor in (outsider, analyst):
        for action in actions:
            with pytest.raises(PermissionDenied):
                action(actor)
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("hours", [-48, 48])
def test_contact_attempts_must_fall_between_the_referral_and_now(
    organisation: Organisation, hours: int
) -> None:
    referral = make_referral(
        person=make_person(organisation=organisation), received_at=now() - dt.timedelta(hours=24)
    )
    with pytest.raises(ValidationFailed):
        services.referral_attempt_contact(
            actor=OPERATOR,
            referral=referral,
            method="phone",
            outcome="no-answer",
            at=referral.received_at + dt.timedelta(hours=hours)
            if hours < 0
            else now() + dt.timedelta(hours=hours),
        )
    assert not referral.attempts.exists()
