"""The benchmarks' arithmetic: latency percentiles and the median ratio of alternated rounds."""

from __future__ import annotations

import math
import statistics
from typing import Dict, Sequence


def latency_ms(seconds: Sequence[float]) -> Dict[str, float]:
    """p50, p95 and p99 in milliseconds (nan with fewer than two turns)."""
    if len(seconds) < 2:
        return {"p50": math.nan, "p95": math.nan, "p99": math.nan}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50": 1000 * cuts[49], "p95": 1000 * cuts[94], "p99": 1000 * cuts[98]}


def ratio_over_rounds(ours: Sequence[float], stock: Sequence[float]) -> Dict[str, object]:
    """Round by round ours/stock, and their median and range: one slow round moves the median little."""
    if len(ours) != len(stock) or not ours:
        raise ValueError(f"need as many rounds of each, got {len(ours)} and {len(stock)}")
    ratios = [mine / theirs if theirs else math.inf for mine, theirs in zip(ours, stock, strict=True)]
    return {"per_round": ratios, "median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def ratio_text(ratio: Dict[str, object]) -> str:
    return f"{ratio['median']:.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f})"
