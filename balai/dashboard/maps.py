"""The map of Satu Dasbor: a unit's kecamatan or kelurahan coloured by one indicator (selectors of the map).

A unit is drawn as its boundary polygon when one was loaded (UnitBoundary), else as a point at its
latitude/longitude, else at the centre of its located children (a kecamatan without coordinates sits amid
its kelurahan). Two or three queries whatever the number of units: units with boundaries, the roll-ups of
the shown period, and the kelurahan points only when some kecamatan has no position of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from balai.core.periods import Period, PeriodType
from balai.core.scoping import subtree_q
from balai.dashboard.choices import MapLevel
from balai.dashboard.selectors import shown_period
from balai.indicators.choices import Polarity
from balai.indicators.models import FactRollup, Indicator
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action

#: Colour classes of the map: equal intervals between the smallest and the largest value shown.
CLASSES = 5
LEVEL_KINDS: dict[str, tuple[str, ...]] = {
    MapLevel.KECAMATAN: (UnitKind.KECAMATAN,),
    MapLevel.KELURAHAN: (UnitKind.KELURAHAN, UnitKind.DESA),
}


@dataclass(frozen=True)
class MapUnit:
    code: str
    name: str
    lat: float | None
    lon: float | None
    geometry: dict[str, Any] | None
    value: float | None
    tone: str  # colour key: q0 (worst) … q4 (best), n0 … n4 for neutral indicators, "none" without data

    @property
    def is_drawn(self) -> bool:
        return self.geometry is not None or (self.lat is not None and self.lon is not None)


@dataclass(frozen=True)
class LegendClass:
    tone: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class MapLayer:
    indicator: Indicator
    period: str
    level: str
    units: list[MapUnit]
    legend: list[LegendClass]

    @property
    def drawn(self) -> int:
        return sum(1 for u in self.units if u.is_drawn)


def map_levels(unit: OrgUnit) -> list[str]:
    """The levels a unit's map can show: a Pemda its kecamatan or kelurahan, a kecamatan its kelurahan."""
    if unit.kind == UnitKind.PEMDA:
        return [MapLevel.KECAMATAN, MapLevel.KELURAHAN]
    if unit.kind == UnitKind.KECAMATAN:
        return [MapLevel.KELURAHAN]
    return []


def _tone(index: int, classes: int, polarity: int) -> str:
    """The colour key of class ``index`` of ``classes``: spread on 0–4, the best values green."""
    if classes <= 1:
        return "n2"
    step = round(index * (CLASSES - 1) / (classes - 1))
    if polarity == Polarity.NEUTRAL:
        return f"n{step}"
    return f"q{step}" if polarity == Polarity.HIGHER_IS_BETTER else f"q{CLASSES - 1 - step}"


def classify(values: list[float], polarity: int) -> tuple[list[LegendClass], list[float]]:
    """Equal-interval classes over the values: the legend and the upper bounds (the last one is the maximum)."""
    if not values:
        return [], []
    low, high = min(values), max(values)
    classes = min(CLASSES, len(set(values)))
    if classes <= 1 or high == low:
        return [LegendClass(_tone(0, 1, polarity), low, high)], [high]
    width = (high - low) / classes
    bounds = [low + width * (i + 1) for i in range(classes)]
    bounds[-1] = high
    legend = [
        LegendClass(_tone(i, classes, polarity), low if i == 0 else bounds[i - 1], bounds[i]) for i in range(classes)
    ]
    return legend, bounds


def tone_of(value: float | None, legend: list[LegendClass], bounds: list[float]) -> str:
    if value is None:
        return "none"
    for cls, bound in zip(legend, bounds, strict=True):
        if value <= bound:
            return cls.tone
    return legend[-1].tone


def map_layer(
    *, user: Any, unit: OrgUnit, selected: Period, indicator: Indicator, level: str, public: bool = False
) -> MapLayer:
    """The units of ``level`` under ``unit`` with the indicator's value for the selected period.

    ``public``: the transparency dashboard, read without a user; the caller passes a public indicator only.
    """
    kinds = LEVEL_KINDS.get(level, ())
    units_qs: QuerySet[OrgUnit] = OrgUnit.objects.all() if public else OrgUnit.objects.visible_to(user, Action.VIEW)
    rows = list(
        units_qs.filter(subtree_q(unit.path), kind__in=kinds, is_active=True)
        .exclude(pk=unit.pk)
        .order_by("name")
        .values_list("pk", "code", "name", "latitude", "longitude", "boundary__geometry")
    )
    period = shown_period(PeriodType(indicator.period_type), selected).id
    rollups = FactRollup.objects.all() if public else FactRollup.objects.visible_to(user, Action.VIEW)
    values = dict(
        rollups.filter(indicator=indicator, period=period, org_unit_id__in=[r[0] for r in rows]).values_list(
            "org_unit_id", "value"
        )
    )
    # Only a kecamatan is placed amid its children: a kelurahan's RWs have no coordinates of their own.
    missing = [r[0] for r in rows if level == MapLevel.KECAMATAN and r[5] is None and (r[3] is None or r[4] is None)]
    centres: dict[int, tuple[float, float]] = {}
    if missing:
        points: dict[int, list[tuple[float, float]]] = {}
        for parent, lat, lon in OrgUnit.objects.filter(
            parent_id__in=missing, is_active=True, latitude__isnull=False, longitude__isnull=False
        ).values_list("parent_id", "latitude", "longitude"):
            if parent is not None and lat is not None and lon is not None:
                points.setdefault(parent, []).append((lat, lon))
        centres = {
            pk: (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) for pk, pts in points.items()
        }
    legend, bounds = classify([v for v in values.values() if v is not None], indicator.polarity)
    units = []
    for pk, code, name, lat, lon, geometry in rows:
        if geometry is None and (lat is None or lon is None) and pk in centres:
            lat, lon = centres[pk]
        value = values.get(pk)
        units.append(MapUnit(code, name, lat, lon, geometry, value, tone_of(value, legend, bounds)))
    return MapLayer(indicator, period, level, units, legend)
