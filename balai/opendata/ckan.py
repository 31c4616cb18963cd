"""A read-only subset of CKAN's Action API, so CKAN clients (ckanapi, the Satu Data Indonesia harvesters,
a journalist's script) read Balai's open data as they read any CKAN portal.

Served at ``/api/3/action/<name>`` and ``/api/action/<name>`` (ckanapi uses the latter, POSTs JSON and
never follows redirects, so neither path redirects). Every answer is CKAN's envelope::

    {"help": "<base>/api/3/action/help_show?name=<action>", "success": true, "result": ...}
    {"help": ..., "success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}   # 404
    {"help": ..., "success": false, "error": {"__type": "Validation Error", "rows": ["..."]}}        # 409

Two deliberate differences from CKAN, both documented in docs/users/opendata.md: an unknown action
answers a ``Not Found Error`` (404) as the issue asks, where CKAN answers a bare 400 "Bad request - Action
name not known"; and ``rows`` above 1000 is a Validation Error where CKAN silently clamps it. Messages are
CKAN's English ones whatever the reader's language: clients compare them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from balai.opendata import search as searching
from balai.opendata.selectors import Catalogue, Dataset, NotFound, Organization, Resource, catalogue

#: Known licences: (title, url, is open). Any other BALAI_OPENDATA_LICENSE is published by its id alone.
LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/", True),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        True,
    ),
    "CC0-1.0": ("Creative Commons CCZero", "https://creativecommons.org/publicdomain/zero/1.0/", True),
    "ODbL-1.0": ("Open Data Commons Open Database License", "https://opendatacommons.org/licenses/odbl/1-0/", True),
}
POLARITY = {1: "higher_is_better", 0: "neutral", -1: "lower_is_better"}


class ActionError(Exception):
    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error)
        self.status = status
        self.error = error


def not_found(detail: str = "") -> ActionError:
    return ActionError(404, {"__type": "Not Found Error", "message": f"Not found: {detail}" if detail else "Not found"})


def validation(errors: dict[str, list[str]]) -> ActionError:
    return ActionError(409, {"__type": "Validation Error", **errors})


def base_url(request: HttpRequest) -> str:
    return settings.BALAI_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def license_info() -> dict[str, Any]:
    lid = settings.BALAI_OPENDATA_LICENSE
    title, url, is_open = LICENSES.get(lid, (lid, "", False))
    return {"license_id": lid, "license_title": title, "license_url": url, "isopen": is_open}


def stamp(value: dt.datetime | None) -> str | None:
    """CKAN's timestamps: naive ISO 8601 in UTC with microseconds."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


# ------------------------------------------------------------------------------------ dictization
def organization_dict(org: Organization, cat: Catalogue) -> dict[str, Any]:
    unit = org.unit
    return {
        "id": org.id,
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": stamp(unit.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
        "type": "organization",
        "package_count": cat.package_count(org),
    }


def resource_dict(res: Resource, base: str) -> dict[str, Any]:
    ds = res.dataset
    fmt = res.fmt.upper()
    return {
        "id": res.id,
        "package_id": ds.id,
        "name": f"{ds.title} {res.year.year} ({fmt})",
        "description": f"{ds.indicator.name_en}, {res.year.year}: {res.year.rows} rows.",
        "format": fmt,
        "mimetype": res.media_type,
        "url": base + reverse("opendata:resource", args=[ds.name, res.year.year, res.fmt]),
        "url_type": None,
        "created": stamp(res.year.created),
        "last_modified": stamp(res.year.modified),
        "metadata_modified": stamp(res.year.modified),
        "position": res.position,
        "state": "active",
        "size": None,
        "hash": "",
        "datastore_active": False,
    }


