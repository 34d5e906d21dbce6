"""Comparing network maps, metric by metric, on hand-built maps (including empty maps and maps with
only animals or only spiritual connections), and the change per episode for reports."""

from __future__ import annotations

import pytest

from linkwork.accounts.models import User
from linkwork.networks import services
from linkwork.networks.choices import Frequency, Quality, Ring
from linkwork.networks.selectors import (
    network_change_for_episodes,
    network_change_mean,
    network_compare,
    network_summary,
)
from linkwork.people.models import Person
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.factories import OPERATOR
from tests.journey_factories import make_episode, make_person
from tests.networks.conftest import entry

F, R, Q = Frequency, Ring, Quality


def test_two_empty_maps_compare_to_nothing() -> None:
    comparison = network_compare([], [])
    assert comparison.before == comparison.after
    summary = comparison.after
    assert summary.size == 0
    assert summary.by_ring == {"inner": 0, "middle": 0, "outer": 0}
    assert summary.by_category == {"people": 0, "groups": 0, "activities": 0, "animals": 0, "spiritual": 0}
    assert summary.by_type == {}
    assert (summary.diversity, summary.weak_ties, summary.difficult_ties) == (0, 0, 0)
    assert comparison.new == comparison.strengthened == comparison.weakened == comparison.lost == []
    assert (comparison.size_change, comparison.diversity_change, comparison.weak_ties_change) == (0, 0, 0)


def test_from_an_empty_map_every_entry_is_new() -> None:
    after = [entry(1), entry(2, "club", R.OUTER, F.WEEKLY)]
    comparison = network_compare([], after)
    assert [tie.id for tie in comparison.new] == [1, 2]
    assert comparison.new[1].ring_before == "" and comparison.new[1].ring_after == "outer"
    assert (comparison.size_change, comparison.diversity_change, comparison.weak_ties_change) == (2, 1, 1)


def test_to_an_empty_map_every_entry_is_lost() -> None:
    comparison = network_compare([entry(1), entry(2, "animal")], [])
    assert [tie.id for tie in comparison.lost] == [1, 2]
    assert comparison.lost[0].ring_after == ""
    assert comparison.size_change == -2


def test_a_map_of_only_animals() -> None:
    animals = [
        entry(1, "animal", R.INNER, F.DAILY),
        entry(2, "animal", R.OUTER, F.WEEKLY),
        entry(3, "animal", R.OUTER, F.LESS_OFTEN),
    ]
    summary = network_summary(animals)
    assert summary.size == 3
    assert summary.by_category["animals"] == 3 and summary.by_category["people"] == 0
    assert summary.by_type == {"animal": 3}
    assert summary.by_ring == {"inner": 1, "middle": 0, "outer": 2}
    assert summary.diversity == 0  # animals are not settings
    assert summary.weak_ties == 1  # outer and weekly; outer and less often is not
    assert summary.difficult_ties == 0


def test_a_map_of_only_spiritual_connections() -> None:
    summary = network_summary([entry(1, "spiritual", R.INNER, F.DAILY), entry(2, "spiritual", R.MIDDLE, "")])
    assert summary.size == 2
    assert summary.by_category["spiritual"] == 2
    assert summary.by_type == {"spiritual": 2}
    assert (summary.diversity, summary.weak_ties, summary.difficult_ties) == (0, 0, 0)
    comparison = network_compare(
        [entry(1, "spiritual", R.MIDDLE, F.WEEKLY)], [entry(1, "spiritual", R.INNER)]
    )
    assert [tie.id for tie in comparison.strengthened] == [1]


def test_size_by_ring_type_and_category() -> None:
    summary = network_summary(
        [
            entry(1, "family", R.INNER),
            entry(2, "family", R.INNER),
            entry(3, "friend", R.MIDDLE),
            entry(4, "library", R.OUTER),
            entry(5, "activity", R.OUTER),
        ]
    )
    assert summary.size == 5
    assert summary.by_ring == {"inner": 2, "middle": 1, "outer": 2}
    assert summary.by_type == {"family": 2, "friend": 1, "library": 1, "activity": 1}
    assert summary.by_category == {"people": 3, "groups": 1, "activities": 1, "animals": 0, "spiritual": 0}


