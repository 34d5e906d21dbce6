"""The client address used for the audit log and the self-referral rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from linkwork.core.http import client_ip


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: a forged header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client's own entry is not trusted
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
        (2, "", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_only_our_own_proxies(
    settings: Any, hops: int, forwarded: str, expected: str
) -> None:
    settings.LINKWORK_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
