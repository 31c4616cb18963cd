"""Org tree and ASN register over the API, scoped like the caller (out of scope = 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Value, When
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from balai.org import access, selectors
from balai.org.models import OrgUnit, Pegawai
from balai.org.schemas import MeOut, OrgUnitOut, PegawaiOut

router = Router(tags=["org"])


def _unit_out(u: OrgUnit, user: Any) -> dict[str, Any]:
    parent_visible = u.parent is not None and access.can(user, "view", u.parent)
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "parent": u.parent.code if parent_visible and u.parent else None,
        "depth": u.depth,
        "kemendagri_code": u.kemendagri_code,
        "is_active": u.is_active,
    }


@router.get("/me", response=MeOut, summary="The caller and their roles")
def me(request: HttpRequest) -> Any:
    from balai.org.models import RoleAssignment

    user = request.user
    roles = RoleAssignment.objects.filter(user_id=user.pk or 0).select_related("org_unit").order_by("org_unit__path")
    return {
        "username": user.username,
        "full_name": getattr(user, "full_name", ""),
        "is_integration": getattr(user, "is_integration", False),
        "roles": [{"role": r.role, "orgUnit": r.org_unit.code} for r in roles],
    }


@router.get("/orgUnits", response=list[OrgUnitOut], summary="Org units in the caller's scope")
@paginate(LimitOffsetPagination)
def org_units(request: HttpRequest, parent: str | None = None, kind: str | None = None) -> Any:
    qs = selectors.units_visible(request.user)
    if parent:
        qs = qs.filter(parent=selectors.unit_get(request.user, parent))
    if kind:
        qs = qs.filter(kind=kind)
    # The top units of the caller's scope show no parent: its code is outside what they may see.
    tops = [] if request.user.is_superuser else access.scope_paths(request.user, "view")
    parent_code = Case(When(path__in=tops, then=Value(None)), default=F("parent__code"))
    # Return the lazy queryset: the paginator slices it, so only one page is ever loaded.
    return qs.annotate(parent_code=parent_code).order_by("path")


@router.get("/orgUnits/{code}", response=OrgUnitOut, summary="One org unit (404 when outside the scope)")
def org_unit(request: HttpRequest, code: str) -> Any:
    unit = selectors.unit_get(request.user, code)
    return _unit_out(unit, request.user)


@router.get(
    "/pegawai/{pk}",
    response=PegawaiOut,
    summary="One ASN record; NIK and phone masked unless the caller's role needs them",
)
def pegawai(request: HttpRequest, pk: int) -> Any:
    p: Pegawai = selectors.pegawai_get(request.user, pk)
    return {
        "id": p.pk,
        "nip": p.nip,
        "name": p.name,
        "sex": p.sex,
        "orgUnit": p.org_unit.code,
        "position": p.position,
        "rank": p.rank,
        "nik": access.mask(p.nik, request.user, p.org_unit),
        "phone": access.mask(p.phone, request.user, p.org_unit),
    }
