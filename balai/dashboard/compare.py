"""Comparisons of Satu Dasbor (selectors): one unit in two periods, and two to four units side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import Http404

from balai.core.periods import Period, PeriodType
from balai.dashboard.selectors import Card, Cell, shown_period
from balai.indicators.models import FactRollup, Indicator, Target
from balai.org.models import OrgUnit
from balai.org.roles import Action

MIN_UNITS, MAX_UNITS = 2, 4


def compare_periods(user: Any, unit: OrgUnit, a: Period, b: Period, indicators: list[Indicator]) -> list[Card]:
    """Each indicator in period A (``previous``) and period B (``value``), with B's target (two queries).

    An indicator reported per a coarser period than A and B is read in the periods containing them.
    """
    if not indicators:
        return []
    shown = {
        ind.pk: (shown_period(PeriodType(ind.period_type), a).id, shown_period(PeriodType(ind.period_type), b).id)
        for ind in indicators
    }
    period_ids = sorted({p for pair in shown.values() for p in pair})
    match = {"org_unit": unit, "indicator_id__in": list(shown), "period__in": period_ids}
    values = {
        (i, p): v
        for i, p, v in FactRollup.objects.visible_to(user, Action.VIEW)
        .filter(**match)
        .values_list("indicator_id", "period", "value")
    }
    targets = {
        (i, p): v
        for i, p, v in Target.objects.visible_to(user, Action.VIEW)
        .filter(**match)
        .values_list("indicator_id", "period", "value")
    }
    rows = []
    for ind in indicators:
        pa, pb = shown[ind.pk]
        rows.append(
            Card(
                code=ind.code,
                name=ind.name,
                unit=ind.unit,
                decimals=ind.decimals,
                polarity=ind.polarity,
                aggregation=ind.aggregation,
                period=pb,
                selected_period=b.id,
                value=values.get((ind.pk, pb)),
                previous_period=pa,
                previous=values.get((ind.pk, pa)),
                target=targets.get((ind.pk, pb)),
                series=[],
            )
        )
    return rows


def units_get(user: Any, codes: list[str]) -> list[OrgUnit]:
    """The units to compare, in the order asked (one query); any unit out of scope or unknown answers 404."""
    wanted = list(dict.fromkeys(codes))
    found = {u.code: u for u in OrgUnit.objects.visible_to(user, Action.VIEW).filter(code__in=wanted, is_active=True)}
    if len(found) != len(wanted):
        raise Http404
    return [found[c] for c in wanted]


def indicators_for_units(user: Any, units: list[OrgUnit]) -> list[Indicator]:
    """Active indicators with a roll-up in any of the units (one query)."""
    has_rollup = FactRollup.objects.visible_to(user, Action.VIEW).filter(
        indicator=OuterRef("pk"), org_unit__in=[u.pk for u in units]
    )
    return list(Indicator.objects.filter(is_active=True).filter(Exists(has_rollup)).order_by("sort_order", "code"))


@dataclass(frozen=True)
class CompareRow:
    code: str
    name: str
    unit: str
    period: str
    cells: list[Cell]


def compare_units(user: Any, units: list[OrgUnit], selected: Period, indicators: list[Indicator]) -> list[CompareRow]:
    """Indicators as rows, the units as columns, each cell with value, target and traffic light (two queries)."""
    if not indicators or not units:
        return []
    shown = {ind.pk: shown_period(PeriodType(ind.period_type), selected).id for ind in indicators}
    match = {
        "org_unit_id__in": [u.pk for u in units],
        "indicator_id__in": list(shown),
        "period__in": sorted(set(shown.values())),
    }
    fields = ("org_unit_id", "indicator_id", "period", "value")
    values = {
        (u, i, p): v
        for u, i, p, v in FactRollup.objects.visible_to(user, Action.VIEW).filter(**match).values_list(*fields)
    }
    targets = {
        (u, i, p): v for u, i, p, v in Target.objects.visible_to(user, Action.VIEW).filter(**match).values_list(*fields)
    }
    rows = []
    for ind in indicators:
        period = shown[ind.pk]
        cells = [
            Cell(values.get((u.pk, ind.pk, period)), targets.get((u.pk, ind.pk, period)), ind.decimals, ind.polarity)
            for u in units
        ]
        rows.append(CompareRow(ind.code, ind.name, ind.unit, period, cells))
    return rows
