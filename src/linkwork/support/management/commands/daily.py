"""`linkwork daily`: the once-a-day housekeeping (run it from cron or a systemd timer)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand

from linkwork.core.policies import Operator
from linkwork.directory.services import entries_sweep, public_contacts_expire
from linkwork.privacy.services import retention_run_all
from linkwork.support.services import episodes_mark_follow_ups_due


class Command(BaseCommand):
    help = (
        "Daily housekeeping: move closed support episodes whose follow-up date has come to 'follow-up due', "
        "directory entries whose last check is getting old to 'review due' and then 'stale', and clear "
        "the contact details the public gave with suggestions, problem reports and claims once they have "
        "been decided for LINKWORK_DIRECTORY_CONTACT_RETENTION_DAYS; anonymise people kept past their "
        "organisation's retention period."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        operator = Operator(f"daily:{getpass.getuser()}")
        count = episodes_mark_follow_ups_due(actor=operator)
        self.stdout.write(f"{count} support episode(s) now have a follow-up due.")
        sweep = entries_sweep(actor=operator)
        entries = "directory entry is" if sweep.review_due == 1 else "directory entries are"
        self.stdout.write(f"{sweep.review_due} {entries} now due for review; {sweep.stale} now marked stale.")
        cleared = public_contacts_expire(actor=operator)
        self.stdout.write(
            "Contact details cleared from "
            f"{cleared.suggestions} suggestion(s), {cleared.problem_reports} problem report(s) "
            f"and {cleared.claims} claim(s) decided long enough ago."
        )
        retained = retention_run_all(actor=operator)
        anonymised = sum(len(result.person_ids) for result in retained)
        self.stdout.write(f"{anonymised} person(s) kept past their retention period anonymised.")
