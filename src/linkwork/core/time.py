"""Aware datetimes only: store UTC, show Europe/London."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    return timezone.now()


def to_london(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("naive datetimes are not allowed; pass an aware datetime")
    return moment.astimezone(LONDON)


def local_today() -> dt.date:
    """Today's date in London, which is what "today" means to the people using linkwork."""
    return to_london(now()).date()
