"""SKM indicators: per unit and quarter (and, by roll-up, per year), from the responses of the quarter.

The IKM is not additive. A kecamatan's or the city's IKM must come from the pooled answers — nine pooled NRRs,
each Σ answers / Σ respondents who answered — never from the units' IKMs averaged. So the module publishes:

- ``skm.nrr.u1`` … ``skm.nrr.u9``: ratio indicators, numerator Σ answers, denominator respondents who answered.
  The engine's ratio-of-sums roll-up *is* the pooled NRR, exactly, at every level of the tree and for the year.
- ``skm.respondents``: sum.
- ``skm.ikm``: the unit's own IKM (25–100) exactly as the results page computes it, stored as a ratio whose
  numerator is IKM × respondents and denominator the respondents. At the unit itself the value is exact. Above
  it (kecamatan, city) and over a year the current engine can only combine it as a respondent-weighted mean of
  the IKMs below, which equals the pooled IKM whenever every respondent answered all nine elements (the common
  case) and drifts by a few hundredths when some skipped one. The exact pooled value needs a roll-up computed
  from the nine NRR roll-ups: :func:`ikm_from_nrr_rollups` is that function, ready for a "composite"
  aggregation in the engine (proposed to the lead; balai/indicators is not changed by this module).

The results page and the API never read these Facts: they aggregate the responses themselves, so what an
officer prints is exact whatever the dashboard engine does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

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
        aggregation="ratio",
        value_type="number",
        unit="/100",
        decimals=2,
        category="pelayanan publik",
        description_id=(
            "IKM unit pelayanan menurut Permenpan-RB 14/2017: rata-rata sembilan NRR × 25 (25-100). Mutu: A ≥ 88,31; "
            "B ≥ 76,61; C ≥ 65,00; D di bawahnya. Nilai kecamatan dan kota di dasbor adalah rata-rata tertimbang "
            "jumlah responden; nilai resmi (dari seluruh jawaban) ada di halaman Hasil SKM."
        ),
        description_en=(
            "IKM of the unit per Permenpan-RB 14/2017: mean of the nine NRR × 25 (25-100). Grades: A ≥ 88.31; "
            "B ≥ 76.61; C ≥ 65.00; D below. Kecamatan and city values on the dashboard are weighted by respondents; "
            "the official value (from all the answers) is on the SKM results page."
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
                yield FactValue(
                    IKM, unit_id, period.id, float(value), float(value) * result.respondents, float(result.respondents)
                )


def ikm_from_nrr_rollups(parts: Mapping[str, tuple[float | None, float | None]]) -> float | None:
    """The exact pooled IKM of a subtree and period from the roll-ups of ``skm.nrr.u1..u9``.

    ``parts`` maps each NRR indicator code to its roll-up (numerator, denominator): Σ answers and respondents
    who answered, whole numbers however far up the tree. None when an element has no answer (the IKM is
    undefined), exactly like the results page.
    """
    nrrs: list[Fraction | None] = []
    for element in ELEMENTS:
        numerator, denominator = parts.get(nrr_code(element.code), (None, None))
        if numerator is None or not denominator:
            nrrs.append(None)
            continue
        nrrs.append(ikm.nrr(round(numerator), round(denominator)))
    index = ikm.index_of(nrrs)
    return None if index is None else float(ikm.converted(index))


register(SOURCE, INDICATORS, compute)
