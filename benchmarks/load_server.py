"""The server under load: `linkwork serve` (gunicorn) on a free loopback port, started and stopped here."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import IO

from django.core.management.base import CommandError

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/sign-in/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _log_tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-4000:]


@contextlib.contextmanager
def serving(workers: int) -> Iterator[int]:
    """Yield the port of a running `linkwork serve` with the same environment (so the same database). The
    demo connectors it signs in as skip two-factor authentication, as in `make run`: the benchmark cannot
    read a code off a phone, and the middleware that checks for it still runs on every request."""
    port = free_port()
    with tempfile.TemporaryFile(prefix="linkwork-load-server-") as log:
        server = subprocess.Popen(  # noqa: S603 - our own command, with our own arguments
            [
                sys.executable,
                "-m",
                "linkwork.cli",
                "serve",
                "--host=127.0.0.1",
                f"--port={port}",
                f"--workers={workers}",
            ],
            env={**os.environ, "LINKWORK_DEMO_SKIP_TWO_FACTOR": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _answers(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise CommandError(f"The server did not start. Its log:\n{_log_tail(log)}")
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
