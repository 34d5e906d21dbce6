"""The equity section: known answers on a small hand-built service, for every dimension.

The service (period 1 January to 31 March 2026); UCLA-3 is the score at the start -> at the end:

- Ann: 65-74, woman, white-british, "Arthritis", walks and uses buses, bereaved, LS6 1AB, GP referral
  accepted, episode with the first connector, UCLA-3 7 -> 4, closed with goals met, a connection that
  went to the first visit.
- Bob: 65-74, man, nothing else recorded (blank postcode), self-referral accepted, episode with the
  first connector, UCLA-3 8 -> 8, closed (disengaged), a connection stopped before any visit.
- Cat: 18-24, woman, asian-indian, new parent and mental health, "ls6 2cd", GP referral accepted,
  episode with the second connector, UCLA-3 5 -> 3, still open, no connection.
- Dot: 65-74, woman, white-british, "Diabetes", walks, BD1 1AA, GP referral declined.
- Eve: nothing recorded but LS6 3EF, hospital referral still open (received 23:30 on 31 March).
- Fay: 65-74, man, LS10 4AB, GP referral accepted, episode with the first connector, UCLA-3 6 at the
  start only, still open, a connection that stopped after the first visit.

The first connector is in team one, the second in team two (so Ann, Bob and Fay are held by team one).
Outside the scope: an episode that started before the period, a referral received at 00:30 on 1 April
(London time, 23:30 UTC on 31 March), and another organisation's episode in the period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from scipy import stats

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.core.time import now
from linkwork.matching.models import Connection, ConnectionMove, ConnectionStatus
from linkwork.outcomes.services import measure_record
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource
from linkwork.referrals.services import referral_decline
from linkwork.reporting import equity
from linkwork.reporting.dimensions import DIMENSIONS
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.equity import equity_section
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Figure, Kind, Row, Section, Table
from linkwork.support.models import SupportEpisode
from linkwork.support.services import episode_close
from tests.factories import OPERATOR, make_organisation, make_staff, make_team
from tests.journey_factories import london, make_episode, make_person, make_referral
from tests.outcomes.facts import answers_totalling

pytestmark = pytest.mark.django_db

FROM = dt.date(2026, 1, 1)
TO = dt.date(2026, 3, 31)
IN_PERIOD = dt.date(2026, 2, 2)


@dataclass
class Service:
    organisation: Organisation
    team_one: Team
    team_two: Team
    first: User
    second: User

    def scope(self, **narrowing: Any) -> ReportScope:
        return ReportScope(self.organisation.pk, FROM, TO, **narrowing)


def _person(organisation: Organisation, name: str, **details: Any) -> Person:
    return make_person(organisation=organisation, first_name=name, **details)


def _referral(
    person: Person, source: str, day: dt.date = IN_PERIOD, hour: int = 12, minute: int = 0
) -> Referral:
    return make_referral(person=person, source=source, received_at=london(day, hour, minute))


def _ucla3(episode: SupportEpisode, time_point: str, total: int) -> None:
    measure_record(
        actor=OPERATOR,
        episode=episode,
        instrument="ucla3",
        time_point=time_point,
        answers=answers_totalling("ucla3", total),
    )


def _connection(episode: SupportEpisode, status: str, *, went: bool = False) -> None:
    connection = Connection.objects.create(
        organisation_id=episode.organisation_id,
        person=episode.person,
        episode=episode,
        service_name="Walking group",
        status=status,
        created_at=now(),
        status_changed_at=now(),
    )
    if went:
        ConnectionMove.objects.create(
            connection=connection,
            action="attended",
            from_status="referred",
            to_status="attended",
            moved_at=now(),
        )


def _episode(person: Person, source: str, connector: User, *, start: dt.date = IN_PERIOD) -> SupportEpisode:
    referral = _referral(person, source, start)
    return make_episode(connector=connector, referral=referral, started_on=start)


def build_service() -> Service:
    organisation = make_organisation(name="Riverside Connectors")
    team_one = make_team(organisation=organisation, name="Team one")
    team_two = make_team(organisation=organisation, name="Team two")
    first = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team_one])
    second = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team_two])

    ann = _person(
        organisation, "Ann", age_band="65-74", gender="woman", ethnicity="white-british",
        disability_and_conditions="Arthritis", mobility=["walks", "uses-buses"], trigger_groups=["bereaved"],
        postcode="LS6 1AB",
    )  # fmt: skip
    episode = _episode(ann, ReferralSource.GP, first)
    _ucla3(episode, "baseline", 7)
    _ucla3(episode, "ending", 4)
    _connection(episode, ConnectionStatus.ATTENDED, went=True)
    episode_close(actor=OPERATOR, episode=episode, outcome="goals-met", on=dt.date(2026, 3, 1))

    bob = _person(organisation, "Bob", age_band="65-74", gender="man", mobility=["housebound"])
    episode = _episode(bob, ReferralSource.SELF, first)
    _ucla3(episode, "baseline", 8)
    _ucla3(episode, "ending", 8)
    _connection(episode, ConnectionStatus.STOPPED)
    episode_close(actor=OPERATOR, episode=episode, outcome="disengaged", on=dt.date(2026, 3, 1))

    cat = _person(
        organisation, "Cat", age_band="18-24", gender="woman", ethnicity="asian-indian",
        trigger_groups=["new-parent", "mental-health"], postcode="ls6 2cd",
    )  # fmt: skip
    episode = _episode(cat, ReferralSource.GP, second)
    _ucla3(episode, "baseline", 5)
    _ucla3(episode, "ending", 3)

    dot = _person(
        organisation, "Dot", age_band="65-74", gender="woman", ethnicity="white-british",
        disability_and_conditions="Diabetes", mobility=["walks"], postcode="BD1 1AA",
    )  # fmt: skip
    referral_decline(actor=OPERATOR, referral=_referral(dot, ReferralSource.GP))

    eve = _person(organisation, "Eve", postcode="LS6 3EF")
    _referral(eve, ReferralSource.HOSPITAL, TO, 23, 30)  # 22:30 UTC: still in the period

    fay = _person(organisation, "Fay", age_band="65-74", gender="man", postcode="LS10 4AB")
    episode = _episode(fay, ReferralSource.GP, first)
    _ucla3(episode, "baseline", 6)
    _connection(episode, ConnectionStatus.STOPPED, went=True)

    # Outside the scope.
    early = _person(organisation, "Gus", age_band="65-74", gender="man")
    episode = _episode(early, ReferralSource.GP, first, start=dt.date(2025, 12, 15))
    _ucla3(episode, "baseline", 9)
    _ucla3(episode, "ending", 3)
    late = _person(organisation, "Hal", age_band="65-74", gender="man")
    _referral(late, ReferralSource.GP, dt.date(2026, 4, 1), 0, 30)
    elsewhere = make_organisation(name="Northgate Befriending")
    stranger = _person(elsewhere, "Ivy", age_band="65-74", gender="woman", postcode="LS6 9ZZ")
    episode = _episode(stranger, ReferralSource.GP, make_staff(organisation=elsewhere))
    _ucla3(episode, "baseline", 9)
    _ucla3(episode, "ending", 3)
    return Service(organisation, team_one, team_two, first, second)


@pytest.fixture
def service(db: None) -> Service:
    return build_service()


def table(section: Section, dimension: str) -> Table:
    return next(table for table in section.tables if table.key == f"equity_{dimension}")


def row(section: Section, dimension: str, label: str) -> Row:
    found = table(section, dimension)
    return next(row for row in found.all_rows() if row.label == label)


def values(row: Row, *keys: str) -> list[float | None]:
    return [row.cells[key].value for key in keys]


HEADLINE = ("referrals", "accepted", "episodes", "goals_met", "ucla3_paired", "ucla3_change")
LATER = ("no_longer_lonely", "first_visit")


def test_service_row_counts_referrals_episodes_and_outcomes_of_the_period(service: Service) -> None:
    whole = row(equity_section(service.scope()), "age_band", "Whole service")
    # Six referrals, five decided, four accepted; four episodes, two closed, one with goals met;
    # three UCLA-3 pairs (changes -3, 0, -2); two lonely at the start, one no longer; three episodes
    # with a connection, two reaching a first visit (Ann's, and Fay's before it stopped).
    assert values(whole, *HEADLINE, *LATER) == pytest.approx([6, 0.8, 4, 0.5, 3, -5 / 3, 0.5, 2 / 3])
    assert [whole.cells[key].people for key in HEADLINE] == [6, 5, 4, 2, 3, 3]
    shares = ("accepted", "goals_met", "no_longer_lonely", "first_visit")
    assert [whole.cells[key].numerator for key in shares] == [4, 1, 1, 2]


def test_mean_change_interval_matches_scipy(service: Service) -> None:
    change = row(equity_section(service.scope()), "age_band", "Whole service").cells["ucla3_change"]
    data = np.array([-3.0, 0.0, -2.0])
    low, high = stats.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=stats.sem(data))
    assert (change.value, change.low, change.high) == pytest.approx((data.mean(), low, high))
    assert change.people == 3


def test_age_band_groups_with_differences_from_the_service(service: Service) -> None:
    section = equity_section(service.scope())
    older = row(section, "age_band", "65 to 74")
    # Ann, Bob, Dot, Fay: four referrals, three of four decided accepted; three episodes.
    assert values(older, *HEADLINE, *LATER) == pytest.approx([4, 0.75, 3, 0.5, 2, -1.5, 0.5, 2 / 3])
    assert older.cells["accepted_difference"].value == pytest.approx(-5.0)  # 75% vs 80%: points
    assert older.cells["accepted_difference"].people == 4
    assert older.cells["accepted_difference"].numerator == 3
    assert older.cells["goals_met_difference"].value == pytest.approx(0.0)
    assert older.cells["ucla3_change_difference"].value == pytest.approx(-1.5 + 5 / 3)
    assert older.cells["ucla3_change_difference"].people == 2
    young = row(section, "age_band", "18 to 24")
    assert values(young, *HEADLINE) == [1, 1.0, 1, None, 1, -2.0]
    assert young.cells["accepted_difference"].value == pytest.approx(20.0)
    assert young.cells["goals_met_difference"].value is None  # nothing closed: no share to compare
    assert (young.cells["ucla3_change"].low, young.cells["ucla3_change"].high) == (None, None)
    unknown = row(section, "age_band", "Not known")
    assert values(unknown, "referrals", "accepted", "episodes") == [1, None, 0]
    assert row(section, "age_band", "85 or over").cells["referrals"].value == 0


def test_disjoint_tables_have_every_group_and_the_service_as_their_total(service: Service) -> None:
    section = equity_section(service.scope())
    for dimension in DIMENSIONS:
        found = table(section, dimension.key)
        if not dimension.disjoint:
            continue
        assert found.total is not None and found.total.label == "Whole service"
        for key in ("referrals", "episodes", "ucla3_paired"):
            assert sum(row.cells[key].value or 0 for row in found.rows) == found.total.cells[key].value
        if dimension.groups:
            assert [row.label for row in found.rows] == [group.label for group in dimension.groups]


def test_every_dimension_has_a_table_with_the_mean_change_column(service: Service) -> None:
    section = equity_section(service.scope())
    assert [t.key for t in section.tables] == [
        "equity_age_band", "equity_gender", "equity_ethnicity", "equity_disability", "equity_mobility",
        "equity_trigger_group", "equity_referral_source", "equity_area",
    ]  # fmt: skip
    for found in section.tables:
        column = next(column for column in found.columns if column.key == "ucla3_change")
        assert column.kind is Kind.MEAN


def test_gender_and_ethnicity(service: Service) -> None:
    section = equity_section(service.scope())
    assert values(row(section, "gender", "Woman"), *HEADLINE) == pytest.approx([3, 2 / 3, 2, 1.0, 2, -2.5])
    assert values(row(section, "gender", "Man"), *HEADLINE) == [2, 1.0, 2, 0.0, 1, 0.0]
    assert values(row(section, "gender", "Not known"), "referrals", "episodes") == [1, 0]
    white = row(section, "ethnicity", "White: English, Welsh, Scottish, Northern Irish or British")
    assert values(white, *HEADLINE) == [2, 0.5, 1, 1.0, 1, -3.0]
    assert values(row(section, "ethnicity", "Not known"), "referrals", "episodes", "ucla3_paired") == [
        3,
        2,
        1,
    ]


def test_disability_recorded_or_not(service: Service) -> None:
    section = equity_section(service.scope())
    recorded = row(section, "disability", "A disability or condition recorded")
    assert values(recorded, *HEADLINE) == [2, 0.5, 1, 1.0, 1, -3.0]
    none = row(section, "disability", "None recorded")
    assert values(none, *HEADLINE) == [4, 1.0, 3, 0.0, 2, -1.0]
    assert none.cells["goals_met_difference"].value == pytest.approx(-50.0)


def test_mobility_counts_a_person_in_each_of_their_groups(service: Service) -> None:
    section = equity_section(service.scope())
    found = table(section, "mobility")
    assert found.total is None
    assert found.rows[-1].label == "Whole service" and found.rows[-1].cells["referrals"].value == 6
    assert "several groups" in found.description
    walks = row(section, "mobility", "Walks to local places")
    assert values(walks, *HEADLINE) == [2, 0.5, 1, 1.0, 1, -3.0]  # Ann and Dot
    buses = row(section, "mobility", "Uses buses or trains")
    assert values(buses, *HEADLINE) == [1, 1.0, 1, 1.0, 1, -3.0]  # Ann again
    assert values(row(section, "mobility", "Housebound"), *HEADLINE) == [1, 1.0, 1, 0.0, 1, 0.0]
    unknown = row(section, "mobility", "Not known")  # Cat, Eve, Fay: nothing recorded
    assert values(unknown, *HEADLINE) == [3, 1.0, 2, None, 1, -2.0]
    groups = [row for row in found.rows if row.key != "service"]
    assert sum(row.cells["referrals"].value or 0 for row in groups) == 7  # Ann is in two groups


def test_trigger_groups_overlap(service: Service) -> None:
    section = equity_section(service.scope())
    assert values(row(section, "trigger_group", "New parent aged 18 to 24"), *HEADLINE) == [
        1,
        1.0,
        1,
        None,
        1,
        -2.0,
    ]
    assert values(row(section, "trigger_group", "Mental health"), *HEADLINE) == [1, 1.0, 1, None, 1, -2.0]
    assert values(row(section, "trigger_group", "Recently bereaved"), *HEADLINE) == [1, 1.0, 1, 1.0, 1, -3.0]
    unknown = row(section, "trigger_group", "Not known")  # Bob, Dot, Eve, Fay
    assert values(unknown, *HEADLINE, *LATER) == [4, 2 / 3, 2, 0.0, 1, 0.0, 0.0, 0.5]


def test_referral_source(service: Service) -> None:
    section = equity_section(service.scope())
    gp = row(section, "referral_source", "GP or primary care")
    assert values(gp, *HEADLINE) == pytest.approx([4, 0.75, 3, 1.0, 2, -2.5])
    assert gp.cells["goals_met_difference"].value == pytest.approx(50.0)
    assert values(row(section, "referral_source", "Hospital"), "referrals", "accepted", "episodes") == [
        1,
        None,
        0,
    ]
    assert values(row(section, "referral_source", "Self-referral"), *HEADLINE) == [1, 1.0, 1, 0.0, 1, 0.0]
    assert values(row(section, "referral_source", "Not known"), "referrals", "episodes") == [0, 0]


def test_area_is_the_postcode_district_with_blank_as_not_known(service: Service) -> None:
    section = equity_section(service.scope())
    found = table(section, "area")
    assert [row.label for row in found.rows] == ["BD1", "LS10", "LS6", "Not known"]
    assert [row.key for row in found.rows][-1] == "not-known"
    ls6 = row(section, "area", "LS6")  # Ann, Cat (written in small letters) and Eve
    assert values(ls6, *HEADLINE) == [3, 1.0, 2, 1.0, 2, -2.5]
    assert values(row(section, "area", "Not known"), *HEADLINE) == [1, 1.0, 1, 0.0, 1, 0.0]  # Bob
    assert values(row(section, "area", "LS10"), *HEADLINE, *LATER) == [1, 1.0, 1, None, 0, None, None, 1.0]


def test_team_filter_counts_only_people_held_by_the_team(service: Service) -> None:
    section = equity_section(service.scope(team_id=service.team_one.pk))
    whole = row(section, "age_band", "Whole service")
    assert values(whole, *HEADLINE) == pytest.approx([3, 1.0, 3, 0.5, 2, -1.5])  # Ann, Bob, Fay
    assert row(section, "age_band", "18 to 24").cells["referrals"].value == 0


def test_connector_filter_counts_only_their_episodes_and_referrals(service: Service) -> None:
    section = equity_section(service.scope(connector_id=service.second.pk))
    whole = row(section, "age_band", "Whole service")
    assert values(whole, *HEADLINE) == [1, 1.0, 1, None, 1, -2.0]  # Cat
    assert values(row(section, "age_band", "18 to 24"), "referrals", "episodes") == [1, 1]


def test_period_is_in_london_days(service: Service) -> None:
    section = equity_section(ReportScope(service.organisation.pk, dt.date(2026, 3, 31), dt.date(2026, 4, 1)))
    # Eve at 23:30 on 31 March and Hal at 00:30 on 1 April, London time; no episode started then.
    assert values(row(section, "age_band", "Whole service"), "referrals", "episodes") == [2, 0]
    section = equity_section(ReportScope(service.organisation.pk, dt.date(2026, 4, 1), dt.date(2026, 4, 1)))
    assert values(row(section, "age_band", "Whole service"), "referrals") == [1]


def test_empty_period_gives_empty_figures(service: Service) -> None:
    section = equity_section(ReportScope(service.organisation.pk, dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    whole = row(section, "area", "Whole service")
    assert values(whole, *HEADLINE) == [0, None, 0, None, 0, None]
    assert table(section, "area").rows == []


def test_lonely_cut_off_follows_the_instruments_bands(service: Service, settings: Any) -> None:
    settings.LINKWORK_INSTRUMENT_OVERRIDES = {
        "ucla3": {
            "bands": [{"label": "not lonely", "min": 3, "max": 7}, {"label": "lonely", "min": 8, "max": 9}]
        }
    }
    section = equity_section(service.scope())
    whole = row(section, "age_band", "Whole service")
    assert (whole.cells["no_longer_lonely"].people, whole.cells["no_longer_lonely"].numerator) == (
        1,
        0,
    )  # Bob
    assert "8 or more" in " ".join(section.notes)


def test_suppression_hides_small_groups_and_their_differences(service: Service) -> None:
    found = suppress_table(table(equity_section(service.scope()), "age_band"), 5)
    older = next(row for row in found.rows if row.label == "65 to 74")
    assert older.cells["referrals"].suppressed and older.cells["accepted_difference"].suppressed
    assert older.cells["ucla3_change_difference"].suppressed
    assert found.total is not None and found.total.cells["referrals"].value == 6
    assert all(
        figure.suppressed or figure.value is None or figure.people >= 5
        for row in found.all_rows()
        for figure in row.cells.values()
    )


def test_difference_keeps_the_groups_base_so_it_is_hidden_with_the_share() -> None:
    difference = equity._difference(Figure.share(2, 10), Figure.share(40, 100), scale=100.0)
    assert difference.value == pytest.approx(-20.0)
    assert (difference.people, difference.numerator) == (10, 2)
