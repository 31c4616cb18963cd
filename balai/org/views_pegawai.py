"""The ASN register pages: list, detail, add, edit, all scoped by the org tree."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from balai.org import access, selectors, services
from balai.org.choices import OFFICE_KINDS
from balai.org.forms import PegawaiForm, add_service_errors
from balai.org.models import OrgUnit, Pegawai, User
from balai.org.roles import Action

PAGE_SIZE = 50


def _unit_filter(user: Any, code: str) -> OrgUnit | None:
    return selectors.unit_get(user, code) if code else None


@login_required
def pegawai_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    q = request.GET.get("q", "").strip()
    unit = _unit_filter(user, request.GET.get("unit", "").strip())
    page = Paginator(selectors.pegawai_list(user, unit=unit, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "unit": unit,
        "units": selectors.units_visible(user).filter(kind__in=OFFICE_KINDS, is_active=True).order_by("path"),
        "query": query.urlencode(),
        "can_add": access.can(user, Action.ADMIN, unit) if unit else access.can(user, Action.ADMIN),
    }
    return render(request, "org/pegawai/list.html", context)


@login_required
def pegawai_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    pegawai = selectors.pegawai_get(user, pk)
    unit = pegawai.org_unit
    context = {
        "pegawai": pegawai,
        "nik": access.mask(pegawai.nik, user, unit),
        "phone": access.mask(pegawai.phone, user, unit),
        "email": pegawai.email if access.can(user, Action.PERSONAL, unit) else "",
        "can_edit": access.can(user, Action.ADMIN, unit),
    }
    return render(request, "org/pegawai/detail.html", context)


@login_required
def pegawai_add(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    if not access.can(user, Action.ADMIN):
        raise Http404
    units = selectors.units_visible(user, Action.ADMIN)
    initial: dict[str, Any] = {}
    unit_code = request.GET.get("unit", "")
    if unit_code and units.filter(code=unit_code).exists():
        initial["org_unit"] = unit_code
    form = PegawaiForm(request.POST if request.method == "POST" else None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data(editing=False)
        org_unit = data.pop("org_unit")
        try:
            pegawai = services.pegawai_create(actor=user, org_unit=org_unit, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("%(name)s added to the ASN register.") % {"name": pegawai.name})
            return redirect("org:pegawai_detail", pk=pegawai.pk)
    return render(request, "org/pegawai/form.html", {"form": form, "pegawai": None})


@login_required
def pegawai_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    pegawai: Pegawai = selectors.pegawai_get(user, pk, Action.ADMIN)
    units = selectors.units_visible(user, Action.ADMIN)
    initial = {name: getattr(pegawai, name) for name in (*PegawaiForm.PLAIN, *PegawaiForm.DERIVED)}
    initial["org_unit"] = pegawai.org_unit.code
    form = PegawaiForm(request.POST if request.method == "POST" else None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data(editing=True)
        try:
            pegawai = services.pegawai_update(actor=user, pegawai=pegawai, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("%(name)s saved.") % {"name": pegawai.name})
            return redirect("org:pegawai_detail", pk=pegawai.pk)
    return render(request, "org/pegawai/form.html", {"form": form, "pegawai": pegawai})
