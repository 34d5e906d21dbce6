"""Input and output schemas for connections (onward referrals) and provider links."""

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema

from linkwork.matching.connection_selectors import practical
from linkwork.matching.lifecycle import NEXT_STEP, staff_actions
from linkwork.matching.models.connections import Connection, ConnectionMove, ConnectionStatus


class ConnectionIn(Schema):
    service_id: uuid.UUID = Field(description="The directory entry (a public one, or one of your own)")
    status: str = Field("suggested", description="Where it starts: suggested or discussed")
    note: str = Field("", max_length=1000)
    from_recommendation: dict[str, Any] | None = Field(
        None, description="The recommendation it came from (score, parts, reasons), kept as given"
    )


class MoveIn(Schema):
    """Details for a move. `reason` is required to decline (free text) and to stop (cost, transport,
    health, did_not_fit_in, activity_ended, provider_could_not_help or other, with `detail` for the
    last two); `accompanied_by` (connector, volunteer or alone) is required to plan a first visit."""

    reason: str = Field("", max_length=500)
    detail: str = Field("", max_length=500)
    referral_method: str = Field("", description="refer: referred or provider_contacted")
    accompanied_by: str = Field("", description="plan_visit: connector, volunteer or alone")
    visit_on: dt.date | None = None
    visit_arrangements: str = Field("", max_length=300)
    note: str = Field("", max_length=500)


class ProviderLinkIn(Schema):
    request: str = Field(max_length=1000, description="What you ask the provider; they see it")
    contact_name: str = Field("", max_length=200, description="Defaults to your name")
    contact_details: str = Field("", max_length=200, description="Defaults to your e-mail address")
    days: int = Field(14, ge=1, le=60)


class ProviderLinkOut(Schema):
    id: int
    url: str = Field(description="Shown once: send it to the provider")
    expires_at: dt.datetime


class MoveOut(Schema):
    action: str
    from_status: str
    to_status: str
    moved_at: dt.datetime
    moved_by: int | None
    by_provider: bool
    reason: str
    detail: dict[str, Any]

    @staticmethod
    def of(move: ConnectionMove) -> "MoveOut":
        return MoveOut(
            action=move.action,
            from_status=move.from_status,
            to_status=move.to_status,
            moved_at=move.moved_at,
            moved_by=move.moved_by_id,
            by_provider=move.by_provider,
            reason=move.reason,
            detail=move.detail,
        )


class ConnectionOut(Schema):
    """`view` is "full" for casework staff and "practical" for a volunteer going along to a first
    visit: the practical view leaves out notes, reasons, the recommendation, the history and actions."""

    id: int
    view: str
    person_id: int
    service_id: uuid.UUID | None
    service_name: str
    status: str
    status_label: str
    next_step: str
    visit_on: dt.date | None
    accompanied_by: str
    visit_arrangements: str
    referral_method: str = ""
    episode_id: int | None = None
    note: str = ""
    reason: str = ""
    reason_detail: str = ""
    provider_acknowledged_at: dt.datetime | None = None
    from_recommendation: dict[str, Any] = Field(default_factory=dict)
    created_at: dt.datetime | None = None
    allowed_actions: list[str] = Field(default_factory=list)
    history: list[MoveOut] = Field(default_factory=list)

    @staticmethod
    def practical(connection: Connection) -> "ConnectionOut":
        shown = practical(connection)
        return ConnectionOut(
            id=shown.id,
            view="practical",
            person_id=shown.person_id,
            service_id=shown.service_id,
            service_name=shown.service_name,
            status=shown.status,
            status_label=shown.status_label,
            next_step="",
            visit_on=shown.visit_on,
            accompanied_by=shown.accompanied_by,
            visit_arrangements=shown.visit_arrangements,
        )

    @staticmethod
    def full(connection: Connection, history: list[ConnectionMove] | None = None) -> "ConnectionOut":
        status = ConnectionStatus(connection.status)
        return ConnectionOut(
            id=connection.pk,
            view="full",
            person_id=connection.person_id,
            service_id=connection.service_id,
            service_name=connection.service_name,
            status=status.value,
            status_label=status.label,
            next_step=NEXT_STEP[status],
            visit_on=connection.visit_on,
            accompanied_by=connection.accompanied_by,
            visit_arrangements=connection.visit_arrangements,
            referral_method=connection.referral_method,
            episode_id=connection.episode_id,
            note=connection.note,
            reason=connection.reason,
            reason_detail=connection.reason_detail,
            provider_acknowledged_at=connection.provider_acknowledged_at,
            from_recommendation=connection.from_recommendation,
            created_at=connection.created_at,
            allowed_actions=staff_actions(connection.status),
            history=[MoveOut.of(move) for move in history or []],
        )
