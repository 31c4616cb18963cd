"""CSV bodies to /api/v1/dataValueSets: the same columns as dataValueSets, from any spreadsheet."""

from __future__ import annotations

from typing import Any

import pytest

from balai.core.testing import Story
from balai.indicators.csv_import import rows_from_csv
from balai.indicators.models import Fact
from balai.indicators.tests.conftest import ApiCaller, SpineIndicators

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


def _facts() -> dict[tuple[str, str, str], tuple[float, Any, Any, str]]:
    return {
        (c, u, p): (v, n, d, cm)
        for c, u, p, v, n, d, cm in Fact.objects.values_list(
            "indicator__code", "org_unit__code", "period", "value", "numerator", "denominator", "comment"
        )
    }


def test_comma_separated_csv(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    body = (
        "dataElement,period,orgUnit,value,comment\n"
        "test.visits,202601,63.72.04.1002,12,from the guest book\n"
        "test.satisfaction,202601,63.72.04.1002,3.5,\n"
    )
    response = api.post(story.integration, body, content_type="text/csv")
    assert response.status_code == 200
    assert response.json()["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    assert _facts() == {
        ("test.visits", "63.72.04.1002", "202601"): (12.0, None, None, "from the guest book"),
        ("test.satisfaction", "63.72.04.1002", "202601"): (3.5, None, None, ""),
    }
    fact = Fact.objects.get(indicator=spine.visits)
    assert fact.source == "api"


def test_semicolon_csv_with_decimal_comma_and_indonesian_headers(
    api: ApiCaller, story: Story, spine: SpineIndicators
) -> None:
    body = (
        "indikator;periode;kode_unit;nilai;pembilang;penyebut;keterangan\n"
        "test.satisfaction;202601;63.72.04.1002;3,75;;;\n"
        "test.visits;202601;63.72.04.1003;1.234;;;ribuan\n"
        "test.coverage;202601;63.72.04.1004;45,5;91;200;\n"
    ).encode("cp1252")
    response = api.post(story.integration, body, content_type="application/csv")
    assert response.status_code == 200
    assert response.json()["conflicts"] == []
    assert _facts() == {
        ("test.satisfaction", "63.72.04.1002", "202601"): (3.75, None, None, ""),
        # In a decimal-comma file "1.234" is one thousand two hundred thirty-four (Indonesian grouping).
        ("test.visits", "63.72.04.1003", "202601"): (1234.0, None, None, "ribuan"),
        ("test.coverage", "63.72.04.1004", "202601"): (45.5, 91.0, 200.0, ""),
    }


def test_decimal_comma_with_thousands_dots() -> None:
    rows = rows_from_csv(
        "dataElement;period;orgUnit;value\nx;202601;U;1.234,5\nx;202602;U;7\nx;202603;U;1.234.567\n"
        "x;202604;U;3.5\nx;202605;U;-0,25\n"
    )
    # A lone dot that is not thousands grouping ("3.5") is a decimal point from a misconfigured export.
    assert [r["value"] for r in rows] == ["1234.5", "7", "1234567", "3.5", "-0.25"]
    assert rows[0] == {
        "dataElement": "x",
        "period": "202601",
        "orgUnit": "U",
        "value": "1234.5",
        "comment": "",
        "numerator": None,
        "denominator": None,
    }


def test_csv_bad_rows_are_conflicts_with_their_index(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    body = (
        "dataElement,period,orgUnit,value\ntest.visits,202601,63.72.04.1002,12\ntest.visits,202601,63.72.04.1003,dua\n"
    )
    response = api.post(story.integration, body, content_type="text/csv")
    assert response.json()["importCount"]["imported"] == 1
    assert response.json()["conflicts"] == [
        {"object": "dua", "indexes": [1], "property": "value", "value": "row 1: value dua is not a number"}
    ]


def test_csv_with_wrong_headers_is_400_listing_the_expected_ones(
    api: ApiCaller, story: Story, spine: SpineIndicators
) -> None:
    response = api.post(story.integration, "kode,bulan,unit,jumlah\nx,202601,U,1\n", content_type="text/csv")
    assert response.status_code == 400
    message = response.json()["message"]
    assert message == (
        "Wrong or missing column headers: dataElement, period, value. Expected headers: dataElement, period, "
        "orgUnit, value, [comment], [numerator], [denominator] (found: kode, bulan, unit, jumlah)."
    )
    assert not Fact.objects.exists()


def test_empty_csv_is_400(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    response = api.post(story.integration, " \n \n", content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["message"] == "The file is empty."


def test_csv_dry_run(api: ApiCaller, story: Story, spine: SpineIndicators) -> None:
    body = "dataElement,period,orgUnit,value\ntest.visits,202601,63.72.04.1002,12\n"
    response = api.post(story.integration, body, content_type="text/csv", query="dryRun=1")
    assert response.json()["importCount"]["imported"] == 1
    assert not Fact.objects.exists()
