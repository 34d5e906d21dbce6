"""The one scoring engine. All it knows about an instrument comes from its definition (definitions.py).

Answers are given item by item in published order: the label of the chosen option (any case, spaces
around it ignored), a whole number on a number scale such as ONS4's 0 to 10, or "declined".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from typing import Literal

from linkwork.core.errors import ValidationFailed
from linkwork.outcomes.definitions import (
    DECLINED,
    CategoryScoring,
    FlagRule,
    Instrument,
    Item,
    MissingRule,
    PerItemScoring,
    Polarity,
    SumScoring,
    instrument_get,
)

Answer = str | int
Direction = Literal["better", "worse", "same"]


class AnswerError(ValidationFailed):
    """The answers do not fit the instrument. `item` is the item's number, `allowed` the accepted answers."""

    code = "INVALID_ANSWER"

    def __init__(self, instrument: Instrument, item: Item, problem: str) -> None:
        self.item = item.number
        self.allowed = instrument.answers.allowed()
        allowed = ", ".join(f'"{answer}"' for answer in self.allowed)
        message = (
            f'{instrument.code} item {item.number} ("{item.text}"): {problem}. Allowed answers: {allowed}.'
        )
        super().__init__(message, fields={f"item_{item.number}": message})


@dataclass(frozen=True)
class SubscaleScore:
    total: int | None
    band: str | None


@dataclass(frozen=True)
class ItemScore:
    name: str
    score: int | None
    band: str | None


@dataclass(frozen=True)
class ScoreResult:
    """`total` is None when the instrument has none or its missing-item rule does not allow one; then
    `valid` is False and `reason` says why. `metric` is the converted total where a conversion is
    published (SWEMWBS). `per_item` holds, by item number, the scores of an instrument scored item by
    item (ONS4)."""

    instrument: str
    total: int | None
    band: str | None
    subscales: dict[str, SubscaleScore]
    flags: list[str]
    missing: list[int]
    valid: bool
    reason: str = ""
    metric: float | None = None
    per_item: dict[int, ItemScore] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeResult:
    """`difference` is after minus before, on the metric score where there is one. `reliable` is None
    when no threshold is published. `band_change` reads "before -> after" when the band moved."""

    instrument: str
    difference: float | None
    direction: Direction | None
    reliable: bool | None
    threshold: float | None
    band_change: str | None
    per_item: dict[int, ChangeResult] = field(default_factory=dict)


def score(
    code: str, answers: Sequence[Answer], *, overrides: Mapping[str, object] | None = None
) -> ScoreResult:
    """Score one completed questionnaire. Raises AnswerError for a wrong number of answers or an answer
    that is not allowed. `overrides` are passed to instrument_get."""
    instrument = instrument_get(code, overrides=overrides)
    readings = _read_answers(instrument, answers)
    missing = [
        item.number for item, reading in zip(instrument.items, readings, strict=True) if reading is None
    ]
    scoring = instrument.scoring
    if isinstance(scoring, CategoryScoring):
        chosen = readings[0]
        band = None if chosen is None else instrument.answers.options[chosen].label
        return ScoreResult(
            instrument=code,
            total=None,
            band=band,
            subscales={},
            flags=[],
            missing=missing,
            valid=band is not None,
            reason="" if band else "The question was declined.",
        )
    scores = {
        item.number: None if reading is None else _item_score(instrument, item, reading)
        for item, reading in zip(instrument.items, readings, strict=True)
    }
    if isinstance(scoring, PerItemScoring):
        valid = len(missing) < len(instrument.items)
        return ScoreResult(
            instrument=code,
            total=None,
            band=None,
            subscales={},
            flags=_flags(instrument, scores, None),
            missing=missing,
            valid=valid,
            reason="" if valid else "Every item was declined.",
            per_item={
                item.number: ItemScore(
                    name=item.name,
                    score=scores[item.number],
                    band=_band(item.bands.band_for, scores[item.number]) if item.bands else None,
                )
                for item in instrument.items
            },
        )
    return _summed(instrument, scoring, scores, missing)


def result_as_json(result: ScoreResult) -> dict[str, object]:
    """The result as plain JSON data: what `linkwork score` prints and `POST /instruments/{code}/score`
    returns. `instrument`, `total`, `band`, `subscales`, `flags`, `missing` and `valid`, then the converted
    total under the conversion's name (`metric`, SWEMWBS), `items` for an instrument scored item by item
    (ONS4), and `reason` when the result is not valid."""
    scoring = instrument_get(result.instrument).scoring  # neither a conversion nor the kind is overridable
    output: dict[str, object] = {
        "instrument": result.instrument,
        "total": result.total,
        "band": result.band,
        "subscales": {name: asdict(subscale) for name, subscale in result.subscales.items()},
        "flags": list(result.flags),
        "missing": list(result.missing),
        "valid": result.valid,
    }
    if isinstance(scoring, SumScoring) and scoring.conversion is not None:
        output[scoring.conversion.name] = result.metric
    if isinstance(scoring, PerItemScoring):
        output["items"] = [{"item": number, **asdict(item)} for number, item in result.per_item.items()]
    if not result.valid:
        output["reason"] = result.reason
    return output


