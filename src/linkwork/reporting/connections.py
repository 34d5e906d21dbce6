"""Connections section: onward referrals to the community directory and what became of them.

A connection belongs to the period when it was made. It counts as referred once it reaches the
referral stage or any stage after it (referred or provider contacted, first visit planned, went,
going regularly, still going at follow-up, stopped): the lifecycle never moves back from there, so
its status says so. Going to a first visit and still going at follow-up are read from the status and
from the connection's history, so a connection that stopped afterwards still counts for the stages
it reached. Shares are of the connections referred.

A directory category is a taxonomy term a service is filed under (an HSDS attribute linked to the
service), leaving out linkwork's connector facts, as the directory's search and the matching do.
A service filed under several categories counts under each, so category rows do not add up.

Provider links belong to the period when they were sent; every link sent counts, including one later
replaced by a newer link. The team filter works through the person, the connector through the
support episode the connection was made in.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from linkwork.directory import connector_facts
from linkwork.directory.models import Attribute, TaxonomyTerm
from linkwork.matching.models.connections import (
    Connection,
    ConnectionMove,
    ConnectionStatus,
    ProviderAnswer,
    ProviderLink,
    StopReason,
)
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table

S = ConnectionStatus
REFERRED_STATES = (S.REFERRED, S.VISIT_PLANNED, S.ATTENDED, S.ATTENDING, S.STILL_ATTENDING, S.STOPPED)
VISITED_STATES = (S.ATTENDED, S.ATTENDING, S.STILL_ATTENDING)
NOT_GIVEN = "not_given"
NO_CATEGORY = "no_category"


def category_attributes() -> QuerySet[Attribute]:
    """Attributes that file a record under a directory category, one per record and term."""
    facts = [fact.term_id for fact in connector_facts.FACTS] + [connector_facts.CLOSURE_TERM_ID]
    terms = (
        TaxonomyTerm.objects.exclude(taxonomy_detail_id=connector_facts.TAXONOMY_ID)
        .exclude(pk__in=facts)
        .exclude(name="")
    )
    # The same term attached twice to one record counts once.
    earlier = Attribute.objects.filter(
        link_id=OuterRef("link_id"), taxonomy_term_id=OuterRef("taxonomy_term_id"), id__lt=OuterRef("id")
    )
    return Attribute.objects.filter(taxonomy_term__in=terms).exclude(Exists(earlier))


def _in_scope(scope: ReportScope) -> QuerySet[Connection]:
    """The organisation's connections for the scope's team and connector, whenever made."""
    found = Connection.objects.filter(organisation_id=scope.organisation_id)
    if scope.team_id is not None:
        found = found.filter(person__team_id=scope.team_id)
    if scope.connector_id is not None:
        found = found.filter(episode__connector_id=scope.connector_id)
    return found


def _reached(states: tuple[str, ...]) -> Q:
    """The connection is at one of `states` now, or was at one of them at some point."""
    moves = ConnectionMove.objects.filter(connection_id=OuterRef("pk"), to_status__in=states)
    return Q(status__in=states) | Q(Exists(moves))


STAGES: dict[str, Q | None] = {
    "connections": None,
    "referred": Q(status__in=REFERRED_STATES),
    "first_visit": _reached(VISITED_STATES),
    "still_attending": _reached((S.STILL_ATTENDING,)),
}

STAGE_COLUMNS = [
    Column("connections", "Connections made", Kind.COUNT),
    Column("referred", "Referred", Kind.COUNT),
    Column("first_visit", "Went to a first visit", Kind.COUNT),
    Column("first_visit_share", "Share of referred who went", Kind.SHARE, share_of="first_visit"),
    Column("still_attending", "Still going at follow-up", Kind.COUNT),
    Column("still_attending_share", "Share of referred still going", Kind.SHARE, share_of="still_attending"),
]


def _stage_cells(counts: dict[str, int]) -> dict[str, Figure]:
    referred = counts["referred"]
    return {
        "connections": Figure.count(counts["connections"]),
        "referred": Figure.count(referred),
        "first_visit": Figure.count(counts["first_visit"]),
        "first_visit_share": Figure.share(counts["first_visit"], referred),
        "still_attending": Figure.count(counts["still_attending"]),
        "still_attending_share": Figure.share(counts["still_attending"], referred),
    }


def _stage_counts(connections: QuerySet[Connection]) -> dict[str, int]:
    aggregates = {
        key: Count("pk", filter=condition) if condition is not None else Count("pk")
        for key, condition in STAGES.items()
    }
    return {key: int(value or 0) for key, value in connections.aggregate(**aggregates).items()}


def _summary_table(connections: QuerySet[Connection]) -> Table:
    return Table(
        key="connections_summary",
        title="Onward referrals",
        columns=STAGE_COLUMNS,
        rows=[Row("all", "All connections", _stage_cells(_stage_counts(connections)))],
        description="Counts connections (onward referrals to directory services) made in the period. "
        "Shares are of the connections referred or where the provider was contacted.",
    )


def _by_category_table(connections: QuerySet[Connection]) -> Table:
    def per_service(condition: Q | None) -> Coalesce:
        matching = connections.filter(service_id=OuterRef("link_id"))
        if condition is not None:
            matching = matching.filter(condition)
        counted = matching.order_by().values("service_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    grouped = (
        category_attributes()
        .filter(link_id__in=connections.filter(service_id__isnull=False).values("service_id"))
        .values("taxonomy_term_id", "taxonomy_term__name")
        .annotate(**{key: Sum(per_service(condition)) for key, condition in STAGES.items()})
        .order_by("-connections", "taxonomy_term__name", "taxonomy_term_id")
    )
    rows = [
        Row(
            str(found["taxonomy_term_id"]),
            found["taxonomy_term__name"],
            _stage_cells({key: int(found[key] or 0) for key in STAGES}),
        )
        for found in grouped
    ]
    filed = category_attributes().filter(link_id=OuterRef("service_id"))
    uncategorised = _stage_counts(connections.exclude(Exists(filed)))
    if uncategorised["connections"]:
        rows.append(Row(NO_CATEGORY, "No category", _stage_cells(uncategorised)))
    return Table(
        key="connections_by_category",
        title="Onward referrals by directory category",
        columns=STAGE_COLUMNS,
        rows=rows,
        row_header="Category",
        description="Counts connections made in the period, under each category of the directory "
        "service they were made to; a service in several categories counts under each, so the rows "
        "do not add up to the whole. 'No category' is a service filed under none, or since removed "
        "from the directory.",
    )


def _stop_reasons_table(connections: QuerySet[Connection]) -> Table:
    stopped = connections.filter(status=S.STOPPED)
    counts = {
        reason: int(count or 0)
        for reason, count in stopped.aggregate(
            **{reason: Count("pk", filter=Q(reason=reason)) for reason in StopReason.values},
            **{NOT_GIVEN: Count("pk", filter=~Q(reason__in=StopReason.values))},
        ).items()
    }
    total = sum(counts.values())
    labels = [*StopReason.choices, (NOT_GIVEN, "Not given")]
    return Table(
        key="connections_stop_reasons",
        title="Why people stopped going",
        columns=[
            Column("connections", "Connections", Kind.COUNT),
            Column("share", "Share of those stopped", Kind.SHARE, share_of="connections"),
        ],
        rows=[
            Row(
                str(reason),
                str(label),
                {"connections": Figure.count(counts[reason]), "share": Figure.share(counts[reason], total)},
            )
            for reason, label in labels
        ],
        total=Row("total", "All who stopped", {"connections": Figure.count(total)}),
        row_header="Reason",
        description="Counts connections made in the period where the person has stopped going, "
        "by the reason recorded (the provider saying they could not help is one).",
    )


def _provider_tables(scope: ReportScope) -> list[Table]:
    start, end = scope.moments()
    links = ProviderLink.objects.filter(
        connection__in=_in_scope(scope), created_at__gte=start, created_at__lt=end
    )
    answers = {
        key: int(count or 0)
        for key, count in links.aggregate(
            **{answer: Count("pk", filter=Q(answer=answer)) for answer in ProviderAnswer.values},
            **{NOT_GIVEN: Count("pk", filter=~Q(answer__in=ProviderAnswer.values))},
        ).items()
    }
    sent = sum(answers.values())
    answered = sent - answers[NOT_GIVEN]
    share_column = Column("share", "Share of links sent", Kind.SHARE, share_of="links")
    by_answer = Table(
        key="provider_answers",
        title="What providers said",
        columns=[Column("links", "Links", Kind.COUNT), share_column],
        rows=[
            Row(
                str(key),
                str(label),
                {"links": Figure.count(answers[key]), "share": Figure.share(answers[key], sent)},
            )
            for key, label in [*ProviderAnswer.choices, (NOT_GIVEN, "No answer yet")]
        ],
        total=Row("total", "All links sent", {"links": Figure.count(sent)}),
        row_header="Answer",
        description="Counts links sent to providers in the period for them to confirm a referral, by "
        "their latest answer. A link replaced by a newer one still counts.",
    )
    rate = Table(
        key="provider_confirmation",
        title="Providers' confirmation rate",
        columns=[
            Column("sent", "Links sent", Kind.COUNT),
            Column("answered", "Answered", Kind.COUNT),
            Column("answered_share", "Share answered", Kind.SHARE, share_of="answered"),
        ],
        rows=[
            Row(
                "all",
                "All links",
                {
                    "sent": Figure.count(sent),
                    "answered": Figure.count(answered),
                    "answered_share": Figure.share(answered, sent),
                },
            )
        ],
        description="Counts links sent to providers in the period, and how many the provider answered.",
    )
    return [rate, by_answer]


def connections_section(scope: ReportScope) -> Section:
    start, end = scope.moments()
    connections = _in_scope(scope).filter(created_at__gte=start, created_at__lt=end)
    return Section(
        key="connections",
        title="Connections",
        tables=[
            _summary_table(connections),
            _by_category_table(connections),
            _stop_reasons_table(connections),
            *_provider_tables(scope),
        ],
        notes=[
            "A connection is an onward referral to a service in the community directory. It is "
            "counted in the period it was made; going to a first visit and still going at follow-up "
            "count even if the person stopped later."
        ],
    )
