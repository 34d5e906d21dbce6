"""Small statistical helpers shared by the reports. Sums come from the database; these only finish off."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class MeanInterval:
    mean: float
    low: float | None
    high: float | None


def mean_interval(
    n: int, total: float, sum_of_squares: float, confidence: float = 0.95
) -> MeanInterval | None:
    """The mean of n values and its t-based confidence interval, from their sum and sum of squares.

    None when there are no values; no interval for a single value (its spread is unknown)."""
    if n <= 0:
        return None
    mean = total / n
    if n == 1:
        return MeanInterval(mean, None, None)
    # max() guards against a tiny negative variance from rounding when every value is the same.
    variance = max(0.0, (sum_of_squares - n * mean * mean) / (n - 1))
    margin = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance / n)
    return MeanInterval(mean, mean - margin, mean + margin)
