from django.db import models
from django.utils.translation import gettext_lazy as _

from balai.core.periods import PeriodType
from balai.org.choices import UnitKind


class ScoredKind(models.TextChoices):
    """The unit kinds a scorecard ranks: agencies, and the kecamatan and kelurahan offices."""

    PERANGKAT_DAERAH = UnitKind.PERANGKAT_DAERAH.value, _("Perangkat daerah")
    KECAMATAN = UnitKind.KECAMATAN.value, _("Kecamatan")
    KELURAHAN = UnitKind.KELURAHAN.value, _("Kelurahan")


class ScorePeriod(models.TextChoices):
    """The period types of the dashboard's filter bar: a scorecard is read per month, quarter or year."""

    MONTH = PeriodType.MONTH.value, _("Monthly")
    QUARTER = PeriodType.QUARTER.value, _("Quarterly")
    YEAR = PeriodType.YEAR.value, _("Yearly")


#: Achievement above target counts, up to this cap, unless the item says otherwise (percent).
DEFAULT_CAP = 120.0
#: The allowed range of a cap: below 100 a unit could never reach its target's full points.
CAP_RANGE = (100.0, 200.0)
#: The range of the SKM's IKM (Permenpan-RB 14/2017: 25 × an index on a 1–4 scale).
IKM_RANGE = (25.0, 100.0)
IKM_CODE = "skm.ikm"
#: The indicators shown as pulling a unit down: the largest weighted shortfalls, at most this many.
PULL_DOWN_COUNT = 3
