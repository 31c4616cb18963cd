"""The reads of Satu Dasbor.

The dashboard reads only the Facts family (FactRollup, Target) plus Indicator and OrgUnit, never a
module's tables (ARCHITECTURE §3.4), always through ``visible_to``. Every function here costs a fixed
number of queries whatever the number of indicators, children or periods: the page is timed at scale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from balai.core.periods import ORDER, Period, PeriodType
from balai.indicators.choices import Aggregation, Polarity
from balai.indicators.models import FactRollup, Indicator, Target
from balai.org import access
from balai.org.choices import TERRITORIAL_KINDS, UnitKind
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import home_units, unit_children

SERIES_LENGTH = 12
#: Period types offered in the filter bar; the others are folded into one of these.
PERIOD_TYPES = (PeriodType.MONTH, PeriodType.QUARTER, PeriodType.YEAR)
#: Neighbourhood units are too many for a select and rarely a head's question; they stay reachable by drilling.
OPTION_EXCLUDED_KINDS = (UnitKind.RW, UnitKind.RT)
#: Indicator columns of the children table on a unit page (the indicator page shows one).
CHILD_COLUMNS = 3


# ------------------------------------------------------------------------------------------ scope
@dataclass(frozen=True)
class UnitOption:
    code: str
    name: str
    path: str
    level: int  # depth below the shallowest home unit, for indenting

    @property
    def indented_name(self) -> str:
        return "\u00a0\u00a0\u00a0" * self.level + self.name


@dataclass(frozen=True)
class Crumb:
    code: str
    name: str


@dataclass(frozen=True)
class DashboardScope:
    home: OrgUnit | None
    options: list[UnitOption]

    @property
    def is_empty(self) -> bool:
        return self.home is None


def dashboard_scope(user: Any) -> DashboardScope:
    """The user's home unit and the units of the filter bar (two queries)."""
    homes = home_units(user, Action.VIEW)
    if not homes:
        return DashboardScope(None, [])
    top = min(h.depth for h in homes)
    rows = (
        OrgUnit.objects.visible_to(user, Action.VIEW)
        .filter(is_active=True)
        .filter(kind__in=[k for k in UnitKind.values if k not in OPTION_EXCLUDED_KINDS])
        .order_by("path")
        .values_list("code", "name", "path", "depth")
    )
    options = [UnitOption(code, name, path, max(depth - top, 0)) for code, name, path, depth in rows]
    return DashboardScope(homes[0], options)


def breadcrumb(user: Any, unit: OrgUnit, options: list[UnitOption]) -> list[Crumb]:
    """Ancestors of ``unit`` the user may open, root first; never one outside the scope."""
    ancestors = unit.ancestor_paths[:-1]
    if user.is_superuser:
        allowed = ancestors
    else:
        scope = access.scope_paths(user, Action.VIEW)
        allowed = [p for p in ancestors if any(p.startswith(s) for s in scope)]
    if not allowed:
        return []
    known = {o.path: o for o in options}
    if all(p in known for p in allowed):
        return [Crumb(known[p].code, known[p].name) for p in allowed]
    # Only a neighbourhood unit (RW/RT) has an ancestor missing from the options.
    rows = {
        path: Crumb(code, name)
        for path, code, name in OrgUnit.objects.filter(path__in=allowed).values_list("path", "code", "name")
    }
    return [rows[p] for p in allowed if p in rows]


# ---------------------------------------------------------------------------------------- periods
def coarser(a: PeriodType, b: PeriodType) -> PeriodType:
    return a if ORDER.index(a) >= ORDER.index(b) else b


def shown_period(indicator_type: PeriodType, selected: Period) -> Period:
    """The period of an indicator shown for the selected one: the same, or the coarser one containing it."""
    ptype = coarser(indicator_type, selected.type)
    if ptype is selected.type:
        return selected
    return Period.containing(selected.anchor(), ptype)


# ------------------------------------------------------------------------------------------ cards
@dataclass(frozen=True)
class Point:
    period: str
    value: float | None
    target: float | None


