"""Histograms behind ``median`` indicators: how a median survives roll-up over the tree and over time.

A median is not decomposable: the median of a kecamatan or a month cannot be computed from the medians of
its kelurahan or days. So a Fact of a median indicator carries its distribution, a histogram
``{bucket value: weight}`` at the indicator's resolution (``10 ** -decimals``; 1 decimal = buckets of
0.1). A roll-up adds the histograms of the Facts below it and takes the median of the sum: exact for values
on the resolution grid, at most half a bucket off otherwise, and small whatever the number of cases (resolution
days of a year's reports fit in a few thousand buckets).

Stored as JSON, keys are canonical decimal text (``"2.5"``, ``"12"``) so two computations of the same data
compare equal; in memory they are floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Buckets finer than this would let a histogram grow towards one key per case; 3 decimals is already 0.001.
MAX_DECIMALS = 3

Histogram = dict[float, float]


def resolution(decimals: int) -> int:
    """The number of decimals a bucket keeps for an indicator showing ``decimals``."""
    return max(0, min(int(decimals), MAX_DECIMALS))


def bucket(value: float, decimals: int) -> float:
    """The bucket of ``value``: rounded to the resolution (``+ 0.0`` folds -0.0 into 0.0)."""
    return round(float(value), resolution(decimals)) + 0.0


def add(hist: Histogram, value: float, decimals: int, weight: float = 1.0) -> None:
    key = bucket(value, decimals)
    hist[key] = hist.get(key, 0.0) + weight


def merge(into: Histogram, other: Mapping[float, float]) -> None:
    for key, weight in other.items():
        into[key] = into.get(key, 0.0) + weight


def from_json(data: Mapping[Any, float] | None, decimals: int) -> Histogram:
    """A stored or computed histogram (keys as text or numbers), bucketed at the indicator's resolution
    (stored keys are re-bucketed: the indicator's decimals may have changed since)."""
    hist: Histogram = {}
    for key, weight in (data or {}).items():
        if weight:
            add(hist, float(key), decimals, float(weight))
    return hist


def to_json(hist: Mapping[float, float], decimals: int) -> dict[str, float]:
    """Canonical stored form: keys in ascending order as fixed-point text, whole weights as integers."""
    places = resolution(decimals)
    out: dict[str, float] = {}
    for key in sorted(hist):
        weight = hist[key]
        if weight:
            out[f"{key:.{places}f}"] = int(weight) if float(weight).is_integer() else weight
    return out


def total(hist: Mapping[float, float]) -> float:
    return float(sum(hist.values()))


def median(hist: Mapping[float, float]) -> float | None:
    """The median of a weighted histogram; None when it is empty.

    With whole weights this is the textbook median of the expanded values: the middle one, or the mean of
    the two middle ones. In general it is the mean of the lower median (first value whose cumulative weight
    reaches half the total) and the upper median (first value whose cumulative weight passes half).
    """
    items = sorted((k, w) for k, w in hist.items() if w > 0)
    half = sum(w for _k, w in items) / 2
    if not half:
        return None
    lower = upper = None
    cumulative = 0.0
    for key, weight in items:
        cumulative += weight
        if lower is None and cumulative >= half:
            lower = key
        if cumulative > half:
            upper = key
            break
    assert lower is not None and upper is not None
    return (lower + upper) / 2


def of_values(values: Iterable[float], decimals: int) -> Histogram:
    hist: Histogram = {}
    for value in values:
        add(hist, value, decimals)
    return hist


def single_point(value: float, weight: float | None, decimals: int) -> Histogram:
    """The distribution assumed for a median Fact stored without one (imported as a bare value): all its
    cases at its value. ``weight`` is the Fact's denominator (the number of cases behind the median) or 1."""
    return {bucket(value, decimals): float(weight) if weight and weight > 0 else 1.0}
