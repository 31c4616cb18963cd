"""The Indeks Kepuasan Masyarakat exactly as Permenpan-RB 14/2017 computes it.

- NRR per element = Σ answers to the element / number of respondents who answered it.
- IKM (scale 1–4) = Σ NRR × 1/9, with the exact 1/9 (the regulation's worked example rounds it to 0.111,
  which shifts a unit's result by up to 0.03 points and can move it across a grade boundary).
- IKM unit (25–100) = IKM × 25, rounded once, at the end, to 2 decimals (half up, as a clerk rounds).
- Grade on the converted value: ≥ 88.31 A Sangat Baik, ≥ 76.61 B Baik, ≥ 65.00 C Kurang Baik, else D.

Everything is computed in :class:`fractions.Fraction`: no float ever touches an NRR or the index.

An element nobody answered has no NRR, and the regulation's index is the mean of nine NRRs: with one missing it
is undefined. Dropping the element (a mean of eight) or counting it as zero would both print a number the
regulation does not define, so the result is "not enough data" (``ikm`` is None) until every element has at
least one answer. A respondent may skip an element: the element's NRR is over those who answered it.

The database does the counting: :func:`aggregates` is one SQL aggregation (SUM and COUNT of each element,
and the profile counts as conditional COUNTs), so a unit-year of a million responses is one query, not a loop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from balai.skm.choices import PROFILE_FIELDS, Grade
from balai.skm.questions import ELEMENTS, Element

ONE_NINTH = Fraction(1, 9)
CONVERSION = 25
#: Lower bounds of the grades on the converted value, best first (Permenpan-RB 14/2017, Lampiran).
GRADE_BOUNDS: tuple[tuple[Decimal, Grade], ...] = (
    (Decimal("88.31"), Grade.A),
    (Decimal("76.61"), Grade.B),
    (Decimal("65.00"), Grade.C),
)
# Krejcie–Morgan with χ² = 3.841 (1 degree of freedom, 95 %), P = 0.5 and d = 0.05, as exact fractions.
_CHI2 = Fraction("3.841")
_P_Q = Fraction(1, 4)
_D2 = Fraction("0.0025")


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, exactly (no binary float on the way)."""
    scale = 10**places
    scaled = math.floor(value * scale + Fraction(1, 2))
    return (Decimal(scaled) / scale).quantize(Decimal(1).scaleb(-places))


def nrr(total: int, answered: int) -> Fraction | None:
    """Nilai rata-rata of an element: Σ answers / respondents who answered it; None when nobody did."""
    if answered <= 0:
        return None
    return Fraction(int(total), int(answered))


def index_of(nrrs: Sequence[Fraction | None]) -> Fraction | None:
    """IKM on the 1–4 scale: Σ NRR × 1/9 over all nine elements; None when any NRR is missing."""
    if len(nrrs) != len(ELEMENTS) or any(v is None for v in nrrs):
        return None
    return sum((v * ONE_NINTH for v in nrrs if v is not None), Fraction(0))


def converted(index: Fraction) -> Decimal:
    """IKM unit pelayanan: the index × 25, rounded only now, to 2 decimals."""
    return round_half_up(index * CONVERSION, 2)


def grade_of(value: Decimal) -> Grade:
    """Mutu pelayanan of a converted IKM (25.00–100.00)."""
    for bound, grade in GRADE_BOUNDS:
        if value >= bound:
            return grade
    return Grade.D


def krejcie_morgan(population: int) -> int:
    """Minimum sample S = χ²·N·P(1−P) / (d²·(N−1) + χ²·P(1−P)), rounded up; 0 for an empty population."""
    n = int(population)
    if n <= 0:
        return 0
    sample = _CHI2 * n * _P_Q / (_D2 * (n - 1) + _CHI2 * _P_Q)
    return math.ceil(sample)


