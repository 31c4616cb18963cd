"""SKM Facts: pooled NRRs roll up exactly; the unit's IKM Fact is the results page's number."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from balai.core.periods import Period, PeriodType
from balai.indicators.models import Fact, FactRollup
from balai.indicators.services import dirty_drain, indicators_sync, module_facts_recompute
from balai.org.selectors import pemda_zone
from balai.skm import selectors
from balai.skm.indicators import IKM, RESPONDENTS, nrr_code
from balai.skm.tests.conftest import ALL_FOUR

pytestmark = pytest.mark.django_db


def _recompute() -> tuple[Period, Period]:
    today = timezone.localdate(timezone=pemda_zone())
    indicators_sync(actor=None, sources=["skm"])
    module_facts_recompute(start=today, end=today, sources=["skm"])
    dirty_drain()
    return Period.containing(today, PeriodType.QUARTER), Period.containing(today, PeriodType.YEAR)


def _rollup(code: str, unit: Any, period: Period) -> FactRollup:
    return FactRollup.objects.get(indicator__code=code, org_unit=unit, period=period.id)


def test_unit_facts_and_pooled_rollups(
    story: Any, mentaos_service: Any, komet_service: Any, respond: Callable[..., Any]
) -> None:
    respond(mentaos_service, ALL_FOUR)
    respond(mentaos_service, {**ALL_FOUR, "u9": None})
    for _i in range(3):
        respond(komet_service, {f"u{i}": 1 for i in range(1, 10)})
    quarter, year = _recompute()

    mentaos_ikm = Fact.objects.get(indicator__code=IKM, org_unit=story.mentaos, period=quarter.id)
    assert mentaos_ikm.value == 100.0
    assert _rollup(RESPONDENTS, story.kec_utara, quarter).value == 5
    # U9 pooled over the kecamatan: (4 + 1 + 1 + 1) / 4 answers; U1: (4 + 4 + 1 + 1 + 1) / 5.
    u9 = _rollup(nrr_code("u9"), story.kec_utara, quarter)
    assert (u9.numerator, u9.denominator, u9.value) == (7.0, 4.0, 1.75)
    assert _rollup(nrr_code("u1"), story.kec_utara, year).value == 11 / 5

    # The dashboard's IKM of the kecamatan, the city and the year is the pooled IKM the results page computes
    # from the responses, to the hundredth. A respondent-weighted mean of the units' IKMs would not be: the
    # second Mentaos respondent skipped U9 (weighted mean 100 × 2/5 + 25 × 3/5 = 55.00; pooled
    # (8 × 11/5 + 7/4) / 9 × 25 = 53.75).
    for unit in (story.kec_utara, story.root):
        for period in (quarter, year):
            page = selectors.result(selectors.Selection(unit=unit, service=None, period=period))
            rollup = _rollup(IKM, unit, period)
            assert page.ikm is not None
            assert Decimal(f"{rollup.value:.2f}") == page.ikm, (unit, period)
    assert _rollup(IKM, story.kec_utara, quarter).value == 53.75
    assert _rollup(IKM, story.mentaos, quarter).value == 100.0


def test_unit_with_an_unanswered_element_has_no_ikm_fact(
    story: Any, mentaos_service: Any, respond: Callable[..., Any]
) -> None:
    respond(mentaos_service, {**ALL_FOUR, "u4": None})
    quarter, _year = _recompute()
    assert not Fact.objects.filter(indicator__code=IKM, org_unit=story.mentaos).exists()
    assert not Fact.objects.filter(indicator__code=nrr_code("u4")).exists()
    assert Fact.objects.get(indicator__code=nrr_code("u1"), org_unit=story.mentaos, period=quarter.id).value == 4.0


def test_an_answer_reaches_the_dashboard_without_waiting_for_the_night(
    story: Any, mentaos_service: Any, respond: Callable[..., Any]
) -> None:
    """The answer marks its quarter dirty; the worker's next drain recomputes the Facts and the roll-ups."""
    from balai.indicators.models import DirtyPeriod

    indicators_sync(actor=None, sources=["skm"])
    quarter = Period.containing(timezone.localdate(timezone=pemda_zone()), PeriodType.QUARTER)
    respond(mentaos_service, ALL_FOUR)
    assert DirtyPeriod.objects.filter(indicator__code=IKM, period=quarter.id).exists()
    dirty_drain()
    assert _rollup(IKM, story.root, quarter).value == 100.0
    respond(mentaos_service, {f"u{i}": 1 for i in range(1, 10)})
    dirty_drain()
    assert _rollup(IKM, story.root, quarter).value == 62.5
