"""Open data for people (the dataset list and pages), the resource files, and the DCAT catalogue.

Public, no login. The files stream Facts of public indicators only (never a module's table, never a
person), so a year of daily Facts for every RT does not sit in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from balai.opendata import ckan, dcat
from balai.opendata import search as searching
from balai.opendata.selectors import COLUMNS, NotFound, catalogue, fact_rows

PAGE_SIZE = 20
PREVIEW_ROWS = 50


def number(value: float | None) -> int | float | None:
    """12.0 → 12: counts read as counts in CSV and JSON; other values keep every digit."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(COLUMNS)
    for period, code, name, kemendagri, value, num, den in rows:
        yield writer.writerow([period, code, name, kemendagri, number(value), number(num), number(den)])


def _json_chunks(meta: dict[str, Any], rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    head = json.dumps(meta, ensure_ascii=False)
    yield head[:-1] + ', "records": ['
    for i, (period, code, name, kemendagri, value, num, den) in enumerate(rows):
        record = {
            "period": period,
            "org_unit_code": code,
            "org_unit_name": name,
            "kemendagri_code": kemendagri,
            "value": number(value),
            "numerator": number(num),
            "denominator": number(den),
        }
        yield ("" if i == 0 else ", ") + json.dumps(record, ensure_ascii=False)
    yield "]}"


@require_GET
def resource(request: HttpRequest, name: str, year: str, fmt: str) -> StreamingHttpResponse:
    try:
        ds = catalogue().dataset(name)
    except NotFound:
        raise Http404 from None
    found = ds.year(int(year))
    if found is None or fmt not in ("csv", "json"):
        raise Http404
    rows = fact_rows(ds, found.year)
    filename = f"{ds.name}-{found.year}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    else:
        ind = ds.indicator
        meta = {
            "dataset": ds.name,
            "year": found.year,
            "indicator": {"code": ind.code, "name_id": ind.name_id, "name_en": ind.name_en, "unit": ind.unit},
            "fields": [{"id": c, "type": "text" if c in COLUMNS[:4] else "numeric"} for c in COLUMNS],
        }
        response = StreamingHttpResponse(_json_chunks(meta, rows), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    body = dcat.catalog(catalogue(), ckan.base_url(request))
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/ld+json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    cat = catalogue()
    q = request.GET.get("q", "").strip()
    org = request.GET.get("organization", "").strip()
    tag = request.GET.get("tag", "").strip()
    fq = " ".join(
        f'{field}:"{value}"' for field, value in (("organization", org), ("tags", tag)) if value and '"' not in value
    )
    found = searching.search(
        cat,
        {
            "q": q,
            "fq": fq,
            "rows": searching.ROWS_MAX,
            "sort": "score desc, title_string asc",
            "facet.field": ["organization", "tags"],
        },
    )
    page = Paginator(found.results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("q", q), ("organization", org), ("tag", tag)) if v}
    return render(
        request,
        "opendata/index.html",
        {
            "page": page,
            "count": found.count,
            "q": q,
            "organization": org,
            "tag": tag,
            "query": query,
            "organizations": found.facets["organization"],
            "tags": found.facets["tags"],
            "all_organizations": cat.organizations,
            "all_tags": cat.tags(),
            "api_url": ckan.base_url(request) + reverse("opendata_api:action", args=["package_search"]),
        },
    )


@require_GET
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    try:
        ds = catalogue().dataset(name)
    except NotFound:
        raise Http404 from None
    latest = ds.latest_year
    preview = (
        [
            (p, c, n, k, number(v), number(a), number(b))
            for p, c, n, k, v, a, b in fact_rows(ds, latest.year, PREVIEW_ROWS)
        ]
        if latest
        else []
    )
    base = ckan.base_url(request)
    return render(
        request,
        "opendata/dataset.html",
        {
            "ds": ds,
            "resources": [(r, ckan.resource_dict(r, base)["url"]) for r in ds.resources],
            "latest": latest,
            "preview": preview,
            "columns": COLUMNS,
            "license": ckan.license_info(),
            "api_url": f"{base}/api/3/action/package_show?id={ds.name}",
            "base": base,
        },
    )
