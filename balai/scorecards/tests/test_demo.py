"""The demo scorecards: valid definitions, once, with the agencies' budget targets."""

from __future__ import annotations

from typing import Any

import pytest

from balai.core.periods import Period
from balai.indicators.models import Target
from balai.indicators.services import indicators_sync
from balai.scorecards.demo import seed_scorecards
from balai.scorecards.models import Scorecard

pytestmark = pytest.mark.django_db


def test_demo_defines_three_scorecards_once_with_budget_targets(story: Any) -> None:
    indicators_sync(actor=None)
    months = Period.parse("202611").series(3)
    assert seed_scorecards(story.root, months=months) == {"scorecards": 3, "targets": 6}
    assert seed_scorecards(story.root, months=months)["scorecards"] == 0
    assert sorted(Scorecard.objects.values_list("unit_kind", "period_type")) == [
        ("kecamatan", "quarter"),
        ("kelurahan", "quarter"),
        ("perangkat_daerah", "month"),
    ]
    targets = Target.objects.filter(org_unit=story.dinkes, indicator__code="budget.realisation_rate")
    assert dict(targets.values_list("period", "value")) == {"202609": 65.0, "202610": 75.0, "202611": 85.0}
