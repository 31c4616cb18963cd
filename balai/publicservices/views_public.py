"""The public catalogue (``/layanan/``, no login): every office's services with their standar pelayanan."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from balai.org.models import OrgUnit
from balai.org.selectors import pemda_root
from balai.publicservices import selectors
from balai.publicservices.forms import SearchForm
from balai.publicservices.models import Service

LIST_CACHE_SECONDS = 300


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def apply_url(service: Service) -> str | None:
    """The online application page of the service, when it takes online applications and that app is installed."""
    if not service.is_online:
        return None
    for kwargs in ({"args": [service.pk]}, {"kwargs": {"service_id": service.pk}}, {"kwargs": {"pk": service.pk}}):
        try:
            return reverse("applications:apply", **kwargs)  # type: ignore[arg-type]
        except NoReverseMatch:
            continue
    return None


def complaint_url() -> str | None:
    try:
        return reverse("complaints_public:new")
    except NoReverseMatch:
        return None


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q, wilayah, group = form.values() if request.GET else ("", "", "")
    area = selectors.area_get(wilayah)
    results, count = _results(request, q, area, group)
    kecamatan, kelurahan = selectors.public_areas()
    context: dict[str, Any] = {
        "form": form,
        "q": q,
        "area": area,
        "group": group,
        "filtered": bool(q or area or group),
        "results": results,
        "count": count,
        "kecamatan": kecamatan,
        "kelurahan": kelurahan,
        "pemda": pemda_root(),
        "complaint_url": complaint_url(),
    }
    return render(request, "publicservices/public/catalogue.html", context)


def _results(request: HttpRequest, q: str, area: OrgUnit | None, group: str) -> tuple[str, int]:
    """The grouped list as HTML, and how many services it holds.

    The whole list (a few hundred services) is the heaviest public page and the same for every citizen: it is
    cached per language, area and office group until a service or a counter changes (free-text searches are
    not cached: their number is unbounded). Office renames show within ``LIST_CACHE_SECONDS``.
    """
    key = None
    if not q:
        key = ":".join(
            (
                "publicservices.list",
                get_language() or "",
                selectors.catalogue_version(),
                area.code if area else "",
                group,
            )
        )
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached[0]), cached[1]  # noqa: S308 - our own rendered template, from our cache
    rows, units = selectors.catalogue_rows(selectors.catalogue_search(q=q, area=area, group=group))
    context = {
        "groups": selectors.catalogue_grouped(rows, units, group=group),
        "filtered": bool(q or area or group),
        "online_label": _("Online"),
    }
    result = (render_to_string("publicservices/public/_results.html", context, request=request), len(rows))
    if key is not None:
        cache.set(key, result, LIST_CACHE_SECONDS)
    return result


@require_GET
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.public_service_get(pk)
    if service is None:
        raise Http404
    context = {
        "service": service,
        "requirements": _lines(service.requirements),
        "procedure": _lines(service.procedure),
        "counters": selectors.counters_serving(service),
        "apply_url": apply_url(service),
        "complaint_url": complaint_url(),
        "group": selectors.group_of(service.unit),
    }
    return render(request, "publicservices/public/detail.html", context)