def change(
    code: str, before: ScoreResult, after: ScoreResult, *, overrides: Mapping[str, object] | None = None
) -> ChangeResult:
    """Compare two results of the same instrument, earlier first."""
    if before.instrument != code or after.instrument != code:
        raise ValueError(
            f"change() compares two {code} results, not {before.instrument} and {after.instrument}."
        )
    instrument = instrument_get(code, overrides=overrides)
    threshold = instrument.change.threshold
    scoring = instrument.scoring
    if isinstance(scoring, SumScoring):
        values = (before.metric, after.metric) if scoring.conversion else (before.total, after.total)
        return _compare(code, values, (before.band, after.band), scoring.polarity, threshold)
    if isinstance(scoring, PerItemScoring):
        per_item = {}
        for item in instrument.items:
            old, new = before.per_item[item.number], after.per_item[item.number]
            per_item[item.number] = _compare(
                code, (old.score, new.score), (old.band, new.band), item.polarity, threshold
            )
        return ChangeResult(
            instrument=code,
            difference=None,
            direction=None,
            reliable=None,
            threshold=threshold,
            band_change=None,
            per_item=per_item,
        )
    labels = [option.label for option in instrument.answers.options]
    positions = tuple(
        labels.index(result.band) if result.band in labels else None for result in (before, after)
    )
    moved = _compare(code, (positions[0], positions[1]), (before.band, after.band), scoring.polarity, None)
    return replace(moved, difference=None)  # positions order the categories; they are not scores


def _read_answers(instrument: Instrument, answers: Sequence[Answer]) -> list[int | None]:
    items = instrument.items
    if len(answers) != len(items):
        item = items[min(len(answers), len(items) - 1)]
        given = f"{len(items)} answers are needed, one per item, but {len(answers)} were given"
        problem = (
            f"{given}, so this item has no answer"
            if len(answers) < len(items)
            else f"{given}; this is the last item"
        )
        raise AnswerError(instrument, item, problem)
    return [_read(instrument, item, answer) for item, answer in zip(items, answers, strict=True)]


def _read(instrument: Instrument, item: Item, answer: Answer) -> int | None:
    """The position of the chosen option in the published order, or the number given; None if declined."""
    text = answer.strip().casefold() if isinstance(answer, str) else None
    if text == DECLINED:
        return None
    numbers = instrument.answers.numbers
    if numbers is not None:
        if isinstance(answer, int) and not isinstance(answer, bool):
            value: int | None = answer
        else:
            value = int(text) if text and text.isascii() and text.isdigit() else None
        if value is not None and numbers.minimum <= value <= numbers.maximum:
            return value
    elif text is not None:
        for position, option in enumerate(instrument.answers.options):
            if option.accepts(text):
                return position
    raise AnswerError(instrument, item, f"{answer!r} is not one of the allowed answers")


def _item_score(instrument: Instrument, item: Item, reading: int) -> int | None:
    """A number is its own score. An option scores as listed, or mirrored for a reversed item."""
    options = instrument.answers.options
    if not options:
        return reading
    return (options[-1 - reading] if item.reversed else options[reading]).score


def _summed(
    instrument: Instrument, scoring: SumScoring, scores: dict[int, int | None], missing: list[int]
) -> ScoreResult:
    total, reason = _total(list(scores.values()), scoring.missing)
    subscales = {}
    for subscale in scoring.subscales:
        subtotal, _ = _total([scores[number] for number in subscale.items], subscale.missing)
        subscales[subscale.code] = SubscaleScore(
            total=subtotal, band=_band(subscale.bands.band_for, subtotal)
        )
    return ScoreResult(
        instrument=instrument.code,
        total=total,
        band=_band(scoring.bands.band_for, total),
        subscales=subscales,
        flags=_flags(instrument, scores, total),
        missing=missing,
        valid=total is not None,
        reason=reason,
        metric=scoring.conversion.table[total] if scoring.conversion and total is not None else None,
    )


def _total(scores: list[int | None], rule: MissingRule) -> tuple[int | None, str]:
    """The total the missing-item rule allows, or None and the reason there is none."""
    answered = [value for value in scores if value is not None]
    declined = len(scores) - len(answered)
    if declined > rule.max_missing:
        allowed = "none may be" if rule.max_missing == 0 else f"at most {rule.max_missing} may be"
        return None, f"No total: {declined} of {len(scores)} items were declined, and {allowed}."
    if declined and rule.method == "prorate":
        return math.floor(Fraction(sum(answered) * len(scores), len(answered)) + Fraction(1, 2)), ""
    return sum(answered), ""


def _band(band_for: Callable[[int], str | None], value: int | None) -> str | None:
    return None if value is None else band_for(value)


def _flags(instrument: Instrument, scores: Mapping[int, int | None], total: int | None) -> list[str]:
    return [rule.name for rule in instrument.flags if _raised(rule, scores, total)]


def _raised(rule: FlagRule, scores: Mapping[int, int | None], total: int | None) -> bool:
    if rule.item is None:
        value = total
    elif rule.when == "item_declined":
        return scores[rule.item] is None
    else:
        value = scores[rule.item]
    return value is not None and rule.value is not None and value >= rule.value


def _compare(
    code: str,
    values: tuple[float | None, float | None],
    bands: tuple[str | None, str | None],
    polarity: Polarity,
    threshold: float | None,
) -> ChangeResult:
    before, after = values
    difference = None if before is None or after is None else round(after - before, 2)
    if difference is None:
        direction: Direction | None = None
    elif difference == 0:
        direction = "same"
    else:
        direction = "better" if (difference > 0) == (polarity == "higher_is_better") else "worse"
    old, new = bands
    return ChangeResult(
        instrument=code,
        difference=difference,
        direction=direction,
        reliable=None if difference is None or threshold is None else abs(difference) >= threshold,
        threshold=threshold,
        band_change=f"{old} -> {new}" if old and new and old != new else None,
    )
