"""Infrastructure gaps section: what people needed that nothing within reach could meet, and what the
community directory holds.

Gaps are the organisation's own, counted in the period they were recorded; the team filter works
through the person a gap was recorded for, the connector through that person's support episodes, so
a gap recorded without a person drops out when either filter is set.

The directory is shared by every organisation, so its coverage is directory-wide and as it stands
now, whatever the period: services the public can see (published, review due or stale) by category
(as `connections.category_attributes` defines it) and by the postcode district of their locations.
A service in several categories or districts counts under each, so those rows do not add up.
"""

from __future__ import annotations

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Length, Replace, Substr, Trim, Upper
from django.db.models.lookups import GreaterThanOrEqual

from linkwork.directory.models import PUBLIC_STATES, EntryState, Service, ServiceAtLocation
from linkwork.matching.models import Gap
from linkwork.reporting.connections import category_attributes
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from linkwork.support.models import SupportEpisode
from linkwork.support.services import BARRIERS

NOT_GIVEN = "Not given"
NO_BARRIER = "none"
NO_CATEGORY = "no_category"
MOST_REQUESTED = 5
# A postcode's inward code (after the space) is always three characters, and the shortest full
# postcode ("A9 9AA") is five without its space: anything shorter is taken to be a district already.
INWARD_LENGTH = 3
SHORTEST_POSTCODE = 5

GAP_COLUMNS = [Column("gaps", "Gaps recorded", Kind.COUNT)]


def _gaps(scope: ReportScope) -> QuerySet[Gap]:
    start, end = scope.moments()
    found = Gap.objects.filter(
        organisation_id=scope.organisation_id, recorded_at__gte=start, recorded_at__lt=end
    )
    if scope.team_id is not None:
        found = found.filter(person__team_id=scope.team_id)
    if scope.connector_id is not None:
        held = SupportEpisode.objects.filter(person_id=OuterRef("person_id"), connector_id=scope.connector_id)
        found = found.filter(Exists(held))
    return found


def _gap_table(key: str, title: str, header: str, rows: list[Row], description: str) -> Table:
    total = sum(row.cells["gaps"].people for row in rows)
    return Table(
        key=key,
        title=title,
        columns=GAP_COLUMNS,
        rows=rows,
        total=Row("total", "All gaps", {"gaps": Figure.count(total)}),
        row_header=header,
        description=description,
    )


def _by_need(gaps: QuerySet[Gap]) -> list[tuple[str, int]]:
    grouped = gaps.values("need_key").annotate(n=Count("pk")).order_by("-n", "need_key")
    return [(found["need_key"], found["n"]) for found in grouped]


def _gap_tables(gaps: QuerySet[Gap]) -> list[Table]:
    needs = _by_need(gaps)
    by_need = _gap_table(
        "gaps_by_need",
        "Gaps by need",
        "Need",
        [Row(need, need, {"gaps": Figure.count(n)}) for need, n in needs],
        "Counts gaps recorded in the period (a need nothing within reach could meet), by need.",
    )
    areas = gaps.values("area").annotate(n=Count("pk")).order_by("-n", "area")
    by_area = _gap_table(
        "gaps_by_area",
        "Gaps by area",
        "Area",
        [
            Row(found["area"] or NOT_GIVEN, found["area"] or NOT_GIVEN, {"gaps": Figure.count(found["n"])})
            for found in areas
        ],
        "Counts gaps recorded in the period, by the area given (a postcode district or a named area).",
    )
    barriers = dict(gaps.values_list("barrier").annotate(n=Count("pk")).order_by())
    by_barrier = _gap_table(
        "gaps_by_barrier",
        "Gaps by main barrier",
        "Barrier",
        [Row(key, label, {"gaps": Figure.count(barriers.get(key, 0))}) for key, label in BARRIERS.items()]
        + [Row(NO_BARRIER, "No particular barrier", {"gaps": Figure.count(barriers.get("", 0))})],
        "Counts gaps recorded in the period, by the main barrier recorded with them.",
    )
    top = Table(
        key="gaps_most_requested",
        title="The needs most often left unmet",
        columns=GAP_COLUMNS,
        rows=[Row(need, need, {"gaps": Figure.count(n)}) for need, n in needs[:MOST_REQUESTED]],
        row_header="Need",
        description=f"The {MOST_REQUESTED} needs recorded most often in the period as having nothing "
        "suitable within reach, with the number of gaps recorded for each.",
    )
    return [by_need, by_area, by_barrier, top]


COVERAGE_COLUMNS = [
    Column("services", "Services listed", Kind.COUNT),
    Column("stale", "Not checked for too long", Kind.COUNT),
    Column("stale_share", "Share not checked for too long", Kind.SHARE, share_of="stale"),
]


def _coverage_cells(services: int, stale: int) -> dict[str, Figure]:
    return {
        "services": Figure.count(services),
        "stale": Figure.count(stale),
        "stale_share": Figure.share(stale, services),
    }


