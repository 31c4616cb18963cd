"""The public catalogue over the API (no token: it is what the public pages show), for kiosks and mobile apps."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from balai.org.models import OrgUnit
from balai.publicservices import selectors
from balai.publicservices.models import Service
from balai.publicservices.schemas import ErrorOut, ServiceOut, ServiceSummaryOut
from balai.publicservices.views_public import apply_url

router = Router(tags=["catalogue"])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _office(unit: OrgUnit) -> dict[str, Any]:
    return {"code": unit.code, "name": unit.name, "group": selectors.group_of(unit)}


def _summary(request: HttpRequest, s: Service) -> dict[str, Any]:
    return {
        "id": s.pk,
        "code": s.code,
        "name": s.name,
        "office": _office(s.unit),
        "timeLimitDays": s.time_limit_days,
        "cost": int(s.cost),
        "costVaries": s.cost_varies,
        "isFree": s.is_free,
        "isOnline": s.is_online,
        "url": request.build_absolute_uri(reverse("publicservices:detail", args=[s.pk])),
    }


@router.get(
    "/catalogue/services",
    auth=None,
    response=list[ServiceSummaryOut],
    summary="Active services of the public catalogue: search words, area (kecamatan/kelurahan code), office group",
)
@paginate(LimitOffsetPagination)
def service_list(request: HttpRequest, q: str = "", area: str = "", group: str = "", office: str = "") -> Any:
    qs = selectors.catalogue_search(q=q[:100], area=selectors.area_get(area), group=group)
    if office:
        qs = qs.filter(unit__code=office)
    return _LazySummaries(request, qs)


class _LazySummaries:
    """The paginator slices this: only one page of services is read and turned into dicts."""

    def __init__(self, request: HttpRequest, qs: Any) -> None:
        self.request, self.qs = request, qs

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, key: slice) -> list[dict[str, Any]]:
        return [_summary(self.request, s) for s in self.qs[key]]


@router.get(
    "/catalogue/services/{pk}",
    auth=None,
    response={200: ServiceOut, 404: ErrorOut},
    summary="One service with its standar pelayanan and the counters serving it",
)
def service_detail(request: HttpRequest, pk: int) -> Any:
    s = selectors.public_service_get(pk)
    if s is None:
        return Status(404, {"message": "Not found"})
    link = apply_url(s)
    return {
        **_summary(request, s),
        "description": s.description,
        "requirements": _lines(s.requirements),
        "procedure": _lines(s.procedure),
        "costNote": s.cost_note,
        "product": s.product,
        "complaintChannel": s.complaint_channel,
        "applyUrl": request.build_absolute_uri(link) if link else None,
        "counters": [{"id": c.pk, "name": c.name, "office": _office(c.unit)} for c in selectors.counters_serving(s)],
    }
