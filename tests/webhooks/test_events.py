"""Each event fires from the real service call, only after its transaction commits, only to the
record's own organisation's active endpoints that subscribed to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.matching.connections import (
    connection_create,
    connection_move,
    provider_confirm,
    provider_link_create,
)
from linkwork.referrals.services import referral_self_submit
from linkwork.support.services import episode_close
from linkwork.webhooks.models import WebhookDelivery
from linkwork.webhooks.services import endpoint_set_active
from tests.directory.factories import make_service
from tests.factories import make_staff
from tests.journey_factories import make_episode, make_person, make_referral
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
BASE = "http://127.0.0.1:8000/api/v1"
HOOK = "https://hooks.example.org/linkwork"


def sent() -> list[tuple[str, dict[str, Any]]]:
    return [(delivery.event, delivery.payload["data"]) for delivery in WebhookDelivery.objects.order_by("pk")]


def test_recording_a_referral_sends_referral_received(
    admin: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    make_endpoint(admin=admin, url=HOOK)
    person = make_person(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(person=person)
    assert sent() == [
        (
            "referral.received",
            {
                "referral": {"id": referral.pk, "url": f"{BASE}/referrals/{referral.pk}"},
                "person": {"id": person.pk, "url": f"{BASE}/people/{person.pk}"},
            },
        )
    ]


def test_a_self_referral_from_the_public_form_sends_referral_received(
    admin: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    make_endpoint(admin=admin, url=HOOK)
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_self_submit(
            organisation=organisation,
            person_details={"first_name": "Sam"},
            needs="Someone to talk to",
            agreed_to_support=True,
            agreed_to_share_with_gp=False,
            ip_address="192.0.2.1",
        )
    assert [(event, data["referral"]["id"]) for event, data in sent()] == [("referral.received", referral.pk)]


def test_closing_support_sends_episode_closed(
    admin: User, connector: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    episode = make_episode(connector=connector)
    make_endpoint(admin=admin, url=HOOK)
    with django_capture_on_commit_callbacks(execute=True):
        episode_close(actor=connector, episode=episode, outcome="goals-met")
    assert sent() == [
        (
            "episode.closed",
            {
                "episode": {"id": episode.pk, "url": f"{BASE}/episodes/{episode.pk}"},
                "person": {"id": episode.person_id, "url": f"{BASE}/people/{episode.person_id}"},
            },
        )
    ]


def test_a_first_visit_recorded_by_staff_sends_connection_attended_and_earlier_steps_send_nothing(
    admin: User, connector: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    episode = make_episode(connector=connector)
    make_endpoint(admin=admin, url=HOOK)
    with django_capture_on_commit_callbacks(execute=True):
        connection = connection_create(
            actor=connector, person=episode.person, service=make_service(owner=organisation)
        )
        for action in ("interested", "refer"):
            connection_move(actor=connector, connection=connection, action=action)
    assert sent() == []
    with django_capture_on_commit_callbacks(execute=True):
        connection_move(actor=connector, connection=connection, action="attended")
    assert sent() == [
        (
            "connection.attended",
            {
                "connection": {"id": connection.pk, "url": f"{BASE}/connections/{connection.pk}"},
                "person": {"id": episode.person_id, "url": f"{BASE}/people/{episode.person_id}"},
            },
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        connection_move(actor=connector, connection=connection, action="attending")
    assert len(sent()) == 1, "going regularly afterwards is not a first visit"


def test_the_providers_answer_that_the_person_came_sends_connection_attended(
    admin: User, connector: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    episode = make_episode(connector=connector)
    connection = connection_create(
        actor=connector, person=episode.person, service=make_service(owner=organisation)
    )
    connection_move(actor=connector, connection=connection, action="interested")
    _link, token = provider_link_create(actor=connector, connection=connection, request="Can Sam join?")
    make_endpoint(admin=admin, url=HOOK)
    with django_capture_on_commit_callbacks(execute=True):
        provider_confirm(token=token, answer="received")
    assert sent() == []
    with django_capture_on_commit_callbacks(execute=True):
        provider_confirm(token=token, answer="attended")
    assert [(event, data["connection"]["id"]) for event, data in sent()] == [
        ("connection.attended", connection.pk)
    ]


def test_deliveries_are_made_only_after_the_transaction_commits(
    admin: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    make_endpoint(admin=admin, url=HOOK)
    person = make_person(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_referral(person=person)
    assert sent() == []
    for callback in callbacks:
        callback()
    assert len(sent()) == 1


def test_a_referral_rolled_back_notifies_nobody(
    admin: User, organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    make_endpoint(admin=admin, url=HOOK)
    person = make_person(organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        make_referral(person=person)
        raise RuntimeError("something later in the same transaction failed")
    assert sent() == []


def test_only_subscribed_active_endpoints_of_the_records_organisation_get_the_event(
    admin: User,
    outsider_admin: User,
    organisation: Organisation,
    other_organisation: Organisation,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    wanted, _ = make_endpoint(admin=admin, url=HOOK, events=["referral.received"])
    also, _ = make_endpoint(admin=admin, url=HOOK + "/copy", events=["referral.received", "episode.closed"])
    make_endpoint(admin=admin, url=HOOK + "/closings", events=["episode.closed"])
    paused, _ = make_endpoint(admin=admin, url=HOOK + "/paused", events=["referral.received"])
    endpoint_set_active(actor=admin, endpoint=paused, active=False)
    make_endpoint(admin=outsider_admin, url=HOOK + "/northgate", events=["referral.received"])

    with django_capture_on_commit_callbacks(execute=True):
        make_referral(person=make_person(organisation=organisation))

    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [delivery.endpoint_id for delivery in deliveries] == [wanted.pk, also.pk]
    assert deliveries[0].event_id == deliveries[1].event_id, "one event has one id, whoever receives it"
    assert {delivery.payload["organisation"] for delivery in deliveries} == {organisation.slug}


def test_an_organisation_without_endpoints_gets_no_deliveries(
    organisation: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR])
    with django_capture_on_commit_callbacks(execute=True):
        make_episode(connector=connector)
    assert sent() == []
