"""Small statistics helpers for the benchmarks: percentiles, ratios, yes/no against a target."""
from __future__ import annotations

import math
from typing import Iterable, Optional


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th quantile (0 ≤ q ≤ 1) with linear interpolation between ranks (numpy's default).

    NaN for no values, so that an empty run shows as such instead of as 0 ms.
    """
    ordered = sorted(values)
    if not 0 <= q <= 1:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    if not ordered:
        return math.nan
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(ours: Optional[float], stock: Optional[float]) -> Optional[float]:
    """ours / stock, or None when either is missing or stock is 0."""
    if ours is None or stock is None or stock == 0 or math.isnan(ours) or math.isnan(stock):
        return None
    return ours / stock


def fmt(value: Optional[float], digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def yes_no(met: Optional[bool]) -> str:
    return "n/a" if met is None else ("yes" if met else "no")
