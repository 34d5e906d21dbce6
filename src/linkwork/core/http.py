"""The address a request came from, allowing for the reverse proxies in front of linkwork."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with LINKWORK_PROXY_HOPS=N the address the N-th proxy from us saw.

    Only the entries our own proxies appended to X-Forwarded-For are trusted; anything further
    left was written by the client and could be anything.
    """
    hops: int = settings.LINKWORK_PROXY_HOPS
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    return forwarded[-hops] if len(forwarded) >= hops else remote


def origin_fingerprint(ip_address: str) -> str:
    """A keyed hash of an address: enough to limit repeated public submissions, not to trace anyone."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip_address}".encode()).hexdigest()
