"""Searching the catalogue as CKAN's ``package_search`` does: q, fq, sort, start, rows and facets.

A Pemda publishes tens to a few hundred datasets, so the search runs over the catalogue in memory (read
in a fixed number of queries) rather than in a search engine: one code path for the API and the page.
Parameters are checked here and every problem is reported against its field, as CKAN's validators do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from balai.opendata.selectors import Catalogue, Dataset

ROWS_DEFAULT = 10
ROWS_MAX = 1000
FACET_LIMIT_DEFAULT = 50
DEFAULT_SORT = "score desc, metadata_modified desc"
FACET_FIELDS = ("organization", "tags", "res_format", "license_id")
#: fq clauses: field:value or field:"quoted value", optionally prefixed by + (Solr's "must", the default here).
_FQ_CLAUSE = re.compile(r'\+?(?P<field>[A-Za-z_]+):(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')
FQ_FIELDS = ("organization", "tags", "name", "id", "res_format", "license_id")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class ParamError(Exception):
    """Bad parameters: ``errors`` maps each field to its messages (CKAN's Validation Error)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class SearchResult:
    count: int
    results: list[Dataset]
    sort: str
    facets: dict[str, list[tuple[str, str, int]]]  # field -> [(name, display name, count)]


def natural(value: Any, field: str, default: int, maximum: int | None = None) -> int:
    """A whole number >= 0 with CKAN's messages ("Invalid integer", "Must be a natural number")."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise ParamError({field: ["Invalid integer"]})
    if isinstance(value, float):
        if not value.is_integer():
            raise ParamError({field: ["Invalid integer"]})
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ParamError({field: ["Invalid integer"]}) from None
    if number < 0:
        raise ParamError({field: ["Must be a natural number"]})
    if maximum is not None and number > maximum:
        raise ParamError({field: [f"Must be less than or equal to {maximum}"]})
    return number


def _facet_fields(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ParamError({"facet.field": ["Could not parse as valid JSON"]}) from None
    if not isinstance(raw, list):
        raise ParamError({"facet.field": ["Not a list"]})
    for item in raw:
        if not isinstance(item, str):
            raise ParamError({"facet.field": [f"{item!r} is not a string"]})
        if item not in FACET_FIELDS:
            raise ParamError({"facet.field": [f"Cannot facet on {item}; use one of: {', '.join(FACET_FIELDS)}"]})
    return list(dict.fromkeys(raw))


def _field_values(ds: Dataset, field: str) -> list[str]:
    if field == "organization":
        return [ds.organization.name]
    if field == "tags":
        return list(ds.tags)
    if field == "name":
        return [ds.name]
    if field == "id":
        return [ds.id]
    if field == "res_format":
        return ["CSV", "JSON"] if ds.years else []
    if field == "license_id":
        return [settings.BALAI_OPENDATA_LICENSE]
    raise KeyError(field)


def _filters(fq: str) -> list[tuple[str, str]]:
    clauses = []
    rest = _FQ_CLAUSE.sub(" ", fq).strip()
    if rest:
        raise ParamError({"fq": [f'Cannot read {rest!r}; write field:value or field:"a value"']})
    for m in _FQ_CLAUSE.finditer(fq):
        field = m.group("field")
        if field not in FQ_FIELDS:
            raise ParamError({"fq": [f"Cannot filter on {field}; use one of: {', '.join(FQ_FIELDS)}"]})
        value = m.group("quoted") if m.group("quoted") is not None else m.group("bare")
        clauses.append((field, value))
    return clauses


def _haystack(ds: Dataset) -> dict[str, str]:
    ind = ds.indicator
    return {
        "title": f"{ind.name_id} {ind.name_en}".lower(),
        "notes": f"{ind.description_id} {ind.description_en}".lower(),
        "other": " ".join([ds.name, ind.code, *ds.tags, ds.organization.name, ds.organization.title]).lower(),
    }


def _score(ds: Dataset, terms: list[str]) -> int | None:
    """None when a term is missing (every term must match), else a relevance: title hits weigh most."""
    hay = _haystack(ds)
    score = 0
    for term in terms:
        hits = 3 * (term in hay["title"]) + 2 * (term in hay["other"]) + (term in hay["notes"])
        if not hits:
            return None
        score += hits
    return score


def _sort_keys(sort: str) -> list[tuple[Callable[[Dataset], Any], bool]]:
    keys: dict[str, Callable[[Dataset], Any]] = {
        "name": lambda d: d.name,
        "title_string": lambda d: d.title.lower(),
        "metadata_modified": lambda d: d.modified or _EPOCH,
        "metadata_created": lambda d: d.created or _EPOCH,
        "num_resources": lambda d: len(d.years) * 2,
    }
    out: list[tuple[Callable[[Dataset], Any], bool]] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        direction = words[1].lower() if len(words) > 1 else "asc"
        if len(words) > 2 or direction not in ("asc", "desc") or (words[0] not in keys and words[0] != "score"):
            raise ParamError(
                {"sort": [f"Cannot sort by {part.strip()!r}; use e.g. 'metadata_modified desc' or 'name asc'"]}
            )
        if words[0] == "score":
            out.append((_score_marker, direction == "desc"))  # the search replaces it by the relevance of q
        else:
            out.append((keys[words[0]], direction == "desc"))
    return out


def _score_marker(d: Dataset) -> Any:
    """Stands for "score" in the sort keys; compared by identity."""
    return 0


def search(catalogue: Catalogue, params: Mapping[str, Any]) -> SearchResult:
    q = str(params.get("q") or "").strip()
    fq = str(params.get("fq") or "").strip()
    sort = str(params.get("sort") or "").strip() or DEFAULT_SORT
    rows = natural(params.get("rows"), "rows", ROWS_DEFAULT, ROWS_MAX)
    start = natural(params.get("start"), "start", 0)
    facet_fields = _facet_fields(params.get("facet.field"))
    facet_limit = params.get("facet.limit")
    limit = -1 if str(facet_limit).strip() == "-1" else natural(facet_limit, "facet.limit", FACET_LIMIT_DEFAULT)
    mincount = natural(params.get("facet.mincount"), "facet.mincount", 1)
    keys = _sort_keys(sort)
    clauses = _filters(fq)

    terms = [] if q in ("", "*:*") else [t for t in q.lower().split() if t]
    scored: list[tuple[Dataset, int]] = []
    for ds in catalogue.datasets:
        if any(value not in _field_values(ds, field) for field, value in clauses):
            continue
        score = _score(ds, terms) if terms else 0
        if score is not None:
            scored.append((ds, score))
    scores = {ds.id: s for ds, s in scored}
    found = [ds for ds, _ in scored]
    for key, reverse in reversed(keys):  # stable sorts, last key first
        found.sort(key=(lambda d: scores[d.id]) if key is _score_marker else key, reverse=reverse)

    facets: dict[str, list[tuple[str, str, int]]] = {}
    for field in facet_fields:
        counts: dict[str, int] = {}
        for ds in found:
            for value in _field_values(ds, field):
                counts[value] = counts.get(value, 0) + 1
        titles = {o.name: o.title for o in catalogue.organizations} if field == "organization" else {}
        items = sorted(
            ((n, titles.get(n, n), c) for n, c in counts.items() if c >= mincount), key=lambda i: (-i[2], i[0])
        )
        facets[field] = items if limit < 0 else items[:limit]
    return SearchResult(count=len(found), results=found[start : start + rows], sort=sort, facets=facets)
