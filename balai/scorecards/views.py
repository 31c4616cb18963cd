"""Scorecard pages: the list, a ranking per period, a unit's scorecard, and the administrator's definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from balai.core.periods import InvalidPeriod, Period, PeriodType
from balai.dashboard.forms import PERIOD_CHOICES
from balai.org import access
from balai.org.roles import Action
from balai.scorecards import selectors, services
from balai.scorecards.forms import ITEM_ROWS, ItemFormSet, ScorecardForm, indicator_choices
from balai.scorecards.models import Scorecard


def today() -> dt.date:
    """Today in the Pemda's time zone (the middleware activates it); a seam for tests."""
    return timezone.localdate()


def _require_viewer(request: HttpRequest) -> None:
    if not access.can(request.user, Action.VIEW):
        raise Http404


def _period(request: HttpRequest, scorecard: Scorecard) -> tuple[Period, dict[str, Any]]:
    """The asked period moved to the scorecard's type; by default the last complete one (what a meeting reviews)."""
    ptype = PeriodType(scorecard.period_type)
    current = Period.containing(today(), ptype)
    error = ""
    raw = (request.GET.get("period") or "").strip()
    period = current.previous()
    if raw:
        try:
            asked = Period.parse(raw)
            period = asked if asked.type is ptype else Period.containing(asked.anchor(), ptype)
            if period.start > current.start:
                error = _("Period %(value)s has not started yet.") % {"value": raw}
                period = current.previous()
        except InvalidPeriod as exc:
            error = str(exc)
    options = list(reversed(current.series(PERIOD_CHOICES)))
    if period not in options:
        options.append(period)
    return period, {
        "period": period,
        "period_options": options,
        "period_error": error,
        "previous_period": period.previous(),
        "next_period": period.next() if period.start < current.start else None,
    }


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    return render(
        request,
        "scorecards/index.html",
        {"scorecards": list(selectors.scorecards_active()), "can_define": services.can_define(request.user)},
    )


@require_GET
@login_required
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    _require_viewer(request)
    scorecard = selectors.scorecard_get(pk)
    period, ctx = _period(request, scorecard)
    items = selectors.scorecard_items(scorecard)
    board = selectors.rankings(request.user, scorecard, [period], items)[period.id]
    own = {r.code for r in selectors.own_rows(request.user, board)}
    ctx.update(scorecard=scorecard, items=items, board=board, own=own)
    return render(request, "scorecards/ranking.html", ctx)


@require_GET
@login_required
def unit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    _require_viewer(request)
    scorecard = selectors.scorecard_get(pk)
    period, ctx = _period(request, scorecard)
    target, row, board = selectors.unit_score(request.user, scorecard, code, period)
    ctx.update(scorecard=scorecard, unit=target, row=row, board=board)
    return render(request, "scorecards/unit.html", ctx)


# ----------------------------------------------------------------------------------------- admin
def _require_definer(request: HttpRequest) -> None:
    if not services.can_define(request.user):
        raise Http404


@require_GET
@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _require_definer(request)
    rows = Scorecard.objects.order_by("-is_active", "unit_kind", "name")
    return render(request, "scorecards/manage.html", {"scorecards": rows})


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_definer(request)
    scorecard = selectors.scorecard_get(pk, active_only=False) if pk is not None else None
    errors: list[str] = []
    if request.method == "POST":
        form = ScorecardForm(request.POST)
        formset = ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            specs = [f.spec() for f in formset.forms if not f.is_blank()]
            try:
                saved = services.scorecard_save(
                    actor=request.user,
                    scorecard=scorecard,
                    name=form.cleaned_data["name"],
                    unit_kind=form.cleaned_data["unit_kind"],
                    period_type=form.cleaned_data["period_type"],
                    description=form.cleaned_data["description"],
                    is_active=form.cleaned_data["is_active"],
                    items=specs,
                )
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(request, _("Scorecard saved."))
                return (
                    redirect("scorecards:manage") if not saved.is_active else redirect("scorecards:ranking", saved.pk)
                )
    elif scorecard is not None:
        form = ScorecardForm(
            initial={
                "name": scorecard.name,
                "unit_kind": scorecard.unit_kind,
                "period_type": scorecard.period_type,
                "description": scorecard.description,
                "is_active": scorecard.is_active,
            }
        )
        initial = [
            {"indicator": i.indicator.code, "weight": i.weight, "default_target": i.default_target, "cap": i.cap}
            for i in selectors.scorecard_items(scorecard)
        ]
        formset = ItemFormSet(prefix="items", initial=initial[:ITEM_ROWS])
    else:
        form = ScorecardForm()
        formset = ItemFormSet(prefix="items")
    return render(
        request,
        "scorecards/edit.html",
        {
            "scorecard": scorecard,
            "form": form,
            "formset": formset,
            "errors": errors,
            "indicator_choices": indicator_choices(),
        },
    )
