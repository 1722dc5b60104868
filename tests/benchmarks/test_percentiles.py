"""The benchmark's statistics and answer checks (benchmarks/stats.py, benchmarks/chat_load.py).

The benchmark itself (benchmarks/run) is not part of `make test`: it takes about 10 minutes.
"""
from __future__ import annotations

import json
import math

import pytest

from benchmarks.chat_load import LevelResult, failure
from benchmarks.stats import fmt, fmt_ratio, percentile, ratio, yes_no


def test_percentile_interpolates_between_ranks_like_numpy():
    values = [10, 20, 30, 40]
    assert percentile(values, 0.5) == 25
    assert percentile(values, 0.95) == pytest.approx(38.5)
    assert percentile(values, 0) == 10 and percentile(values, 1) == 40
    assert percentile(reversed(values), 0.5) == 25  # order does not matter
    assert percentile([7.0], 0.95) == 7.0


def test_percentile_of_nothing_is_nan_and_q_is_checked():
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1, 2], 95)


def test_ratio_and_formatting():
    assert ratio(30, 60) == 0.5
    assert ratio(1, 0) is None and ratio(None, 2) is None and ratio(math.nan, 2) is None
    assert fmt_ratio(0.5) == "0.50×" and fmt_ratio(None) == "n/a"
    assert fmt(1234.56) == "1,234.6" and fmt(None) == "n/a" and fmt(math.nan) == "n/a"
    assert (yes_no(True), yes_no(False), yes_no(None)) == ("yes", "no", "n/a")


def test_level_result_throughput_and_percentiles():
    level = LevelResult(users=2, wall_s=2.0, latencies_ms=[10.0, 20.0, 30.0, 40.0])
    assert level.messages == 4 and level.throughput == 2.0
    assert level.p50 == 25 and level.p95 == pytest.approx(38.5)


def answer(*texts: str) -> bytes:
    return json.dumps([{"recipient_id": "x", "text": t} for t in texts]).encode()


def test_failed_turns_are_counted_even_with_http_200():
    assert failure(200, answer("Hello. I can help you find the right place to get care.")) is None
    assert failure(200, b"[]") is None
    assert failure(503, answer("Sorry, the assistant is not available right now.")).startswith("HTTP 503")
    assert failure(200, answer("Places near you:", "Sorry, something went wrong and I could not answer that. "
                                                   "If you need medical help now, call 111.")) is not None
    assert failure(200, b"<html>") is not None
    assert failure(200, b'{"error": 1}') is not None
