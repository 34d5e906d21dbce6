"""The referral lifecycle: received -> contact attempted -> a decision."""

from linkwork.core.statemachine import StateMachine, Transition
from linkwork.referrals.models import ReferralStatus as S

OPEN = (S.RECEIVED, S.CONTACT_ATTEMPTED)

REFERRAL_LIFECYCLE = StateMachine(
    "referral",
    dict(S.choices),
    [
        Transition("attempt_contact", OPEN, S.CONTACT_ATTEMPTED),
        Transition("accept", OPEN, S.ACCEPTED),
        Transition("decline", OPEN, S.DECLINED),
        Transition("close_unable_to_contact", (S.CONTACT_ATTEMPTED,), S.UNABLE_TO_CONTACT),
        Transition("mark_not_appropriate", OPEN, S.NOT_APPROPRIATE),
    ],
)
