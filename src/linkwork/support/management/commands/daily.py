"""`linkwork daily`: the once-a-day housekeeping (run it from cron or a systemd timer)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand

from linkwork.core.policies import Operator
from linkwork.support.services import episodes_mark_follow_ups_due


class Command(BaseCommand):
    help = (
        "Daily housekeeping: move closed support episodes whose follow-up date has come to 'follow-up due'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = episodes_mark_follow_ups_due(actor=Operator(f"daily:{getpass.getuser()}"))
        self.stdout.write(f"{count} support episode(s) now have a follow-up due.")
