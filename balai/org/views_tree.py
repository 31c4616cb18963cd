"""The org tree pages: browse the units in scope, edit them, add children, import RW/RT from CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from balai.core.scoping import subtree_q
from balai.org import access, selectors, services
from balai.org.choices import ALLOWED_CHILDREN, UnitKind
from balai.org.forms import UnitAddForm, UnitEditForm, add_service_errors
from balai.org.import_preview import import_flow
from balai.org.models import OrgUnit, User
from balai.org.roles import Action

# The tree page stops at kelurahan/desa; below them RW and RT are many and load on demand.
COLLAPSED_KINDS = (UnitKind.RW, UnitKind.RT)
KIND_ORDER = {kind: i for i, kind in enumerate(UnitKind.values)}
KIND_BADGE: dict[str, str] = {
    UnitKind.PEMDA: "bg-dark-lt",
    UnitKind.PERANGKAT_DAERAH: "bg-blue-lt",
    UnitKind.UPTD: "bg-cyan-lt",
    UnitKind.BAGIAN: "bg-azure-lt",
    UnitKind.KECAMATAN: "bg-green-lt",
    UnitKind.KELURAHAN: "bg-teal-lt",
    UnitKind.DESA: "bg-lime-lt",
    UnitKind.RW: "bg-orange-lt",
    UnitKind.RT: "bg-yellow-lt",
}
SEARCH_LIMIT = 100
IMPORT_SESSION_KEY = "balai_unit_import"


@dataclass
class Node:
    unit: OrgUnit
    kids: list[Node] = field(default_factory=list)
    level: int = 0

    @property
    def collapsed_count(self) -> int:
        """Children not drawn in the tree (RW/RT), to be fetched when the clerk opens them."""
        return 0 if self.kids else getattr(self.unit, "n_children", 0)


def _decorate(units: list[OrgUnit]) -> list[OrgUnit]:
    """Badge class and the label of the "show children" button, read by the templates."""
    for unit in units:
        unit.badge = KIND_BADGE.get(unit.kind, "bg-secondary-lt")  # type: ignore[attr-defined]
        n = getattr(unit, "n_children", 0)
        child_kinds = ALLOWED_CHILDREN.get(unit.kind, set())
        if len(child_kinds) == 1:
            label = _("Show %(n)s %(kind)s") % {"n": n, "kind": UnitKind(next(iter(child_kinds))).label}
        else:
            label = ngettext("Show %(n)s unit", "Show %(n)s units", n) % {"n": n}
        unit.expand_label = label  # type: ignore[attr-defined]
    return units


def _sort_key(unit: OrgUnit) -> tuple[int, str]:
    return KIND_ORDER.get(unit.kind, 99), unit.code


def _build_tree(user: Any, home: OrgUnit) -> Node:
    units = _decorate(
        list(
            selectors.units_visible(user)
            .filter(subtree_q(home.path), is_active=True)
            .exclude(kind__in=COLLAPSED_KINDS)
            .annotate(n_children=Count("children"))
            .order_by("path")
        )
    )
    by_parent: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)

    def grow(unit: OrgUnit, level: int) -> Node:
        kids = sorted(by_parent.get(unit.pk, []), key=_sort_key)
        return Node(unit, [grow(k, level + 1) for k in kids], level)

    root = next((u for u in units if u.pk == home.pk), None)
    if root is None:  # an inactive home unit: nothing to draw
        return Node(_decorate([home])[0])
    return grow(root, 0)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    q = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"q": q, "can_admin_here": access.can(user, Action.ADMIN)}
    if q:
        found = (
            selectors.units_visible(user)
            .filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(kemendagri_code__icontains=q))
            .select_related("parent")
            .order_by("path")[: SEARCH_LIMIT + 1]
        )
        results = _decorate(list(found))
        context["results"] = results[:SEARCH_LIMIT]
        context["more_results"] = len(results) > SEARCH_LIMIT
    else:
        context["trees"] = [_build_tree(user, home) for home in selectors.home_units(user)]
    return render(request, "org/tree/tree.html", context)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    unit = selectors.unit_get(user, code)
    children = _decorate(
        list(selectors.unit_children(user, unit).annotate(n_children=Count("children")).order_by("code"))
    )
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "org/tree/_children.html", {"parent": unit, "children": children})
        # The same URL answers a page or a fragment: caches and the back button must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response
    ancestors = [(a, access.can(user, Action.VIEW, a)) for a in unit.ancestors()]
    is_admin = access.can(user, Action.ADMIN, unit)
    context = {
        "unit": _decorate([unit])[0],
        "ancestors": ancestors,
        "children": children,
        "asn_here": selectors.pegawai_list(user).filter(org_unit=unit).count(),
        "asn_subtree": selectors.pegawai_list(user, unit=unit).count(),
        "can_edit": is_admin,
        "can_add_child": is_admin and bool(ALLOWED_CHILDREN[unit.kind]),
        "can_add_pegawai": is_admin and unit.is_office,
    }
    return render(request, "org/tree/detail.html", context)


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    unit = selectors.unit_get(user, code, Action.ADMIN)
    form = UnitEditForm.for_unit(unit, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                unit = services.orgunit_update(actor=user, unit=unit, **changes)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("%(name)s saved.") % {"name": unit.name})
            return redirect("org:unit_detail", code=unit.code)
    return render(request, "org/tree/edit.html", {"unit": unit, "form": form})


@login_required
def unit_add_child(request: HttpRequest, code: str) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    parent = selectors.unit_get(user, code, Action.ADMIN)
    if not ALLOWED_CHILDREN[parent.kind]:
        raise Http404
    form = UnitAddForm(request.POST if request.method == "POST" else None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.orgunit_create(actor=user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(
                request, _("%(name)s added under %(parent)s.") % {"name": child.name, "parent": parent.name}
            )
            return redirect("org:unit_detail", code=child.code)
    return render(request, "org/tree/add.html", {"parent": parent, "form": form})


def _template_csv(user: Any) -> HttpResponse:
    homes = [u for u in selectors.home_units(user, Action.ADMIN) if ALLOWED_CHILDREN[u.kind]]
    parent = selectors.units_visible(user, Action.ADMIN).filter(kind__in=[UnitKind.KELURAHAN, UnitKind.DESA]).order_by(
        "path"
    ).first() or (homes[0] if homes else None)
    parent_code = parent.code if parent else "63.72.04.1002"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(services.UNIT_CSV_HEADERS)
    writer.writerow([parent_code, f"{parent_code}.001", "RW 001", "rw"])
    writer.writerow([f"{parent_code}.001", f"{parent_code}.001.001", "RT 001", "rt"])
    writer.writerow([f"{parent_code}.001", f"{parent_code}.001.002", "RT 002", "rt"])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="template_rw_rt.csv"'
    return response


@login_required
def unit_import(request: HttpRequest) -> HttpResponse:
    """Preview first (dry run), then confirm (org/import_preview.py)."""
    user = cast(User, request.user)  # login_required: never anonymous here
    if not access.can(user, Action.ADMIN):
        raise Http404
    if request.method == "GET" and request.GET.get("template"):
        return _template_csv(user)
    context: dict[str, Any] = {}
    done = import_flow(
        request,
        run=lambda content, dry_run: services.orgunits_import_csv(actor=user, content=content, dry_run=dry_run),
        session_key=IMPORT_SESSION_KEY,
        again="org:unit_import",
        done="org:tree",
        done_message=_("Import done: %(created)s added, %(updated)s updated, %(ignored)s unchanged."),
        context=context,
    )
    return done or render(request, "org/tree/import.html", context)
