"""The mean-and-interval helper agrees with a reference computation on the same values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from linkwork.reporting.statistics import mean_interval


def test_mean_interval_matches_scipys_t_interval_from_raw_values() -> None:
    values = np.array([-3.0, -2.0, -2.0, 0.0, 1.0, -1.0, -4.0, 2.0])
    expected_low, expected_high = stats.t.interval(
        0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
    )
    result = mean_interval(len(values), float(values.sum()), float((values**2).sum()))
    assert result is not None
    assert result.mean == pytest.approx(-1.125)
    assert result.low == pytest.approx(expected_low)
    assert result.high == pytest.approx(expected_high)


def test_mean_interval_has_no_interval_for_one_value_and_nothing_for_none() -> None:
    one = mean_interval(1, 4.0, 16.0)
    assert one is not None and one.mean == 4.0 and one.low is None and one.high is None
    assert mean_interval(0, 0.0, 0.0) is None


def test_identical_values_give_a_zero_width_interval() -> None:
    result = mean_interval(5, 10.0, 20.0)
    assert result is not None and result.low == pytest.approx(2.0) and result.high == pytest.approx(2.0)
