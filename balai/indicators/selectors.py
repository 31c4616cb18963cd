"""The read path of Facts. The dashboard, exports and APIs read numbers only through here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from balai.core.periods import Period
from balai.core.scoping import subtree_q
from balai.indicators.models import Fact, FactRollup, Indicator, Target
from balai.org.models import OrgUnit
from balai.org.roles import Action
from balai.org.selectors import units_visible


def indicators_all() -> QuerySet[Indicator]:
    return Indicator.objects.filter(is_active=True).order_by("sort_order", "code")


def data_values(
    user: Any,
    *,
    codes: list[str],
    unit_codes: list[str],
    periods: list[Period],
    start: str | None,
    end: str | None,
    children: bool,
) -> list[dict[str, Any]]:
    units = list(units_visible(user, Action.VIEW).filter(code__in=unit_codes))
    if not units:
        return []
    qs = Fact.objects.visible_to(user, Action.VIEW).filter(indicator__code__in=codes)
    if children:
        cond = subtree_q(units[0].path, "org_unit__")
        for u in units[1:]:
            cond |= subtree_q(u.path, "org_unit__")
        qs = qs.filter(cond)
    else:
        qs = qs.filter(org_unit__in=units)
    if periods:
        qs = qs.filter(period__in=[p.id for p in periods])
    if start:
        qs = qs.filter(period_start__gte=dt.date.fromisoformat(start))
    if end:
        qs = qs.filter(period_start__lte=dt.date.fromisoformat(end))
    rows = qs.order_by("indicator__code", "org_unit__code", "period_start").values_list(
        "indicator__code", "period", "org_unit__code", "value", "comment", "updated_at"
    )[:100000]
    return [
        {
            "dataElement": c,
            "period": p,
            "orgUnit": u,
            "value": _value_text(v),
            "comment": cm or None,
            "lastUpdated": ts.isoformat(),
        }
        for c, p, u, v, cm, ts in rows
    ]


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def rollups_for(user: Any, *, unit: OrgUnit, period: Period, codes: list[str] | None = None) -> list[dict[str, Any]]:
    qs = FactRollup.objects.visible_to(user, Action.VIEW).filter(org_unit=unit, period=period.id)
    if codes:
        qs = qs.filter(indicator__code__in=codes)
    targets = dict(Target.objects.filter(org_unit=unit, period=period.id).values_list("indicator__code", "value"))
    return [
        {
            "indicator": code,
            "orgUnit": unit.code,
            "period": period.id,
            "value": v,
            "numerator": n,
            "denominator": d,
            "target": targets.get(code),
        }
        for code, v, n, d in qs.order_by("indicator__sort_order", "indicator__code").values_list(
            "indicator__code", "value", "numerator", "denominator"
        )
    ]
