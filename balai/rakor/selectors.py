"""The read path of rakor packs: the archive, and the numbers of one month's pack.

The pack reads the Facts family only (FactRollup, Target, Indicator, OrgUnit) through ``visible_to``
of the person who asked for it, plus the perangkat daerah scorecard (``balai.scorecards``). Its cost
is a fixed number of queries whatever the number of perangkat daerah or indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from balai.core.periods import Period, PeriodType, is_coarser_or_equal
from balai.dashboard.selectors import achievement
from balai.indicators.models import FactRollup, Indicator, Target
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, RoleAssignment
from balai.org.roles import Action, Role
from balai.org.selectors import pemda_root
from balai.rakor.models import RakorPack
from balai.scorecards import selectors as scorecards
from balai.scorecards.models import Scorecard

TREND_MONTHS = 12
#: Indicator rows on one perangkat daerah's page; the XLSX carries all of them.
PAGE_LINES = 22
#: Who presses the button: the head of region (and Sekda) and the city administrators.
GENERATING_ROLES = (Role.HEAD_OF_REGION, Role.ADMIN)


# ------------------------------------------------------------------------------------------ access
def sees_packs(user: Any) -> bool:
    """Packs carry every perangkat daerah's numbers: roles that view the whole city only."""
    return scorecards.sees_whole_city(user)


def can_generate(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user_id=user.pk, role__in=GENERATING_ROLES, org_unit__parent__isnull=True, org_unit__is_active=True
    ).exists()


def packs_visible(user: Any) -> QuerySet[RakorPack]:
    return RakorPack.objects.visible_to(user, Action.VIEW).select_related("created_by")


def pack_get(user: Any, pk: Any) -> RakorPack:
    return RakorPack.objects.select_related("created_by").get_visible(user, Action.VIEW, pk=pk)


# ----------------------------------------------------------------------------------------- content
@dataclass(frozen=True)
class Line:
    code: str
    name: str
    unit: str
    decimals: int
    value: float | None
    previous: float | None
    target: float | None
    polarity: int

    @property
    def achievement(self) -> float | None:
        return achievement(self.value, self.target, self.polarity)


@dataclass(frozen=True)
class TrendPoint:
    period: str
    label: str
    score: float | None


@dataclass
class UnitPage:
    unit_id: int
    code: str
    name: str
    lines: list[Line]
    score: float | None = None
    rank: int | None = None
    pulling_down: list[str] = field(default_factory=list)
    no_data: list[str] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    #: Alert lines of this perangkat daerah for the month, one sentence each, printed under "Peringatan".
    #: Filled by the caller from the alerts module (``alerts_for_pack``); empty prints "Tidak ada peringatan".
    alerts: list[str] = field(default_factory=list)


@dataclass
class PackContent:
    pemda: str
    period: Period
    previous: Period
    city: list[Line]
    units: list[UnitPage]
    scorecard: Scorecard | None
    score_period: Period | None
    #: Indicators in the order of the XLSX sheets: (code, name, unit, decimals).
    indicators: list[tuple[str, str, str, int]]


def pack_scorecard() -> Scorecard | None:
    """The perangkat daerah scorecard the pack scores with: the monthly one first, else the coarsest active."""
    order = {"month": 0, "quarter": 1, "year": 2}
    rows = list(Scorecard.objects.filter(is_active=True, unit_kind=UnitKind.PERANGKAT_DAERAH).order_by("pk"))
    return min(rows, key=lambda s: (order.get(s.period_type, 9), s.pk)) if rows else None


def month_label(period: Period) -> str:
    return period.label("id")


def pack_content(user: Any, period: Period) -> PackContent:
    """Everything the pack prints for ``period`` (a month), as ``user`` may see it."""
    root = pemda_root()
    if root is None:
        raise ValueError("no Pemda")
    previous = period.previous()
    units = list(
        OrgUnit.objects.visible_to(user, Action.VIEW)
        .filter(kind=UnitKind.PERANGKAT_DAERAH, is_active=True)
        .order_by("name")
        .values_list("id", "code", "name")
    )
    unit_ids = [u[0] for u in units]
    month_types = [t.value for t in PeriodType if is_coarser_or_equal(PeriodType.MONTH, t)]
    indicators = {
        ind.pk: ind
        for ind in Indicator.objects.filter(is_active=True, period_type__in=month_types).order_by("sort_order", "code")
    }
    where = Q(org_unit_id__in=[root.pk, *unit_ids]) & Q(indicator_id__in=list(indicators))
    values: dict[tuple[int, int, str], float] = {
        (u, i, p): v
        for u, i, p, v in FactRollup.objects.visible_to(user, Action.VIEW)
        .filter(where, period__in=[period.id, previous.id])
        .values_list("org_unit_id", "indicator_id", "period", "value")
    }
    targets: dict[tuple[int, int], float] = {
        (u, i): v
        for u, i, v in Target.objects.visible_to(user, Action.VIEW)
        .filter(where, period=period.id)
        .values_list("org_unit_id", "indicator_id", "value")
    }

    def lines_of(unit_id: int) -> list[Line]:
        out = []
        for pk, ind in indicators.items():
            value = values.get((unit_id, pk, period.id))
            prev = values.get((unit_id, pk, previous.id))
            if value is None and prev is None:
                continue
            out.append(
                Line(
                    ind.code, ind.name_id, ind.unit, ind.decimals, value, prev, targets.get((unit_id, pk)), ind.polarity
                )
            )
        return out

    pages = [UnitPage(pk, code, name, lines_of(pk)) for pk, code, name in units]
    scorecard = pack_scorecard()
    score_period = None
    if scorecard is not None:
        months = period.series(TREND_MONTHS)
        score_periods = {m.id: scorecards.score_period(scorecard, m) for m in months}
        score_period = score_periods[period.id]
        boards = scorecards.rankings(user, scorecard, list(set(score_periods.values())))
        by_unit = {pid: {row.unit_id: row for row in board.rows} for pid, board in boards.items()}
        for page in pages:
            row = by_unit[score_period.id].get(page.unit_id)
            if row is not None:
                page.score = row.score
                page.rank = row.rank or None
                page.pulling_down = [i.name_id for i in row.pulling_down]
                page.no_data = [i.name_id for i in row.no_data]
            for m in months:
                point = by_unit[score_periods[m.id].id].get(page.unit_id)
                # A month the unit reported nothing of the scorecard is a gap in the chart, not a zero.
                reported = point is not None and len(point.no_data) < len(point.items)
                page.trend.append(TrendPoint(m.id, _short_month(m), point.score if reported and point else None))
    city = lines_of(root.pk)
    by_code = {ind.code: ind for ind in indicators.values()}
    used = sorted(
        {line.code for page in pages for line in page.lines} | {line.code for line in city},
        key=lambda c: (by_code[c].sort_order, c),
    )
    return PackContent(
        pemda=root.name,
        period=period,
        previous=previous,
        city=city,
        units=pages,
        scorecard=scorecard,
        score_period=score_period,
        indicators=[(c, by_code[c].name_id, by_code[c].unit, by_code[c].decimals) for c in used],
    )


MONTHS_SHORT_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def _short_month(period: Period) -> str:
    return f"{MONTHS_SHORT_ID[period.start.month - 1]} {period.start.year % 100:02d}"
