"""The read path of scorecards: scores, ranks and shortfalls from FactRollup and Target only.

Score of a unit = Σ weight × min(achievement, cap) / Σ weight, achievement read through the
indicator's polarity (``balai.dashboard.selectors.achievement``). A unit with no value for an item
scores 0 for it and the item is flagged "no data": a unit must not climb the ranking by not reporting.

A ranking costs four queries whatever the number of units or periods (the scorecard and its items,
the units, their values, their targets).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from balai.core.periods import Period, PeriodType
from balai.core.scoping import PATH_SEGMENT
from balai.dashboard.selectors import achievement
from balai.indicators.choices import Polarity
from balai.indicators.models import FactRollup, Target
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.scorecards.choices import PULL_DOWN_COUNT
from balai.scorecards.models import Scorecard, ScorecardItem


# ------------------------------------------------------------------------------------------ reads
def scorecards_active() -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(is_active=True).order_by("unit_kind", "name")


def scorecard_get(pk: Any, *, active_only: bool = True) -> Scorecard:
    qs = Scorecard.objects.filter(is_active=True) if active_only else Scorecard.objects.all()
    try:
        return qs.get(pk=pk)
    except (Scorecard.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def scorecard_items(scorecard: Scorecard) -> list[ScorecardItem]:
    return list(scorecard.items.select_related("indicator").order_by("sort_order", "pk"))


def sees_whole_city(user: Any) -> bool:
    """Ranking positions and other units' scores are for roles that view the whole city.

    A root unit's path is one segment: no query beyond the user's assignments (cached for the request),
    so the navigation bar can ask on every page.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or any(len(p) == PATH_SEGMENT for p in access.scope_paths(user, Action.VIEW))


# ------------------------------------------------------------------------------------------ model
@dataclass(frozen=True)
class ItemScore:
    code: str
    name: str
    #: The Indonesian name, for documents printed in Indonesian whatever the screen's language (rakor pack).
    name_id: str
    unit: str
    decimals: int
    polarity: int
    weight: float
    cap: float
    value: float | None
    target: float
    target_is_default: bool
    #: Polarity-aware percent of target, before the cap; None without a value.
    achievement: float | None
    #: This item's share of the score (sums to the score over the items).
    points: float
    #: Points lost against 100 % of target (weight share × (100 − capped achievement)); 0 at or above target.
    shortfall: float
    pulls_down: bool = False

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def capped(self) -> bool:
        return self.achievement is not None and self.achievement > self.cap


@dataclass
class UnitScore:
    unit_id: int
    code: str
    name: str
    score: float
    items: list[ItemScore]
    rank: int = 0

    @property
    def no_data(self) -> list[ItemScore]:
        return [i for i in self.items if not i.has_data]

    @property
    def pulling_down(self) -> list[ItemScore]:
        """Largest weighted shortfall first."""
        return sorted((i for i in self.items if i.pulls_down), key=lambda i: (-i.shortfall, i.code))


@dataclass
class Ranking:
    scorecard: Scorecard
    period: Period
    rows: list[UnitScore] = field(default_factory=list)
    #: Units of the kind in the whole city (the denominator of "rank 3 of 40").
    total: int = 0
    #: Whether the viewer sees ranks and other units (roles that view the whole city).
    whole_city: bool = True


def item_score(item: ScorecardItem, value: float | None, target: float | None, total_weight: float) -> ItemScore:
    ind = item.indicator
    used_target = target if target is not None else item.default_target
    pct: float | None
    if value is None:
        pct = None
    elif ind.polarity == Polarity.LOWER_IS_BETTER and value <= 0:
        pct = item.cap  # nothing at all of what should be low (no overdue, no backlog): full marks
    else:
        pct = achievement(value, used_target, ind.polarity)
    effective = 0.0 if pct is None else max(0.0, min(pct, item.cap))
    share = item.weight / total_weight if total_weight else 0.0
    return ItemScore(
        code=ind.code,
        name=ind.name,
        name_id=ind.name_id,
        unit=ind.unit,
        decimals=ind.decimals,
        polarity=ind.polarity,
        weight=item.weight,
        cap=item.cap,
        value=value,
        target=used_target,
        target_is_default=target is None,
        achievement=pct,
        points=share * effective,
        shortfall=share * max(0.0, 100.0 - effective),
    )


