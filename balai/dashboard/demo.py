"""Demo of the overview: kecamatan on the map, the head of region's tiles, and targets for their traffic lights.

Deterministic: the same window gives the same layout and targets. Writes go through the services.
"""

from __future__ import annotations

from pathlib import Path

from balai.complaints.geo import centroids_load
from balai.core.periods import Period, PeriodType
from balai.dashboard.choices import TileChart, TilePeriodType
from balai.dashboard.services import TileSpec, overview_layout_set
from balai.indicators import services as indicators
from balai.indicators.models import Indicator
from balai.org.models import OrgUnit
from balai.org.roles import Role

DATA = Path(__file__).resolve().parent / "data" / "banjarbaru_kecamatan.csv"

#: The head of region's overview, in this order: what the walikota asks about first (complaints, services,
#: satisfaction, money), as Bappeda would set it up. Codes missing from this installation are skipped.
HEAD_TILES = [
    TileSpec("complaints.received"),
    TileSpec("complaints.resolved_on_time_rate"),
    TileSpec("complaints.verified_3d_rate"),
    TileSpec("complaints.overdue_open"),
    TileSpec("applications.received"),
    TileSpec("applications.completed_on_time_rate"),
    TileSpec("services.visits"),
    TileSpec("services.wait_minutes"),
    TileSpec("skm.ikm", TilePeriodType.QUARTER),
    TileSpec("budget.realisation_rate", chart=TileChart.TREND),
    TileSpec("attendance.presence_rate"),
    TileSpec("population.residents", TilePeriodType.SELECTED, TileChart.NONE),
]
CAMAT_TILES = [
    TileSpec("complaints.received"),
    TileSpec("complaints.resolved_on_time_rate"),
    TileSpec("kelurahan.visits"),
    TileSpec("services.visits"),
    TileSpec("population.residents", chart=TileChart.NONE),
]
#: Monthly city targets of the tiles above (value, months), so the traffic lights have something to read.
MONTHLY_TARGETS = {
    "complaints.resolved_on_time_rate": 90.0,
    "complaints.verified_3d_rate": 95.0,
    "applications.completed_on_time_rate": 90.0,
    "services.wait_minutes": 15.0,
    "attendance.presence_rate": 95.0,
}
QUARTERLY_TARGETS = {"skm.ikm": 82.0}


def kecamatan_load(root: OrgUnit) -> int:
    """Place the kecamatan (and the kelurahan, if not yet) on the map; returns how many kecamatan moved."""
    centroids_load(root)
    return centroids_load(root, DATA)


def seed_overview(root: OrgUnit, months: list[Period]) -> None:
    kecamatan_load(root)
    active = set(Indicator.objects.filter(is_active=True).values_list("code", flat=True))
    head = [t for t in HEAD_TILES if t.indicator in active]
    overview_layout_set(actor=None, role=Role.HEAD_OF_REGION, tiles=head)
    overview_layout_set(actor=None, role=Role.ADMIN, tiles=head)
    overview_layout_set(actor=None, role=Role.CAMAT, tiles=[t for t in CAMAT_TILES if t.indicator in active])
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=[*MONTHLY_TARGETS, *QUARTERLY_TARGETS])}
    quarters = sorted({Period.containing(m.start, PeriodType.QUARTER) for m in months}, key=lambda p: p.start)
    for code, value in MONTHLY_TARGETS.items():
        if code in by_code:
            for month in months:
                indicators.target_set(actor=None, indicator=by_code[code], org_unit=root, period=month.id, value=value)
    for code, value in QUARTERLY_TARGETS.items():
        if code in by_code:
            for quarter in quarters:
                indicators.target_set(
                    actor=None, indicator=by_code[code], org_unit=root, period=quarter.id, value=value
                )
