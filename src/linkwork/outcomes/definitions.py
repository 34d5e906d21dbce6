"""Outcome instruments as data: one JSON file per questionnaire in `instruments/`, named by its code.

Every file is read and checked when this module is imported, so a malformed definition stops the process
with the file and the problem. Each fact cites its source. A rule whose `verified` is false is a project
default (UNVERIFIED in the research notes); a service may change the UNVERIFIED bands, missing-item
rules, change thresholds and flag thresholds through the `LINKWORK_INSTRUMENT_OVERRIDES` setting, and a
caller may pass its own (for example one organisation's). Published rules cannot be overridden.
docs/instruments.md describes every instrument and the file format.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast, get_args

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from linkwork.core.errors import NotFound

Polarity = Literal["higher_is_better", "higher_is_worse"]
MissingMethod = Literal["none", "prorate", "as_zero"]
FlagKind = Literal["safeguarding", "prompt", "threshold"]
FlagWhen = Literal["item_score_at_least", "item_declined", "total_at_least"]

DIRECTORY = Path(__file__).resolve().parent / "instruments"
OVERRIDES_SETTING = "LINKWORK_INSTRUMENT_OVERRIDES"
DECLINED = "declined"


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from: keys of the instrument's `sources`, each optionally followed by a locator.
    `verified` is False for a project default that the research notes mark UNVERIFIED."""

    source: tuple[str, ...]
    verified: bool
    note: str


@dataclass(frozen=True)
class Introduction:
    text: str
    provenance: Provenance


@dataclass(frozen=True)
class Option:
    label: str
    score: int | None  # None only in a category instrument, which has no scores
    also: tuple[str, ...]  # other published labels accepted for the same answer

    def accepts(self, answer: str) -> bool:
        wanted = answer.strip().casefold()
        return any(wanted == label.casefold() for label in (self.label, *self.also))


@dataclass(frozen=True)
class NumberScale:
    minimum: int
    maximum: int
    anchors: Mapping[int, str]


@dataclass(frozen=True)
class Answers:
    """Labelled options in published order, or (when `numbers` is set) a whole number on a scale."""

    options: tuple[Option, ...]
    numbers: NumberScale | None
    provenance: Provenance

    def allowed(self) -> list[str]:
        if self.numbers is not None:
            labels = [str(number) for number in range(self.numbers.minimum, self.numbers.maximum + 1)]
        else:
            labels = [label for option in self.options for label in (option.label, *option.also)]
        return [*labels, DECLINED]

    def score_range(self) -> tuple[int, int] | None:
        """The lowest and highest score one item can have; None when the options carry no scores."""
        if self.numbers is not None:
            return self.numbers.minimum, self.numbers.maximum
        scores = [option.score for option in self.options if option.score is not None]
        return (min(scores), max(scores)) if scores else None


@dataclass(frozen=True)
class Band:
    label: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Banding:
    bands: tuple[Band, ...]  # empty when the instrument has no bands
    provenance: Provenance

    def band_for(self, value: int) -> str | None:
        return next((band.label for band in self.bands if band.minimum <= value <= band.maximum), None)


@dataclass(frozen=True)
class MissingRule:
    """How many items may be declined with a score still given: the rest are added as they are
    (`as_zero`) or the total is prorated (`prorate`: the mean of the answered items times the number of
    items, rounded half up). `none` means every item must be answered."""

    max_missing: int
    method: MissingMethod
    provenance: Provenance


@dataclass(frozen=True)
class Item:
    number: int
    name: str  # a short name; "item N" unless the definition gives one
    text: str
    note: str
    polarity: Polarity  # the instrument's, unless the item is scored on its own
    reversed: bool  # scored as if its options were listed in the opposite order
    options_shown_reversed: bool  # presentation only: offer the options from the last one
    bands: Banding | None  # only for an item scored on its own


@dataclass(frozen=True)
class Subscale:
    code: str
    name: str
    items: tuple[int, ...]
    range: tuple[int, int]
    bands: Banding
    missing: MissingRule


@dataclass(frozen=True)
class Conversion:
    """A published table from the raw total to another scale (SWEMWBS's metric score)."""

    name: str
    table: Mapping[int, float]
    provenance: Provenance


