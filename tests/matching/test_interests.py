"""The interest list as data: its format, its size, and how interests expand."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from linkwork.directory.search import words_of
from linkwork.matching.interests import (
    DIRECT_WEIGHT,
    RELATED_WEIGHT,
    SYNONYM_WEIGHT,
    expand,
    groups_for,
    interest_groups,
    parse_groups,
)


def weights(interests: list[str], factor: float = 1.0) -> dict[str, float]:
    """Phrase (as written, e.g. "men's shed") -> weight; looked up through the same word rules."""
    found = {phrase.words: phrase.weight for phrase in expand(interests, factor=factor)}
    return _Lookup(found)


class _Lookup(dict[str, float]):
    def __init__(self, found: dict[tuple[str, ...], float]) -> None:
        super().__init__()
        self.found = found

    def __getitem__(self, text: str) -> float:
        return self.found[tuple(words_of(text))]


def test_the_shipped_list_is_valid_and_has_at_least_forty_groups() -> None:
    text = resources.files("linkwork.matching").joinpath("data", "interests.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert "format" in data
    groups = parse_groups(text)
    assert len(groups) >= 40
    assert len({group.name for group in groups}) == len(groups)
    assert all(group.terms or group.related for group in groups)


def test_animals_reach_farms_pets_dog_walking_falconry_and_wildlife() -> None:
    expanded = weights(["animals"])
    for related in ("farm", "pet", "dog walking", "falconry", "wildlife"):
        assert expanded[related] == RELATED_WEIGHT
    assert expanded["animal"] == DIRECT_WEIGHT


def test_making_things_reaches_crafts_sewing_woodwork_and_mens_sheds() -> None:
    expanded = weights(["making things"])
    assert expanded["craft"] == SYNONYM_WEIGHT
    for related in ("sewing", "woodwork", "men's shed"):
        assert expanded[related] == RELATED_WEIGHT


def test_direct_beats_synonym_beats_related_and_each_phrase_keeps_its_best_weight() -> None:
    assert DIRECT_WEIGHT > SYNONYM_WEIGHT > RELATED_WEIGHT > 0
    expanded = weights(["knitting", "sewing"])
    # sewing is said directly, and is also related to knitting: the direct weight wins.
    assert expanded["sewing"] == DIRECT_WEIGHT


def test_an_interest_inside_a_longer_phrase_finds_its_group() -> None:
    assert [group.name for group in groups_for("I used to love gardening")] == ["gardening"]
    assert groups_for("something nobody lists") == []


def test_past_interests_are_scaled_down() -> None:
    assert weights(["animals"], factor=0.5)["animal"] == 0.5


def test_blank_interests_expand_to_nothing() -> None:
    assert expand(["", "  ", "the"]) == []


@pytest.mark.parametrize(
    "text",
    ['{"groups": "no"}', "[]", '{"groups": [{"terms": []}]}', '{"groups": [{"name": "x", "terms": [1]}]}'],
)
def test_a_malformed_list_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="interest"):
        parse_groups(text)


def test_groups_are_read_once() -> None:
    assert interest_groups() is interest_groups()
