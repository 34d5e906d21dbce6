"""Registering endpoints: address rules, the secret, who may manage them, and the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.core.checks import linkwork_deploy_checks
from linkwork.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from linkwork.webhooks import selectors
from linkwork.webhooks.addresses import (
    URL_CREDENTIALS,
    URL_INVALID,
    URL_NOT_HTTPS,
    URL_PRIVATE,
    URL_REQUIRED,
    URL_TOO_LONG,
    clean_url,
)
from linkwork.webhooks.models import TEST_EVENT, WebhookDelivery, WebhookEndpoint
from linkwork.webhooks.services import (
    EVENTS_REQUIRED,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_send_test,
    endpoint_set_active,
)
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.org/linkwork"


@pytest.fixture
def no_local(settings: Any) -> Any:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    return settings


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/linkwork",
        "https://example.org:8443/in?source=linkwork",
        "  https://a.example/  ",
    ],
)
def test_https_addresses_on_the_public_internet_are_accepted(no_local: Any, url: str) -> None:
    assert clean_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", URL_REQUIRED),
        ("http://hooks.example.org/linkwork", URL_NOT_HTTPS),
        ("http://127.0.0.1:9000/hook", URL_NOT_HTTPS),
        ("ftp://hooks.example.org/", URL_INVALID),
        ("hooks.example.org/linkwork", URL_INVALID),
        ("https://", URL_INVALID),
        ("https://example.org:port/", URL_INVALID),
        ("https://user:password@hooks.example.org/", URL_CREDENTIALS),
        ("https://127.0.0.1/hook", URL_PRIVATE),
        ("https://localhost/hook", URL_PRIVATE),
        ("https://10.1.2.3/hook", URL_PRIVATE),
        ("https://192.168.0.10/hook", URL_PRIVATE),
        ("https://169.254.169.254/latest/meta-data", URL_PRIVATE),
        ("https://[::1]/hook", URL_PRIVATE),
        ("https://printer.local/hook", URL_PRIVATE),
        ("https://example.org/" + "a" * 500, URL_TOO_LONG),
    ],
)
def test_other_addresses_are_refused_without_the_local_setting(no_local: Any, url: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        clean_url(url)
    assert refused.value.fields == {"url": message}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000/hook", "http://localhost:9000/hook", "https://10.1.2.3/hook"]
)
def test_local_and_private_addresses_are_accepted_only_with_the_setting(settings: Any, url: str) -> None:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = True
    assert clean_url(url) == url
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    with pytest.raises(ValidationFailed):
        clean_url(url)


def test_plain_http_to_another_host_is_refused_even_with_the_setting(settings: Any) -> None:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = True
    with pytest.raises(ValidationFailed) as refused:
        clean_url("http://10.1.2.3/hook")
    assert refused.value.fields == {"url": URL_NOT_HTTPS}


def test_the_deploy_check_refuses_the_local_setting(settings: Any) -> None:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = True
    assert "linkwork.E030" in [problem.id for problem in linkwork_deploy_checks()]
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    assert "linkwork.E030" not in [problem.id for problem in linkwork_deploy_checks()]


def test_an_admin_adds_an_endpoint_with_a_secret_returned_once_and_audited(
    admin: User, organisation: Organisation
) -> None:
    endpoint, secret = endpoint_create(
        actor=admin,
        organisation=organisation,
        url=HOOK,
        events=["episode.closed", "referral.received", "episode.closed"],
        description="  Practice system ",
    )
    assert secret.startswith("whsec_") and len(secret) > 40
    assert endpoint.secret == secret, "kept as given, because deliveries are signed with it"
    assert endpoint.events == ["referral.received", "episode.closed"]
    assert endpoint.description == "Practice system" and endpoint.created_by == admin and endpoint.active
    entry = AuditEvent.objects.get(event="webhook.created")
    assert entry.object_id == str(endpoint.pk) and entry.organisation_id == organisation.pk
    assert secret not in str(entry.values) + str(entry.detail)
    _, another = make_endpoint(admin=admin, url=HOOK)
    assert another != secret


def test_bad_details_are_all_reported_and_nothing_is_created(
    admin: User, organisation: Organisation, no_local: Any
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        endpoint_create(
            actor=admin,
            organisation=organisation,
            url="http://x.example",
            events=["referral.sent"],
            description="x" * 201,
        )
    assert set(refused.value.fields) == {"url", "events", "description"}
    assert refused.value.fields["events"] == EVENTS_REQUIRED
    with pytest.raises(ValidationFailed):
        endpoint_create(actor=admin, organisation=organisation, url=HOOK, events=[])
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(event="webhook.created").exists()


@pytest.mark.parametrize("fixture", ["connector", "supervisor", "volunteer", "outsider_admin"])
def test_only_an_organisation_admin_of_the_same_organisation_may_add_an_endpoint(
    request: pytest.FixtureRequest, organisation: Organisation, fixture: str
) -> None:
    actor: User = request.getfixturevalue(fixture)
    with pytest.raises(PermissionDenied):
        endpoint_create(actor=actor, organisation=organisation, url=HOOK, events=["referral.received"])
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.filter(event="auth.permission_denied").exists()


def test_another_organisations_endpoints_are_not_found_and_cannot_be_changed(
    admin: User, outsider_admin: User, connector: User
) -> None:
    endpoint, secret = make_endpoint(admin=admin, url=HOOK)
    assert list(selectors.endpoint_list(actor=outsider_admin)) == []
    assert list(selectors.endpoint_list(actor=connector)) == []
    for actor in (outsider_admin, connector):
        with pytest.raises(NotFound):
            selectors.endpoint_get(actor=actor, webhook_id=endpoint.pk)
        with pytest.raises(PermissionDenied):
            endpoint_rotate_secret(actor=actor, endpoint=endpoint)
        with pytest.raises(PermissionDenied):
            endpoint_set_active(actor=actor, endpoint=endpoint, active=False)
        with pytest.raises(PermissionDenied):
            endpoint_delete(actor=actor, endpoint=endpoint)
        with pytest.raises(PermissionDenied):
            endpoint_send_test(actor=actor, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.secret == secret and endpoint.active


def test_rotating_the_secret_replaces_it_and_is_audited(admin: User) -> None:
    endpoint, old = make_endpoint(admin=admin, url=HOOK)
    new = endpoint_rotate_secret(actor=admin, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert new != old and endpoint.secret == new and endpoint.secret_rotated_at is not None
    entry = AuditEvent.objects.get(event="webhook.secret_rotated")
    assert entry.fields == ["secret"] and new not in str(entry.values) + str(entry.detail)


def test_removing_an_endpoint_removes_its_log_and_is_audited(admin: User) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=HOOK)
    endpoint_id = endpoint.pk
    endpoint_send_test(actor=admin, endpoint=endpoint)
    endpoint_delete(actor=admin, endpoint=endpoint)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    entry = AuditEvent.objects.get(event="webhook.deleted")
    assert entry.object_id == str(endpoint_id) and entry.values == {"deliveries": 1}


def test_a_test_event_carries_no_records_and_a_paused_endpoint_refuses_it(admin: User) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=HOOK)
    delivery = endpoint_send_test(actor=admin, endpoint=endpoint)
    assert delivery.event == TEST_EVENT and delivery.payload["type"] == TEST_EVENT
    assert delivery.payload["data"] == {"test": True}
    assert AuditEvent.objects.filter(event="webhook.test_sent").count() == 1
    endpoint_set_active(actor=admin, endpoint=endpoint, active=False)
    with pytest.raises(DomainError) as refused:
        endpoint_send_test(actor=admin, endpoint=endpoint)
    assert refused.value.code == "ENDPOINT_NOT_ACTIVE"
    assert WebhookDelivery.objects.count() == 1
