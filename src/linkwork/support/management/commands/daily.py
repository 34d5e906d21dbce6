"""`linkwork daily`: the once-a-day housekeeping (run it from cron or a systemd timer)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand

from linkwork.core.policies import Operator
from linkwork.directory.services import entries_sweep
from linkwork.support.services import episodes_mark_follow_ups_due


class Command(BaseCommand):
    help = (
        "Daily housekeeping: move closed support episodes whose follow-up date has come to 'follow-up due', "
        "and directory entries whose last check is getting old to 'review due' and then 'stale'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator(f"daily:{getpass.getuser()}")
        count = episodes_mark_follow_ups_due(actor=operator)
        self.stdout.write(f"{count} support episode(s) now have a follow-up due.")
        sweep = entries_sweep(actor=operator)
        entries = "directory entry is" if sweep.review_due == 1 else "directory entries are"
        self.stdout.write(f"{sweep.review_due} {entries} now due for review; {sweep.stale} now marked stale.")