@dataclass(frozen=True)
class SumScoring:
    """Kind "sum": the item scores add up to a total."""

    polarity: Polarity
    range: tuple[int, int]
    bands: Banding
    missing: MissingRule
    subscales: tuple[Subscale, ...]
    conversion: Conversion | None
    provenance: Provenance


@dataclass(frozen=True)
class PerItemScoring:
    """Kind "per_item": no total; each item is a score with its own polarity and bands (ONS4)."""

    provenance: Provenance


@dataclass(frozen=True)
class CategoryScoring:
    """Kind "category": one question without scores; the chosen option's label is the band. For change,
    answers compare by their position in the published order, and `polarity` applies to that position."""

    polarity: Polarity
    polarity_note: str
    provenance: Provenance


Scoring = SumScoring | PerItemScoring | CategoryScoring


@dataclass(frozen=True)
class FlagRule:
    """A named signal for other parts of linkwork: `item_score_at_least` and `item_declined` look at one
    item, `total_at_least` at the total. `kind` says what it asks for: an immediate safeguarding alert,
    a prompt to the worker, or a threshold for reports."""

    name: str
    kind: FlagKind
    description: str
    when: FlagWhen
    item: int | None  # None for total_at_least
    value: int | None  # None for item_declined
    provenance: Provenance


@dataclass(frozen=True)
class ChangeRule:
    """The smallest difference that counts as reliable or meaningful; None when none is published."""

    threshold: float | None
    provenance: Provenance


@dataclass(frozen=True)
class Licence:
    text: str
    notice: str | None  # wording that must appear on every copy
    provenance: Provenance


@dataclass(frozen=True)
class UnscoredItem:
    """Part of the published questionnaire but not scored, and not one of the answers to score()."""

    text: str
    options: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    measures: str
    introduction: Introduction | None
    time_frame: str | None
    wording: Provenance
    items: tuple[Item, ...]
    unscored_items: tuple[UnscoredItem, ...]
    answers: Answers
    scoring: Scoring
    flags: tuple[FlagRule, ...]
    change: ChangeRule
    licence: Licence
    codes: Mapping[str, str]
    sources: Mapping[str, str]


def instrument_get(code: str, *, overrides: Mapping[str, object] | None = None) -> Instrument:
    """The instrument as this service scores it: its definition with `LINKWORK_INSTRUMENT_OVERRIDES[code]`
    applied, then `overrides` (which win key by key)."""
    if code not in _INSTRUMENTS:
        raise NotFound(
            f"There is no instrument {code!r}. The instruments are: {', '.join(_INSTRUMENTS)}.",
            code="UNKNOWN_INSTRUMENT",
        )
    changes = {**_configured_overrides(code), **(overrides or {})}
    if not changes:
        return _INSTRUMENTS[code]
    origin = f"overrides for {code} ({OVERRIDES_SETTING} or passed in)"
    return instrument_parse(_apply_overrides(_RAW[code], changes, origin), origin=origin)


def instrument_list() -> list[Instrument]:
    return [instrument_get(code) for code in _INSTRUMENTS]


