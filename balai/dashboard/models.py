"""The configuration of Satu Dasbor: which indicators each role sees first, and the units' boundaries.

Neither holds a figure: the numbers stay in the Facts family (ARCHITECTURE §3.4).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.dashboard.choices import TileChart, TilePeriodType
from balai.org.roles import Role


class OverviewTile(models.Model):
    """One KPI tile of a role's overview, in the order an administrator chose (Bappeda curates it)."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, db_index=True)
    indicator = models.ForeignKey(
        "indicators.Indicator", on_delete=models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    period_type = models.CharField(
        _("period type"), max_length=10, choices=TilePeriodType.choices, default=TilePeriodType.SELECTED, blank=True
    )
    chart = models.CharField(_("chart"), max_length=10, choices=TileChart.choices, default=TileChart.SPARK)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["role", "indicator"], name="uniq_overview_tile"),
            models.UniqueConstraint(fields=["role", "position"], name="uniq_overview_tile_position"),
        ]
        verbose_name = _("overview tile")
        verbose_name_plural = _("overview tiles")

    def __str__(self) -> str:
        return f"{self.role} #{self.position}: {self.indicator_id}"


class UnitBoundary(models.Model):
    """The boundary of a territory as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84), for the map.

    Optional: without it the map draws the unit as a point at its latitude/longitude. Loaded from a
    FeatureCollection by ``balai dashboard_boundaries_load``.
    """

    org_unit = models.OneToOneField(
        "org.OrgUnit", on_delete=models.CASCADE, related_name="boundary", verbose_name=_("unit")
    )
    geometry = models.JSONField(_("geometry"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit boundary")
        verbose_name_plural = _("unit boundaries")

    def __str__(self) -> str:
        return f"boundary of {self.org_unit_id}"
