"""GET /api/v1/dataValueSets, /api/v1/indicators and /api/v1/analytics, scoped like the caller."""

from __future__ import annotations

import pytest

from balai.core.testing import Story
from balai.indicators.services import dirty_drain, facts_import, target_set
from balai.indicators.tests.conftest import ApiCaller, SpineIndicators

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(in_english: None) -> None:
    """English source strings (see conftest)."""


MENTAOS, KOMET, SUNGAI_BESAR = "63.72.04.1002", "63.72.04.1003", "63.72.05.1001"


@pytest.fixture
def loaded(spine: SpineIndicators) -> SpineIndicators:
    rows = [
        {"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202601", "value": 12, "comment": "buku tamu"},
        {"dataElement": "test.visits", "orgUnit": MENTAOS, "period": "202602", "value": 15},
        {"dataElement": "test.visits", "orgUnit": KOMET, "period": "202601", "value": 8},
        {"dataElement": "test.visits", "orgUnit": SUNGAI_BESAR, "period": "202601", "value": 7},
        {"dataElement": "test.satisfaction", "orgUnit": MENTAOS, "period": "202601", "value": 3.25},
    ]
    assert facts_import(actor=None, rows=rows).imported == 5
    dirty_drain()
    return spine


def _values(response: object) -> list[tuple[str, str, str, str]]:
    return [(v["dataElement"], v["orgUnit"], v["period"], v["value"]) for v in response.json()["dataValues"]]  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------- dataValueSets
def test_export_one_unit(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    response = api.get(story.mentaos_clerk, f"/api/v1/dataValueSets?dataElement=test.visits&orgUnit={MENTAOS}")
    assert response.status_code == 200
    assert _values(response) == [("test.visits", MENTAOS, "202601", "12"), ("test.visits", MENTAOS, "202602", "15")]
    first = response.json()["dataValues"][0]
    assert first["comment"] == "buku tamu"
    assert first["lastUpdated"].startswith("20")


def test_export_children_and_period_filters(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    url = (
        "/api/v1/dataValueSets?dataElement=test.visits&dataElement=test.satisfaction&orgUnit=63.72.04"
        "&children=true&period=202601"
    )
    assert _values(api.get(story.camat, url)) == [
        ("test.satisfaction", MENTAOS, "202601", "3.25"),
        ("test.visits", MENTAOS, "202601", "12"),
        ("test.visits", KOMET, "202601", "8"),
    ]
    dated = (
        "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72&children=true"
        "&startDate=2026-02-01&endDate=2026-12-31"
    )
    assert _values(api.get(story.head, dated)) == [("test.visits", MENTAOS, "202602", "15")]


def test_export_is_scoped(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    hidden = f"/api/v1/dataValueSets?dataElement=test.visits&orgUnit={MENTAOS}"
    assert api.get(story.komet_clerk, hidden).json() == {"dataValues": []}
    root = "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72&children=true"
    assert _values(api.get(story.komet_clerk, root)) == []
    # The camat asks for the whole city with children: only Banjarbaru Utara's facts come back.
    camat = "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72.04&orgUnit=63.72.05&children=true"
    assert {v[1] for v in _values(api.get(story.camat, camat))} == {MENTAOS, KOMET}


def test_export_bad_period_is_400(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    response = api.get(story.head, "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72&period=2026-01")
    assert response.status_code == 400
    assert "2026-01" in response.json()["message"]


def test_export_bad_start_date_is_400(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    # BUG (balai/indicators/selectors.py data_values via api.py): dt.date.fromisoformat raises
    # ValueError on "yesterday", an unhandled 500 instead of a 400 naming the parameter.
    response = api.get(story.head, "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72&startDate=yesterday")
    assert response.status_code == 400
    assert "yesterday" in response.json()["message"]


def test_export_requires_data_element_and_org_unit(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    assert api.get(story.head, "/api/v1/dataValueSets?orgUnit=63.72").status_code in {400, 422}
    assert api.get(story.head, "/api/v1/dataValueSets?dataElement=test.visits").status_code in {400, 422}


def test_export_round_trips_through_import(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    exported = api.get(story.head, "/api/v1/dataValueSets?dataElement=test.visits&orgUnit=63.72&children=true")
    response = api.post(story.integration, exported.json())
    assert response.json()["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}


# ---------------------------------------------------------------------------------- indicators
def test_indicator_catalogue(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    body = api.get(story.komet_clerk, "/api/v1/indicators").json()
    codes = [i["code"] for i in body]
    assert codes[:7] == [
        "test.visits",
        "test.satisfaction",
        "test.coverage",
        "test.stock",
        "test.weekly_cases",
        "test.daily_queue",
        "test.flag",
    ]
    assert {"asn.headcount", "attendance.presence_rate"} <= set(codes)
    headcount = next(i for i in body if i["code"] == "asn.headcount")
    assert headcount == {
        "code": "asn.headcount",
        "name": "Civil servants (ASN)",
        "name_id": "Jumlah ASN",
        "name_en": "Civil servants (ASN)",
        "unit": "orang",
        "value_type": "integer",
        "aggregation": "last",
        "polarity": 0,
        "period_type": "month",
        "source": "org",
        "category": "kepegawaian",
    }


def test_indicator_names_are_indonesian_by_default(story: Story, loaded: SpineIndicators) -> None:
    response = ApiCaller(story, language="").get(story.head, "/api/v1/indicators")
    headcount = next(i for i in response.json() if i["code"] == "asn.headcount")
    assert headcount["name"] == "Jumlah ASN"


# ---------------------------------------------------------------------------------- analytics
def test_analytics_returns_rollups_with_targets(api: ApiCaller, story: Story, loaded: SpineIndicators) -> None:
    target_set(actor=None, indicator=loaded.visits, org_unit=story.kec_utara, period="2026Q1", value=40)
    body = api.get(story.camat, "/api/v1/analytics?orgUnit=63.72.04&period=2026Q1").json()
    assert body == [
        {
            "indicator": "test.visits",
            "orgUnit": "63.72.04",
            "period": "2026Q1",
            "value": 35.0,
            "numerator": None,
            "denominator": None,
            "target": 40.0,
        },
        {
            "indicator": "test.satisfaction",
            "orgUnit": "63.72.04",
            "period": "2026Q1",
            "value": 3.25,
            "numerator": None,
            "denominator": None,
            "target": None,
        },
    ]
    only = api.get(story.head, "/api/v1/analytics?orgUnit=63.72&period=202601&indicator=test.visits").json()
    assert [(r["indicator"], r["value"]) for r in only] == [("test.visits", 27.0)]


def test_analytics_outside_scope_is_404_and_bad_period_400(
    api: ApiCaller, story: Story, loaded: SpineIndicators
) -> None:
    assert api.get(story.komet_clerk, f"/api/v1/analytics?orgUnit={MENTAOS}&period=202601").status_code == 404
    assert api.get(story.camat, "/api/v1/analytics?orgUnit=63.72&period=202601").status_code == 404
    response = api.get(story.camat, "/api/v1/analytics?orgUnit=63.72.04&period=Q1-2026")
    assert response.status_code == 400
    assert "Q1-2026" in response.json()["message"]
