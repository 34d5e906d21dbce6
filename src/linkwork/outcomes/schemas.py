"""Input and output schemas for questionnaire definitions, scoring, measures, safeguarding alerts,
stories and programme schedules."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from linkwork.outcomes.definitions import (
    Banding,
    CategoryScoring,
    Instrument,
    MissingRule,
    PerItemScoring,
    Provenance,
    SumScoring,
)
from linkwork.outcomes.models import Measure, MeasureSchedule, SafeguardingAlert, SkipReason, Story, TimePoint
from linkwork.outcomes.selectors import DueMeasure, MeasureChange

ANSWER_LENGTH = 200


def _answer(value: object) -> str | int:
    """Text or a whole number, as it came: the scoring engine decides whether the item allows it."""
    if isinstance(value, str) and len(value) <= ANSWER_LENGTH:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("answer", 'Give the label of an option, a whole number, or "declined".')


# One answer: the chosen option's label (any case), a whole number on a 0 to 10 scale, or "declined".
AnswerIn = Annotated[
    str | int,
    PlainValidator(_answer),
    WithJsonSchema({"anyOf": [{"type": "string", "maxLength": ANSWER_LENGTH}, {"type": "integer"}]}),
]
ANSWERS_DESCRIPTION = (
    "One answer per item, in published order: the label of the chosen option, a number on ONS4's 0 to 10 "
    'scale, or "declined"'
)


# Definitions ---------------------------------------------------------------------------------------------


class ProvenanceOut(Schema):
    source: list[str] = Field(description="Keys of the instrument's `sources`, each with a locator")
    verified: bool = Field(description="False for a project default, or a fact the research marks UNVERIFIED")
    note: str

    @staticmethod
    def build(provenance: Provenance) -> ProvenanceOut:
        return ProvenanceOut(
            source=list(provenance.source), verified=provenance.verified, note=provenance.note
        )


class BandOut(Schema):
    label: str
    min: int
    max: int


class BandingOut(Schema):
    bands: list[BandOut] = Field(description="Empty when the instrument has no bands")
    provenance: ProvenanceOut

    @staticmethod
    def build(banding: Banding) -> BandingOut:
        return BandingOut(
            bands=[BandOut(label=b.label, min=b.minimum, max=b.maximum) for b in banding.bands],
            provenance=ProvenanceOut.build(banding.provenance),
        )


class MissingOut(Schema):
    max_missing: int = Field(description="How many items may be declined with a total still given")
    method: str = Field(description="none, as_zero or prorate")
    provenance: ProvenanceOut

    @staticmethod
    def build(rule: MissingRule) -> MissingOut:
        return MissingOut(
            max_missing=rule.max_missing, method=rule.method, provenance=ProvenanceOut.build(rule.provenance)
        )


class IntroductionOut(Schema):
    text: str
    provenance: ProvenanceOut


class ItemOut(Schema):
    number: int
    name: str
    text: str
    note: str
    polarity: str
    reversed: bool = Field(description="Scored as if its options were listed the other way round")
    options_shown_reversed: bool = Field(description="Presentation only: offer the options from the last")
    bands: BandingOut | None = Field(description="Only for an item scored on its own (ONS4)")


class UnscoredItemOut(Schema):
    text: str
    options: list[str]
    provenance: ProvenanceOut


class OptionOut(Schema):
    label: str
    score: int | None
    also: list[str] = Field(description="Other published labels accepted for the same answer")


class NumberScaleOut(Schema):
    min: int
    max: int
    anchors: dict[int, str]


class AnswersOut(Schema):
    options: list[OptionOut]
    numbers: NumberScaleOut | None = Field(description="A 0 to 10 scale instead of options (ONS4)")
    allowed: list[str] = Field(description="Every answer accepted, declined included")
    provenance: ProvenanceOut


class SubscaleOut(Schema):
    code: str
    name: str
    items: list[int]
    range: list[int]
    bands: BandingOut
    missing: MissingOut


class ConversionOut(Schema):
    name: str
    table: dict[int, float] = Field(description="Raw total to the converted score")
    provenance: ProvenanceOut


class FlagOut(Schema):
    name: str
    kind: str = Field(description="safeguarding (an immediate alert), prompt or threshold")
    description: str
    when: str = Field(description="item_score_at_least, item_declined or total_at_least")
    item: int | None
    value: int | None
    provenance: ProvenanceOut


class ChangeRuleOut(Schema):
    threshold: float | None = Field(description="The smallest difference that counts; null when none")
    provenance: ProvenanceOut


class LicenceOut(Schema):
    text: str
    notice: str | None = Field(description="Wording that must appear on every copy")
    provenance: ProvenanceOut


def _range(instrument: Instrument) -> list[int] | None:
    scoring = instrument.scoring
    if isinstance(scoring, SumScoring):
        return list(scoring.range)
    item_range = instrument.answers.score_range()
    return list(item_range) if isinstance(scoring, PerItemScoring) and item_range else None


def _polarity(instrument: Instrument) -> str | None:
    scoring = instrument.scoring
    return None if isinstance(scoring, PerItemScoring) else scoring.polarity


def _kind(instrument: Instrument) -> str:
    scoring = instrument.scoring
    if isinstance(scoring, SumScoring):
        return "sum"
    return "per_item" if isinstance(scoring, PerItemScoring) else "category"


def _unverified(instrument: Instrument) -> list[str]:
    """Where each rule marked `verified: false` sits in the definition."""
    rules: list[tuple[str, Provenance]] = [
        ("wording", instrument.wording),
        ("answers", instrument.answers.provenance),
        ("scoring", instrument.scoring.provenance),
    ]
    if instrument.introduction is not None:
        rules.insert(0, ("introduction", instrument.introduction.provenance))
    rules += [(f"items.{i.number}.bands", i.bands.provenance) for i in instrument.items if i.bands]
    rules += [(f"unscored_items.{n}", u.provenance) for n, u in enumerate(instrument.unscored_items, 1)]
    scoring = instrument.scoring
    if isinstance(scoring, SumScoring):
        rules += [("bands", scoring.bands.provenance), ("missing", scoring.missing.provenance)]
        for subscale in scoring.subscales:
            rules.append((f"subscales.{subscale.code}.bands", subscale.bands.provenance))
            rules.append((f"subscales.{subscale.code}.missing", subscale.missing.provenance))
        if scoring.conversion is not None:
            rules.append(("conversion", scoring.conversion.provenance))
    rules += [(f"flags.{flag.name}", flag.provenance) for flag in instrument.flags]
    rules += [("change", instrument.change.provenance), ("licence", instrument.licence.provenance)]
    return [where for where, provenance in rules if not provenance.verified]


class InstrumentSummaryOut(Schema):
    code: str
    name: str
    measures: str
    kind: str = Field(description="sum (a total), per_item (each question its own score) or category")
    range: list[int] | None = Field(
        description="The total's lowest and highest; for per_item each question's; null for a category"
    )
    polarity: str | None = Field(
        description="higher_is_better or higher_is_worse; null when each item has its own (ONS4)"
    )
    item_count: int

    @staticmethod
    def build(instrument: Instrument) -> InstrumentSummaryOut:
        return InstrumentSummaryOut(
            code=instrument.code,
            name=instrument.name,
            measures=instrument.measures,
            kind=_kind(instrument),
            range=_range(instrument),
            polarity=_polarity(instrument),
            item_count=len(instrument.items),
        )


class InstrumentOut(InstrumentSummaryOut):
    introduction: IntroductionOut | None
    time_frame: str | None
    wording: ProvenanceOut
    items: list[ItemOut] = Field(description="In published order")
    unscored_items: list[UnscoredItemOut] = Field(description="Asked, but not scored nor sent to score")
    answers: AnswersOut
    scoring: ProvenanceOut = Field(description="Where the way of scoring comes from")
    polarity_note: str = Field(description="For a category: how answers compare for change")
    bands: BandingOut | None = Field(description="The total's bands; null without a total")
    missing: MissingOut | None = Field(description="The missing-item rule; null without a total")
    subscales: list[SubscaleOut]
    conversion: ConversionOut | None = Field(description="A published conversion of the total (SWEMWBS)")
    flags: list[FlagOut]
    change: ChangeRuleOut
    licence: LicenceOut
    codes: dict[str, str] = Field(description="Codes in other systems, such as LOINC")
    sources: dict[str, str]
    unverified: list[str] = Field(
        description="The rules that are project defaults or UNVERIFIED, which a service may override"
    )

    @staticmethod
    def build_full(instrument: Instrument) -> InstrumentOut:
        scoring = instrument.scoring
        summed = scoring if isinstance(scoring, SumScoring) else None
        numbers = instrument.answers.numbers
        introduction = instrument.introduction
        return InstrumentOut(
            **InstrumentSummaryOut.build(instrument).dict(),
            introduction=None
            if introduction is None
            else IntroductionOut(
                text=introduction.text, provenance=ProvenanceOut.build(introduction.provenance)
            ),
            time_frame=instrument.time_frame,
            wording=ProvenanceOut.build(instrument.wording),
            items=[
                ItemOut(
                    number=item.number,
                    name=item.name,
                    text=item.text,
                    note=item.note,
                    polarity=item.polarity,
                    reversed=item.reversed,
                    options_shown_reversed=item.options_shown_reversed,
                    bands=None if item.bands is None else BandingOut.build(item.bands),
                )
                for item in instrument.items
            ],
            unscored_items=[
                UnscoredItemOut(
                    text=u.text, options=list(u.options), provenance=ProvenanceOut.build(u.provenance)
                )
                for u in instrument.unscored_items
            ],
            answers=AnswersOut(
                options=[
                    OptionOut(label=o.label, score=o.score, also=list(o.also))
                    for o in instrument.answers.options
                ],
                numbers=None
                if numbers is None
                else NumberScaleOut(min=numbers.minimum, max=numbers.maximum, anchors=dict(numbers.anchors)),
                allowed=instrument.answers.allowed(),
                provenance=ProvenanceOut.build(instrument.answers.provenance),
            ),
            scoring=ProvenanceOut.build(scoring.provenance),
            polarity_note=scoring.polarity_note if isinstance(scoring, CategoryScoring) else "",
            bands=None if summed is None else BandingOut.build(summed.bands),
            missing=None if summed is None else MissingOut.build(summed.missing),
            subscales=[]
            if summed is None
            else [
                SubscaleOut(
                    code=s.code,
                    name=s.name,
                    items=list(s.items),
                    range=list(s.range),
                    bands=BandingOut.build(s.bands),
                    missing=MissingOut.build(s.missing),
                )
                for s in summed.subscales
            ],
            conversion=None
            if summed is None or summed.conversion is None
            else ConversionOut(
                name=summed.conversion.name,
                table=dict(summed.conversion.table),
                provenance=ProvenanceOut.build(summed.conversion.provenance),
            ),
            flags=[
                FlagOut(
                    name=f.name,
                    kind=f.kind,
                    description=f.description,
                    when=f.when,
                    item=f.item,
                    value=f.value,
                    provenance=ProvenanceOut.build(f.provenance),
                )
                for f in instrument.flags
            ],
            change=ChangeRuleOut(
                threshold=instrument.change.threshold,
                provenance=ProvenanceOut.build(instrument.change.provenance),
            ),
            licence=LicenceOut(
                text=instrument.licence.text,
                notice=instrument.licence.notice,
                provenance=ProvenanceOut.build(instrument.licence.provenance),
            ),
            codes=dict(instrument.codes),
            sources=dict(instrument.sources),
            unverified=_unverified(instrument),
        )


# Scoring -------------------------------------------------------------------------------------------------


class ScoreIn(Schema):
    answers: list[AnswerIn] = Field(max_length=100, description=ANSWERS_DESCRIPTION)


class SubscaleScoreOut(Schema):
    total: int | None
    band: str | None


class ItemScoreOut(Schema):
    item: int
    name: str
    score: int | None
    band: str | None


class ScoreOut(Schema):
    """The JSON `linkwork score` prints (`scoring.result_as_json`). Keys shown only sometimes are left out,
    not null, when they do not apply."""

    instrument: str
    total: int | None = Field(description="Null without a total (ONS4, a category, or too many declined)")
    band: str | None
    subscales: dict[str, SubscaleScoreOut]
    flags: list[str]
    missing: list[int] = Field(description="The numbers of the declined items")
    valid: bool
    metric: float | None = Field(None, description="SWEMWBS only: the converted total")
    items: list[ItemScoreOut] | None = Field(None, description="ONS4 only: each question's score and band")
    reason: str | None = Field(None, description="Only when not valid: why")


# Measures ------------------------------------------------------------------------------------------------


class MeasureIn(Schema):
    instrument: str = Field(max_length=20, description="An instrument code, such as phq9")
    time_point: TimePoint
    months_after_ending: int | None = Field(None, description="For a follow-up: 1 to 60")
    answers: list[AnswerIn] = Field(max_length=100, description=ANSWERS_DESCRIPTION)


class SkipIn(Schema):
    instrument: str = Field(max_length=20)
    time_point: TimePoint
    months_after_ending: int | None = Field(None, description="For a follow-up: 1 to 60")
    reason: SkipReason


class MeasureOut(Schema):
    id: int
    episode_id: int
    instrument: str
    time_point: str
    months_after_ending: int | None
    recorded_at: dt.datetime
    recorded_by_id: int | None = Field(description="Null when the person answered through a one-time link")
    answers: list[str]
    total: float | None
    band: str
    subscales: dict[str, SubscaleScoreOut]
    flags: list[str]
    metric: float | None
    items: dict[str, ItemScoreOut] = Field(description="By item number, for ONS4")
    valid: bool
    reason: str
    skipped: bool
    skip_reason: str

    @staticmethod
    def build(measure: Measure) -> MeasureOut:
        return MeasureOut(
            id=measure.pk,
            episode_id=measure.episode_id,
            instrument=measure.instrument,
            time_point=measure.time_point,
            months_after_ending=measure.months_after_ending,
            recorded_at=measure.recorded_at,
            recorded_by_id=measure.recorded_by_id,
            answers=list(measure.answers),
            total=measure.total,
            band=measure.band,
            subscales=measure.subscales,
            flags=list(measure.flags),
            metric=measure.metric,
            items={number: ItemScoreOut(item=int(number), **item) for number, item in measure.items.items()},
            valid=measure.valid,
            reason=measure.reason,
            skipped=measure.skipped,
            skip_reason=measure.skip_reason,
        )


class AlertRaisedOut(Schema):
    id: int
    flag: str
    raised_at: dt.datetime


class MeasureRecordedOut(MeasureOut):
    alerts_raised: list[AlertRaisedOut] = Field(
        description="Safeguarding alerts the answers raised; empty when none"
    )

    @staticmethod
    def build_recorded(measure: Measure, alerts: list[SafeguardingAlert]) -> MeasureRecordedOut:
        return MeasureRecordedOut(
            **MeasureOut.build(measure).dict(),
            alerts_raised=[AlertRaisedOut(id=a.pk, flag=a.flag, raised_at=a.raised_at) for a in alerts],
        )


class DueMeasureOut(Schema):
    instrument: str
    time_point: str
    months_after_ending: int | None
    label: str
    due_on: dt.date
    overdue: bool = Field(description="More than 14 days past its due date")

    @staticmethod
    def build(due: DueMeasure) -> DueMeasureOut:
        return DueMeasureOut.model_validate(due, from_attributes=True)


class MeasurePointOut(Schema):
    id: int
    time_point: str
    months_after_ending: int | None
    recorded_at: dt.datetime
    total: float | None
    metric: float | None
    band: str


class ChangeOut(Schema):
    difference: float | None = Field(description="After minus before; on the metric score for SWEMWBS")
    direction: str | None = Field(description="better, worse or same")
    reliable: bool | None = Field(description="Whether the difference reaches the threshold; null if none")
    threshold: float | None
    band_change: str | None = Field(description='"before -> after" when the band moved')
    per_item: dict[int, ChangeOut] = Field(description="ONS4: one change per question")


class MeasureChangeOut(Schema):
    instrument: str
    baseline: MeasurePointOut
    latest: MeasurePointOut
    change: ChangeOut

    @staticmethod
    def build(measure_change: MeasureChange) -> MeasureChangeOut:
        return MeasureChangeOut.model_validate(measure_change, from_attributes=True)


# Safeguarding alerts -------------------------------------------------------------------------------------


class RefOut(Schema):
    id: int
    name: str


class AlertOut(Schema):
    id: int
    episode_id: int
    person: RefOut
    measure_id: int
    flag: str
    raised_at: dt.datetime
    action_taken: str
    actioned_by_id: int | None
    actioned_at: dt.datetime | None

    @staticmethod
    def build(alert: SafeguardingAlert) -> AlertOut:
        person = alert.episode.person
        return AlertOut(
            id=alert.pk,
            episode_id=alert.episode_id,
            person=RefOut(id=person.pk, name=person.display_name),
            measure_id=alert.measure_id,
            flag=alert.flag,
            raised_at=alert.raised_at,
            action_taken=alert.action_taken,
            actioned_by_id=alert.actioned_by_id,
            actioned_at=alert.actioned_at,
        )


class AlertActionIn(Schema):
    action_taken: str = Field(max_length=5000, description="What was done: who was told, what was agreed")


# Stories -------------------------------------------------------------------------------------------------


class StoryIn(Schema):
    title: str = Field(max_length=200)
    text: str = Field(max_length=20000)


class StoryOut(Schema):
    id: int
    episode_id: int
    title: str
    text: str
    created_at: dt.datetime
    created_by_id: int

    @staticmethod
    def build(story: Story) -> StoryOut:
        return StoryOut.model_validate(story, from_attributes=True)


class StoryAnonymisedOut(Schema):
    id: int
    episode_id: int
    text: str = Field(description="Names, places, postcodes and dates replaced, for reports")


# Programme schedules -------------------------------------------------------------------------------------


class ScheduleEntryIn(Schema):
    instrument: str = Field(max_length=20)
    time_point: TimePoint
    months_after_ending: int | None = Field(None, description="For a follow-up: 1 to 60")


class ScheduleEntryOut(Schema):
    instrument: str
    time_point: str
    months_after_ending: int | None
    label: str

    @staticmethod
    def build(entry: MeasureSchedule) -> ScheduleEntryOut:
        return ScheduleEntryOut(
            instrument=entry.instrument,
            time_point=entry.time_point,
            months_after_ending=entry.months_after_ending,
            label=entry.time_label,
        )
