"""Input and output schemas for shortlists."""

import datetime as dt
import uuid

from ninja import Field, Schema

from linkwork.matching.models import NOTE_MAX_LENGTH, ShortlistItem, ShortlistLink
from linkwork.matching.shortlist_selectors import NOT_PUBLIC_FLAG
from linkwork.matching.shortlists import MAX_LINK_DAYS


class ShortlistAddIn(Schema):
    service_id: uuid.UUID = Field(
        description="A directory service that is published (or review due, or stale)"
    )
    note: str = Field("", max_length=NOTE_MAX_LENGTH, description="A note for the person about this activity")


class ShortlistLinkIn(Schema):
    days: int | None = Field(
        None, ge=1, le=MAX_LINK_DAYS, description="How long the link works; the organisation default if empty"
    )


class ShortlistItemOut(Schema):
    id: int
    service_id: uuid.UUID
    name: str
    position: int
    note: str
    is_public: bool = Field(description="False once the entry has left the public directory")
    flags: list[str]

    @classmethod
    def of(cls, item: ShortlistItem) -> "ShortlistItemOut":
        public = item.service.is_public
        return cls(
            id=item.pk,
            service_id=item.service_id,
            name=item.service.name,
            position=item.position,
            note=item.note,
            is_public=public,
            flags=[] if public else [NOT_PUBLIC_FLAG],
        )


class ShortlistLinkOut(Schema):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def of(cls, link: ShortlistLink) -> "ShortlistLinkOut":
        return cls(id=link.pk, created_at=link.created_at, expires_at=link.expires_at)


class ShortlistLinkMadeOut(ShortlistLinkOut):
    url: str = Field(description="The private link. It is shown only in this answer.")


class ShortlistOut(Schema):
    person_id: int
    shortlist_id: int | None = Field(description="Empty until the first activity is added")
    updated_at: dt.datetime | None
    items: list[ShortlistItemOut]
    links: list[ShortlistLinkOut] = Field(description="Links still working")