def test_diversity_counts_each_kind_of_setting_once() -> None:
    summary = network_summary(
        [
            entry(1, "club"),
            entry(2, "club"),  # a second club is not a new kind of setting
            entry(3, "library"),
            entry(4, "activity"),
            entry(5, "activity"),  # activities count once between them
            entry(6, "park", frequency=F.LOST_TOUCH),  # lost touch: not a setting they are in
            entry(7, "friend"),  # people are not settings
            entry(8, "faith", frequency=""),  # frequency not recorded still counts
        ]
    )
    assert summary.settings == ["club", "faith", "library", "activity"]
    assert summary.diversity == 4


@pytest.mark.parametrize(
    ("ring", "frequency", "weak"),
    [
        (R.OUTER, F.DAILY, True),
        (R.OUTER, F.WEEKLY, True),
        (R.OUTER, F.MONTHLY, True),
        (R.OUTER, F.LESS_OFTEN, False),
        (R.OUTER, F.LOST_TOUCH, False),
        (R.OUTER, "", False),
        (R.MIDDLE, F.WEEKLY, False),
        (R.INNER, F.DAILY, False),
    ],
)
def test_weak_ties_are_outer_ring_with_at_least_monthly_contact(
    ring: str, frequency: str, weak: bool
) -> None:
    assert network_summary([entry(1, "neighbour", ring, frequency)]).weak_ties == int(weak)


def test_difficult_ties_are_counted_by_quality() -> None:
    summary = network_summary(
        [
            entry(1, quality=Q.DIFFICULT),
            entry(2, quality=Q.MIXED),
            entry(3, quality=""),
            entry(4, quality=Q.DIFFICULT),
        ]
    )
    assert summary.difficult_ties == 2
    comparison = network_compare([entry(1, quality=Q.DIFFICULT)], [entry(1, quality=Q.SUPPORTIVE)])
    assert comparison.difficult_ties_change == -1


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        ((R.MIDDLE, F.WEEKLY), (R.INNER, F.WEEKLY), "strengthened"),  # moved inward
        ((R.MIDDLE, F.MONTHLY), (R.MIDDLE, F.WEEKLY), "strengthened"),  # in touch more often
        ((R.OUTER, F.LESS_OFTEN), (R.INNER, F.DAILY), "strengthened"),
        ((R.INNER, F.WEEKLY), (R.MIDDLE, F.WEEKLY), "weakened"),  # moved outward
        ((R.MIDDLE, F.DAILY), (R.MIDDLE, F.MONTHLY), "weakened"),  # less often
        ((R.MIDDLE, F.WEEKLY), (R.MIDDLE, F.LOST_TOUCH), "weakened"),  # lost touch
        ((R.OUTER, F.WEEKLY), (R.INNER, F.LOST_TOUCH), "weakened"),  # lost touch whatever the ring
        ((R.MIDDLE, F.WEEKLY), (R.INNER, F.MONTHLY), "neither"),  # closer but less often
        ((R.MIDDLE, F.WEEKLY), (R.MIDDLE, F.WEEKLY), "neither"),  # unchanged
        ((R.MIDDLE, ""), (R.MIDDLE, F.DAILY), "neither"),  # frequency not recorded before
        ((R.MIDDLE, F.DAILY), (R.MIDDLE, ""), "neither"),  # nor after
        ((R.OUTER, ""), (R.MIDDLE, F.DAILY), "strengthened"),  # the ring still counts
    ],
)
def test_strengthened_and_weakened_ties(
    before: tuple[str, str], after: tuple[str, str], verdict: str
) -> None:
    comparison = network_compare([entry(1, "friend", *before)], [entry(1, "friend", *after)])
    found = {
        "strengthened": [t.id for t in comparison.strengthened],
        "weakened": [t.id for t in comparison.weakened],
    }
    expected: dict[str, list[int]] = {"strengthened": [], "weakened": []} | (
        {verdict: [1]} if verdict != "neither" else {}
    )
    assert found == expected
    assert comparison.new == comparison.lost == []


