"""Catalogue admin (``/layanan/kelola/``): a unit's staff manage their own office's services and counters.

Scoped like every staff page: an office outside the user's scope answers 404; a user who may edit no
office at all gets 404 too, so the pages do not say they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from balai.org.models import OrgUnit, User
from balai.publicservices import selectors, services
from balai.publicservices.forms import CounterForm, ServiceForm, put_errors
from balai.publicservices.models import Counter, Service

View = Callable[..., HttpResponse]
PAGE_SIZE = 50


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.managed_units(request.user).exists():
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:  # the rights changed between the read and the write
            raise Http404 from exc

    return wrapper


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _unit_filter(request: HttpRequest, units: list[OrgUnit]) -> OrgUnit | None:
    code = request.GET.get("unit", "")
    return next((u for u in units if u.code == code), None)


# ------------------------------------------------------------------------------------------ services
@staff_required
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = list(selectors.managed_units(user))
    unit = _unit_filter(request, units)
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    qs = selectors.staff_services(user, unit=unit, q=q, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(s, services.standard_missing(s)) for s in page.object_list]
    return render(
        request,
        "publicservices/staff/services.html",
        {
            "tab": "services",
            "units": units,
            "unit": unit,
            "q": q,
            "status": status,
            "page": page,
            "rows": rows,
            "single_unit": len(units) == 1,
        },
    )


def _service_page(request: HttpRequest, service: Service | None) -> HttpResponse:
    user = _user(request)
    post = request.POST if request.method == "POST" else None
    initial = None
    if service is None and post is None:
        wanted = request.GET.get("unit")
        if wanted and not selectors.managed_units(user).filter(code=wanted).exists():
            raise Http404  # an office outside the scope: do not say it exists
        units = list(selectors.managed_units(user)[:2])
        code = wanted or (units[0].code if len(units) == 1 else None)
        initial = {"unit": code, "is_active": True, "time_limit_days": 1, "cost": 0, "sort_order": 100}
    form = ServiceForm(post, user=user, service=service, **({"initial": initial} if initial else {}))
    if post is not None and form.is_valid():
        try:
            if service is None:
                saved = services.service_create(actor=user, unit=form.cleaned_data["unit"], **form.service_values())
            else:
                saved = services.service_update(actor=user, service=service, **form.service_values())
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Service “%(name)s” saved.") % {"name": saved.name})
            return redirect("publicservices:manage")
    return render(
        request,
        "publicservices/staff/service_form.html",
        {"tab": "services", "form": form, "service": service},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    return _service_page(request, None)


@staff_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_page(request, selectors.staff_service_get(_user(request), pk))


@staff_required
@require_POST
def service_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.staff_service_get(_user(request), pk)
    services.service_deactivate(actor=_user(request), service=service)
    messages.success(request, _("“%(name)s” is no longer in the public catalogue.") % {"name": service.name})
    return redirect("publicservices:manage")


# ------------------------------------------------------------------------------------------ counters
@staff_required
@require_GET
def counter_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = list(selectors.managed_units(user))
    unit = _unit_filter(request, units)
    counters = list(selectors.staff_counters(user, unit=unit)[:500])
    return render(
        request,
        "publicservices/staff/counters.html",
        {"tab": "counters", "units": units, "unit": unit, "counters": counters, "single_unit": len(units) == 1},
    )


def _counter_page(request: HttpRequest, unit: OrgUnit, counter: Counter | None) -> HttpResponse:
    user = _user(request)
    post = request.POST if request.method == "POST" else None
    initial = None
    if counter is not None:
        initial = {"name": counter.name, "is_active": counter.is_active, "services": list(counter.services.all())}
    form = CounterForm(post, unit=unit, initial=initial or {"is_active": True})
    if post is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if counter is None:
                saved = services.counter_create(
                    actor=user, unit=unit, name=data["name"], services=data["services"], is_active=data["is_active"]
                )
            else:
                saved = services.counter_update(
                    actor=user,
                    counter=counter,
                    name=data["name"],
                    services=data["services"],
                    is_active=data["is_active"],
                )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Counter “%(name)s” saved.") % {"name": saved.name})
            return redirect(f"{_counters_url()}?unit={unit.code}")
    return render(
        request,
        "publicservices/staff/counter_form.html",
        {"tab": "counters", "form": form, "counter": counter, "unit": unit},
    )


def _counters_url() -> str:
    from django.urls import reverse

    return reverse("publicservices:manage_counters")


@staff_required
@require_http_methods(["GET", "POST"])
def counter_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = list(selectors.managed_units(user))
    code = request.GET.get("unit") or (units[0].code if len(units) == 1 else "")
    unit = next((u for u in units if u.code == code), None)
    if unit is None:
        if code:
            raise Http404  # an office outside the scope: do not say it exists
        return render(request, "publicservices/staff/counter_unit.html", {"tab": "counters", "units": units})
    return _counter_page(request, unit, None)


@staff_required
@require_http_methods(["GET", "POST"])
def counter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    counter = selectors.staff_counter_get(_user(request), pk)
    return _counter_page(request, counter.unit, counter)
