"""The service dashboard (issue 8, item 1): how referrals arrive and are decided, how long people wait
for a first contact, who holds which caseload, what contacts happen, how long support lasts, what it
costs, how it ends and whether follow-ups are done.

Every figure is counted in the database. Medians and 90th percentiles are read as order statistics
(`ORDER BY … LIMIT 2 OFFSET k`, one small query per group) and interpolated between the two neighbours
as numpy does by default, so SQLite and PostgreSQL give the same numbers. Dates are London dates; a
moment belongs to the London day it happened on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth

from linkwork.core.time import LONDON, to_london
from linkwork.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    NotAppropriateReason,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from linkwork.reporting.scope import ReportScope, london_midnight
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from linkwork.support.models import (
    BudgetEntry,
    Contact,
    ContactOutcome,
    ContactType,
    EndingOutcome,
    Extension,
    ExtensionStatus,
    Pause,
    PauseReason,
    SupportEpisode,
)

# A contact the person did not keep; contacts we cancelled were never kept from them.
DID_NOT_ATTEND = (ContactOutcome.PERSON_CANCELLED, ContactOutcome.NO_ANSWER)
WHOLE_PERIOD = "Whole period"


def service_section(scope: ReportScope) -> Section:
    """Every dashboard table for the scope, with figures as they are (suppression comes later)."""
    return Section(
        key="service",
        title="Service dashboard",
        tables=[
            _referrals_by_month(scope),
            _referral_outcomes(scope),
            _waiting_times(scope),
            _caseload_by_connector(scope),
            _contacts_by_type(scope),
            _did_not_attend(scope),
            _episode_length(scope),
            _pauses_by_reason(scope),
            _extensions_by_decision(scope),
            _budget_spent(scope),
            _endings_by_outcome(scope),
            _follow_ups(scope),
        ],
    )


# What the scope lets a report see.


def _between(field: str, first: dt.date, last: dt.date) -> Q:
    """A moment on a London day from `first` to `last`, both included."""
    return Q(
        **{
            f"{field}__gte": london_midnight(first),
            f"{field}__lt": london_midnight(last + dt.timedelta(days=1)),
        }
    )


def _received_referrals(scope: ReportScope) -> QuerySet[Referral]:
    """Referrals received in the period; with a connector, only those that became their episodes."""
    referrals = Referral.objects.filter(
        _between("received_at", scope.date_from, scope.date_to), organisation_id=scope.organisation_id
    )
    if scope.team_id is not None:
        referrals = referrals.filter(person__team_id=scope.team_id)
    if scope.connector_id is not None:
        referrals = referrals.filter(episode__connector_id=scope.connector_id)
    return referrals.order_by()


def _episode_filter(scope: ReportScope, prefix: str = "") -> Q:
    condition = Q(**{f"{prefix}organisation_id": scope.organisation_id})
    if scope.team_id is not None:
        condition &= Q(**{f"{prefix}person__team_id": scope.team_id})
    if scope.connector_id is not None:
        condition &= Q(**{f"{prefix}connector_id": scope.connector_id})
    return condition


def _episodes(scope: ReportScope) -> QuerySet[SupportEpisode]:
    return SupportEpisode.objects.filter(_episode_filter(scope)).order_by()


def _in_period(field: str, scope: ReportScope) -> Q:
    return Q(**{f"{field}__gte": scope.date_from, f"{field}__lte": scope.date_to})


# Months, medians and percentiles.


def _months(scope: ReportScope) -> list[dt.date]:
    months = []
    month = scope.date_from.replace(day=1)
    while month <= scope.date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_of(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return to_london(value).date().replace(day=1)
    return value.replace(day=1)


def _month_row(month: dt.date, cells: dict[str, Figure]) -> Row:
    return Row(key=f"{month:%Y-%m}", label=f"{month:%B %Y}", cells=cells)


def _percentile(ordered: QuerySet[Any, Any], n: int, tenths: int) -> float | None:
    """The `tenths`/10 quantile of the n durations in `ordered` (one column, sorted), in days,
    interpolated linearly between the two order statistics around it (numpy's default method)."""
    if n == 0:
        return None
    below, remainder = divmod((n - 1) * tenths, 10)
    pair: list[float] = [
        value / dt.timedelta(days=1) for value in ordered[below : below + (2 if remainder else 1)]
    ]
    if not remainder:
        return pair[0]
    return pair[0] + (pair[1] - pair[0]) * remainder / 10


def _spread(ordered: QuerySet[Any, Any], n: int, count_key: str) -> dict[str, Figure]:
    return {
        count_key: Figure.count(n),
        "median_days": Figure(_percentile(ordered, n, 5), n),
        "p90_days": Figure(_percentile(ordered, n, 9), n),
    }


def _spread_columns(count_key: str, count_label: str) -> list[Column]:
    return [
        Column(count_key, count_label, Kind.COUNT),
        Column("median_days", "Median (days)", Kind.DAYS),
        Column("p90_days", "90th percentile (days)", Kind.DAYS),
    ]


# Referrals.


def _referrals_by_month(scope: ReportScope) -> Table:
    counts: dict[tuple[dt.date, str], int] = {}
    grouped = (
        _received_referrals(scope)
        .annotate(month=TruncMonth("received_at", tzinfo=LONDON))
        .values("month", "source")
        .annotate(n=Count("pk"))
    )
    for entry in grouped:
        key = (_month_of(entry["month"]), entry["source"])
        counts[key] = counts.get(key, 0) + entry["n"]
    sources = list(ReferralSource)

    def cells(months: list[dt.date]) -> dict[str, Figure]:
        by_source = {source: sum(counts.get((m, source), 0) for m in months) for source in sources}
        return {
            **{source.value: Figure.count(n) for source, n in by_source.items()},
            "total": Figure.count(sum(by_source.values())),
        }

    months = _months(scope)
    return Table(
        key="referrals_by_month",
        title="Referrals by source and month",
        description="Referrals received in each month (London time), by who referred the person.",
        row_header="Month received",
        columns=[
            *(Column(source.value, source.label, Kind.COUNT, adds_to_row_total=True) for source in sources),
            Column("total", "All referrals", Kind.COUNT),
        ],
        rows=[_month_row(month, cells([month])) for month in months],
        row_total="total",
        total=Row("total", WHOLE_PERIOD, cells(months)),
    )


def _referral_outcomes(scope: ReportScope) -> Table:
    outcomes: list[tuple[str, str, Q]] = [
        ("accepted", "Accepted", Q(status=ReferralStatus.ACCEPTED)),
        ("declined", "Declined by the person", Q(status=ReferralStatus.DECLINED)),
        ("unable_to_contact", "Unable to contact", Q(status=ReferralStatus.UNABLE_TO_CONTACT)),
        *(
            (
                f"not_appropriate:{reason.value}",
                f"Not appropriate: {reason.label}",
                Q(status=ReferralStatus.NOT_APPROPRIATE, not_appropriate_reason=reason),
            )
            for reason in NotAppropriateReason
        ),
        ("still_open", "Still open", Q(status__in=OPEN_REFERRAL_STATUSES)),
    ]
    sources = list(ReferralSource)
    grouped = (
        _received_referrals(scope)
        .values("source")
        .annotate(**{key: Count("pk", filter=condition) for key, _, condition in outcomes}, all=Count("pk"))
    )
    by_source = {entry["source"]: entry for entry in grouped}

    def cells(key: str) -> dict[str, Figure]:
        counts = {source.value: by_source.get(source.value, {}).get(key, 0) for source in sources}
        return {
            **{source: Figure.count(n) for source, n in counts.items()},
            "total": Figure.count(sum(counts.values())),
        }

    return Table(
        key="referral_outcomes",
        title="What happened to referrals",
        description=(
            "Referrals received in the period, by where each stands now: accepted for support, declined "
            "by the person, closed as unable to contact, not appropriate (by the reason recorded), or "
            "still open (received, or trying to make contact)."
        ),
        row_header="Outcome",
        columns=[
            *(Column(source.value, source.label, Kind.COUNT, adds_to_row_total=True) for source in sources),
            Column("total", "All referrals", Kind.COUNT),
        ],
        rows=[Row(key, label, cells(key)) for key, label, _ in outcomes],
        row_total="total",
        total=Row("total", "All outcomes", cells("all")),
    )


def _waiting_times(scope: ReportScope) -> Table:
    contacted = _received_referrals(scope).filter(first_contact_at__isnull=False)
    counts = {
        _month_of(entry["month"]): entry["n"]
        for entry in contacted.annotate(month=TruncMonth("received_at", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("pk"))
    }
    waits = contacted.annotate(
        waited=TruncDate("first_contact_at", tzinfo=LONDON) - TruncDate("received_at", tzinfo=LONDON)
    )

    def ordered(condition: Q) -> QuerySet[Any, Any]:
        return waits.filter(condition).order_by("waited", "pk").values_list("waited", flat=True)

    rows = []
    for month in _months(scope):
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        in_month = _between("received_at", month, next_month - dt.timedelta(days=1))
        rows.append(_month_row(month, _spread(ordered(in_month), counts.get(month, 0), "referrals")))
    return Table(
        key="waiting_times",
        title="Waiting time from referral to first contact",
        description=(
            "Referrals received in each month that have a first contact, and the days from the day the "
            "referral arrived to the day of the first contact (London dates; 0 is the same day)."
        ),
        row_header="Month received",
        columns=_spread_columns("referrals", "Referrals contacted"),
        rows=rows,
        total=Row("total", WHOLE_PERIOD, _spread(ordered(Q()), sum(counts.values()), "referrals")),
    )


# Caseloads and contacts.


def _caseload_by_connector(scope: ReportScope) -> Table:
    open_at_end = _episodes(scope).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=scope.date_to), started_on__lte=scope.date_to
    )
    grouped = (
        open_at_end.values(
            "connector_id", "connector__first_name", "connector__last_name", "connector__username"
        )
        .annotate(n=Count("pk"))
        .order_by("connector__first_name", "connector__last_name", "connector__username")
    )
    rows = [
        Row(
            str(entry["connector_id"]),
            f"{entry['connector__first_name']} {entry['connector__last_name']}".strip()
            or entry["connector__username"],
            {"episodes": Figure.count(entry["n"])},
        )
        for entry in grouped
    ]
    return Table(
        key="caseload_by_connector",
        title="Active caseload per connector",
        description=(
            "Support episodes open at the end of the period (started by its last day and not closed by "
            "then, paused ones included), by the connector who holds each now."
        ),
        row_header="Connector",
        columns=[Column("episodes", "Open support episodes", Kind.COUNT)],
        rows=rows,
        total=Row("total", "All connectors", {"episodes": Figure.count(open_at_end.count())}),
    )


