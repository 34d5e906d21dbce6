"""The closed loop: the provider's signed, expiring link, what it shows, and what each answer does."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import NoReverseMatch, include, path, reverse

from linkwork.audit.models import AuditEvent
from linkwork.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from linkwork.core.time import now
from linkwork.matching.connections import (
    LINK_SALT,
    connection_create,
    connection_move,
    provider_confirm,
    provider_link_create,
    provider_link_revoke,
    provider_request_get,
)
from linkwork.matching.models.connections import Connection, ConnectionMove, ProviderLink
from tests.matching.test_connections import SURNAME, Case, at_stage, build_case

try:
    reverse("provider_confirm", args=["x"])
    MOUNTED = True
except NoReverseMatch:  # until the lead includes the connection pages in linkwork.urls
    MOUNTED = False

urlpatterns = [
    path("", include("linkwork.matching.urls_connections")),
    path("", include("linkwork.urls")),
]
pytestmark = [] if MOUNTED else [pytest.mark.urls(__name__)]

REQUEST = "Could Mary join the Tuesday walk? She would like someone to meet her at the gate."


@pytest.fixture
def case(db: None) -> Case:
    return build_case()


@pytest.fixture
def connection(case: Case) -> Connection:
    made = connection_create(actor=case.connector, person=case.person, service=case.service)
    return at_stage(made, "referred")


@pytest.fixture
def token(case: Case, connection: Connection) -> str:
    _, made = provider_link_create(actor=case.connector, connection=connection, request=REQUEST)
    return made


def page(token: str) -> str:
    return f"/confirm/{token}/"


# Making the link


def test_a_link_stores_only_a_hash_of_its_secret(case: Case, connection: Connection) -> None:
    link, token = provider_link_create(actor=case.connector, connection=connection, request=REQUEST)
    assert link.token_hash not in token
    secret = token.split(":")[0].split(".", 1)[1]
    assert secret not in str(ProviderLink.objects.values_list().get())
    assert link.contact_details == case.connector.email
    assert link.expires_at - link.created_at == dt.timedelta(days=14)
    event = AuditEvent.objects.get(event="connection.provider_link_created")
    assert event.object_id == str(connection.pk)
    assert secret not in str(event.values)


def test_a_link_needs_a_request_and_a_way_to_reach_the_connector(case: Case, connection: Connection) -> None:
    with pytest.raises(ValidationFailed) as error:
        provider_link_create(actor=case.connector, connection=connection, request="  ")
    assert "request" in error.value.fields
    case.connector.email = ""
    case.connector.save()
    with pytest.raises(ValidationFailed) as error:
        provider_link_create(actor=case.connector, connection=connection, request=REQUEST)
    assert "contact_details" in error.value.fields
    assert not ProviderLink.objects.exists()


@pytest.mark.parametrize("status", ["suggested", "discussed", "declined", "attended", "stopped"])
def test_a_link_is_made_only_on_the_way_to_a_first_visit(
    case: Case, connection: Connection, status: str
) -> None:
    at_stage(connection, status)
    with pytest.raises(InvalidTransition):
        provider_link_create(actor=case.connector, connection=connection, request=REQUEST)


def test_only_casework_staff_may_make_or_revoke_a_link(case: Case, connection: Connection) -> None:
    for actor in (case.volunteer, case.admin, case.outside_connector, case.outsider):
        with pytest.raises(PermissionDenied):
            provider_link_create(actor=actor, connection=connection, request=REQUEST)
        with pytest.raises(PermissionDenied):
            provider_link_revoke(actor=actor, connection=connection)


def test_a_new_link_replaces_the_old_one(case: Case, connection: Connection, token: str) -> None:
    _, newer = provider_link_create(actor=case.connector, connection=connection, request=REQUEST)
    with pytest.raises(NotFound):
        provider_request_get(token)
    assert provider_request_get(newer).first_name == "Mary"


def test_a_revoked_link_stops_working(case: Case, connection: Connection, token: str) -> None:
    assert provider_link_revoke(actor=case.connector, connection=connection) == 1
    with pytest.raises(NotFound):
        provider_request_get(token)
    with pytest.raises(NotFound):
        provider_confirm(token=token, answer="received")


# What the provider sees


def test_the_link_shows_the_first_name_and_the_request_only(
    case: Case, connection: Connection, token: str
) -> None:
    shown = provider_request_get(token)
    assert shown.first_name == "Mary"
    assert shown.request == REQUEST
    assert shown.service_name == "Tuesday Walking Group"
    assert shown.organisation_name == "Riverside Connectors"
    assert shown.contact_details == case.connector.email
    assert SURNAME not in str(shown)


def test_the_page_shows_no_surname_and_no_contact_details_of_the_person(token: str) -> None:
    response = Client().get(page(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mary" in html and REQUEST.split("?")[0] in html
    for private in (SURNAME, "07700 900123", "mary@example.org", "W10 6AB"):
        assert private not in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# Expiry and tampering


def test_an_expired_link_is_refused(connection: Connection, token: str) -> None:
    ProviderLink.objects.update(expires_at=now() - dt.timedelta(seconds=1))
    with pytest.raises(NotFound):
        provider_request_get(token)
    with pytest.raises(NotFound):
        provider_confirm(token=token, answer="attended")
    response = Client().post(page(token), {"answer": "attended"})
    assert response.status_code == 404
    assert "Mary" not in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "referred"


def test_a_signature_older_than_its_limit_is_refused_even_if_the_record_says_otherwise(token: str) -> None:
    value = signing.TimestampSigner(salt=LINK_SALT).unsign(token)

    class LongAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 61 * 24 * 3600)

    old = LongAgo(salt=LINK_SALT).sign(value)
    ProviderLink.objects.update(expires_at=now() + dt.timedelta(days=365))
    with pytest.raises(NotFound):
        provider_request_get(old)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "9" + token,  # another link's id
        lambda token: token.replace(".", ".x", 1),  # the secret
        lambda token: token.split(":")[0],  # no signature at all
        lambda token: "made-up",
    ],
)
def test_a_tampered_link_shows_nothing(connection: Connection, token: str, tamper: object) -> None:
    altered = tamper(token)  # type: ignore[operator]
    assert altered != token
    with pytest.raises(NotFound):
        provider_request_get(altered)
    public = Client()
    for response in (public.get(page(altered)), public.post(page(altered), {"answer": "attended"})):
        assert response.status_code == 404
        html = response.content.decode()
        assert "Mary" not in html and "Tuesday Walking Group" not in html and "does not work" in html
    assert Connection.objects.get(pk=connection.pk).status == "referred"
    assert not ProviderLink.objects.exclude(answer="").exists()


def test_a_correctly_signed_token_with_the_wrong_secret_is_refused(token: str) -> None:
    link_id = signing.TimestampSigner(salt=LINK_SALT).unsign(token).split(".")[0]
    forged = signing.TimestampSigner(salt=LINK_SALT).sign(f"{link_id}.guessed-secret")
    with pytest.raises(NotFound):
        provider_request_get(forged)


# Each answer


def test_referral_received_moves_an_interested_connection_to_referred(
    case: Case, connection: Connection
) -> None:
    at_stage(connection, "interested")
    _, token = provider_link_create(actor=case.connector, connection=connection, request=REQUEST)
    provider_confirm(token=token, answer="received")
    connection.refresh_from_db()
    assert connection.status == "referred"
    assert connection.provider_acknowledged_at is not None
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert move is not None
    assert (move.action, move.from_status, move.to_status) == ("provider_received", "interested", "referred")
    assert move.by_provider and move.moved_by is None


def test_person_attended_moves_to_attended_first_visit(connection: Connection, token: str) -> None:
    provider_confirm(token=token, answer="attended")
    assert Connection.objects.get(pk=connection.pk).status == "attended"


def test_could_not_help_stops_the_connection_with_their_reason(connection: Connection, token: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        provider_confirm(token=token, answer="could_not_help", reason=" ")
    assert "reason" in error.value.fields
    provider_confirm(token=token, answer="could_not_help", reason="The group is full until spring")
    connection.refresh_from_db()
    assert connection.status == "stopped"
    assert (connection.reason, connection.reason_detail) == (
        "provider_could_not_help",
        "The group is full until spring",
    )


def test_an_unknown_answer_is_refused(connection: Connection, token: str) -> None:
    with pytest.raises(ValidationFailed):
        provider_confirm(token=token, answer="maybe")
    assert Connection.objects.get(pk=connection.pk).status == "referred"


def test_each_answer_is_audited_without_an_actor(connection: Connection, token: str) -> None:
    provider_confirm(token=token, answer="received")
    provider_confirm(token=token, answer="attended")
    events = list(AuditEvent.objects.filter(event="connection.provider_confirmed").order_by("seq"))
    assert [event.values["answer"] for event in events] == ["received", "attended"]
    assert all(event.actor_id is None and event.actor_username == "" for event in events)
    assert events[1].values["status"] == ["referred", "attended"]
    assert all(event.organisation_id == connection.organisation_id for event in events)


def test_an_answer_for_a_stage_already_passed_is_kept_but_changes_nothing(
    case: Case, connection: Connection, token: str
) -> None:
    connection_move(actor=case.connector, connection=connection, action="attended")
    connection_move(actor=case.connector, connection=connection, action="attending")
    provider_confirm(token=token, answer="attended")
    connection.refresh_from_db()
    assert connection.status == "attending"
    move = ConnectionMove.objects.filter(connection=connection).last()
    assert move is not None and move.detail == {"no_change": True} and move.to_status == "attending"


# Reuse after a final answer


@pytest.mark.parametrize(("answer", "reason"), [("attended", ""), ("could_not_help", "No space")])
def test_after_a_final_answer_the_link_is_spent(
    connection: Connection, token: str, answer: str, reason: str
) -> None:
    provider_confirm(token=token, answer=answer, reason=reason)
    status = Connection.objects.get(pk=connection.pk).status
    with pytest.raises(InvalidTransition) as error:
        provider_confirm(token=token, answer="received")
    assert error.value.code == "ALREADY_ANSWERED"
    assert provider_request_get(token).answered
    assert provider_request_get(token).first_name == ""
    public = Client()
    for response in (public.get(page(token)), public.post(page(token), {"answer": "attended"})):
        assert response.status_code == 410
        html = response.content.decode()
        assert "already been answered" in html
        assert "Mary" not in html and REQUEST not in html
    assert Connection.objects.get(pk=connection.pk).status == status
    assert ConnectionMove.objects.filter(connection=connection, by_provider=True).count() == 1


def test_referral_received_leaves_the_link_open_for_the_next_answer(
    connection: Connection, token: str
) -> None:
    provider_confirm(token=token, answer="received")
    response = Client().get(page(token))
    assert response.status_code == 200
    assert "received this referral" in response.content.decode()
    provider_confirm(token=token, answer="attended")
    assert Connection.objects.get(pk=connection.pk).status == "attended"


# The provider's page


def test_the_provider_answers_on_the_page_without_signing_in(connection: Connection, token: str) -> None:
    public = Client(enforce_csrf_checks=False)
    response = public.post(page(token), {"answer": "could_not_help", "reason": ""})
    assert response.status_code == 200
    assert "why not" in response.content.decode().lower() or "could not help" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "referred"
    response = public.post(page(token), {"answer": "could_not_help", "reason": "We have closed for winter"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "stopped"


def test_the_page_refuses_an_answer_that_is_not_on_the_list(connection: Connection, token: str) -> None:
    response = Client().post(page(token), {"answer": "maybe"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Connection.objects.get(pk=connection.pk).status == "referred"