def _coverage_by_category() -> Table:
    public = Service.objects.filter(state__in=PUBLIC_STATES)
    stale = Service.objects.filter(state=EntryState.STALE)
    grouped = (
        category_attributes()
        .filter(link_id__in=public.values("pk"))
        .values("taxonomy_term_id", "taxonomy_term__name")
        .annotate(services=Count("pk"), stale=Count("pk", filter=Q(link_id__in=stale.values("pk"))))
        .order_by("-services", "taxonomy_term__name", "taxonomy_term_id")
    )
    rows = [
        Row(
            str(found["taxonomy_term_id"]),
            found["taxonomy_term__name"],
            _coverage_cells(found["services"], found["stale"]),
        )
        for found in grouped
    ]
    uncategorised = public.exclude(Exists(category_attributes().filter(link_id=OuterRef("pk")))).aggregate(
        services=Count("pk"), stale=Count("pk", filter=Q(state=EntryState.STALE))
    )
    if uncategorised["services"]:
        rows.append(
            Row(
                NO_CATEGORY, "No category", _coverage_cells(uncategorised["services"], uncategorised["stale"])
            )
        )
    return Table(
        key="directory_by_category",
        counts_people=False,
        title="Directory coverage by category",
        columns=COVERAGE_COLUMNS,
        rows=rows,
        row_header="Category",
        description="Counts services the public can see in the community directory today (shared by "
        "every organisation), by category; a service in several categories counts under each.",
    )


def _coverage_by_area() -> Table:
    postcode = Upper(
        Replace(Trim("location__addresses__postal_code"), Value(" "), Value(""), output_field=TextField())
    )
    located = (
        ServiceAtLocation.objects.filter(service__state__in=PUBLIC_STATES)
        .annotate(postcode=postcode)
        .exclude(postcode="")
        .exclude(postcode=None)
        .annotate(
            district=Case(
                When(
                    GreaterThanOrEqual(Length("postcode"), SHORTEST_POSTCODE),
                    then=Substr("postcode", 1, Length("postcode") - INWARD_LENGTH),
                ),
                default=F("postcode"),
                output_field=TextField(),
            )
        )
    )
    grouped = (
        located.values("district")
        .annotate(
            services=Count("service_id", distinct=True),
            stale=Count("service_id", distinct=True, filter=Q(service__state=EntryState.STALE)),
        )
        .order_by("-services", "district")
    )
    rows = [
        Row(found["district"], found["district"], _coverage_cells(found["services"], found["stale"]))
        for found in grouped
    ]
    with_postcode = located.filter(service_id=OuterRef("pk"))
    unplaced = (
        Service.objects.filter(state__in=PUBLIC_STATES)
        .exclude(Exists(with_postcode))
        .aggregate(services=Count("pk"), stale=Count("pk", filter=Q(state=EntryState.STALE)))
    )
    if unplaced["services"]:
        rows.append(Row(NOT_GIVEN, NOT_GIVEN, _coverage_cells(unplaced["services"], unplaced["stale"])))
    return Table(
        key="directory_by_area",
        counts_people=False,
        title="Directory coverage by area",
        columns=COVERAGE_COLUMNS,
        rows=rows,
        row_header="Area",
        description="Counts services the public can see in the community directory today, by the "
        "postcode district of their locations; a service in several districts counts under each. "
        "'Not given' is a service with no location postcode.",
    )


def _staleness() -> Table:
    states = [EntryState.PUBLISHED, EntryState.REVIEW_DUE, EntryState.STALE]
    counts = {
        EntryState(state): int(n or 0)
        for state, n in Service.objects.aggregate(
            **{str(state): Count("pk", filter=Q(state=state)) for state in states}
        ).items()
    }
    listed = sum(counts.values())
    return Table(
        key="directory_staleness",
        counts_people=False,
        title="How up to date the directory is",
        columns=[
            Column("services", "Services", Kind.COUNT),
            Column("share", "Share of services listed", Kind.SHARE, share_of="services"),
        ],
        rows=[
            Row(
                str(state),
                str(state.label),
                {"services": Figure.count(counts[state]), "share": Figure.share(counts[state], listed)},
            )
            for state in states
        ],
        total=Row("total", "All services listed", {"services": Figure.count(listed)}),
        row_header="State",
        description="Counts services the public can see in the community directory today: checked "
        "recently, due a check, or stale (not checked for too long, still shown with a warning).",
    )


def gaps_section(scope: ReportScope) -> Section:
    return Section(
        key="gaps",
        title="Infrastructure gaps",
        tables=[*_gap_tables(_gaps(scope)), _coverage_by_category(), _coverage_by_area(), _staleness()],
        notes=[
            "Gaps are this organisation's own. The directory is shared by every organisation, so its "
            "coverage and how up to date it is are for the whole directory as it stands today, and "
            "count services, not people."
        ],
    )
