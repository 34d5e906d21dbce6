"""When things happen: HSDS 3.0 schedules in plain English, and the dates they fall on.

A `Recurrence` carries the HSDS `schedule` fields, which follow RFC 5545 RRULE (freq, interval, byday,
bymonthday, ...). Several sessions on one day (10am to 12pm and 2pm to 4pm) are several records.

Choices worth knowing:

- A one-off is `freq=""` with `dtstart`. A record with no freq and no dtstart is "described in words
  only" (`description`, e.g. "Phone to book"): it is valid, but has no dates.
- `dtstart` anchors the rule, as in RFC 5545 (and dateutil): with `interval` 2 it picks which weeks,
  and `count` counts from it. Without `dtstart`, `valid_from` is the anchor. `problems()` asks for one
  of the two whenever the anchor changes the dates (interval above 1, or a count), so with neither the
  anchor cannot matter and `occurrences()` starts from a Monday shortly before the window, for speed.
- As in dateutil, `dtstart` is only an occurrence if it fits the rule (Monday 5 January with
  "Tuesdays" first happens on Tuesday 6 January).
- Closures (school holidays, "closed in August") remove sessions; they do not push a course with a
  `count` later, just as RFC 5545 EXDATEs do not. Use `until` for courses that stop on a date.
- `valid_from`/`valid_to` bound when the schedule applies, inclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Literal

from dateutil import rrule

FREQUENCIES: dict[str, Literal[0, 1, 2, 3]] = {
    "DAILY": rrule.DAILY,
    "WEEKLY": rrule.WEEKLY,
    "MONTHLY": rrule.MONTHLY,
    "YEARLY": rrule.YEARLY,
}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NOT_GIVEN = "Times not given"

_BYDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class Closure:
    """A seasonal closure, such as school holidays or "closed in August". Dates are inclusive."""

    starts_on: date
    ends_on: date
    reason: str = ""


@dataclass(frozen=True)
class Recurrence:
    """The HSDS 3.0 `schedule` fields we use, with HSDS names, plus the service's closures."""

    freq: str = ""
    interval: int | None = None
    byday: str = ""
    bymonthday: str = ""
    byweekno: str = ""
    byyearday: str = ""
    wkst: str = ""
    count: int | None = None
    until: date | None = None
    dtstart: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    description: str = ""
    closures: tuple[Closure, ...] = ()


@dataclass(frozen=True)
class Occurrence:
    on: date
    opens_at: time | None
    closes_at: time | None


@dataclass(frozen=True)
class _Day:
    weekday: int  # 0 is Monday
    ordinal: int | None  # 1 is the first in the month (or year), -1 the last


def _tokens(text: str) -> list[str]:
    return [token for token in (part.strip().upper() for part in text.split(",")) if token]


def _days(text: str) -> list[_Day] | None:
    days: list[_Day] = []
    for token in _tokens(text):
        match = _BYDAY.fullmatch(token)
        if match is None:
            return None
        days.append(_Day(DAY_CODES.index(match[2]), int(match[1]) if match[1] else None))
    return days


def _numbers(text: str, limit: int) -> list[int] | None:
    """Whole numbers from 1 to limit, or counting back from the end, -1 to -limit. None if any are not."""
    numbers: list[int] = []
    for token in _tokens(text):
        if not re.fullmatch(r"[+-]?[0-9]{1,3}", token) or not 1 <= abs(int(token)) <= limit:
            return None
        numbers.append(int(token))
    return numbers


def _freq(r: Recurrence) -> str:
    return r.freq.strip().upper()


def _is_words_only(r: Recurrence) -> bool:
    return not _freq(r) and r.dtstart is None


def _has_rule_parts(r: Recurrence) -> bool:
    return any((r.byday.strip(), r.bymonthday.strip(), r.byweekno.strip(), r.byyearday.strip()))


