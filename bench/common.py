"""What every benchmark shares: its result (a table and notes under it) and the statistics."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import NamedTuple

Row = dict[str, object]


class Result(NamedTuple):
    """A benchmark's table, and the lines printed under it (target, met or not, conditions)."""

    rows: list[Row]
    notes: list[str]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank: a value that really occurred."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> float:
    """Seconds as milliseconds, rounded for a table."""
    return round(seconds * 1000, 1)


def met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"