@dataclass(frozen=True)
class ElementScore:
    element: Element
    total: int
    answered: int

    @property
    def nrr(self) -> Fraction | None:
        return nrr(self.total, self.answered)

    @property
    def weighted(self) -> Fraction | None:
        """NRR tertimbang: NRR × 1/9 (the regulation's table prints it beside the NRR)."""
        value = self.nrr
        return None if value is None else value * ONE_NINTH

    def nrr_display(self, places: int = 2) -> Decimal | None:
        value = self.nrr
        return None if value is None else round_half_up(value, places)

    def weighted_display(self, places: int = 3) -> Decimal | None:
        value = self.weighted
        return None if value is None else round_half_up(value, places)


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    elements: tuple[ElementScore, ...]
    #: Service users in the period (ServiceEvents): the population N of the Krejcie–Morgan minimum.
    population: int | None = None
    #: {"sex": {"L": 12, "P": 9, "": 1}, ...}: "" counts respondents who left the question blank.
    profile: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def missing_elements(self) -> list[Element]:
        return [s.element for s in self.elements if s.answered == 0]

    @property
    def index(self) -> Fraction | None:
        if not self.respondents:
            return None
        return index_of([s.nrr for s in self.elements])

    @property
    def index_display(self) -> Decimal | None:
        """The IKM on the 1–4 scale as the report prints it (Σ NRR tertimbang), to 3 decimals."""
        value = self.index
        return None if value is None else round_half_up(value, 3)

    @property
    def ikm(self) -> Decimal | None:
        value = self.index
        return None if value is None else converted(value)

    @property
    def grade(self) -> Grade | None:
        value = self.ikm
        return None if value is None else grade_of(value)

    @property
    def is_defined(self) -> bool:
        return self.ikm is not None

    @property
    def minimum_sample(self) -> int | None:
        return None if self.population is None else krejcie_morgan(self.population)

    @property
    def sample_met(self) -> bool | None:
        minimum = self.minimum_sample
        return None if minimum is None else self.respondents >= minimum


# ------------------------------------------------------------------------------------------------ SQL
def _profile_key(name: str, value: str) -> str:
    return f"p_{name}_{value or 'none'}"


def aggregates(*, with_profile: bool = True) -> dict[str, Any]:
    """The aggregate expressions of one SQL pass: respondents, SUM and COUNT per element, profile counts.

    ``COUNT(u1)`` counts the non-null answers, i.e. the respondents who answered U1, which is the NRR's
    denominator; ``SUM(u1)`` ignores the nulls the same way.
    """
    out: dict[str, Any] = {"respondents": Count("pk")}
    for element in ELEMENTS:
        out[f"{element.code}_sum"] = Sum(element.code)
        out[f"{element.code}_n"] = Count(element.code)
    if with_profile:
        for name, choices in PROFILE_FIELDS.items():
            for value in [*choices.values, ""]:
                out[_profile_key(name, value)] = Count("pk", filter=Q(**{name: value}))
    return out


def result_from_row(row: Mapping[str, Any], *, population: int | None = None) -> IkmResult:
    """An :class:`IkmResult` from one row of :func:`aggregates` (a dict from ``aggregate`` or ``values``)."""
    elements = tuple(
        ElementScore(e, int(row.get(f"{e.code}_sum") or 0), int(row.get(f"{e.code}_n") or 0)) for e in ELEMENTS
    )
    profile: dict[str, dict[str, int]] = {}
    for name, choices in PROFILE_FIELDS.items():
        counts = {value: int(row.get(_profile_key(name, value)) or 0) for value in [*choices.values, ""]}
        if any(_profile_key(name, v) in row for v in counts):
            profile[name] = counts
    return IkmResult(
        respondents=int(row.get("respondents") or 0), elements=elements, population=population, profile=profile
    )


def compute(responses: QuerySet[Any], *, population: int | None = None, with_profile: bool = True) -> IkmResult:
    """The IKM of a set of responses (pooled), in one SQL aggregation."""
    row = responses.order_by().aggregate(**aggregates(with_profile=with_profile))
    return result_from_row(row, population=population)


def compute_grouped(responses: QuerySet[Any], by: str) -> dict[Any, IkmResult]:
    """One IKM per value of ``by`` (e.g. "unit_id", "service_id"), all in one GROUP BY query."""
    rows = responses.order_by().values(by).annotate(**aggregates(with_profile=False))
    return {row[by]: result_from_row(row) for row in rows}
