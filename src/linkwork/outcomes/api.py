"""Endpoints for questionnaires: the definitions and scoring (for any signed-in staff; no personal data),
the measures recorded in a support episode, safeguarding alerts, stories and programme schedules.

Measures, alerts and stories are casework: volunteers and anyone outside the person's case get 404.
"""

from typing import Any

from ninja import Router, Status

from linkwork.core.policies import Action
from linkwork.outcomes import selectors, services
from linkwork.outcomes.definitions import instrument_get, instrument_list
from linkwork.outcomes.schemas import (
    AlertActionIn,
    AlertOut,
    DueMeasureOut,
    InstrumentOut,
    InstrumentSummaryOut,
    MeasureChangeOut,
    MeasureIn,
    MeasureOut,
    MeasureRecordedOut,
    ScheduleEntryIn,
    ScheduleEntryOut,
    ScoreIn,
    ScoreOut,
    SkipIn,
    StoryAnonymisedOut,
    StoryIn,
    StoryOut,
)
from linkwork.outcomes.scoring import result_as_json, score
from linkwork.support.models import SupportEpisode
from linkwork.support.selectors import episode_get, programme_get
from linkwork.web.http import StaffRequest

router = Router(tags=["outcomes"])


def _episode(request: StaffRequest, episode_id: int, action: str = Action.UPDATE) -> SupportEpisode:
    return episode_get(actor=request.auth, episode_id=episode_id, action=action)


@router.get("/instruments", response=list[InstrumentSummaryOut], summary="The questionnaires linkwork scores")
def instrument_index(request: StaffRequest) -> list[InstrumentSummaryOut]:
    return [InstrumentSummaryOut.build(instrument) for instrument in instrument_list()]


@router.get(
    "/instruments/{code}",
    response=InstrumentOut,
    summary="A questionnaire's full definition, with its sources and UNVERIFIED rules",
)
def instrument_detail(request: StaffRequest, code: str) -> InstrumentOut:
    return InstrumentOut.build_full(instrument_get(code))


@router.post(
    "/instruments/{code}/score",
    response=ScoreOut,
    exclude_unset=True,
    summary="Score answers without storing them (as `linkwork score`)",
)
def instrument_score(request: StaffRequest, code: str, payload: ScoreIn) -> dict[str, Any]:
    return result_as_json(score(code, payload.answers))


@router.get("/episodes/{episode_id}/measures", response=list[MeasureOut], summary="Measures, oldest first")
def measure_list(request: StaffRequest, episode_id: int) -> list[MeasureOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    return [MeasureOut.build(m) for m in selectors.measure_list(actor=request.auth, episode=episode)]


@router.post(
    "/episodes/{episode_id}/measures",
    response={201: MeasureRecordedOut},
    summary="Score and store a questionnaire; a worrying answer raises a safeguarding alert",
)
def measure_record(request: StaffRequest, episode_id: int, payload: MeasureIn) -> Status[MeasureRecordedOut]:
    measure = services.measure_record(
        actor=request.auth,
        episode=_episode(request, episode_id),
        instrument=payload.instrument,
        time_point=payload.time_point,
        months_after_ending=payload.months_after_ending,
        answers=list(payload.answers),
    )
    return Status(201, MeasureRecordedOut.build_recorded(measure, list(measure.alerts.all())))


@router.post(
    "/episodes/{episode_id}/measures/skip",
    response={201: MeasureOut},
    summary="Record that a questionnaire was not asked, and why",
)
def measure_skip(request: StaffRequest, episode_id: int, payload: SkipIn) -> Status[MeasureOut]:
    measure = services.measure_skip(
        actor=request.auth,
        episode=_episode(request, episode_id),
        instrument=payload.instrument,
        time_point=payload.time_point,
        months_after_ending=payload.months_after_ending,
        reason=payload.reason,
    )
    return Status(201, MeasureOut.build(measure))


@router.get(
    "/episodes/{episode_id}/measures/due",
    response=list[DueMeasureOut],
    summary="Scheduled questionnaires not yet answered or skipped",
)
def measures_due(request: StaffRequest, episode_id: int) -> list[DueMeasureOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    return [DueMeasureOut.build(due) for due in selectors.measures_due(episode)]


@router.get(
    "/episodes/{episode_id}/measures/changes",
    response=list[MeasureChangeOut],
    summary="Change from the baseline to the latest answers, per questionnaire",
)
def measure_changes(request: StaffRequest, episode_id: int) -> list[MeasureChangeOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    changes = selectors.measure_changes(actor=request.auth, episode=episode)
    return [MeasureChangeOut.build(measure_change) for measure_change in changes]


@router.get(
    "/safeguarding-alerts",
    response=list[AlertOut],
    summary="Alerts waiting for you: as the person's connector, or a supervisor of their team",
)
def alert_list(request: StaffRequest) -> list[AlertOut]:
    return [AlertOut.build(alert) for alert in selectors.alerts_waiting(actor=request.auth)]


@router.post(
    "/safeguarding-alerts/{alert_id}/action",
    response=AlertOut,
    summary="Record what was done; the only way an alert is closed",
)
def alert_action(request: StaffRequest, alert_id: int, payload: AlertActionIn) -> AlertOut:
    alert = selectors.alert_get(actor=request.auth, alert_id=alert_id)
    return AlertOut.build(
        services.alert_record_action(actor=request.auth, alert=alert, action_taken=payload.action_taken)
    )


@router.get("/episodes/{episode_id}/stories", response=list[StoryOut], summary="Stories, newest first")
def story_list(request: StaffRequest, episode_id: int) -> list[StoryOut]:
    episode = _episode(request, episode_id, Action.VIEW)
    return [StoryOut.build(story) for story in selectors.story_list(actor=request.auth, episode=episode)]


@router.post(
    "/episodes/{episode_id}/stories",
    response={201: StoryOut},
    summary='Record a story (needs the person\'s "story" consent)',
)
def story_create(request: StaffRequest, episode_id: int, payload: StoryIn) -> Status[StoryOut]:
    story = services.story_create(
        actor=request.auth, episode=_episode(request, episode_id), title=payload.title, text=payload.text
    )
    return Status(201, StoryOut.build(story))


@router.get(
    "/stories/{story_id}/anonymised",
    response=StoryAnonymisedOut,
    summary="A story with names, places and dates replaced, for reports",
)
def story_anonymised(request: StaffRequest, story_id: int) -> StoryAnonymisedOut:
    story = selectors.story_get(actor=request.auth, story_id=story_id)
    return StoryAnonymisedOut(id=story.pk, episode_id=story.episode_id, text=services.story_anonymised(story))


@router.put(
    "/programmes/{programme_id}/measure-schedule",
    response=list[ScheduleEntryOut],
    summary="Replace a programme's questionnaire schedule (admins and supervisors)",
)
def schedule_set(
    request: StaffRequest, programme_id: int, payload: list[ScheduleEntryIn]
) -> list[ScheduleEntryOut]:
    programme = programme_get(actor=request.auth, programme_id=programme_id)
    entries = [(e.instrument, e.time_point, e.months_after_ending) for e in payload]
    rows = services.schedule_set(actor=request.auth, programme=programme, entries=entries)
    return [ScheduleEntryOut.build(row) for row in rows]
