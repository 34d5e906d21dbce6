"""The loneliness summary for care plans and the messages back to the GP and referrer.

Casework only: whoever may view the episode or the referral. Everyone else gets 404.
"""

import datetime as dt
import json
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from linkwork.interop import summary_services as services
from linkwork.interop.summary import LonelinessSummary
from linkwork.referrals.models import OutcomeMessage
from linkwork.web.http import StaffRequest

router = Router(tags=["Care plans and messages"])

FHIR_JSON = "application/fhir+json"


class NetworkOut(Schema):
    start_size: int | None = Field(description="Ties at the start of support; null when no map was completed")
    latest_size: int
    latest_is_end: bool = Field(description="True when the latest map is the one saved as support ended")
    gained: list[str]
    lost: list[str]
    strengthened: list[str]


class GoalOut(Schema):
    title: str
    status: str
    first_progress: int | None
    latest_progress: int | None


class ConnectionOut(Schema):
    activity: str
    status: str
    continues: bool


class ItemOut(Schema):
    name: str
    score: float | None
    first_score: float | None


class MeasureOut(Schema):
    instrument: str
    name: str
    topic: str = Field(description='"loneliness" or "wellbeing"')
    score: float | None
    band: str
    measured_on: dt.date
    scale: str
    first_score: float | None
    first_band: str
    first_measured_on: dt.date | None = Field(description="Null when this is the only answer so far")
    change: float | None = Field(description="Latest minus first, on the instrument's score")
    direction: str = Field(description='"better", "worse", "same", or empty when not comparable')
    items: list[ItemOut]


class PlanOut(Schema):
    status: str
    started_on: dt.date
    planned_end_on: dt.date
    closed_on: dt.date | None
    how_it_ended: str
    what_continues: str
    follow_up_on: dt.date | None


class ContactOut(Schema):
    organisation: str
    team: str
    connector: str
    connector_email: str
    after_support: str


class SummaryOut(Schema):
    episode_id: int
    person_name: str
    first_name: str
    what_matters: str
    network: NetworkOut | None
    goals: list[GoalOut]
    connections: list[ConnectionOut]
    measures: list[MeasureOut]
    plan: PlanOut
    contact: ContactOut
    text: str = Field(description="The same summary as plain-English paragraphs")

    @staticmethod
    def build(summary: LonelinessSummary) -> "SummaryOut":
        return SummaryOut(**summary.as_dict(), text=summary.as_text())


class ShareIn(Schema):
    recipient_kind: str = Field(description='"gp" or "referrer"')
    recipient_name: str = Field(description="The GP's or referrer's name (or their practice's)")


class ShareOut(Schema):
    episode_id: int
    recipient_kind: str
    recipient_name: str
    shared_at: dt.datetime
    summary: SummaryOut


class MessageOut(Schema):
    id: int
    kind: str
    created_at: dt.datetime
    recipient: str
    subject: str
    body: str
    codes_only: bool

    @staticmethod
    def build(message: OutcomeMessage) -> "MessageOut":
        return MessageOut(
            id=message.pk,
            kind=message.kind,
            created_at=message.created_at,
            recipient=message.recipient,
            subject=message.subject,
            body=message.body,
            codes_only=message.codes_only,
        )


@router.get(
    "/episodes/{episode_id}/loneliness-summary",
    response=SummaryOut,
    summary="The loneliness and social connection summary of a support episode",
)
def summary_get(request: StaffRequest, episode_id: int) -> SummaryOut:
    _episode, summary = services.summary_view(actor=request.auth, episode_id=episode_id, as_format="json")
    return SummaryOut.build(summary)


@router.post(
    "/episodes/{episode_id}/loneliness-summary/shares",
    response={201: ShareOut},
    summary="Record sharing the summary with the GP or referrer (needs the person's consent, in force now)",
)
def summary_share(request: StaffRequest, episode_id: int, payload: ShareIn) -> Status[ShareOut]:
    share = services.summary_share(actor=request.auth, episode_id=episode_id, **payload.dict())
    return Status(
        201,
        ShareOut(
            episode_id=share.episode.pk,
            recipient_kind=share.recipient_kind,
            recipient_name=share.recipient_name,
            shared_at=share.shared_at,
            summary=SummaryOut.build(share.summary),
        ),
    )


@router.post(
    "/referrals/{referral_id}/messages/received",
    response={201: MessageOut},
    summary="Tell the referrer and GP that the referral was received (once, while it is open)",
)
def message_acknowledge(request: StaffRequest, referral_id: int) -> Status[MessageOut]:
    message = services.message_acknowledge(actor=request.auth, referral_id=referral_id)
    return Status(201, MessageOut.build(message))


@router.get(
    "/referrals/{referral_id}/messages/{message_id}/fhir",
    response={200: dict[str, Any]},
    summary="A message to the GP or referrer as a FHIR R4 Bundle, exactly as it was made",
)
def message_fhir(request: StaffRequest, referral_id: int, message_id: int) -> HttpResponse:
    message = services.message_export(
        actor=request.auth, referral_id=referral_id, message_id=message_id, as_format="fhir"
    )
    return HttpResponse(json.dumps(message.fhir), content_type=FHIR_JSON)