def definitions_read(directory: Path) -> dict[str, dict[str, Any]]:
    """The JSON of each `<code>.json` in `directory`, by code."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImproperlyConfigured(f"{path}: cannot be read as JSON: {error}") from None
        if not isinstance(data, dict) or data.get("code") != path.stem:
            raise ImproperlyConfigured(f'{path}: must be an object whose "code" is {path.stem!r}')
        found[path.stem] = data
    return found


def instrument_parse(data: object, *, origin: str) -> Instrument:
    """Build and check one definition. Any problem raises ImproperlyConfigured naming `origin` and where."""
    reader = _Reader(data, origin=origin, path="")
    sources = reader.strings("sources")
    parsed = _Parser(reader, sources)
    instrument = parsed.instrument()
    try:
        _check(instrument)
    except ValueError as problem:
        raise ImproperlyConfigured(f"{origin}: {problem}") from None
    return instrument


# Reading the JSON ------------------------------------------------------------------------------------


class _Reader:
    """One JSON object: typed reads by key, errors that name the file and the path, unknown keys refused."""

    def __init__(self, data: object, *, origin: str, path: str) -> None:
        self.origin, self.path = origin, path
        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{origin}: {path or 'the definition'}: must be an object")
        self.data = cast(dict[str, object], data)
        self.read: set[str] = set()

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, problem: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{self.origin}: {self.at(key)}: {problem}")

    def value(self, key: str) -> object:
        self.read.add(key)
        return self.data.get(key)

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.value(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "must be a whole number")
        return value

    def optional_integer(self, key: str) -> int | None:
        return None if self.value(key) is None else self.integer(key)

    def optional_number(self, key: str) -> float | None:
        value = self.value(key)
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        raise self.error(key, "must be a number or null")

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        value = self.value(key)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.value(key)
        if not isinstance(value, str) or value not in allowed:
            raise self.error(key, f"must be one of {', '.join(allowed)}")
        return value

    def items(self, key: str) -> list[object]:
        value = self.value(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, "must be a list")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.items(key)
        if not all(isinstance(value, str) and value.strip() for value in values):
            raise self.error(key, "must be a list of non-empty strings")
        return tuple(cast(list[str], values))

    def integers(self, key: str) -> tuple[int, ...]:
        values = self.items(key)
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            raise self.error(key, "must be a list of whole numbers")
        return tuple(cast(list[int], values))

    def pair(self, key: str) -> tuple[int, int]:
        low_high = self.integers(key)
        if len(low_high) != 2 or low_high[0] > low_high[1]:
            raise self.error(key, "must be [lowest, highest]")
        return low_high[0], low_high[1]

    def mapping(self, key: str) -> dict[str, object]:
        value = self.value(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, "must be an object")
        return cast(dict[str, object], value)

    def strings(self, key: str) -> dict[str, str]:
        values = self.mapping(key)
        if not all(isinstance(value, str) and value.strip() for value in values.values()):
            raise self.error(key, "must map names to non-empty strings")
        return cast(dict[str, str], values)

    def numbered(self, key: str) -> dict[int, object]:
        """An object whose keys are whole numbers written as strings (JSON keys are strings)."""
        values = self.mapping(key)
        if not all(name.lstrip("-").isdigit() for name in values):
            raise self.error(key, "keys must be whole numbers")
        return {int(name): value for name, value in values.items()}

    def child(self, key: str) -> _Reader:
        return _Reader(self.value(key), origin=self.origin, path=self.at(key))

    def optional_child(self, key: str) -> _Reader | None:
        return None if self.value(key) is None else self.child(key)

    def children(self, key: str) -> list[_Reader]:
        return [
            _Reader(value, origin=self.origin, path=f"{self.at(key)}[{index}]")
            for index, value in enumerate(self.items(key))
        ]

    def finish(self) -> None:
        unexpected = sorted(set(self.data) - self.read)
        if unexpected:
            raise self.error(unexpected[0], "is not expected here (misspelt, or not used by this kind)")


class _Parser:
    """Turns the JSON into an Instrument. Shape and type problems are reported here; whether the parts
    agree with each other (bands cover the range, and so on) is checked afterwards by _check."""

    def __init__(self, reader: _Reader, sources: Mapping[str, str]) -> None:
        self.reader, self.sources = reader, sources

    def instrument(self) -> Instrument:
        top = self.reader
        answers = self.answers(top.child("answers"))
        scoring_reader = top.child("scoring")
        kind = scoring_reader.choice("kind", ("sum", "per_item", "category"))
        polarity = None if kind == "per_item" else self.polarity(top, "polarity")
        items = tuple(self.item(reader, polarity) for reader in top.children("items"))
        instrument = Instrument(
            code=top.text("code"),
            name=top.text("name"),
            measures=top.text("measures"),
            introduction=self.introduction(top.optional_child("introduction")),
            time_frame=top.optional_text("time_frame"),
            wording=self.provenance(top.child("wording")),
            items=items,
            unscored_items=tuple(self.unscored(reader) for reader in top.children("unscored_items")),
            answers=answers,
            scoring=self.scoring(top, kind, polarity, scoring_reader),
            flags=tuple(self.flag(reader) for reader in top.children("flags")),
            change=self.change(top.child("change")),
            licence=self.licence(top.child("licence")),
            codes=top.strings("codes"),
            sources=self.sources,
        )
        top.finish()
        return instrument

    def provenance(self, reader: _Reader) -> Provenance:
        source = reader.texts("source")
        unknown = [citation for citation in source if citation.split()[0] not in self.sources]
        if unknown:
            raise reader.error("source", f"{unknown[0]!r} does not start with a key of the file's sources")
        provenance = Provenance(
            source=source, verified=reader.boolean("verified"), note=reader.optional_text("note") or ""
        )
        reader.finish()
        return provenance

    def polarity(self, reader: _Reader, key: str) -> Polarity:
        return cast(Polarity, reader.choice(key, get_args(Polarity)))

    def introduction(self, reader: _Reader | None) -> Introduction | None:
        if reader is None:
            return None
        text = reader.text("text")
        return Introduction(text=text, provenance=self.provenance(reader))

    def item(self, reader: _Reader, polarity: Polarity | None) -> Item:
        number = reader.integer("number")
        bands = reader.optional_child("bands")
        item = Item(
            number=number,
            name=reader.optional_text("name") or f"item {number}",
            text=reader.text("text"),
            note=reader.optional_text("note") or "",
            polarity=self.polarity(reader, "polarity") if polarity is None else polarity,
            reversed=reader.boolean("reversed", default=False),
            options_shown_reversed=reader.boolean("options_shown_reversed", default=False),
            bands=None if bands is None else self.banding(bands),
        )
        reader.finish()
        return item

    def unscored(self, reader: _Reader) -> UnscoredItem:
        text, options = reader.text("text"), reader.texts("options")
        return UnscoredItem(text=text, options=options, provenance=self.provenance(reader))

    def answers(self, reader: _Reader) -> Answers:
        numbers = reader.optional_child("numbers")
        options = tuple(self.option(option) for option in reader.children("options"))
        if (numbers is None) == (not options):
            raise reader.error("options", 'give either "options" or "numbers"')
        return Answers(
            options=options,
            numbers=None if numbers is None else self.numbers(numbers),
            provenance=self.provenance(reader),
        )

    def option(self, reader: _Reader) -> Option:
        option = Option(
            label=reader.text("label"), score=reader.optional_integer("score"), also=reader.texts("also")
        )
        reader.finish()
        return option

    def numbers(self, reader: _Reader) -> NumberScale:
        anchors = reader.numbered("anchors")
        if not all(isinstance(anchor, str) for anchor in anchors.values()):
            raise reader.error("anchors", "must map numbers to labels")
        scale = NumberScale(
            minimum=reader.integer("min"),
            maximum=reader.integer("max"),
            anchors=cast(dict[int, str], anchors),
        )
        reader.finish()
        return scale

    def scoring(self, top: _Reader, kind: str, polarity: Polarity | None, reader: _Reader) -> Scoring:
        provenance = self.provenance(reader)
        if kind == "per_item":
            return PerItemScoring(provenance=provenance)
        assert polarity is not None  # read for every kind but per_item
        if kind == "category":
            return CategoryScoring(
                polarity=polarity, polarity_note=top.text("polarity_note"), provenance=provenance
            )
        conversion = top.optional_child("conversion")
        return SumScoring(
            polarity=polarity,
            range=top.pair("range"),
            bands=self.banding(top.child("bands")),
            missing=self.missing(top.child("missing")),
            subscales=tuple(self.subscale(subscale) for subscale in top.children("subscales")),
            conversion=None if conversion is None else self.conversion(conversion),
            provenance=provenance,
        )

    def banding(self, reader: _Reader) -> Banding:
        bands = []
        for band in reader.children("bands"):
            bands.append(
                Band(label=band.text("label"), minimum=band.integer("min"), maximum=band.integer("max"))
            )
            band.finish()
        return Banding(bands=tuple(bands), provenance=self.provenance(reader))

    def missing(self, reader: _Reader) -> MissingRule:
        return MissingRule(
            max_missing=reader.integer("max_missing"),
            method=cast(MissingMethod, reader.choice("method", get_args(MissingMethod))),
            provenance=self.provenance(reader),
        )

    def subscale(self, reader: _Reader) -> Subscale:
        subscale = Subscale(
            code=reader.text("code"),
            name=reader.text("name"),
            items=reader.integers("items"),
            range=reader.pair("range"),
            bands=self.banding(reader.child("bands")),
            missing=self.missing(reader.child("missing")),
        )
        reader.finish()
        return subscale

    def conversion(self, reader: _Reader) -> Conversion:
        table = reader.numbered("table")
        if not all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in table.values()
        ):
            raise reader.error("table", "must map raw scores to numbers")
        return Conversion(
            name=reader.text("name"),
            table=cast(dict[int, float], table),
            provenance=self.provenance(reader),
        )

    def flag(self, reader: _Reader) -> FlagRule:
        return FlagRule(
            name=reader.text("name"),
            kind=cast(FlagKind, reader.choice("kind", get_args(FlagKind))),
            description=reader.text("description"),
            when=cast(FlagWhen, reader.choice("when", get_args(FlagWhen))),
            item=reader.optional_integer("item"),
            value=reader.optional_integer("value"),
            provenance=self.provenance(reader),
        )

    def change(self, reader: _Reader) -> ChangeRule:
        return ChangeRule(threshold=reader.optional_number("threshold"), provenance=self.provenance(reader))

    def licence(self, reader: _Reader) -> Licence:
        text, notice = reader.text("text"), reader.optional_text("notice")
        return Licence(text=text, notice=notice, provenance=self.provenance(reader))


# Checking that the parts agree -------------------------------------------------------------------------


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)


def _check(instrument: Instrument) -> None:
    items, answers = instrument.items, instrument.answers
    numbers = [item.number for item in items]
    _require(bool(items) and numbers == list(range(1, len(items) + 1)), "items: must be numbered 1, 2, 3…")
    labels = [
        label.casefold().strip() for option in answers.options for label in (option.label, *option.also)
    ]
    _require(len(set(labels)) == len(labels), "answers.options: two labels are the same (ignoring case)")
    _require(DECLINED not in labels, f"answers.options: {DECLINED!r} is kept for declined items")
    if answers.numbers is not None:
        _require(answers.numbers.minimum < answers.numbers.maximum, "answers.numbers: min must be below max")
    _require(
        answers.numbers is None or not any(item.reversed for item in items),
        "items: only items answered with options can be reversed",
    )
    scored = all(option.score is not None for option in answers.options)
    scoring = instrument.scoring
    if isinstance(scoring, CategoryScoring):
        _require(len(items) == 1, "items: a category instrument has one question")
        _require(all(option.score is None for option in answers.options), "answers: a category has no scores")
        _require(not instrument.flags, "flags: a category instrument has none")
    else:
        _require(scored, "answers.options: every option needs a score")
    if isinstance(scoring, PerItemScoring):
        for item in items:
            _require(item.bands is not None, f"items[{item.number - 1}].bands: needed for per_item scoring")
    else:
        _require(all(item.bands is None for item in items), "items: only per_item scoring has item bands")
    item_range = answers.score_range()
    for item in items:
        if item.bands is not None and item_range is not None:
            _check_bands(item.bands, item_range, f"items[{item.number - 1}].bands")
    if isinstance(scoring, SumScoring) and item_range is not None:
        _check_sum(scoring, len(items), item_range)
    _check_flags(instrument, item_range)
    threshold = instrument.change.threshold
    _require(threshold is None or threshold > 0, "change.threshold: must be above 0")


def _check_sum(scoring: SumScoring, count: int, item_range: tuple[int, int]) -> None:
    expected = (count * item_range[0], count * item_range[1])
    _require(scoring.range == expected, f"range: the items add up to {list(expected)}")
    _check_bands(scoring.bands, scoring.range, "bands")
    _check_missing(scoring.missing, count, "missing")
    codes = [subscale.code for subscale in scoring.subscales]
    _require(len(set(codes)) == len(codes), "subscales: two have the same code")
    for subscale in scoring.subscales:
        where = f"subscales {subscale.code}"
        _require(
            bool(subscale.items) and set(subscale.items) <= set(range(1, count + 1)),
            f"{where}: items must be item numbers",
        )
        size = len(subscale.items)
        expected = (size * item_range[0], size * item_range[1])
        _require(subscale.range == expected, f"{where}: range: its items add up to {list(expected)}")
        _check_bands(subscale.bands, subscale.range, f"{where}: bands")
        _check_missing(subscale.missing, size, f"{where}: missing")
    if scoring.conversion is not None:
        low, high = scoring.range
        _require(
            set(scoring.conversion.table) == set(range(low, high + 1)),
            f"conversion.table: needs exactly one entry for each total from {low} to {high}",
        )


def _check_bands(banding: Banding, value_range: tuple[int, int], where: str) -> None:
    bands = banding.bands
    if not bands:
        return
    labels = [band.label for band in bands]
    _require(len(set(labels)) == len(labels), f"{where}: two bands have the same label")
    _require(
        bands[0].minimum == value_range[0] and bands[-1].maximum == value_range[1],
        f"{where}: must run from {value_range[0]} to {value_range[1]}",
    )
    for before, after in zip(bands, bands[1:], strict=False):
        _require(
            after.minimum == before.maximum + 1,
            f"{where}: {after.label!r} must start at {before.maximum + 1}",
        )
    _require(all(band.minimum <= band.maximum for band in bands), f"{where}: a band ends before it starts")


def _check_missing(rule: MissingRule, count: int, where: str) -> None:
    _require(0 <= rule.max_missing < count, f"{where}: max_missing must be from 0 to {count - 1}")
    _require(
        (rule.method == "none") == (rule.max_missing == 0),
        f'{where}: method is "none" exactly when max_missing is 0',
    )


def _check_flags(instrument: Instrument, item_range: tuple[int, int] | None) -> None:
    names = [flag.name for flag in instrument.flags]
    _require(len(set(names)) == len(names), "flags: two have the same name")
    scoring = instrument.scoring
    for flag in instrument.flags:
        where = f"flags {flag.name}"
        if flag.when == "total_at_least":
            _require(
                isinstance(scoring, SumScoring) and flag.item is None, f"{where}: needs a total, no item"
            )
            value_range = scoring.range if isinstance(scoring, SumScoring) else None
        else:
            _require(
                flag.item in range(1, len(instrument.items) + 1), f"{where}: item must be an item number"
            )
            value_range = item_range
        if flag.when == "item_declined":
            _require(flag.value is None, f"{where}: item_declined takes no value")
        else:
            _require(
                flag.value is not None
                and value_range is not None
                and value_range[0] < flag.value <= value_range[1],
                f"{where}: value must be a score above the lowest",
            )


# Overrides for the UNVERIFIED rules ---------------------------------------------------------------------


def _configured_overrides(code: str) -> Mapping[str, object]:
    setting = getattr(settings, OVERRIDES_SETTING, None) or {}
    if not isinstance(setting, Mapping) or not set(setting) <= set(_INSTRUMENTS):
        raise ImproperlyConfigured(
            f"{OVERRIDES_SETTING} must map instrument codes ({', '.join(_INSTRUMENTS)}) to overrides"
        )
    overrides = setting.get(code) or {}
    if not isinstance(overrides, Mapping):
        raise ImproperlyConfigured(f"{OVERRIDES_SETTING}[{code!r}] must be a dict of overrides")
    return overrides


def _apply_overrides(raw: Mapping[str, Any], changes: Mapping[str, object], origin: str) -> dict[str, Any]:
    """A copy of the definition's JSON with each override written into its rule, refusing published rules."""
    data = copy.deepcopy(dict(raw))
    for key, value in changes.items():
        where = f"{origin}: {key}"
        if key == "bands":
            _override(data.get("bands"), {"bands": value}, where)
        elif key == "missing" and isinstance(value, Mapping) and set(value) <= {"max_missing", "method"}:
            _override(data.get("missing"), dict(value), where)
        elif key == "change_threshold":
            _override(data.get("change"), {"threshold": value}, where)
        elif key == "flags" and isinstance(value, Mapping):
            flags = {flag.get("name"): flag for flag in data.get("flags", [])}
            for name, flag_value in value.items():
                _override(flags.get(name), {"value": flag_value}, f"{where}: {name}")
        else:
            raise ImproperlyConfigured(
                f"{where}: not an override. Use bands (a list of label/min/max), missing ({{max_missing, "
                "method}), change_threshold (a number or None) or flags ({flag name: threshold})."
            )
    return data


def _override(rule: object, updates: dict[str, object], where: str) -> None:
    if not isinstance(rule, dict):
        raise ImproperlyConfigured(f"{where}: this instrument has no such rule")
    if rule.get("verified") is not False:
        raise ImproperlyConfigured(f"{where}: this rule is published (verified) and cannot be overridden")
    rule.update(updates)
    rule["source"] = []
    rule["note"] = f"Overridden ({where}). The project default was: {rule.get('note', '')}"


_RAW = definitions_read(DIRECTORY)
_INSTRUMENTS = {
    code: instrument_parse(data, origin=str(DIRECTORY / f"{code}.json")) for code, data in _RAW.items()
}
