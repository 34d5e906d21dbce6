"""The maintained list of interest synonyms and related interests, kept as data in data/interests.json.

`expand(interests)` turns what a person said ("animals", "used to knit") into weighted phrases to look
for in the directory: the words themselves at full weight, other terms of the same group (synonyms)
a little lower, and the group's related interests lower still, so a direct match always beats a
related one. docs/matching.md describes the file's format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from linkwork.directory.search import words_of

DIRECT_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.85
RELATED_WEIGHT = 0.5


@dataclass(frozen=True)
class InterestGroup:
    name: str
    terms: tuple[str, ...]
    related: tuple[str, ...]


@dataclass(frozen=True)
class Phrase:
    """Words that must all match, the weight of a match, and the interest it stands for."""

    words: tuple[str, ...]
    weight: float
    interest: str  # what the person said, for reasons ("likes animals")
    how: str  # "direct", "synonym" or "related"


def _check(data: object) -> list[InterestGroup]:
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise ValueError("interests.json must be an object with a 'groups' list")
    groups: list[InterestGroup] = []
    for number, item in enumerate(data["groups"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError(f"interest group {number} needs a 'name'")
        terms, related = item.get("terms", []), item.get("related", [])
        if not all(isinstance(value, str) for value in [*terms, *related]):
            raise ValueError(f"interest group {item['name']!r}: terms and related must be lists of text")
        groups.append(InterestGroup(item["name"], tuple(terms), tuple(related)))
    return groups


def parse_groups(text: str) -> list[InterestGroup]:
    """Read and check an interest list in the interests.json format."""
    return _check(json.loads(text))


@cache
def interest_groups() -> tuple[InterestGroup, ...]:
    text = resources.files("linkwork.matching").joinpath("data", "interests.json").read_text(encoding="utf-8")
    return tuple(parse_groups(text))


def _key(text: str) -> tuple[str, ...]:
    return tuple(words_of(text))


@cache
def _cached_key(text: str) -> tuple[str, ...]:
    return _key(text)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return size > 0 and any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def _keyed(groups: Sequence[InterestGroup]) -> list[tuple[InterestGroup, list[tuple[str, ...]]]]:
    return [(group, [_key(term) for term in (group.name, *group.terms)]) for group in groups]


@cache
def _shipped_keys() -> list[tuple[InterestGroup, list[tuple[str, ...]]]]:
    return _keyed(interest_groups())


def groups_for(interest: str, groups: Sequence[InterestGroup] | None = None) -> list[InterestGroup]:
    """The groups an interest belongs to: it is (or contains) the group's name or one of its terms."""
    said = _key(interest)
    keyed = _shipped_keys() if groups is None else _keyed(groups)
    return [group for group, keys in keyed if any(_contains(said, key) for key in keys)]


def expand(
    interests: Iterable[str], *, factor: float = 1.0, groups: Sequence[InterestGroup] | None = None
) -> list[Phrase]:
    """Weighted phrases for some interests; each phrase once, at its best weight."""
    best: dict[tuple[str, ...], Phrase] = {}

    def add(text: str, weight: float, interest: str, how: str) -> None:
        words = _cached_key(text)
        if not words:
            return
        weighted = round(weight * factor, 4)
        current = best.get(words)
        if current is None or current.weight < weighted:
            best[words] = Phrase(words, weighted, interest, how)

    for interest in interests:
        interest = interest.strip()
        if not interest:
            continue
        add(interest, DIRECT_WEIGHT, interest, "direct")
        for group in groups_for(interest, groups):
            for term in (group.name, *group.terms):
                add(term, SYNONYM_WEIGHT, interest, "synonym")
            for term in group.related:
                add(term, RELATED_WEIGHT, interest, "related")
    return sorted(best.values(), key=lambda phrase: (-phrase.weight, phrase.words))
