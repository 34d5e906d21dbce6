"""The API's answer to a stale edit (409 EDIT_CONFLICT), the same for every versioned record."""

from typing import Any

from ninja import Field, Schema

from linkwork.core.errors import EditConflict


class EditConflictErrorOut(Schema):
    code: str
    message: str = Field(description="Who changed the record and when")
    fields: dict[str, str]
    current: dict[str, Any] = Field(description="The record as saved now, with its version")
    yours: dict[str, Any] = Field(description="What you sent, with the version you started from")


class EditConflictOut(Schema):
    error: EditConflictErrorOut

    @staticmethod
    def build(conflict: EditConflict) -> "EditConflictOut":
        error = EditConflictErrorOut(
            code=conflict.code,
            message=conflict.message,
            fields=conflict.fields,
            current=conflict.current,
            yours=conflict.yours,
        )
        return EditConflictOut(error=error)
