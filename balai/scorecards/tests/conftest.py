"""Scorecard test helpers: three indicators of our own, Facts for the story's two perangkat daerah."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from balai.core.testing import Story
from balai.indicators.models import Indicator
from balai.indicators.services import dirty_drain, facts_import, target_set
from balai.scorecards.models import Scorecard
from balai.scorecards.services import ItemSpec, scorecard_save

MONTH = "202610"


@pytest.fixture(autouse=True)
def english(settings: Any, client: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make_indicators() -> dict[str, Indicator]:
    common = {"period_type": "month", "category": "test"}
    specs = [
        dict(
            code="t.on_time",
            name_en="On time",
            name_id="Tepat waktu",
            aggregation="average",
            value_type="percentage",
            unit="%",
            polarity=1,
            decimals=1,
            sort_order=1,
        ),
        dict(
            code="t.backlog",
            name_en="Backlog",
            name_id="Tunggakan",
            aggregation="sum",
            value_type="integer",
            unit="berkas",
            polarity=-1,
            sort_order=2,
        ),
        dict(
            code="t.realisation",
            name_en="Realisation",
            name_id="Realisasi",
            aggregation="average",
            value_type="percentage",
            unit="%",
            polarity=1,
            decimals=1,
            sort_order=3,
        ),
        dict(
            code="t.visits",
            name_en="Visits",
            name_id="Kunjungan",
            aggregation="sum",
            value_type="integer",
            unit="orang",
            polarity=0,
            sort_order=4,
        ),
        dict(
            code="t.quarterly",
            name_en="Quarterly",
            name_id="Triwulanan",
            aggregation="average",
            value_type="number",
            unit="",
            polarity=1,
            sort_order=5,
            period_type="quarter",
        ),
    ]
    out: dict[str, Indicator] = {}
    for spec in specs:
        values: dict[str, Any] = {**common, **spec}
        out[str(values["code"])] = Indicator.objects.create(**values)
    return out


def pd_items() -> list[ItemSpec]:
    return [
        ItemSpec("t.on_time", 50, 90),
        ItemSpec("t.backlog", 30, 10),
        ItemSpec("t.realisation", 20, 80),
    ]


def load_facts(rows: list[tuple[str, str, str, float]]) -> None:
    summary = facts_import(
        actor=None,
        rows=[{"dataElement": i, "orgUnit": u, "period": p, "value": str(v)} for i, u, p, v in rows],
    )
    assert not summary.conflicts, summary.as_dict()
    dirty_drain()


@pytest.fixture
def indicators(story: Story) -> dict[str, Indicator]:
    return make_indicators()


@pytest.fixture
def scored(story: Story, indicators: dict[str, Indicator]) -> Scorecard:
    """Diskominfo scores 97 (on time 81 vs 90, backlog 5 vs 10, realisation 40 vs its own target 50);
    Dinkes 70 (on time 99, backlog 20, no realisation reported)."""
    load_facts(
        [
            ("t.on_time", "DISKOMINFO", MONTH, 81),
            ("t.backlog", "DISKOMINFO", MONTH, 5),
            ("t.realisation", "DISKOMINFO", MONTH, 40),
            ("t.on_time", "DINKES", MONTH, 99),
            ("t.backlog", "DINKES", MONTH, 20),
            ("t.on_time", "DISKOMINFO", "202609", 72),
            ("t.visits", "DISKOMINFO", MONTH, 310),
        ]
    )
    target_set(actor=None, indicator=indicators["t.realisation"], org_unit=story.diskominfo, period=MONTH, value=50)
    return scorecard_save(
        actor=None, name="Kinerja perangkat daerah", unit_kind="perangkat_daerah", period_type="month", items=pd_items()
    )
