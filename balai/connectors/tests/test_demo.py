"""The demo's connectors: a month of history seeded without network, the same on every load of a day."""

from __future__ import annotations

import pytest

from balai.connectors.demo import DAYS, seed_connectors
from balai.connectors.models import Connector, ConnectorRun
from balai.core.testing import Story
from balai.org import services as org
from balai.org.choices import UnitKind

pytestmark = pytest.mark.django_db


def _agencies(story: Story) -> None:
    for code in ("BKPSDM", "BPKPAD"):
        org.orgunit_create(
            actor=None, parent=story.root, name=code, short_name=code, kind=UnitKind.PERANGKAT_DAERAH, code=code
        )


def test_demo_connectors_have_a_history_and_their_health(story: Story) -> None:
    _agencies(story)
    assert seed_connectors(story.root, seed=2026) == 2 * DAYS
    attendance = Connector.objects.get(name="Aplikasi absensi BKPSDM")
    budget = Connector.objects.get(name="SIPD realisasi anggaran (BPKPAD)")
    assert (attendance.health, attendance.consecutive_failures) == ("ok", 0)
    assert (budget.health, budget.consecutive_failures) == ("failing", 2)
    assert attendance.token.startswith("demo-") and budget.password.startswith("demo-")
    assert list(ConnectorRun.objects.filter(connector=attendance).values_list("status", flat=True)).count("failed") == 1
    assert attendance.last_error.startswith("The app did not answer within 30 seconds")
    assert seed_connectors(story.root, seed=2026) == 0  # once


def test_demo_history_is_deterministic(story: Story) -> None:
    _agencies(story)
    seed_connectors(story.root, seed=7)
    first = list(
        ConnectorRun.objects.order_by("started_at", "connector__name").values_list("started_at", "rows", "updated")
    )
    ConnectorRun.objects.all().delete()
    Connector.objects.all().delete()
    seed_connectors(story.root, seed=7)
    again = list(
        ConnectorRun.objects.order_by("started_at", "connector__name").values_list("started_at", "rows", "updated")
    )
    assert again == first
