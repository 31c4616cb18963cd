"""Median indicators: histograms on Facts, merged over the tree and over coarser periods.

The reference everywhere is a brute-force median over the raw values of the subtree and period, bucketed at
the indicator's resolution: what a roll-up must give whatever way the values were split across Facts.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from balai.core.periods import Period, PeriodType
from balai.core.testing import Story
from balai.indicators import distribution, registry
from balai.indicators.models import Fact, FactRollup, Indicator
from balai.indicators.registry import FactValue, IndicatorSpec
from balai.indicators.services import (
    dirty_drain,
    facts_import,
    indicators_sync,
    module_facts_recompute,
    rollups_recompute,
)
from balai.org.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


ROOT, UTARA, SELATAN = "63.72", "63.72.04", "63.72.05"
LOKTABAT_UTARA, MENTAOS, KOMET = "63.72.04.1001", "63.72.04.1002", "63.72.04.1003"
SUNGAI_BESAR, KEMUNING = "63.72.05.1001", "63.72.05.1003"
KELURAHAN = [LOKTABAT_UTARA, MENTAOS, KOMET, SUNGAI_BESAR, KEMUNING]


def _median_indicator(code: str = "test.days_median", **kw: Any) -> Indicator:
    kw.setdefault("period_type", "day")
    kw.setdefault("decimals", 1)
    kw.setdefault("source", "test")
    return Indicator.objects.create(
        code=code, name_id=code, name_en=code, aggregation="median", value_type="number", **kw
    )


def _brute_median(values: Iterable[float], decimals: int) -> float | None:
    bucketed = [distribution.bucket(v, decimals) for v in values]
    return statistics.median(bucketed) if bucketed else None


# --------------------------------------------------------------------------------- the histogram
@pytest.mark.parametrize(
    "values",
    [
        [4.0],
        [1.0, 9.0],
        [3.0, 1.0, 2.0],
        [5.0, 5.0, 5.0, 5.0],  # all tied
        [1.0, 2.0, 2.0, 2.0, 7.0, 9.0],  # the tie straddles the middle
        [1.0, 1.0, 8.0, 8.0],  # even count, two tied halves: the mean of the middle pair
        [0.0, 0.0, 0.0, 30.0],
        [2.25, 2.35, 0.05, 61.0, 14.0],  # off-grid values land in their 0.1 bucket
    ],
)
def test_histogram_median_is_the_textbook_median(values: list[float]) -> None:
    hist = distribution.of_values(values, 1)
    assert distribution.median(hist) == pytest.approx(_brute_median(values, 1))
    assert distribution.total(hist) == len(values)


def test_empty_histogram_has_no_median() -> None:
    assert distribution.median({}) is None
    assert distribution.median({3.0: 0.0}) is None


def test_fractional_weights_take_the_weighted_median() -> None:
    # 2.5 cases at 1, 1.5 cases at 4: more than half the weight sits at 1.
    assert distribution.median({1.0: 2.5, 4.0: 1.5}) == 1.0
    # Exactly half on each side: the mean of the two, as with whole counts.
    assert distribution.median({1.0: 1.5, 4.0: 1.5}) == 2.5


def test_stored_form_is_canonical_and_rebuckets_on_read() -> None:
    hist = distribution.of_values([0.04, -0.04, 2.0, 2.01, 12.0], 1)
    stored = distribution.to_json(hist, 1)
    assert stored == {"0.0": 2, "2.0": 2, "12.0": 1}
    assert list(stored) == ["0.0", "2.0", "12.0"]
    assert distribution.from_json(stored, 1) == {0.0: 2.0, 2.0: 2.0, 12.0: 1.0}
    # The indicator now shows whole days: the stored 0.1-day buckets fold into whole-day ones.
    assert distribution.from_json({"0.4": 1, "0.6": 2, "1.4": 1}, 0) == {0.0: 1.0, 1.0: 3.0}


# ------------------------------------------------------------------------- roll-up vs brute force
def _raw_values(story: Story) -> dict[tuple[str, str], list[float]]:
    """Random durations per (kelurahan, day) over six weeks that cross a month and a quarter boundary.

    Small integer-ish ranges make ties common; some unit-days are empty; one unit-day holds a single case.
    """
    rng = random.Random(20260331)
    first = dt.date(2026, 3, 10)
    raw: dict[tuple[str, str], list[float]] = {}
    for offset in range(42):
        day = Period.containing(first + dt.timedelta(days=offset), PeriodType.DAY).id
        for code in KELURAHAN:
            if rng.random() < 0.3:
                continue
            n = rng.choice([1, 2, 3, 5, 8])
            raw[(code, day)] = [round(rng.choice([0.5, 1, 2, 3, 7, 14.2, 60]) * rng.random() * 2, 2) for _ in range(n)]
    raw[(MENTAOS, "20260401")] = [3.0]
    return raw


def _write_facts(indicator: Indicator, raw: dict[tuple[str, str], list[float]]) -> None:
    units = dict(OrgUnit.objects.values_list("code", "id"))
    now = dt.datetime.now(dt.UTC)
    facts = []
    for (code, day), values in raw.items():
        hist = distribution.of_values(values, indicator.decimals)
        middle = distribution.median(hist)
        assert middle is not None
        facts.append(
            Fact(
                indicator=indicator,
                org_unit_id=units[code],
                period=day,
                period_start=Period.parse(day).start,
                value=middle,
                denominator=distribution.total(hist),
                distribution=distribution.to_json(hist, indicator.decimals),
                source="module:test",
                updated_at=now,
            )
        )
    Fact.objects.bulk_create(facts)


def test_rollups_over_subtrees_and_periods_equal_the_brute_force_median(story: Story) -> None:
    indicator = _median_indicator()
    raw = _raw_values(story)
    _write_facts(indicator, raw)
    rollups_recompute(pairs={(indicator.pk, day) for _code, day in raw})

    paths = dict(OrgUnit.objects.values_list("code", "path"))
    periods = {q for _c, day in raw for q in (Period.parse(day), *Period.parse(day).parents())}
    expected: dict[tuple[str, str], tuple[float | None, int, int]] = {}
    for period in periods:
        for unit in (ROOT, UTARA, SELATAN, *KELURAHAN):
            inside = [
                (code, values)
                for (code, day), values in raw.items()
                if paths[code].startswith(paths[unit]) and period in (Period.parse(day), *Period.parse(day).parents())
            ]
            if inside:
                everything = [v for _code, values in inside for v in values]
                expected[(unit, period.id)] = (_brute_median(everything, 1), len(everything), len(inside))

    got = {
        (r.org_unit.code, r.period): r
        for r in FactRollup.objects.filter(indicator=indicator).select_related("org_unit")
    }
    assert set(got) == set(expected)
    for key, (median, cases, fact_count) in expected.items():
        row = got[key]
        assert row.value == pytest.approx(median), key
        assert (row.denominator, row.numerator, row.fact_count) == (cases, None, fact_count), key
        assert distribution.total(distribution.from_json(row.distribution, 1)) == cases
    # The kinds of period the dashboard reads are all there: a week, both months, both quarters, the year.
    assert {"2026W14", "202603", "202604", "2026Q1", "2026Q2", "2026S1", "2026"} <= {p for _u, p in got}
    # A unit-day with one case is its own median, and so is its kelurahan's week if nothing else happened.
    assert got[(MENTAOS, "20260401")].value == pytest.approx(_brute_median(raw[(MENTAOS, "20260401")], 1))


def test_the_median_of_a_parent_is_not_the_median_of_the_child_medians(story: Story) -> None:
    indicator = _median_indicator(period_type="month")
    raw = {(MENTAOS, "202601"): [1.0, 1.0, 1.0], (KOMET, "202601"): [9.0, 9.0], (LOKTABAT_UTARA, "202601"): [10.0]}
    _write_facts(indicator, raw)
    rollups_recompute(pairs={(indicator.pk, "202601")})
    # Child medians 1, 9, 10 would give 9; the six cases 1,1,1,9,9,10 give 5.
    assert FactRollup.objects.get(indicator=indicator, org_unit__code=UTARA, period="202601").value == 5.0


def test_no_facts_or_empty_histograms_give_no_rollup(story: Story) -> None:
    indicator = _median_indicator(period_type="month")
    rollups_recompute(pairs={(indicator.pk, "202601")})
    assert not FactRollup.objects.filter(indicator=indicator).exists()
    Fact.objects.create(
        indicator=indicator,
        org_unit=story.mentaos,
        period="202601",
        period_start=dt.date(2026, 1, 1),
        value=0.0,
        distribution={},
        updated_at=dt.datetime.now(dt.UTC),
    )
    rollups_recompute(pairs={(indicator.pk, "202601")})
    assert not FactRollup.objects.filter(indicator=indicator).exists()


# ------------------------------------------------------------------------------------ imports
def test_an_imported_median_rolls_up_as_its_cases_at_its_value(story: Story) -> None:
    """No histogram travels with a DHIS2 value: the median counts as `denominator` cases (or 1) at its value."""
    _median_indicator("ext.wait_days_median", period_type="month", source="external")
    rows: list[dict[str, Any]] = [
        {"dataElement": "ext.wait_days_median", "orgUnit": MENTAOS, "period": "202601", "value": 2, "denominator": 3},
        {"dataElement": "ext.wait_days_median", "orgUnit": KOMET, "period": "202601", "value": 10, "denominator": 1},
        {"dataElement": "ext.wait_days_median", "orgUnit": LOKTABAT_UTARA, "period": "202601", "value": "5.5"},
        {"dataElement": "ext.wait_days_median", "orgUnit": SUNGAI_BESAR, "period": "202601", "value": 8},
    ]
    summary = facts_import(actor=None, rows=rows)
    assert (summary.imported, summary.conflicts) == (4, [])
    dirty_drain()
    values = dict(
        FactRollup.objects.filter(indicator__code="ext.wait_days_median", period="202601").values_list(
            "org_unit__code", "value"
        )
    )
    # Utara: 2, 2, 2, 5.5, 10 → 2; the city adds 8 → 2,2,2,5.5,8,10 → 3.75.
    assert values == {
        MENTAOS: 2.0,
        KOMET: 10.0,
        LOKTABAT_UTARA: 5.5,
        SUNGAI_BESAR: 8.0,
        UTARA: 2.0,
        SELATAN: 8.0,
        ROOT: 3.75,
    }
    root = FactRollup.objects.get(indicator__code="ext.wait_days_median", org_unit__code=ROOT, period="202601")
    assert (root.value, root.denominator, root.distribution) == (3.75, 6.0, {"2.0": 3, "5.5": 1, "8.0": 1, "10.0": 1})
    assert Fact.objects.filter(indicator__code="ext.wait_days_median", distribution__isnull=False).count() == 0


def test_an_imported_median_needs_a_positive_number_of_cases(story: Story) -> None:
    _median_indicator("ext.wait_days_median", period_type="month", source="external")
    row = {"dataElement": "ext.wait_days_median", "orgUnit": MENTAOS, "period": "202601", "value": 2, "denominator": 0}
    summary = facts_import(actor=None, rows=[row])
    assert summary.imported == 0
    assert "number of cases behind the median" in summary.conflicts[0].value


def test_a_module_median_cannot_be_imported_and_a_system_import_drops_its_histogram(story: Story) -> None:
    indicator = _median_indicator("test.module_median", period_type="month", source="complaints")
    fact = Fact.objects.create(
        indicator=indicator,
        org_unit=story.mentaos,
        period="202601",
        period_start=dt.date(2026, 1, 1),
        value=2.0,
        denominator=3.0,
        distribution={"1.0": 1, "2.0": 1, "9.0": 1},
        source="module:complaints",
        updated_at=dt.datetime.now(dt.UTC),
    )
    row = {"dataElement": "test.module_median", "orgUnit": MENTAOS, "period": "202601", "value": 4}
    refused = facts_import(actor=story.integration, rows=[row])
    assert "computed by Balai from its own records" in refused.conflicts[0].value
    # Without an actor (the demo loader, a restore) the value goes in; the old histogram must not survive it,
    # or the roll-ups would keep the old cases behind the new value.
    assert facts_import(actor=None, rows=[row]).updated == 1
    fact.refresh_from_db()
    assert (fact.value, fact.distribution) == (4.0, None)


# ------------------------------------------------------------------------------ module compute
@pytest.fixture
def median_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A module computing a daily median from `state["values"]` {(unit id, day): [raw values]}."""
    state: dict[str, Any] = {"values": {}}

    def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
        wanted = {p.id for p in periods}
        for (unit_id, day), values in state["values"].items():
            if day in wanted and "test.module_days" in codes:
                hist: dict[float, float] = {}
                for v in values:  # raw, unbucketed: the engine buckets at the indicator's resolution
                    hist[v] = hist.get(v, 0.0) + 1
                yield FactValue("test.module_days", unit_id, day, -1.0, distribution=hist)

    spec = IndicatorSpec(
        code="test.module_days", name_id="x", name_en="x", period_type="day", aggregation="median", decimals=1
    )
    monkeypatch.setitem(registry._modules, "testmedian", registry.ModuleIndicators("testmedian", [spec], compute))
    indicators_sync(actor=None, sources=["testmedian"])
    yield state


