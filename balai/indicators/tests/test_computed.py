"""Computed indicators: factor x numerator / denominator of other indicators' roll-ups, at every level and period."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from balai.core.testing import Story
from balai.indicators.models import FactRollup, Indicator, IndicatorTerm
from balai.indicators.services import (
    IndicatorDefinition,
    dirty_drain,
    facts_import,
    indicator_create,
    indicator_deactivate,
    indicator_update,
)

pytestmark = pytest.mark.django_db

ROOT, UTARA, SELATAN = "63.72", "63.72.04", "63.72.05"
LOKTABAT_UTARA, MENTAOS, KOMET = "63.72.04.1001", "63.72.04.1002", "63.72.04.1003"
KEMUNING = "63.72.05.1003"
RATE = "rates.cases_per_1000"


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


def _indicator(code: str, **kw: Any) -> Indicator:
    kw.setdefault("period_type", "month")
    return Indicator.objects.create(code=code, name_id=code, name_en=code, **kw)


@pytest.fixture
def parts(story: Story) -> dict[str, Indicator]:
    """Cases counted per day (sum) and residents at the end of each month (last), as complaints and Dukcapil."""
    return {
        "cases": _indicator("test.cases", period_type="day", aggregation="sum", value_type="integer"),
        "residents": _indicator("test.residents", aggregation="last", value_type="integer"),
        "visits": _indicator("test.visits", aggregation="sum", value_type="integer"),
        "coverage": _indicator("test.coverage", aggregation="ratio", value_type="percentage", ratio_factor=100.0),
    }


def _definition(code: str = RATE, **kw: Any) -> IndicatorDefinition:
    values: dict[str, Any] = {
        "name_id": "Kasus per 1.000 penduduk",
        "name_en": "Cases per 1,000 residents",
        "period_type": "month",
        "aggregation": "computed",
        "value_type": "number",
        "decimals": 2,
        "ratio_factor": 1000.0,
        "numerator": ["test.cases"],
        "denominator": ["test.residents"],
    }
    values.update(kw)
    return IndicatorDefinition(code=code, **values)


def _load(code: str, rows: list[tuple[str, str, float]]) -> None:
    summary = facts_import(
        actor=None, rows=[{"dataElement": code, "orgUnit": u, "period": p, "value": v} for u, p, v in rows]
    )
    assert summary.conflicts == [], summary.conflicts
    dirty_drain()


def _facts() -> None:
    _load(
        "test.residents",
        [
            (MENTAOS, "202601", 4000),
            (MENTAOS, "202602", 4100),
            (MENTAOS, "202603", 4200),
            (KOMET, "202601", 2000),
            (KOMET, "202602", 2000),
            (KOMET, "202603", 2500),
            (KEMUNING, "202601", 3000),
        ],
    )
    _load(
        "test.cases",
        [
            (MENTAOS, "20260105", 3),
            (MENTAOS, "20260120", 5),
            (MENTAOS, "20260210", 4),
            (MENTAOS, "20260301", 2),
            (KOMET, "20260107", 1),
            (KOMET, "20260315", 6),
            (KEMUNING, "20260110", 3),
        ],
    )


def _values(period: str, code: str = RATE) -> dict[str, float]:
    return {
        unit: round(value, 6)
        for unit, value in FactRollup.objects.filter(indicator__code=code, period=period).values_list(
            "org_unit__code", "value"
        )
    }


def test_month_values_at_kelurahan_kecamatan_and_city(parts: dict[str, Indicator]) -> None:
    indicator_create(actor=None, definition=_definition())  # before any data: the drain computes it
    _facts()
    assert _values("202601") == {
        MENTAOS: 2.0,  # 1000 x 8 / 4000
        KOMET: 0.5,  # 1000 x 1 / 2000
        UTARA: 1.5,  # 1000 x 9 / 6000
        KEMUNING: 1.0,  # 1000 x 3 / 3000
        SELATAN: 1.0,
        ROOT: round(1000 * 12 / 9000, 6),
    }
    row = FactRollup.objects.get(indicator__code=RATE, org_unit__code=UTARA, period="202601")
    assert (row.numerator, row.denominator, row.period_type) == (9.0, 6000.0, "month")
    # Komet reported residents in February but no case: no value (no data is not zero), Utara sums what there is.
    feb_utara = round(1000 * 4 / 6100, 6)
    assert _values("202602") == {MENTAOS: round(1000 * 4 / 4100, 6), UTARA: feb_utara, ROOT: feb_utara}


def test_quarter_values_sum_the_numerator_and_take_the_last_residents(parts: dict[str, Indicator]) -> None:
    _facts()
    indicator_create(actor=None, definition=_definition())  # after the data: computed at once
    assert _values("2026Q1") == {
        MENTAOS: round(1000 * 14 / 4200, 6),  # cases Jan-Mar, residents of March
        KOMET: 2.8,  # 1000 x 7 / 2500
        UTARA: round(1000 * 21 / 6700, 6),
        KEMUNING: 1.0,  # residents only reported in January: the latest of the quarter
        SELATAN: 1.0,
        ROOT: round(1000 * 24 / 9700, 6),
    }
    assert _values("2026") == _values("2026Q1")  # nothing after March
    assert not FactRollup.objects.filter(indicator__code=RATE, period_type="day").exists()


def test_recomputed_when_a_component_changes(parts: dict[str, Indicator]) -> None:
    indicator_create(actor=None, definition=_definition())
    _facts()
    _load("test.cases", [(KOMET, "20260125", 3)])
    assert _values("202601")[KOMET] == 2.0  # 1000 x 4 / 2000
    assert _values("202601")[UTARA] == 2.0  # 1000 x 12 / 6000
    _load("test.residents", [(KOMET, "202601", 4000)])
    assert _values("202601")[KOMET] == 1.0
    assert _values("2026Q1")[KOMET] == round(1000 * 10 / 2500, 6)  # March residents unchanged


def test_division_by_zero_gives_no_value(parts: dict[str, Indicator]) -> None:
    indicator_create(actor=None, definition=_definition())
    _load("test.residents", [(MENTAOS, "202601", 0), (KOMET, "202601", 2000)])
    _load("test.cases", [(MENTAOS, "20260105", 3), (KOMET, "20260107", 4)])
    assert _values("202601") == {KOMET: 2.0, UTARA: 3.5, ROOT: 3.5}  # 1000 x 7 / 2000 above Mentaos
    assert not FactRollup.objects.filter(indicator__code=RATE, org_unit__code=MENTAOS).exists()


def test_numerator_and_denominator_may_each_sum_several_indicators(parts: dict[str, Indicator]) -> None:
    _load("test.visits", [(MENTAOS, "202601", 30), (KOMET, "202601", 10)])
    _facts()
    indicator_create(
        actor=None,
        definition=_definition(
            "rates.share_cases", ratio_factor=100.0, numerator=["test.cases"], denominator=["test.cases", "test.visits"]
        ),
    )
    assert _values("202601", "rates.share_cases")[UTARA] == round(100 * 9 / (9 + 40), 6)
    assert _values("202601", "rates.share_cases")[MENTAOS] == round(100 * 8 / 38, 6)


def test_a_new_factor_rebuilds_the_values(parts: dict[str, Indicator], story: Story) -> None:
    indicator = indicator_create(actor=None, definition=_definition())
    _facts()
    indicator_update(actor=story.admin, indicator=indicator, definition=_definition(ratio_factor=100.0))
    assert _values("202601")[MENTAOS] == 0.2


def test_a_computed_indicator_of_a_computed_one_follows_its_changes(parts: dict[str, Indicator]) -> None:
    indicator_create(actor=None, definition=_definition())
    _load("test.visits", [(MENTAOS, "202601", 2), (KOMET, "202601", 2)])
    indicator_create(
        actor=None,
        definition=_definition("rates.nested", ratio_factor=1.0, numerator=[RATE], denominator=["test.visits"]),
    )
    _facts()
    assert _values("202601", "rates.nested")[MENTAOS] == 1.0  # rate 2.0 / 2 visits
    _load("test.visits", [(MENTAOS, "202601", 4)])
    assert _values("202601", "rates.nested")[MENTAOS] == 0.5


def _refused(definition: IndicatorDefinition, field: str, message: str, current: Indicator | None = None) -> None:
    before = (Indicator.objects.count(), IndicatorTerm.objects.count())
    with pytest.raises(ValidationError) as exc:
        if current is None:
            indicator_create(actor=None, definition=definition)
        else:
            indicator_update(actor=None, indicator=current, definition=definition)
    assert message in exc.value.message_dict[field], exc.value.message_dict
    assert (Indicator.objects.count(), IndicatorTerm.objects.count()) == before


def test_unknown_inactive_and_non_count_components_are_refused(parts: dict[str, Indicator]) -> None:
    _refused(_definition(numerator=["test.nothing"]), "numerator", "Indicator test.nothing does not exist.")
    Indicator.objects.filter(code="test.visits").update(is_active=False)
    _refused(_definition(denominator=["test.visits"]), "denominator", "Indicator test.visits is not active.")
    _refused(
        _definition(numerator=["test.coverage"]),
        "numerator",
        "Indicator test.coverage is aggregated as “Ratio of sums”: only counts (sum, last value) and other "
        "computed indicators can be components. Use the indicator of its count instead.",
    )


def test_self_cycle_and_equal_sides_are_refused(parts: dict[str, Indicator]) -> None:
    _refused(_definition(numerator=[RATE]), "numerator", "An indicator cannot be computed from itself.")
    _refused(
        _definition(denominator=["test.cases"]),
        "denominator",
        "The denominator must differ from the numerator (the value would always be the factor).",
    )
    rate = indicator_create(actor=None, definition=_definition())
    indicator_create(
        actor=None, definition=_definition("rates.nested", numerator=[RATE], denominator=["test.residents"])
    )
    _refused(
        _definition(numerator=["rates.nested"]),
        "numerator",
        "Indicator rates.nested is itself computed from this one: that would be a cycle.",
        current=rate,
    )
    assert sorted(IndicatorTerm.objects.filter(indicator=rate).values_list("component__code", "role")) == [
        ("test.cases", "numerator"),
        ("test.residents", "denominator"),
    ]


def test_factor_period_type_and_missing_sides_are_checked(parts: dict[str, Indicator]) -> None:
    _refused(
        _definition(ratio_factor=0.0), "ratio_factor", "The factor must be a number greater than 0, e.g. 100 or 1000."
    )
    _refused(
        _definition(ratio_factor=-100.0),
        "ratio_factor",
        "The factor must be a number greater than 0, e.g. 100 or 1000.",
    )
    _refused(
        _definition(period_type="day"),
        "period_type",
        "The period type cannot be finer than that of component test.residents (Monthly).",
    )
    _refused(_definition(denominator=[]), "denominator", "Choose at least one indicator.")
    _refused(
        _definition(aggregation="sum"), "numerator", "Only a computed indicator has a numerator and a denominator."
    )


def test_a_component_in_use_cannot_be_deactivated(parts: dict[str, Indicator], story: Story) -> None:
    indicator_create(actor=None, definition=_definition())
    with pytest.raises(ValidationError) as exc:
        indicator_deactivate(actor=story.admin, indicator=parts["residents"])
    assert exc.value.message_dict["is_active"] == [
        "It is a component of the computed indicator(s) rates.cases_per_1000: change or deactivate those first."
    ]
    assert Indicator.objects.get(code="test.residents").is_active


def test_a_computed_indicator_cannot_be_imported(parts: dict[str, Indicator], story: Story) -> None:
    indicator_create(actor=None, definition=_definition())
    summary = facts_import(
        actor=story.admin,
        rows=[
            {"dataElement": RATE, "orgUnit": MENTAOS, "period": "202601", "value": "2"},
            {"dataElement": "test.residents", "orgUnit": MENTAOS, "period": "202601", "value": "4000"},
        ],
    )
    assert summary.imported == 1
    assert [c.as_dict() for c in summary.conflicts] == [
        {
            "object": RATE,
            "value": "row 0: indicator rates.cases_per_1000 is computed from other indicators and cannot be "
            "imported; import its components instead",
            "indexes": [0],
            "property": "dataElement",
        }
    ]


def test_a_deactivated_computed_indicator_has_no_values_until_reactivated(
    parts: dict[str, Indicator], story: Story
) -> None:
    rate = indicator_create(actor=None, definition=_definition())
    _facts()
    indicator_deactivate(actor=story.admin, indicator=rate)
    _load("test.cases", [(KOMET, "20260125", 3)])
    assert _values("202601") == {}
    indicator_update(actor=story.admin, indicator=rate, definition=_definition(is_active=True))
    assert _values("202601")[KOMET] == 2.0