def _reading_problems(r: Recurrence) -> dict[str, str]:
    """Problems that stop us saying what the schedule is (closures aside, which are described apart)."""
    out: dict[str, str] = {}
    freq = _freq(r)
    if freq and freq not in FREQUENCIES:
        out["freq"] = "Choose how often it repeats: daily, weekly, monthly or yearly."
    if not freq:
        if _has_rule_parts(r):
            out["freq"] = "Choose how often it repeats, or clear the days for a one-off date."
        has_times = r.opens_at is not None or r.closes_at is not None
        has_rule = has_times or _has_rule_parts(r) or r.count is not None or r.until is not None
        if r.dtstart is None and has_rule:
            out["dtstart"] = "Give the date of this one-off session, or choose how often it repeats."
        elif r.dtstart is None and not r.description.strip():
            out["description"] = "Say when it happens: how often it repeats, a date, or a few words."
    if r.interval is not None and r.interval < 1:
        out["interval"] = "The gap between sessions must be 1 or more."
    if r.count is not None and r.count < 1:
        out["count"] = "The number of sessions must be 1 or more."
    elif r.count is not None and r.until is not None:
        out["count"] = "Give a number of sessions or an end date, not both."

    days = _days(r.byday)
    if days is None:
        out["byday"] = "Write days like MO, TU or 1FR (the first Friday), separated by commas."
    elif any(day.ordinal is not None for day in days):
        limit = {"MONTHLY": 5, "YEARLY": 53}.get(freq)
        if limit is None or (freq == "YEARLY" and r.byweekno.strip()):
            out["byday"] = "Numbers before days, like 1FR, are only for monthly or yearly schedules."
        elif not all(day.ordinal and abs(day.ordinal) <= limit for day in days if day.ordinal is not None):
            out["byday"] = f"Numbers before days must be 1 to {limit}, or -1 for the last."

    # dateutil searches on to the year 9999 for a rule that never happens, so mixes that might never
    # happen are refused (and day 366, below).
    if days and r.bymonthday.strip() and any(day.ordinal is not None for day in days):
        out["bymonthday"] = "Give days of the month or days like 1FR (the first Friday), not both."
    if freq == "YEARLY" and sum(bool(f.strip()) for f in (r.bymonthday, r.byweekno, r.byyearday)) > 1:
        out["byyearday"] = "Give only one of: days of the month, week numbers or days of the year."
    if freq == "DAILY" and days and r.interval is not None and r.interval >= 7 and r.interval % 7 == 0:
        out["interval"] = f"Every {r.interval} days is always the same weekday. Make it a weekly schedule."

    if _numbers(r.bymonthday, 31) is None:
        out["bymonthday"] = "Days of the month must be 1 to 31, or -1 for the last day, separated by commas."
    elif r.bymonthday.strip() and freq == "WEEKLY":
        out["bymonthday"] = "A weekly schedule cannot also give days of the month."
    if _numbers(r.byweekno, 53) is None:
        out["byweekno"] = "Week numbers must be 1 to 53, separated by commas."
    elif r.byweekno.strip() and freq != "YEARLY":
        out["byweekno"] = "Week numbers are only for yearly schedules."
    if (year_days := _numbers(r.byyearday, 366)) is None:
        out["byyearday"] = "Days of the year must be 1 to 365, or -1 for the last, separated by commas."
    elif any(abs(n) == 366 for n in year_days):
        out["byyearday"] = "Day 366 is only in leap years. Use -1 for the last day of the year."
    elif r.byyearday.strip() and freq in {"DAILY", "WEEKLY", "MONTHLY"}:
        out["byyearday"] = "Days of the year are only for yearly schedules."
    if r.wkst.strip() and r.wkst.strip().upper() not in DAY_CODES:
        out["wkst"] = "The first day of the week must be written like MO or SU."

    if r.opens_at is not None and r.closes_at is not None and r.closes_at <= r.opens_at:
        out["closes_at"] = "The closing time must be after the opening time."
    if r.until is not None and r.dtstart is not None and r.until < r.dtstart:
        out["until"] = "The end date must be on or after the start date."
    if r.valid_to is not None and r.valid_from is not None and r.valid_to < r.valid_from:
        out["valid_to"] = "The last date must be on or after the first date."

    # A rule that repeats on "the day of dtstart" cannot say which day without it.
    if freq == "WEEKLY" and not r.byday.strip() and r.dtstart is None:
        out["byday"] = "Choose which day of the week it happens."
    if freq == "MONTHLY" and not (r.byday.strip() or r.bymonthday.strip()) and r.dtstart is None:
        out["byday"] = "Choose which day of the month it happens, like the 15th or the first Friday."
    if freq == "YEARLY" and not (_has_rule_parts(r) or r.dtstart is not None):
        out["dtstart"] = "Give the date it happens each year."
    return out