def _contacts(scope: ReportScope) -> QuerySet[Contact]:
    return Contact.objects.filter(
        _episode_filter(scope, "episode__"), _between("occurred_at", scope.date_from, scope.date_to)
    ).order_by()


def _contact_figure(contacts: int, people: int) -> Figure:
    """A number of contacts; disclosure is judged on the people they were with."""
    return Figure(value=float(contacts), people=people)


def _contacts_by_type(scope: ReportScope) -> Table:
    contacts = _contacts(scope)
    people = Count("episode__person_id", distinct=True)
    cells: dict[tuple[str, str], Figure] = {}
    for entry in contacts.values("type", "outcome").annotate(n=Count("pk"), people=people):
        cells[entry["type"], entry["outcome"]] = _contact_figure(entry["n"], entry["people"])
    for entry in contacts.values("type").annotate(n=Count("pk"), people=people):
        cells[entry["type"], "total"] = _contact_figure(entry["n"], entry["people"])
    for entry in contacts.values("outcome").annotate(n=Count("pk"), people=people):
        cells["total", entry["outcome"]] = _contact_figure(entry["n"], entry["people"])
    overall = contacts.aggregate(n=Count("pk"), people=people)
    cells["total", "total"] = _contact_figure(overall["n"], overall["people"])
    keys = [*(outcome.value for outcome in ContactOutcome), "total"]

    def row(key: str, label: str) -> Row:
        return Row(key, label, {column: cells.get((key, column), _contact_figure(0, 0)) for column in keys})

    return Table(
        key="contacts_by_type",
        title="Contacts by type and what happened",
        description=(
            "Contacts recorded as happening in the period (London dates), by type and by whether they "
            "went ahead. Small numbers are judged on the people the contacts were with."
        ),
        row_header="Type of contact",
        columns=[
            *(
                Column(outcome.value, outcome.label, Kind.COUNT, adds_to_row_total=True)
                for outcome in ContactOutcome
            ),
            Column("total", "All contacts", Kind.COUNT),
        ],
        rows=[row(contact_type.value, contact_type.label) for contact_type in ContactType],
        row_total="total",
        total=row("total", "All types"),
    )