def test_a_realistic_comparison() -> None:
    before = [
        entry(1, "family", R.INNER, F.WEEKLY, label="Jean"),
        entry(2, "friend", R.MIDDLE, F.MONTHLY),
        entry(3, "neighbour", R.OUTER, F.LESS_OFTEN, Q.DIFFICULT),
        entry(4, "animal", R.INNER, F.DAILY),
    ]
    after = [
        entry(1, "family", R.INNER, F.DAILY, label="Jean"),  # strengthened
        entry(2, "friend", R.OUTER, F.MONTHLY),  # weakened, and now a weak tie
        entry(4, "animal", R.INNER, F.DAILY),  # unchanged
        entry(5, "club", R.OUTER, F.WEEKLY),  # new, a weak tie and a setting
        entry(6, "activity", R.MIDDLE, F.WEEKLY),  # new setting
    ]
    comparison = network_compare(before, after)
    assert [t.id for t in comparison.new] == [5, 6]
    assert [t.id for t in comparison.strengthened] == [1]
    assert [t.id for t in comparison.weakened] == [2]
    assert [t.id for t in comparison.lost] == [3]
    assert comparison.strengthened[0].frequency_before == "weekly"
    assert comparison.strengthened[0].frequency_after == "daily"
    assert (comparison.before.size, comparison.after.size, comparison.size_change) == (4, 5, 1)
    assert comparison.diversity_change == 2
    assert (comparison.before.weak_ties, comparison.after.weak_ties) == (0, 2)
    assert comparison.difficult_ties_change == -1


# Reporting: the change per episode


def _close_with_map(
    connector: User, person: Person, before: list[tuple[str, str]], after: list[tuple[str, str]]
) -> SupportEpisode:
    """Open support, map `before` (type, ring) and complete it, then change it to `after` and close."""
    episode = make_episode(connector=connector, person=person)
    entries = [
        services.entry_add(
            actor=OPERATOR, person=person, label=f"Tie {i}", type=t, ring=r, frequency="weekly"
        )
        for i, (t, r) in enumerate(before)
    ]
    services.map_mark_complete(actor=OPERATOR, person=person)
    for old in entries[len(after) :]:
        services.entry_remove(actor=OPERATOR, entry=old)
    for i, (t, r) in enumerate(after):
        if i < len(entries):
            services.entry_update(actor=OPERATOR, entry=entries[i], type=t, ring=r)
        else:
            services.entry_add(
                actor=OPERATOR, person=person, label=f"New {i}", type=t, ring=r, frequency="weekly"
            )
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met")
    services.network_snapshot_end(actor=OPERATOR, episode=episode)
    return episode


def test_network_change_per_episode_and_the_cohort_mean(connector: User, supervisor: User) -> None:
    organisation = connector.organisation
    assert organisation is not None
    grew = _close_with_map(
        connector,
        make_person(organisation=organisation),
        before=[("family", "inner")],
        after=[("family", "inner"), ("club", "outer"), ("library", "outer")],
    )
    shrank = _close_with_map(
        connector,
        make_person(organisation=organisation),
        before=[("family", "inner"), ("cafe", "outer")],
        after=[("family", "inner")],
    )
    still_open = make_episode(connector=connector)
    services.map_mark_complete(actor=OPERATOR, person=still_open.person)
    never_mapped = make_episode(connector=connector)
    episode_close(actor=OPERATOR, episode=never_mapped, outcome="goals-met")
    assert services.network_snapshot_end(actor=OPERATOR, episode=never_mapped) is None

    changes = network_change_for_episodes(actor=supervisor, episodes=[grew, shrank, still_open, never_mapped])
    by_episode = {change.episode_id: change for change in changes}
    assert set(by_episode) == {grew.pk, shrank.pk}
    assert (by_episode[grew.pk].size_change, by_episode[grew.pk].diversity_change) == (2, 2)
    assert by_episode[grew.pk].weak_ties_change == 2
    assert (by_episode[shrank.pk].size_change, by_episode[shrank.pk].diversity_change) == (-1, -1)
    assert by_episode[shrank.pk].weak_ties_change == -1

    mean = network_change_mean(changes)
    assert mean.episodes == 2
    assert (mean.mean_size_change, mean.mean_diversity_change, mean.mean_weak_ties_change) == (0.5, 0.5, 0.5)
    assert network_change_mean([]).mean_size_change is None


def test_network_change_is_scoped_to_what_the_actor_may_see(
    connector: User, analyst: User, outsider: User, volunteer: User
) -> None:
    organisation = connector.organisation
    assert organisation is not None
    episode = _close_with_map(connector, make_person(organisation=organisation), [("friend", "inner")], [])
    assert len(network_change_for_episodes(actor=connector, episodes=[episode])) == 1
    for actor in (analyst, outsider, volunteer):
        assert network_change_for_episodes(actor=actor, episodes=[episode]) == []
