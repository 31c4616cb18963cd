"""Parts behind ``mean_of_ratios`` indicators: an index that is the mean of several pooled ratios.

The SKM index (IKM) is the mean of nine NRRs, each Σ answers / respondents who answered that element. It is
not additive, and a respondent-weighted mean of the units' indices is not the pooled index when some
respondents skipped an element. So a Fact of such an indicator carries its parts, ``{part: [numerator,
denominator]}`` in ``distribution``; a roll-up adds the numerators and denominators of each part over the
Facts below it and only then takes ``factor × mean(numerator / denominator)``. That is the pooled value at
every level of the tree and for any period, exactly.

The value is undefined (nothing stored) when a part has no denominator anywhere below, as the regulation's
index is undefined when an element has no answer. It is computed in fractions and rounded half up once, at
the end, to the indicator's decimals (as a clerk rounds, and as the SKM results page does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

Parts = dict[str, list[float]]


def from_json(data: Mapping[str, Any] | None) -> Parts:
    """Stored or computed parts as ``{part: [numerator, denominator]}``; malformed entries are dropped."""
    out: Parts = {}
    for key, pair in (data or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            out[str(key)] = [float(pair[0] or 0.0), float(pair[1] or 0.0)]
    return out


def merge(into: Parts, other: Mapping[str, list[float]]) -> None:
    for key, (numerator, denominator) in other.items():
        pair = into.get(key)
        if pair is None:
            into[key] = [numerator, denominator]
        else:
            pair[0] += numerator
            pair[1] += denominator


def to_json(parts: Mapping[str, list[float]]) -> dict[str, list[float]]:
    """Canonical stored form: parts in key order, whole numbers as integers (two computations compare equal)."""
    return {key: [_whole(n), _whole(d)] for key, (n, d) in sorted(parts.items())}


def _whole(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def mean_of_ratios(parts: Mapping[str, list[float]], factor: float, decimals: int) -> float | None:
    """``factor × mean(numerator / denominator)`` over the parts, rounded half up; None if a part is empty."""
    if not parts or any(d <= 0 for _n, d in parts.values()):
        return None
    mean = sum((Fraction(n) / Fraction(d) for n, d in parts.values()), Fraction(0)) / len(parts)
    scale = 10 ** max(0, int(decimals))
    return math.floor(mean * Fraction(factor) * scale + Fraction(1, 2)) / scale