def dataset_dict(ds: Dataset, cat: Catalogue, base: str) -> dict[str, Any]:
    ind = ds.indicator
    org = ds.organization
    resources = [resource_dict(r, base) for r in ds.resources]
    extras = [
        ("indicator_code", ind.code),
        ("title_en", ind.name_en),
        ("notes_en", ind.description_en),
        ("unit_of_measure", ind.unit),
        ("period_type", ind.period_type),
        ("aggregation", ind.aggregation),
        ("polarity", POLARITY.get(ind.polarity, str(ind.polarity))),
        ("source", ind.source),
    ]
    return {
        "id": ds.id,
        "name": ds.name,
        "title": ds.title,
        "notes": ds.notes,
        "type": "dataset",
        "state": "active",
        "private": False,
        "author": org.title,
        "author_email": None,
        "maintainer": org.title,
        "maintainer_email": None,
        **license_info(),
        "metadata_created": stamp(ds.created),
        "metadata_modified": stamp(ds.modified),
        "url": base + reverse("opendata:dataset", args=[ds.name]),
        "version": None,
        "owner_org": org.id,
        "organization": {k: v for k, v in organization_dict(org, cat).items() if k != "package_count"},
        "num_resources": len(resources),
        "resources": resources,
        "num_tags": len(ds.tags),
        "tags": [{"name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in ds.tags],
        "extras": [{"key": k, "value": v} for k, v in extras],
        "groups": [],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# ----------------------------------------------------------------------------------------- actions
Params = Mapping[str, Any]


def _required(params: Params, key: str) -> str:
    value = params.get(key)
    if value is None or str(value).strip() == "":
        raise validation({key: ["Missing value"]})
    return str(value).strip()


def _bool(params: Params, key: str) -> bool:
    value = params.get(key)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "yes", "t", "y", "1")


def _numbers(params: Params, key: str) -> int | None:
    if params.get(key) is None:
        return None
    try:
        return searching.natural(params.get(key), key, 0)
    except searching.ParamError as exc:
        raise validation(exc.errors) from None


def package_list(params: Params, base: str) -> Any:
    """Return the names of the public datasets, by name. Parameters: limit, offset."""
    names = [ds.name for ds in catalogue().datasets]
    offset = _numbers(params, "offset") or 0
    limit = _numbers(params, "limit")
    return names[offset : None if limit is None else offset + limit]


def package_show(params: Params, base: str) -> Any:
    """Return one dataset with its resources. Parameters: id (the dataset's name or id)."""
    key = _required(params, "id")
    cat = catalogue()
    try:
        return dataset_dict(cat.dataset(key), cat, base)
    except NotFound:
        raise not_found() from None


def package_search(params: Params, base: str) -> Any:
    """Search the datasets. Parameters: q, fq (organization:, tags:, name:, res_format:, license_id:),
    sort (e.g. "metadata_modified desc", "name asc", "title_string asc"), rows (<= 1000, default 10),
    start, facet.field (a JSON list), facet.limit, facet.mincount."""
    cat = catalogue()
    try:
        found = searching.search(cat, params)
    except searching.ParamError as exc:
        raise validation(exc.errors) from None
    return {
        "count": found.count,
        "sort": found.sort,
        "facets": {f: {name: count for name, _, count in items} for f, items in found.facets.items()},
        "search_facets": {
            f: {"title": f, "items": [{"name": n, "display_name": d, "count": c} for n, d, c in items]}
            for f, items in found.facets.items()
        },
        "results": [dataset_dict(ds, cat, base) for ds in found.results],
    }


def organization_list(params: Params, base: str) -> Any:
    """Return the organizations (perangkat daerah) that publish at least one dataset. Parameters: all_fields."""
    cat = catalogue()
    if _bool(params, "all_fields"):
        return [organization_dict(o, cat) for o in cat.organizations]
    return [o.name for o in cat.organizations]


def organization_show(params: Params, base: str) -> Any:
    """Return one organization. Parameters: id (its name or id), include_datasets."""
    key = _required(params, "id")
    cat = catalogue()
    try:
        org = cat.organization(key)
    except NotFound:
        raise not_found() from None
    out = organization_dict(org, cat)
    if _bool(params, "include_datasets"):
        out["packages"] = [dataset_dict(ds, cat, base) for ds in cat.datasets if ds.organization.id == org.id]
    return out


def resource_show(params: Params, base: str) -> Any:
    """Return one resource (one year of a dataset as CSV or JSON). Parameters: id."""
    key = _required(params, "id")
    cat = catalogue()
    try:
        return resource_dict(cat.resource(key), base)
    except NotFound:
        raise not_found("Resource was not found.") from None


def tag_list(params: Params, base: str) -> Any:
    """Return the tags of the public datasets. Parameters: query (part of a tag), all_fields."""
    query = str(params.get("query") or "").strip().lower()
    tags = [t for t in catalogue().tags() if query in t]
    if _bool(params, "all_fields"):
        return [{"id": t, "name": t, "vocabulary_id": None} for t in tags]
    return tags


def help_show(params: Params, base: str) -> Any:
    """Return the help text of an action. Parameters: name."""
    name = _required(params, "name")
    if name not in ACTIONS:
        raise not_found()
    return " ".join((ACTIONS[name].__doc__ or "").split())


ACTIONS: dict[str, Callable[[Params, str], Any]] = {
    f.__name__: f
    for f in (
        package_list,
        package_show,
        package_search,
        organization_list,
        organization_show,
        resource_show,
        tag_list,
        help_show,
    )
}


# -------------------------------------------------------------------------------------------- view
def _params(request: HttpRequest) -> Params:
    if request.method != "POST":
        return request.GET
    if request.content_type == "application/json" or (
        request.body and request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        if not request.body.strip():
            return {}
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise ActionError(400, {"__type": "Validation Error", "message": f"JSON Error: {exc}"}) from None
        if not isinstance(data, dict):
            raise ActionError(
                400,
                {"__type": "Validation Error", "message": "Request data JSON decoded but it needs to be a dictionary."},
            )
        return data
    return request.POST


def _answer(body: dict[str, Any], status: int = 200) -> HttpResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# An anonymous, read-only API: no cookie authorises anything, so CSRF protection has nothing to protect,
# and ckanapi POSTs JSON without a token.
@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    base = base_url(request)
    body: dict[str, Any] = {"help": f"{base}/api/3/action/help_show?name={name}"}
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return response
    try:
        if request.method not in ("GET", "POST"):
            raise ActionError(405, {"__type": "Validation Error", "message": "Method not allowed: use GET or POST"})
        function = ACTIONS.get(name)
        if function is None:
            raise not_found(f"Action name not known: {name}")
        result = function(_params(request), base)
    except ActionError as exc:
        return _answer({**body, "success": False, "error": exc.error}, status=exc.status)
    return _answer({**body, "success": True, "result": result})