def _anchor_problems(r: Recurrence) -> dict[str, str]:
    """A missing start date where it decides the dates. The pattern can still be put into words."""
    freq = _freq(r)
    if freq not in FREQUENCIES or r.dtstart is not None or r.valid_from is not None:
        return {}
    if r.count is not None:
        return {"dtstart": "Give a start date, so we know when the sessions begin."}
    if (r.interval or 1) > 1:
        unit = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}[freq]
        return {"dtstart": f"Give a start date, so we know which {unit} it runs."}
    return {}


def problems(r: Recurrence) -> dict[str, str]:
    """Field name -> plain-English reason, for each thing wrong with the record. Empty when it is fine."""
    out = _anchor_problems(r) | _reading_problems(r)
    if any(closure.ends_on < closure.starts_on for closure in r.closures):
        out["closures"] = "A closure must end on or after the day it starts."
    return out


# ---------------------------------------------------------------------------------------------------
# Words


def _clock(t: time) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}:{t.minute:02d}{suffix}" if t.minute else f"{hour}{suffix}"


def _times(opens_at: time | None, closes_at: time | None) -> str:
    if opens_at and closes_at:
        return f"{_clock(opens_at)} to {_clock(closes_at)}"
    if opens_at:
        return f"from {_clock(opens_at)}"
    if closes_at:
        return f"until {_clock(closes_at)}"
    return ""


