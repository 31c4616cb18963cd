from django.db import models
from django.utils.translation import gettext_lazy as _


class TileChart(models.TextChoices):
    SPARK = "spark", _("Sparkline")
    TREND = "trend", _("Trend chart with target")
    NONE = "none", _("No chart")


class TilePeriodType(models.TextChoices):
    """A tile may show its indicator per a coarser period than the one selected (a yearly figure on a monthly view)."""

    SELECTED = "", _("As selected")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class MapLevel(models.TextChoices):
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan / desa")
