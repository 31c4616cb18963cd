"""Demo scorecards: one per unit kind (perangkat daerah, kecamatan, kelurahan) on indicators the demo fills.

The agencies' scorecard is read per month (the rakor reviews last month); the territories' per quarter,
because the SKM's IKM is quarterly. Items are indicators the demo fills for most units of the kind. Budget
realisation is cumulative, so each agency also gets the month's target of the city's spending plan (a
default target would be wrong in every month but one).
"""

from __future__ import annotations

from django.db import transaction

from balai.core.periods import Period
from balai.indicators import services as indicators
from balai.indicators.models import Indicator
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.scorecards.models import Scorecard
from balai.scorecards.services import ItemSpec, scorecard_save

#: Cumulative share of the year's budget planned to be spent by the end of each month (%), the quarter ends
#: matching the city's quarterly targets (15, 40, 65, 95).
BUDGET_PLAN = [5.0, 10.0, 15.0, 23.0, 32.0, 40.0, 48.0, 57.0, 65.0, 75.0, 85.0, 95.0]

TERRITORY_ITEMS = [
    ItemSpec("complaints.verified_3d_rate", 30, 90),
    ItemSpec("skm.ikm", 30, 82),
    ItemSpec("applications.completed_on_time_rate", 20, 80),
    ItemSpec("attendance.presence_rate", 20, 95, cap=105),
]
SCORECARDS = [
    (
        "Kinerja perangkat daerah",
        UnitKind.PERANGKAT_DAERAH,
        "month",
        [
            ItemSpec("budget.realisation_rate", 40, 60),
            ItemSpec("attendance.presence_rate", 40, 95, cap=105),
            # Most agencies handle no citizen reports: they show "no data" here, which the rakor asks about.
            ItemSpec("complaints.resolved_on_time_rate", 20, 80),
        ],
    ),
    ("Kinerja kecamatan", UnitKind.KECAMATAN, "quarter", TERRITORY_ITEMS),
    ("Kinerja kelurahan", UnitKind.KELURAHAN, "quarter", TERRITORY_ITEMS),
]


def seed_scorecards(root: OrgUnit, *, months: list[Period]) -> dict[str, int]:
    """The three scorecards (once) and the agencies' monthly budget targets for ``months``."""
    created = 0
    with transaction.atomic():
        for name, kind, period_type, items in SCORECARDS:
            if Scorecard.objects.filter(name=name).exists():
                continue
            scorecard_save(actor=None, name=name, unit_kind=kind, period_type=period_type, items=items)
            created += 1
        budget = Indicator.objects.get(code="budget.realisation_rate")
        agencies = list(OrgUnit.objects.filter(kind=UnitKind.PERANGKAT_DAERAH, path__startswith=root.path))
        targets = 0
        for month in months:
            for unit in agencies:
                indicators.target_set(
                    actor=None,
                    indicator=budget,
                    org_unit=unit,
                    period=month.id,
                    value=BUDGET_PLAN[month.start.month - 1],
                )
                targets += 1
    return {"scorecards": created, "targets": targets}
