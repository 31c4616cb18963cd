"""Roll-ups: Facts aggregated over the org tree and over coarser periods, by each aggregation."""

from __future__ import annotations

from typing import Any

import pytest

from balai.core.testing import Story
from balai.indicators.models import DirtyPeriod, Fact, FactRollup
from balai.indicators.services import dirty_drain, facts_import, rollups_recompute
from balai.indicators.tests.conftest import SpineIndicators
from balai.org import services as org
from balai.org.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


ROOT, UTARA, SELATAN = "63.72", "63.72.04", "63.72.05"
LOKTABAT_UTARA, MENTAOS, KOMET = "63.72.04.1001", "63.72.04.1002", "63.72.04.1003"
SUNGAI_BESAR, KEMUNING = "63.72.05.1001", "63.72.05.1003"


def _load(code: str, rows: list[tuple[Any, ...]]) -> None:
    values = []
    for row in rows:
        unit, period, value = row[:3]
        extra = row[3] if len(row) > 3 else {}
        values.append({"dataElement": code, "orgUnit": unit, "period": period, "value": value, **extra})
    summary = facts_import(actor=None, rows=values)
    assert summary.conflicts == [], summary.conflicts
    dirty_drain()


def _rollups(code: str, period: str) -> dict[str, float]:
    return dict(FactRollup.objects.filter(indicator__code=code, period=period).values_list("org_unit__code", "value"))


def _value(code: str, unit: str, period: str) -> float | None:
    return _rollups(code, period).get(unit)


# ----------------------------------------------------------------------------------------- sum
def test_sum_rolls_up_the_tree(spine: SpineIndicators) -> None:
    _load(
        "test.visits",
        [
            (MENTAOS, "202601", 12),
            (KOMET, "202601", 8),
            (LOKTABAT_UTARA, "202601", 5),
            (SUNGAI_BESAR, "202601", 7),
            ("DINKES", "202601", 100),
        ],
    )
    assert _rollups("test.visits", "202601") == {
        MENTAOS: 12.0,
        KOMET: 8.0,
        LOKTABAT_UTARA: 5.0,
        UTARA: 25.0,
        SUNGAI_BESAR: 7.0,
        SELATAN: 7.0,
        "DINKES": 100.0,
        ROOT: 132.0,
    }
    root = FactRollup.objects.get(indicator=spine.visits, org_unit__code=ROOT, period="202601")
    assert (root.fact_count, root.period_type, str(root.period_start), root.numerator) == (
        5,
        "month",
        "2026-01-01",
        None,
    )


def test_sum_of_a_monthly_indicator_per_quarter_semester_and_year(spine: SpineIndicators) -> None:
    _load(
        "test.visits",
        [
            (MENTAOS, "202601", 12),
            (MENTAOS, "202602", 15),
            (KOMET, "202603", 8),
            (MENTAOS, "202604", 1),
            (KOMET, "202612", 2),
        ],
    )
    assert _rollups("test.visits", "2026Q1") == {MENTAOS: 27.0, KOMET: 8.0, UTARA: 35.0, ROOT: 35.0}
    assert _rollups("test.visits", "2026Q2") == {MENTAOS: 1.0, UTARA: 1.0, ROOT: 1.0}
    assert _rollups("test.visits", "2026Q4") == {KOMET: 2.0, UTARA: 2.0, ROOT: 2.0}
    assert _value("test.visits", ROOT, "2026S1") == 36.0
    assert _value("test.visits", ROOT, "2026S2") == 2.0
    assert _rollups("test.visits", "2026") == {MENTAOS: 28.0, KOMET: 10.0, UTARA: 38.0, ROOT: 38.0}
    assert _rollups("test.visits", "2026Q3") == {}
    assert FactRollup.objects.get(indicator=spine.visits, org_unit__code=ROOT, period="2026").fact_count == 5


# ------------------------------------------------------------------------------------- average
def test_average_is_the_mean_of_the_facts_below(spine: SpineIndicators) -> None:
    _load(
        "test.satisfaction",
        [(MENTAOS, "202601", 3.0), (KOMET, "202601", 4.0), (SUNGAI_BESAR, "202601", 2.0), (MENTAOS, "202602", 5.0)],
    )
    assert _rollups("test.satisfaction", "202601") == {
        MENTAOS: 3.0,
        KOMET: 4.0,
        UTARA: 3.5,
        SUNGAI_BESAR: 2.0,
        SELATAN: 2.0,
        ROOT: 3.0,
    }
    assert _rollups("test.satisfaction", "2026Q1") == {
        MENTAOS: 4.0,
        KOMET: 4.0,
        UTARA: 4.0,
        SUNGAI_BESAR: 2.0,
        SELATAN: 2.0,
        ROOT: 3.5,
    }