def _did_not_attend(scope: ReportScope) -> Table:
    arranged = ~Q(outcome=ContactOutcome.CONNECTOR_CANCELLED)
    missed = Q(outcome__in=DID_NOT_ATTEND)
    measures = {
        "arranged": Count("pk", filter=arranged),
        "arranged_people": Count("episode__person_id", distinct=True, filter=arranged),
        "missed": Count("pk", filter=missed),
        "missed_people": Count("episode__person_id", distinct=True, filter=missed),
    }
    contacts = _contacts(scope)

    def cells(entry: dict[str, Any]) -> dict[str, Figure]:
        return {
            "arranged": _contact_figure(entry["arranged"], entry["arranged_people"]),
            "did_not_attend": _contact_figure(entry["missed"], entry["missed_people"]),
            "rate": Figure.share(entry["missed"], entry["arranged"]),
        }

    by_type = {entry["type"]: entry for entry in contacts.values("type").annotate(**measures)}
    empty = dict.fromkeys(measures, 0)
    return Table(
        key="did_not_attend",
        title="Did-not-attend rate",
        description=(
            "Of the contacts arranged in the period (every contact recorded, except those we cancelled), "
            "the share the person did not keep: they cancelled, or did not answer."
        ),
        row_header="Type of contact",
        columns=[
            Column("arranged", "Contacts arranged", Kind.COUNT),
            Column("did_not_attend", "Did not attend", Kind.COUNT),
            Column("rate", "Did-not-attend rate", Kind.SHARE, share_of="did_not_attend"),
        ],
        rows=[
            Row(contact_type.value, contact_type.label, cells(by_type.get(contact_type.value, empty)))
            for contact_type in ContactType
        ],
        total=Row("total", "All types", cells(contacts.aggregate(**measures))),
    )


