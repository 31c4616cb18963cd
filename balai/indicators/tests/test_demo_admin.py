"""The demo's computed rates and targets, on the story's city."""

from __future__ import annotations

import pytest

from balai.core.testing import Story
from balai.indicators.demo import COMPLAINTS_PER_1000, VISITS_PER_1000, seed_admin
from balai.indicators.models import FactRollup, Target
from balai.indicators.services import dirty_drain, facts_import, indicators_sync

pytestmark = pytest.mark.django_db

MENTAOS, KOMET, UTARA = "63.72.04.1002", "63.72.04.1003", "63.72.04"


def test_seed_defines_the_rates_and_sets_targets_by_size(story: Story) -> None:
    indicators_sync(actor=None)
    rows = [
        {"dataElement": "population.residents", "orgUnit": MENTAOS, "period": "202603", "value": 8000},
        {"dataElement": "population.residents", "orgUnit": KOMET, "period": "202603", "value": 5000},
        {"dataElement": "kelurahan.visits", "orgUnit": MENTAOS, "period": "20260302", "value": 40},
        {"dataElement": "kelurahan.visits", "orgUnit": KOMET, "period": "20260303", "value": 25},
    ]
    assert facts_import(actor=None, rows=rows).conflicts == []
    seed_admin(story.root, years=[2026])
    dirty_drain()  # the loader drains after seeding: computed roll-ups come with their components'
    rates = dict(
        FactRollup.objects.filter(indicator__code=VISITS_PER_1000, period="202603").values_list(
            "org_unit__code", "value"
        )
    )
    assert rates == {MENTAOS: 5.0, KOMET: 5.0, UTARA: 5.0, "63.72": 5.0}  # 1000 x 65 / 13000
    assert not FactRollup.objects.filter(indicator__code=COMPLAINTS_PER_1000).exists()  # no report yet
    visits = dict(
        Target.objects.filter(indicator__code="kelurahan.visits", period="2026").values_list("org_unit__code", "value")
    )
    assert visits == {MENTAOS: 2800.0, KOMET: 1750.0}  # 0.35 x residents, to 50
    on_time = dict(
        Target.objects.filter(indicator__code="complaints.resolved_on_time_rate", period="2026").values_list(
            "org_unit__code", "value"
        )
    )
    assert on_time["63.72"] == 90.0 and on_time[UTARA] == 85.0 and len(on_time) == 6  # city + 5 kecamatan
