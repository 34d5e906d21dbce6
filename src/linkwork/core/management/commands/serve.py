"""`linkwork serve`: the production web server (gunicorn), static files through WhiteNoise."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication


class LinkworkServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from linkwork.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve linkwork with gunicorn (static files are served by WhiteNoise)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "2")),
            help="worker processes",
        )
        # linkwork's pages spend their time in Python, not waiting: one thread per process (and more
        # processes) answers faster than threads sharing a process's interpreter lock
        # (docs/benchmarks.md, "Load").
        parser.add_argument("--threads", type=int, default=1, help="threads per worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1 or options["threads"] < 1 or not 0 < options["port"] < 65536:
            self.stderr.write("--workers and --threads must be at least 1, and --port between 1 and 65535.")
            raise SystemExit(2)
        self.stdout.write(f"linkwork is serving on http://{options['host']}:{options['port']}/")
        LinkworkServer(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": "-",
                "timeout": 60,
                # One control socket per user would be shared by every `linkwork serve`; we use none.
                "control_socket_disable": True,
            }
        ).run()
