"""Input and output schemas for gaps and the gap report."""

import datetime as dt

from ninja import Field, Schema

from linkwork.matching.gap_selectors import ShownRow
from linkwork.matching.models import AREA_MAX_LENGTH, NEED_MAX_LENGTH, Gap


class GapIn(Schema):
    need: str = Field(
        max_length=NEED_MAX_LENGTH, description="What is needed, e.g. 'swimming for older women'"
    )
    area: str = Field(
        "",
        max_length=AREA_MAX_LENGTH,
        description="A postcode district (W10) or a named area; a full postcode is cut to its district. "
        "Empty: the person's postcode district.",
    )
    barrier: str = Field(
        "", description="mobility, stairs, transport, cost, language, confidence, caring, ..."
    )


class GapOut(Schema):
    id: int
    need: str
    area: str
    barrier: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, gap: Gap) -> "GapOut":
        return cls(id=gap.pk, need=gap.need, area=gap.area, barrier=gap.barrier, recorded_at=gap.recorded_at)


class GapRowOut(Schema):
    need: str = Field(description="The need in lower case; needs are grouped on this")
    area: str
    barrier: str
    count: int | None = Field(
        description="How many times it was recorded; null when the count is below the reporting threshold "
        "and the reader sees only disclosure-controlled figures (analysts)"
    )
    count_shown: str = Field(description='The count as shown on the page: the number, or "<5"')
    latest: dt.date

    @classmethod
    def of(cls, shown: ShownRow) -> "GapRowOut":
        row = shown.row
        hidden = shown.count != str(row.count)
        return cls(
            need=row.need,
            area=row.area,
            barrier=row.barrier,
            count=None if hidden else row.count,
            count_shown=shown.count,
            latest=row.latest,
        )
