"""Input and output schemas for gaps and the gap report."""

import datetime as dt

from ninja import Field, Schema

from linkwork.matching.gap_selectors import GapRow
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
    count: int
    latest: dt.date

    @classmethod
    def of(cls, row: GapRow) -> "GapRowOut":
        return cls(need=row.need, area=row.area, barrier=row.barrier, count=row.count, latest=row.latest)
