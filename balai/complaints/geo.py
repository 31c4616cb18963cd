"""Where a report is: the nearest kelurahan/desa centroid, inside the Pemda's extent.

Without boundary polygons (not published as open data for most Pemda) the nearest centroid is the honest
approximation; the clerk corrects the kelurahan during verification when a report sits on a border.
"""

from __future__ import annotations

import copy
import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balai.core.localcache import StampedCache, table_stamp
from balai.core.scoping import subtree_q
from balai.org.choices import UnitKind
from balai.org.models import PATH_MAX, OrgUnit

BOX_MARGIN = 0.05  # degrees (≈ 5.5 km): the built-up edge of a town reaches past its outer kelurahan centroids
DATA_DIR = Path(__file__).resolve().parent / "data"
VILLAGE_KINDS = (UnitKind.KELURAHAN, UnitKind.DESA)


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def _villages_stamp(key: Any) -> tuple[Any, ...]:
    """How many kelurahan/desa the Pemda has, the newest one and when one last changed: one small read on the
    (kind, path) index. Adding, deleting, (de)activating or moving the centroid of one changes it (all go
    through save() or delete()). A subtree move rewrites paths without touching ``updated_at``; the intake does
    not use a kelurahan's path beyond "inside the Pemda", which a move within the Pemda keeps."""
    _pk, path = key
    return table_stamp(
        OrgUnit,
        "kind IN (%s, %s) AND path >= %s AND path <= %s",
        [*(k.value for k in VILLAGE_KINDS), path, path + "9" * (PATH_MAX - len(path))],
    )


def _villages_load(key: Any) -> list[OrgUnit]:
    _pk, path = key
    return list(
        OrgUnit.objects.filter(
            subtree_q(path), kind__in=VILLAGE_KINDS, is_active=True, latitude__isnull=False, longitude__isnull=False
        )
    )


# Per process, per Pemda (id, path): its located active kelurahan/desa. See balai.core.localcache.
_villages_cache: StampedCache[list[OrgUnit]] = StampedCache(
    "org.villages", _villages_stamp, _villages_load, models=(OrgUnit,)
)


def villages_located(pemda: OrgUnit) -> list[OrgUnit]:
    """The Pemda's active kelurahan/desa that have a centroid.

    Every located report reads them (hundreds of rows in a kabupaten): kept per process and re-validated by
    :func:`_villages_stamp` (at most every ``BALAI_LOCAL_CACHE_SECONDS``). The instances are shared: read
    them, do not change them (territory_for_point() hands out a copy).
    """
    return list(_villages_cache.get((pemda.pk, pemda.path), []))


def pemda_box(pemda: OrgUnit, villages: list[OrgUnit] | None = None) -> Box | None:
    """The centroids' extent plus a margin; None when no centroid is known (nothing can be checked)."""
    villages = villages_located(pemda) if villages is None else villages
    if not villages:
        return None
    lats = [v.latitude for v in villages if v.latitude is not None]
    lons = [v.longitude for v in villages if v.longitude is not None]
    return Box(min(lats) - BOX_MARGIN, min(lons) - BOX_MARGIN, max(lats) + BOX_MARGIN, max(lons) + BOX_MARGIN)


def territory_for_point(
    pemda: OrgUnit, lat: float, lon: float, villages: list[OrgUnit] | None = None
) -> OrgUnit | None:
    """The kelurahan/desa whose centroid is nearest, or None when the point is outside the Pemda."""
    villages = villages_located(pemda) if villages is None else villages
    box = pemda_box(pemda, villages)
    if box is None or not box.contains(lat, lon):
        return None
    scale = math.cos(math.radians(lat))  # a degree of longitude shrinks away from the equator

    def distance2(v: OrgUnit) -> float:
        return (v.latitude - lat) ** 2 + ((v.longitude - lon) * scale) ** 2  # type: ignore[operator]

    return copy.copy(min(villages, key=distance2))  # the caller may keep or change it; the cache must not


def territory_at(pemda: OrgUnit, lat: float, lon: float) -> OrgUnit | None:
    """The kelurahan/desa of a point (a copy); None when the Pemda has no centroids to tell by.

    Raises ValidationError (code "outside", field "location") for a point outside the Pemda's area."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    villages = villages_located(pemda)
    found = territory_for_point(pemda, lat, lon, villages)
    if found is None and pemda_box(pemda, villages) is not None:
        message = _("This place is outside %(pemda)s: we can only handle reports inside our area.") % {
            "pemda": pemda.short_name or pemda.name
        }
        raise ValidationError({"location": [ValidationError(message, code="outside")]})
    return found


def centroids_read(path: Path) -> dict[str, tuple[float, float]]:
    text = path.read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO("".join(line for line in text.splitlines(True) if not line.startswith("#"))))
    return {row["code"].strip(): (float(row["lat"]), float(row["lon"])) for row in rows}


def centroids_load(pemda: OrgUnit, path: Path | None = None) -> int:
    """Set the approximate kelurahan centroids shipped for the Pemda; returns how many units were updated."""
    from balai.org.services import orgunit_update

    path = path or DATA_DIR / "banjarbaru_kelurahan.csv"
    centroids = centroids_read(path)
    updated = 0
    for unit in OrgUnit.objects.subtree_of(pemda).filter(code__in=list(centroids)):
        lat, lon = centroids[unit.code]
        if (unit.latitude, unit.longitude) != (lat, lon):
            orgunit_update(actor=None, unit=unit, latitude=lat, longitude=lon)
            updated += 1
    return updated