# --------------------------------------------------------------------------------------- ratio
def test_ratio_is_the_ratio_of_sums(spine: SpineIndicators) -> None:
    _load(
        "test.coverage",
        [
            (MENTAOS, "202601", 90, {"numerator": 45, "denominator": 50}),
            (KOMET, "202601", 20, {"numerator": 10, "denominator": 50}),
            (MENTAOS, "202602", 50, {"numerator": 25, "denominator": 50}),
        ],
    )
    jan = FactRollup.objects.get(indicator=spine.coverage, org_unit__code=UTARA, period="202601")
    assert (jan.value, jan.numerator, jan.denominator) == (pytest.approx(55.0), 55.0, 100.0)
    assert _value("test.coverage", ROOT, "202601") == pytest.approx(55.0)
    # Q1: (45 + 10 + 25) / (50 + 50 + 50) x 100, not the mean of 90, 20 and 50.
    assert _value("test.coverage", UTARA, "2026Q1") == pytest.approx(80 / 150 * 100)
    assert _value("test.coverage", MENTAOS, "2026Q1") == pytest.approx(70.0)


def test_ratio_sent_as_bare_values_rolls_up_as_their_mean(spine: SpineIndicators) -> None:
    _load("test.coverage", [(SUNGAI_BESAR, "202601", 80), (KEMUNING, "202601", 60)])
    assert _value("test.coverage", SELATAN, "202601") == pytest.approx(70.0)
    assert _value("test.coverage", SUNGAI_BESAR, "202601") == pytest.approx(80.0)
    fact = Fact.objects.get(org_unit__code=SUNGAI_BESAR)
    assert (fact.value, fact.numerator, fact.denominator) == (80.0, 0.8, 1.0)


def test_ratio_mixing_counts_and_bare_values(spine: SpineIndicators) -> None:
    _load(
        "test.coverage", [(MENTAOS, "202601", 90, {"numerator": 45, "denominator": 50}), (SUNGAI_BESAR, "202601", 80)]
    )
    assert _value("test.coverage", ROOT, "202601") == pytest.approx(45.8 / 51 * 100)


# ---------------------------------------------------------------------------------------- last
def test_last_takes_the_latest_month_per_unit_and_sums_units(spine: SpineIndicators) -> None:
    _load(
        "test.stock",
        [
            (MENTAOS, "202601", 10),
            (MENTAOS, "202602", 12),
            (MENTAOS, "202603", 9),
            (KOMET, "202601", 5),
            (KOMET, "202602", 6),
        ],
    )
    assert _rollups("test.stock", "202602") == {MENTAOS: 12.0, KOMET: 6.0, UTARA: 18.0, ROOT: 18.0}
    # Q1: Mentaos' March and Komet's February (its latest), summed across units.
    assert _rollups("test.stock", "2026Q1") == {MENTAOS: 9.0, KOMET: 6.0, UTARA: 15.0, ROOT: 15.0}
    assert _rollups("test.stock", "2026") == {MENTAOS: 9.0, KOMET: 6.0, UTARA: 15.0, ROOT: 15.0}


# ------------------------------------------------------------------------------- weeks and days
def test_weekly_facts_fall_into_the_month_of_their_thursday(spine: SpineIndicators) -> None:
    _load(
        "test.weekly_cases",
        [
            (MENTAOS, "2026W01", 1),  # Mon 29 Dec 2025, Thu 1 Jan 2026 → January
            (MENTAOS, "2026W05", 2),  # Mon 26 Jan, Thu 29 Jan → January
            (MENTAOS, "2026W06", 4),  # Mon 2 Feb → February
            (KOMET, "2026W14", 8),  # Mon 30 Mar, Thu 2 Apr → April (and Q2)
        ],
    )
    assert _rollups("test.weekly_cases", "2026W01") == {MENTAOS: 1.0, UTARA: 1.0, ROOT: 1.0}
    assert _rollups("test.weekly_cases", "202601") == {MENTAOS: 3.0, UTARA: 3.0, ROOT: 3.0}
    assert _rollups("test.weekly_cases", "202602") == {MENTAOS: 4.0, UTARA: 4.0, ROOT: 4.0}
    assert _rollups("test.weekly_cases", "202603") == {}
    assert _rollups("test.weekly_cases", "202604") == {KOMET: 8.0, UTARA: 8.0, ROOT: 8.0}
    assert _value("test.weekly_cases", ROOT, "2026Q1") == 7.0
    assert _value("test.weekly_cases", ROOT, "2026Q2") == 8.0
    assert _value("test.weekly_cases", ROOT, "2026") == 15.0
    assert _rollups("test.weekly_cases", "202512") == {}
    assert _rollups("test.weekly_cases", "2025") == {}


def test_daily_facts_roll_into_weeks_months_and_years(spine: SpineIndicators) -> None:
    _load("test.daily_queue", [(MENTAOS, "20251231", 3), (MENTAOS, "20260101", 4), (KOMET, "20260105", 5)])
    assert _value("test.daily_queue", MENTAOS, "2026W01") == 7.0  # Wed 31 Dec and Thu 1 Jan share ISO week 1
    assert _value("test.daily_queue", ROOT, "2026W02") == 5.0
    assert _value("test.daily_queue", ROOT, "202512") == 3.0
    assert _value("test.daily_queue", ROOT, "202601") == 9.0
    assert _value("test.daily_queue", ROOT, "2025") == 3.0
    assert _value("test.daily_queue", ROOT, "2026") == 9.0
    assert _value("test.daily_queue", UTARA, "20260101") == 4.0