# Support episodes.


def _episode_length(scope: ReportScope) -> Table:
    closed = _episodes(scope).filter(_in_period("closed_on", scope))
    counts = {entry["outcome"]: entry["n"] for entry in closed.values("outcome").annotate(n=Count("pk"))}
    lengths = closed.annotate(length=F("closed_on") - F("started_on"))

    def ordered(condition: Q) -> QuerySet[Any, Any]:
        return lengths.filter(condition).order_by("length", "pk").values_list("length", flat=True)

    return Table(
        key="episode_length",
        title="Length of support",
        description=(
            "Support episodes closed in the period, by how they ended, and the days from the start of "
            "support to its end (pauses included)."
        ),
        row_header="How support ended",
        columns=_spread_columns("episodes", "Episodes closed"),
        rows=[
            Row(
                outcome.value,
                outcome.label,
                _spread(ordered(Q(outcome=outcome)), counts.get(outcome.value, 0), "episodes"),
            )
            for outcome in EndingOutcome
        ],
        total=Row("total", "All endings", _spread(ordered(Q()), sum(counts.values()), "episodes")),
    )


def _pauses_by_reason(scope: ReportScope) -> Table:
    pauses = Pause.objects.filter(_episode_filter(scope, "episode__"), _in_period("started_on", scope))
    measures = {"n": Count("pk"), "episodes": Count("episode_id", distinct=True)}
    by_reason = {entry["reason"]: entry for entry in pauses.order_by().values("reason").annotate(**measures)}
    empty = dict.fromkeys(measures, 0)

    def cells(entry: dict[str, Any]) -> dict[str, Figure]:
        return {"pauses": Figure(value=float(entry["n"]), people=entry["episodes"])}

    return Table(
        key="pauses",
        title="Pauses in support",
        description=(
            "Pauses that began in the period, by reason. Small numbers are judged on the episodes paused."
        ),
        row_header="Reason",
        columns=[Column("pauses", "Pauses", Kind.COUNT)],
        rows=[
            Row(reason.value, reason.label, cells(by_reason.get(reason.value, empty)))
            for reason in PauseReason
        ],
        total=Row("total", "All reasons", cells(pauses.aggregate(**measures))),
    )


