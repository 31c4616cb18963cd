"""The pull's fast path (import_rows) accepts exactly what the preview's mapping (map_records) accepts."""

from __future__ import annotations

from typing import Any

import pytest

from balai.connectors.mapping import import_rows, map_records
from balai.connectors.models import Connector
from balai.connectors.tests.conftest import KOMET, MENTAOS
from balai.core.testing import Story

pytestmark = pytest.mark.django_db

GOOD = {"ind": "attendance.presence_rate", "unit": MENTAOS, "bulan": "202601", "v": 96.5, "n": 193, "d": 200}


def _connector(**over: Any) -> Connector:
    values = {
        "indicator_field": "ind",
        "unit_field": "unit",
        "unit_match": "code",
        "period_field": "bulan",
        "period_format": "period",
        "value_field": "v",
        "numerator_field": "n",
        "denominator_field": "d",
    }
    values.update(over)
    return Connector(**values)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"v": "97.25"},
        {"v": 97},
        {"bulan": 202602},
        {"unit": KOMET},
        {"v": "abc"},
        {"v": None},
        {"v": True},
        {"v": float("nan")},
        {"n": "x"},
        {"bulan": "2026Q1"},
        {"bulan": ["202601"]},
        {"bulan": ""},
        {"unit": "nope"},
        {"unit": None},
        {"ind": "complaints.received"},
        {"ind": ""},
        {"ind": 5},
        {"d": {"x": 1}},
    ],
)
def test_fast_path_and_mapping_agree(story: Story, change: dict[str, Any]) -> None:
    records = [dict(GOOD), {**GOOD, **change}]
    connector = _connector()
    mapped = map_records(connector, records)
    rows = import_rows(connector, records)
    if any(m.problems for m in mapped):
        assert rows is None
    else:
        assert rows is not None
        expected = [m.as_row() for m in mapped]
        for row, want in zip(rows, expected, strict=True):
            assert {k: row.get(k) for k in ("dataElement", "orgUnit", "period")} == {
                k: want[k] for k in ("dataElement", "orgUnit", "period")
            }
            assert float(row["value"]) == want["value"]


def test_missing_field_is_declined_by_both(story: Story) -> None:
    records = [dict(GOOD), {k: v for k, v in GOOD.items() if k != "n"}]
    connector = _connector()
    assert import_rows(connector, records) is None
    assert [m.problems for m in map_records(connector, records)] == [[], ['field "n" is missing']]


def test_unit_names_and_dates_on_the_fast_path(story: Story) -> None:
    connector = _connector(unit_match="name", period_format="date", numerator_field="", denominator_field="")
    records = [{"ind": "attendance.presence_rate", "unit": "kelurahan MENTAOS", "bulan": "2026-03-15", "v": "90"}]
    assert import_rows(connector, records) == [
        {"dataElement": "attendance.presence_rate", "orgUnit": MENTAOS, "value": 90.0, "period": "202603"}
    ]
