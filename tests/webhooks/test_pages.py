"""The webhooks pages: what an organisation admin sees and does, and that nobody else can."""

from __future__ import annotations

from typing import Any

import pytest

from linkwork.accounts.models import Organisation, User
from linkwork.audit.models import AuditEvent
from linkwork.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import signed_in
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.org/linkwork"


def test_an_admin_adds_an_endpoint_and_sees_the_secret_only_on_the_page_after(admin: User) -> None:
    client = signed_in(admin)
    form = client.get("/webhooks/add/").content.decode()
    assert "Address that receives the events" in form and "A referral is received" in form

    response = client.post(
        "/webhooks/add/", {"url": HOOK, "description": "Practice system", "events": ["referral.received"]}
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    html = response.content.decode()
    assert endpoint.secret in html and "This is the only time the secret is shown" in html

    for page in ("/webhooks/", f"/webhooks/{endpoint.pk}/"):
        shown = client.get(page).content.decode()
        assert HOOK in shown and endpoint.secret not in shown
    assert "Practice system" in client.get("/webhooks/").content.decode()


def test_a_bad_address_is_shown_on_the_form_and_nothing_is_added(admin: User, settings: Any) -> None:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    response = signed_in(admin).post("/webhooks/add/", {"url": "http://hooks.example.org/", "events": []})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "must start with https://" in html and "Choose at least one event to send." in html
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_pauses_resumes_rotates_tests_and_removes_an_endpoint(admin: User) -> None:
    endpoint, old_secret = make_endpoint(admin=admin, url=HOOK)
    client = signed_in(admin)

    assert client.post(f"/webhooks/{endpoint.pk}/pause/").status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Paused" in client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    client.post(f"/webhooks/{endpoint.pk}/resume/")
    endpoint.refresh_from_db()
    assert endpoint.active

    rotated = client.post(f"/webhooks/{endpoint.pk}/rotate-secret/").content.decode()
    endpoint.refresh_from_db()
    assert (
        endpoint.secret != old_secret
        and endpoint.secret in rotated
        and "The old secret no longer works" in rotated
    )

    client.post(f"/webhooks/{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "webhook.test"
    assert "webhook.test" in client.get(f"/webhooks/{endpoint.pk}/").content.decode()

    assert "Remove this endpoint?" in client.get(f"/webhooks/{endpoint.pk}/delete/").content.decode()
    assert client.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert [
        entry.event for entry in AuditEvent.objects.filter(event__startswith="webhook.").order_by("seq")
    ] == [
        "webhook.created",
        "webhook.paused",
        "webhook.resumed",
        "webhook.secret_rotated",
        "webhook.test_sent",
        "webhook.deleted",
    ]


def test_the_delivery_log_shows_each_attempt_and_retry_now_only_for_failed_deliveries(admin: User) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=HOOK)
    client = signed_in(admin)
    client.post(f"/webhooks/{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert "Retry now" not in client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    refused = client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/", follow=True)
    assert "Only a delivery that failed can be tried again." in refused.content.decode()

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.GAVE_UP, attempts=6, last_error="The receiver answered 503."
    )
    delivery.attempt_log.create(number=1, started_at=delivery.created_at, error="The receiver answered 503.")
    html = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "Gave up" in html and "Retry now" in html and "The receiver answered 503." in html
    response = client.post(f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/", follow=True)
    assert "The delivery is being tried again now." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None


@pytest.mark.parametrize("fixture", ["connector", "supervisor", "volunteer"])
def test_staff_who_are_not_organisation_admins_are_refused(
    request: pytest.FixtureRequest, admin: User, fixture: str
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=HOOK)
    client = signed_in(request.getfixturevalue(fixture))
    assert client.get("/webhooks/").status_code == 403
    assert client.get("/webhooks/add/").status_code == 403
    assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 404


def test_another_organisations_admin_gets_not_found_and_changes_nothing(
    admin: User, outsider_admin: User, organisation: Organisation
) -> None:
    endpoint, secret = make_endpoint(admin=admin, url=HOOK)
    signed_in(admin).post(f"/webhooks/{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    client = signed_in(outsider_admin)
    assert HOOK not in client.get("/webhooks/").content.decode()
    for method, url in [
        ("get", f"/webhooks/{endpoint.pk}/"),
        ("get", f"/webhooks/{endpoint.pk}/delete/"),
        ("post", f"/webhooks/{endpoint.pk}/delete/"),
        ("post", f"/webhooks/{endpoint.pk}/pause/"),
        ("post", f"/webhooks/{endpoint.pk}/rotate-secret/"),
        ("post", f"/webhooks/{endpoint.pk}/test/"),
        ("post", f"/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/retry/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.secret == secret and WebhookDelivery.objects.count() == 1


def test_the_admins_navigation_links_to_webhooks(admin: User, connector: User) -> None:
    assert 'href="/webhooks/"' in signed_in(admin).get("/").content.decode()
    assert 'href="/webhooks/"' not in signed_in(connector).get("/").content.decode()
