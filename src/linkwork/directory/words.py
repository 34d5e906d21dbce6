"""Directory entries in plain English for pages and printouts: dates, clock times, journeys and
sessions. Shared by the public pages, the editors' pages and shortlists, so they say things alike."""

from __future__ import annotations

import datetime as dt

from linkwork.directory import geography, recurrence
from linkwork.directory.models import Schedule, Service

NEXT_SESSIONS_DAYS = 28
NEXT_SESSIONS_SHOWN = 8


def long_date(day: dt.date) -> str:
    """3 March 2026."""
    return f"{day.day} {recurrence.MONTH_NAMES[day.month - 1]} {day.year}"


def clock(moment: dt.time) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}{suffix}" if moment.minute else f"{hour}{suffix}"


def minutes_words(minutes: int) -> str:
    """For example, "20 minutes", "1 hour", "1 hour 5 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def journey_words(journey: geography.Journey) -> str:
    """For example, "1.2 km · about 20 minutes’ walk · about 15 minutes by bus"."""
    km = f"{max(journey.km, 0.1):.1f} km"
    walking = minutes_words(journey.walk_minutes)
    walk = f"about {walking}{'’' if walking.endswith('s') else '’s'} walk"
    bus = f"about {minutes_words(journey.bus_minutes)} by bus"
    return " · ".join((km, walk, bus))


def closures_of(service: Service) -> tuple[recurrence.Closure, ...]:
    return tuple(
        recurrence.Closure(closure.starts_on, closure.ends_on, closure.reason)
        for closure in service.closures.all()
    )


def recurrence_of(schedule: Schedule, closures: tuple[recurrence.Closure, ...]) -> recurrence.Recurrence:
    """One HSDS schedule as a recurrence carrying the entry's closures."""
    return recurrence.Recurrence(
        freq=schedule.freq,
        interval=schedule.interval,
        byday=schedule.byday,
        bymonthday=schedule.bymonthday,
        byweekno=schedule.byweekno,
        byyearday=schedule.byyearday,
        wkst=schedule.wkst,
        count=schedule.count,
        until=schedule.until,
        dtstart=schedule.dtstart,
        valid_from=schedule.valid_from,
        valid_to=schedule.valid_to,
        opens_at=schedule.opens_at,
        closes_at=schedule.closes_at,
        description=schedule.description,
        closures=closures,
    )


def recurrences(service: Service) -> list[recurrence.Recurrence]:
    """The entry's schedules as recurrences, each carrying the entry's closures."""
    closures = closures_of(service)
    return [recurrence_of(schedule, closures) for schedule in service.schedules.all()]


def when_lines(service: Service, today: dt.date) -> list[str]:
    """Each session time in plain English, e.g. "Tuesdays, 10am to 12pm"; repeated lines once."""
    lines: list[str] = []
    for rule in recurrences(service):
        line = recurrence.describe(rule, today)
        if line not in lines:
            lines.append(line)
    return lines


def closure_lines(service: Service, today: dt.date) -> list[str]:
    return recurrence.describe_closures(recurrence.Recurrence(closures=closures_of(service)), today)


def next_sessions(service: Service, today: dt.date, *, shown: int = NEXT_SESSIONS_SHOWN) -> list[str]:
    """The next sessions over four weeks, closures left out: "Tuesday 1 December, 10am to 12pm"."""
    end = today + dt.timedelta(days=NEXT_SESSIONS_DAYS - 1)
    found = {
        (occurrence.on, occurrence.opens_at, occurrence.closes_at)
        for rule in recurrences(service)
        for occurrence in recurrence.occurrences(rule, today, end)
    }
    lines = []
    for on, opens_at, closes_at in sorted(found, key=lambda item: (item[0], item[1] or dt.time.min)):
        words = f"{recurrence.DAY_NAMES[on.weekday()]} {on.day} {recurrence.MONTH_NAMES[on.month - 1]}"
        if opens_at and closes_at:
            words += f", {clock(opens_at)} to {clock(closes_at)}"
        elif opens_at:
            words += f", from {clock(opens_at)}"
        lines.append(words)
    return lines[:shown]
