"""SKM indicators: per unit and quarter (and, by roll-up, per year), from the responses of the quarter.

The IKM is not additive. A kecamatan's or the city's IKM must come from the pooled answers — nine pooled NRRs,
each Σ answers / Σ respondents who answered — never from the units' IKMs averaged. So the module publishes:

- ``skm.nrr.u1`` … ``skm.nrr.u9``: ratio indicators, numerator Σ answers, denominator respondents who answered.
  The engine's ratio-of-sums roll-up *is* the pooled NRR, exactly, at every level of the tree and for the year.
- ``skm.respondents``: sum.
- ``skm.ikm``: a ``mean_of_ratios`` indicator (factor 25): each unit's Fact carries the nine (Σ answers,
  respondents who answered) pairs, and the engine adds them per element before taking 25 × the mean of the
  NRRs (balai/indicators/parts.py). A kecamatan's, the city's or a year's IKM on the dashboard is therefore the
  pooled IKM of all the answers below, rounded once like the results page: the same number as that page.

The results page and the API never read these Facts: they aggregate the responses themselves, so what an
officer prints is exact whatever the dashboard engine does.
"""

from __future__ import annotations

from collections.abc import Iterable

from balai.core.periods import Period, PeriodType
from balai.indicators.registry import FactValue, IndicatorSpec, register
from balai.skm import ikm
from balai.skm.questions import ELEMENTS

SOURCE = "skm"
IKM = "skm.ikm"
RESPONDENTS = "skm.respondents"
NRR_PREFIX = "skm.nrr."


def nrr_code(element_code: str) -> str:
    return f"{NRR_PREFIX}{element_code}"


INDICATORS = [
    IndicatorSpec(
        code=IKM,
        name_id="Indeks Kepuasan Masyarakat (IKM)",
        name_en="Community satisfaction index (IKM)",
        period_type=PeriodType.QUARTER.value,
        aggregation="mean_of_ratios",
        ratio_factor=25.0,
        value_type="number",
        unit="/100",
        decimals=2,
        category="pelayanan publik",
        public=True,
        description_id=(
            "IKM unit pelayanan menurut Permenpan-RB 14/2017: rata-rata sembilan NRR × 25 (25-100). Mutu: A ≥ 88,31; "
            "B ≥ 76,61; C ≥ 65,00; D di bawahnya. Nilai kecamatan, kota dan tahunan dihitung dari seluruh jawaban "
            "di bawahnya (NRR gabungan), sama dengan halaman Hasil SKM."
        ),
        description_en=(
            "IKM of the unit per Permenpan-RB 14/2017: mean of the nine NRR × 25 (25-100). Grades: A ≥ 88.31; "
            "B ≥ 76.61; C ≥ 65.00; D below. Kecamatan, city and yearly values come from all the answers below them "
            "(pooled NRRs), the same as the SKM results page."
        ),
        sort_order=600,
    ),
    IndicatorSpec(
        code=RESPONDENTS,
        name_id="Responden SKM",
        name_en="SKM respondents",
        period_type=PeriodType.QUARTER.value,
        aggregation="sum",
        value_type="integer",
        unit="responden",
        polarity=0,
        category="pelayanan publik",
        public=True,
        sort_order=601,
    ),
    *[
        IndicatorSpec(
            code=nrr_code(e.code),
            name_id=f"SKM {e.label} {e.name_id} (NRR)",
            name_en=f"SKM {e.label} {e.name_en} (NRR)",
            period_type=PeriodType.QUARTER.value,
            aggregation="ratio",
            value_type="number",
            unit="/4",
            decimals=2,
            category="pelayanan publik",
            sort_order=610 + e.number,
        )
        for e in ELEMENTS
    ],
]
CODES = {s.code for s in INDICATORS}


def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
    """One GROUP BY unit per quarter over the responses served in it (SUM and COUNT of each element)."""
    from balai.skm.models import SkmResponse

    wanted = set(codes)
    for period in periods:
        if period.type is not PeriodType.QUARTER:
            continue
        grouped = ikm.compute_grouped(
            SkmResponse.objects.filter(served_on__gte=period.start, served_on__lte=period.end), "unit_id"
        )
        for unit_id, result in grouped.items():
            if not result.respondents:
                continue
            if RESPONDENTS in wanted:
                yield FactValue(RESPONDENTS, unit_id, period.id, float(result.respondents))
            for score in result.elements:
                code = nrr_code(score.element.code)
                if code in wanted and score.answered:
                    yield FactValue(
                        code,
                        unit_id,
                        period.id,
                        score.total / score.answered,
                        float(score.total),
                        float(score.answered),
                    )
            value = result.ikm
            if IKM in wanted and value is not None:
                pairs = {s.element.code: [float(s.total), float(s.answered)] for s in result.elements}
                yield FactValue(IKM, unit_id, period.id, float(value), distribution=pairs)


register(SOURCE, INDICATORS, compute)
