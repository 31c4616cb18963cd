"""The writes of Satu Dasbor: an overview layout per role and the units' boundaries (never a figure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from balai.core.audit import audit_record
from balai.dashboard.choices import TileChart, TilePeriodType
from balai.dashboard.layout import LAYOUT_ROLES
from balai.dashboard.models import OverviewTile, UnitBoundary
from balai.indicators.models import Indicator
from balai.org.models import OrgUnit

#: More tiles than this is no longer an overview (and the page is benchmarked at 40).
MAX_TILES = 60


class LayoutError(ValueError):
    """The layout was refused; nothing was changed. ``errors`` says why, one message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class TileSpec:
    indicator: str  # indicator code
    period_type: str = TilePeriodType.SELECTED
    chart: str = TileChart.SPARK


def overview_layout_set(*, actor: Any, role: str, tiles: list[TileSpec]) -> list[OverviewTile]:
    """Replace the layout of ``role`` with ``tiles`` in this order; an empty list brings back the default.

    Refused as a whole (LayoutError) on an unknown role, an unknown or inactive indicator, a duplicate, an
    unknown period type or chart, or too many tiles.
    """
    errors: list[str] = []
    if role not in LAYOUT_ROLES:
        raise LayoutError([_("Unknown role: %(role)s.") % {"role": role}])
    if len(tiles) > MAX_TILES:
        errors.append(_("At most %(max)d tiles per role.") % {"max": MAX_TILES})
    codes = [t.indicator for t in tiles]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    seen: set[str] = set()
    for n, tile in enumerate(tiles, start=1):
        ind = found.get(tile.indicator)
        if ind is None:
            errors.append(_("Tile %(n)d: unknown indicator %(code)s.") % {"n": n, "code": tile.indicator})
        elif not ind.is_active:
            errors.append(_("Tile %(n)d: indicator %(code)s is inactive.") % {"n": n, "code": tile.indicator})
        if tile.indicator in seen:
            errors.append(
                _("Tile %(n)d: indicator %(code)s is already on this layout.") % {"n": n, "code": tile.indicator}
            )
        seen.add(tile.indicator)
        if tile.period_type not in TilePeriodType.values:
            errors.append(_("Tile %(n)d: unknown period type %(value)s.") % {"n": n, "value": tile.period_type})
        if tile.chart not in TileChart.values:
            errors.append(_("Tile %(n)d: unknown chart %(value)s.") % {"n": n, "value": tile.chart})
    if errors:
        raise LayoutError(errors)
    with transaction.atomic():
        before = list(
            OverviewTile.objects.select_for_update()
            .filter(role=role)
            .order_by("position")
            .values_list("indicator__code", flat=True)
        )
        OverviewTile.objects.filter(role=role).delete()
        created = OverviewTile.objects.bulk_create(
            [
                OverviewTile(
                    role=role, indicator=found[t.indicator], position=n, period_type=t.period_type, chart=t.chart
                )
                for n, t in enumerate(tiles, start=1)
            ]
        )
        audit_record(
            actor=actor,
            action="dashboard.layout_set",
            object_repr=f"overview layout: {role}",
            changes={"role": role, "before": before, "after": codes},
        )
    return created


# ------------------------------------------------------------------------------------- boundaries
GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


@dataclass
class BoundaryReport:
    loaded: list[str] = field(default_factory=list)  # unit codes whose boundary was created
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (feature number from 1, reason)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "loaded": len(self.loaded),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "refused": [{"feature": n, "reason": r} for n, r in self.refused],
            "dry_run": self.dry_run,
        }


class BoundaryFileError(ValueError):
    """The file is not a GeoJSON FeatureCollection at all: nothing was loaded."""


def _ring_error(ring: Any) -> str:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("a ring needs at least 4 positions")
    for pos in ring:
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in pos[:2])
        ):
            return _("a position is not a pair of numbers")
        if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
            return _("a position is outside longitude/latitude range (WGS 84 expected)")
    if ring[0][:2] != ring[-1][:2]:
        return _("a ring is not closed (first and last positions differ)")
    return ""


def geometry_error(geometry: Any) -> str:
    """Why a GeoJSON geometry cannot be a boundary ("" when it can)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return _("the geometry must be a Polygon or MultiPolygon")
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        return _("the geometry has no coordinates")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return _("a polygon has no ring")
        for ring in polygon:
            err = _ring_error(ring)
            if err:
                return err
    return ""


def boundaries_load(
    *, actor: Any, collection: Any, code_property: str = "code", source: str = "", dry_run: bool = False
) -> BoundaryReport:
    """Load boundaries from a GeoJSON FeatureCollection, each feature matched to a unit by Kemendagri code.

    The feature's ``properties[code_property]`` is compared with ``OrgUnit.kemendagri_code`` and then ``code``
    (63.72.04 or 6372040; dots are optional). Good features are loaded and bad ones reported with the reason,
    as imports do per row; with ``dry_run`` nothing is written.
    """
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryFileError(_("The file is not a GeoJSON FeatureCollection."))
    features = collection.get("features")
    if not isinstance(features, list):
        raise BoundaryFileError(_("The FeatureCollection has no list of features."))
    report = BoundaryReport(dry_run=dry_run)
    wanted: dict[int, tuple[str, Any]] = {}
    for n, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        raw = props.get(code_property) if isinstance(props, dict) else None
        if raw in (None, ""):
            report.refused.append((n, _("no %(prop)s property") % {"prop": code_property}))
            continue
        err = geometry_error(feature.get("geometry"))
        if err:
            report.refused.append((n, f"{raw}: {err}"))
            continue
        wanted[n] = (str(raw).strip(), feature["geometry"])
    units = list(OrgUnit.objects.filter(is_active=True).values_list("pk", "code", "kemendagri_code"))
    by_code: dict[str, int] = {}
    for pk, code, kemendagri in units:
        for key in (code, kemendagri):
            if key:
                by_code.setdefault(key.replace(".", ""), pk)
    matched: dict[int, tuple[int, str, Any]] = {}
    unit_codes = {pk: code for pk, code, _k in units}
    used: dict[int, int] = {}
    for n, (raw, geometry) in wanted.items():
        found = by_code.get(raw.replace(".", ""))
        if found is None:
            report.refused.append((n, _("%(code)s: no unit has this code") % {"code": raw}))
        elif found in used:
            report.refused.append(
                (n, _("%(code)s: the same unit as feature %(other)d") % {"code": raw, "other": used[found]})
            )
        else:
            used[found] = n
            matched[n] = (found, raw, geometry)
    report.refused.sort()
    with transaction.atomic():
        existing = {
            b.org_unit_id: b for b in UnitBoundary.objects.select_for_update().filter(org_unit_id__in=list(used))
        }
        for pk, _raw, geometry in matched.values():
            code = unit_codes[pk]
            current = existing.get(pk)
            if current is None:
                report.loaded.append(code)
                if not dry_run:
                    UnitBoundary.objects.create(org_unit_id=pk, geometry=geometry, source=source[:200])
            elif current.geometry == geometry:
                report.unchanged.append(code)
            else:
                report.updated.append(code)
                if not dry_run:
                    current.geometry = geometry
                    current.source = source[:200]
                    current.save(update_fields=["geometry", "source", "updated_at"])
        if not dry_run and (report.loaded or report.updated):
            audit_record(
                actor=actor,
                action="dashboard.boundaries_load",
                object_repr=f"boundaries: {source}"[:255],
                changes={"loaded": report.loaded, "updated": report.updated, "refused": len(report.refused)},
            )
    return report