@dataclass(frozen=True)
class Card:
    code: str
    name: str
    unit: str
    decimals: int
    polarity: int
    aggregation: str
    period: str
    selected_period: str
    value: float | None
    previous_period: str
    previous: float | None
    target: float | None
    series: list[Point]
    #: Sums over a period still running: days of it gone (today included) and its length; None otherwise.
    days_elapsed: int | None = None
    days_total: int | None = None

    @cached_property
    def has_value(self) -> bool:
        return self.value is not None

    @cached_property
    def is_containing(self) -> bool:
        """The indicator is reported per a coarser period than the one selected."""
        return self.period != self.selected_period

    @cached_property
    def delta_pct(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100

    @cached_property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @cached_property
    def delta_abs_pct(self) -> float | None:
        # The arrow carries the sign; the number reads "12,5%" not "-12,5%".
        pct = self.delta_pct
        return None if pct is None else abs(pct)

    @cached_property
    def direction(self) -> str:
        if self.value is None or self.previous is None or self.value == self.previous:
            return "flat" if self.value is not None and self.value == self.previous else ""
        return "up" if self.value > self.previous else "down"

    @property
    def in_progress(self) -> bool:
        """A count over a period that has not ended: its value is partial, so a drop from the last full period
        is no news (QA saw red arrows on the 22nd of every month)."""
        return self.days_elapsed is not None

    @cached_property
    def tone(self) -> str:
        """good / bad / neutral: the direction read through the indicator's polarity."""
        if self.in_progress or self.direction not in ("up", "down") or self.polarity == Polarity.NEUTRAL:
            return "neutral"
        better = (self.direction == "up") == (self.polarity == Polarity.HIGHER_IS_BETTER)
        return "good" if better else "bad"

    @cached_property
    def achievement(self) -> float | None:
        return achievement(self.value, self.target, self.polarity)

    @cached_property
    def achievement_bar(self) -> int:
        """The achievement clamped to 0–100 for a progress bar."""
        pct = self.achievement
        return 0 if pct is None else max(0, min(100, round(pct)))

    @cached_property
    def status(self) -> str:
        return traffic_light(self.achievement)

    @cached_property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @cached_property
    def has_targets(self) -> bool:
        return any(p.target is not None for p in self.series)


#: The traffic lights, in the order a legend lists them.
STATUSES = ("green", "amber", "red", "grey")
STATUS_LABELS = {
    "green": _("On target"),
    "amber": _("Near target"),
    "red": _("Below target"),
    "grey": _("No target"),
}


def traffic_light(achievement_pct: float | None) -> str:
    """green / amber / red from the achievement of target (already read through polarity); grey without target.

    The thresholds are settings (BALAI_DASHBOARD_GREEN_PCT, default 100; BALAI_DASHBOARD_AMBER_PCT, default 90).
    """
    if achievement_pct is None:
        return "grey"
    if achievement_pct >= settings.BALAI_DASHBOARD_GREEN_PCT:
        return "green"
    if achievement_pct >= settings.BALAI_DASHBOARD_AMBER_PCT:
        return "amber"
    return "red"


def achievement(value: float | None, target: float | None, polarity: int) -> float | None:
    """Percent of target achieved. For a lower-is-better indicator it is target / actual, as SAKIP
    reports do for "negative" indicators, so beating the target still reads above 100 %."""
    if value is None or target is None:
        return None
    if polarity == Polarity.LOWER_IS_BETTER:
        return target / value * 100 if value else None
    return value / target * 100 if target else None


def indicators_with_data(user: Any, unit: OrgUnit) -> list[Indicator]:
    """Active indicators having any roll-up for the unit (one query, an index probe per indicator)."""
    has_rollup = FactRollup.objects.visible_to(user, Action.VIEW).filter(indicator=OuterRef("pk"), org_unit=unit)
    return list(Indicator.objects.filter(is_active=True).filter(Exists(has_rollup)).order_by("sort_order", "code"))


def indicator_get(code: str) -> Indicator:
    try:
        return Indicator.objects.get(code=code, is_active=True)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


def cards_for(
    user: Any,
    unit: OrgUnit,
    selected: Period,
    indicators: list[Indicator],
    period_types: dict[int, str] | None = None,
    *,
    public: bool = False,
    today: dt.date | None = None,
) -> list[Card]:
    """One card per indicator with its value, previous value, target and a 12-period series (two queries).

    ``period_types`` may ask for an indicator per a coarser period type than its own (an overview tile's choice).
    ``public``: the transparency dashboard reads without a user; its caller passes public indicators only.
    ``today`` (the Pemda's date) marks sums over a period that has not ended as in progress.
    """
    if not indicators:
        return []
    period_types = period_types or {}
    # Indicators share a handful of period types, so the series are built once per type.
    by_type: dict[str, list[Period]] = {}
    series_of: dict[int, list[Period]] = {}
    for ind in indicators:
        ptype = PeriodType(ind.period_type)
        if period_types.get(ind.pk):
            ptype = coarser(ptype, PeriodType(period_types[ind.pk]))
        if ptype not in by_type:
            by_type[ptype] = shown_period(ptype, selected).series(SERIES_LENGTH)
        series_of[ind.pk] = by_type[ptype]
    period_ids = sorted({p.id for periods in series_of.values() for p in periods})
    ind_ids = [ind.pk for ind in indicators]
    rollups = FactRollup.objects.all() if public else FactRollup.objects.visible_to(user, Action.VIEW)
    target_qs = Target.objects.all() if public else Target.objects.visible_to(user, Action.VIEW)
    values = {
        (i, p): v
        for i, p, v in rollups.filter(org_unit=unit, indicator_id__in=ind_ids, period__in=period_ids).values_list(
            "indicator_id", "period", "value"
        )
    }
    targets = {
        (i, p): v
        for i, p, v in target_qs.filter(org_unit=unit, indicator_id__in=ind_ids, period__in=period_ids).values_list(
            "indicator_id", "period", "value"
        )
    }
    cards = []
    for ind in indicators:
        periods = series_of[ind.pk]
        points = [Point(p.id, values.get((ind.pk, p.id)), targets.get((ind.pk, p.id))) for p in periods]
        last = periods[-1]
        running = today is not None and ind.aggregation == Aggregation.SUM and last.start <= today <= last.end
        cards.append(
            Card(
                code=ind.code,
                name=ind.name,
                unit=ind.unit,
                decimals=ind.decimals,
                polarity=ind.polarity,
                aggregation=ind.aggregation,
                period=periods[-1].id,
                selected_period=selected.id,
                value=points[-1].value,
                previous_period=periods[-2].id,
                previous=points[-2].value,
                target=points[-1].target,
                series=points,
                days_elapsed=(today - last.start).days + 1 if running and today is not None else None,
                days_total=(last.end - last.start).days + 1 if running else None,
            )
        )
    return cards


# --------------------------------------------------------------------------------------- children
@dataclass(frozen=True)
class Cell:
    value: float | None
    target: float | None
    decimals: int
    polarity: int

    @property
    def achievement(self) -> float | None:
        return achievement(self.value, self.target, self.polarity)

    @property
    def status(self) -> str:
        return traffic_light(self.achievement)


@dataclass(frozen=True)
class ChildRow:
    code: str
    name: str
    kind: str
    cells: list[Cell]

    @property
    def is_territory(self) -> bool:
        return self.kind in TERRITORIAL_KINDS


#: What the public transparency dashboard drills into: territories down to the kelurahan, never an office's inside.
PUBLIC_KINDS = (UnitKind.PEMDA, UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA)


def children_rows(
    user: Any, unit: OrgUnit, selected: Period, indicators: list[Indicator], *, public: bool = False
) -> list[ChildRow]:
    """The unit's children in scope with each indicator's value and target: three queries whatever their number.

    Plain ``IN`` reads rather than a correlated subquery per column: the same index probes, and
    much less for the ORM to compile on every page view. ``public``: the territorial children, read without a
    user (the transparency dashboard passes public indicators only).
    """
    children_qs = (
        OrgUnit.objects.filter(parent=unit, is_active=True, kind__in=PUBLIC_KINDS).order_by("kind", "name")
        if public
        else unit_children(user, unit, Action.VIEW)
    )
    children = list(children_qs.values_list("id", "code", "name", "kind"))
    if not children:
        return []
    shown = {ind.pk: shown_period(PeriodType(ind.period_type), selected).id for ind in indicators}
    values: dict[tuple[int, int, str], float] = {}
    targets: dict[tuple[int, int, str], float] = {}
    if indicators:
        match = {
            "org_unit_id__in": [c[0] for c in children],
            "indicator_id__in": list(shown),
            "period__in": sorted(set(shown.values())),
        }
        fields = ("org_unit_id", "indicator_id", "period", "value")
        rollups = FactRollup.objects.all() if public else FactRollup.objects.visible_to(user, Action.VIEW)
        target_qs = Target.objects.all() if public else Target.objects.visible_to(user, Action.VIEW)
        values = {(u, i, p): v for u, i, p, v in rollups.filter(**match).values_list(*fields)}
        targets = {(u, i, p): v for u, i, p, v in target_qs.filter(**match).values_list(*fields)}
    rows = []
    for pk, code, name, kind in children:
        cells = []
        for ind in indicators:
            key = (pk, ind.pk, shown[ind.pk])
            cells.append(Cell(values.get(key), targets.get(key), ind.decimals, ind.polarity))
        rows.append(ChildRow(code, name, kind, cells))
    return rows


def chart_kind(aggregation: str) -> str:
    """Bars for counts that add up over time, a line for levels (averages, ratios, stocks)."""
    return "bar" if aggregation == Aggregation.SUM else "line"
