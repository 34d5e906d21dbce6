"""The outcomes section on a small hand-built case load, every figure worked out by hand.

Period: January to March 2026. Team North is connector A's, South is connector B's. UCLA-3 totals,
start -> end -> follow-up (all closed unless said otherwise):

    e1  A  8 -> 5 -> 6
    e2  A  7 -> 7 -> 4
    e3  A  6 -> 4 -> (not recorded)
    e4  A  5 -> 8 -> skipped (declined)
    e5  A  9 -> 3 -> 3            started 20 March
    e6  A  4 -> skipped (too distressed)
    e7  A  7 -> (support still open)
    e8  A  skipped (not appropriate) -> 5
    e9  A  answered with a question declined (no score) -> (not recorded)
    e10 B  6 -> 6
    left out: an episode started in December 2025 and another organisation's, both 9 -> 3.

Paired start and end: e1 -3, e2 0, e3 -2, e4 +3, e5 -6, e10 0. Start and follow-up: e1 -2, e2 -3, e5 -6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from scipy import stats

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import now
from linkwork.networks.models import NetworkSnapshot, SnapshotKind
from linkwork.outcomes.definitions import instrument_get
from linkwork.outcomes.models import SkipReason, TimePoint
from linkwork.outcomes.scoring import score
from linkwork.outcomes.services import measure_record, measure_skip
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.outcomes import outcomes_section
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Figure, Row, Section, Table
from linkwork.support.models import EpisodeStatus, Goal, GoalStatus, SupportEpisode
from tests.factories import make_organisation, make_staff, make_team
from tests.journey_factories import london, make_episode

FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
START, END, FOLLOW_UP = TimePoint.BASELINE, TimePoint.ENDING, TimePoint.FOLLOW_UP


@dataclass
class World:
    organisation: Organisation
    north: Team
    south: Team
    connector_a: User
    connector_b: User
    episodes: dict[str, SupportEpisode]


def answers_for(code: str, total: int) -> list[str]:
    """Answers whose scores add up to `total` (every item of these instruments scores the same way)."""
    instrument = instrument_get(code)
    options = instrument.answers.options
    low, high = min(o.score or 0 for o in options), max(o.score or 0 for o in options)
    scores, rest = [], total - low * len(instrument.items)
    for _ in instrument.items:
        add = min(rest, high - low)
        scores.append(low + add)
        rest -= add
    chosen = [next(o.label for o in options if o.score == s) for s in scores]
    assert score(code, chosen).total == total
    return chosen


def record(episode: SupportEpisode, code: str, point: str, answers: list[str] | int | list[int]) -> None:
    given = answers_for(code, answers) if isinstance(answers, int) else answers
    measure_record(
        actor=episode.connector,
        episode=episode,
        instrument=code,
        time_point=point,
        answers=list(given),
        months_after_ending=3 if point == FOLLOW_UP else None,
    )


def skip(episode: SupportEpisode, code: str, point: str, reason: str) -> None:
    measure_skip(
        actor=episode.connector,
        episode=episode,
        instrument=code,
        time_point=point,
        reason=reason,
        months_after_ending=3 if point == FOLLOW_UP else None,
    )


def close(*episodes: SupportEpisode) -> None:
    SupportEpisode.objects.filter(pk__in=[e.pk for e in episodes]).update(
        status=EpisodeStatus.CLOSED, closed_on=dt.date(2026, 5, 1)
    )


def ucla3(episode: SupportEpisode, *totals: int | None) -> None:
    for point, total in zip((START, END, FOLLOW_UP), totals, strict=False):
        if total is not None:
            record(episode, "ucla3", point, total)


@pytest.fixture
def world(db: None) -> World:
    organisation = make_organisation()
    north, south = make_team(organisation=organisation), make_team(organisation=organisation)
    connector_a = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[north])
    connector_b = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[south])

    def episode(connector: User, team: Team, started_on: dt.date = dt.date(2026, 2, 1)) -> SupportEpisode:
        return make_episode(connector=connector, team=team, started_on=started_on)

    e = {
        f"e{n}": episode(connector_a, north, dt.date(2026, 3, 20) if n == 5 else dt.date(2026, 2, 1))
        for n in range(1, 10)
    }
    e["e10"] = episode(connector_b, south)
    e["before"] = episode(connector_a, north, dt.date(2025, 12, 31))
    other = make_organisation()
    outsider = make_staff(organisation=other, roles=[Role.CONNECTOR], teams=[make_team(organisation=other)])
    e["outsider"] = make_episode(connector=outsider, started_on=dt.date(2026, 2, 1))

    ucla3(e["e1"], 8, 5, 6)
    ucla3(e["e2"], 7, 7, 4)
    ucla3(e["e3"], 6, 4)
    ucla3(e["e4"], 5, 8)
    skip(e["e4"], "ucla3", FOLLOW_UP, SkipReason.DECLINED)
    ucla3(e["e5"], 9, 3, 3)
    ucla3(e["e6"], 4)
    skip(e["e6"], "ucla3", END, SkipReason.TOO_DISTRESSED)
    ucla3(e["e7"], 7)
    skip(e["e8"], "ucla3", START, SkipReason.NOT_APPROPRIATE)
    record(e["e8"], "ucla3", END, 5)
    record(e["e9"], "ucla3", START, ["Often", "declined", "Often"])
    ucla3(e["e10"], 6, 6)
    ucla3(e["before"], 9, 3)
    ucla3(e["outsider"], 9, 3)
    close(*(e[key] for key in ("e1", "e2", "e3", "e4", "e5", "e6", "e8", "e9", "e10", "before", "outsider")))
    return World(organisation, north, south, connector_a, connector_b, e)


def section(
    world: World,
    *,
    date_from: dt.date = FROM,
    date_to: dt.date = TO,
    team_id: int | None = None,
    connector_id: int | None = None,
) -> Section:
    return outcomes_section(ReportScope(world.organisation.pk, date_from, date_to, team_id, connector_id))


def table(built: Section, key: str) -> Table:
    return next(t for t in built.tables if t.key == key)


def row(built: Section, table_key: str, row_key: str) -> Row:
    found = table(built, table_key)
    return next(r for r in found.all_rows() if r.key == row_key)


def values(found: Row) -> dict[str, float | None]:
    return {key: figure.value for key, figure in found.cells.items()}


def interval(differences: list[float]) -> tuple[float, float]:
    low, high = stats.t.interval(
        0.95, len(differences) - 1, loc=sum(differences) / len(differences), scale=stats.sem(differences)
    )
    return float(low), float(high)


def assert_mean(figure: Figure, differences: list[float]) -> None:
    assert figure.people == len(differences)
    assert figure.value == pytest.approx(sum(differences) / len(differences))
    low, high = interval(differences)
    assert figure.low == pytest.approx(low)
    assert figure.high == pytest.approx(high)


# UCLA-3 ----------------------------------------------------------------------------------------------


def test_ucla3_start_to_end_counts_paired_episodes_and_respects_lower_is_better(world: World) -> None:
    found = row(section(world), "outcomes_change", "ucla3:end")
    assert "lower is better" in found.label
    assert values(found) | {"mean_change": None} == {
        "paired": 6,
        "mean_change": None,
        "improved": 3,
        "improved_share": 0.5,
        "unchanged": 2,
        "unchanged_share": pytest.approx(2 / 6),
        "worse": 1,
        "worse_share": pytest.approx(1 / 6),
        "reliable": None,  # UCLA-3 has no published threshold
        "reliable_share": None,
    }
    assert found.cells["improved_share"].numerator == 3
    assert found.cells["improved_share"].people == 6
    assert_mean(found.cells["mean_change"], [-3, 0, -2, 3, -6, 0])


def test_ucla3_start_to_follow_up(world: World) -> None:
    found = row(section(world), "outcomes_change", "ucla3:follow_up")
    assert (found.cells["paired"].value, found.cells["improved"].value, found.cells["worse"].value) == (
        3,
        3,
        0,
    )
    assert_mean(found.cells["mean_change"], [-2, -3, -6])


def test_reliable_improvement_is_not_available_without_a_threshold_and_a_note_says_so(world: World) -> None:
    built = section(world)
    assert any("UCLA 3-item loneliness scale: no reliable change threshold" in note for note in built.notes)


def test_missing_measures_by_reason_at_each_point(world: World) -> None:
    found = table(section(world), "outcomes_missing_ucla3")
    by_reason = {r.key: values(r) for r in found.rows}
    assert by_reason == {
        "usable": {"baseline": 8, "ending": 7, "follow_up": 3},
        "skip_declined": {"baseline": 0, "ending": 0, "follow_up": 1},
        "skip_too-distressed": {"baseline": 0, "ending": 1, "follow_up": 0},
        "skip_not-appropriate": {"baseline": 1, "ending": 0, "follow_up": 0},
        "unscored": {"baseline": 1, "ending": 0, "follow_up": 0},
        "open": {"ending": 1, "follow_up": 1},
        "not_recorded": {"baseline": 0, "ending": 1, "follow_up": 5},
    }
    assert found.total is not None
    assert values(found.total) == {"baseline": 10, "ending": 10, "follow_up": 10}


def test_share_lonely_at_the_start_and_no_longer_lonely_after(world: World) -> None:
    found = table(section(world), "ucla3_loneliness")
    by_key = {r.key: values(r) for r in found.rows}
    assert by_key == {
        "lonely_at_start": {"out_of": 8, "number": 6, "rest": 2, "share": 0.75},
        "no_longer_lonely_at_end": {"out_of": 5, "number": 3, "rest": 2, "share": 0.6},
        "no_longer_lonely_at_follow_up": {"out_of": 3, "number": 2, "rest": 1, "share": pytest.approx(2 / 3)},
    }
    assert "score 6 or more" in found.rows[0].label


def test_the_lonely_cut_off_follows_the_organisations_bands(world: World, settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {
        "ucla3": {
            "bands": [{"label": "not lonely", "min": 3, "max": 6}, {"label": "lonely", "min": 7, "max": 9}]
        }
    }
    found = row(section(world), "ucla3_loneliness", "lonely_at_start")
    assert values(found) == {"out_of": 8, "number": 4, "rest": 4, "share": 0.5}  # e1 8, e2 7, e5 9, e7 7


def test_without_a_lonely_band_lonely_starts_above_the_lowest_band(world: World, settings: Any) -> None:
    bands = [("low", 3, 4), ("moderate", 5, 7), ("high", 8, 9)]
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {
        "ucla3": {"bands": [{"label": label, "min": low, "max": high} for label, low, high in bands]}
    }
    found = row(section(world), "ucla3_loneliness", "lonely_at_start")
    assert values(found) == {"out_of": 8, "number": 7, "rest": 1, "share": 0.875}  # all but e6 (4)


def test_ucla3_distribution_of_paired_episodes(world: World) -> None:
    found = table(section(world), "ucla3_distribution")
    assert [r.key for r in found.rows] == ["3", "4", "5", "6", "7", "8", "9"]
    assert {r.key: values(r) for r in found.rows} == {
        "3": {"baseline": 0, "ending": 1},
        "4": {"baseline": 0, "ending": 1},
        "5": {"baseline": 1, "ending": 1},
        "6": {"baseline": 2, "ending": 1},
        "7": {"baseline": 1, "ending": 1},
        "8": {"baseline": 1, "ending": 1},
        "9": {"baseline": 1, "ending": 0},
    }
    assert found.total is not None
    assert values(found.total) == {"baseline": 6, "ending": 6}


# Scope ------------------------------------------------------------------------------------------------


def test_team_filter_keeps_only_that_teams_people(world: World) -> None:
    built = section(world, team_id=world.south.pk)
    assert values(row(built, "ucla3_distribution", "total")) == {"baseline": 1, "ending": 1}
    assert row(built, "outcomes_change", "ucla3:end").cells["unchanged"].value == 1


def test_connector_filter_keeps_only_their_episodes(world: World) -> None:
    built = section(world, connector_id=world.connector_a.pk)
    assert row(built, "outcomes_change", "ucla3:end").cells["paired"].value == 5
    total = table(built, "outcomes_missing_ucla3").total
    assert total is not None and total.cells["baseline"].value == 9


def test_dates_count_episodes_that_started_in_the_period(world: World) -> None:
    built = section(world, date_to=dt.date(2026, 3, 19))  # e5 started on 20 March
    found = row(built, "outcomes_change", "ucla3:end")
    assert found.cells["paired"].value == 5
    assert_mean(found.cells["mean_change"], [-3, 0, -2, 3, 0])
    assert row(built, "outcomes_change", "ucla3:follow_up").cells["paired"].value == 2


def test_an_instrument_with_no_measures_in_scope_is_left_out(world: World) -> None:
    record(world.episodes["outsider"], "phq9", START, 12)  # another organisation's
    record(world.episodes["before"], "phq9", START, 12)  # started before the period
    built = section(world)
    assert not any(r.key.startswith("phq9") for r in table(built, "outcomes_change").rows)
    assert "outcomes_missing_phq9" not in [t.key for t in built.tables]


def test_nothing_in_scope_gives_empty_figures(world: World) -> None:
    built = section(world, date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31))
    assert table(built, "outcomes_change").rows == []
    assert row(built, "network_change", "ties").cells["mean"] == Figure(value=None, people=0)


# Other instruments ------------------------------------------------------------------------------------


def test_reliable_improvement_uses_the_threshold_and_polarity(world: World) -> None:
    e = world.episodes
    # GAD-7, lower is better, threshold 4: -10 reliable, -3 improved only, +4 worse (not an improvement),
    # -4 exactly the threshold (reliable).
    for key, before, after in (("e1", 15, 5), ("e2", 10, 7), ("e3", 5, 9), ("e4", 8, 4)):
        record(e[key], "gad7", START, before)
        record(e[key], "gad7", END, after)
    found = row(section(world), "outcomes_change", "gad7:end")
    assert values(found) | {"mean_change": None} == {
        "paired": 4,
        "mean_change": None,
        "improved": 3,
        "improved_share": 0.75,
        "unchanged": 0,
        "unchanged_share": 0.0,
        "worse": 1,
        "worse_share": 0.25,
        "reliable": 2,
        "reliable_share": 0.5,
    }
    assert_mean(found.cells["mean_change"], [-10, -3, 4, -4])


def test_swemwbs_compares_metric_scores_higher_is_better(world: World) -> None:
    e = world.episodes
    # Raw 20 -> 23 is metric 18.59 -> 20.73 (+2.14, under the threshold of 3); raw 7 -> 9 is 7.00 -> 11.25.
    for key, before, after in (("e1", 20, 23), ("e2", 7, 9)):
        record(e[key], "swemwbs", START, before)
        record(e[key], "swemwbs", END, after)
    found = row(section(world), "outcomes_change", "swemwbs:end")
    assert (found.cells["improved"].value, found.cells["reliable"].value) == (2, 1)
    assert_mean(found.cells["mean_change"], [20.73 - 18.59, 11.25 - 7.0])


def test_ons4_items_are_compared_one_by_one_with_their_own_polarity(world: World) -> None:
    e = world.episodes
    record(e["e1"], "ons4", START, [3, 4, 5, 8])
    record(e["e1"], "ons4", END, [6, 4, 7, 2])
    record(e["e2"], "ons4", START, [5, 5, 5, 1])
    record(e["e2"], "ons4", END, [4, 5, 5, 3])
    built = section(world)
    got = {
        key: (r.cells["improved"].value, r.cells["unchanged"].value, r.cells["worse"].value)
        for key in ("ons4-1", "ons4-2", "ons4-3", "ons4-4")
        for r in [row(built, "outcomes_change", f"{key}:end")]
    }
    assert got == {"ons4-1": (1, 0, 1), "ons4-2": (0, 2, 0), "ons4-3": (1, 1, 0), "ons4-4": (1, 0, 1)}
    assert_mean(row(built, "outcomes_change", "ons4-4:end").cells["mean_change"], [-6, 2])


def test_ons_direct_question_compares_answers_by_order_without_a_mean(world: World) -> None:
    e = world.episodes
    record(e["e1"], "ons-loneliness", START, ["Often/always"])
    record(e["e1"], "ons-loneliness", END, ["Hardly ever"])
    record(e["e2"], "ons-loneliness", START, ["Never"])
    record(e["e2"], "ons-loneliness", END, ["Some of the time"])
    found = row(section(world), "outcomes_change", "ons-loneliness:end")
    assert values(found) == {
        "paired": 2,
        "mean_change": None,
        "improved": 1,
        "improved_share": 0.5,
        "unchanged": 0,
        "unchanged_share": 0.0,
        "worse": 1,
        "worse_share": 0.5,
        "reliable": None,
        "reliable_share": None,
    }


def test_a_measure_recorded_twice_uses_the_highest_score(world: World) -> None:
    record(world.episodes["e6"], "ucla3", END, 5)
    record(world.episodes["e6"], "ucla3", END, 7)
    found = row(section(world), "outcomes_change", "ucla3:end")
    assert found.cells["paired"].value == 7
    assert found.cells["worse"].value == 2  # e4, and e6 4 -> 7


# Network maps -----------------------------------------------------------------------------------------


def snapshot(episode: SupportEpisode, kind: str, ids: list[int], day: int, *, own: bool = True) -> None:
    NetworkSnapshot.objects.create(
        organisation_id=episode.organisation_id,
        person=episode.person,
        episode=episode if own else None,
        kind=kind,
        taken_at=london(dt.date(2026, 4, day)),
        entries=[{"id": entry, "label": f"Tie {entry}", "type": "friend", "ring": "inner"} for entry in ids],
    )


def test_network_map_change_pairs_end_maps_with_their_baseline(world: World) -> None:
    e = world.episodes
    snapshot(e["e1"], SnapshotKind.BASELINE, [1, 2, 3], 1)
    snapshot(e["e1"], SnapshotKind.END, [2, 3, 4, 5], 20)  # +1: 2 gained, 1 lost
    # e2 has no baseline of its own: the person's latest one before the end map counts.
    snapshot(e["e2"], SnapshotKind.BASELINE, [7, 8], 1, own=False)
    snapshot(e["e2"], SnapshotKind.BASELINE, [10], 2, own=False)
    snapshot(e["e2"], SnapshotKind.END, [10, 11, 12], 20)  # +2: 2 gained, none lost
    snapshot(e["e2"], SnapshotKind.BASELINE, [99], 25, own=False)  # after the end map
    snapshot(e["e3"], SnapshotKind.END, [1], 20)  # no baseline: left out
    snapshot(e["e10"], SnapshotKind.BASELINE, [20, 21], 1)
    snapshot(e["e10"], SnapshotKind.END, [20], 20)  # -1: none gained, 1 lost
    snapshot(e["outsider"], SnapshotKind.BASELINE, [], 1)
    snapshot(e["outsider"], SnapshotKind.END, [30, 31, 32, 33], 20)
    built = section(world)
    assert row(built, "network_change", "ties").cells["episodes"].value == 3
    assert_mean(row(built, "network_change", "ties").cells["mean"], [1, 2, -1])
    assert_mean(row(built, "network_change", "gained").cells["mean"], [2, 2, 0])
    assert_mean(row(built, "network_change", "lost").cells["mean"], [1, 0, 1])
    south = section(world, team_id=world.south.pk)
    assert row(south, "network_change", "ties").cells["mean"] == Figure(value=-1.0, people=1)


# Goals ------------------------------------------------------------------------------------------------


def goal(episode: SupportEpisode, status: str, progress: int | None) -> None:
    Goal.objects.create(
        episode=episode, title="Go to the choir", status=status, progress=progress, created_at=now()
    )


def test_goals_by_status_share_achieved_and_mean_latest_rating(world: World) -> None:
    e = world.episodes
    goal(e["e1"], GoalStatus.ACHIEVED, 10)
    goal(e["e1"], GoalStatus.IN_PROGRESS, 4)
    goal(e["e2"], GoalStatus.ACHIEVED, 8)
    goal(e["e2"], GoalStatus.DROPPED, None)
    goal(e["e10"], GoalStatus.NOT_STARTED, None)
    goal(e["outsider"], GoalStatus.ACHIEVED, 2)
    built = section(world)
    by_status = table(built, "goals_by_status")
    assert {r.key: r.cells["goals"].value for r in by_status.rows} == {
        "not-started": 1,
        "in-progress": 1,
        "achieved": 2,
        "changed": 0,
        "dropped": 1,
        "paused": 0,
    }
    achieved = row(built, "goals_by_status", "achieved")
    assert achieved.cells["share"] == Figure(value=0.4, people=3, numerator=2)
    assert achieved.cells["goals"].people == 2  # episodes, so small numbers are judged by people
    assert by_status.total is not None and by_status.total.cells["goals"] == Figure(value=5, people=3)
    rating = row(built, "goal_progress", "latest_rating")
    assert rating.cells["goals"] == Figure(value=3, people=2)
    assert rating.cells["mean"].value == pytest.approx(22 / 3)


# Disclosure control ------------------------------------------------------------------------------------


def test_after_suppression_no_table_shows_a_count_below_the_threshold(world: World) -> None:
    built = section(world)
    for found in built.tables:
        suppress_table(found, 5)
        for shown in found.all_rows():
            for key, figure in shown.cells.items():
                if not figure.suppressed:
                    assert figure.people >= 5, (found.key, shown.key, key)
    # At the start: 8 usable of 10; the reasons for the other 2 (1 skipped, 1 unscored) are hidden.
    assert row(built, "outcomes_missing_ucla3", "usable").cells["baseline"].value == 8
    assert row(built, "outcomes_missing_ucla3", "unscored").cells["baseline"].suppressed
    assert row(built, "outcomes_missing_ucla3", "skip_not-appropriate").cells["baseline"].suppressed
