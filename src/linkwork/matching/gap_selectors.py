"""Reads for gaps: the grouped gap report (the start of the infrastructure gap report).

Gaps are grouped by need (lower case, single spaces), area and barrier, with a count and the date of
the latest. Rows carry no people: neither the person a gap was recorded for nor who recorded it.
Supervisors and analysts see their organisation's gaps; connectors see the gaps they recorded.
On the Gaps page, analysts (everyone who sees the organisation's gaps without the supervisor role)
see counts below the reporting disclosure threshold as "<5", and no total that would give one away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from linkwork.accounts.models import User
from linkwork.accounts.roles import Role
from linkwork.core.errors import NotFound
from linkwork.core.policies import Action, visible_to
from linkwork.core.time import to_london
from linkwork.matching.gap_policies import REPORT_ROLES
from linkwork.matching.models import Gap
from linkwork.people.models import Person
from linkwork.reporting import disclosure
from linkwork.support.services import BARRIERS


@dataclass(frozen=True)
class GapRow:
    need: str
    area: str
    barrier: str
    barrier_label: str
    count: int
    latest: dt.date


def gap_report(*, actor: User, need: str = "", area: str = "", barrier: str = "") -> list[GapRow]:
    """Gaps the actor may see, grouped; most often recorded first, then the most recent."""
    gaps = visible_to(actor, Action.VIEW, Gap)
    if need.strip():
        gaps = gaps.filter(need_key__contains=" ".join(need.lower().split()))
    if area.strip():
        gaps = gaps.filter(area__iexact=area.strip())
    if barrier.strip():
        gaps = gaps.filter(barrier=barrier.strip())
    grouped = (
        gaps.values("need_key", "area", "barrier")
        .annotate(count=Count("pk"), latest=Max("recorded_at"))
        .order_by("-count", "-latest", "need_key", "area", "barrier")
    )
    return [
        GapRow(
            need=row["need_key"],
            area=row["area"],
            barrier=row["barrier"],
            barrier_label=BARRIERS.get(row["barrier"], ""),
            count=row["count"],
            latest=to_london(row["latest"]).date(),
        )
        for row in grouped
    ]


@dataclass(frozen=True)
class ShownRow:
    row: GapRow
    count: str  # the count as the actor may see it: the number, or "<5"


@dataclass(frozen=True)
class ShownReport:
    rows: list[ShownRow]
    total: int | None  # None when a count is hidden, so the total cannot give it away
    hidden_below: int | None  # the threshold when small counts are hidden from the actor


def gap_counts_hidden(*, actor: User) -> bool:
    """Whether small counts are hidden from the actor: they see the organisation's gaps but are not a
    supervisor (analysts). A connector's own gaps are their own records and are shown as they are."""
    return gap_report_scope(actor=actor) == "organisation" and not actor.has_role(Role.SUPERVISOR)


def gap_report_shown(*, actor: User, rows: list[GapRow]) -> ShownReport:
    """The report's counts as the actor may see them. Each row is its own group (need, area and
    barrier), so hiding the total whenever a row is hidden is all the secondary suppression needed:
    narrowing the report only chooses rows, and the totals it shows are sums of visible counts."""
    if not gap_counts_hidden(actor=actor):
        return ShownReport([ShownRow(row, str(row.count)) for row in rows], sum(r.count for r in rows), None)
    limit = disclosure.threshold()
    visible = [ShownRow(row, str(row.count)) for row in rows if row.count >= limit]
    # Hidden rows go last in a fixed order, so their place does not rank their counts.
    small = sorted((row for row in rows if row.count < limit), key=lambda r: (r.need, r.area, r.barrier))
    total = sum(row.count for row in rows) if not small else None
    return ShownReport([*visible, *(ShownRow(row, f"<{limit}") for row in small)], total, limit)


def gap_report_scope(*, actor: User) -> str:
    """Whose gaps the actor sees: "organisation", "own" or "none"."""
    if actor.has_role(*REPORT_ROLES):
        return "organisation"
    if actor.has_role(Role.CONNECTOR):
        return "own"
    return "none"


def gap_person_get(*, actor: User, person_id: int) -> Person:
    """A person whose case the actor works, to record a gap for (NotFound otherwise)."""
    person = visible_to(actor, Action.UPDATE, Person).filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person
