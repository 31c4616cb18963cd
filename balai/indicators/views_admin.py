"""Indicator admin: define external and computed indicators; targets for many units at once or from CSV.

Defining indicators is for administrators of the whole Pemda (indicators are city-wide); anyone else gets
404, as on the other admin pages. Targets follow the import right, unit by unit, like the single target page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from balai.indicators import selectors, services
from balai.indicators.forms import IndicatorForm, TargetBulkForm
from balai.indicators.models import Indicator, Target
from balai.org import access
from balai.org import selectors as org_selectors
from balai.org.choices import UnitKind
from balai.org.forms import add_service_errors
from balai.org.import_preview import import_flow
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

View = Callable[..., HttpResponse]
TARGET_IMPORT_SESSION_KEY = "balai_target_import"
#: Kinds of unit the bulk target page lists, in tree order (targets are not set per RW/RT).
BULK_KINDS = [
    UnitKind.PEMDA,
    UnitKind.PERANGKAT_DAERAH,
    UnitKind.UPTD,
    UnitKind.BAGIAN,
    UnitKind.KECAMATAN,
    UnitKind.KELURAHAN,
    UnitKind.DESA,
]


def indicator_admin_required(view: View) -> View:
    """Signed in and administrator of a whole Pemda; otherwise these pages do not exist (404)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.indicator_admin_allowed(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _components() -> list[tuple[str, str]]:
    """The indicators a computed one may use, as form choices."""
    from balai.indicators.computed import ALLOWED_COMPONENTS

    return [
        (i.code, f"{i.code} — {i.name}") for i in selectors.indicators_all().filter(aggregation__in=ALLOWED_COMPONENTS)
    ]


def _definition(form: IndicatorForm, base: services.IndicatorDefinition | None) -> services.IndicatorDefinition:
    data = form.cleaned_data
    if base is not None and "code" not in form.fields:  # a module's indicator: only its editable fields
        for name in IndicatorForm.MODULE_FIELDS:
            setattr(base, name, data[name])
        return base
    return services.IndicatorDefinition(
        code=data["code"],
        name_id=data["name_id"],
        name_en=data["name_en"],
        description_id=data["description_id"],
        description_en=data["description_en"],
        unit=data["unit"],
        value_type=data["value_type"],
        aggregation=data["aggregation"],
        period_type=data["period_type"],
        polarity=data["polarity"],
        decimals=data["decimals"],
        ratio_factor=data["ratio_factor"],
        owner=data["owner"],
        category=data["category"],
        sort_order=data["sort_order"],
        is_public=data["is_public"],
        is_active=data["is_active"],
        numerator=list(data["numerator"]),
        denominator=list(data["denominator"]),
    )


@indicator_admin_required
@require_http_methods(["GET"])
def indicator_manage(request: HttpRequest) -> HttpResponse:
    indicators = Indicator.objects.select_related("owner").prefetch_related("terms__component")
    declared = services.declared_sources()
    rows = [{"indicator": i, "declared_by": declared.get(i.code)} for i in indicators.order_by("sort_order", "code")]
    return render(request, "indicators/manage/list.html", {"rows": rows})


@indicator_admin_required
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = IndicatorForm(
        request.POST or None,
        components=_components(),
        initial={"period_type": "month", "aggregation": "sum", "value_type": "number", "polarity": 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(actor=user, definition=_definition(form, None))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Indicator %(code)s has been created.") % {"code": indicator.code})
            return redirect("indicators:manage")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "indicators/manage/form.html", {"form": form, "indicator": None}, status=status)


@indicator_admin_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)
    indicator = get_object_or_404(Indicator, code=code)
    declared_by = services.declared_sources().get(indicator.code)
    current = services.IndicatorDefinition.of(indicator)
    initial = {**current.__dict__, "owner": indicator.owner.code if indicator.owner else None}
    form = IndicatorForm(
        request.POST or None,
        initial=initial,
        components=[c for c in _components() if c[0] != indicator.code],
        module_declared=declared_by is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(actor=user, indicator=indicator, definition=_definition(form, current))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Indicator %(code)s has been saved.") % {"code": indicator.code})
            return redirect("indicators:manage")
    context = {"form": form, "indicator": indicator, "declared_by": declared_by}
    return render(request, "indicators/manage/form.html", context, status=400 if form.is_bound and form.errors else 200)


@indicator_admin_required
@require_POST
def indicator_deactivate(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    try:
        services.indicator_deactivate(actor=request.user, indicator=indicator)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("indicators:manage_edit", code=indicator.code)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Indicator %(code)s has been deactivated.") % {"code": indicator.code})
    return redirect("indicators:manage")


# ------------------------------------------------------------------------------------- targets
def _parse_target(raw: str) -> float | None:
    text = raw.strip().replace(" ", "")
    if not text:
        return None
    if "," in text:  # "12,5" as an Indonesian clerk types it
        text = text.replace(".", "").replace(",", ".")
    return float(text)


@login_required
@require_http_methods(["GET", "POST"])
def targets_bulk(request: HttpRequest, code: str) -> HttpResponse:
    """The targets of every unit of one kind for one period (e.g. all kelurahan for 2026) on one page."""
    user = cast(User, request.user)
    if not access.can(user, Action.IMPORT):
        raise Http404
    indicator = get_object_or_404(selectors.indicators_all(), code=code)
    in_scope = org_selectors.units_visible(user, Action.IMPORT).filter(is_active=True)
    present = set(in_scope.values_list("kind", flat=True).distinct())
    kinds = [(k.value, k.label) for k in BULK_KINDS if k in present]
    if not kinds:
        raise Http404
    params = request.POST if request.method == "POST" else request.GET
    default_kind = UnitKind.KELURAHAN if UnitKind.KELURAHAN in present else kinds[0][0]
    picker = TargetBulkForm(
        {"kind": params.get("kind") or default_kind, "period": params.get("period") or str(timezone.localdate().year)},
        kinds=kinds,
    )
    units: list[OrgUnit] = []
    period = ""
    if picker.is_valid():
        period = picker.cleaned_data["period"]
        units = list(in_scope.filter(kind=picker.cleaned_data["kind"]).order_by("path"))
    current = dict(
        Target.objects.filter(indicator=indicator, period=period, org_unit__in=units).values_list(
            "org_unit_id", "value"
        )
    )
    entered = {u.pk: request.POST.get(f"u-{u.code}", "") for u in units} if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST" and picker.is_valid():
        values: dict[OrgUnit, float | None] = {}
        for unit in units:
            try:
                values[unit] = _parse_target(entered[unit.pk])
            except ValueError:
                errors[unit.code] = _("the target %(v)s is not a number") % {"v": entered[unit.pk]}
        if errors:
            # Say at once what else is wrong on the page, not one mistake per round trip.
            for unit, value in values.items():
                if value is not None:
                    try:
                        services.target_value_check(indicator, value)
                    except ValueError as exc:
                        errors[unit.code] = str(exc)
        else:
            try:
                result = services.targets_set_bulk(actor=user, indicator=indicator, period=period, values=values)
            except ValidationError as exc:
                for key, messages_ in exc.message_dict.items():
                    if key == "period":
                        picker.add_error("period", messages_)
                    else:
                        errors[key] = "; ".join(messages_)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("Targets for %(period)s saved: %(created)s new, %(updated)s changed, %(cleared)s cleared.")
                    % {
                        "period": period,
                        "created": result.created,
                        "updated": result.updated,
                        "cleared": result.cleared,
                    },
                )
                url = reverse("indicators:targets_bulk", args=[indicator.code])
                return redirect(f"{url}?{urlencode({'kind': picker.cleaned_data['kind'], 'period': period})}")
    rows = [
        {
            "unit": u,
            "value": entered[u.pk] if u.pk in entered else _number(current.get(u.pk)),
            "error": errors.get(u.code, ""),
        }
        for u in units
    ]
    context = {"indicator": indicator, "picker": picker, "rows": rows, "period": period, "has_errors": bool(errors)}
    return render(request, "indicators/targets_bulk.html", context, status=400 if errors else 200)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _targets_template(user: Any) -> HttpResponse:
    """A file to fill in: an indicator with a target-worthy value and the kelurahan in the user's scope."""
    indicator = selectors.indicators_all().first()
    units = (
        org_selectors.units_visible(user, Action.IMPORT)
        .filter(is_active=True, kind__in=[UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA])
        .order_by("path")[:5]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(services.TARGET_CSV_HEADERS)
    year = str(timezone.localdate().year)
    for unit in units:
        if indicator is not None:
            writer.writerow([indicator.code, unit.code, year, ""])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template_targets.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request: HttpRequest) -> HttpResponse:
    """Targets from CSV: preview per line (a dry run), then confirm (org/import_preview.py)."""
    user = cast(User, request.user)
    if not access.can(user, Action.IMPORT):
        raise Http404
    if request.method == "GET" and request.GET.get("template"):
        return _targets_template(user)
    context: dict[str, Any] = {}
    try:
        done = import_flow(
            request,
            run=lambda content, dry_run: services.targets_import_csv(actor=user, content=content, dry_run=dry_run),
            session_key=TARGET_IMPORT_SESSION_KEY,
            again="indicators:targets_import",
            done="indicators:list",
            done_message=_("Targets imported: %(created)s new, %(updated)s changed, %(ignored)s unchanged."),
            context=context,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    return done or render(request, "indicators/targets_import.html", context)
