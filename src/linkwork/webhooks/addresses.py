"""Which addresses a webhook may be sent to.

Only HTTPS to public hosts, so a webhook cannot be used to reach machines inside the server's own
network. Plain HTTP to this machine (127.0.0.1, localhost, [::1]) and HTTPS to private hosts are
allowed only with LINKWORK_WEBHOOKS_ALLOW_LOCAL, which tests and development use and
`linkwork check --deploy` refuses.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from linkwork.core.errors import ValidationFailed

URL_MAX_LENGTH = 500
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

URL_REQUIRED = "Enter the address that will receive the events, starting with https://."
URL_INVALID = "Enter a full web address, like https://example.org/linkwork-events."
URL_TOO_LONG = f"Keep the address to {URL_MAX_LENGTH} characters."
URL_NOT_HTTPS = "The address must start with https:// so the events are encrypted on their way."
URL_CREDENTIALS = "Leave the user name and password out of the address."
URL_PRIVATE = "The address must be on the public internet, not a private or local network."


def local_allowed() -> bool:
    return bool(settings.LINKWORK_WEBHOOKS_ALLOW_LOCAL)


def _is_private_ip(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def is_private_host(host: str) -> bool:
    """A name or IP literal that points inside a network rather than at the public internet."""
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES or host.endswith((".localhost", ".local", ".internal")):
        return True
    return _is_private_ip(host)


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"url": message})


def clean_url(raw: str) -> str:
    """The address, checked: https to a public host, or a local one when that is allowed."""
    url = raw.strip()
    if not url:
        raise _fail(URL_REQUIRED)
    if len(url) > URL_MAX_LENGTH:
        raise _fail(URL_TOO_LONG)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise _fail(URL_INVALID) from None
    if parts.scheme not in ("http", "https") or not host or any(char.isspace() for char in url):
        raise _fail(URL_INVALID)
    if parts.username or parts.password:
        raise _fail(URL_CREDENTIALS)
    if parts.scheme == "http" and not (local_allowed() and host in LOOPBACK_NAMES):
        raise _fail(URL_NOT_HTTPS)
    if is_private_host(host) and not local_allowed():
        raise _fail(URL_PRIVATE)
    return url


def resolves_privately(url: str) -> bool:
    """True when the host's name leads to a private address at sending time (a public name can be
    pointed inside the network after it was checked). A name that does not resolve is left for the
    request itself to report."""
    host = urlsplit(url).hostname or ""
    if is_private_host(host):
        return True
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(_is_private_ip(str(info[4][0]).split("%", 1)[0]) for info in found)
