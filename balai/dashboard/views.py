"""Satu Dasbor pages: a unit's KPI cards, and one indicator's trend and drill-down.

Thin on purpose: every number comes from ``balai.dashboard.selectors``; this module only turns the
query string into a unit and a period and shapes the chart data the browser draws.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from balai.core.periods import InvalidPeriod, Period
from balai.dashboard import selectors
from balai.dashboard.forms import PERIOD_TYPE_LABELS, FilterForm, period_choices
from balai.org.models import OrgUnit
from balai.org.selectors import unit_get


def today() -> dt.date:
    """Today in the Pemda's time zone (the middleware activates it); a seam for tests."""
    return timezone.localdate()


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = selectors.dashboard_scope(request.user)
    if scope.home is None:
        return render(request, "dashboard/empty.html")
    return _unit_page(request, scope.home, scope)


@require_GET
@login_required
def unit(request: HttpRequest, code: str) -> HttpResponse:
    target = unit_get(request.user, code)
    return _unit_page(request, target, selectors.dashboard_scope(request.user))


@require_GET
@login_required
def indicator(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    target = unit_get(request.user, code)
    ind = selectors.indicator_get(indicator)
    ctx = _filters(request, target)
    if isinstance(ctx, HttpResponse):
        return ctx
    period: Period = ctx["period"]
    card = selectors.cards_for(request.user, target, period, [ind])[0]
    rows = selectors.children_rows(request.user, target, period, [ind])
    labels = _labels({p.period for p in card.series})
    series: list[dict[str, Any]] = [{"name": card.name, "data": [p.value for p in card.series], "role": "value"}]
    if card.has_targets:
        series.append({"name": _("Target"), "data": [p.target for p in card.series], "role": "target"})
    chart = {
        "kind": selectors.chart_kind(ind.aggregation),
        "labels": [labels[p.period] for p in card.series],
        "decimals": card.decimals,
        "unit": card.unit,
        "series": series,
    }
    ctx.update(card=card, rows=[(row, row.cells[0]) for row in rows], chart=chart, indicator=ind)
    return render(request, "dashboard/indicator.html", ctx)


def _unit_page(request: HttpRequest, target: OrgUnit, scope: selectors.DashboardScope) -> HttpResponse:
    ctx = _filters(request, target, scope)
    if isinstance(ctx, HttpResponse):
        return ctx
    period: Period = ctx["period"]
    indicators = selectors.indicators_with_data(request.user, target)
    cards = selectors.cards_for(request.user, target, period, indicators)
    labels = _labels({p.period for card in cards for p in card.series})
    ctx.update(
        cards=[(card, _sparkline(card, labels)) for card in cards],
        columns=cards[: selectors.CHILD_COLUMNS],
        rows=selectors.children_rows(request.user, target, period, indicators[: selectors.CHILD_COLUMNS]),
    )
    return render(request, "dashboard/unit.html", ctx)


def _filters(
    request: HttpRequest, target: OrgUnit, scope: selectors.DashboardScope | None = None
) -> dict[str, Any] | HttpResponse:
    """Read the filter bar; a different unit picked in it moves to that unit's URL."""
    form = FilterForm(request.GET)
    form.is_valid()
    day = today()
    period = form.selected_period(day)
    picked = form.cleaned_data.get("unit")
    if picked and picked != target.code:
        kwargs = {"code": picked}
        if request.resolver_match and request.resolver_match.url_name == "indicator":
            kwargs["indicator"] = request.resolver_match.kwargs["indicator"]
            name = "dashboard:indicator"
        else:
            name = "dashboard:unit"
        try:
            return redirect(f"{reverse(name, kwargs=kwargs)}?{urlencode({'period': period.id})}")
        except NoReverseMatch:  # no unit code has a slash: an unknown unit, like any other, answers 404
            raise Http404 from None
    scope = scope or selectors.dashboard_scope(request.user)
    current = Period.containing(day, period.type)
    try:
        nxt: Period | None = period.next()
    except InvalidPeriod:  # the end of the calendar Balai knows (year 2200)
        nxt = None
    return {
        "unit": target,
        "scope": scope,
        "crumbs": selectors.breadcrumb(request.user, target, scope.options),
        "form": form,
        "period": period,
        "unit_listed": any(o.code == target.code for o in scope.options),
        "period_types": [(t.value, str(label)) for t, label in PERIOD_TYPE_LABELS.items()],
        "period_options": period_choices(period, day),
        "previous_period": period.previous(),
        "next_period": nxt if nxt is not None and nxt.start <= current.start else None,
        "is_current": period == current,
    }


def _labels(period_ids: set[str]) -> dict[str, str]:
    lang = get_language() or "id"
    return {pid: Period.parse(pid).label(lang) for pid in period_ids}


def _sparkline(card: selectors.Card, labels: dict[str, str]) -> dict[str, Any] | None:
    # Periods before the first figure are left out, so a young indicator's line is not squeezed to one side.
    points = card.series
    while points and points[0].value is None:
        points = points[1:]
    if not points:
        return None
    return {
        "kind": "spark",
        "labels": [labels[p.period] for p in points],
        "decimals": card.decimals,
        "unit": card.unit,
        "series": [{"name": card.name, "data": [p.value for p in points], "role": "value"}],
    }