def score_unit(
    unit: tuple[int, str, str],
    items: list[ScorecardItem],
    values: dict[tuple[int, int], float],
    targets: dict[tuple[int, int], float],
) -> UnitScore:
    """One unit's score for one period from its values and targets keyed (unit id, indicator id)."""
    pk, code, name = unit
    total_weight = sum(i.weight for i in items)
    scored = [
        item_score(i, values.get((pk, i.indicator_id)), targets.get((pk, i.indicator_id)), total_weight) for i in items
    ]
    worst = sorted((s for s in scored if s.shortfall > 0), key=lambda s: (-s.shortfall, s.code))[:PULL_DOWN_COUNT]
    marked = {s.code for s in worst}
    scored = [_mark(s) if s.code in marked else s for s in scored]
    return UnitScore(pk, code, name, sum(s.points for s in scored), scored)


def _mark(item: ItemScore) -> ItemScore:
    return replace(item, pulls_down=True)


def rank(rows: list[UnitScore]) -> list[UnitScore]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4), ties listed by name."""
    ordered = sorted(rows, key=lambda r: (-round(r.score, 6), r.name, r.code))
    previous: float | None = None
    for position, row in enumerate(ordered, start=1):
        if previous is None or round(row.score, 6) != previous:
            row.rank = position
        else:
            row.rank = ordered[position - 2].rank
        previous = round(row.score, 6)
    return ordered


def score_period(scorecard: Scorecard, selected: Period) -> Period:
    """The scorecard's period holding ``selected`` (a monthly pack reads a quarterly scorecard's quarter)."""
    ptype = PeriodType(scorecard.period_type)
    return selected if selected.type is ptype else Period.containing(selected.anchor(), ptype)


# --------------------------------------------------------------------------------------- rankings
def _units(user: Any, scorecard: Scorecard) -> list[tuple[int, str, str]]:
    qs = OrgUnit.objects.visible_to(user, Action.VIEW).filter(kind=scorecard.unit_kind, is_active=True)
    return list(qs.order_by("name").values_list("id", "code", "name"))


def rankings(
    user: Any, scorecard: Scorecard, periods: list[Period], items: list[ScorecardItem] | None = None
) -> dict[str, Ranking]:
    """The ranking of each period (of the scorecard's type), by period id: four queries for any number.

    The viewer's scope decides which units are read: all of them for roles that view the whole city,
    otherwise only their own (no rank is given then: a rank among one's own units would mislead).
    """
    items = scorecard_items(scorecard) if items is None else items
    whole_city = sees_whole_city(user)
    units = _units(user, scorecard)
    period_ids = sorted({p.id for p in periods})
    values: dict[str, dict[tuple[int, int], float]] = {p: {} for p in period_ids}
    targets: dict[str, dict[tuple[int, int], float]] = {p: {} for p in period_ids}
    if units and items:
        match = {
            "org_unit__kind": scorecard.unit_kind,
            "org_unit__is_active": True,
            "indicator_id__in": [i.indicator_id for i in items],
            "period__in": period_ids,
        }
        fields = ("period", "org_unit_id", "indicator_id", "value")
        for p, u, i, v in FactRollup.objects.visible_to(user, Action.VIEW).filter(**match).values_list(*fields):
            values[p][(u, i)] = v
        for p, u, i, v in Target.objects.visible_to(user, Action.VIEW).filter(**match).values_list(*fields):
            targets[p][(u, i)] = v
    out = {}
    for pid in period_ids:
        rows = [score_unit(u, items, values[pid], targets[pid]) for u in units]
        ranked = rank(rows)
        if not whole_city:
            for row in ranked:
                row.rank = 0
        out[pid] = Ranking(
            scorecard, Period.parse(pid), ranked, total=len(units) if whole_city else 0, whole_city=whole_city
        )
    return out


def ranking(user: Any, scorecard: Scorecard, period: Period) -> Ranking:
    return rankings(user, scorecard, [period])[period.id]


def unit_score(user: Any, scorecard: Scorecard, code: str, period: Period) -> tuple[OrgUnit, UnitScore, Ranking]:
    """A unit's scorecard: 404 when the unit is out of scope or not of the scorecard's kind."""
    unit = OrgUnit.objects.get_visible(user, Action.VIEW, code=code, kind=scorecard.unit_kind, is_active=True)
    board = ranking(user, scorecard, period)
    row = next((r for r in board.rows if r.unit_id == unit.pk), None)
    if row is None:  # pragma: no cover - the unit was read in scope just above
        raise Http404
    return unit, row, board


def own_rows(user: Any, board: Ranking) -> list[UnitScore]:
    """The rows of the units the viewer belongs to (their own scorecard, highlighted in the ranking)."""
    if user.is_superuser:
        return []
    own = set(access.scope_paths(user, Action.VIEW))
    if not own:
        return []
    codes = set(OrgUnit.objects.filter(path__in=own).values_list("code", flat=True))
    return [r for r in board.rows if r.code in codes]
