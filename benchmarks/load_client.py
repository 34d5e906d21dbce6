"""The load benchmark's users: each a thread with its own keep-alive connection and cookies, like a browser.

Plain threads and `http.client` rather than Locust: no new dependency, no gevent monkey-patching inside a
Django process, and the client stays light on a two-core machine it shares with the server.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

REQUEST_TIMEOUT_S = 30.0
# A worker's first requests load its search and matching indexes (and the semantic model, when installed).
FIRST_VISIT_TIMEOUT_S = 600.0
# A connection the server closed while the user was thinking fails before any answer: open a new one.
STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class RequestFailed(Exception):
    """An answer other than the expected one, or none at all."""


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


class FormFields(HTMLParser):
    """The name and value of every input of the page's POST form that a browser would send as it is."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in_post_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._in_post_form = attributes.get("method", "").lower() == "post"
        elif tag == "input" and self._in_post_form and attributes.get("name"):
            kind = attributes.get("type", "text").lower()
            if kind not in {"radio", "checkbox", "submit", "button"} or "checked" in attributes:
                self.values[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False


def form_fields(page: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page)
    return parser.values


class Browser:
    """One signed-in user's connection and cookies."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.port = port
        self.timeout = timeout
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def _send(self, method: str, path: str, body: str | None, headers: dict[str, str]) -> Answer:
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        text = response.read().decode(errors="replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return Answer(response.status, response.headers.get("Location", ""), text)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
        reused = self._connection is not None
        try:
            try:
                return self._send(method, path, body, headers)
            except STALE_CONNECTION_ERRORS:
                if not reused:
                    raise
                self.close()
                return self._send(method, path, body, headers)
        except BaseException:
            # A connection left half-way through an exchange cannot carry the next request.
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def expect(answer: Answer, status: int, what: str) -> Answer:
    if answer.status != status:
        where = f" to {answer.location}" if answer.location else ""
        raise RequestFailed(f"{what}: HTTP {answer.status}{where} (expected {status})")
    return answer


def sign_in(browser: Browser, username: str, password: str) -> None:
    page = expect(browser.request("GET", "/sign-in/"), 200, "sign-in page")
    fields = form_fields(page.body) | {"username": username, "password": password}
    answer = browser.request("POST", "/sign-in/", fields)
    if answer.status != 302 or "sessionid" not in browser.cookies:
        raise RequestFailed(
            f"Signing in as {username} did not give a session (HTTP {answer.status}). If sign-in now asks "
            "for more (a second factor, a locked account), the demo users must be allowed to sign in with "
            "their password in development."
        )


Action = Callable[[Browser, random.Random], None]


@dataclass
class Tally:
    """Every user's timings and failures, by kind of request."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, milliseconds: float, failure: str | None) -> None:
        with self.lock:
            if failure is None:
                self.samples[kind].append(milliseconds)
                return
            self.errors[kind] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {failure}")


def timed(tally: Tally, kind: str, step: Callable[[], object]) -> None:
    started = time.perf_counter()
    failure = None
    try:
        step()
    except (RequestFailed, OSError, http.client.HTTPException) as error:
        failure = f"{type(error).__name__}: {error}"
    tally.record(kind, (time.perf_counter() - started) * 1000, failure)


def drive(
    browsers: Sequence[Browser],
    user_loop: Callable[[int, Browser, float], None],
    seconds: float,
) -> float:
    """Run `user_loop(number, browser, stop_at)` in one thread per user; the wall time it took."""
    started = time.monotonic()
    stop_at = started + seconds
    threads = [
        threading.Thread(target=user_loop, args=(number, browser, stop_at), daemon=True)
        for number, browser in enumerate(browsers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started
