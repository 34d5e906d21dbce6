"""Background tasks for webhooks, run by `linkwork db-worker` (docs/operations.md)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from linkwork.webhooks.delivery import delivery_attempt


@task()
def deliver(delivery_id: int) -> str:
    """Send one webhook delivery if it is due; a failure queues the next try with `run_after`."""
    return delivery_attempt(delivery_id=delivery_id, schedule=enqueue)


def enqueue(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    """Queue `deliver` for a delivery, now or at `run_after`."""
    (deliver if run_after is None else deliver.using(run_after=run_after)).enqueue(delivery_id)