def _short_date(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _long_date(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {_short_date(day)}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _nth(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _ordinal_word(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    if n > 0:
        return words.get(n, _nth(n))
    return "last" if n == -1 else f"{words.get(-n, _nth(-n))} to last"


def _ordinal_order(n: int) -> tuple[bool, int]:
    return (n < 0, n)  # first, second, ..., then second to last, last


def _every(interval: int, unit: str) -> str:
    """ "each month", "every other month", "every 3 months"."""
    if interval == 1:
        return f"each {unit}"
    return f"every other {unit}" if interval == 2 else f"every {interval} {unit}s"


def _day_group(weekdays: list[int]) -> str:
    chosen = frozenset(weekdays)
    if chosen == _WEEKDAYS:
        return "weekdays"
    if chosen == _WEEKEND:
        return "weekends"
    return _and([f"{DAY_NAMES[day]}s" for day in sorted(chosen)])


def _weekly_words(weekdays: list[int], interval: int) -> str:
    every_day = len(set(weekdays)) == 7
    if interval == 1:
        return "Every day" if every_day else _capital(_day_group(weekdays))
    weeks = "every other week" if interval == 2 else f"every {interval} weeks"
    if every_day:
        return f"Every day, {weeks}"
    if interval == 2 and frozenset(weekdays) not in {_WEEKDAYS, _WEEKEND}:
        return "Every other " + _and([DAY_NAMES[day] for day in sorted(set(weekdays))])
    return f"{_capital(weeks)} on {_day_group(weekdays)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ordinal_days_words(days: list[_Day], period: str) -> str:
    """ "Second and fourth Tuesday of the month", "First Monday and last Friday of the month"."""
    by_weekday: dict[int, list[int]] = {}
    for day in days:
        if day.ordinal is not None:
            by_weekday.setdefault(day.weekday, []).append(day.ordinal)
    parts = [
        f"{_and([_ordinal_word(n) for n in sorted(set(ordinals), key=_ordinal_order)])} {DAY_NAMES[weekday]}"
        for weekday, ordinals in sorted(by_weekday.items())
    ]
    return f"{_and(parts)} of {period}"


def _month_days_words(numbers: list[int]) -> str:
    """ "the 1st and 15th", "the last day"."""
    positives = [_nth(n) for n in sorted(set(n for n in numbers if n > 0))]
    negatives = [f"{_ordinal_word(n)} day" for n in sorted(set(n for n in numbers if n < 0))]
    return "the " + _and(positives + negatives)


def _monthly_words(r: Recurrence, days: list[_Day], interval: int) -> str:
    plain = [day.weekday for day in days if day.ordinal is None]
    ordinal = [day for day in days if day.ordinal is not None]
    month_days = _numbers(r.bymonthday, 31) or []
    if not days and not month_days and r.dtstart is not None:
        month_days = [r.dtstart.day]
    if month_days:
        words = f"On {_month_days_words(month_days)} of {_every(interval, 'month')}"
        if days:  # RFC 5545: both must hold, as in "Friday the 13th"
            names = _and([DAY_NAMES[day.weekday] for day in days])
            words += f", when it is a {names}"
        return words
    period = "the month" if interval == 1 else _every(interval, "month")
    parts: list[str] = []
    if plain:
        parts.append(_weekly_words(plain, 1) + ("" if interval == 1 else f", {period}"))
    if ordinal:
        parts.append(_ordinal_days_words(ordinal, period))
    return _capital(" and the ".join(parts[:1] + [part[:1].lower() + part[1:] for part in parts[1:]]))


def _yearly_words(r: Recurrence, days: list[_Day], interval: int) -> str:
    year = _every(interval, "year")
    plain = [day.weekday for day in days if day.ordinal is None]
    if weeks := _numbers(r.byweekno, 53):
        week_words = (
            f"in week{'s' if len(set(weeks)) > 1 else ''} {_and([str(n) for n in sorted(set(weeks))])}"
        )
        days_words = _day_group(plain) if plain else ""
        return _capital(f"{days_words} {week_words} of {year}".strip())
    if year_days := _numbers(r.byyearday, 366):
        positives = sorted(set(n for n in year_days if n > 0))
        negatives = sorted(set(n for n in year_days if n < 0))
        words = (
            [f"day{'s' if len(positives) > 1 else ''} {_and([str(n) for n in positives])}"]
            if positives
            else []
        )
        words += [f"the {_ordinal_word(n)} day" for n in negatives]
        return f"On {_and(words)} of {year}"
    if any(day.ordinal is not None for day in days):
        period = "the year" if interval == 1 else year
        return _capital(_ordinal_days_words(days, period))
    if plain:
        return _weekly_words(plain, 1) + ("" if interval == 1 else f", {year}")
    if month_days := _numbers(r.bymonthday, 31):
        return f"On {_month_days_words(month_days)} of each month"
    assert r.dtstart is not None  # _reading_problems insists on one of the above
    every = "Every year" if interval == 1 else _capital(year)
    return f"{every} on {r.dtstart.day} {MONTH_NAMES[r.dtstart.month - 1]}"


def _pattern(r: Recurrence) -> str:
    freq = _freq(r)
    interval = r.interval or 1
    days = _days(r.byday) or []
    if freq == "DAILY":
        plain = [day.weekday for day in days]
        if plain and interval == 1:
            return _weekly_words(plain, 1)
        every = {1: "Every day", 2: "Every other day"}.get(interval, f"Every {interval} days")
        return f"{every}, on {_day_group(plain)}" if plain else every
    if freq == "WEEKLY":
        weekdays = [day.weekday for day in days]
        if not weekdays and r.dtstart is not None:
            weekdays = [r.dtstart.weekday()]
        return _weekly_words(weekdays, interval)
    if freq == "MONTHLY":
        return _monthly_words(r, days, interval)
    return _yearly_words(r, days, interval)


def _single_date(r: Recurrence) -> date | None:
    """The date of a one-off: a dtstart with no freq, or a rule that happens only once."""
    if not _freq(r):
        return r.dtstart
    if r.count == 1 and not _anchor_problems(r):
        anchor = _anchor(r, date.min)
        found = _rule_dates(r, anchor, stop=date(min(anchor.year + 100, 9999), 12, 31))
        return found[0] if found else None
    return None


def describe(r: Recurrence, today: date | None = None) -> str:
    """The schedule in plain English, e.g. "Tuesdays, 10am to 12pm, until 20 July 2026".

    Start and end dates are mentioned while they are still ahead of `today` (always, if today is None).
    """
    if _is_words_only(r) or _reading_problems(r):
        return r.description.strip() or NOT_GIVEN
    times = _times(r.opens_at, r.closes_at)
    if (single := _single_date(r)) is not None:
        return ", ".join(part for part in (_long_date(single), times) if part)
    parts = [_pattern(r), times]
    if r.count is not None:
        parts.append("1 session" if r.count == 1 else f"{r.count} sessions")
    starts = max((d for d in (r.dtstart, r.valid_from) if d is not None), default=None)
    ends = min((d for d in (r.until, r.valid_to) if d is not None), default=None)
    if starts is not None and (today is None or starts > today):
        parts.append(f"from {_short_date(starts)}")
    if ends is not None:
        parts.append(f"{'until' if today is None or ends >= today else 'ended'} {_short_date(ends)}")
    return ", ".join(part for part in parts if part)


def describe_closures(r: Recurrence, today: date | None = None) -> list[str]:
    """Closures that have not ended, soonest first, e.g. "Closed 21 December 2026 to 4 January 2027"."""
    lines: list[str] = []
    for closure in sorted(r.closures, key=lambda c: (c.starts_on, c.ends_on)):
        if today is not None and closure.ends_on < today:
            continue
        when = _short_date(closure.starts_on)
        if closure.ends_on != closure.starts_on:
            when += f" to {_short_date(closure.ends_on)}"
        reason = f" ({closure.reason.strip()})" if closure.reason.strip() else ""
        lines.append(f"Closed {when}{reason}")
    return lines


# ---------------------------------------------------------------------------------------------------
# Dates


def _anchor(r: Recurrence, start: date) -> date:
    if r.dtstart is not None:
        return r.dtstart
    if r.valid_from is not None:
        return r.valid_from
    # problems() ensures the phase cannot matter here, so any Monday before the window will do.
    # (1 January of year 1 is itself a Monday, so this never leaves the calendar.)
    year_before = date(max(start.year - 1, 1), 1, 1)
    return year_before - timedelta(days=year_before.weekday())


def _rule(r: Recurrence, anchor: date, stop: date) -> rrule.rrule:
    """The dateutil rule, without its count (callers take the first `count` dates), ending by `stop`.

    Ending by `stop` cannot change the dates before it, and keeps the search short.
    """
    days = _days(r.byday) or []
    weekdays = [
        rrule.weekdays[day.weekday] if day.ordinal is None else rrule.weekdays[day.weekday](day.ordinal)
        for day in days
    ]
    until = stop if r.until is None else min(r.until, stop)
    return rrule.rrule(
        FREQUENCIES[_freq(r)],
        dtstart=datetime.combine(anchor, time()),
        interval=r.interval or 1,
        wkst=DAY_CODES.index(r.wkst.strip().upper()) if r.wkst.strip() else None,
        until=datetime.combine(until, time()),
        bymonthday=_numbers(r.bymonthday, 31) or None,
        byweekno=_numbers(r.byweekno, 53) or None,
        byyearday=_numbers(r.byyearday, 366) or None,
        byweekday=weekdays or None,
    )


def _rule_dates(r: Recurrence, anchor: date, stop: date) -> list[date]:
    """Every date of the rule from its anchor to `stop`, the count applied."""
    found = (moment.date() for moment in _rule(r, anchor, stop))
    return list(found if r.count is None else islice(found, r.count))


def occurrences(r: Recurrence, start: date, end: date) -> list[Occurrence]:
    """Sessions from start to end inclusive, in date order, inside the validity dates and outside closures.

    Records with problems have no dates, so a mistake never shows as a wrong date.
    """
    low = max(start, r.valid_from or start)
    high = min(end, r.valid_to or end)
    if high < low or _is_words_only(r) or problems(r) or _anchor(r, low) > high:
        return []
    if not _freq(r):
        assert r.dtstart is not None  # _is_words_only
        days = [r.dtstart] if low <= r.dtstart <= high else []
    else:
        days = [day for day in _rule_dates(r, _anchor(r, low), stop=high) if day >= low]
    return [
        Occurrence(day, r.opens_at, r.closes_at)
        for day in days
        if not any(closure.starts_on <= day <= closure.ends_on for closure in r.closures)
    ]


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of the week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
