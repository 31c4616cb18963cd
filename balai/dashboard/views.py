"""Satu Dasbor pages: a unit's KPI cards, and one indicator's trend and drill-down.

Thin on purpose: every number comes from ``balai.dashboard.selectors``; this module only turns the
query string into a unit and a period and shapes the chart data the browser draws.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from balai.core.periods import InvalidPeriod, Period
from balai.core.templatetags.balai import num
from balai.dashboard import selectors
from balai.dashboard.choices import MapLevel, TileChart
from balai.dashboard.forms import PERIOD_TYPE_LABELS, FilterForm, period_choices
from balai.dashboard.layout import layout_for
from balai.dashboard.maps import MapLayer, map_layer, map_levels
from balai.indicators.models import Indicator
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action
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
    card = selectors.cards_for(request.user, target, period, [ind], today=today())[0]
    rows = selectors.children_rows(request.user, target, period, [ind])
    chart = trend(card, period_labels({p.period for p in card.series}))
    # Territories (kecamatan → kelurahan → RW) and agencies (perangkat daerah → UPTD) drill apart.
    groups = [
        (_("Territories"), [(row, row.cells[0]) for row in rows if row.is_territory]),
        (_("Agencies (perangkat daerah, UPTD)"), [(row, row.cells[0]) for row in rows if not row.is_territory]),
    ]
    ctx.update(
        card=card,
        rows=[(row, row.cells[0]) for row in rows],
        groups=[(title, members) for title, members in groups if members],
        chart=chart,
        indicator=ind,
    )
    return render(request, "dashboard/indicator.html", ctx)


def _unit_page(request: HttpRequest, target: OrgUnit, scope: selectors.DashboardScope) -> HttpResponse:
    ctx = _filters(request, target, scope)
    if isinstance(ctx, HttpResponse):
        return ctx
    period: Period = ctx["period"]
    # The overview: the tiles an administrator chose for the user's role, else every indicator with data.
    layout = layout_for(request.user)
    show_all = request.GET.get("all") == "1"
    if layout.is_configured and not show_all:
        indicators, period_types, charts = layout.indicators, layout.period_types, layout.charts
    else:
        indicators, period_types, charts = selectors.indicators_with_data(request.user, target), {}, {}
    cards = selectors.cards_for(request.user, target, period, indicators, period_types, today=today())
    labels = period_labels({p.period for card in cards for p in card.series})
    tiles = []
    for ind, card in zip(indicators, cards, strict=True):
        chart = charts.get(ind.pk, TileChart.SPARK)
        spec = trend(card, labels) if chart == TileChart.TREND else sparkline(card, labels)
        tiles.append((card, spec if chart != TileChart.NONE else None, chart))
    rows = selectors.children_rows(request.user, target, period, indicators[: selectors.CHILD_COLUMNS])
    ctx.update(
        cards=tiles,
        statuses=status_counts(cards),
        # The layout page is for administrators of the whole Pemda (no query: the roles are read already).
        can_configure=bool(
            scope.home is not None
            and scope.home.parent_id is None
            and access.can(request.user, Action.ADMIN, scope.home)
        ),
        layout=layout,
        show_all=show_all,
        columns=cards[: selectors.CHILD_COLUMNS],
        rows=rows,
        territory_rows=[r for r in rows if r.is_territory],
        agency_rows=[r for r in rows if not r.is_territory],
    )
    ctx.update(map_context(request, target, period, indicators, public=False))
    return render(request, "dashboard/unit.html", ctx)


def status_counts(cards: list[selectors.Card]) -> list[tuple[str, int]]:
    counts = {s: 0 for s in selectors.STATUSES}
    for card in cards:
        counts[card.status] += 1
    return [(s, counts[s]) for s in selectors.STATUSES]


def map_context(
    request: HttpRequest, target: OrgUnit, period: Period, indicators: list[Indicator], *, public: bool
) -> dict[str, Any]:
    """The map card: the unit's kecamatan or kelurahan coloured by one of the page's indicators."""
    levels = map_levels(target)
    if not levels or not indicators:
        return {"map": None}
    asked = request.GET.get("map", "")
    indicator = next((i for i in indicators if i.code == asked), indicators[0])
    level = request.GET.get("level", "")
    level = level if level in levels else levels[0]
    layer = map_layer(user=request.user, unit=target, selected=period, indicator=indicator, level=level, public=public)
    name = "dashboard:public_unit" if public else "dashboard:unit"
    return {
        "map": layer,
        "map_data": _map_json(layer, name, period),
        "map_indicators": indicators,
        "map_levels": [(lv, MapLevel(lv).label) for lv in levels],
    }


def _map_json(layer: MapLayer, url_name: str, period: Period) -> dict[str, Any]:
    ind = layer.indicator
    no_data = str(_("No data"))
    return {
        "tile_url": getattr(settings, "BALAI_MAP_TILE_URL", ""),
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "lat": u.lat,
                "lon": u.lon,
                "geometry": u.geometry,
                "value": u.value,
                "label": f"{num(u.value, ind.decimals)} {ind.unit}".strip() if u.value is not None else no_data,
                "tone": u.tone,
                "url": f"{reverse(url_name, args=[u.code])}?{urlencode({'period': period.id})}",
            }
            for u in layer.units
            if u.is_drawn
        ],
    }


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


def period_labels(period_ids: set[str]) -> dict[str, str]:
    lang = get_language() or "id"
    return {pid: Period.parse(pid).label(lang) for pid in period_ids}


def trend(card: selectors.Card, labels: dict[str, str]) -> dict[str, Any]:
    """The trend chart of a card: its 12 periods, and the target line when it has targets."""
    series: list[dict[str, Any]] = [{"name": card.name, "data": [p.value for p in card.series], "role": "value"}]
    if card.has_targets:
        series.append({"name": str(_("Target")), "data": [p.target for p in card.series], "role": "target"})
    return {
        "kind": selectors.chart_kind(card.aggregation),
        "labels": [labels[p.period] for p in card.series],
        "decimals": card.decimals,
        "unit": card.unit,
        "series": series,
    }


def sparkline(card: selectors.Card, labels: dict[str, str]) -> dict[str, Any] | None:
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
