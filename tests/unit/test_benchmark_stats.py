"""The benchmarks' arithmetic (benchmarks/stats.py): what the printed ratios and percentiles mean."""

import math

import pytest

from benchmarks.stats import latency_ms, ratio_over_rounds, ratio_text


def test_percentiles_are_in_milliseconds_and_interpolated():
    latency = latency_ms([i / 1000 for i in range(1, 102)])  # 1 to 101 ms
    assert latency == pytest.approx({"p50": 51.0, "p95": 96.0, "p99": 100.0})


def test_a_single_turn_has_no_percentiles():
    assert all(math.isnan(value) for value in latency_ms([0.04]).values())


def test_the_median_ratio_ignores_one_disturbed_round():
    ratio = ratio_over_rounds(ours=[110, 120, 400], stock=[100, 100, 100])
    assert ratio["per_round"] == pytest.approx([1.1, 1.2, 4.0])
    assert (ratio["median"], ratio["min"], ratio["max"]) == pytest.approx((1.2, 1.1, 4.0))
    assert ratio_text(ratio) == "1.20x (1.10-4.00)"


def test_rounds_must_pair_up():
    with pytest.raises(ValueError):
        ratio_over_rounds(ours=[1, 2], stock=[1])