def test_module_medians_are_bucketed_stored_with_their_histogram_and_idempotent(
    story: Story, median_module: dict[str, Any]
) -> None:
    day = dt.date(2026, 2, 3)
    day_id = Period.containing(day, PeriodType.DAY).id
    median_module["values"] = {
        (story.mentaos.pk, day_id): [0.26, 1.04, 1.0, 7.5],
        (story.komet.pk, day_id): [3.0],
    }
    assert module_facts_recompute(start=day, end=day, sources=["testmedian"]) == 1
    fact = Fact.objects.get(indicator__code="test.module_days", org_unit=story.mentaos)
    # Buckets 0.3, 1.0, 1.0, 7.5: the module's -1 is replaced by the histogram's median.
    assert (fact.value, fact.numerator, fact.denominator) == (1.0, None, 4.0)
    assert fact.distribution == {"0.3": 1, "1.0": 2, "7.5": 1}
    assert module_facts_recompute(start=day, end=day, sources=["testmedian"]) == 0
    dirty_drain()
    utara = FactRollup.objects.get(indicator__code="test.module_days", org_unit__code=UTARA, period="202602")
    assert (utara.value, utara.denominator) == (1.0, 5.0)  # 0.3, 1.0, 1.0, 3.0, 7.5

    # Komet's case is gone (the report was deleted): a median has no zero, its Fact goes.
    median_module["values"] = {(story.mentaos.pk, day_id): [0.26, 1.04, 1.0, 7.5]}
    assert module_facts_recompute(start=day, end=day, sources=["testmedian"]) == 1
    assert not Fact.objects.filter(indicator__code="test.module_days", org_unit=story.komet).exists()
    dirty_drain()
    assert _value("test.module_days", UTARA, "202602") == 1.0
    assert _value("test.module_days", KOMET, "202602") is None


