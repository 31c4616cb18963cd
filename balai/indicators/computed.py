"""Computed indicators: ``factor x numerator / denominator`` over other indicators' roll-ups (as DHIS2 indicators).

The numerator and the denominator are each a sum of one or more component indicators. A computed indicator
has no Facts: its roll-up at a unit and period is computed from its components' roll-ups at the same unit
and period, so it is exact at every level and for every period its components have::

    value = factor x (sum of the numerator components' roll-ups) / (sum of the denominator components' roll-ups)

Which components are allowed: those whose roll-up value is a *total* of the subtree, so that the sum of
the numerator over the subtree divided by the sum of the denominator over the subtree is what the roll-up
holds (``sum``; ``last``, the latest value summed across units, e.g. residents), and other computed
indicators, whose value at that unit and period is used as it is (documented, e.g. a rate times an index).
Averages, ratios, medians and means of ratios are refused: dividing a mean by a count gives a number
nobody can explain, and the count behind the rate is an indicator of its own.

Missing data follows DHIS2's "skip if all values missing": no value when no numerator component or no
denominator component has a roll-up at that unit and period, and no value when the denominator is zero
(not 0, not an error). A component that has no roll-up while another of the same side has one counts as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from balai.core.periods import Period
from balai.indicators.choices import Aggregation, TermRole
from balai.indicators.models import FactRollup, Indicator, IndicatorTerm

#: Component aggregations whose roll-up is a subtree total (besides other computed indicators).
ADDITIVE = (Aggregation.SUM, Aggregation.LAST)
ALLOWED_COMPONENTS = (*ADDITIVE, Aggregation.COMPUTED)


@dataclass
class Terms:
    numerator: set[int] = field(default_factory=set)
    denominator: set[int] = field(default_factory=set)

    @property
    def components(self) -> set[int]:
        return self.numerator | self.denominator


def graph() -> dict[int, Terms]:
    """Every computed indicator's terms, by indicator id (one query; the table is small)."""
    out: dict[int, Terms] = defaultdict(Terms)
    for ind_id, comp_id, role in IndicatorTerm.objects.values_list("indicator_id", "component_id", "role"):
        (out[ind_id].numerator if role == TermRole.NUMERATOR else out[ind_id].denominator).add(comp_id)
    return dict(out)


def dependents(terms: dict[int, Terms]) -> dict[int, set[int]]:
    """component id -> the computed indicators that use it directly."""
    out: dict[int, set[int]] = defaultdict(set)
    for ind_id, t in terms.items():
        for comp in t.components:
            out[comp].add(ind_id)
    return out


def reaches(terms: dict[int, Terms], start: Iterable[int], goal: int) -> bool:
    """Whether ``goal`` is among ``start`` or their components, transitively (a cycle if goal is the new one)."""
    seen: set[int] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(terms.get(node, Terms()).components)
    return False


def depth(terms: dict[int, Terms], ind_id: int, _seen: frozenset[int] = frozenset()) -> int:
    """0 for an indicator with Facts, 1 + the deepest component for a computed one: the recompute order."""
    t = terms.get(ind_id)
    if t is None or ind_id in _seen:  # a cycle cannot be saved (services refuse it); never loop on bad data
        return 0
    return 1 + max((depth(terms, c, _seen | {ind_id}) for c in t.components), default=0)


def rollups_compute(indicator: Indicator, terms: Terms, periods: set[Period]) -> list[FactRollup]:
    """The computed indicator's roll-ups for these periods, from its components' roll-ups (one query)."""
    if not periods or not terms.numerator or not terms.denominator:
        return []
    wanted = {p.id: p for p in periods}
    # (unit, period) -> [numerator, denominator, numerator seen, denominator seen, fact count]
    acc: dict[tuple[int, str], list[float]] = {}
    rows = FactRollup.objects.filter(indicator_id__in=terms.components, period__in=list(wanted)).values_list(
        "indicator_id", "org_unit_id", "period", "value", "fact_count"
    )
    for comp_id, unit_id, period_id, value, count in rows:
        cell = acc.get((unit_id, period_id))
        if cell is None:
            cell = acc[(unit_id, period_id)] = [0.0, 0.0, 0, 0, 0]
        # A component may sit on both sides (a share: A / (A + B)): it adds to each.
        if comp_id in terms.numerator:
            cell[0] += value
            cell[2] = 1
        if comp_id in terms.denominator:
            cell[1] += value
            cell[3] = 1
        cell[4] += count
    out = []
    for (unit_id, period_id), (num, den, has_num, has_den, facts) in acc.items():
        if not (has_num and has_den) or den == 0:
            continue
        period = wanted[period_id]
        out.append(
            FactRollup(
                indicator=indicator,
                org_unit_id=unit_id,
                period=period_id,
                period_type=period.type.value,
                period_start=period.start,
                value=indicator.ratio_factor * num / den,
                numerator=num,
                denominator=den,
                fact_count=int(facts),
            )
        )
    return out


def component_periods(indicator: Indicator, terms: Terms) -> set[str]:
    """Every period the components have roll-ups for: a full rebuild after the definition changed."""
    return set(
        FactRollup.objects.filter(indicator_id__in=terms.components)
        .order_by()
        .values_list("period", flat=True)
        .distinct()
    )
