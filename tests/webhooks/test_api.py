"""The webhooks API: organisation admins list, add and remove endpoints and read delivery logs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from linkwork.accounts.models import User
from linkwork.webhooks.models import WebhookEndpoint
from linkwork.webhooks.services import endpoint_send_test
from tests.conftest import signed_in
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.org/linkwork"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_an_admin_adds_lists_reads_the_log_of_and_removes_an_endpoint(admin: User) -> None:
    client = signed_in(admin)
    created = post(client, "/api/v1/webhooks", {"url": HOOK, "events": ["episode.closed"]})
    assert created.status_code == 201
    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret and body["endpoint"]["events"] == ["episode.closed"]

    listed = client.get("/api/v1/webhooks").json()
    assert [item["url"] for item in listed] == [HOOK] and "secret" not in listed[0]

    endpoint_send_test(actor=admin, endpoint=endpoint)
    log = client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries").json()
    assert log["count"] == 1
    (item,) = log["items"]
    assert item["event"] == "webhook.test" and item["status"] == "pending" and item["attempt_log"] == []
    assert item["payload"]["data"] == {"test": True}

    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_an_address_that_is_not_https_is_refused_with_the_field_named(admin: User, settings: Any) -> None:
    settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL = False
    response = post(
        signed_in(admin), "/api/v1/webhooks", {"url": "http://example.org", "events": ["episode.closed"]}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"url"}
    unknown = post(signed_in(admin), "/api/v1/webhooks", {"url": HOOK, "events": ["person.created"]})
    assert unknown.status_code == 422
    assert not WebhookEndpoint.objects.exists()


def test_other_staff_are_refused_and_another_organisations_admin_finds_nothing(
    admin: User, connector: User, outsider_admin: User
) -> None:
    endpoint, _ = make_endpoint(admin=admin, url=HOOK)
    staff = signed_in(connector)
    assert staff.get("/api/v1/webhooks").status_code == 403
    assert post(staff, "/api/v1/webhooks", {"url": HOOK, "events": ["episode.closed"]}).status_code == 403
    outsider = signed_in(outsider_admin)
    assert outsider.get("/api/v1/webhooks").json() == []
    assert outsider.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries").status_code == 404
    assert outsider.delete(f"/api/v1/webhooks/{endpoint.pk}").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