# ------------------------------------------------------------------------------ dirty queue
def test_dirty_drain_empties_the_queue_and_rebuilds_on_change(spine: SpineIndicators) -> None:
    facts_import(actor=None, rows=[{"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202601", "value": 1}])
    assert DirtyPeriod.objects.count() == 1
    written = dirty_drain()
    # 202601, 2026Q1, 2026S1 and 2026, each for Mentaos, Banjarbaru Utara and the root.
    assert written == 12
    assert not DirtyPeriod.objects.exists()
    assert dirty_drain() == 0
    facts_import(actor=None, rows=[{"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202601", "value": 6}])
    dirty_drain()
    assert _value("test.visits", ROOT, "2026") == 6.0


def test_deleting_the_last_fact_removes_its_rollups(spine: SpineIndicators) -> None:
    _load("test.visits", [(MENTAOS, "202601", 12)])
    facts_import(
        actor=None, strategy="DELETE", rows=[{"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202601"}]
    )
    dirty_drain()
    assert not FactRollup.objects.filter(indicator=spine.visits).exists()


def test_rollups_recompute_ignores_unknown_indicators_and_finer_periods(spine: SpineIndicators) -> None:
    _load("test.visits", [(MENTAOS, "202601", 12)])
    assert rollups_recompute(pairs=[(999999, "202601")]) == 0
    # A day period of a monthly indicator is finer than its type: nothing to build for it.
    assert rollups_recompute(pairs=[(spine.visits.pk, "20260115")]) == 12
    assert not FactRollup.objects.filter(period__in=["20260115", "2026W03"]).exists()


def test_a_failed_rebuild_puts_the_pairs_back_on_the_queue(spine: SpineIndicators, monkeypatch: Any) -> None:
    facts_import(actor=None, rows=[{"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202601", "value": 1}])

    def boom(**kwargs: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("balai.indicators.services.rollups_recompute", boom)
    with pytest.raises(RuntimeError):
        dirty_drain()
    assert list(DirtyPeriod.objects.values_list("period", flat=True)) == ["202601"]


def test_moving_a_kelurahan_rebuilds_the_rollups_of_both_kecamatan(story: Story, spine: SpineIndicators) -> None:
    # BUG (balai/org/services.py orgunit_move): the move does not mark the moved subtree's Facts dirty,
    # so the old kecamatan keeps counting Mentaos and the new one never sees it, until the next change.
    _load("test.visits", [(MENTAOS, "202601", 12), (KOMET, "202601", 8), (SUNGAI_BESAR, "202601", 7)])
    org.orgunit_move(actor=None, unit=story.mentaos, new_parent=OrgUnit.objects.get(code=SELATAN))
    dirty_drain()
    assert _rollups("test.visits", "202601") == {
        MENTAOS: 12.0,
        KOMET: 8.0,
        UTARA: 8.0,
        SUNGAI_BESAR: 7.0,
        SELATAN: 19.0,
        ROOT: 27.0,
    }


def test_last_ratio_takes_the_latest_month_and_the_ratio_of_sums_across_units(story: Story) -> None:
    """A cumulative rate (budget realised since January): the quarter is its last month, units pool."""
    from balai.indicators.models import Indicator

    Indicator.objects.create(
        code="test.realisation",
        name_id="r",
        name_en="r",
        period_type="month",
        aggregation="last_ratio",
        value_type="percentage",
        ratio_factor=100.0,
    )
    rows = [
        # Diskominfo: ceiling 200, realised 20 by January, 60 by March.
        {
            "dataElement": "test.realisation",
            "period": "202601",
            "orgUnit": "DISKOMINFO",
            "value": "10",
            "numerator": 20,
            "denominator": 200,
        },
        {
            "dataElement": "test.realisation",
            "period": "202603",
            "orgUnit": "DISKOMINFO",
            "value": "30",
            "numerator": 60,
            "denominator": 200,
        },
        # Dinkes: ceiling 800, realised 200 by February (no March report yet).
        {
            "dataElement": "test.realisation",
            "period": "202602",
            "orgUnit": "DINKES",
            "value": "25",
            "numerator": 200,
            "denominator": 800,
        },
    ]
    summary = facts_import(actor=None, rows=rows)
    assert summary.imported == 3
    dirty_drain()
    q1 = FactRollup.objects.get(indicator__code="test.realisation", org_unit=story.root, period="2026Q1")
    assert (q1.numerator, q1.denominator, q1.value) == (260.0, 1000.0, 26.0)
    march = FactRollup.objects.get(indicator__code="test.realisation", org_unit=story.diskominfo, period="202603")
    assert march.value == 30.0
