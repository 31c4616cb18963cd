"""Satu Dasbor beyond one unit's page: comparisons, the layout admin and the public transparency dashboard.

Every number still comes from selectors (compare, layout, maps, public); these views read the query string,
call one service for the layout, and shape what the templates draw.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from balai.core.periods import Period, PeriodType
from balai.dashboard import compare, selectors
from balai.dashboard import views as dashboard_views
from balai.dashboard.forms import PERIOD_TYPE_LABELS, FilterForm, period_choices
from balai.dashboard.forms_overview import EXTRA_ROWS, ComparePeriodsForm, TileFormSet, parse_period, tiles_from
from balai.dashboard.layout import LAYOUT_ROLES, layout_for, layout_roles_summary, tiles_of
from balai.dashboard.public import public_indicators
from balai.dashboard.public import public_unit as public_unit_get
from balai.dashboard.services import LayoutError, overview_layout_set
from balai.dashboard.views import map_context, period_labels, sparkline, status_counts
from balai.indicators.models import Indicator
from balai.org import access
from balai.org.models import OrgUnit
from balai.org.roles import Action, Role
from balai.org.selectors import pemda_root, unit_get

#: How many periods of each type make a year: "the same period last year" for the comparison's shortcut.
YEAR_STEPS = {PeriodType.MONTH: 12, PeriodType.QUARTER: 4, PeriodType.SEMESTER: 2, PeriodType.YEAR: 1}


def _indicators(user: Any, unit: OrgUnit) -> list[Indicator]:
    layout = layout_for(user)
    return layout.indicators if layout.is_configured else selectors.indicators_with_data(user, unit)


# ------------------------------------------------------------------------------------ comparisons
@require_GET
@login_required
def compare_periods(request: HttpRequest, code: str) -> HttpResponse:
    target = unit_get(request.user, code)
    form = ComparePeriodsForm(request.GET)
    valid = form.is_valid()
    day = _today()
    b = parse_period(form.cleaned_data.get("b")) if valid else None
    a = parse_period(form.cleaned_data.get("a")) if valid else None
    if b is None:
        b = a.next() if a is not None else Period.containing(day, PeriodType.MONTH)
    if a is None:
        a = b.previous()
    rows = compare.compare_periods(request.user, target, a, b, _indicators(request.user, target))
    choices = period_choices(b, day)
    scope = selectors.dashboard_scope(request.user)
    ctx = {
        "unit": target,
        "period": b,
        "a": a,
        "b": b,
        "form": form,
        "rows": rows,
        "choices_a": choices if a in choices else [*choices, a],
        "choices_b": choices,
        "year_ago": b.previous(YEAR_STEPS.get(b.type, 1)),
        "crumbs": selectors.breadcrumb(request.user, target, scope.options),
        "type_links": [(str(label), Period.containing(day, t)) for t, label in PERIOD_TYPE_LABELS.items()],
    }
    return render(request, "dashboard/compare_periods.html", ctx)


@require_GET
@login_required
def compare_units(request: HttpRequest) -> HttpResponse:
    codes = [c for c in request.GET.getlist("u") if c]
    units = compare.units_get(request.user, codes) if codes else []
    form = FilterForm(request.GET)
    form.is_valid()
    period = form.selected_period(_today())
    error = ""
    rows: list[compare.CompareRow] = []
    if len(units) < compare.MIN_UNITS or len(units) > compare.MAX_UNITS:
        error = _("Choose between %(min)d and %(max)d different units to compare.") % {
            "min": compare.MIN_UNITS,
            "max": compare.MAX_UNITS,
        }
    else:
        layout = layout_for(request.user)
        indicators = layout.indicators if layout.is_configured else compare.indicators_for_units(request.user, units)
        rows = compare.compare_units(request.user, units, period, indicators)
    scope = selectors.dashboard_scope(request.user)
    picked = [u.code for u in units] + [""] * (compare.MAX_UNITS - len(units))
    ctx = {
        "units": units,
        "rows": rows,
        "error": error,
        "period": period,
        "scope": scope,
        "picked": picked[: compare.MAX_UNITS],
        "period_options": period_choices(period, _today()),
        "period_types": [(t.value, str(label)) for t, label in PERIOD_TYPE_LABELS.items()],
    }
    # Fewer than two units is where one starts (the overview's link brings one); more than four is refused.
    return render(request, "dashboard/compare_units.html", ctx, status=400 if len(units) > compare.MAX_UNITS else 200)


# ----------------------------------------------------------------------------------- layout admin
def _require_layout_admin(user: Any) -> None:
    """Only an administrator of the whole Pemda (Bappeda/Diskominfo) chooses the tiles; others get 404."""
    root = pemda_root()
    if root is None or not access.can(user, Action.ADMIN, root):
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def layout(request: HttpRequest) -> HttpResponse:
    _require_layout_admin(request.user)
    role = request.POST.get("role") or request.GET.get("role") or Role.HEAD_OF_REGION
    if role not in LAYOUT_ROLES:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        formset = TileFormSet(request.POST)
        if formset.is_valid():
            try:
                overview_layout_set(actor=request.user, role=role, tiles=tiles_from(formset))
            except LayoutError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("The tiles of this role were saved."))
                return redirect(f"{reverse('dashboard:layout')}?role={role}")
        else:
            errors = [_("Some rows are not valid: check the positions.")] + [str(e) for e in formset.non_form_errors()]
    else:
        initial = [
            {"indicator": t.indicator.code, "position": t.position, "period_type": t.period_type, "chart": t.chart}
            for t in tiles_of(role)
        ]
        initial += [{"position": len(initial) + n + 1} for n in range(EXTRA_ROWS)]
        formset = TileFormSet(initial=initial)
    counts = layout_roles_summary()
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    ctx = {
        "role": role,
        "role_label": Role(role).label,
        "roles": [(r, Role(r).label, counts.get(r, 0)) for r in LAYOUT_ROLES],
        "formset": formset,
        "indicators": indicators,
        "errors": errors,
    }
    return render(request, "dashboard/layout.html", ctx, status=400 if errors else 200)


# ------------------------------------------------------------------------- public transparency
@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    return _public_page(request, None)


@require_GET
def public_unit(request: HttpRequest, code: str) -> HttpResponse:
    return _public_page(request, code)


def _today() -> dt.date:
    # Through the module, so the one seam tests replace (``balai.dashboard.views.today``) serves every page.
    return dashboard_views.today()


def _public_page(request: HttpRequest, code: str | None) -> HttpResponse:
    target = public_unit_get(code)
    form = FilterForm(request.GET)
    form.is_valid()
    day = _today()
    period = form.selected_period(day)
    indicators = public_indicators(target)
    cards = selectors.cards_for(None, target, period, indicators, public=True, today=day)
    labels = period_labels({p.period for card in cards for p in card.series})
    rows = selectors.children_rows(None, target, period, indicators[: selectors.CHILD_COLUMNS], public=True)
    crumbs = [u for u in target.ancestors() if u.kind in selectors.PUBLIC_KINDS]
    ctx: dict[str, Any] = {
        "unit": target,
        "period": period,
        "form": form,
        "cards": [(card, sparkline(card, labels), "spark") for card in cards],
        "statuses": status_counts(cards),
        "columns": cards[: selectors.CHILD_COLUMNS],
        "territory_rows": rows,
        "crumbs": crumbs,
        "public": True,
        "public_url": "dashboard:public_unit",
        "period_types": [(t.value, str(label)) for t, label in PERIOD_TYPE_LABELS.items()],
        "period_options": period_choices(period, day),
    }
    ctx.update(map_context(request, target, period, indicators, public=True))
    response = render(request, "dashboard/public/unit.html", ctx)
    seconds = settings.BALAI_TRANSPARENCY_CACHE_SECONDS
    if seconds:
        patch_cache_control(response, public=True, max_age=seconds)
    else:
        patch_cache_control(response, no_cache=True)
    return response