def _value(code: str, unit: str, period: str) -> float | None:
    row = FactRollup.objects.filter(indicator__code=code, org_unit__code=unit, period=period).first()
    return row.value if row else None


# ----------------------------------------------------------------------------- dynamic specs
def test_dynamic_specs_are_synced_and_created_by_the_nightly_recompute(
    story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a"]

    def specs() -> list[IndicatorSpec]:
        return [IndicatorSpec(code=f"test.dyn.{n}", name_id=n, name_en=n, period_type="day") for n in names]

    def compute(codes: list[str], periods: list[Period]) -> Iterable[FactValue]:
        return []

    monkeypatch.setitem(registry._modules, "testdyn", registry.ModuleIndicators("testdyn", [], compute, set(), [specs]))
    assert indicators_sync(actor=None, sources=["testdyn"]) == 1
    assert Indicator.objects.get(code="test.dyn.a").source == "testdyn"
    names.append("b")  # an administrator added a category and nobody re-synced
    module_facts_recompute(start=dt.date(2026, 2, 3), end=dt.date(2026, 2, 3), sources=["testdyn"])
    assert Indicator.objects.filter(code="test.dyn.b", is_active=True).exists()
    names.remove("a")  # gone from the data: the row and its history stay
    assert indicators_sync(actor=None, sources=["testdyn"]) == 0
    assert Indicator.objects.filter(code="test.dyn.a").exists()


# ------------------------------------------------------------------------------------------ mean of ratios
def test_mean_of_ratios_rounds_once_half_up_and_is_undefined_with_an_empty_part() -> None:
    from balai.indicators import parts

    # (7/2 + 13/4) / 2 × 25 = 84.375 → 84.38 (half up, as the results page rounds; a float round() gives 84.37).
    assert parts.mean_of_ratios({"a": [7, 2], "b": [13, 4]}, 25.0, 2) == 84.38
    assert parts.mean_of_ratios({"a": [7, 2], "b": [0, 0]}, 25.0, 2) is None
    assert parts.mean_of_ratios({}, 25.0, 2) is None
    merged = parts.from_json({"a": [1, 1]})
    parts.merge(merged, {"a": [3.0, 1.0], "b": [2.0, 1.0]})
    assert parts.to_json(merged) == {"a": [4, 2], "b": [2, 1]}
    assert parts.from_json({"a": "junk", "b": [1]}) == {}
