"""The life of a directory entry.

draft -> submitted -> published -> review due -> stale -> archived. Checking an entry (verify) brings
it back to published from review due or stale; the daily sweep moves published entries on as their
last check ages. Rejected submissions keep their reason and can be reopened as drafts.
"""

from linkwork.core.statemachine import StateMachine, Transition
from linkwork.directory.models import EntryState as S

LIVE = (S.PUBLISHED, S.REVIEW_DUE, S.STALE)

ENTRY_LIFECYCLE = StateMachine(
    "directory entry",
    dict(S.choices),
    [
        Transition("submit", (S.DRAFT,), S.SUBMITTED),
        Transition("publish", (S.DRAFT, S.SUBMITTED), S.PUBLISHED),
        Transition("reject", (S.SUBMITTED,), S.REJECTED),
        Transition("verify", LIVE, S.PUBLISHED),
        Transition("mark_review_due", (S.PUBLISHED,), S.REVIEW_DUE),
        Transition("mark_stale", (S.REVIEW_DUE,), S.STALE),
        Transition("archive", (S.DRAFT, *LIVE), S.ARCHIVED),
        Transition("reopen", (S.ARCHIVED, S.REJECTED), S.DRAFT),
    ],
)
