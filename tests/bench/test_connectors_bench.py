"""The connector benchmark part counts right: every row imported by the first pull, ignored by the second."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from balai.connectors.models import ConnectorRun
from balai.core.testing import Story
from balai.indicators.models import Fact, Indicator

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module(name: str = "connectors_bench") -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_connector_part_pulls_every_row_then_ignores_them(story: Story, settings: Any) -> None:
    settings.BALAI_CONNECTOR_ALLOW_LOOPBACK = True
    Indicator.objects.create(code="bench.daily.1", name_id="b", name_en="b", period_type="day", source="external")
    units = [story.mentaos.code, story.komet.code]
    days = [f"202601{d:02d}" for d in range(1, 31)]

    def payload(n: int) -> list[dict[str, str]]:
        return [
            {"dataElement": "bench.daily.1", "orgUnit": units[i % 2], "period": days[i // 2], "value": str(i)}
            for i in range(n)
        ]

    def reset() -> None:
        Fact.objects.all().delete()

    baseline = _module("baseline").fact_executemany
    result = _module().part_connector(40, 2, story=story, payload=payload, reset_facts=reset, raw_insert=baseline)

    assert result["summaries"] == {
        "first": {"imported": 40, "updated": 0, "ignored": 0},
        "again": {"imported": 0, "updated": 0, "ignored": 40},
    }
    assert (result["rows"], result["units"], result["periods"], result["runs"]) == (40, 2, 20, 4)
    assert len(result["pull_s"]) == len(result["executemany_s"]) == 2
    assert ConnectorRun.objects.filter(status="success").count() == 4
    assert Fact.objects.count() == 40
