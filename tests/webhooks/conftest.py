"""A real HTTP receiver on 127.0.0.1, a clock the delivery code reads, and a way to run the queued
background tasks as `linkwork db-worker` would, without waiting for real backoff delays."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db.models import Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from linkwork.accounts.models import Organisation, User
from linkwork.core.time import now
from linkwork.webhooks import delivery as delivery_module
from linkwork.webhooks import services as services_module
from linkwork.webhooks.models import WebhookEndpoint
from linkwork.webhooks.services import endpoint_create


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers 500 to the next `fail_times` of them, or a redirect when asked."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    fail_times: int = 0
    redirect_to: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: Request) -> tuple[int, dict[str, str]]:
        with self.lock:
            self.requests.append(request)
            if self.redirect_to:
                return 302, {"Location": self.redirect_to}
            if self.fail_times > 0:
                self.fail_times -= 1
                return 500, {}
        return 204, {}


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, extra = receiver.answer(Request(path=self.path, headers=headers, body=body))
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (http.server's signature)
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(made))
    made.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/linkwork"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Clock:
    """The time the webhook code sees; tests move it on instead of waiting."""

    def __init__(self) -> None:
        self.at = now().replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self.at += delta
        return self.at


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(delivery_module, "now", made)
    monkeypatch.setattr(services_module, "now", made)
    return made


def queued(at: dt.datetime | None = None) -> list[DBTaskResult[Any, Any]]:
    """Tasks waiting in the database queue, due by `at` when given, soonest first."""
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    if at is not None:
        tasks = tasks.filter(Q(run_after=get_date_max()) | Q(run_after__lte=at))
    return list(tasks.order_by("run_after", "enqueued_at"))


def run_due_tasks(at: dt.datetime) -> list[Any]:
    """Run every queued task due by `at` through the worker's own code, and return their results."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
    )
    results = []
    while due := queued(at):
        task = due[0]
        task.claim("tests")
        worker.run_task(task)
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL, task.traceback
        results.append(task.return_value)
    return results


def make_endpoint(
    *, admin: User, url: str, events: list[str] | None = None, organisation: Organisation | None = None
) -> tuple[WebhookEndpoint, str]:
    return endpoint_create(
        actor=admin,
        organisation=organisation or admin.organisation,  # type: ignore[arg-type]
        url=url,
        events=events or ["referral.received", "episode.closed", "connection.attended"],
    )
