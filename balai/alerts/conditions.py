"""When does a rule's condition hold? Pure judgements, and the Fact reads that feed them.

Reads only FactRollup, Target, Indicator and OrgUnit (ARCHITECTURE §3.4). A roll-up is the unit's own figure
aggregated over its subtree, so "no data" means nothing was reported for the unit or anything below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from balai.alerts.choices import SELF, CheckedPeriod, RuleKind
from balai.alerts.models import AlertRule
from balai.core.formatting import format_number, format_period
from balai.core.periods import Period, PeriodType
from balai.core.scoping import subtree_q
from balai.dashboard.selectors import achievement
from balai.indicators.choices import Polarity
from balai.indicators.models import FactRollup, Indicator, Target
from balai.org.models import OrgUnit

#: Float noise must not decide whether a 10.0 % decline reaches a 10 % rule.
EPSILON = 1e-9


@dataclass(frozen=True)
class Judgement:
    """A condition that holds: the value, what it was compared with, and the sentence that says so."""

    value: float | None
    target: float | None
    detail: str


def checked_period(rule: AlertRule, today: dt.date) -> Period:
    current = Period.containing(today, PeriodType(rule.period_type))
    return current if rule.checked_period == CheckedPeriod.CURRENT else current.previous()


def checked_units(rule: AlertRule) -> list[OrgUnit]:
    """The active units the rule checks: the scope unit itself and/or the units of the chosen kinds below it."""
    kinds = [k for k in rule.checked_kinds if k != SELF]
    cond = Q(pk__in=[])
    if kinds:
        cond |= subtree_q(rule.scope_unit.path) & Q(kind__in=kinds)
    if SELF in rule.checked_kinds:
        cond |= Q(pk=rule.scope_unit_id)
    return list(OrgUnit.objects.filter(cond, is_active=True).order_by("path"))


def judge(
    *,
    kind: str,
    polarity: int,
    threshold: float | None,
    value: float | None,
    target: float | None,
    previous: float | None,
) -> tuple[bool, float | None]:
    """Does the condition hold, and what was the value compared with (target, previous value or N)?

    No value is no judgement except for "no data": a missing figure is that rule's business, not a
    target's. A lower-is-better value of 0 beats any target (achievement is target / actual).
    """
    if kind == RuleKind.NO_DATA:
        return value is None, None
    if value is None:
        return False, None
    if kind == RuleKind.BELOW_TARGET:
        pct = achievement(value, target, polarity)
        if pct is None:
            return False, target
        return pct < (threshold or 0) - EPSILON, target
    if kind == RuleKind.WORSE_THAN_PREVIOUS:
        if previous is None or previous == 0:
            return False, previous  # a change from nothing has no percentage
        change = (value - previous) / abs(previous) * 100
        worse = -change if polarity == Polarity.HIGHER_IS_BETTER else change
        return worse >= (threshold or 0) - EPSILON, previous
    if kind == RuleKind.ABOVE_THRESHOLD:
        return value > (threshold or 0), threshold
    if kind == RuleKind.BELOW_THRESHOLD:
        return value < (threshold or 0), threshold
    return False, None


def findings(rule: AlertRule, period: Period, units: list[OrgUnit]) -> dict[int, Judgement]:
    """The units among ``units`` where the rule's condition holds for ``period`` (at most three queries)."""
    indicator: Indicator | None = rule.indicator
    if indicator is None or not units:
        return {}
    ids = [u.pk for u in units]
    values = dict(
        FactRollup.objects.filter(indicator=indicator, org_unit_id__in=ids, period=period.id).values_list(
            "org_unit_id", "value"
        )
    )
    targets: dict[int, float] = {}
    previous: dict[int, float] = {}
    previous_period = period.previous()
    if rule.kind == RuleKind.BELOW_TARGET:
        targets = dict(
            Target.objects.filter(indicator=indicator, org_unit_id__in=ids, period=period.id).values_list(
                "org_unit_id", "value"
            )
        )
    elif rule.kind == RuleKind.WORSE_THAN_PREVIOUS:
        previous = dict(
            FactRollup.objects.filter(indicator=indicator, org_unit_id__in=ids, period=previous_period.id).values_list(
                "org_unit_id", "value"
            )
        )
    out: dict[int, Judgement] = {}
    for unit in units:
        value = values.get(unit.pk)
        holds, reference = judge(
            kind=rule.kind,
            polarity=indicator.polarity,
            threshold=rule.threshold,
            value=value,
            target=targets.get(unit.pk),
            previous=previous.get(unit.pk),
        )
        if holds:
            out[unit.pk] = Judgement(
                value, reference, _detail(rule, indicator, period, previous_period, value, reference)
            )
    return out


def _detail(
    rule: AlertRule,
    indicator: Indicator,
    period: Period,
    previous_period: Period,
    value: float | None,
    reference: float | None,
) -> str:
    def n(x: float | None) -> str:
        text = format_number(x, indicator.decimals)
        return f"{text} {indicator.unit}".strip() if x is not None else text

    pct = format_number(rule.threshold, 1 if rule.threshold and rule.threshold % 1 else 0)
    where = format_period(period.id)
    if rule.kind == RuleKind.NO_DATA:
        return _("No figure was reported for %(period)s.") % {"period": where}
    if rule.kind == RuleKind.BELOW_TARGET:
        ach = achievement(value, reference, indicator.polarity) or 0
        return _(
            "%(period)s: %(value)s against a target of %(target)s, %(achievement)s%% achieved "
            "(the rule alerts under %(threshold)s%%)."
        ) % {
            "period": where,
            "value": n(value),
            "target": n(reference),
            "achievement": format_number(ach, 1),
            "threshold": pct,
        }
    if rule.kind == RuleKind.WORSE_THAN_PREVIOUS:
        change = abs(((value or 0) - (reference or 0)) / abs(reference or 1) * 100)
        return _(
            "%(period)s: %(value)s against %(previous)s in %(previous_period)s, %(change)s%% worse "
            "(the rule alerts at %(threshold)s%%)."
        ) % {
            "period": where,
            "value": n(value),
            "previous": n(reference),
            "previous_period": format_period(previous_period.id),
            "change": format_number(change, 1),
            "threshold": pct,
        }
    if rule.kind == RuleKind.ABOVE_THRESHOLD:
        return _("%(period)s: %(value)s, above the limit of %(limit)s.") % {
            "period": where,
            "value": n(value),
            "limit": n(reference),
        }
    return _("%(period)s: %(value)s, below the limit of %(limit)s.") % {
        "period": where,
        "value": n(value),
        "limit": n(reference),
    }
