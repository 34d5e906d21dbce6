"""`linkwork check`: Django's system checks; with --deploy any warning also fails."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.check import Command as DjangoCheckCommand


class Command(DjangoCheckCommand):
    def handle(self, *app_labels: Any, **options: Any) -> None:
        # Django's own security findings are warnings; for a deployment they are failures too.
        if options.get("deploy") and options.get("fail_level") == "ERROR":
            options["fail_level"] = "WARNING"
        super().handle(*app_labels, **options)
