"""`linkwork bench load --users USERS --seconds S`: connectors using a production-like server at once.

Builds the demo borough (`linkwork demo-data`, scaled to the users) unless the database already holds
it, starts `linkwork serve` (gunicorn, two workers per core) on a free loopback port against the same
database, signs each user in as one of the demo connectors through the sign-in form (a real session
and CSRF token), makes each kind of request once untimed (so every worker has built its indexes, as in
a server that has been up a while), then runs the mix for --seconds (or LINKWORK_LOAD_SECONDS;
default 60): caseload, a person's page, the contact form and logging a contact (POST), a directory
search and a person's recommendations, each user waiting 0.5 to 1.5 s between requests. The
baseline is the same server's throughput on a trivial page (`/healthz` when there is one, otherwise
the sign-in page, which reads nothing from the database), with the same users asking as fast as
they can for 10 s.

The server is another process, so the data must be committed: use the default temporary database, or
`--database configured --commit` with a database made for the benchmark (how PostgreSQL is measured).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.management.base import CommandError
from django.db import connection, connections
from django.urls import Resolver404, resolve
from django.utils.timezone import localtime

from benchmarks.common import progress, report
from benchmarks.load_client import (
    FIRST_VISIT_TIMEOUT_S,
    REQUEST_TIMEOUT_S,
    Browser,
    Tally,
    drive,
    expect,
    form_fields,
    sign_in,
    timed,
)
from benchmarks.load_server import serving
from linkwork.core.policies import Operator
from linkwork.demo.builder import DEMO_PASSWORD, DemoOptions, demo_data_build, demo_data_exists
from linkwork.matching import semantic
from linkwork.support.models import ContactOutcome, ContactType, EpisodeStatus, SupportEpisode

MAX_USERS = 200
DEFAULT_SECONDS = 60
BASELINE_SECONDS = 10.0
THINK_S = (0.5, 1.5)
HEALTH_PATH = "/healthz"
FALLBACK_BASELINE_PATH = "/sign-in/"
WORDS = ("walking", "singing", "gardening", "lunch", "knitting", "coffee", "art", "choir", "reading", "chess")


@dataclass(frozen=True)
class Connector:
    """A demo connector with the people and active support episodes the mix visits."""

    username: str
    people: tuple[int, ...]
    episodes: tuple[int, ...]


def _seconds(seconds: int | None) -> int:
    if seconds is None:
        raw = os.environ.get("LINKWORK_LOAD_SECONDS", "").strip() or str(DEFAULT_SECONDS)
        if not raw.isdigit():
            raise CommandError(f"LINKWORK_LOAD_SECONDS must be a whole number of seconds, not {raw!r}.")
        seconds = int(raw)
    if seconds < 1:
        raise CommandError("The load benchmark needs to run for at least 1 second.")
    return seconds


def _connectors(users: int, seed: int) -> list[Connector]:
    if connection.in_atomic_block:
        raise CommandError(
            "The load benchmark runs a real server, which only sees committed data: use the default "
            "temporary database, or --database configured --commit with a database made for the benchmark."
        )
    if demo_data_exists():
        progress("Using the demo data already in the database.")
    else:
        options = DemoOptions(people=max(60, 4 * users), services=max(300, 20 * users), seed=seed)
        progress(f"Building the demo borough: {options.people} people, {options.services} services ...")
        # The demo's e-mails go to the console backend's stdout, which must hold only the JSON.
        with contextlib.redirect_stdout(sys.stderr):
            demo_data_build(options)
    found: dict[str, tuple[set[int], set[int]]] = {}
    for username, person_id, episode_id, status in SupportEpisode.objects.filter(
        status__in=(EpisodeStatus.ACTIVE, EpisodeStatus.PAUSED, EpisodeStatus.ENDING_PLANNED)
    ).values_list("connector__username", "person_id", "pk", "status"):
        people, episodes = found.setdefault(username, (set(), set()))
        people.add(person_id)
        if status == EpisodeStatus.ACTIVE:
            episodes.add(episode_id)
    connectors = [
        Connector(username, tuple(sorted(people)), tuple(sorted(episodes)))
        for username, (people, episodes) in sorted(found.items())
        if episodes
    ]
    if not connectors:
        raise CommandError("The database has no connector with an active support episode to work on.")
    return connectors


def _baseline_path() -> str:
    try:
        resolve(HEALTH_PATH)
    except Resolver404:
        return FALLBACK_BASELINE_PATH
    return HEALTH_PATH


def _get(browser: Browser, path: str, what: str) -> Callable[[], object]:
    return lambda: expect(browser.request("GET", path), 200, what)


def _log_contact(browser: Browser, episode: int) -> None:
    path = f"/episodes/{episode}/contacts/add/"
    fields = form_fields(browser.request("GET", path).body) | {
        # Typed as the form's hint shows: the pre-filled "now" is displayed in a format it does not read back.
        "occurred_at": localtime().strftime("%d/%m/%Y %H:%M"),
        # A check-in does not count against the episode's contact allowance, so fifty users logging
        # contacts as fast as the mix asks never fill it (a real connector logs a few a day).
        "type": ContactType.CHECK_IN,
        "outcome": ContactOutcome.ATTENDED,
        "duration_minutes": "20",
        "notes": "Talked through the week; going to the lunch club on Friday.",
    }
    expect(browser.request("POST", path, fields), 302, "log a contact")


def _visit(tally: Tally, browser: Browser, rng: random.Random, connector: Connector, kind: str) -> None:
    """One request of the mix; logging a contact opens the form first, as a connector does."""
    person, episode = rng.choice(connector.people), rng.choice(connector.episodes)
    if kind == "caseload":
        timed(tally, kind, _get(browser, "/caseload/", kind))
    elif kind == "person page":
        timed(tally, kind, _get(browser, f"/people/{person}/", kind))
    elif kind == "recommendations":
        timed(tally, kind, _get(browser, f"/people/{person}/recommendations/", kind))
    elif kind == "directory search":
        timed(tally, kind, _get(browser, f"/directory/?q={rng.choice(WORDS)}", kind))
    else:
        timed(tally, "contact form", _get(browser, f"/episodes/{episode}/contacts/add/", "contact form"))
        timed(tally, kind, lambda: _log_contact(browser, episode))


MIX = {"caseload": 2, "person page": 3, "log a contact": 1, "directory search": 2, "recommendations": 1}
KINDS = ("caseload", "person page", "contact form", "log a contact", "directory search", "recommendations")


def _row(kind: str, samples: list[float], errors: int, seconds: float) -> dict[str, Any]:
    p50 = p95 = p99 = None
    if samples:
        p50, p95, p99 = (round(float(value), 3) for value in np.percentile(samples, [50, 95, 99]))
    return {
        "operation": kind,
        "requests": len(samples) + errors,
        "errors": errors,
        "throughput_rps": round(len(samples) / seconds, 2),
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
    }


def run(*, size: int, seed: int, actor: Operator, seconds: int | None = None) -> dict[str, Any]:
    """`size` is the number of users."""
    if size > MAX_USERS:
        raise CommandError(f"The load benchmark runs at most {MAX_USERS} users: give --size, e.g. --size 50.")
    duration = _seconds(seconds)
    connectors = _connectors(size, seed)
    assigned = [connectors[number % len(connectors)] for number in range(size)]
    baseline_path = _baseline_path()
    workers = 2 * (os.cpu_count() or 1)
    warm_up_rounds = math.ceil(3 * workers / size)
    # The server writes to the same database: this process must hold no connection (or SQLite lock).
    connections.close_all()
    progress(f"Starting linkwork serve with {workers} workers ...")
    with serving(workers) as port:
        browsers = [Browser(port, FIRST_VISIT_TIMEOUT_S) for _ in range(size)]
        warm_up, mix, baseline = Tally(), Tally(), Tally()

        def signing_in(number: int, browser: Browser, stop_at: float) -> None:
            timed(warm_up, "sign in", lambda: sign_in(browser, assigned[number].username, DEMO_PASSWORD))
            if "sessionid" not in browser.cookies:
                return
            rng = random.Random(seed + number)
            for _ in range(warm_up_rounds):
                for kind in MIX:
                    # A new connection each time, so the visits spread over the workers.
                    browser.close()
                    _visit(warm_up, browser, rng, assigned[number], kind)

        def mixing(number: int, browser: Browser, stop_at: float) -> None:
            rng = random.Random(seed * 1000 + number)
            kinds, weights = list(MIX), list(MIX.values())
            while time.monotonic() < stop_at:
                _visit(mix, browser, rng, assigned[number], rng.choices(kinds, weights)[0])
                time.sleep(max(0.0, min(rng.uniform(*THINK_S), stop_at - time.monotonic())))

        def asking_for_health(number: int, browser: Browser, stop_at: float) -> None:
            while time.monotonic() < stop_at:
                timed(baseline, "baseline", _get(browser, baseline_path, "baseline"))

        progress(f"Signing in {size} users as {len(connectors)} demo connectors, first visits ...")
        drive(browsers, signing_in, 0)
        if warm_up.errors:
            raise CommandError("Signing in or the first visits failed:\n" + "\n".join(warm_up.examples))
        for browser in browsers:
            browser.close()
            browser.timeout = REQUEST_TIMEOUT_S
        progress(f"Running the mix for {duration} s ...")
        mix_s = drive(browsers, mixing, duration)
        progress(f"Measuring the baseline, GET {baseline_path}, for {BASELINE_SECONDS:.0f} s ...")
        # Anonymous, as a health check is: the sign-in page sends signed-in users on to their home page.
        anonymous = [Browser(port) for _ in range(size)]
        baseline_s = drive(anonymous, asking_for_health, BASELINE_SECONDS)
        for browser in browsers + anonymous:
            browser.close()
    results = [_row(kind, mix.samples[kind], mix.errors[kind], mix_s) for kind in KINDS]
    everything = [sample for kind in KINDS for sample in mix.samples[kind]]
    errors = sum(mix.errors.values())
    overall = _row("all", everything, errors, mix_s)
    health = _row(
        f"GET {baseline_path}", baseline.samples["baseline"], baseline.errors["baseline"], baseline_s
    )
    return report(
        "load",
        size,
        results,
        users=size,
        seconds=duration,
        workers=workers,
        think_s=list(THINK_S),
        semantic=semantic.status()[1] or semantic.ACTIVE,
        throughput_rps=overall["throughput_rps"],
        errors=errors,
        p50_ms=overall["p50_ms"],
        p95_ms=overall["p95_ms"],
        p99_ms=overall["p99_ms"],
        baseline=health,
        throughput_ratio=round(overall["throughput_rps"] / health["throughput_rps"], 3)
        if health["throughput_rps"]
        else None,
        error_examples=mix.examples + baseline.examples,
    )
