"""The API's list paging: django-ninja's limit and offset, with an offset the databases can hold.

Without a ceiling, an offset such as 10**20 reaches the database driver and fails there (a 500);
with one it is a 422 like any other bad parameter.
"""

from math import inf

from ninja import Field, Schema
from ninja.conf import settings
from ninja.pagination import LimitOffsetPagination

# Two thousand million rows is more than any list here will hold, and offset plus limit stays well
# inside the 64-bit integers both databases take.
MAX_OFFSET = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.PAGINATION_PER_PAGE,
            ge=1,
            le=settings.PAGINATION_MAX_LIMIT if inf != settings.PAGINATION_MAX_LIMIT else None,
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
