"""The support episode lifecycle, including pauses, ending and follow-up."""

from linkwork.core.statemachine import StateMachine, Transition
from linkwork.support.models import EpisodeStatus as S

EPISODE_LIFECYCLE = StateMachine(
    "support episode",
    dict(S.choices),
    [
        Transition("pause", (S.ACTIVE, S.ENDING_PLANNED), S.PAUSED),
        Transition("resume", (S.PAUSED,), S.ACTIVE),
        Transition("resume_ending", (S.PAUSED,), S.ENDING_PLANNED),
        Transition("reopen", (S.ENDING_PLANNED,), S.ACTIVE),
        Transition("plan_ending", (S.ACTIVE,), S.ENDING_PLANNED),
        Transition("close", (S.ACTIVE, S.PAUSED, S.ENDING_PLANNED), S.CLOSED),
        Transition("mark_follow_up_due", (S.CLOSED,), S.FOLLOW_UP_DUE),
        Transition("record_follow_up", (S.CLOSED, S.FOLLOW_UP_DUE), S.FOLLOWED_UP),
    ],
)
