"""One organisation with a person at every step of the journey, built once per test module.

The data lives in a transaction opened for the module and rolled back at its end; each request the
tests make runs in a savepoint of its own (`probe`), so an allowed POST changes nothing for the next.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.plugin import DjangoDbBlocker

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.accounts.services import token_create
from linkwork.directory import search
from linkwork.directory.models import Closure, ServiceAtLocation, Taxonomy, TaxonomyTerm
from linkwork.directory.services import listing_claim, problem_report
from linkwork.matching.connections import connection_create, connection_move, provider_link_create
from linkwork.matching.shortlists import shortlist_add, shortlist_link_create
from linkwork.networks.services import entry_add
from linkwork.outcomes.models import SafeguardingAlert
from linkwork.outcomes.services import measure_link_create, measure_record, story_create
from linkwork.referrals.models import OutcomeMessage
from linkwork.support.services import extension_request, goal_create
from linkwork.webhooks.services import endpoint_create, endpoint_send_test
from tests.directory.factories import make_service
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import give_consent, make_episode, make_person, make_referral
from tests.permissions.matrix import ANONYMOUS, OUTSIDER, Principal

# PHQ-9 with "Nearly every day" on item 9 (thoughts of self-harm) raises a safeguarding alert.
WORRYING_PHQ9 = ["Not at all"] * 8 + ["Nearly every day"]


@dataclass
class World:
    """Ids to fill URL patterns with, a signed-in session per principal, and the records themselves."""

    ids: dict[str, str]
    sessions: dict[Principal, str]
    users: dict[str, User]
    records: dict[str, Any] = field(default_factory=dict)

    def client(self, principal: Principal) -> Client:
        client = Client()
        session_key = self.sessions.get(principal)
        if session_key is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        return client

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def probe(client: Client, method: str, url: str, body: Any = None) -> HttpResponse:
    """Send a request (an API body as JSON, an empty form to a page) and undo whatever it wrote."""
    with transaction.atomic():
        send = getattr(client, method.lower())
        if method == "GET":
            response: HttpResponse = send(url)
        elif url.startswith("/api/"):
            response = send(
                url, data=json.dumps({} if body is None else body), content_type="application/json"
            )
        else:
            response = send(url, data={})
        transaction.set_rollback(True)
    return response


def _build() -> World:
    organisation = make_organisation(name="Riverside Connectors")
    north = make_team(organisation=organisation, name="North")
    west = make_team(organisation=organisation, name="West")
    staff = {
        "connector": make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north]),
        "volunteer": make_staff(organisation=organisation, roles=[Role.VOLUNTEER]),
        "supervisor": make_staff(organisation=organisation, roles=[Role.SUPERVISOR], teams=[north]),
        "directory_editor": make_staff(organisation=organisation, roles=[Role.DIRECTORY_EDITOR]),
        "analyst": make_staff(organisation=organisation, roles=[Role.ANALYST]),
        "organisation_admin": make_staff(organisation=organisation, roles=[Role.ORGANISATION_ADMIN]),
    }
    connector, volunteer = staff["connector"], staff["volunteer"]
    other_organisation = make_organisation(name="Northgate Befriending")
    outsider = make_staff(
        organisation=other_organisation, roles=list(Role), teams=[make_team(organisation=other_organisation)]
    )
    users = {
        **staff,
        OUTSIDER: outsider,
        "west_connector": make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[west]),
        "unassigned_volunteer": make_staff(organisation=organisation, roles=[Role.VOLUNTEER]),
    }

    person = make_person(organisation=organisation, first_name="Mabel", postcode="W10 6AB")
    give_consent(person=person, purpose="story")
    referral = make_referral(person=person)
    episode = make_episode(connector=connector, referral=referral, team=north, volunteers=[volunteer])
    consent = person.consents.get(purpose="volunteer-contact")
    message = OutcomeMessage.objects.filter(referral=referral).first()
    extension = extension_request(
        actor=connector, episode=episode, new_end_on=None, extra_contacts=2, reason="Needs more time."
    )
    goal = goal_create(actor=connector, episode=episode, title="Join a walking group")
    measure_record(
        actor=connector, episode=episode, instrument="phq9", time_point="baseline", answers=WORRYING_PHQ9
    )
    alert = SafeguardingAlert.objects.get(episode=episode)
    story = story_create(actor=connector, episode=episode, title="Back out", text="Mabel walks on Tuesdays.")
    network_entry = entry_add(actor=connector, person=person, label="Sister", type="family", ring="inner")
    _link, answer_token = measure_link_create(
        actor=connector, episode=episode, instrument="ucla3", time_point="baseline"
    )

    service = make_service(owner=organisation)
    schedule = service.schedules.get()
    closure = Closure.objects.create(
        service=service, starts_on=dt.date(2030, 8, 1), ends_on=dt.date(2030, 8, 31), reason="Summer"
    )
    claim = listing_claim(
        service=service,
        details={"claimant_name": "Sam Okafor", "claimant_email": "sam@example.org", "claimant_role": "Lead"},
        ip_address="10.0.0.1",
    )
    problem = problem_report(service=service, details={"kind": "closed"}, ip_address="10.0.0.1")
    taxonomy = Taxonomy.objects.create(name="Activities")
    term = TaxonomyTerm.objects.create(name="Walking", code="walking", taxonomy_detail=taxonomy)
    service_at_location = ServiceAtLocation.objects.get(service=service)
    connection = connection_create(actor=connector, person=person, service=service)
    interested = connection_move(
        actor=connector,
        connection=connection_create(
            actor=connector, person=person, service=make_service(owner=organisation)
        ),
        action="interested",
    )
    _provider_link, confirm_token = provider_link_create(
        actor=connector, connection=interested, request="Could Mabel join on Tuesday?"
    )
    shortlist_item = shortlist_add(actor=connector, person=person, service_id=service.pk)
    _shortlist_link, shortlist_token = shortlist_link_create(
        actor=connector, shortlist=shortlist_item.shortlist
    )
    api_token, _raw = token_create(actor=OPERATOR, user=connector, name="Laptop")
    webhook, _secret = endpoint_create(
        actor=OPERATOR, organisation=organisation, url="https://example.org/hook", events=["episode.closed"]
    )
    webhook_delivery = endpoint_send_test(actor=OPERATOR, endpoint=webhook)

    # The other organisation's records, for "unknown and forbidden look the same".
    other_connector = make_staff(organisation=other_organisation, roles=[Role.CONNECTOR])
    other_person = make_person(organisation=other_organisation, first_name="Olu")
    give_consent(person=other_person, purpose="story")
    other_episode = make_episode(connector=other_connector, person=other_person)
    other_story = story_create(actor=OPERATOR, episode=other_episode, title="Hidden", text="Not yours.")
    search.invalidate()

    ids = {
        "person_id": str(person.pk),
        "episode_id": str(episode.pk),
        "referral_id": str(referral.pk),
        "message_id": str(message.pk if message else 0),
        "consent_id": str(consent.pk),
        "alert_id": str(alert.pk),
        "extension_id": str(extension.pk),
        "goal_id": str(goal.pk),
        "story_id": str(story.pk),
        "entry_id": str(network_entry.pk),
        "programme_id": str(episode.programme_id),
        "instrument_code": "ucla3",
        "code": "ucla3",
        "time_point": "baseline",
        "connection_id": str(connection.pk),
        "action": "discuss",
        "directory_action": "archive",
        "connector_id": str(connector.pk),
        "item_id": str(shortlist_item.pk),
        "staff_id": str(connector.pk),
        "team_id": str(west.pk),
        "token_id": str(api_token.pk),
        "webhook_id": str(webhook.pk),
        "delivery_id": str(webhook_delivery.pk),
        "service_id": str(service.pk),
        "schedule_id": str(schedule.pk),
        "closure_id": str(closure.pk),
        "claim_id": str(claim.pk),
        "report_id": str(problem.pk),
        "organization_id": str(service.organization_id),
        "service_at_location_id": str(service_at_location.pk),
        "taxonomy_id": str(taxonomy.pk),
        "term_id": str(term.pk),
        "name": "service",
        "table_key": "referrals_by_month",
        "file_type": "svg",
        "organisation_slug": organisation.slug,
        "uidb64": urlsafe_base64_encode(force_bytes(connector.pk)),
        "token": default_token_generator.make_token(connector),
        "answer_token": answer_token,
        "confirm_token": confirm_token,
        "shortlist_token": shortlist_token,
        "path": f"no-such-thing-{uuid.uuid4().hex[:6]}",
    }
    records: dict[str, Any] = {
        "person": person,
        "referral": referral,
        "episode": episode,
        "story": story,
        "connection": connection,
        "other_person": other_episode.person,
        "other_referral": other_episode.referral,
        "other_episode": other_episode,
        "other_story": other_story,
    }
    sessions: dict[Principal, str] = {}
    for principal in (*staff, OUTSIDER):
        client = Client()
        client.force_login(users[principal])
        sessions[principal] = client.session.session_key or ""
    assert ANONYMOUS not in sessions
    return World(ids=ids, sessions=sessions, users=users, records=records)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    # The root conftest's fast hasher is per test; building the world happens before any test.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield _build()
        transaction.set_rollback(True)
    search.invalidate()
