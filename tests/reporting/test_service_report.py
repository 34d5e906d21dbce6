"""The service dashboard on a small hand-built service whose every figure is known.

The period is January to March 2026. Riverside has two teams: Ann (north) and Bob (south) are its
connectors. Referrals, episodes, contacts, pauses, extensions and spending fall inside and just
outside the period (including either side of midnight in London when clocks are on summer time), and
another organisation has its own records in the same months, which must never be counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest

from linkwork.accounts.models import Organisation, Team, User
from linkwork.accounts.roles import Role
from linkwork.people.models import Person
from linkwork.referrals.models import Referral, ReferralSource, ReferralStatus
from linkwork.reporting.disclosure import suppress_table
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.service import service_section
from linkwork.reporting.tables import Kind, Section, Table
from linkwork.support.models import Extension, SupportEpisode
from linkwork.support.services import (
    budget_spend,
    contact_log,
    episode_close,
    episode_pause,
    episode_resume,
    extension_decide,
    extension_request,
)
from tests.factories import OPERATOR, make_staff, make_team
from tests.journey_factories import london, make_episode, make_person, make_programme, make_referral

D = dt.date
FROM, TO = D(2026, 1, 1), D(2026, 3, 31)
GP, HOSPITAL, SELF = ReferralSource.GP.value, ReferralSource.HOSPITAL.value, ReferralSource.SELF.value


@dataclass
class Service:
    organisation: Organisation
    north: Team
    south: Team
    ann: User
    bob: User

    def section(self, *, team: Team | None = None, connector: User | None = None) -> Section:
        return service_section(
            ReportScope(
                self.organisation.pk,
                FROM,
                TO,
                team_id=team.pk if team else None,
                connector_id=connector.pk if connector else None,
            )
        )


def _table(section: Section, key: str) -> Table:
    return next(table for table in section.tables if table.key == key)


def _column(table: Table, column: str) -> dict[str, float | None]:
    """The values of one column, by row key (the total row as "total"), leaving out zeros and blanks."""
    return {
        row.key: row.cells[column].value
        for row in table.all_rows()
        if column in row.cells and row.cells[column].value not in (0, None)
    }


def _people(table: Table, column: str) -> dict[str, int]:
    return {row.key: row.cells[column].people for row in table.all_rows() if row.cells[column].people}


def _referral(
    organisation: Organisation,
    received: dt.datetime,
    source: str,
    *,
    team: Team,
    status: str = ReferralStatus.RECEIVED,
    first_contact: dt.datetime | None = None,
    reason: str = "",
) -> Referral:
    """A referral in a given state; decisions are set directly to place them at known moments."""
    person = make_person(organisation=organisation)
    Person.objects.filter(pk=person.pk).update(team=team)
    referral = make_referral(person=person, source=source, received_at=received)
    Referral.objects.filter(pk=referral.pk).update(
        status=status, first_contact_at=first_contact, not_appropriate_reason=reason
    )
    referral.refresh_from_db()
    return referral


def _episode(
    connector: User, referral: Referral, started_on: dt.date, first_contact: dt.datetime | None = None
) -> SupportEpisode:
    episode = make_episode(connector=connector, referral=referral, started_on=started_on)
    if first_contact is not None:
        Referral.objects.filter(pk=referral.pk).update(first_contact_at=first_contact)
    return episode


def _contact(episode: SupportEpisode, moment: dt.datetime, type_: str, outcome: str = "attended") -> None:
    contact_log(actor=OPERATOR, episode=episode, occurred_at=moment, type=type_, outcome=outcome)


def _pause(episode: SupportEpisode, reason: str, on: dt.date, until: dt.date | None = None) -> None:
    episode_pause(actor=OPERATOR, episode=episode, reason=reason, on=on)
    if until is not None:
        episode_resume(actor=OPERATOR, episode=episode, on=until)


def _extension(episode: SupportEpisode, requested: dt.datetime, approve: bool | None) -> None:
    extension = extension_request(
        actor=OPERATOR, episode=episode, new_end_on=None, extra_contacts=2, reason="More time to settle in."
    )
    if approve is not None:
        extension_decide(actor=OPERATOR, extension=extension, approve=approve)
    Extension.objects.filter(pk=extension.pk).update(requested_at=requested)


def _spend(episode: SupportEpisode, pence: int, on: dt.date) -> None:
    budget_spend(actor=OPERATOR, episode=episode, amount_pence=pence, purpose="Bus pass", spent_on=on)


def _close(episode: SupportEpisode, outcome: str, on: dt.date) -> None:
    episode_close(actor=OPERATOR, episode=episode, outcome=outcome, on=on)


def _named_connector(organisation: Organisation, team: Team, first: str, last: str) -> User:
    connector = make_staff(organisation=organisation, roles=[Role.CONNECTOR], teams=[team])
    User.objects.filter(pk=connector.pk).update(first_name=first, last_name=last)
    connector.refresh_from_db()
    return connector


@pytest.fixture
def service(organisation: Organisation, other_organisation: Organisation) -> Service:
    north = make_team(organisation=organisation, name="North")
    south = make_team(organisation=organisation, name="South")
    ann = _named_connector(organisation, north, "Ann", "Baker")
    bob = _named_connector(organisation, south, "Bob", "Carter")
    org = organisation

    # Referrals received in the period (R1..R9, R12) and just outside it (R10, R11).
    r1 = _referral(org, london(D(2026, 1, 5), 10), GP, team=north)
    r2 = _referral(org, london(D(2026, 1, 12), 9), GP, team=north)
    _referral(
        org, london(D(2026, 1, 20)), SELF, team=north, status="declined", first_contact=london(D(2026, 1, 25))
    )
    _referral(
        org,
        london(D(2026, 1, 15)),
        GP,
        team=south,
        status="not_appropriate",
        reason="not-lonely",
        first_contact=london(D(2026, 1, 18)),
    )
    r4 = _referral(org, london(D(2026, 2, 3)), GP, team=south)
    _referral(org, london(D(2026, 2, 14)), HOSPITAL, team=south, status="unable_to_contact")
    _referral(
        org,
        london(D(2026, 2, 20)),
        SELF,
        team=north,
        status="not_appropriate",
        reason="out-of-area",
        first_contact=london(D(2026, 2, 27)),
    )
    _referral(org, london(D(2026, 3, 2)), GP, team=north)
    _referral(org, london(D(2026, 3, 10)), HOSPITAL, team=south, status="contact_attempted")
    # 23:30 on 31 March in London is 22:30 UTC: inside the period. Its first contact, 40 minutes later,
    # is on 1 April in London: a wait of one day although UTC says the same day.
    r9 = _referral(org, london(D(2026, 3, 31), 23, 30), SELF, team=south)
    # 00:30 on 1 April in London is still 31 March in UTC: outside the period.
    _referral(org, london(D(2026, 4, 1), 0, 30), GP, team=north)
    _referral(org, london(D(2025, 12, 31), 23, 30), GP, team=north)
    # Referrals for episodes that began before the period.
    r0 = _referral(org, london(D(2025, 10, 20)), GP, team=north)
    r00 = _referral(org, london(D(2025, 9, 1)), GP, team=south)
    r13 = _referral(org, london(D(2025, 12, 20)), GP, team=south)
    r15 = _referral(org, london(D(2025, 12, 15)), SELF, team=north)

    # E0 (Ann): began in November, closed in February with goals met, followed up in March.
    e0 = _episode(ann, r0, D(2025, 11, 1))
    _pause(e0, "physical-health", D(2025, 12, 10), D(2025, 12, 15))
    _contact(e0, london(D(2025, 12, 20)), "home-visit")
    _spend(e0, 1500, D(2025, 12, 30))
    _extension(e0, london(D(2025, 12, 20)), approve=True)
    _contact(e0, london(D(2026, 1, 8)), "phone")
    _close(e0, "goals-met", D(2026, 2, 15))
    SupportEpisode.objects.filter(pk=e0.pk).update(follow_up_on=D(2026, 3, 20), followed_up_on=D(2026, 3, 25))

    # E1 (Ann): R1, waited 2 days; closed in March because the person chose to stop.
    e1 = _episode(ann, r1, D(2026, 1, 10), london(D(2026, 1, 7)))
    _contact(e1, london(D(2026, 1, 12)), "home-visit")
    _spend(e1, 2500, D(2026, 1, 15))
    _contact(e1, london(D(2026, 1, 19)), "phone", "no-answer")
    _contact(e1, london(D(2026, 1, 26)), "phone")
    _pause(e1, "mental-health", D(2026, 1, 28), D(2026, 2, 1))
    _spend(e1, 1000, D(2026, 2, 1))
    _contact(e1, london(D(2026, 2, 2)), "home-visit", "person-cancelled")
    _close(e1, "chose-to-stop", D(2026, 3, 10))

    # E2 (Ann): R2, first contact the day it arrived; still open.
    e2 = _episode(ann, r2, D(2026, 1, 20), london(D(2026, 1, 12), 15))
    _contact(e2, london(D(2026, 1, 22)), "phone")
    _extension(e2, london(D(2026, 2, 1)), approve=True)
    _contact(e2, london(D(2026, 2, 5)), "phone", "connector-cancelled")
    _spend(e2, 4000, D(2026, 3, 1))
    _contact(e2, london(D(2026, 3, 31), 23, 30), "phone")
    _contact(e2, london(D(2026, 4, 1), 0, 15), "phone")

    # E3 (Bob): R4, waited a day; closed on the period's last day with goals met.
    e3 = _episode(bob, r4, D(2026, 2, 10), london(D(2026, 2, 4)))
    _close(e3, "goals-met", D(2026, 3, 31))

    # E4 (Bob): R9, begins after the period.
    _episode(bob, r9, D(2026, 4, 2), london(D(2026, 4, 1), 0, 10))

    # E5 (Bob): closed in December; its follow-up fell due on 23 February and was not done.
    e5 = _episode(bob, r00, D(2025, 9, 10))
    _close(e5, "disengaged", D(2025, 12, 1))

    # E6 (Bob): began in January, paused twice, still paused at the end of March.
    e6 = _episode(bob, r13, D(2026, 1, 5))
    _contact(e6, london(D(2026, 1, 6)), "home-visit")
    _contact(e6, london(D(2026, 2, 6)), "check-in", "no-answer")
    _pause(e6, "mental-health", D(2026, 2, 10), D(2026, 2, 20))
    _extension(e6, london(D(2026, 3, 5)), approve=False)
    _extension(e6, london(D(2026, 3, 20)), approve=None)
    _pause(e6, "person-asked", D(2026, 3, 1))

    # E7 (Ann): open through the end of March, closed in April.
    e7 = _episode(ann, r15, D(2026, 2, 1))
    _close(e7, "other", D(2026, 4, 10))

    # Another organisation, busy in the same months.
    elsewhere = make_team(organisation=other_organisation, name="North")
    zed = _named_connector(other_organisation, elsewhere, "Zed", "Adams")
    other = _referral(other_organisation, london(D(2026, 1, 10)), GP, team=elsewhere)
    e9 = _episode(zed, other, D(2026, 1, 12), london(D(2026, 1, 11)))
    _contact(e9, london(D(2026, 1, 13)), "phone", "no-answer")
    _pause(e9, "mental-health", D(2026, 1, 14), D(2026, 1, 15))
    _extension(e9, london(D(2026, 1, 16)), approve=True)
    _spend(e9, 9900, D(2026, 1, 20))
    _close(e9, "goals-met", D(2026, 2, 1))
    SupportEpisode.objects.filter(pk=e9.pk).update(follow_up_on=D(2026, 3, 1))
    return Service(organisation, north, south, ann, bob)


def test_the_section_holds_every_dashboard_table(service: Service) -> None:
    section = service.section()
    assert (section.key, section.title) == ("service", "Service dashboard")
    assert [table.key for table in section.tables] == [
        "referrals_by_month",
        "referral_outcomes",
        "waiting_times",
        "caseload_by_connector",
        "contacts_by_type",
        "did_not_attend",
        "episode_length",
        "pauses",
        "extensions",
        "budget_spent",
        "endings",
        "follow_ups",
    ]
    assert all(table.description for table in section.tables)


def test_referrals_are_counted_by_source_and_london_month(service: Service) -> None:
    table = _table(service.section(), "referrals_by_month")
    assert [(row.key, row.label) for row in table.rows] == [
        ("2026-01", "January 2026"),
        ("2026-02", "February 2026"),
        ("2026-03", "March 2026"),
    ]
    assert _column(table, GP) == {"2026-01": 3, "2026-02": 1, "2026-03": 1, "total": 5}
    assert _column(table, HOSPITAL) == {"2026-02": 1, "2026-03": 1, "total": 2}
    assert _column(table, SELF) == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "total": 3}
    assert _column(table, "total") == {"2026-01": 4, "2026-02": 3, "2026-03": 3, "total": 10}
    assert _people(table, "total") == {"2026-01": 4, "2026-02": 3, "2026-03": 3, "total": 10}
    assert table.row_total == "total"
    assert {column.key for column in table.columns if column.adds_to_row_total} == set(ReferralSource.values)


def test_referral_outcomes_are_counted_by_source_and_by_reason_when_not_appropriate(service: Service) -> None:
    table = _table(service.section(), "referral_outcomes")
    assert _column(table, "total") == {
        "accepted": 4,
        "declined": 1,
        "unable_to_contact": 1,
        "not_appropriate:not-lonely": 1,
        "not_appropriate:out-of-area": 1,
        "still_open": 2,
        "total": 10,
    }
    assert _column(table, GP) == {"accepted": 3, "not_appropriate:not-lonely": 1, "still_open": 1, "total": 5}
    assert _column(table, HOSPITAL) == {"unable_to_contact": 1, "still_open": 1, "total": 2}
    assert _column(table, SELF) == {
        "accepted": 1,
        "declined": 1,
        "not_appropriate:out-of-area": 1,
        "total": 3,
    }
    labels = {row.key: row.label for row in table.rows}
    assert labels["not_appropriate:out-of-area"] == "Not appropriate: Out of area"
    assert labels["still_open"] == "Still open"


def test_waiting_times_are_london_days_to_first_contact_with_median_and_90th_percentile(
    service: Service,
) -> None:
    table = _table(service.section(), "waiting_times")
    # Waits in days: January 2, 0, 5 and 3; February 1 and 7; March 1 (31 March to 1 April).
    assert _column(table, "referrals") == {"2026-01": 4, "2026-02": 2, "2026-03": 1, "total": 7}
    assert _column(table, "median_days") == {"2026-01": 2.5, "2026-02": 4, "2026-03": 1, "total": 2}
    p90 = _column(table, "p90_days")
    assert p90 == {
        "2026-01": pytest.approx(4.4),
        "2026-02": pytest.approx(6.4),
        "2026-03": 1,
        "total": pytest.approx(5.8),
    }
    waits = {"2026-01": [2, 0, 5, 3], "2026-02": [1, 7], "2026-03": [1], "total": [2, 0, 5, 3, 1, 7, 1]}
    for key, values in waits.items():
        assert _column(table, "median_days")[key] == pytest.approx(np.median(values))
        assert p90[key] == pytest.approx(np.percentile(values, 90))
    assert _people(table, "p90_days") == {"2026-01": 4, "2026-02": 2, "2026-03": 1, "total": 7}


def test_a_month_with_no_first_contacts_has_no_median(service: Service) -> None:
    scope = ReportScope(service.organisation.pk, D(2026, 3, 1), D(2026, 4, 30), connector_id=service.ann.pk)
    table = _table(service_section(scope), "waiting_times")
    assert [row.key for row in table.rows] == ["2026-03", "2026-04"]
    for row in table.all_rows():
        assert row.cells["referrals"].value == 0
        assert row.cells["median_days"].value is None and row.cells["p90_days"].value is None


def test_caseload_counts_episodes_open_at_the_end_of_the_period_by_connector(service: Service) -> None:
    table = _table(service.section(), "caseload_by_connector")
    # Ann: E2 (open) and E7 (closed in April). Bob: E6 (paused). E3 closed on the last day; E4 began after.
    assert [(row.label, row.cells["episodes"].value) for row in table.rows] == [
        ("Ann Baker", 2),
        ("Bob Carter", 1),
    ]
    assert [row.key for row in table.rows] == [str(service.ann.pk), str(service.bob.pk)]
    assert table.total is not None and table.total.cells["episodes"].value == 3


def test_contacts_are_counted_by_type_and_outcome_with_the_people_they_were_with(service: Service) -> None:
    table = _table(service.section(), "contacts_by_type")
    assert _column(table, "total") == {"home-visit": 3, "phone": 6, "check-in": 1, "total": 10}
    assert _people(table, "total") == {"home-visit": 2, "phone": 3, "check-in": 1, "total": 4}
    assert _column(table, "attended") == {"home-visit": 2, "phone": 4, "total": 6}
    assert _people(table, "attended") == {"home-visit": 2, "phone": 3, "total": 4}
    assert _column(table, "person-cancelled") == {"home-visit": 1, "total": 1}
    assert _column(table, "connector-cancelled") == {"phone": 1, "total": 1}
    assert _column(table, "no-answer") == {"phone": 1, "check-in": 1, "total": 2}
    assert table.row_total == "total"


def test_did_not_attend_rate_is_missed_over_arranged_leaving_out_what_we_cancelled(service: Service) -> None:
    table = _table(service.section(), "did_not_attend")
    assert _column(table, "arranged") == {"home-visit": 3, "phone": 5, "check-in": 1, "total": 9}
    assert _column(table, "did_not_attend") == {"home-visit": 1, "phone": 1, "check-in": 1, "total": 3}
    assert _people(table, "did_not_attend") == {"home-visit": 1, "phone": 1, "check-in": 1, "total": 2}
    rates = _column(table, "rate")
    assert rates == {
        "home-visit": pytest.approx(1 / 3),
        "phone": pytest.approx(1 / 5),
        "check-in": 1.0,
        "total": pytest.approx(1 / 3),
    }
    assert table.total is not None
    assert (table.total.cells["rate"].numerator, table.total.cells["rate"].people) == (3, 9)


def test_episode_length_is_for_episodes_closed_in_the_period_by_how_they_ended(service: Service) -> None:
    table = _table(service.section(), "episode_length")
    # E0 1 Nov to 15 Feb: 106 days; E3 10 Feb to 31 Mar: 49; E1 10 Jan to 10 Mar: 59.
    assert _column(table, "episodes") == {"goals-met": 2, "chose-to-stop": 1, "total": 3}
    median = _column(table, "median_days")
    p90 = _column(table, "p90_days")
    assert median == {"goals-met": 77.5, "chose-to-stop": 59, "total": 59}
    assert p90 == {"goals-met": pytest.approx(100.3), "chose-to-stop": 59, "total": pytest.approx(96.6)}
    assert p90["total"] == pytest.approx(np.percentile([106, 49, 59], 90))
    assert table.rows[0].cells["median_days"].people == 2


def test_pauses_by_reason_and_extensions_by_decision(service: Service) -> None:
    section = service.section()
    pauses = _table(section, "pauses")
    assert _column(pauses, "pauses") == {"mental-health": 2, "person-asked": 1, "total": 3}
    assert _people(pauses, "pauses") == {"mental-health": 2, "person-asked": 1, "total": 2}
    extensions = _table(section, "extensions")
    assert _column(extensions, "extensions") == {"approved": 1, "refused": 1, "requested": 1, "total": 3}
    assert _people(extensions, "extensions") == {"approved": 1, "refused": 1, "requested": 1, "total": 2}


def test_budget_spent_totals_the_period_and_averages_over_episodes_with_spending(service: Service) -> None:
    row = _table(service.section(), "budget_spent").rows[0]
    assert row.cells["spent_pence"].value == 7500
    assert row.cells["episodes"].value == 2
    assert row.cells["mean_pence"].value == 3750
    assert row.cells["mean_pence"].people == 2


def test_endings_are_counted_by_outcome_with_their_share(service: Service) -> None:
    table = _table(service.section(), "endings")
    assert _column(table, "episodes") == {"goals-met": 2, "chose-to-stop": 1, "total": 3}
    assert _column(table, "share") == {
        "goals-met": pytest.approx(2 / 3),
        "chose-to-stop": pytest.approx(1 / 3),
    }
    assert table.rows[0].cells["share"].numerator == 2


def test_follow_ups_due_in_the_period_are_split_into_done_and_not_done(service: Service) -> None:
    row = _table(service.section(), "follow_ups").rows[0]
    # E0 due 20 March, done; E5 due 23 February, not done. E1 and E3 fall due after the period.
    assert {key: figure.value for key, figure in row.cells.items()} == {
        "done": 1,
        "not_done": 1,
        "due": 2,
        "done_share": 0.5,
    }


def test_a_team_sees_only_the_people_it_holds(service: Service) -> None:
    section = service.section(team=service.north)
    assert _column(_table(section, "referrals_by_month"), "total") == {
        "2026-01": 3,
        "2026-02": 1,
        "2026-03": 1,
        "total": 5,
    }
    assert [row.label for row in _table(section, "caseload_by_connector").rows] == ["Ann Baker"]
    assert _column(_table(section, "contacts_by_type"), "total") == {"home-visit": 2, "phone": 6, "total": 8}
    assert _column(_table(section, "episode_length"), "episodes") == {
        "goals-met": 1,
        "chose-to-stop": 1,
        "total": 2,
    }
    assert _column(_table(section, "pauses"), "pauses") == {"mental-health": 1, "total": 1}
    assert _column(_table(section, "extensions"), "extensions") == {"approved": 1, "total": 1}
    assert _table(section, "budget_spent").rows[0].cells["spent_pence"].value == 7500
    assert {k: f.value for k, f in _table(section, "follow_ups").rows[0].cells.items()} == {
        "done": 1,
        "not_done": 0,
        "due": 1,
        "done_share": 1.0,
    }


def test_a_connector_sees_only_their_episodes_and_the_referrals_behind_them(service: Service) -> None:
    section = service.section(connector=service.bob)
    assert _column(_table(section, "referrals_by_month"), "total") == {"2026-02": 1, "2026-03": 1, "total": 2}
    assert _column(_table(section, "referral_outcomes"), "total") == {"accepted": 2, "total": 2}
    waits = _table(section, "waiting_times")
    assert _column(waits, "median_days") == {"2026-02": 1, "2026-03": 1, "total": 1}
    assert [row.label for row in _table(section, "caseload_by_connector").rows] == ["Bob Carter"]
    assert _column(_table(section, "contacts_by_type"), "total") == {
        "home-visit": 1,
        "check-in": 1,
        "total": 2,
    }
    assert _column(_table(section, "endings"), "episodes") == {"goals-met": 1, "total": 1}
    budget = _table(section, "budget_spent").rows[0].cells
    assert (budget["spent_pence"].value, budget["episodes"].value, budget["mean_pence"].value) == (0, 0, None)
    assert {k: f.value for k, f in _table(section, "follow_ups").rows[0].cells.items()} == {
        "done": 0,
        "not_done": 1,
        "due": 1,
        "done_share": 0.0,
    }


def test_another_organisations_records_are_never_counted(
    service: Service, other_organisation: Organisation
) -> None:
    section = service_section(ReportScope(other_organisation.pk, FROM, TO))
    assert _column(_table(section, "referrals_by_month"), "total") == {"2026-01": 1, "total": 1}
    assert _column(_table(section, "waiting_times"), "median_days") == {"2026-01": 1, "total": 1}
    assert _column(_table(section, "contacts_by_type"), "total") == {"phone": 1, "total": 1}
    assert _column(_table(section, "pauses"), "pauses") == {"mental-health": 1, "total": 1}
    assert _column(_table(section, "extensions"), "extensions") == {"approved": 1, "total": 1}
    assert _table(section, "budget_spent").rows[0].cells["spent_pence"].value == 9900
    assert _column(_table(section, "episode_length"), "median_days") == {"goals-met": 20, "total": 20}
    assert _table(section, "follow_ups").rows[0].cells["due"].value == 1
    assert _table(section, "caseload_by_connector").rows == []


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 6, 7, 10, 11, 12])
def test_median_and_90th_percentile_agree_with_numpy(organisation: Organisation, size: int) -> None:
    team = make_team(organisation=organisation)
    connector = make_staff(organisation=organisation, teams=[team])
    programme = make_programme(organisation=organisation)
    lengths = [3, 14, 1, 8, 8, 30, 2, 21, 5, 13, 40, 0][:size]
    for length in lengths:
        episode = make_episode(connector=connector, programme=programme, started_on=D(2025, 12, 1))
        SupportEpisode.objects.filter(pk=episode.pk).update(
            status="closed", outcome="goals-met", closed_on=D(2025, 12, 1) + dt.timedelta(days=length)
        )
    section = service_section(ReportScope(organisation.pk, D(2025, 12, 1), D(2026, 1, 31)))
    total = _table(section, "episode_length").total
    assert total is not None
    assert total.cells["episodes"].value == size
    assert total.cells["median_days"].value == pytest.approx(np.median(lengths))
    assert total.cells["p90_days"].value == pytest.approx(np.percentile(lengths, 90))


def test_every_table_declares_its_sums_so_suppression_leaves_no_small_count_visible(service: Service) -> None:
    for table in service.section().tables:
        suppress_table(table, 5)
        for row in table.all_rows():
            for key, figure in row.cells.items():
                kind = next(column.kind for column in table.columns if column.key == key)
                if not figure.suppressed:
                    assert figure.people >= 5, (table.key, row.key, key)
                    if kind is Kind.SHARE:
                        assert figure.numerator is not None and figure.numerator >= 5
