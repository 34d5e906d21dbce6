"""`linkwork bench reports`: the generated data, the pandas baseline's figures on hand-built data, the
agreement check, and the JSON it prints. Tiny sizes only; timings are never checked."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from benchmarks import report_data, reports
from django.core.management import call_command
from django.db.models import Count

from linkwork.accounts.models import Organisation, User
from linkwork.outcomes.models import Measure
from linkwork.people.models import Person
from linkwork.reporting.equity import equity_section
from linkwork.reporting.outcomes import outcomes_section
from linkwork.reporting.scope import ReportScope
from linkwork.reporting.tables import Column, Figure, Kind, Row, Section, Table
from linkwork.support.models import SupportEpisode
from tests.core.test_bench_command import assert_shape
from tests.journey_factories import london, make_episode, make_person, make_referral

DAY = dt.date(2025, 3, 3)


def _measure(
    episode: SupportEpisode, instrument: str, time_point: str, total: float | None, **more: Any
) -> None:
    Measure.objects.create(
        episode=episode,
        instrument=instrument,
        time_point=time_point,
        recorded_at=london(DAY),
        total=total,
        valid=total is not None,
        **more,
    )


@pytest.fixture
def three_episodes(organisation: Organisation, connector: User) -> ReportScope:
    """UCLA-3 8 -> 5 (a woman in LS6 who walks), 6 -> 6 (a woman in LS6 who walks and takes the bus),
    7 -> 8 (a man in BD1 with no mobility recorded); a fourth episode whose ending was skipped."""
    people = [
        ("woman", ["walks"], "LS6 1AB", 8, 5),
        ("woman", ["walks", "uses-buses"], "ls61ab", 6, 6),
        ("man", [], "BD1 2CD", 7, 8),
        ("man", ["walks"], "BD1 2CD", 9, None),
    ]
    for gender, mobility, postcode, start, end in people:
        person = make_person(organisation=organisation, gender=gender, mobility=mobility, postcode=postcode)
        referral = make_referral(person=person, received_at=london(DAY))
        episode = make_episode(connector=connector, referral=referral, started_on=DAY)
        _measure(episode, "ucla3", "baseline", start)
        if end is None:
            _measure(episode, "ucla3", "ending", None, skipped=True, skip_reason="declined")
        else:
            _measure(episode, "ucla3", "ending", end)
    return ReportScope(organisation.pk, DAY, DAY)


@pytest.mark.django_db
def test_the_pandas_outcomes_baseline_gives_the_pairs_and_mean_change_worked_out_by_hand(
    three_episodes: ReportScope,
) -> None:
    figures = reports.pandas_outcomes(three_episodes)
    assert figures["outcomes_change", "ucla3:end", "paired"] == (3, 3.0)
    people, mean = figures["outcomes_change", "ucla3:end", "mean_change"]
    assert people == 3 and mean == pytest.approx((-3 + 0 + 1) / 3)
    assert figures["outcomes_change", "ucla3:end", "improved"] == (1, 1.0)
    assert figures["outcomes_change", "ucla3:end", "unchanged"] == (1, 1.0)
    assert figures["outcomes_change", "ucla3:end", "worse"] == (1, 1.0)
    baseline = {score: figures["ucla3_distribution", str(score), "baseline"][0] for score in range(3, 10)}
    ending = {score: figures["ucla3_distribution", str(score), "ending"][0] for score in range(3, 10)}
    assert baseline == {3: 0, 4: 0, 5: 0, 6: 1, 7: 1, 8: 1, 9: 0}
    assert ending == {3: 0, 4: 0, 5: 1, 6: 1, 7: 0, 8: 1, 9: 0}
    assert figures["ucla3_distribution", "total", "ending"] == (3, 3.0)
    assert ("outcomes_change", "ucla3:follow_up", "paired") not in figures  # no follow-up measures


@pytest.mark.django_db
def test_the_pandas_equity_baseline_gives_each_groups_mean_change_worked_out_by_hand(
    three_episodes: ReportScope,
) -> None:
    figures = reports.pandas_equity(three_episodes)
    assert figures["equity_gender", "woman", "ucla3_change"] == pytest.approx((2, -1.5))
    assert figures["equity_gender", "man", "ucla3_change"] == (1, 1.0)
    assert figures["equity_gender", "service", "ucla3_change"] == pytest.approx((3, -2 / 3))
    # Mobility is a list: the second episode counts under walking and under buses.
    assert figures["equity_mobility", "walks", "ucla3_change"] == pytest.approx((2, -1.5))
    assert figures["equity_mobility", "uses-buses", "ucla3_change"] == (1, 0.0)
    assert figures["equity_mobility", "not-known", "ucla3_change"] == (1, 1.0)
    assert figures["equity_area", "LS6", "ucla3_change"] == pytest.approx((2, -1.5))
    assert figures["equity_area", "BD1", "ucla3_change"] == (1, 1.0)
    assert figures["equity_disability", "none", "ucla3_change"] == pytest.approx((3, -2 / 3))


@pytest.mark.django_db
def test_the_reports_agree_with_the_pandas_baseline_on_hand_built_data(three_episodes: ReportScope) -> None:
    for section, baseline in (
        (outcomes_section(three_episodes), reports.pandas_outcomes(three_episodes)),
        (equity_section(three_episodes), reports.pandas_equity(three_episodes)),
    ):
        checked = reports.agreement(section, baseline)
        assert checked["figures_agree"], checked["differences"]
        assert checked["figures_compared"] == len(baseline) > 0


def _section(people: int, value: float) -> Section:
    column = Column("ucla3_change", "Mean change", Kind.MEAN)
    row = Row("woman", "Woman", {"ucla3_change": Figure(value=value, people=people)})
    return Section("equity", "Equity", [Table("equity_gender", "By gender", [column], [row])])


def test_the_agreement_check_names_every_figure_that_differs_or_is_missing() -> None:
    baseline: reports.Figures = {
        ("equity_gender", "woman", "ucla3_change"): (2, -1.5),
        ("equity_gender", "man", "ucla3_change"): (1, 1.0),
    }
    checked = reports.agreement(_section(2, -1.5), baseline)
    assert checked["figures_compared"] == 2 and not checked["figures_agree"]
    assert checked["differences"] == [
        {"figure": ["equity_gender", "man", "ucla3_change"], "baseline": [1, 1.0], "report": None}
    ]
    assert not reports.agreement(_section(3, -1.5), {("equity_gender", "woman", "ucla3_change"): (2, -1.5)})[
        "figures_agree"
    ]
    assert not reports.agreement(_section(2, -1.4), {("equity_gender", "woman", "ucla3_change"): (2, -1.5)})[
        "figures_agree"
    ]
    assert reports.agreement(
        _section(2, -1.5 + 1e-12), {("equity_gender", "woman", "ucla3_change"): (2, -1.5)}
    )["figures_agree"]


@pytest.mark.django_db
def test_the_generated_episodes_vary_as_documented(organisation: Organisation) -> None:
    generated = report_data.load(300, seed=5, owner=organisation)
    assert (generated.people, generated.referrals, generated.episodes) == (300, 300, 300)
    assert 3 * 300 <= generated.measures <= 5 * 300
    assert Measure.objects.filter(episode__organisation=organisation).count() == generated.measures
    people = Person.objects.filter(organisation=organisation)
    assert people.values("age_band").distinct().count() >= 6
    assert people.values("ethnicity").distinct().count() >= 6
    assert people.exclude(mobility=[]).exists() and people.exclude(trigger_groups=[]).exists()
    assert people.filter(postcode="").exists() and people.values("postcode").distinct().count() > 100
    points = dict(
        Measure.objects.filter(episode__organisation=organisation, instrument="ucla3")
        .values_list("time_point")
        .annotate(n=Count("id"))
    )
    assert points["baseline"] > points["ending"] > points["follow-up"] > 0
    assert Measure.objects.filter(episode__organisation=organisation, skipped=True, total=None).exists()
    episodes = SupportEpisode.objects.filter(organisation=organisation)
    assert episodes.filter(closed_on=None).exists() and episodes.exclude(closed_on=None).exists()
    assert all(
        generated.date_from <= day <= generated.date_to
        for day in episodes.values_list("started_on", flat=True)
    )


@pytest.mark.django_db
def test_bench_reports_prints_agreeing_figures_and_leaves_nothing_behind() -> None:
    out = StringIO()
    call_command(
        "bench", "reports", "--size=200", "--seed=3", "--database=configured", stdout=out, stderr=StringIO()
    )
    outcome = json.loads(out.getvalue())
    assert_shape(outcome, "reports", 200)
    assert [row["operation"] for row in outcome["results"]] == [
        "outcomes section (every questionnaire)",
        "equity section (8 dimensions)",
    ]
    for row in outcome["results"]:
        assert row["figures_agree"], row["differences"]
        assert row["figures_compared"] > 0
    assert outcome["rows"]["episodes"] == 200 and outcome["rows"]["people"] == 200
    assert 600 <= outcome["rows"]["measures"] <= 1000
    assert not Person.objects.exists() and not Measure.objects.exists()
