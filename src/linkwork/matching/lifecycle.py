"""The connection lifecycle: an explicit transition table (docs/connections.md sets it out).

Staff actions move a connection along the journey; the provider's answers through their link use the
three `provider_*` actions, which staff cannot call.
"""

from __future__ import annotations

from linkwork.core.statemachine import StateMachine, Transition
from linkwork.matching.models.connections import ConnectionStatus as S

BEFORE_REFERRAL = (S.SUGGESTED, S.DISCUSSED, S.INTERESTED)
# Stopping is possible from every stage after the referral, including the follow-up.
AFTER_REFERRAL = (S.REFERRED, S.VISIT_PLANNED, S.ATTENDED, S.ATTENDING, S.STILL_ATTENDING)
# The provider may answer while the person is on the way to a first visit.
PROVIDER_STAGES = (S.INTERESTED, S.REFERRED, S.VISIT_PLANNED)

CONNECTION_LIFECYCLE = StateMachine(
    "connection",
    dict(S.choices),
    [
        Transition("discuss", (S.SUGGESTED,), S.DISCUSSED),
        Transition("interested", (S.SUGGESTED, S.DISCUSSED), S.INTERESTED),
        Transition("decline", BEFORE_REFERRAL, S.DECLINED),
        Transition("reconsider", (S.DECLINED,), S.DISCUSSED),
        Transition("refer", (S.INTERESTED,), S.REFERRED),
        Transition("plan_visit", (S.INTERESTED, S.REFERRED, S.VISIT_PLANNED), S.VISIT_PLANNED),
        Transition("attended", (S.REFERRED, S.VISIT_PLANNED), S.ATTENDED),
        Transition("attending", (S.ATTENDED,), S.ATTENDING),
        Transition("still_attending", (S.ATTENDED, S.ATTENDING), S.STILL_ATTENDING),
        Transition("stop", AFTER_REFERRAL, S.STOPPED),
        Transition("provider_received", (S.INTERESTED, S.REFERRED), S.REFERRED),
        Transition("provider_attended", PROVIDER_STAGES, S.ATTENDED),
        Transition("provider_could_not_help", PROVIDER_STAGES, S.STOPPED),
    ],
)

PROVIDER_ACTIONS = ("provider_received", "provider_attended", "provider_could_not_help")
STAFF_ACTIONS = tuple(action for action in CONNECTION_LIFECYCLE.transitions if action not in PROVIDER_ACTIONS)
START_STATES = (S.SUGGESTED, S.DISCUSSED)

# Labels for buttons and the history.
ACTION_LABELS = {
    "discuss": "Mark as discussed",
    "interested": "They are interested",
    "decline": "They said no",
    "reconsider": "They want to think again",
    "refer": "Referred or provider contacted",
    "plan_visit": "Plan the first visit",
    "attended": "They went to the first visit",
    "attending": "They go regularly",
    "still_attending": "Still going at follow-up",
    "stop": "They stopped going",
    "provider_received": "Provider: referral received",
    "provider_attended": "Provider: the person came",
    "provider_could_not_help": "Provider: could not help",
    "create": "Connection made",
}

# What to do next at each stage, for the person's page.
NEXT_STEP = {
    S.SUGGESTED: "Talk it over with the person",
    S.DISCUSSED: "Ask if they are interested",
    S.INTERESTED: "Refer them or contact the provider",
    S.DECLINED: "Nothing: they said no",
    S.REFERRED: "Plan the first visit",
    S.VISIT_PLANNED: "Check they went",
    S.ATTENDED: "Check they keep going",
    S.ATTENDING: "Ask again at follow-up",
    S.STILL_ATTENDING: "Nothing: still going",
    S.STOPPED: "Nothing: stopped",
}


def staff_actions(status: str) -> list[str]:
    """The staff actions allowed from `status`, in the table's order."""
    return [action for action in CONNECTION_LIFECYCLE.allowed_actions(status) if action in STAFF_ACTIONS]