def _extensions_by_decision(scope: ReportScope) -> Table:
    extensions = Extension.objects.filter(
        _episode_filter(scope, "episode__"), _between("requested_at", scope.date_from, scope.date_to)
    )
    measures = {"n": Count("pk"), "episodes": Count("episode_id", distinct=True)}
    by_status = {
        entry["status"]: entry for entry in extensions.order_by().values("status").annotate(**measures)
    }
    empty = dict.fromkeys(measures, 0)

    def cells(entry: dict[str, Any]) -> dict[str, Figure]:
        return {"extensions": Figure(value=float(entry["n"]), people=entry["episodes"])}

    decisions = [
        (ExtensionStatus.APPROVED, "Approved"),
        (ExtensionStatus.REFUSED, "Refused"),
        (ExtensionStatus.REQUESTED, "Waiting for a decision"),
    ]
    return Table(
        key="extensions",
        title="Extensions to support",
        description=(
            "Extensions requested in the period, by the decision on them now. Small numbers are judged "
            "on the episodes concerned."
        ),
        row_header="Decision",
        columns=[Column("extensions", "Extensions requested", Kind.COUNT)],
        rows=[
            Row(status.value, label, cells(by_status.get(status.value, empty))) for status, label in decisions
        ],
        total=Row("total", "All requests", cells(extensions.aggregate(**measures))),
    )


def _budget_spent(scope: ReportScope) -> Table:
    spending = BudgetEntry.objects.filter(_episode_filter(scope, "episode__"), _in_period("spent_on", scope))
    totals = spending.aggregate(pence=Sum("amount_pence"), episodes=Count("episode_id", distinct=True))
    episodes: int = totals["episodes"]
    pence: int = totals["pence"] or 0
    return Table(
        key="budget_spent",
        title="Personal budgets spent",
        description=(
            "Money spent from personal budgets in the period, the support episodes it was spent on, and "
            "the mean spent per episode with any spending."
        ),
        columns=[
            Column("spent_pence", "Total spent", Kind.PENCE),
            Column("episodes", "Episodes with spending", Kind.COUNT),
            Column("mean_pence", "Mean per episode with spending", Kind.PENCE),
        ],
        rows=[
            Row(
                "all",
                "All support episodes",
                {
                    "spent_pence": Figure(float(pence), episodes),
                    "episodes": Figure.count(episodes),
                    "mean_pence": Figure(pence / episodes if episodes else None, episodes),
                },
            )
        ],
    )


def _endings_by_outcome(scope: ReportScope) -> Table:
    closed = _episodes(scope).filter(_in_period("closed_on", scope))
    counts = {entry["outcome"]: entry["n"] for entry in closed.values("outcome").annotate(n=Count("pk"))}
    everyone = sum(counts.values())

    def cells(n: int) -> dict[str, Figure]:
        return {"episodes": Figure.count(n), "share": Figure.share(n, everyone)}

    return Table(
        key="endings",
        title="How support ended",
        description=(
            "Support episodes closed in the period, by how support ended, and the share of all endings."
        ),
        row_header="How support ended",
        columns=[
            Column("episodes", "Episodes closed", Kind.COUNT),
            Column("share", "Share of endings", Kind.SHARE, share_of="episodes"),
        ],
        rows=[
            Row(outcome.value, outcome.label, cells(counts.get(outcome.value, 0)))
            for outcome in EndingOutcome
        ],
        total=Row("total", "All endings", {"episodes": Figure.count(everyone)}),
    )


def _follow_ups(scope: ReportScope) -> Table:
    due = _episodes(scope).filter(_in_period("follow_up_on", scope))
    counts = due.aggregate(done=Count("pk", filter=Q(followed_up_on__isnull=False)), due=Count("pk"))
    done: int = counts["done"]
    everyone: int = counts["due"]
    return Table(
        key="follow_ups",
        title="Follow-ups after support ended",
        description=(
            "Support episodes whose follow-up fell due in the period, and whether the follow-up has been "
            "recorded (on any date)."
        ),
        columns=[
            Column("done", "Done", Kind.COUNT, adds_to_row_total=True),
            Column("not_done", "Not done", Kind.COUNT, adds_to_row_total=True),
            Column("due", "Follow-ups due", Kind.COUNT),
            Column("done_share", "Share done", Kind.SHARE, share_of="done"),
        ],
        rows=[
            Row(
                "all",
                "All support episodes",
                {
                    "done": Figure.count(done),
                    "not_done": Figure.count(everyone - done),
                    "due": Figure.count(everyone),
                    "done_share": Figure.share(done, everyone),
                },
            )
        ],
        row_total="due",
    )
