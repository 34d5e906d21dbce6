"""Schedules in plain English, the dates they fall on, and the checks that keep bad schedules out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwork.directory.recurrence import (
    Closure,
    Occurrence,
    Recurrence,
    describe,
    describe_closures,
    occurrences,
    problems,
    week_of,
)

TEN, NOON, TWO, FOUR = time(10), time(12), time(14), time(16)
JAN_2026 = (date(2026, 1, 1), date(2026, 1, 31))


def _days(r: Recurrence, start: date, end: date) -> list[date]:
    return [occurrence.on for occurrence in occurrences(r, start, end)]


# --- describe ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (Recurrence(freq="WEEKLY", byday="TU", opens_at=TEN, closes_at=NOON), "Tuesdays, 10am to 12pm"),
        (
            Recurrence(freq="WEEKLY", byday="TH,MO", opens_at=TEN, closes_at=NOON),
            "Mondays and Thursdays, 10am to 12pm",
        ),
        (Recurrence(freq="WEEKLY", byday="MO,WE,FR"), "Mondays, Wednesdays and Fridays"),
        (
            Recurrence(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at=time(9), closes_at=time(17)),
            "Weekdays, 9am to 5pm",
        ),
        (Recurrence(freq="WEEKLY", byday="SA,SU"), "Weekends"),
        (Recurrence(freq="DAILY"), "Every day"),
        (Recurrence(freq="WEEKLY", byday="MO,TU,WE,TH,FR,SA,SU"), "Every day"),
        (Recurrence(freq="DAILY", interval=2, dtstart=date(2025, 1, 1)), "Every other day"),
        (
            Recurrence(
                freq="WEEKLY", interval=2, byday="WE", dtstart=date(2025, 1, 8), opens_at=TWO, closes_at=FOUR
            ),
            "Every other Wednesday, 2pm to 4pm",
        ),
        (
            Recurrence(freq="WEEKLY", interval=3, byday="FR", dtstart=date(2025, 1, 3)),
            "Every 3 weeks on Fridays",
        ),
        (Recurrence(freq="WEEKLY", dtstart=date(2025, 1, 7)), "Tuesdays"),
        (
            Recurrence(freq="MONTHLY", byday="1FR", opens_at=TWO, closes_at=FOUR),
            "First Friday of the month, 2pm to 4pm",
        ),
        (Recurrence(freq="MONTHLY", byday="-1MO"), "Last Monday of the month"),
        (Recurrence(freq="MONTHLY", byday="2TU,4TU"), "Second and fourth Tuesday of the month"),
        (Recurrence(freq="MONTHLY", byday="-1FR,1FR"), "First and last Friday of the month"),
        (Recurrence(freq="MONTHLY", bymonthday="15"), "On the 15th of each month"),
        (Recurrence(freq="MONTHLY", bymonthday="1,-1"), "On the 1st and last day of each month"),
        (Recurrence(freq="MONTHLY", dtstart=date(2025, 1, 22)), "On the 22nd of each month"),
        (
            Recurrence(freq="MONTHLY", interval=2, byday="1FR", dtstart=date(2025, 1, 3)),
            "First Friday of every other month",
        ),
        (Recurrence(freq="YEARLY", dtstart=date(2025, 3, 14)), "Every year on 14 March"),
    ],
)
def test_describe_puts_each_pattern_into_plain_english(rule: Recurrence, words: str) -> None:
    assert describe(rule, today=date(2026, 1, 1)) == words


def test_describe_gives_a_one_off_as_its_full_date() -> None:
    one_off = Recurrence(dtstart=date(2026, 3, 14), opens_at=time(11), closes_at=time(15))
    assert describe(one_off) == "Saturday 14 March 2026, 11am to 3pm"


def test_describe_gives_a_rule_that_happens_once_as_the_date_it_happens() -> None:
    # Starting on a Monday, "Saturdays, once" is the Saturday after.
    once = Recurrence(freq="WEEKLY", byday="SA", count=1, dtstart=date(2026, 3, 9), opens_at=time(11))
    assert describe(once) == "Saturday 14 March 2026, from 11am"


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "words"),
    [
        (time(14, 30), time(16), "2:30pm to 4pm"),
        (time(12), time(13, 5), "12pm to 1:05pm"),
        (time(0), time(9), "12am to 9am"),
        (time(10), None, "from 10am"),
        (None, time(15), "until 3pm"),
    ],
)
def test_describe_writes_times_the_uk_way(opens_at: time | None, closes_at: time | None, words: str) -> None:
    assert describe(Recurrence(freq="WEEKLY", byday="MO", opens_at=opens_at, closes_at=closes_at)) == (
        f"Mondays, {words}"
    )


def test_describe_mentions_start_and_end_dates_only_while_they_are_ahead() -> None:
    term = Recurrence(
        freq="WEEKLY",
        byday="TU",
        opens_at=TEN,
        closes_at=NOON,
        valid_from=date(2026, 1, 5),
        valid_to=date(2026, 7, 20),
    )
    both = "Tuesdays, 10am to 12pm, from 5 January 2026, until 20 July 2026"
    assert describe(term, today=date(2025, 12, 1)) == both
    assert describe(term) == both
    assert describe(term, today=date(2026, 3, 1)) == "Tuesdays, 10am to 12pm, until 20 July 2026"
    assert describe(term, today=date(2026, 7, 20)) == "Tuesdays, 10am to 12pm, until 20 July 2026"
    assert describe(term, today=date(2026, 8, 1)) == "Tuesdays, 10am to 12pm, ended 20 July 2026"


def test_describe_uses_the_earlier_of_until_and_valid_to() -> None:
    rule = Recurrence(freq="WEEKLY", byday="TU", until=date(2026, 3, 31), valid_to=date(2026, 7, 20))
    assert describe(rule, today=date(2026, 1, 1)) == "Tuesdays, until 31 March 2026"


def test_describe_counts_sessions_of_a_course() -> None:
    course = Recurrence(freq="WEEKLY", byday="TU", count=6, dtstart=date(2026, 1, 6))
    assert describe(course, today=date(2026, 1, 1)) == "Tuesdays, 6 sessions, from 6 January 2026"


def test_describe_falls_back_to_the_description_when_the_rule_cannot_be_read() -> None:
    assert describe(Recurrence(freq="FORTNIGHTLY", description="Every fortnight")) == "Every fortnight"
    assert describe(Recurrence(freq="WEEKLY", byday="TUESDAY")) == "Times not given"
    assert describe(Recurrence(freq="WEEKLY", byday="TU", opens_at=NOON, closes_at=TEN)) == "Times not given"


def test_describe_gives_the_description_when_there_is_no_rule() -> None:
    assert describe(Recurrence(description="Phone to book a time")) == "Phone to book a time"
    assert describe(Recurrence()) == "Times not given"


def test_describe_still_puts_into_words_a_rule_that_lacks_only_its_start_date() -> None:
    rule = Recurrence(freq="WEEKLY", interval=2, byday="WE", opens_at=TWO, closes_at=FOUR)
    assert set(problems(rule)) == {"dtstart"}
    assert describe(rule) == "Every other Wednesday, 2pm to 4pm"


def test_describe_closures_lists_closures_that_have_not_ended_soonest_first() -> None:
    rule = Recurrence(
        freq="WEEKLY",
        byday="TU",
        closures=(
            Closure(date(2026, 12, 21), date(2027, 1, 4), "Christmas"),
            Closure(date(2026, 8, 1), date(2026, 8, 31), "summer"),
            Closure(date(2026, 5, 25), date(2026, 5, 25)),
        ),
    )
    assert describe_closures(rule, today=date(2026, 8, 31)) == [
        "Closed 1 August 2026 to 31 August 2026 (summer)",
        "Closed 21 December 2026 to 4 January 2027 (Christmas)",
    ]
    assert describe_closures(rule)[0] == "Closed 25 May 2026"
    assert describe_closures(rule, today=date(2027, 1, 5)) == []


# --- occurrences ---------------------------------------------------------------------------------------


def test_every_other_week_keeps_its_phase_from_dtstart() -> None:
    rule = Recurrence(freq="WEEKLY", interval=2, byday="WE", dtstart=date(2026, 1, 7))
    assert _days(rule, date(2026, 1, 1), date(2026, 2, 28)) == [
        date(2026, 1, 7),
        date(2026, 1, 21),
        date(2026, 2, 4),
        date(2026, 2, 18),
    ]
    # Asking from a later start does not shift which weeks it runs.
    assert _days(rule, date(2026, 1, 10), date(2026, 1, 31)) == [date(2026, 1, 21)]


def test_first_friday_of_the_month_across_several_months() -> None:
    rule = Recurrence(freq="MONTHLY", byday="1FR", opens_at=TWO, closes_at=FOUR)
    assert occurrences(rule, date(2026, 1, 1), date(2026, 4, 30)) == [
        Occurrence(date(2026, 1, 2), TWO, FOUR),
        Occurrence(date(2026, 2, 6), TWO, FOUR),
        Occurrence(date(2026, 3, 6), TWO, FOUR),
        Occurrence(date(2026, 4, 3), TWO, FOUR),
    ]


def test_last_monday_and_last_day_of_the_month() -> None:
    assert _days(Recurrence(freq="MONTHLY", byday="-1MO"), date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 26),
        date(2026, 2, 23),
        date(2026, 3, 30),
    ]
    assert _days(Recurrence(freq="MONTHLY", bymonthday="-1"), date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]


def test_a_one_off_happens_once_if_it_is_in_range() -> None:
    one_off = Recurrence(dtstart=date(2026, 3, 14), opens_at=time(11), closes_at=time(15))
    assert occurrences(one_off, date(2026, 3, 9), date(2026, 3, 15)) == [
        Occurrence(date(2026, 3, 14), time(11), time(15))
    ]
    assert occurrences(one_off, date(2026, 3, 15), date(2026, 3, 31)) == []


def test_count_limits_sessions_counted_from_the_start_not_the_window() -> None:
    course = Recurrence(freq="WEEKLY", byday="TU", count=3, dtstart=date(2026, 1, 5))
    assert _days(course, date(2026, 1, 1), date(2026, 3, 31)) == [
        date(2026, 1, 6),
        date(2026, 1, 13),
        date(2026, 1, 20),
    ]
    assert _days(course, date(2026, 1, 14), date(2026, 3, 31)) == [date(2026, 1, 20)]


def test_until_is_the_last_possible_day_inclusive() -> None:
    rule = Recurrence(freq="WEEKLY", byday="TU", until=date(2026, 1, 20))
    assert _days(rule, *JAN_2026) == [date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20)]


def test_only_dates_inside_the_valid_range_are_given() -> None:
    rule = Recurrence(
        freq="WEEKLY",
        byday="TU",
        dtstart=date(2025, 12, 2),
        valid_from=date(2026, 1, 10),
        valid_to=date(2026, 1, 27),
    )
    assert _days(rule, *JAN_2026) == [date(2026, 1, 13), date(2026, 1, 20), date(2026, 1, 27)]


def test_closures_remove_sessions() -> None:
    rule = Recurrence(
        freq="WEEKLY",
        byday="TU",
        closures=(
            Closure(date(2026, 1, 12), date(2026, 1, 18), "half term"),
            Closure(date(2026, 1, 27), date(2026, 1, 27)),
        ),
    )
    assert _days(rule, *JAN_2026) == [date(2026, 1, 6), date(2026, 1, 20)]


def test_two_sessions_a_day_are_two_records() -> None:
    morning = Recurrence(freq="WEEKLY", byday="TH", opens_at=TEN, closes_at=NOON)
    afternoon = Recurrence(freq="WEEKLY", byday="TH", opens_at=TWO, closes_at=FOUR)
    week = week_of(date(2026, 1, 14))
    assert occurrences(morning, *week) == [Occurrence(date(2026, 1, 15), TEN, NOON)]
    assert occurrences(afternoon, *week) == [Occurrence(date(2026, 1, 15), TWO, FOUR)]


def test_week_start_changes_which_days_pair_up_as_in_rfc_5545() -> None:
    # RFC 5545 section 3.8.5.3: the same rule with WKST=MO and WKST=SU.
    rule = Recurrence(freq="WEEKLY", interval=2, count=4, byday="TU,SU", dtstart=date(1997, 8, 5))
    august = (date(1997, 8, 1), date(1997, 8, 31))
    assert _days(replace(rule, wkst="MO"), *august) == [
        date(1997, 8, 5),
        date(1997, 8, 10),
        date(1997, 8, 19),
        date(1997, 8, 24),
    ]
    assert _days(replace(rule, wkst="SU"), *august) == [
        date(1997, 8, 5),
        date(1997, 8, 17),
        date(1997, 8, 19),
        date(1997, 8, 31),
    ]


def test_yearly_rules_by_week_number_and_day_of_the_year() -> None:
    # ISO week 1 of 2026 starts on Monday 29 December 2025.
    first_week = Recurrence(freq="YEARLY", byweekno="1", byday="MO")
    assert _days(first_week, date(2025, 12, 1), date(2026, 1, 31)) == [date(2025, 12, 29)]
    day_100 = Recurrence(freq="YEARLY", byyearday="100")
    assert _days(day_100, date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 4, 10)]


def test_records_with_problems_or_only_words_have_no_dates() -> None:
    assert occurrences(Recurrence(freq="WEEKLY", byday="TUESDAY"), *JAN_2026) == []
    assert occurrences(Recurrence(freq="WEEKLY", interval=2, byday="TU"), *JAN_2026) == []
    assert occurrences(Recurrence(description="Phone to book"), *JAN_2026) == []


def test_an_empty_or_backwards_window_has_no_dates() -> None:
    assert occurrences(Recurrence(freq="DAILY"), date(2026, 1, 2), date(2026, 1, 1)) == []
    assert _days(Recurrence(freq="DAILY"), date(2026, 1, 2), date(2026, 1, 2)) == [date(2026, 1, 2)]


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 1, 7), date(2026, 1, 5)),
        (date(2026, 1, 5), date(2026, 1, 5)),
        (date(2026, 1, 4), date(2025, 12, 29)),
    ],
)
def test_week_of_runs_monday_to_sunday(day: date, monday: date) -> None:
    assert week_of(day) == (monday, monday + timedelta(days=6))


# --- problems ------------------------------------------------------------------------------------------

FINE = [
    Recurrence(freq="WEEKLY", byday="TU", opens_at=TEN, closes_at=NOON),
    Recurrence(freq="monthly", byday="1FR,-1FR"),
    Recurrence(freq="MONTHLY", bymonthday="15,-1"),
    Recurrence(freq="WEEKLY", interval=2, byday="WE", valid_from=date(2026, 1, 5)),
    Recurrence(dtstart=date(2026, 3, 14)),
    Recurrence(description="Phone to book"),
    Recurrence(freq="YEARLY", byweekno="53", byday="FR", wkst="SU"),
]


@pytest.mark.parametrize("rule", FINE)
def test_problems_is_empty_for_good_records(rule: Recurrence) -> None:
    assert problems(rule) == {}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Recurrence(freq="FORTNIGHTLY"), "freq"),
        (Recurrence(freq="WEEKLY", byday="TUESDAY"), "byday"),
        (Recurrence(freq="WEEKLY", byday="TU,XX"), "byday"),
        (Recurrence(freq="WEEKLY", byday="1TU"), "byday"),
        (Recurrence(freq="MONTHLY", byday="6FR"), "byday"),
        (Recurrence(freq="MONTHLY", byday="0FR"), "byday"),
        (Recurrence(freq="WEEKLY"), "byday"),
        (Recurrence(freq="MONTHLY"), "byday"),
        (Recurrence(freq="MONTHLY", bymonthday="32"), "bymonthday"),
        (Recurrence(freq="MONTHLY", bymonthday="0"), "bymonthday"),
        (Recurrence(freq="MONTHLY", bymonthday="the 5th"), "bymonthday"),
        (Recurrence(freq="WEEKLY", byday="TU", bymonthday="5"), "bymonthday"),
        (Recurrence(freq="MONTHLY", byday="1FR", bymonthday="5"), "bymonthday"),
        (Recurrence(freq="WEEKLY", byday="TU", byweekno="5"), "byweekno"),
        (Recurrence(freq="MONTHLY", byyearday="5"), "byyearday"),
        (Recurrence(freq="YEARLY", byyearday="366"), "byyearday"),
        (Recurrence(freq="WEEKLY", byday="TU", wkst="XX"), "wkst"),
        (Recurrence(freq="WEEKLY", byday="TU", opens_at=NOON, closes_at=NOON), "closes_at"),
        (Recurrence(freq="WEEKLY", byday="TU", opens_at=NOON, closes_at=TEN), "closes_at"),
        (Recurrence(opens_at=TEN, closes_at=NOON), "dtstart"),
        (Recurrence(), "description"),
        (Recurrence(byday="TU", dtstart=date(2026, 1, 6)), "freq"),
        (Recurrence(freq="WEEKLY", byday="TU", dtstart=date(2026, 2, 1), until=date(2026, 1, 1)), "until"),
        (
            Recurrence(freq="WEEKLY", byday="TU", valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)),
            "valid_to",
        ),
        (Recurrence(freq="WEEKLY", byday="TU", interval=0), "interval"),
        (Recurrence(freq="DAILY", byday="TU", interval=7), "interval"),
        (Recurrence(freq="WEEKLY", byday="TU", count=0, dtstart=date(2026, 1, 6)), "count"),
        (
            Recurrence(freq="WEEKLY", byday="TU", count=3, until=date(2026, 3, 1), dtstart=date(2026, 1, 6)),
            "count",
        ),
        (Recurrence(freq="WEEKLY", byday="TU", count=3), "dtstart"),
        (Recurrence(freq="WEEKLY", byday="TU", interval=2), "dtstart"),
        (Recurrence(freq="YEARLY"), "dtstart"),
        (
            Recurrence(freq="WEEKLY", byday="TU", closures=(Closure(date(2026, 2, 1), date(2026, 1, 1)),)),
            "closures",
        ),
    ],
)
def test_problems_names_the_field_at_fault(rule: Recurrence, field: str) -> None:
    found = problems(rule)
    assert field in found
    assert found[field].endswith(".")


# --- properties ----------------------------------------------------------------------------------------

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
BASE = date(2026, 1, 1)


def _dates(days: int = 730) -> st.SearchStrategy[date]:
    return st.integers(-days, days).map(lambda n: BASE + timedelta(days=n))


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    freq = draw(st.sampled_from(["", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    ordinals = freq in {"MONTHLY", "YEARLY"} and draw(st.booleans())
    days = draw(st.lists(st.sampled_from(DAY_CODES), max_size=3, unique=True))
    if ordinals:
        days = [f"{draw(st.sampled_from([1, 2, 3, 4, -1, -2]))}{day}" for day in days]
    closures = draw(
        st.lists(
            st.builds(
                lambda on, length: Closure(on, on + timedelta(days=length)), _dates(), st.integers(0, 40)
            ),
            max_size=3,
        )
    )
    return Recurrence(
        freq=freq,
        interval=draw(st.none() | st.integers(1, 4)),
        byday=",".join(days),
        bymonthday=draw(st.sampled_from(["", "1", "15", "-1", "31", "1,15"])) if freq == "MONTHLY" else "",
        count=draw(st.none() | st.integers(1, 12)),
        dtstart=draw(st.none() | _dates()),
        valid_from=draw(st.none() | _dates()),
        valid_to=draw(st.none() | _dates()),
        opens_at=draw(st.none() | st.just(TEN)),
        closes_at=draw(st.none() | st.just(NOON)),
        closures=tuple(closures),
    )


@settings(max_examples=100)
@given(recurrences(), _dates(), st.integers(0, 120))
def test_every_occurrence_is_in_the_window_open_and_valid(r: Recurrence, start: date, length: int) -> None:
    end = start + timedelta(days=length)
    found = occurrences(r, start, end)
    days = [occurrence.on for occurrence in found]
    assert days == sorted(set(days))
    if problems(r):
        assert found == []
    for occurrence in found:
        assert start <= occurrence.on <= end
        assert not any(closure.starts_on <= occurrence.on <= closure.ends_on for closure in r.closures)
        assert r.valid_from is None or r.valid_from <= occurrence.on
        assert r.valid_to is None or occurrence.on <= r.valid_to
        assert r.until is None or occurrence.on <= r.until
        assert (occurrence.opens_at, occurrence.closes_at) == (r.opens_at, r.closes_at)
